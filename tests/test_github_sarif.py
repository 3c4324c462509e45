"""SARIF that GitHub code scanning accepts and shows well: each rule of its upload, as GitHub
documents it, checked on small repositories (and in test_corpus.py on the corpus's SARIF).

Sources (GitHub Docs, read 2026-12-04):
- SARIF: "SARIF support for code scanning",
  https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
- LIMITS: "SARIF results exceed one or more limits",
  https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
- SIZE: "SARIF file is too large",
  https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/file-too-large
- RUNS: "Code scanning will stop combining runs from a single upload",
  https://github.blog/changelog/2024-05-06-code-scanning-will-stop-combining-runs-from-a-single-upload
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, machine, mutated, request
from helpers import write
from sarif_schema import validate_sarif

from policylint.cli import main
from policylint.report import sarif_format

RULES_MD = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
DOCS = "https://github.com/policylint/policylint/blob/main/docs/rules.md#"


def upload_problems(text: str) -> list[str]:
    """What GitHub's code-scanning upload would refuse, or show badly, in this SARIF text."""
    problems = []
    # SIZE: at most 10 MB, gzip-compressed, per upload.
    if len(gzip.compress(text.encode())) > 10 * 1000 * 1000:
        problems.append("over 10 MB gzip-compressed")
    log = json.loads(text)
    # SARIF: "uploaded files use the SARIF 2.1.0 version" (and the 2.1.0 schema).
    validate_sarif(log)
    if log["version"] != "2.1.0":
        problems.append("not SARIF 2.1.0")
    # RUNS: one run per tool and category in an upload (LIMITS: at most 20 runs a file).
    keys = [(r["tool"]["driver"]["name"], r.get("automationDetails", {}).get("id")) for r in log["runs"]]
    if len(keys) != len(set(keys)) or len(keys) > 20:
        problems.append(f"runs of one tool and category: {keys}")
    for run in log["runs"]:
        problems += _run_problems(run)
    return problems


def _run_problems(run: dict[str, Any]) -> list[str]:
    problems = []
    rules = run["tool"]["driver"]["rules"]
    # LIMITS: at most 25,000 results and 25,000 rules a run.
    if len(run["results"]) > 25_000 or len(rules) > 25_000:
        problems.append("over 25,000 results or rules in a run")
    for rule in rules:
        properties = rule.get("properties", {})
        # LIMITS: at most 20 tags a rule (only 10 are shown).
        if len(properties.get("tags", [])) > 10:
            problems.append(f"{rule['id']}: over 10 tags")
        # SARIF: security-severity is a string holding a score from 0.0 to 10.0.
        score = properties.get("security-severity")
        if score is not None and not (isinstance(score, str) and 0.0 <= float(score) <= 10.0):
            problems.append(f"{rule['id']}: security-severity {score!r}")
        # SARIF: help.markdown is shown in place of help.text; helpUri links the rule's docs.
        if not rule.get("help", {}).get("markdown") or not rule.get("helpUri", "").startswith("https://"):
            problems.append(f"{rule['id']}: no help.markdown or https helpUri")
        # SARIF: shortDescription and fullDescription head an alert.
        if not rule["shortDescription"]["text"] or not rule["fullDescription"]["text"]:
            problems.append(f"{rule['id']}: no description")
    base = run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri", "")
    for result in run["results"]:
        # SARIF: a result's ruleId is stable; partialFingerprints keep one alert across runs.
        if not result.get("partialFingerprints") or not result.get("ruleId"):
            problems.append("a result without ruleId or partialFingerprints")
        # LIMITS: at most 1,000 locations a result (only 100 are shown).
        if len(result["locations"]) > 100:
            problems.append(f"{result['ruleId']}: over 100 locations")
        for location in result["locations"]:
            problems += _location_problems(location["physicalLocation"], base)
    return problems


def _location_problems(physical: dict[str, Any], base: str) -> list[str]:
    """SARIF: a location's uri is a path from the repository root (relative, resolved by
    uriBaseId through originalUriBaseIds), or an absolute file URI; and startLine is set."""
    artifact, problems = physical["artifactLocation"], []
    uri = artifact["uri"]
    if "uriBaseId" in artifact:
        if artifact["uriBaseId"] != "%SRCROOT%" or not base.startswith("file:///") or not base.endswith("/"):
            problems.append(f"{uri}: uriBaseId without a file:/// base ending in /")
        if re.match(r"[a-zA-Z][\w+.-]*:", uri) or uri.startswith(("/", "../")):
            problems.append(f"{uri}: not a relative path")
    elif not uri.startswith("file:///"):
        problems.append(f"{uri}: an absolute URI that is not file:///")
    if physical["region"]["startLine"] < 1:
        problems.append(f"{uri}: no startLine")
    return problems


def sarif_text(*args: str) -> str:
    main(["check", *args, "--format", "sarif", "--output", "out.sarif"])
    return Path("out.sarif").read_text()


def test_uris_are_from_the_repository_root_wherever_it_runs(workdir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a subfolder of the repository (as `working-directory: infra` does): code
    scanning still finds the file by its path from the repository root."""
    (workdir / "infra" / "flows").mkdir(parents=True)
    FORMS["json"](workdir / "infra" / "flows", mutated("JSONPath", lambda m, _: request(m).update(
        TimeoutSeconds=1200)))
    monkeypatch.chdir(workdir / "infra")
    text = sarif_text(".")
    assert upload_problems(text) == []
    run = json.loads(text)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == workdir.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"infra/flows/flow.asl.json"}


def test_a_file_outside_the_repository_is_an_absolute_file_uri(workdir: Path, tmp_path_factory:
                                                               pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write(elsewhere / "bad.asl.json", "{")
    run = json.loads(sarif_text(str(elsewhere / "bad.asl.json")))["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (elsewhere / "bad.asl.json").resolve().as_uri()}


def test_rules_link_their_own_page_and_score_as_strings(workdir: Path) -> None:
    FORMS["json"](workdir, machine())
    text = sarif_text(".")
    assert upload_problems(text) == []
    rules = json.loads(text)["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        anchor = rule["helpUri"].removeprefix(DOCS)
        assert anchor == rule["id"].lower() and f'<a id="{anchor}"></a>' in RULES_MD
    scored = [r for r in rules if "security-severity" in r["properties"]]
    assert scored and all(r["properties"]["security-severity"] in ("8.0", "5.5", "2.0") for r in scored)


def test_results_over_the_limit_keep_the_most_severe(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LIMITS: a run over 25,000 results is rejected; the writer keeps the most severe and
    says how many it left out (the limit is made 2 here)."""
    write(workdir / "flow.asl.json", json.dumps({"StartAt": "Agent", "States": {"Agent": {
        "Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
        "Parameters": {"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/a"},
        "TimeoutSeconds": 1200, "End": True}}}, indent=1))
    full = json.loads(sarif_text("."))["runs"][0]["results"]
    ranked = sorted(full, key=lambda r: ["error", "warning", "note"].index(r["level"]))
    assert len(full) > 2 and ranked[0]["level"] != ranked[-1]["level"] and full != ranked
    monkeypatch.setattr(sarif_format, "MAX_RESULTS", 2)
    run = json.loads(sarif_text("."))["runs"][0]
    assert run["results"] == ranked[:2]
    notice = run["invocations"][0]["toolExecutionNotifications"][-1]["message"]["text"]
    assert notice.startswith(f"{len(full) - 2} results left out: GitHub code scanning accepts at most 2 ")
