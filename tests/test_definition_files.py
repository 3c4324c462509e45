"""A template's DefinitionUri file is read once, like every file, and linted once per template
that names it, with that template's context (substitutions, Express type, logical id): in one
process and with --jobs (where the process that reads a template reads the files it names)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import position_of, run, write

import policylint.engine
from policylint.cli import main

AGENT = {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
         "Arguments": {"HarnessArn": "${HarnessArn}"}, "TimeoutSeconds": 600,
         "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2, "BackoffRate": 2}],
         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Done"}
FLOW = {"QueryLanguage": "JSONata", "StartAt": "Agent",
        "States": {"Agent": AGENT, "Done": {"Type": "Succeed"}, "Failed": {"Type": "Fail"}}}


def template(kind: str, uri: str = "flows/agent.asl.json") -> str:
    return ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Flow:\n"
            "    Type: AWS::Serverless::StateMachine\n    Properties:\n"
            f"      Type: {kind}\n      DefinitionUri: {uri}\n"
            "      DefinitionSubstitutions:\n"
            "        HarnessArn: arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support\n")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the engine loads, in order."""
    seen: list[str] = []
    real = policylint.engine.load

    def counting(path: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(Path(path).as_posix())
        return real(path, *args, **kwargs)

    monkeypatch.setattr(policylint.engine, "load", counting)
    return seen


def test_a_definition_file_is_read_once_and_linted_with_its_template(workdir: Path, reads: list[str]) -> None:
    flow = write(workdir / "flows" / "agent.asl.json", json.dumps(FLOW, indent=2)).read_text()
    write(workdir / "template.yaml", template("EXPRESS"))
    findings = run(".")[1]
    assert sorted(reads) == ["flows/agent.asl.json", "template.yaml"]
    express = [f for f in findings if f["code"] == "AGT320"]
    assert [(f["file"], f["line"], f["column"]) for f in express] == [
        ("flows/agent.asl.json", *position_of(flow, '"TimeoutSeconds": (?P<at>600)'))]
    # ${HarnessArn} comes from DefinitionSubstitutions: no wildcard or placeholder finding
    assert not [f for f in findings if f["code"] in ("AGT304", "ASL112", "ASL111")]


def test_a_definition_file_outside_the_paths_is_read_when_its_template_names_it(
        workdir: Path, reads: list[str]) -> None:
    write(workdir / "flows" / "agent.asl.json", json.dumps(FLOW, indent=2))
    write(workdir / "template.yaml", template("EXPRESS"))
    findings = run("template.yaml")[1]
    assert sorted(reads) == ["flows/agent.asl.json", "template.yaml"]
    assert [f["file"] for f in findings if f["code"] == "AGT320"] == ["flows/agent.asl.json"]


def test_two_templates_naming_one_file_read_it_once_and_each_lints_it(
        workdir: Path, reads: list[str]) -> None:
    write(workdir / "flows" / "agent.asl.json", json.dumps(FLOW, indent=2))
    write(workdir / "express" / "template.yaml", template("EXPRESS", "../flows/agent.asl.json"))
    write(workdir / "standard" / "template.yaml", template("STANDARD", "../flows/agent.asl.json"))
    findings = run(".")[1]
    assert sorted(reads) == ["express/template.yaml", "flows/agent.asl.json", "standard/template.yaml"]
    assert len([f for f in findings if f["code"] == "AGT320"]) == 1  # only the Express stack


def test_a_named_file_that_is_not_a_state_machine_on_its_own_is_read_as_one(
        workdir: Path, reads: list[str]) -> None:
    write(workdir / "flows" / "agent.asl.json", json.dumps({"Comment": "empty"}))
    write(workdir / "template.yaml", template("STANDARD"))
    findings = run(".")[1]
    assert [f["code"] for f in findings if f["file"] == "flows/agent.asl.json"] == ["ASL101", "ASL101"]


def test_jobs_give_the_same_report_with_definition_files(workdir: Path) -> None:
    for i in range(6):
        write(workdir / f"s{i}" / "flows" / "agent.asl.json", json.dumps(FLOW, indent=2))
        write(workdir / f"s{i}" / "template.yaml", template("EXPRESS" if i % 2 else "STANDARD"))
        write(workdir / f"s{i}" / "other.asl.json", json.dumps({**FLOW, "States": {
            **FLOW["States"], "Agent": {**AGENT, "TimeoutSeconds": 1200}}}))
    serial = run(".")
    assert len([f for f in serial[1] if f["code"] == "AGT320"]) == 3
    assert serial == run(".", "--jobs", "2")


def test_jobs_read_a_file_none_of_ours_alone_as_the_template_in_another_share_names_it(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The file is a state machine only as its template names it: the share that reads the
    template reads it as one; the share that found it on the walk skipped it. The report is
    the one of a single process (the file counted once, as a state machine)."""
    write(workdir / "z" / "flows" / "agent.json", json.dumps({"Comment": "empty"}))  # skipped alone
    write(workdir / "a" / "template.yaml", template("STANDARD", "../z/flows/agent.json"))
    for i in range(40):  # the template and the file fall in different chunks
        write(workdir / f"m{i:02}" / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": []}))

    def report(*jobs: str) -> dict:
        out = tmp_path_factory.mktemp("report") / "report.json"  # not in the linted folder
        assert main(["check", ".", "--format", "json", "--output", str(out), *jobs]) == 1
        return json.loads(out.read_text())

    serial = report()
    assert [f["code"] for f in serial["findings"] if f["file"] == "z/flows/agent.json"] == ["ASL101"] * 2
    assert serial["summary"]["kinds"] == {"asl": 1, "iam": 40, "template": 1}
    assert report("--jobs", "2") == serial


@pytest.mark.parametrize("folder", ["a", "z"])  # the template before the file, and after it
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_definition_file_read_as_something_else_is_not_read_as_a_state_machine(
        workdir: Path, tmp_path_factory: pytest.TempPathFactory, folder: str, jobs: str) -> None:
    """A DefinitionUri that names a file read as another kind (an IAM policy): the link leaves
    it as it is, as the file's own reading stands, in whichever process's share it is."""
    write(workdir / "p" / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    write(workdir / folder / "template.yaml", template("STANDARD", "../p/policy.json"))
    for i in range(40):  # the template and the file fall in different chunks
        write(workdir / f"m{i:02}" / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": []}))
    out = tmp_path_factory.mktemp("report") / "report.json"
    assert main(["check", ".", "--format", "json", "--output", str(out), "--jobs", jobs]) == 1
    report = json.loads(out.read_text())
    assert [(f["code"], f["file"]) for f in report["findings"] if not f["file"].startswith("m")] == [
        ("IAM521", "p/policy.json")]  # the fillers' own findings aside
    assert report["summary"]["kinds"] == {"iam": 41, "template": 1}


def test_a_file_a_template_links_is_also_the_definition_of_a_terraform_machine(workdir: Path) -> None:
    """A SAM template (STANDARD) and a Terraform module (EXPRESS, ``templatefile`` from the root
    module) name one file: each gets its document of it, whichever is linked first."""
    flow = write(workdir / "environments" / "dev" / "definition.asl.json", json.dumps(FLOW, indent=2))
    write(workdir / "environments" / "dev" / "main.tf", 'module "flow" {\n  source = "../../modules/sfn"\n}')
    write(workdir / "modules" / "sfn" / "main.tf", 'resource "aws_sfn_state_machine" "flow" {\n'
          '  name       = "flow"\n  type       = "EXPRESS"\n'
          '  definition = templatefile("${path.root}/definition.asl.json", {})\n}\n')
    write(workdir / "sam" / "template.yaml", template("STANDARD", "../environments/dev/definition.asl.json"))
    express = [(f["file"], f["line"], f["column"]) for f in run(".")[1] if f["code"] == "AGT320"]
    at = position_of(flow.read_text(), '"TimeoutSeconds": (?P<at>600)')
    assert express == [("environments/dev/definition.asl.json", *at)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_template_makes_one_document_of_each_file_it_names(workdir: Path, jobs: int) -> None:
    """Made where its template was read, linked once: no second document of it from the link
    of every file (the report would hide the repeat; the rules would run twice)."""
    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine

    write(workdir / "mm" / "agent.asl.json", json.dumps(FLOW, indent=2))
    write(workdir / "a" / "template.yaml", template("EXPRESS", "../mm/agent.asl.json"))
    write(workdir / "z" / "template.yaml", template("STANDARD", "../mm/agent.asl.json"))
    for i in range(40):  # the templates and the file fall in three chunks
        write(workdir / f"m{i:02}" / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": []}))
    engine = Engine()
    outcome = engine.run(discover(["."], engine.suffixes), Config(), jobs=jobs)
    machines = [d for d in outcome.documents if d.source.path.endswith("agent.asl.json")]
    assert sorted(d.template.source.path for d in machines if d.template) == [  # type: ignore[misc]
        str(Path("a/template.yaml")), str(Path("z/template.yaml"))] and len(machines) == 2
