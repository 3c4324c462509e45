"""Path safety: the one place that says which files policylint may read, and where it may write.

The linted folder bounds what a link, a ``DefinitionUri``, a Terraform ``file()`` or a config
found up the tree may reach; a file is read only if it is a regular file (a FIFO or a device
would block or never end), checked on the open descriptor, so nothing can swap it in between;
a report is never written over a file that was read.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import BinaryIO


class Refused(OSError):
    """A file policylint does not read: not a regular file, or a link out of the linted folder."""


def lint_root(paths: Iterable[str]) -> str:
    """The folder links and ``DefinitionUri`` files may not lead out of: the current directory
    when every path is in it (pre-commit, ``check .``), else the folder common to the paths."""
    here = os.path.abspath(os.curdir)
    places = [os.path.abspath(p) for p in paths]
    if all(_below(p, here) for p in places):
        return here
    return os.path.commonpath([p if os.path.isdir(p) else os.path.dirname(p) for p in places])


def is_within(path: str, root: str | None) -> bool:
    """Whether ``path`` (followed through links) is ``root`` or below it (followed through
    links too); any path when there is no root."""
    return root is None or _below(os.path.realpath(path), _real(os.path.abspath(root)))


def in_bounds(path: str, root: str | None) -> bool:
    """Whether ``path`` (followed through links) stays in ``root``; a file above ``root`` (a
    config found up the tree) in the folder it is in."""
    if root is None:
        return True
    folder = os.path.dirname(os.path.abspath(path))
    return is_within(path, root if _below(folder, os.path.abspath(root)) else folder)


@lru_cache(maxsize=8)
def _real(path: str) -> str:  # an absolute path: a relative one is another folder after chdir
    return os.path.realpath(path)


def _below(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def upward(folder: str) -> Iterator[str]:
    """``folder`` and each folder above it, up to the file system's root."""
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading in binary; Refused when it is not a regular file. It is
    opened without blocking and checked on the descriptor: a FIFO is never waited on."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise Refused(f"{path}: not a regular file (a pipe, socket, device or folder)")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_setting_file(path: str, root: str | None, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a file read beside the linted ones (a config, a baseline,
    a cloud assembly manifest, the ``.tf`` files a plan was made from). Refused, naming the
    file and never its content, for a link out of ``root`` (the linted folder) or a file that
    is not regular."""
    if not in_bounds(path, root):
        raise Refused(f"{path}: a link to a file outside the linted folder; it was not read")
    with open_regular(path) as handle:
        return handle.read(limit + 1)


def overwrites(output: str, read: Iterable[str]) -> bool:
    """Whether writing ``output`` would write over one of the files ``read`` (through any link,
    or another hard link to it)."""
    try:
        target = os.stat(output)
    except OSError:
        return False  # a new file is no input
    if not stat.S_ISREG(target.st_mode):
        return False  # /dev/null, a pipe: every file read is a regular one
    return any(_same(f, target) for f in read)


def _same(path: str, target: os.stat_result) -> bool:
    try:
        return os.path.samestat(os.stat(path), target)
    except OSError:
        return False
