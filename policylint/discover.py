"""Paths to the files worth reading: walk directories, honour .gitignore, skip the rest."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache

SUFFIXES = (".json", ".yaml", ".yml", ".template")
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".aws-sam", ".serverless", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})


def is_candidate(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


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
    return root is None or _below(os.path.realpath(path), _real(root))


@lru_cache(maxsize=8)
def _real(path: str) -> str:
    return os.path.realpath(path)


def _below(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def discover(paths: Iterable[str]) -> list[str]:
    """Candidate files under ``paths``, sorted, each once (one file named twice, or by two
    spellings, is one). A file named explicitly is taken whatever its name (pre-commit passes
    exactly the files it wants linted). A folder that cannot be listed is in the list too,
    for the loader to report."""
    found: dict[str, str] = {}
    for path in paths:
        files = _walk(path) if os.path.isdir(path) else [path]
        for file in files:
            found.setdefault(os.path.normcase(os.path.abspath(file)), os.path.normpath(file))
    return sorted(found.values())


def _walk(directory: str) -> Iterator[str]:
    listed = _git_files(directory)
    if listed is not None:
        for relative in listed:
            parts = relative.split("/")
            if is_candidate(relative) and not SKIP_DIRS.intersection(parts[:-1]):
                file = os.path.join(directory, *parts)
                if os.path.isfile(file):
                    yield file
        return
    unreadable: list[str] = []
    for root, dirs, files in os.walk(directory, onerror=lambda error: unreadable.append(error.filename)):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg")))
        yield from (os.path.join(root, f) for f in sorted(files) if is_candidate(f))
    yield from unreadable


def _git_files(directory: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, as git sees them; None outside git."""
    import subprocess  # imported here: a run on named files never needs it

    try:
        result = subprocess.run(
            ["git", "-C", directory, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
