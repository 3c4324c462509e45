"""Test helpers: run policylint as a user would, in-process, and read its JSON report."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policylint.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def run(*args: str) -> tuple[int, list[dict[str, Any]]]:
    """``policylint check ARGS --format json``: the exit code and the findings."""
    out = Path("report.json")
    code = main(["check", *args, "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    out.unlink()
    assert not report["errors"], report["errors"]
    return code, report["findings"]


def position_of(text: str, pattern: str) -> tuple[int, int]:
    """(line, column), 1-based, of the one place ``pattern`` matches in ``text`` (of its
    group ``at`` when it has one)."""
    matches = list(re.finditer(pattern, text))
    assert len(matches) == 1, f"{pattern!r} matches {len(matches)} times"
    start = matches[0].start("at") if "at" in matches[0].groupdict() else matches[0].start()
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def key(name: str) -> str:
    """A pattern for a mapping key as JSON, YAML or JSON inside a JSON string writes it."""
    return r'\\?"?' + name + r'\\?"?'


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every logical path in a JSON-like value, the root first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(f["code"] for f in findings)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path

