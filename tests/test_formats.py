"""The CI and editor formats: GitHub annotations, gcc-style lines, JUnit XML, and SARIF as
GitHub code scanning ingests it."""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from forms import FORMS, machine, mutated
from sarif_schema import validate_sarif

from policylint.cli import main

RULES_MD = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()


def broken(workdir: Path) -> Path:
    """Two findings: AGT306 (warning) and AGT301 (error)."""
    def change(m: dict, lang: str) -> None:
        m["States"]["Agent"].pop("Retry")
        m["States"]["Agent"]["TimeoutSeconds"] = 3600
    (workdir / "bad.txt").write_text("")  # not linted
    (workdir / "unreadable.asl.json").write_bytes(b"\x00")
    return FORMS["json"](workdir, mutated("JSONPath", change))


def output(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", ".", "--ignore", "PL005", *args])
    return code, capsys.readouterr().out


def test_github_annotations(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken(workdir)
    code, out = output(capsys, "--format", "github")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3
    assert any(line.startswith("::error file=flow.asl.json,line=")
               and ",title=AGT301 agent-timeout-over-limit::" in line for line in lines)
    assert any(line.startswith("::warning file=flow.asl.json,") and "AGT306" in line
               and line.endswith("(fix: policylint check --fix --unsafe-fixes)") for line in lines)
    assert any("AGT301" in line and line.endswith("(fix: policylint check --fix)") for line in lines)
    assert any("PL002" in line and not line.endswith(")") for line in lines)
    assert all(re.fullmatch(r"::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[^:]+::.+", line)
               for line in lines)


def test_github_escapes_what_the_workflow_command_syntax_needs() -> None:
    from policylint.report.github_format import _data, _property

    assert _data("50%\nnext") == "50%25%0Anext"
    assert _property("a:b,c") == "a%3Ab%2Cc"


def test_gcc_lines(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = broken(workdir)
    code, out = output(capsys, "--format", "gcc")
    pattern = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning|note): "
                         r"(?P<code>[A-Z]+\d+) (?P<message>.+) \[(?P<name>[a-z-]+)\]"
                         r"(?: \[fix: (?P<fix>safe|unsafe)\])?$")
    matches = [pattern.match(line) for line in out.splitlines()]
    assert code == 1 and all(matches) and len(matches) == 3
    agt301 = next(m for m in matches if m and m["code"] == "AGT301")
    fixes = {m["code"]: m["fix"] for m in matches if m}
    assert fixes == {"AGT301": "safe", "AGT306": "unsafe", "PL002": None}
    text = file.read_text().splitlines()
    assert "3600" in text[int(agt301["line"]) - 1][int(agt301["col"]) - 1:]


def test_junit(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken(workdir)
    _, out = output(capsys, "--format", "junit")
    root = ElementTree.fromstring(out)
    assert root.tag == "testsuites" and root.get("failures") == "3"
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 3 and all(c.find("failure") is not None for c in cases)
    assert {s.get("name") for s in root.findall("testsuite")} == {"flow.asl.json", "unreadable.asl.json"}


def test_junit_clean_run_has_one_passing_case(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FORMS["json"](workdir, machine())
    code, out = output(capsys, "--format", "junit")
    root = ElementTree.fromstring(out)
    assert code == 0 and root.get("failures") == "0" and len(root.findall("testsuite/testcase")) == 1


def test_sarif_meets_github_code_scanning(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken(workdir)
    _, out = output(capsys, "--format", "sarif")
    log = json.loads(out)
    validate_sarif(log)
    (run,) = log["runs"]
    assert run["automationDetails"]["id"] == "policylint/"
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        anchor = rule["helpUri"].split("#")[1]
        assert f'<a id="{anchor}"></a>' in RULES_MD and rule["help"]["text"]
        assert rule["properties"]["tags"][0] == re.sub(r"\d+$", "", rule["id"])
        severity = rule["properties"].get("security-severity")
        if "security" in rule["properties"]["tags"]:
            assert 0.0 < float(severity) <= 10.0
        else:
            assert severity is None
    for result in run["results"]:
        assert result["ruleId"] and result["message"]["text"] and result["partialFingerprints"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications] == [
        "unreadable.asl.json"]


def test_a_path_is_shown_as_relpath_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the current directory a path is shown from it (without relpath's work when the
    path is plainly below it); elsewhere, as relpath shows it, or whole when that climbs out."""
    import os

    from policylint.report import display_path

    here = tmp_path / "repo"
    (here / "a").mkdir(parents=True)
    monkeypatch.chdir(here)
    cases = {f"{here}/a/t.yaml": "a/t.yaml", f"{here}/a/../b.json": "b.json", f"{here}/": ".",
             str(here): ".", f"{here}x/t.yaml": f"{here}x/t.yaml", "a/t.yaml": "a/t.yaml",
             "./a/t.yaml": "a/t.yaml", "../out.json": "../out.json", "/etc/x.json": "/etc/x.json"}
    for path, shown in cases.items():
        assert display_path(path) == shown == display_path(path, os.getcwd()), path


def test_a_path_is_shown_as_relpath_shows_it_from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """From ``/``, ``//`` (a path POSIX keeps as written) is the current directory, as relpath says."""
    from policylint.report import display_path

    monkeypatch.chdir("/")
    for path, shown in {"//": ".", "//etc/x.json": "etc/x.json", "/etc/x.json": "etc/x.json"}.items():
        assert display_path(path) == shown == display_path(path, "/"), path
