"""Hostile runs: file names, closed pipes, secrets, forged output, configs, crashes, links
and silent skips. Each test here failed before its fix."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from agentcore import harness_api
from forms import FORMS, find_state, machine, mutated
from helpers import position_of, run, write
from sarif_schema import validate_sarif

from policylint.cli import main

pytestmark = pytest.mark.slow  # pipes, processes, secrets in every format: not in the quick loop

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("text", "json", "sarif", "github", "gcc", "junit")


def no_retry() -> dict[str, Any]:
    return mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry"))


def report(*args: str) -> tuple[int, str]:
    """Exit code and the report written with --output (as bytes decoded leniently)."""
    code = main(["check", *args, "--output", "out.report"])
    text = Path("out.report").read_bytes().decode("utf-8", "strict")
    os.unlink("out.report")
    return code, text


# -- file names the operating system can give ---------------------------------------------
@pytest.mark.parametrize("form", FORMATS)
def test_any_file_name_in_every_format(workdir: Path, form: str) -> None:
    name = os.fsdecode(b"bad\xff\nname\x1b[31m.asl.json")
    Path(name).write_text(json.dumps(no_retry()))
    code, text = report(".", "--format", form)
    assert code == 1
    assert "\x1b" not in text and "\udcff" not in text
    if form == "sarif":
        log = json.loads(text)
        validate_sarif(log)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in log["runs"][0]["results"]}
        assert uris == {"bad%FF%0Aname%1B%5B31m.asl.json"}  # the name's own bytes
    elif form == "json":
        assert {f["file"] for f in json.loads(text)["findings"]} == {"bad\\xff\\nname\\x1b[31m.asl.json"}
    elif form == "junit":
        ElementTree.fromstring(text)
    else:
        assert "bad\\xff\\nname\\x1b[31m.asl.json" in text
        lines = [line for line in text.splitlines() if line]
        assert lines and all(line.startswith(("bad\\xff", "::warning", "Found")) for line in lines), lines


def test_absolute_file_outside_the_current_directory_gets_a_file_uri(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "flow.asl.json"
    elsewhere.write_text(json.dumps(no_retry()))
    code, text = report(str(elsewhere), "--format", "sarif")
    log = json.loads(text)
    validate_sarif(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": elsewhere.as_uri()}


# -- a closed pipe ------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    ["rules"], ["rules", "--markdown"], ["rule", "AGT301"], ["--version"],
    ["check", ".", "--format", "gcc"], ["check", ".", "--format", "json"]])
def test_a_closed_pipe_ends_quietly(workdir: Path, command: list[str]) -> None:
    for i in range(300):
        write(workdir / f"f{i}.asl.json", json.dumps(no_retry()))
    reader = subprocess.Popen([sys.executable, "-m", "policylint", *command], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=workdir)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # as `| head -1` does
    errors = reader.stderr.read().decode()
    code = reader.wait(timeout=60)
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
    assert code == (1 if command[0] == "check" else 0)


def test_the_command_flushes_its_whole_report_before_it_ends(workdir: Path) -> None:
    """The command ends without the interpreter's teardown: what it wrote must be out first."""
    for i in range(300):
        write(workdir / f"f{i}.asl.json", json.dumps(no_retry()))
    done = subprocess.run([sys.executable, "-m", "policylint", "check", ".", "--format", "json"],
                          capture_output=True, text=True, cwd=workdir, timeout=60)
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)  # the whole report: 300 files of findings, far beyond a buffer
    assert len(done.stdout) > 65536
    assert {f["file"] for f in log["findings"]} == {f"f{i}.asl.json" for i in range(300)}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a full disk)")
@pytest.mark.parametrize("command", [["--version"], ["rules"], ["check", "."]])
def test_a_report_that_cannot_be_written_is_an_error_not_a_traceback(workdir: Path,
                                                                     command: list[str]) -> None:
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "policylint", *command], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=workdir, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "policylint: error: cannot write to standard output: No space left on device\n"


def test_a_closed_standard_output_is_an_error_unless_the_report_goes_to_a_file(workdir: Path) -> None:
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    command = [sys.executable, "-m", "policylint", "check", "."]
    closed = subprocess.run(command, stderr=subprocess.PIPE, text=True, cwd=workdir, timeout=60,
                            preexec_fn=lambda: os.close(1))  # as `policylint check . >&-`
    assert (closed.returncode, closed.stderr) == (
        2, "policylint: error: cannot write to standard output: it is closed\n")
    to_file = subprocess.run([*command, "-o", "report.txt"], stderr=subprocess.PIPE, text=True, cwd=workdir,
                             timeout=60, preexec_fn=lambda: os.close(1))
    assert (to_file.returncode, to_file.stderr) == (1, "")
    assert "AGT306" in (workdir / "report.txt").read_text()


# -- the first run --------------------------------------------------------------------------
def test_the_checkout_lints_clean(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "."]) == 0, capsys.readouterr().out


def mixed_repository(root: Path) -> None:
    write(root / "flows" / "a.asl.json", json.dumps(machine()))
    write(root / "flows" / "b.asl.yaml", "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    write(root / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}))
    write(root / "harness.json", json.dumps(harness_api()))
    write(root / "package.json", '{"name": "x"}')
    write(root / "docker-compose.yml", "services: {}\n")
    write(root / "broken.asl.json", "{")


def test_the_summary_says_what_was_linted_by_kind(workdir: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    mixed_repository(workdir)
    main(["check", "."])
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Found 1 problem (1 error, 0 warnings, 0 notes). 4 files linted: 2 state machines, 1 policy, "
        "1 harness config; 1 could not be read (PL001/PL002); 2 other JSON/YAML files skipped (not a "
        "state machine, template, policy or harness config; --show-files lists each file).")


def test_show_files_lists_each_file_and_its_kind(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mixed_repository(workdir)
    main(["check", ".", "--show-files"])
    listing = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert listing == [
        "broken.asl.json: not linted: could not be read",
        "docker-compose.yml: skipped: not a state machine, template, policy or harness config",
        "flows/a.asl.json: state machine", "flows/b.asl.yaml: state machine",
        "harness.json: harness config",
        "package.json: skipped: not a state machine, template, policy or harness config",
        "policy.json: policy"]
    main(["check", ".", "--show-files", "--format", "json", "--fail-on", "never"])
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == "broken.asl.json: not linted: could not be read"
    assert json.loads(captured.out)["files"][0] == {"file": "broken.asl.json", "kind": "unreadable"}


def test_a_folder_of_nothing_ours_says_so(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir / "cdk.json", '{"app": "npx ts-node bin/app.ts"}')
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out.startswith(
        "No problems found. 0 files linted; 1 other JSON/YAML file skipped")


# -- secrets --------------------------------------------------------------------------------
SECRETS = {
    "environment list": ("environmentVariables", ["OPENAI_API_KEY=sk-live-abcdefghijklmnopqrstuvwxyz0123"],
                         "sk-live-abcdefghijklmnopqrstuvwxyz0123"),
    "numeric password": ("environmentVariables", {"DB_PASSWORD": 84736251}, "84736251"),
    "short value": ("environmentVariables", {"PIN": "93817"}, "93817"),
}


@pytest.mark.parametrize("case", sorted(SECRETS))
def test_secrets_in_any_shape_never_leave(workdir: Path, case: str) -> None:
    field, value, secret = SECRETS[case]
    api = harness_api()
    api[field] = value
    write(workdir / "harness.json", json.dumps(api))
    for form in FORMATS:
        _, text = report(".", "--format", form, "--fail-on", "never")
        assert secret not in text and secret[-5:] not in text, (form, text)
    main(["baseline", "base.json"])
    assert secret not in (workdir / "base.json").read_text()


def mcp_harness(headers: Any, url: str = "https://mcp.example.com/mcp") -> dict[str, Any]:
    api = harness_api()
    api["tools"].append({"type": "remote_mcp", "name": "web", "config": {"remoteMcp": {
        "url": url, "headers": headers}}})
    return api


@pytest.mark.parametrize("headers", [["Authorization: Bearer abcdefghijklmnop1234"],
                                     "Authorization: Bearer abcdefghijklmnop1234",
                                     [{"name": "Authorization", "value": "Bearer abcdefghijklmnop1234"}]])
def test_mcp_headers_in_any_shape_are_found_and_masked(workdir: Path, headers: Any) -> None:
    write(workdir / "harness.json", json.dumps(mcp_harness(headers)))
    _, findings = run(".", "--fail-on", "never")
    assert "HRN405" in {f["code"] for f in findings}
    assert all("abcdefghijklmnop" not in f["message"] for f in findings)


def test_a_url_without_a_scheme_is_not_printed(workdir: Path) -> None:
    url = "mcp.example.com/mcp?api_key=zx81spectrum48k"
    write(workdir / "harness.json", json.dumps(mcp_harness({}, url)))
    _, findings = run(".", "--fail-on", "never")
    (insecure,) = [f for f in findings if f["code"] == "HRN406"]
    assert insecure["message"] == "remote MCP tool 'web' uses a URL with no scheme, not https: use TLS"
    assert all("zx81spectrum" not in f["message"] for f in findings)


def test_a_fingerprint_does_not_carry_a_secret(workdir: Path) -> None:
    prints = []
    for value in ("93817", "12345"):
        api = harness_api()
        api["environmentVariables"] = [f"PIN={value}"]
        write(workdir / "harness.json", json.dumps(api))
        _, findings = run(".", "--fail-on", "never")
        prints.append(sorted(f["fingerprint"] for f in findings))
    assert prints[0] == prints[1]


# Secret-shaped tokens, each with a tail no message has reason to print.
SK, GHP, BEARER = ("sk-live-abcdefghijklmnop1234", "ghp_ZYXWVUTSRQPONMLKJIHGFEDCBA987654",
                   "Bearer qrstuvwxyz0123456789")
TAILS = ("klmnop1234", "BA987654", "z0123456789")


def quoting_repository(root: Path) -> None:
    """Files on which rules quote parts of values: a JSONata body (ASL107), a JSONPath piece
    and an intrinsic's argument (ASL106), a substitution and a templatefile variable (AGT304),
    and a suppression's reason (SARIF justification)."""
    write(root / "jsonata.asl.json", json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": f"{{% '{BEARER}' & %}}", "End": True}}}))
    write(root / "paths.asl.json", json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Pass", "InputPath": f"$.x[{GHP} x]",
        "Parameters": {"a.$": f"States.Format('{SK}', $.x, )"}, "End": True}}}))
    harness = f"arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*{SK}"
    agent = find_state(machine(), "Agent")["Parameters"]
    agent["HarnessArn"] = "${Harness}"
    flow = machine()
    find_state(flow, "Agent")["Parameters"] = agent
    write(root / "cfn" / "template.yaml", "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
          f"    Properties:\n      DefinitionSubstitutions:\n        Harness: '{harness}'\n"
          f"      Definition: {json.dumps(flow)}\n")
    write(root / "tf" / "flow.asl.json", json.dumps(flow))
    write(root / "tf" / "main.tf", 'resource "aws_sfn_state_machine" "flow" {\n  name = "flow"\n'
          '  definition = templatefile("${path.module}/flow.asl.json", {\n'
          f'    Harness = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*{BEARER}"\n  }})\n}}\n')
    write(root / "suppressed.asl.yaml", f"# policylint: disable-file=AGT306 see {GHP}\n"
          + json.dumps(no_retry()))


def test_no_part_of_a_secret_leaves_in_any_format_or_the_baseline(workdir: Path) -> None:
    """In one process, and in several (which work out what to hide of the files they read)."""
    quoting_repository(workdir)
    _, findings = run(".", "--fail-on", "never")
    assert {"ASL106", "ASL107", "AGT304"} <= {f["code"] for f in findings}
    texts = [report(".", "--format", form, "--fail-on", "never")[1] for form in FORMATS]
    assert [report(".", "--format", f, "--fail-on", "never", "--jobs", "2")[1] for f in FORMATS] == texts
    assert '"justification"' in texts[FORMATS.index("sarif")]
    main(["baseline", "base.json"])
    texts.append((workdir / "base.json").read_text())
    for text in texts:
        assert not [tail for tail in TAILS if tail in text], text


def test_an_internal_error_does_not_print_a_secret(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import policylint.engine
    import policylint.report

    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError(f"cannot use {BEARER}")

    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    monkeypatch.setattr(policylint.engine, "load", broken)
    for form in FORMATS:
        code, text = report(".", "--format", form)
        assert code == 2 and "ValueError" in text and TAILS[2] not in text, text
    monkeypatch.setattr(policylint.report, "build_report", broken)  # a crash: a traceback
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert "ValueError: cannot use" in err and TAILS[2] not in err, err


# -- forged output --------------------------------------------------------------------------
def test_a_key_cannot_forge_a_line_or_break_xml(workdir: Path) -> None:
    forged = "aws:SourceIp\n::error file=x.py,line=1::forged\x01"
    write(workdir / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {forged: "x"}}}]}))
    for form in ("text", "gcc", "github"):
        _, text = report(".", "--format", form, "--fail-on", "never")
        assert not any(line.startswith("::error") for line in text.splitlines()), text
        assert "\\n::error file=x.py" in text.replace("%0A", "\\n")
    _, text = report(".", "--format", "junit", "--fail-on", "never")
    ElementTree.fromstring(text)


def test_long_messages_are_cut_in_the_middle(workdir: Path) -> None:
    path = "$." + "a" * 5000 + "["
    write(workdir / "flow.asl.json", json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Pass", "InputPath": path, "End": True}}}))
    _, findings = run(".")
    (bad,) = findings
    assert len(bad["message"]) <= 700 and "characters left out" in bad["message"]


# -- hostile configs ------------------------------------------------------------------------
def alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "content", "message"), [
    (".policylint.yaml", alias_bomb().encode(), "YAML aliases expand it past 100,000 values"),
    (".policylint.yaml", b"select: [\xff]\n", "not UTF-8 text (byte 10)"),
    ("pyproject.toml", b"[tool.policylint]\nselect = ['\xff']\n", "not UTF-8 text"),
    (".policylint.yaml", b"severity: {1: error}\n", "severity: 1 is not of type 'string'"),
    (".policylint.yaml", b"per-file-ignores: {2: [AGT301]}\n", "per-file-ignores: 2 is not of type"),
    (".policylint.yaml", b"environments: {3: {paths: [x]}}\n", "environments: 3 is not of type"),
    (".policylint.yaml", b"4: x\n", "unknown key '4'"),
    (".policylint.yaml", b"x" * (1024 * 1024 + 1), "over 1,048,576 bytes"),
])
def test_hostile_configs_are_a_clear_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str], name: str,
                                             content: bytes, message: str) -> None:
    (workdir / name).write_bytes(content)
    write(workdir / "flow.asl.json", json.dumps(machine()))
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


@pytest.mark.parametrize("content", [
    'severity:\n  "AGT301\\n::error file=x.py::forged": bogus\n',
    'severity:\n  "AGT301\\n::error file=x.py::forged": error\n',
    'environments:\n  "prod\\n::error file=x.py::forged": {paths: 3}\n',
    'per-file-ignores:\n  "a/**\\n::error file=x.py::forged": 3\n',
    'per-file-ignores:\n  "a/**": ["AGT301\\n::error file=x.py::forged"]\n',
    '"\\n::error file=x.py::forged": 1\n',
])
def test_a_config_key_cannot_forge_a_line(workdir: Path, capsys: pytest.CaptureFixture[str],
                                          content: str) -> None:
    (workdir / ".policylint.yaml").write_text(content)
    write(workdir / "flow.asl.json", json.dumps(machine()))
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\\n::error file=x.py::forged" in err, err


OUTSIDE_SECRETS = "AWS_SECRET_ACCESS_KEY=hunter2hunter2hunter2\nhttps://octo:gh0sttoken99@github.com\n"


@pytest.mark.parametrize("name", [".policylint.yaml", "pyproject.toml"])
def test_a_config_linked_out_of_the_folder_is_refused_unread(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    outside = tmp_path_factory.mktemp("home") / ".env"
    outside.write_text(OUTSIDE_SECRETS)
    os.symlink(outside, workdir / name)
    write(workdir / "flow.asl.json", json.dumps(machine()))
    for argv in (["check", "."], ["check", ".", "--config", name]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "a link to a file outside the linted folder" in err, err
        assert "hunter2" not in err and "gh0st" not in err and "octo" not in err


def test_a_baseline_linked_out_of_the_folder_is_refused_unread(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path_factory.mktemp("home") / "baseline.json"
    outside.write_text('{"tool": "policylint", "format": 1, "findings": []}')
    os.symlink(outside, workdir / "base.json")
    write(workdir / "flow.asl.json", json.dumps(machine()))
    assert main(["check", ".", "--baseline", "base.json"]) == 2
    assert "base.json: a link to a file outside the linted folder" in capsys.readouterr().err


def test_a_config_linked_inside_the_folder_is_read(workdir: Path) -> None:
    write(workdir / "configs" / "policylint.yaml", "ignore: [AGT306]\n")
    os.symlink(workdir / "configs" / "policylint.yaml", workdir / ".policylint.yaml")
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    assert run(".") == (0, [])


def test_a_config_error_does_not_quote_the_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / ".policylint.yaml").write_text(OUTSIDE_SECRETS.replace("=", ": [", 1))
    write(workdir / "flow.asl.json", json.dumps(machine()))
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert "invalid YAML" in err and "hunter2" not in err, err
    (workdir / ".policylint.yaml").write_text(OUTSIDE_SECRETS)
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert "the config holds a string, not a mapping of settings" in err and "hunter2" not in err, err


@pytest.mark.parametrize("option", ["config", "baseline", "discovered"])
def test_a_fifo_as_config_or_baseline_is_refused_without_waiting(workdir: Path, option: str) -> None:
    write(workdir / "flow.asl.json", json.dumps(machine()))
    name = ".policylint.yaml" if option == "discovered" else "settings.pipe"
    os.mkfifo(workdir / name)
    argv = ["check", "."] + ([] if option == "discovered" else [f"--{option}", name])
    # in a child process: before the fix, it waited forever for a writer
    done = subprocess.run([sys.executable, "-m", "policylint", *argv], cwd=workdir, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr


def test_a_pyproject_whose_tool_is_not_a_table_is_no_config(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text("tool = 5\n")
    write(workdir / "flow.asl.json", json.dumps(machine()))
    assert run(".") == (0, [])


# -- crashes that lost the whole run ------------------------------------------------------
def deep_not(depth: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"Variable": "$.x", "BooleanEquals": True}
    for _ in range(depth):
        rule = {"Not": rule}
    return {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{**rule, "Next": "B"}],
                                            "Default": "B"}, "B": {"Type": "Succeed"}}}


def deep_intrinsic(depth: int) -> dict[str, Any]:
    call = "$.a"
    for _ in range(depth):
        call = f"States.Array({call})"
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": call}, "End": True}}}


@pytest.mark.parametrize("make", [deep_not, deep_intrinsic])
def test_a_definition_too_deep_for_the_rules_is_a_note(workdir: Path, make: Any) -> None:
    write(workdir / "deep.asl.json", json.dumps(make(500)))
    code, findings = run(".")  # run() asserts there is no internal error
    (note,) = findings
    assert (note["code"], note["line"], note["column"]) == ("PL005", 1, 1)
    assert note["message"].startswith("this document nests too deeply for ASL101, ASL102")


def test_jobs_survive_a_document_too_deep_to_send_between_processes(workdir: Path) -> None:
    value: Any = 1
    for _ in range(500):
        value = [value]
    deep = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": value, "End": True}}}
    write(workdir / "deep.asl.json", json.dumps(deep))
    for i in range(6):
        write(workdir / f"f{i}.asl.json", json.dumps(no_retry()))
    code, findings = run(".", "--jobs", "2")
    assert code == 1 and sorted({f["file"] for f in findings if f["code"] == "AGT306"}) == \
        [f"f{i}.asl.json" for i in range(6)]


def test_an_account_export_with_odd_arns_is_read(workdir: Path) -> None:
    write(workdir / "account.json", json.dumps({
        "RoleDetailList": [{"RoleName": "r", "Arn": {}, "AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": []}, "AttachedManagedPolicies": [{"PolicyArn": {}}]}],
        "UserDetailList": [], "GroupDetailList": [], "Policies": [{"Arn": []}]}))
    assert [f["code"] for f in run(".")[1]] == ["IAM509"]  # the empty trust policy; no internal error


@pytest.mark.parametrize("command", [["check", ".", "--output", "missing/out.sarif"],
                                     ["baseline", "missing/base.json"]])
def test_writing_into_a_missing_folder_is_a_clear_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str],
                                                          command: list[str]) -> None:
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    argv = [command[0], command[-1], "."] if command[0] == "baseline" else command
    assert main(argv) == 2
    assert "cannot write missing/" in capsys.readouterr().err


def test_a_crash_exits_2_not_1(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    import policylint.report

    def broken(*_: Any, **__: Any) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(policylint.report, "build_report", broken)
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    assert main(["check", "."]) == 2
    assert "policylint: internal error: ValueError: boom" in capsys.readouterr().err


# -- links and files out of the linted folder --------------------------------------------------
def test_links_and_definition_uris_do_not_leave_the_linted_folder(workdir: Path, tmp_path_factory:
                                                                   pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    write(outside / "flow.asl.json", json.dumps(no_retry()))
    os.symlink(outside / "flow.asl.json", workdir / "link.asl.json")
    relative = os.path.relpath(outside / "flow.asl.json", workdir)
    template = write(workdir / "template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                     "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
                     f"      DefinitionUri: {relative}\n")
    code, findings = run(".")
    assert [(f["file"], f["code"], f["line"], f["column"]) for f in findings] == [
        ("link.asl.json", "PL005", 1, 1),
        ("template.yaml", "PL005", *position_of(template.read_text(), "DefinitionUri"))]
    assert "outside the linted folder" in findings[1]["message"]
    assert code == 0  # notes


def test_a_link_inside_the_folder_is_followed(workdir: Path) -> None:
    write(workdir / "real" / "flow.asl.json", json.dumps(no_retry()))
    os.symlink(workdir / "real" / "flow.asl.json", workdir / "link.asl.json")
    assert {f["file"] for f in run(".")[1]} == {"link.asl.json", "real/flow.asl.json"}


# -- silent skips ------------------------------------------------------------------------------
def test_a_folder_that_cannot_be_listed_is_reported(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(workdir / "locked" / "flow.asl.json", json.dumps(machine()))
    scandir, listdir = os.scandir, os.listdir

    def refuse(fn: Any) -> Any:
        def call(path: Any = ".") -> Any:
            if os.fspath(path).rstrip("/").endswith("locked"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return fn(path)
        return call

    monkeypatch.setattr(os, "scandir", refuse(scandir))
    monkeypatch.setattr(os, "listdir", refuse(listdir))
    code, findings = run(".")
    assert [(f["file"], f["code"], f["message"]) for f in findings] == [
        ("locked", "PL002", "cannot read the folder: Permission denied")]
    assert code == 1


def test_a_named_file_that_cannot_be_opened_is_reported(workdir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import policylint.load

    write(workdir / "data.json", json.dumps(machine()))

    def refuse(path: str, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(policylint.load, "open_regular", refuse)
    assert [(f["code"], f["message"]) for f in run("data.json")[1]] == [
        ("PL002", "cannot read the file: Permission denied")]


@pytest.mark.parametrize(("content", "what"), [("[]", "a list"), ('"x"', "a string"), ("null", "nothing")])
def test_a_state_machine_file_that_holds_no_object(workdir: Path, content: str, what: str) -> None:
    write(workdir / "flow.asl.json", content)
    assert [(f["code"], f["message"]) for f in run(".")[1]] == [
        ("PL001", f"a state machine is an object with StartAt and States; this file holds {what}")]


# -- smaller ----------------------------------------------------------------------------------
def test_the_report_is_never_written_over_an_input(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = write(workdir / "flow.asl.json", json.dumps(no_retry()))
    before = flow.read_bytes()
    assert main(["check", "flow.asl.json", "-o", "flow.asl.json"]) == 2
    assert "flow.asl.json is one of the files this run read" in capsys.readouterr().err
    assert flow.read_bytes() == before


@pytest.mark.parametrize("kind", ["terraform", "sam", "serverless", "config", "baseline"])
def test_the_report_is_never_written_over_a_file_the_run_read(
        workdir: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    named = {"terraform": ("terraform-templatefile", "main.tf"),
             "sam": ("sam-definition-uri", "template.yaml")}
    if kind in named:
        read = FORMS[named[kind][0]](workdir, no_retry())  # the definition file
        argv = ["check", named[kind][1]]
    elif kind == "serverless":
        read = write(workdir / "flow.asl.json", json.dumps(no_retry()))
        write(workdir / "serverless.yml", "service: s\nprovider: {name: aws}\nstepFunctions:\n"
              "  stateMachines:\n    flow:\n      definition: ${file(./flow.asl.json)}\n")
        argv = ["check", "serverless.yml"]
    else:
        read = write(workdir / ("base.json" if kind == "baseline" else ".policylint.yaml"),
                     '{"tool": "policylint", "format": 1, "findings": []}' if kind == "baseline" else "{}\n")
        write(workdir / "flow.asl.json", json.dumps(no_retry()))
        argv = ["check", "flow.asl.json", *(["--baseline", "base.json"] if kind == "baseline" else [])]
    before = read.read_bytes()
    assert main([*argv, "-o", str(read.relative_to(workdir))]) == 2
    assert "is one of the files this run read" in capsys.readouterr().err
    assert read.read_bytes() == before


def test_the_report_replaces_a_link_instead_of_writing_through_it(workdir: Path) -> None:
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    target = write(workdir / "precious.txt", "keep me")
    os.symlink(target, workdir / "out.sarif")
    main(["check", "flow.asl.json", "-o", "out.sarif", "--format", "sarif"])
    assert target.read_text() == "keep me"
    assert not (workdir / "out.sarif").is_symlink() and json.loads((workdir / "out.sarif").read_text())


def test_one_file_named_twice_is_linted_once(workdir: Path) -> None:
    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    code, findings = run("flow.asl.json", "./flow.asl.json", str(workdir / "flow.asl.json"))
    assert [f["code"] for f in findings] == ["AGT306"]


def test_an_editor_text_over_the_size_limit_is_refused() -> None:
    from policylint.limits import MAX_BYTES
    from policylint.load import load

    documents, findings = load("big.asl.json", text=" " * (MAX_BYTES + 1))
    assert documents == [] and [f.code for f in findings] == ["PL002"]


def test_a_long_jsonata_expression_is_not_parsed(workdir: Path) -> None:
    expression = "{% " + "+".join(["1"] * 6000) + " %}"
    flow = mutated("JSONata", lambda m, _: find_state(m, "Done").update(Output=expression))
    write(workdir / "flow.asl.json", json.dumps(flow))
    (note,) = run(".")[1]
    assert note["code"] == "PL005" and note["message"].startswith(
        f"this JSONata expression is {len(expression):,} characters long, over the 10,000")


def test_forms_still_lint(workdir: Path) -> None:  # the forms the other tests use are intact
    FORMS["json"](workdir, no_retry())
    assert [f["code"] for f in run(".")[1]] == ["AGT306"]


def test_a_report_to_a_device_writes_to_it_and_leaves_it_a_device(workdir: Path) -> None:
    import stat

    write(workdir / "flow.asl.json", json.dumps(no_retry()))
    assert main(["check", "flow.asl.json", "-o", os.devnull]) == 1
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = workdir / "report.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main(["check", "flow.asl.json", "-o", str(fifo), "--format", "gcc"]) == 1
    assert b"AGT306" in reader.communicate(timeout=30)[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
