"""`policylint baseline --update` (add new, keep old) and `--prune` (drop fixed)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from forms import FORMS, find_state, machine, mutated
from helpers import run

from policylint.cli import main

Capture = pytest.CaptureFixture[str]


def recorded(workdir: Path) -> list[tuple[str, str]]:
    data = json.loads((workdir / "baseline.json").read_text())
    return sorted((e["file"], e["code"]) for e in data["findings"])


def no_retry(m: dict, lang: str) -> None:
    find_state(m, "Agent").pop("Retry")


def test_update_adds_new_findings_and_keeps_old_ones(workdir: Path, capsys: Capture) -> None:
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    FORMS["json"](workdir / "a", mutated("JSONPath", no_retry))
    FORMS["json"](workdir / "b", machine())
    assert main(["baseline", "baseline.json", "."]) == 0
    assert recorded(workdir) == [("a/flow.asl.json", "AGT306")]
    FORMS["json"](workdir / "a", machine())  # fixed
    FORMS["json"](workdir / "b", mutated("JSONPath", no_retry))  # new
    capsys.readouterr()
    assert main(["baseline", "baseline.json", ".", "--update"]) == 0
    assert capsys.readouterr().out == "2 findings recorded in baseline.json (was 1)\n"
    assert recorded(workdir) == [("a/flow.asl.json", "AGT306"), ("b/flow.asl.json", "AGT306")]
    assert run(".", "--baseline", "baseline.json") == (0, [])
    assert main(["baseline", "baseline.json", ".", "--update"]) == 0  # nothing new: unchanged
    assert recorded(workdir) == [("a/flow.asl.json", "AGT306"), ("b/flow.asl.json", "AGT306")]


def test_prune_drops_fixed_findings_and_adds_nothing(workdir: Path, capsys: Capture) -> None:
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    FORMS["json"](workdir / "a", mutated("JSONPath", no_retry))
    FORMS["json"](workdir / "b", mutated("JSONPath", no_retry))
    main(["baseline", "baseline.json", "."])
    FORMS["json"](workdir / "a", mutated("JSONPath", lambda m, _: find_state(m, "Agent").update(
        TimeoutSeconds=1200)))  # AGT306 fixed, AGT301 new
    capsys.readouterr()
    # linting only b/ (or only other rules) prunes nothing of a/
    assert main(["baseline", "baseline.json", "b", "--prune"]) == 0
    assert main(["baseline", "baseline.json", ".", "--prune", "--select", "AGT301"]) == 0
    assert recorded(workdir) == [("a/flow.asl.json", "AGT306"), ("b/flow.asl.json", "AGT306")]
    capsys.readouterr()
    assert main(["baseline", "baseline.json", ".", "--prune"]) == 0
    assert capsys.readouterr().out == "1 finding recorded in baseline.json (was 2)\n"
    assert recorded(workdir) == [("b/flow.asl.json", "AGT306")]  # a's new AGT301 is not added
    code, findings = run(".", "--baseline", "baseline.json")
    assert code == 1 and [(f["file"], f["code"]) for f in findings] == [("a/flow.asl.json", "AGT301")]


def test_update_starts_a_missing_file_prune_needs_one(workdir: Path, capsys: Capture) -> None:
    FORMS["json"](workdir, mutated("JSONPath", no_retry))
    assert main(["baseline", "baseline.json", ".", "--update"]) == 0
    assert recorded(workdir) == [("flow.asl.json", "AGT306")]
    assert main(["baseline", "missing.json", ".", "--prune"]) == 2
    assert "missing.json: No such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["baseline", "baseline.json", "--update", "--prune"])
