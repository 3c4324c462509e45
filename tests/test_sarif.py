"""SARIF 2.1.0 output: schema-valid, complete driver, exact regions, stable fingerprints."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, machine, mutated, request
from helpers import write
from sarif_schema import validate_sarif

from policylint.cli import main
from policylint.config import Config
from policylint.discover import discover
from policylint.engine import Engine
from policylint.hookspecs import hookimpl
from policylint.report import build_report
from policylint.report.sarif_format import render
from policylint.rule import Severity, rule


def sarif(*args: str) -> dict[str, Any]:
    main(["check", *args, "--format", "sarif", "--output", "out.sarif"])
    log = json.loads(Path("out.sarif").read_text())
    validate_sarif(log)
    return log


def test_the_validator_checks_a_log_whole_after_its_rules_were_seen(workdir: Path) -> None:
    """validate_sarif checks a list of rules once (sarif_schema.py): a log whose rules it has
    seen is still refused for anything else, and a new list for a bad rule."""
    from jsonschema import ValidationError

    FORMS["json"](workdir, mutated("JSONPath", broken_agent))
    log = sarif(".")
    validate_sarif(log)  # its rules seen
    for where in (lambda d: d["runs"][0]["results"][0],
                  lambda d: d["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]):
        bad = copy.deepcopy(log)
        where(bad)["level"] = "loud"
        with pytest.raises(ValidationError, match="'loud' is not one of"):
            validate_sarif(bad)
    bad = copy.deepcopy(log)
    bad["runs"][0]["tool"]["driver"]["name"] = 5
    with pytest.raises(ValidationError, match="5 is not of type 'string'"):
        validate_sarif(bad)


def broken_agent(m: dict[str, Any], lang: str) -> None:
    request(m).update(TimeoutSeconds=1200)


def test_sarif_is_valid_and_complete(workdir: Path) -> None:
    (workdir / "flows").mkdir()
    FORMS["json"](workdir / "flows", mutated("JSONPath", broken_agent))
    write(workdir / "bad.asl.json", "{")
    log = sarif(".")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("policylint", "https://github.com/policylint/policylint")
    ids = [r["id"] for r in driver["rules"]]
    assert "AGT301" in ids and "PL001" in ids and "SFN205" in ids
    for rule_desc in driver["rules"]:
        assert rule_desc["name"] and rule_desc["shortDescription"]["text"]
        assert rule_desc["fullDescription"]["text"] and rule_desc["help"]["text"]
        assert rule_desc["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"AGT310", "AGT311", "PL001"}
    agt310 = results["AGT310"]
    assert driver["rules"][agt310["ruleIndex"]]["id"] == "AGT310"
    location = agt310["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "flows/flow.asl.json", "uriBaseId": "%SRCROOT%"}
    text = (workdir / "flows" / "flow.asl.json").read_text().splitlines()
    region = location["region"]
    assert text[region["startLine"] - 1][region["startColumn"] - 1:].startswith("1200")
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == workdir.resolve().as_uri() + "/"


def test_fingerprints_survive_line_moves(workdir: Path) -> None:
    m = mutated("JSONPath", broken_agent)
    FORMS["json"](workdir, m)
    before = sarif(".")["runs"][0]["results"]
    moved = {"Comment": "a new comment\nthat moves every line", **m}
    moved["States"] = {"Intro": {"Type": "Pass", "Next": "Agent"}, **m["States"]}
    moved["StartAt"] = "Intro"
    FORMS["json"](workdir, moved)
    after = sarif(".")["runs"][0]["results"]
    line = lambda results: [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]  # noqa: E731
    assert line(before) != line(after)
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


class Crashing:
    """A plugin whose rule raises: the run must name it and go on."""

    @hookimpl
    def policylint_rules(self) -> list:
        @rule("ZZZ001", "always-crashes", Severity.WARNING, summary="raises", kinds=("asl",))
        def crashes(ctx: Any) -> Any:
            raise RuntimeError("boom")
            yield

        return [crashes]


def test_crashing_rule_is_contained(workdir: Path) -> None:
    FORMS["json"](workdir, mutated("JSONPath", broken_agent))
    engine = Engine(extra_plugins=[Crashing()])
    outcome = engine.run(discover(["."]), Config())
    report = build_report(outcome, engine.rules)
    assert [(e.what, e.file, e.error) for e in report.errors] == [
        ("ZZZ001", "flow.asl.json", "RuntimeError: boom")]
    assert {p.code for p in report.problems} == {"AGT310", "AGT311"}  # the other rules ran
    log = json.loads(render(report))
    validate_sarif(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notification = invocation["toolExecutionNotifications"][0]
    assert "ZZZ001" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flow.asl.json"


def test_clean_run_is_valid_sarif_too(workdir: Path) -> None:
    FORMS["yaml"](workdir, machine())
    assert sarif(".")["runs"][0]["results"] == []
