"""Loading: what is linted, what is skipped, PL001/PL002/PL005 at their positions."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from forms import FORMS, machine, request
from helpers import codes, position_of, run, write

NOISE = {
    "package.json": '{"name": "app", "version": "1.0.0", "scripts": {"build": "tsc"}}',
    "tsconfig.json": '{"compilerOptions": {"strict": true}, // comments are fine here\n}',
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n",
    ".gitlab-ci.yml": "include:\n  - !reference [.setup, script]\n",
    "k8s.yaml": "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n",
    "broken.json": "{not json at all",
    "data.yaml": "key: [unclosed",
}


def test_other_json_and_yaml_is_skipped_without_a_word(workdir: Path) -> None:
    for name, text in NOISE.items():
        write(workdir / name, text)
    assert run(".") == (0, [])


def test_broken_state_machine_gives_pl001_at_the_error(workdir: Path) -> None:
    write(workdir / "a.asl.json", '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass",}\n  }\n}')
    write(workdir / "b.json", '{"StartAt": "A", "States": {"A": {"Type": "Pass"}}')
    write(workdir / "c.asl.yaml", "StartAt: A\nStates:\n  A: {Type: Pass\n")
    FORMS["json"](workdir, machine())  # a good file beside them is still linted
    code, findings = run(".")
    assert code == 1
    assert [(f["code"], f["file"], f["line"], f["column"]) for f in findings] == [
        ("PL001", "a.asl.json", 4, 26), ("PL001", "b.json", 1, 51), ("PL001", "c.asl.yaml", 4, 1)]
    assert findings[0]["message"] == "invalid JSON: Expecting property name enclosed in double quotes"


@pytest.mark.parametrize("content, message", [
    (b'{"StartAt": "\xff"}', "not UTF-8 text (byte 0xff); save the file as UTF-8"),
    (b'{"StartAt"\x00}', "binary file (it holds NUL bytes); it was not linted"),
])
def test_unreadable_file_gives_pl002(workdir: Path, content: bytes, message: str) -> None:
    (workdir / "x.asl.json").write_bytes(content)
    _, findings = run(".")
    assert [(f["code"], f["message"]) for f in findings] == [("PL002", message)]


def test_alias_bomb_is_refused(workdir: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = "\n".join(lines) + "\nStartAt: A\nStates: {A: {Type: Pass, End: true}}\n"
    write(workdir / "bomb.asl.yaml", text)
    _, findings = run(".")
    assert codes(findings) == ["PL002"] and "alias bomb" in findings[0]["message"]


def test_bom_and_deep_nesting(workdir: Path) -> None:
    (workdir / "bom.asl.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(machine()).encode())
    write(workdir / "deep.asl.json", '{"StartAt": "A", "States": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _, findings = run(".")
    assert [(f["code"], f["file"]) for f in findings] == [("PL002", "deep.asl.json")]


def test_definition_string_error_points_into_the_template(workdir: Path) -> None:
    text = ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            "      DefinitionString: !Sub |\n        {\n          \"StartAt\": \"A\",\n"
            "          \"States\": {\"A\": {\"Type\": \"Pass\" \"End\": true}}\n        }\n")
    write(workdir / "template.yaml", text)
    _, findings = run(".")
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("PL001", *position_of(text, r'"Pass" (?P<at>"End")'))]


def test_join_and_bare_placeholders(workdir: Path) -> None:
    """A CDK-style Fn::Join definition; a ${Limit} placeholder outside quotes still parses."""
    pieces = ['{"StartAt": "Agent", "States": {"Agent": {"Type": "Task", "Resource": "',
              {"Fn::Sub": "arn:${AWS::Partition}:states:::bedrockagentcore:invokeHarness"},
              '", "TimeoutSeconds": ${Limit}, "Parameters": {"HarnessArn": "',
              {"Ref": "HarnessArn"}, '", "RuntimeSessionId.$": "$$.Execution.Name"}, "End": true}}}']
    text = json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": {"Fn::Join": ["", pieces]}}}}}, indent=2)
    # An agent task in any partition, written with ${AWS::Partition} or literally.
    for resource in (pieces[1], "arn:aws:states:::bedrockagentcore:invokeHarness"):
        pieces[1] = resource
        write(workdir / "cdk.template.json", text := json.dumps({"Resources": {"M": {
            "Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionString": {"Fn::Join": ["", pieces]}}}}}, indent=2))
        _, findings = run(".", "--select", "AGT306,AGT309")
        assert [(f["code"], f["line"], f["column"]) for f in findings] == [
            ("AGT306", *position_of(text, r'(?P<at>\\"Agent\\": )')),
            ("AGT309", *position_of(text, r'(?P<at>\\"Parameters\\")'))]


def test_join_of_nothing_is_an_empty_definition(workdir: Path) -> None:
    text = ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            "      DefinitionString: !Join ['', []]\n")
    write(workdir / "template.yaml", text)
    _, findings = run(".")
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("PL001", *position_of(text, r"DefinitionString: (?P<at>!Join)"))]


def test_definition_uri_file_is_linted_once_with_substitutions(workdir: Path) -> None:
    m = machine()
    request(m)["RuntimeSessionId"] = "${Session}"
    del request(m)["RuntimeSessionId.$"]
    file = FORMS["sam-definition-uri"](workdir, m)
    template = workdir / "template.yaml"
    template.write_text(template.read_text() + "      DefinitionSubstitutions:\n        Session: short\n")
    _, findings = run(".")
    assert [(f["code"], f["file"]) for f in findings] == [
        ("AGT312", "statemachine/flow.asl.json"), ("AGT317", "statemachine/flow.asl.json")]
    assert findings[1]["message"].startswith("RuntimeSessionId is 5 characters")
    assert file.read_text() == json.dumps(m, indent=2)  # input files are never modified


def test_unfollowable_definitions_give_pl005(workdir: Path) -> None:
    text = ("Transform: AWS::Serverless-2016-10-31\nResources:\n"
            "  A:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
            "      DefinitionUri: s3://bucket/a.asl.json\n"
            "  B:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
            "      DefinitionUri: missing.asl.json\n"
            "  C:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            "      DefinitionString: !Ref DefinitionParameter\n")
    write(workdir / "template.yaml", text)
    code, findings = run(".")
    assert [(f["code"], f["severity"], f["line"]) for f in findings] == [
        ("PL005", "note", 6), ("PL005", "note", 10), ("PL005", "note", 14)]
    assert code == 0  # notes do not fail the default gate


def test_gitignored_and_vendored_paths_are_skipped(workdir: Path) -> None:
    (workdir / ".git").rmdir()
    subprocess.run(["git", "init", "-q", str(workdir)], check=True)
    write(workdir / ".gitignore", "build/\n")
    bad = '{"StartAt": "A", "States": {'
    for folder in ("build", "node_modules/pkg", ".venv/lib", ".aws-sam/build"):
        write(workdir / folder / "x.asl.json", bad)
    write(workdir / "src" / "x.asl.json", bad)
    _, findings = run(".")
    assert [f["file"] for f in findings] == ["src/x.asl.json"]


def test_gitignore_is_honoured_below_the_top_and_in_a_linked_work_tree(workdir: Path) -> None:
    (workdir / ".git").rmdir()
    subprocess.run(["git", "init", "-q", "repo"], check=True)
    write(workdir / "repo" / ".gitignore", "build/\n")
    bad = '{"StartAt": "A", "States": {'
    for folder in ("repo/sub/build", "repo/sub/src", "linked/build", "linked/src"):
        write(workdir / folder / "x.asl.json", bad)
    write(workdir / "linked" / ".gitignore", "build/\n")
    (workdir / "linked" / ".git").write_text("gitdir: ../repo/.git\n")  # as `git worktree add` writes
    _, findings = run("repo/sub", "linked")
    assert [f["file"] for f in findings] == ["linked/src/x.asl.json", "repo/sub/src/x.asl.json"]


def test_git_is_not_started_outside_a_work_tree(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"git started: {args}")

    monkeypatch.setattr(subprocess, "run", no_git)  # the workdir's empty .git is no repository
    write(workdir / "build" / "x.asl.json", '{"StartAt": "A", "States": {')
    write(workdir / ".gitignore", "build/\n")
    _, findings = run(".")
    assert [f["file"] for f in findings] == ["build/x.asl.json"]


def test_virtualenv_skipped_outside_git(workdir: Path) -> None:
    write(workdir / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    write(workdir / "env" / "x.asl.json", '{"StartAt": "A", "States": {')
    assert run(".") == (0, [])


def test_symlink_loop_is_unreadable_not_fatal(workdir: Path) -> None:
    os.symlink("loop.asl.json", workdir / "loop.asl.json")
    FORMS["json"](workdir, machine())
    _, findings = run(".")
    assert [(f["code"], f["file"]) for f in findings] == [("PL002", "loop.asl.json")]
    assert "symbolic links" in findings[0]["message"]


def test_yaml_dates_stay_strings(workdir: Path) -> None:
    text = ("StartAt: 2024-01-01\nStates:\n  2024-01-01:\n    Type: Task\n"
            "    Resource: arn:aws:states:::bedrockagentcore:invokeHarness\n    End: true\n")
    write(workdir / "dated.asl.yaml", text)
    _, findings = run(".", "--select", "AGT302")
    assert [(f["message"][:25], f["line"], f["column"]) for f in findings] == [
        ("agent task '2024-01-01' h", 3, 3)]
