"""Paths to the files worth reading: walk directories, honour .gitignore, skip the rest."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache

JSON_YAML = (".json", ".yaml", ".yml")  # what any front end may be written in; each adds its own
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".aws-sam", ".serverless", ".terraform", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})


def discover(paths: Iterable[str], suffixes: tuple[str, ...] = JSON_YAML) -> list[str]:
    """Candidate files under ``paths``, sorted, each once (one file named twice, or by two
    spellings, is one). A file named explicitly is taken whatever its name (pre-commit passes
    exactly the files it wants linted). A folder that cannot be listed is in the list too,
    for the loader to report. ``suffixes``: the file names a walk collects (the engine's)."""
    found: dict[str, str] = {}
    for path in paths:
        files = _walk(path, suffixes) if os.path.isdir(path) else [path]
        for file in files:
            found.setdefault(os.path.normcase(os.path.abspath(file)), os.path.normpath(file))
    return sorted(found.values())


def _walk(directory: str, suffixes: tuple[str, ...]) -> Iterator[str]:
    listed = _git_files(directory)
    if listed:  # a folder git ignores as a whole (cdk.out) lists nothing: it is walked as it is
        for relative in listed:
            parts = relative.split("/")
            if relative.lower().endswith(suffixes) and not SKIP_DIRS.intersection(parts[:-1]):
                file = os.path.join(directory, *parts)
                if os.path.isfile(file) and _in_assembly_wanted(file, directory):
                    yield file
        return
    unreadable: list[str] = []
    for root, dirs, files in os.walk(directory, onerror=lambda error: unreadable.append(error.filename)):
        assembly = is_cloud_assembly(root)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and (not assembly or d.startswith("assembly-"))
                         and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg")))
        yield from (os.path.join(root, f) for f in sorted(files)
                    if (f.endswith(CDK_TEMPLATE) if assembly else f.lower().endswith(suffixes)))
    yield from unreadable


CDK_TEMPLATE = ".template.json"


def is_cloud_assembly(directory: str) -> bool:
    """Whether ``directory`` is what ``cdk synth`` writes (cdk.out, or a stage's nested
    ``assembly-*``): its only files of ours are the ``*.template.json`` stacks and the nested
    assemblies; manifests, the construct tree and ``asset.*`` folders (bundled code) are not
    linted."""
    return _is_cloud_assembly(os.path.abspath(directory))


@lru_cache(maxsize=4096)
def _is_cloud_assembly(directory: str) -> bool:  # by absolute path: "cdk.out" means one folder
    return os.path.isfile(os.path.join(directory, "manifest.json")) and \
        os.path.isfile(os.path.join(directory, "cdk.out"))


def _in_assembly_wanted(file: str, top: str) -> bool:
    """False for a file of a cloud assembly (below ``top``, the walked folder) that is not
    one of its stack templates."""
    directory = os.path.dirname(file)
    if is_cloud_assembly(directory):
        return file.endswith(CDK_TEMPLATE)
    while os.path.normpath(directory) != os.path.normpath(top) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
        if is_cloud_assembly(directory):
            return False  # in an asset folder, or another folder of the assembly
    return True


def _git_files(directory: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, as git sees them; None outside git."""
    if not _in_work_tree(directory):
        return None
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


def _in_work_tree(directory: str) -> bool:
    """Whether git may find a work tree at ``directory``: a ``.git`` (a folder with a HEAD, or
    the file a linked work tree or submodule has) in it or a folder above, as git looks from
    the real path, or a repository named by GIT_DIR. Outside one, git is not started."""
    from policylint.paths import upward

    if os.environ.get("GIT_DIR"):
        return True
    gits = (os.path.join(folder, ".git") for folder in upward(os.path.realpath(directory)))
    return any(os.path.isfile(git) or os.path.isfile(os.path.join(git, "HEAD")) for git in gits)
