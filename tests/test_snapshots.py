"""Every rule has a folder ``rules/CODE/`` at the top of the repository:

- ``README.md``: what ``policylint rule CODE`` prints (what it does, why, example, fix);
- ``fixtures/``: files with the problems the rule reports (often many of them), and at least one
  whose name starts with ``clean`` that it must stay silent on; a ``fixtures/policylint.yaml``
  gives the settings the rule needs (allowlists, environments);
- ``expected.txt``: what ``policylint check --select CODE --format gcc`` prints in ``fixtures/``,
  each finding followed by the line it points at, with a caret under its column.

A change in what a rule reports, or in its help, shows as a diff of these files in review.
After a deliberate change: ``POLICYLINT_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_snapshots.py``,
then read the diff.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from builtin_plugins import builtin_entry_points

import policylint.plugins
from policylint.cli import main
from policylint.engine import Engine

RULES = Path(__file__).resolve().parents[1] / "rules"
CONFIG = Path(__file__).with_name("snapshot-config.yaml")  # no settings: the repository's own config
# excludes rules/, and a fixture must be linted as a user's file would be
UPDATE = os.environ.get("POLICYLINT_UPDATE_SNAPSHOTS") == "1"
with pytest.MonkeyPatch.context() as patch:  # collected before conftest's fixture: the same here
    patch.setattr(policylint.plugins, "entry_points", builtin_entry_points)
    CODES = list(Engine().rules)
# PL004 reports a suppression of a rule that ran and found nothing: that rule runs too.
ALSO_SELECTED = {"PL004": ",ASL101"}
_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): ")
WIDTH = 100  # a longer line is shown in a window around the column


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


def excerpt(folder: Path, file: str, line: int, column: int) -> str:
    """The line ``line`` of ``file`` and a caret under ``column``, as ruff's snapshots show them."""
    try:
        lines = (folder / file).read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    text, start = "".join(c if c == "\t" or c.isprintable() else "\ufffd" for c in lines[line - 1]), 0
    if len(text) > WIDTH:  # minified JSON, CDK output: a window around the column
        start = max(0, min(column - 1 - WIDTH // 2, len(text) - WIDTH))
        text = ("…" if start else "") + text[start:start + WIDTH] + ("…" if start + WIDTH < len(text) else "")
        start -= 1 if start else 0
    pad = "".join("\t" if c == "\t" else " " for c in text[:max(column - 1 - start, 0)])
    gutter = " " * len(str(line))
    return f"{gutter} |\n{line} | {text}\n{gutter} | {pad}^\n"


def with_excerpts(folder: Path, report_text: str) -> str:
    shown = []
    for finding in report_text.splitlines(keepends=True):
        shown.append(finding)
        where = _WHERE.match(finding)
        if where:
            shown.append(excerpt(folder, where["file"], int(where["line"]), int(where["column"])))
    return "".join(shown)


def readme(code: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What ``policylint rule CODE`` prints, as the folder's README."""
    capsys.readouterr()
    assert main(["rule", code]) == 0
    title, _, body = capsys.readouterr().out.partition("\n")
    return (f"# {title}\n{body}\n---\n\nGenerated from `policylint rule {code}` by "
            "`POLICYLINT_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_snapshots.py`. "
            "`fixtures/`: files this rule reports on, and "
            "`clean*` files it must stay silent on; `expected.txt`: what it reports there.\n")


@pytest.mark.parametrize("code", CODES)
def test_rule_reports_its_snapshot(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = RULES / code / "fixtures"
    assert folder.is_dir(), f"rule {code} has no fixtures: add rules/{code}/fixtures/"
    got = report(folder, code, monkeypatch)
    assert got, f"{code}: its fixtures must make it report something"
    clean = [p.name for p in folder.iterdir() if p.name.startswith("clean")]
    assert clean or code in ("PL002",), f"{code}: add a clean fixture it must stay silent on"
    assert not any(line.startswith(tuple(clean)) for line in got.splitlines() if clean)
    shown = with_excerpts(folder, got)
    expected = RULES / code / "expected.txt"
    if UPDATE:
        expected.write_text(shown)
    assert shown == expected.read_text()


@pytest.mark.parametrize("code", CODES)
def test_rule_folder_readme_is_the_rules_help(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = RULES / code / "README.md"
    text = readme(code, capsys)
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"rules/{code}/README.md is missing: POLICYLINT_UPDATE_SNAPSHOTS=1 writes it"
    assert path.read_text() == text


def test_every_rule_folder_is_a_rule() -> None:
    """A folder left behind by a removed or renamed rule is not documentation of anything."""
    folders = {p.name for p in RULES.iterdir() if p.is_dir()}
    assert folders == set(CODES)
    assert not (RULES / "__init__.py").exists()  # a folder to read, not a package to import
