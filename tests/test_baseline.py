"""The baseline: accepted findings stop failing the run; new ones still do, even after the
file's lines move or other parts of it change."""
from __future__ import annotations

import json
from pathlib import Path

from forms import FORMS, find_state, mutated
from helpers import run

from policylint.cli import main


def legacy(m: dict, lang: str) -> None:
    find_state(m, "Agent").pop("Retry")
    find_state(m, "Agent")["TimeoutSeconds"] = 3600


def test_baseline_accepts_todays_findings_and_catches_new_ones(workdir: Path,
                                                               capsys) -> None:  # type: ignore[no-untyped-def]
    file = FORMS["json"](workdir, mutated("JSONPath", legacy))
    assert main(["baseline", "baseline.json", ".", "--ignore", "PL005"]) == 0
    assert "2 findings recorded in baseline.json" in capsys.readouterr().out
    recorded = json.loads((workdir / "baseline.json").read_text())
    assert sorted(e["code"] for e in recorded["findings"]) == ["AGT301", "AGT306"]
    assert run(".", "--ignore", "PL005", "--baseline", "baseline.json") == (0, [])

    # lines move and unrelated parts change: still the same findings
    data = json.loads(file.read_text())
    data["Comment"] = "A longer comment\nthat moves every line"
    data["States"] = {"Intro": {"Type": "Pass", "Next": "Agent"}, **data["States"]}
    data["StartAt"] = "Intro"
    file.write_text(json.dumps(data, indent=4))
    assert run(".", "--ignore", "PL005", "--baseline", "baseline.json") == (0, [])

    # a new problem, and a changed offending value, are new findings
    data["States"]["Agent"]["TimeoutSeconds"] = 7200
    data["States"]["Agent"].pop("Catch")
    file.write_text(json.dumps(data, indent=4))
    code, findings = run(".", "--ignore", "PL005", "--baseline", "baseline.json")
    # (without the Catch, the Fail state is no longer reached: ASL103 is new too)
    assert code == 1 and sorted(f["code"] for f in findings) == ["AGT301", "AGT308", "ASL103"]


def test_baselined_findings_are_in_sarif_as_unchanged(workdir: Path) -> None:
    FORMS["json"](workdir, mutated("JSONPath", legacy))
    main(["baseline", "baseline.json", ".", "--select", "AGT306"])
    main(["check", ".", "--select", "AGT306", "--baseline", "baseline.json", "--format", "sarif",
          "--output", "out.sarif"])
    (result,) = json.loads((workdir / "out.sarif").read_text())["runs"][0]["results"]
    assert result["baselineState"] == "unchanged" and result["suppressions"][0]["kind"] == "external"


def test_bad_baseline_is_a_usage_error(workdir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (workdir / "baseline.json").write_text("[]")
    assert main(["check", ".", "--baseline", "baseline.json"]) == 2
    assert "not a policylint baseline" in capsys.readouterr().err
