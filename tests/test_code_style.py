"""The code base is ruff-clean and mypy-clean (the settings in pyproject.toml): CI fails on a
style, lint or type error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    pytest.importorskip("ruff")
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_mypy_finds_nothing(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """mypy keeps its cache in pytest's (.pytest_cache/d/mypy): it checks again only what
    changed, a quarter of a second instead of six (a new one with `-p no:cacheprovider`)."""
    pytest.importorskip("mypy")
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("mypy") if cache is not None else tmp_path
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(folder), "policylint"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
