"""The path-safety layer: what may be read (bounds, regular files) and where a report may go."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from policylint.paths import Refused, in_bounds, is_within, open_regular, overwrites, read_setting_file


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(Refused, match="not a regular file"):
        open_regular(str(tmp_path / "pipe"))
    with pytest.raises(Refused, match="not a regular file"):
        open_regular(str(tmp_path))
    (tmp_path / "file").write_bytes(b"abc")
    with open_regular(str(tmp_path / "file")) as handle:
        assert handle.read() == b"abc"


def test_bounds(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo" / "sub", tmp_path / "home"
    root.mkdir(parents=True)
    outside.mkdir()
    (outside / ".env").write_text("x")
    (root / "real.yaml").write_text("x")
    os.symlink(outside / ".env", root / "out.yaml")
    os.symlink(root / "real.yaml", root / "in.yaml")
    os.symlink(outside / ".env", root.parent / "above-out.yaml")
    os.symlink(root / "real.yaml", root.parent / "above-in.yaml")
    assert in_bounds(str(root / "in.yaml"), str(root)) and in_bounds(str(root / "real.yaml"), str(root))
    assert not in_bounds(str(root / "out.yaml"), str(root))
    assert in_bounds(str(root.parent / "above-in.yaml"), str(root))  # a config found up the tree
    assert not in_bounds(str(root.parent / "above-out.yaml"), str(root))
    assert in_bounds(str(root / "out.yaml"), None)
    with pytest.raises(Refused, match="outside the linted folder") as refused:
        read_setting_file(str(root / "out.yaml"), str(root), 100)
    assert str(outside) not in str(refused.value)  # names the link, not where it leads
    assert read_setting_file(str(root / "in.yaml"), str(root), 100) == b"x"


def test_overwrites_follows_links_hard_or_symbolic_and_ignores_new_files(tmp_path: Path) -> None:
    (tmp_path / "read.json").write_text("{}")
    os.symlink(tmp_path / "read.json", tmp_path / "link.json")
    assert overwrites(str(tmp_path / "link.json"), [str(tmp_path / "read.json")])
    assert overwrites(str(tmp_path / "read.json"), [str(tmp_path / "link.json")])
    assert not overwrites(str(tmp_path / "new.json"), [str(tmp_path / "read.json")])


def test_overwrites_knows_a_hard_link_and_never_a_device(tmp_path: Path) -> None:
    (tmp_path / "read.json").write_text("{}")
    (tmp_path / "other.json").write_text("{}")
    os.link(tmp_path / "read.json", tmp_path / "hard.json")
    read, other = str(tmp_path / "read.json"), str(tmp_path / "other.json")
    assert overwrites(str(tmp_path / "hard.json"), [other, read])
    assert not overwrites(other, [read, str(tmp_path / "gone")])
    assert not overwrites(os.devnull, [read, os.devnull])  # written to, never over


def test_a_relative_root_is_the_current_folder_after_a_chdir(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived process (the language server, a test run) lints one folder, then another:
    ``.`` is the folder it is in now."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text("")
        monkeypatch.chdir(tmp_path / name)
        assert is_within("main.tf", ".") and not is_within(str(tmp_path / "other.tf"), ".")
