"""PL006: a key written twice is found while loading, in every form policylint reads, at the
second key, and the rest of the file is still linted (with the last value, as parsers read it)."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import position_of, run, write

TASK = '{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}'
FORMS = {
    # file name, text with a key written twice (the pattern's group "at" is the second key)
    "asl-json": ("flow.asl.json",
                 '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "Next": "A", "End": true}}}',
                 r'"Next": "B", (?P<at>"Next")'),
    "asl-yaml": ("flow.asl.yaml",
                 "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Comment: one\n    Comment: two\n"
                 "    End: true\n",
                 r"Comment: one\n    (?P<at>Comment)"),
    "template-json": ("template.json",
                      '{"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": '
                      '{"Definition": {"StartAt": "A", "StartAt": "A", "States": {"A": ' + TASK + '}}}}}}',
                      r'"StartAt": "A", (?P<at>"StartAt")'),
    "template-yaml": ("template.yaml",
                      "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                      "      RoleArn: !GetAtt Role.Arn\n      RoleArn: !GetAtt Other.Arn\n"
                      "      Definition:\n        StartAt: A\n        States:\n          A: " + TASK + "\n",
                      r"Role\.Arn\n      (?P<at>RoleArn)"),
    "definition-string": ("template.yaml",
                          "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                          "      DefinitionString: !Sub '{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": "
                          "\"Pass\", \"End\": true, \"End\": true}}}'\n",
                          r'"End": true, (?P<at>\\?"End)'),
    "policy": ("policy.json",
               '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
               '"Resource": "arn:aws:s3:::a/*", "Resource": "arn:aws:s3:::b/*"}]}',
               r'"arn:aws:s3:::a/\*", (?P<at>"Resource")'),
    "harness": ("harness.yaml",
                "harnessName: support\nexecutionRoleArn: arn:aws:iam::111122223333:role/h\n"
                "model: {bedrockModelConfig: {modelId: m}}\nmaxIterations: 5\nmaxIterations: 50\n"
                "timeoutSeconds: 300\nmaxTokens: 1000\n",
                r"maxIterations: 5\n(?P<at>maxIterations)"),
    "serverless": ("serverless.yml",
                   "service: s\nprovider: {name: aws}\nstepFunctions:\n  stateMachines:\n    flow:\n"
                   "      type: STANDARD\n      type: EXPRESS\n      definition:\n        StartAt: A\n"
                   "        States:\n          A: " + TASK + "\n",
                   r"type: STANDARD\n      (?P<at>type)"),
}


@pytest.mark.parametrize("form", FORMS)
def test_a_key_written_twice_is_pl006_at_the_second_key(workdir: Path, form: str) -> None:
    name, text, pattern = FORMS[form]
    write(workdir / name, text)
    found = [f for f in run(".")[1] if f["code"] == "PL006"]
    assert [(f["file"], f["line"], f["column"]) for f in found] == [(name, *position_of(text, pattern))]
    assert "written twice" in found[0]["message"] and "first at line" in found[0]["message"]


# What to cut from each text to leave one key: the second key and its value.
SECOND = {"asl-json": ' "Next": "A",', "asl-yaml": "    Comment: two\n", "template-json": ' "StartAt": "A",',
          "template-yaml": "      RoleArn: !GetAtt Other.Arn\n", "definition-string": ' "End": true,',
          "policy": ', "Resource": "arn:aws:s3:::b/*"', "harness": "maxIterations: 50\n",
          "serverless": "      type: EXPRESS\n"}


@pytest.mark.parametrize("form", FORMS)
def test_the_same_file_without_the_second_key_is_clean_of_pl006(workdir: Path, form: str) -> None:
    name, text, _ = FORMS[form]
    assert text.count(SECOND[form]) == 1
    write(workdir / name, text.replace(SECOND[form], ""))
    findings = run(".")[1]
    assert not [f for f in findings if f["code"] in ("PL001", "PL002", "PL006")]


def test_the_rest_of_the_file_is_still_linted(workdir: Path) -> None:
    name, text, _ = FORMS["template-yaml"]
    write(workdir / name, text)
    codes = {f["code"] for f in run(".")[1]}
    assert "PL006" in codes and "SFN201" in codes and "PL001" not in codes


def test_the_last_value_is_the_one_linted(workdir: Path) -> None:
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", '
            '"Resource": "arn:aws:iam::111122223333:role/one", "Resource": "*"}]}')
    write(workdir / "policy.json", text)
    assert {f["code"] for f in run(".")[1]} >= {"PL006", "IAM507"}


def test_a_file_not_ours_with_a_key_twice_is_left_alone(workdir: Path) -> None:
    write(workdir / "package.json", '{"name": "a", "name": "b"}')
    write(workdir / "compose.yaml", "services: {}\nservices: {}\n")
    assert run(".")[1] == []


def test_yaml_merge_keys_and_keys_of_other_types_are_not_duplicates(workdir: Path) -> None:
    text = ("base: &base {Type: Pass, End: true}\nStartAt: A\nStates:\n  A:\n    <<: *base\n"
            "    Comment: merged\n  1: {Type: Pass, End: true}\n  '1x': {Type: Pass, End: true}\n")
    write(workdir / "flow.asl.yaml", text)
    assert [f for f in run(".")[1] if f["code"] == "PL006"] == []


def test_a_string_that_holds_key_like_text_is_not_a_duplicate(workdir: Path) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "\\"Next\\": x", "End": true}}}'
    write(workdir / "flow.asl.json", text)
    assert [f for f in run(".")[1] if f["code"] == "PL006"] == []


def test_a_definition_uri_file_reports_its_own_duplicates(workdir: Path) -> None:
    flow = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": true}}}'
    write(workdir / "flows" / "a.json", flow)
    write(workdir / "template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Flow:\n"
          "    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: flows/a.json\n")
    found = [f for f in run(".")[1] if f["code"] == "PL006"]
    assert [(f["file"], f["line"], f["column"]) for f in found] == [
        ("flows/a.json", *position_of(flow, r'"End": true, (?P<at>"End")'))]
