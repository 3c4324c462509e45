"""What the built-in front ends claim: by a file's name, by what it holds, by the words of a
file that cannot be parsed; and the files an editor's buffer is linted with."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from forms import machine
from helpers import write

from policylint.cli import main
from policylint.engine import Engine


def kinds(*args: str) -> dict[str, str]:
    """``policylint check ARGS --show-files``: what each file was read as."""
    out = Path("report.json")
    main(["check", *args, "--show-files", "--format", "json", "--output", str(out), "--fail-on", "never"])
    report = json.loads(out.read_text())
    out.unlink()
    return {f["file"]: f["kind"] for f in report["files"]}


def test_a_json_file_with_start_at_and_states_is_a_state_machine(workdir: Path) -> None:
    write(workdir / "flow.json", json.dumps(machine()))
    no_start = machine()
    del no_start["StartAt"]
    write(workdir / "nostart.json", json.dumps(no_start))
    found = kinds(".")
    assert found["flow.json"] == "asl"
    assert found["nostart.json"] != "asl"


def test_serverless_yaml_takes_cloudformation_short_forms(workdir: Path) -> None:
    write(workdir / "Serverless.yml", """service: s
provider: {name: aws}
stepFunctions:
  stateMachines:
    flow:
      definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}
""")
    assert kinds(".") == {"Serverless.yml": "template"}


def test_a_yaml_file_naming_aws_types_without_resources_gets_no_short_forms(workdir: Path) -> None:
    # not a template: `!Ref` is a tag it does not know, so the file cannot be parsed
    write(workdir / "notes.yaml", "type: AWS::IAM::Role\nrole: !Ref Role\n")
    code, = [f["code"] for f in _findings(".")]
    assert code == "PL001"


def test_an_unparseable_file_with_a_statement_and_its_effect_is_a_policy_file(workdir: Path) -> None:
    write(workdir / "policy.json", '{"Statement": [{"Effect": "Allow", }]}')
    write(workdir / "effect-first.json", '{"Effect": "Allow", "Statement": [, ]}')
    write(workdir / "harness.json", '{"executionRoleArn": "arn:aws:iam::111122223333:role/h", }')
    assert sorted((f["file"], f["code"]) for f in _findings(".")) == [("harness.json", "PL001"),
                                                                       ("policy.json", "PL001")]


@pytest.mark.parametrize(("content", "what"), [("true", "a boolean"), ("1.5", "a number"), ("7", "a number")])
def test_a_state_machine_file_that_holds_a_scalar_says_which(workdir: Path, content: str, what: str) -> None:
    write(workdir / "flow.asl.json", content)
    assert [(f["code"], f["message"]) for f in _findings(".")] == [
        ("PL001", f"a state machine is an object with StartAt and States; this file holds {what}")]


def test_an_editor_buffer_of_terraform_is_linted_with_its_folder(workdir: Path) -> None:
    write(workdir / "infra" / "main.tf", "")
    write(workdir / "infra" / "roles.tf.json", "{}")
    write(workdir / "infra" / "notes.json", "{}")
    write(workdir / "infra" / "vars.TF", "")
    engine = Engine()
    assert engine.companions("infra/main.tf") == ["infra/roles.tf.json", "infra/vars.TF"]
    assert engine.companions("infra/notes.json") == []
    assert engine.companions("missing/main.tf") == []
    write(workdir / "top.tf", "")
    assert engine.companions("top.tf") == []  # a bare name is not its own companion
    assert engine.companions("./infra/main.tf") == ["./infra/roles.tf.json", "./infra/vars.TF"]


def _findings(*args: str) -> list[dict]:
    out = Path("report.json")
    main(["check", *args, "--format", "json", "--output", str(out), "--fail-on", "never"])
    report = json.loads(out.read_text())
    out.unlink()
    return report["findings"]


@pytest.mark.parametrize(("text", "key"), [
    ("Resources:\n", True), ("  Resources :\n", True), ('{"Resources": {}}', False),
    ('{\n  "Resources": {}}', True),
    ("x: 1\n\t'Resources'\t:", True), ("a Resources: b\n", False), ("Resources\n:", False),
    ("x\r\nResources:", True), ("x\rResources:", False), ('""Resources:', False),
    ("# Resources: in a comment\nResources", False), ("Description: Resources: x\nResources: {}\n", True),
    ("ResourcesResources:", False), ("", False), ("\nResources:", True),
])
def test_a_resources_key_is_one_that_starts_a_line(text: str, key: bool) -> None:
    from policylint.frontends.builtin import has_resources_key

    assert has_resources_key(text) is key
    assert key is (re.search(r"^[ \t]*['\"]?Resources['\"]?[ \t]*:", text, re.M) is not None)  # as a regex
