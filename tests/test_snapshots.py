"""Snapshots: for every rule, ``tests/snapshots/CODE/`` holds fixture files (one with the
problems the rule reports, often many of them, and a ``clean`` one it must stay silent on) and
``expected.txt``, what ``policylint check --select CODE --format gcc`` prints there. A change
in what a rule reports shows as a diff of that file in review.

After a deliberate change: ``POLICYLINT_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_snapshots.py``,
then read the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from policylint.cli import main
from policylint.engine import Engine

SNAPSHOTS = Path(__file__).with_name("snapshots")
CONFIG = SNAPSHOTS / "config.yaml"  # no settings: the repository's own config excludes this folder
# A folder's own policylint.yaml gives the settings a rule needs (allowlists, environments).
UPDATE = os.environ.get("POLICYLINT_UPDATE_SNAPSHOTS") == "1"
CODES = list(Engine().rules)
# PL004 reports a suppression of a rule that ran and found nothing: that rule runs too.
ALSO_SELECTED = {"PL004": ",ASL101"}


def report(folder: Path, code: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(folder)
    out = folder / ".report.txt"
    config = folder / "policylint.yaml" if (folder / "policylint.yaml").exists() else CONFIG
    try:
        main(["check", ".", "--config", str(config), "--select", code + ALSO_SELECTED.get(code, ""),
              "--format", "gcc", "--output", str(out)])
        return out.read_text()
    finally:
        out.unlink(missing_ok=True)


@pytest.mark.parametrize("code", CODES)
def test_rule_reports_its_snapshot(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = SNAPSHOTS / code
    assert folder.is_dir(), f"rule {code} has no fixtures: add tests/snapshots/{code}/"
    got = report(folder, code, monkeypatch)
    expected = folder / "expected.txt"
    if UPDATE:
        expected.write_text(got)
    assert got == expected.read_text()
    assert got, f"{code}: its fixtures must make it report something"
    clean = [p.name for p in folder.iterdir() if p.name.startswith("clean")]
    assert clean or code in ("PL002",), f"{code}: add a clean fixture it must stay silent on"
    assert not any(line.startswith(tuple(clean)) for line in got.splitlines() if clean)
