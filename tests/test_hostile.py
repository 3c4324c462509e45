"""Hostile and broken input: every file gets a clear PL001/PL002 (or nothing, when it is not
ours), never a traceback; the other files are still linted; SARIF stays schema-valid; input
files are never written; no network, no code from input is run."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, machine, mutated
from helpers import run, write
from sarif_schema import validate_sarif

from policylint.cli import main
from policylint.config import Config
from policylint.engine import Engine

pytestmark = pytest.mark.slow  # random names and contents in every format: not in the quick loop

DEEP = 10_000


def hostile(root: Path) -> dict[str, tuple[str | None, str]]:
    """Write the hostile files; return file -> (expected code or None, a piece of the message)."""
    cases: dict[str, tuple[bytes, str | None, str]] = {
        "empty.asl.json": (b"", "PL001", "invalid JSON"),
        "empty.yaml": (b"", None, ""),
        "invalid.asl.json": (b'{"StartAt": "A", "States": {', "PL001", "invalid JSON"),
        "invalid.asl.yaml": (b"StartAt: A\nStates: [\n", "PL001", "invalid YAML"),
        "latin1.asl.json": ('{"StartAt": "Ä"}'.encode("latin-1"), "PL002", "not UTF-8"),
        "binary.asl.json": (b"\x00\x01\x02StartAt", "PL002", "binary file"),
        "bom.asl.json": (b"\xef\xbb\xbf" + json.dumps(machine()).encode(), None, ""),
        "huge.asl.json": (b'{"StartAt": "A", "Comment": "' + b"x" * (10 * 1024 * 1024) + b'"}',
                          "PL002", "over the 5,242,880 byte limit"),
        "deep.asl.json": (b'{"StartAt": "A", "States": ' + b"[" * DEEP + b"]" * DEEP + b"}",
                          "PL002", "nests too deeply"),
        "deep.asl.yaml": (b"StartAt: A\nStates: " + b"[" * DEEP + b"]" * DEEP + b"\n",
                          "PL002", "nests too deeply"),
        "python-tag.asl.yaml": (b"StartAt: !!python/object/apply:os.system ['touch pwned']\nStates: {}\n",
                                "PL001", "invalid YAML"),
        "unknown-tag.asl.yaml": (b"StartAt: !Custom A\nStates: {A: {Type: Pass, End: true}}\n",
                                 "PL001", "invalid YAML"),
        "dupe.template.yaml": (b"Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n"
                               b"    Type: AWS::StepFunctions::StateMachine\n", "PL006", "written twice"),
    }
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    bomb = "\n".join(lines) + "\nStartAt: A\nStates: {A: {Type: Pass, End: true}}\n"
    cases["bomb.asl.yaml"] = (bomb.encode(), "PL002", "alias bomb")
    for name, (content, _, _) in cases.items():
        (root / name).write_bytes(content)
    os.symlink("loop.asl.json", root / "loop.asl.json")
    os.mkfifo(root / "fifo.asl.json")
    expected = {name: (code, message) for name, (_, code, message) in cases.items()}
    expected["loop.asl.json"] = ("PL002", "cannot read the file")
    expected["fifo.asl.json"] = ("PL002", "not a regular file")
    return expected


def test_hostile_files_get_clear_findings_and_the_good_file_is_linted(workdir: Path) -> None:
    expected = hostile(workdir)
    good = FORMS["json"](workdir, mutated("JSONPath", lambda m, _: m["States"]["Agent"].pop("Retry")))
    before = {p: p.read_bytes() for p in workdir.iterdir() if p.is_file() and not p.is_symlink()
              and p.name != "fifo.asl.json"}
    code, findings = run(".")
    assert code == 1
    by_file: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_file.setdefault(finding["file"], []).append(finding)
    for name, (wanted, message) in expected.items():
        got = by_file.get(name, [])
        if wanted is None:
            assert got == [], (name, got)
        else:
            assert [f["code"] for f in got] == [wanted], (name, got)
            assert message in got[0]["message"] and got[0]["line"] >= 1, (name, got)
    assert "AGT306" in {f["code"] for f in by_file[good.name]}
    assert not (workdir / "pwned").exists()  # no code from input ran
    assert {p: p.read_bytes() for p in before} == before  # input files are never written


def test_sarif_stays_valid_on_hostile_input(workdir: Path) -> None:
    hostile(workdir)
    main(["check", ".", "--format", "sarif", "--output", "out.sarif"])
    log = json.loads((workdir / "out.sarif").read_text())
    validate_sarif(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_file_deleted_during_the_run(workdir: Path) -> None:
    file = FORMS["json"](workdir, machine())
    gone = workdir / "gone.asl.json"
    outcome = Engine().run([str(gone), str(file)], Config())
    assert [(f.code, "cannot read the file" in f.message) for f in outcome.findings
            if f.source.path == str(gone)] == [("PL002", True)]
    assert outcome.errors == []


@pytest.mark.parametrize("name", ["package.json", "docker-compose.yml", "tsconfig.json"])
def test_hostile_look_alikes_stay_silent(workdir: Path, name: str) -> None:
    write(workdir / name, "\x00garbage" if name.endswith("json") else "a: [")
    assert run(".") == (0, [])


def test_secrets_are_masked_in_every_format(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agentcore import harness_api

    secret = "sk-live-abcdefghijklmnopqrstuvwxyz0123"
    api = harness_api()
    api["environmentVariables"] = {"OPENAI_API_KEY": secret}
    write(workdir / "harness.json", json.dumps(api))
    for form in ("text", "json", "sarif"):
        main(["check", ".", "--format", form])
        out = capsys.readouterr().out
        assert "HRN405" in out and secret not in out and secret[:10] not in out, form


def test_jsonata_import_keeps_the_recursion_limit() -> None:
    import sys

    from policylint.expressions import jsonata_problem

    limit = sys.getrecursionlimit()
    assert jsonata_problem("{% 1 + 1 %}") is None
    assert sys.getrecursionlimit() == limit


def test_random_file_names_and_contents_in_every_format(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Any bytes as a file name and as its content: every format renders, SARIF stays valid,
    and nothing is an internal error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    names = st.binary(min_size=1, max_size=40).filter(
        lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")).map(lambda b: b + b".asl.json")
    contents = st.one_of(st.binary(max_size=200), st.just(json.dumps(machine()).encode()))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=names, content=contents)
    def check(name: bytes, content: bytes) -> None:
        folder = tmp_path_factory.mktemp("random")
        os.chdir(folder)
        try:
            (folder / os.fsdecode(name)).write_bytes(content)
        except OSError:  # a name too long for this file system
            return
        for form in ("text", "json", "sarif", "github", "gcc", "junit"):
            assert main(["check", ".", "--format", form, "--output", str(folder / "out")]) in (0, 1)
            text = (folder / "out").read_text(encoding="utf-8")
            if form == "sarif":
                log = json.loads(text)
                validate_sarif(log)
                assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
            if form == "json":
                assert json.loads(text)["errors"] == []

    here = os.getcwd()
    try:
        check()
    finally:
        os.chdir(here)
