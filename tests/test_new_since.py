"""`--new-since REF`: only the findings on lines changed since a git ref, in every format."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from forms import find_state, machine
from helpers import position_of

from policylint.changes import parse_diff
from policylint.cli import main

Place = tuple[str, int, int, str]  # file, line, column, code


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def flow(**agent: Any) -> dict[str, Any]:
    m = machine()
    find_state(m, "Agent").update(agent)
    return m


def dump(path: Path, m: dict[str, Any]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text := json.dumps(m, indent=2) + "\n")
    return text


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits. The first: a.asl.json with an agent timeout over the cap (AGT301), and
    b.asl.json with an agent step without Retry (AGT306). The second: a new state in
    a.asl.json (Fetch: SFN201, ASL103), and b.asl.json renamed to c.asl.json with its agent
    timeout raised over the cap on the way (AGT301). Old findings stay where they were."""
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    old = flow(TimeoutSeconds=1200)
    dump(tmp_path / "flows" / "a.asl.json", old)
    no_retry = flow()
    del find_state(no_retry, "Agent")["Retry"]
    dump(tmp_path / "flows" / "b.asl.json", no_retry)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    old["States"]["Fetch"] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    dump(tmp_path / "flows" / "a.asl.json", old)
    git(tmp_path, "mv", "flows/b.asl.json", "flows/c.asl.json")
    find_state(no_retry, "Agent")["TimeoutSeconds"] = 1200
    dump(tmp_path / "flows" / "c.asl.json", no_retry)
    git(tmp_path, "commit", "-q", "-am", "second")
    return tmp_path


def places(fmt: str, *args: str) -> tuple[int, set[Place]]:
    code = main(["check", ".", "--format", fmt, "--output", "out", *args])
    return code, PARSE[fmt](Path("out").read_text())


def _json(text: str) -> set[Place]:
    return {(f["file"], f["line"], f["column"], f["code"]) for f in json.loads(text)["findings"]}


def _sarif(text: str) -> set[Place]:
    return {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["ruleId"])
            for r in json.loads(text)["runs"][0]["results"]}


def _lines(pattern: str) -> Any:
    return lambda text: {(m["file"], int(m["line"]), int(m["col"]), m["code"])
                         for m in re.finditer(pattern, text, re.M)}


def _junit(text: str) -> set[Place]:
    found = set()
    for case in ElementTree.fromstring(text).iter("testcase"):
        match = re.fullmatch(r"(\w+) \S+ at (\d+):(\d+)", case.get("name", ""))
        if match:
            found.add((case.get("classname", ""), int(match[2]), int(match[3]), match[1]))
    return found


PARSE = {
    "json": _json, "sarif": _sarif, "junit": _junit,
    "text": _lines(r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+) (?P<code>[A-Z]+\d+) "),
    "gcc": _lines(r"^(?P<file>\S+):(?P<line>\d+):(?P<col>\d+): \w+: (?P<code>[A-Z]+\d+) "),
    "github": _lines(r"^::\w+ file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                     r"title=(?P<code>[A-Z]+\d+) "),
}


def test_only_findings_on_changed_lines_in_every_format(repo: Path) -> None:
    _, everything = places("json")
    a, c = (repo / "flows" / "a.asl.json").read_text(), (repo / "flows" / "c.asl.json").read_text()
    fetch_line = position_of(a, r'"Fetch"')[0]
    timeout_line = position_of(c, r'"TimeoutSeconds": 1200')[0]
    new = {p for p in everything if (p[0], p[1]) in {("flows/a.asl.json", fetch_line),
                                                      ("flows/c.asl.json", timeout_line)}}
    assert {(p[0], p[3]) for p in new} == {("flows/a.asl.json", "SFN201"), ("flows/a.asl.json", "ASL103"),
                                          ("flows/c.asl.json", "AGT301")}
    old = {(p[0], p[3]) for p in everything - new}
    assert {("flows/a.asl.json", "AGT301"), ("flows/c.asl.json", "AGT306")} <= old
    for fmt in PARSE:
        assert places(fmt, "--new-since", "HEAD~1") == (1, new), fmt
    assert places("json", "--new-since", "HEAD") == (0, set())


def test_a_file_git_does_not_track_is_new_throughout(repo: Path) -> None:
    dump(repo / "flows" / "d.asl.json", flow(TimeoutSeconds=1200))
    _, found = places("json", "--new-since", "HEAD")
    assert {(p[0], p[3]) for p in found} == {("flows/d.asl.json", "AGT301")}


def test_an_uncommitted_edit_counts(repo: Path) -> None:
    a = repo / "flows" / "a.asl.json"
    a.write_text(a.read_text().replace('"TimeoutSeconds": 1200', '"TimeoutSeconds": 1300'))
    _, found = places("json", "--new-since", "HEAD")
    assert found == {("flows/a.asl.json", position_of(a.read_text(), '"TimeoutSeconds": (?P<at>1300)')[0],
                      position_of(a.read_text(), '"TimeoutSeconds": (?P<at>1300)')[1], "AGT301")}


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~5", "--output=x", "HEAD:flows"])
def test_a_bad_ref_is_a_usage_error(repo: Path, ref: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", f"--new-since={ref}"]) == 2
    err = capsys.readouterr().err
    assert "--new-since" in err and repr(ref) in err and "Traceback" not in err


def test_outside_a_repository_or_without_git(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    os.rmdir(workdir / ".git")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(workdir.parent))
    assert main(["check", ".", "--new-since", "HEAD"]) == 2
    assert "--new-since: git rev-parse failed: fatal: not a git repository" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(workdir))
    assert main(["check", ".", "--new-since", "HEAD"]) == 2
    assert "--new-since needs git, which did not run" in capsys.readouterr().err


def test_diff_headers_with_quoted_names_renames_and_deletions() -> None:
    diff = (b'diff --git "a/x\\ty.json" "b/x\\tz.json"\nrename from x\ty.json\nrename to x\tz.json\n'
            b'--- "a/x\\ty.json"\n+++ "b/x\\tz.json"\n@@ -3 +3 @@\n-a\n+b\n@@ -9,2 +10,0 @@\n-c\n-d\n'
            b"--- a/gone.json\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"
            b"--- a/sp ace.json\t\n+++ b/sp ace.json\t\n@@ -1,0 +2,3 @@\n+p\n+q\n+r\n")
    assert parse_diff(diff, "/r") == {"/r/x\tz.json": {3}, "/r/sp ace.json": {2, 3, 4}}
