"""Paths to the files worth reading: walk directories, honour .gitignore, skip the rest."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

SUFFIXES = (".json", ".yaml", ".yml", ".template")
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".aws-sam", ".serverless", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})


def is_candidate(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def discover(paths: Iterable[str]) -> list[str]:
    """Candidate files under ``paths``, sorted, each once. A file named explicitly is
    taken whatever its name (pre-commit passes exactly the files it wants linted)."""
    found: dict[str, None] = {}
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path):
                found.setdefault(os.path.normpath(file), None)
        else:
            found.setdefault(os.path.normpath(path), None)
    return sorted(found)


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
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg")))
        yield from (os.path.join(root, f) for f in sorted(files) if is_candidate(f))


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
