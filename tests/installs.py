"""What the install tests share: this checkout as a user's pip or pre-commit gets it, and the
environment their installs run in."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def checkout(to: Path) -> Path:
    """This repository's tracked files (as they are now) copied to ``to``, as a runner or a
    clone checks them out: pip's build never writes into the working copy."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, names.decode().split("\0")):
        if (ROOT / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, to / name)
    return to


def install_env(**more: str) -> dict[str, str]:
    """This environment, with pip's bytecode compilation off (``--no-compile``; the variable of
    ``--compile``, set false): half of an install's time, and each module is compiled anyway
    when it is first imported."""
    return {**os.environ, "PIP_COMPILE": "0", **more}
