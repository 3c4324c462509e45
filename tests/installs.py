"""What the install tests share: this checkout as a user's pip or pre-commit gets it, the
environment their installs run in, and the packages they install, offline."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from importlib.metadata import Distribution, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: policylint requires tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BUILD_REQUIRES: list[str] = PYPROJECT["build-system"]["requires"]  # what pip's build of policylint installs
DEPENDENCIES: list[str] = PYPROJECT["project"]["dependencies"]


def checkout(to: Path) -> Path:
    """This repository's tracked files (as they are now) copied to ``to``, as a runner or a
    clone checks them out: pip's build never writes into the working copy."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, names.decode().split("\0")):
        if (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)
    return to


def install_env(wheels: Path | None = None, **more: str) -> dict[str, str]:
    """This environment, with pip's bytecode compilation off (``--no-compile``; the variable of
    ``--compile``, set false): half of an install's time, and each module is compiled anyway
    when it is first imported. Given ``wheels`` (a ``wheelhouse``), pip installs from there
    only (``--no-index --find-links``)."""
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)} if wheels else {}
    return {**os.environ, "PIP_COMPILE": "0", **offline, **more}


def wheelhouse(to: Path, *requirements: str) -> Path:
    """A folder of wheels of ``requirements`` and of all they require (on this Python), each
    packed from the distribution installed here: an install from it finds every package
    offline, as from a mirror, where one from the index reads the list of every release of
    each package, wheel by wheel (seconds of CPU, and the network's time)."""
    to.mkdir(parents=True, exist_ok=True)
    wanted = [(Requirement(r), "") for r in requirements]  # (requirement, the extra it is for)
    done: set[tuple[str, str]] = set()  # (name, "" or an extra of it): its requirements are wanted
    while wanted:
        requirement, extra = wanted.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        found = distribution(name)
        assert found.version in requirement.specifier, f"{name} {found.version} installed, not {requirement}"
        if (name, "") not in done:
            _pack(found, name, to)
        for asked in {"", *requirement.extras} - {e for n, e in done if n == name}:
            done.add((name, asked))
            wanted += [(Requirement(r), asked) for r in found.requires or ()]
    return to


def _pack(found: Distribution, name: str, to: Path) -> None:
    """``found`` as a wheel, stored uncompressed: its files in site-packages (not its scripts,
    which an install makes again from its entry points, nor what installing it added)."""
    files = found.files
    assert files, f"{name} lists no files"
    info = next(f for f in files if f.name == "METADATA").parent.name  # NAME-VERSION.dist-info
    added = {f"{info}/{n}" for n in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")}
    names = [str(f) for f in files
             if f.parts[0] != ".." and "__pycache__" not in f.parts and str(f) not in added]
    tags = {line.split(":", 1)[1].strip() for line in (found.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")}
    tag = next(str(t) for t in sys_tags() if str(t) in tags)  # one this Python installs
    with zipfile.ZipFile(to / f"{name.replace('-', '_')}-{found.version}-{tag}.whl", "w") as wheel:
        for file in names:
            wheel.write(found.locate_file(file), file)
        wheel.writestr(f"{info}/RECORD", "".join(f"{file},,\n" for file in [*names, f"{info}/RECORD"]))
