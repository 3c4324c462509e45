"""The engine's process pool: the process that forks takes chunks from the front of the items,
the forked workers from the back (``_Ends``), and append their results to files of their own;
what a worker did not send back is done again by the process that forked it."""
from __future__ import annotations

import itertools
import os
import pickle
import time
from pathlib import Path

import pytest

from policylint.engine import _alike, _Ends, _in_processes, _Records, _work

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")


def tagged(chunk: list[int]) -> list[tuple[int, int]]:
    assert chunk  # the function is run on items, never on none
    time.sleep(0.002)  # long enough that no process takes every chunk before another starts
    return [(item * 2, os.getpid()) for item in chunk]


def wait_for(path: Path) -> None:
    """Until ``path`` exists (a worker made it), 5 s at most."""
    for _ in range(500):
        if path.exists():
            return
        time.sleep(0.01)


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


def test_twice_as_many_items_as_jobs_are_shared(tmp_path: Path) -> None:
    """Fewer than two items a process run here alone; two a process are shared."""
    here, marker = os.getpid(), tmp_path / "worker"

    def waits_here_for_a_worker(chunk: list[int]) -> list[tuple[int, int]]:
        if os.getpid() != here:
            marker.touch()
        wait_for(marker)  # a worker takes the back while this one waits
        return tagged(chunk)

    assert len({pid for _, pid in _in_processes(waits_here_for_a_worker, list(range(4)), 2)}) == 2


def test_a_chunk_missing_between_others_is_done_again_here(tmp_path: Path) -> None:
    here, lost, calls = os.getpid(), tmp_path / "lost", []

    def second_lost_in_a_worker(chunk: list[int]) -> list:
        calls.append(chunk)
        if os.getpid() == here:
            wait_for(lost)
        elif len(calls) == 2:  # after one from the very back
            lost.touch()
            return [lambda: chunk]  # cannot be sent back
        return tagged(chunk)

    results = _in_processes(second_lost_in_a_worker, list(range(1000)), 2)
    assert [value for value, _ in results] == [item * 2 for item in range(1000)] and results[-1][1] != here


def test_items_at_the_front_no_process_sent_back_are_done_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As when a worker takes every chunk before this process takes one."""
    here, take, taken = os.getpid(), _Ends.take, tmp_path / "taken"
    monkeypatch.setattr(_Ends, "take", lambda ends, front: wait_for(taken) if front else take(ends, front))

    def front_lost_in_a_worker(chunk: list[int]) -> list:
        if chunk[0] == 0 and os.getpid() != here:  # the last chunk a worker takes from the back
            taken.touch()
            return [lambda: chunk]  # cannot be sent back
        return tagged(chunk)

    results = _in_processes(front_lost_in_a_worker, list(range(100)), 2)
    assert [value for value, _ in results] == [item * 2 for item in range(100)]
    assert results[0][1] == here != results[-1][1]


def test_the_workers_are_done_when_the_results_are_in_and_are_waited_for(tmp_path: Path) -> None:
    """The results are in once each worker is done (not once it has ended: letting go of its
    memory takes a while), and a thread waits for each to end: none is left a zombie."""
    here, pids = os.getpid(), tmp_path / "pids"

    def slow_there(chunk: list[int]) -> list[tuple[int, int]]:
        if os.getpid() != here:
            with open(pids, "a") as record:
                record.write(f"{os.getpid()}\n")
            time.sleep(0.3)
        wait_for(pids)
        return tagged(chunk)

    results = _in_processes(slow_there, list(range(8)), 2)
    assert [i for i, _ in results] == [2 * i for i in range(8)] and {p for _, p in results} != {here}
    for pid in set(map(int, pids.read_text().split())):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:  # asked without waiting for it: only the thread may
                os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:  # waited for already
                break
            time.sleep(0.01)
        else:
            raise AssertionError(f"worker {pid} was not waited for")



def test_without_a_thread_the_workers_are_waited_for_before_the_results_are_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    def refused(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    here, pids = os.getpid(), tmp_path / "pids"

    def noted(chunk: list[int]) -> list[tuple[int, int]]:
        if os.getpid() != here:
            with open(pids, "a") as record:
                record.write(f"{os.getpid()}\n")
        return tagged(chunk)

    monkeypatch.setattr(threading.Thread, "start", refused)
    assert [i for i, _ in _in_processes(noted, list(range(200)), 2)] == [2 * i for i in range(200)]
    for pid in set(map(int, pids.read_text().split())):
        with pytest.raises(ChildProcessError):  # waited for already
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)

def test_items_alike_stay_in_one_process_this_one_from_the_front() -> None:
    """The caller puts items alike together: each process meets as few kinds as it can."""
    takers = [pid for _, pid in _in_processes(tagged, list(range(1000)), 2)]
    assert takers[0] == os.getpid() != takers[-1]
    assert sum(a != b for a, b in itertools.pairwise(takers)) == 1  # where the two ends met


def test_files_of_one_extension_then_of_one_name_but_for_numbers_are_put_together() -> None:
    files = ["p/main.tf", "q/Flow2.asl.json", "main.tf.json", "p/policy10.json", "r/flow11.ASL.JSON",
             "q/policy3.json", "r/main.tf"]
    assert sorted(files, key=_alike) == ["q/Flow2.asl.json", "r/flow11.ASL.JSON", "main.tf.json",
                                         "p/policy10.json", "q/policy3.json", "p/main.tf", "r/main.tf"]


def test_chunks_shrink_from_both_ends_and_every_item_is_taken_once() -> None:
    with _Ends(1000, 2) as ends:
        front = [ends.take(front=True) for _ in range(3)]
        back = [ends.take(front=False) for _ in range(3)]
        rest: list[tuple[int, int]] = []
        while (chunk := ends.take(front=len(rest) % 2 == 0)) is not None:
            rest.append(chunk)
        assert ends.take(front=False) is None
    assert front == [(0, 125), (125, 234), (234, 329)]  # a share of what is left: 1000 // 8, ...
    assert back == [(917, 1000), (844, 917), (780, 844)]
    chunks = sorted(c for c in [*front, *back, *rest] if c is not None)
    assert [c[0] for c in chunks[1:]] == [c[1] for c in chunks[:-1]] and chunks[-1][1] == 1000
    sizes = [stop - start for start, stop in rest]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1  # they end together on small ones
    with _Ends(100_000, 2) as ends:
        sizes = []
        while (chunk := ends.take(front=True)) is not None:
            sizes.append(chunk[1] - chunk[0])
    assert min(sizes[:-1]) == 195 == 100_000 // 512 and sum(sizes) == 100_000  # not one by one


def test_an_error_here_leaves_no_item_to_take() -> None:
    with _Ends(1000, 3) as ends:
        ends.take(front=True)
        ends.take_all()
        assert ends.take(front=False) is None and ends.take(front=True) is None


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
    parents = iter([100, 100, 1, 1])  # the parent, then init: it was killed after one chunk
    monkeypatch.setattr(os, "getppid", lambda: next(parents))
    with _Ends(3, 1) as ends, open(tmp_path / "results", "wb+") as results:
        _work(lambda chunk: chunk, [0, 1, 2], ends, results)
        assert list(_Records(results).complete()) == [(2, (3, [2]))]  # from the back
        assert ends.take(front=True) == (0, 1)  # what it left


def test_a_worker_goes_on_after_a_chunk_it_cannot_send_back(tmp_path: Path) -> None:
    """What cannot be pickled is done again by the process that forked the worker."""
    def unpicklable_at_the_end(chunk: list[int]) -> list:
        return [lambda: chunk] if chunk == [2] else chunk

    with _Ends(3, 1) as ends, open(tmp_path / "results", "wb+") as results:
        _work(unpicklable_at_the_end, [0, 1, 2], ends, results)
        assert list(_Records(results).complete()) == [(1, (2, [1])), (0, (1, [0]))]
        assert ends.take(front=True) is None


def test_a_worker_ends_where_it_was_forked(tmp_path: Path) -> None:
    """Whatever happens in a worker, it does not go on with its caller's code (a second report)."""
    here, escaped = os.getpid(), tmp_path / "escaped"
    try:
        _in_processes(tagged, list(range(100)), 2)
    finally:
        if os.getpid() != here:  # a worker out of _in_processes
            escaped.touch()
            os._exit(0)
    assert not escaped.exists()
