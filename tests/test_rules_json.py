"""`policylint rules --format json` for tooling, and one stable anchor per rule in docs/rules.md."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policylint.cli import main

RULES_MD = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
BLOB = "https://github.com/policylint/policylint/blob/main/docs/rules.md#"


def rules_json(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["rules", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_rule_with_its_help_and_page(capsys: pytest.CaptureFixture[str]) -> None:
    rules = rules_json(capsys)
    agt301 = next(r for r in rules if r["code"] == "AGT301")
    assert agt301["name"] == "agent-timeout-over-limit" and agt301["severity"] == "error"
    assert agt301["family"] == "AGT" and agt301["summary"] and "What it does" in agt301["help"]
    assert agt301["helpUri"] == BLOB + "agt301"
    assert set(agt301) == {"code", "name", "severity", "family", "tags", "summary", "help", "helpUri"}
    assert len({r["code"] for r in rules}) == len(rules) > 50


def test_each_rule_has_one_anchor_named_by_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    """The anchor is the code, not the heading: renaming a rule keeps every link to it."""
    anchors = re.findall(r'<a id="([^"]+)"></a>', RULES_MD)
    assert len(anchors) == len(set(anchors))
    assert anchors == [r["helpUri"].removeprefix(BLOB) for r in rules_json(capsys)]


def test_the_text_list_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "text"]) == 0
    assert re.search(r"^AGT301  agent-timeout-over-limit +error", capsys.readouterr().out, re.M)
