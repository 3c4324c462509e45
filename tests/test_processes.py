"""The engine's process pool: forked workers take chunks from a pipe and append their results
to files of their own; what a worker did not send back is done again by the process that
forked it."""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from policylint.engine import MAX_CHUNKS, _chunks, _in_processes, _Records, _work

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def tagged(chunk: list[int]) -> list[tuple[int, int]]:
    time.sleep(0.002)  # long enough that no process takes every chunk before another starts
    return [(item * 2, os.getpid()) for item in chunk]


def test_every_process_takes_a_share_and_the_results_come_back_in_order() -> None:
    results = _in_processes(tagged, list(range(1000)), 3)
    assert [value for value, _ in results] == [item * 2 for item in range(1000)]
    assert os.getpid() in {pid for _, pid in results} and len({pid for _, pid in results}) >= 2


def test_one_job_or_few_items_run_here() -> None:
    for items, jobs in ((list(range(100)), 1), (list(range(5)), 3)):
        assert {pid for _, pid in _in_processes(tagged, items, jobs)} == {os.getpid()}


def test_what_a_killed_worker_took_is_done_again_here(tmp_path: Path) -> None:
    here, died = os.getpid(), tmp_path / "died"

    def dies_in_a_worker(chunk: list[int]) -> list[tuple[int, int]]:
        if os.getpid() != here:
            died.write_text(str(chunk[0]))
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        return tagged(chunk)

    assert _in_processes(dies_in_a_worker, list(range(1000)), 2) == [(i * 2, here) for i in range(1000)]
    assert died.exists()  # the worker took a chunk, and this process did it again


def test_chunks_shrink_as_they_go_and_are_at_most_what_one_write_to_a_pipe_takes() -> None:
    sizes = [len(chunk) for chunk in _chunks(list(range(1000)), 2)]
    assert sum(sizes) == 1000 and sizes[0] == 1000 // 8 and sizes[-1] == 1000 // 128
    assert sizes == sorted(sizes, reverse=True)  # the processes end together, on small ones
    assert [len(chunk) for chunk in _chunks(list(range(5)), 2)] == [1] * 5
    for items, jobs in ((50_000, 100), (10**6, 1000)):
        chunks = _chunks(list(range(items)), jobs)
        assert len(chunks) <= MAX_CHUNKS and sum(map(len, chunks)) == items
    assert MAX_CHUNKS * 4 <= 4096  # four bytes a number, under a page: the least a pipe holds


def test_records_are_read_once_complete_and_one_cut_short_is_left_out(tmp_path: Path) -> None:
    whole, cut = pickle.dumps((0, ["a"])), pickle.dumps((1, ["b" * 100]))
    with open(tmp_path / "results", "wb+") as results:
        records = _Records(results)
        results.write(len(whole).to_bytes(8, "little") + whole + len(cut).to_bytes(8, "little") + cut[:-10])
        results.flush()
        assert list(records.complete()) == [(0, ["a"])]
        assert list(records.complete()) == []  # the second is not complete yet
        results.write(cut[-10:])
        results.flush()
        assert list(records.complete()) == [(1, ["b" * 100])]
        assert list(records.complete()) == []
        broken, after = b"not a pickle", pickle.dumps((2, ["c"]))
        results.write(len(broken).to_bytes(8, "little") + broken + len(after).to_bytes(8, "little") + after)
        results.flush()
        assert list(records.complete()) == [(2, ["c"])]  # the one after a broken record is read


def test_an_error_here_stops_the_others_after_the_chunk_they_are_on(tmp_path: Path) -> None:
    here, done = os.getpid(), tmp_path / "done"

    def slow_there_failing_here(chunk: list[int]) -> list[int]:
        if os.getpid() == here:
            raise KeyboardInterrupt  # Ctrl-C in this process
        time.sleep(0.01)
        with open(done, "a") as record:
            record.write("x")
        return chunk

    with pytest.raises(KeyboardInterrupt):
        _in_processes(slow_there_failing_here, list(range(1000)), 2)
    assert len(done.read_text() if done.exists() else "") <= 3  # of 30: none once this one fails


def test_a_worker_whose_parent_is_gone_takes_no_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    numbers, sent = os.pipe()
    os.write(sent, b"".join(n.to_bytes(4, "little") for n in range(3)))
    os.close(sent)
    parents = iter([100, 100, 1, 1])  # the parent, then init: it was killed after one chunk
    monkeypatch.setattr(os, "getppid", lambda: next(parents))
    with os.fdopen(numbers, "rb", buffering=0) as queue, open(tmp_path / "results", "wb+") as results:
        _work(lambda chunk: chunk, [[0], [1], [2]], queue, results)
        assert list(_Records(results).complete()) == [(0, [0])]
