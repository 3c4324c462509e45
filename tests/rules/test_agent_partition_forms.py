"""Agent tasks written partition-agnostic, as cfn-lint asks and `cdk synth` writes: the
resource and the HarnessArn built with pseudo-parameters (`!Sub arn:${AWS::Partition}:...`,
inside a `DefinitionString: !Sub` block, or `Ref` pieces of a CDK `Fn::Join`)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import position_of, run, write

RESOURCE = "arn:${AWS::Partition}:states:::bedrockagentcore:invokeHarness"
HARNESS = "arn:${AWS::Partition}:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:harness/"


def sub_block(name: str, timeout: int) -> str:
    """A SAM/CloudFormation DefinitionString written as a !Sub block."""
    task = {"Type": "Task", "Resource": RESOURCE, "Parameters": {
        "HarnessArn": HARNESS + name, "RuntimeSessionId.$": "$$.Execution.Name"},
        "TimeoutSeconds": timeout, "End": True}
    definition = json.dumps({"StartAt": "Agent", "States": {"Agent": task}}, indent=2)
    return ("Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            "      RoleArn: arn:aws:iam::111122223333:role/wf\n      DefinitionString: !Sub |\n"
            + "".join(f"        {line}\n" for line in definition.splitlines()))


def sub_values(name: str, timeout: int) -> str:
    """A Definition whose Resource and HarnessArn are !Sub values."""
    return ("Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
            "      RoleArn: arn:aws:iam::111122223333:role/wf\n      Definition:\n        StartAt: Agent\n"
            "        States:\n          Agent:\n            Type: Task\n"
            f"            Resource: !Sub {RESOURCE}\n            Parameters:\n"
            f"              HarnessArn: !Sub {HARNESS}{name}\n"
            "              RuntimeSessionId.$: $$.Execution.Name\n"
            f"            TimeoutSeconds: {timeout}\n            End: true\n")


def cdk(name: str, timeout: int) -> str:
    """What `cdk synth` writes: a Fn::Join of text and Ref/GetAtt pieces."""
    wildcard = ["arn:", {"Ref": "AWS::Partition"}, f":bedrock-agentcore:us-east-1:1:harness/{name}"]
    harness: Any = {"Fn::GetAtt": ["Harness", "Arn"]} if name == "support" else {"Fn::Join": ["", wildcard]}
    pieces = ['{"StartAt":"Agent","States":{"Agent":{"End":true,"Type":"Task","TimeoutSeconds":'
              f'{timeout},"Resource":"arn:', {"Ref": "AWS::Partition"},
              ':states:::bedrockagentcore:invokeHarness","Parameters":{"HarnessArn":"']
    pieces += harness["Fn::Join"][1] if "Fn::Join" in harness else [harness]
    pieces += ['","RuntimeSessionId.$":"$$.Execution.Name"}}}}']
    return json.dumps({"Resources": {
        "Harness": {"Type": "AWS::BedrockAgentCore::Harness", "Properties": {"HarnessName": "support"}},
        "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": "arn:aws:iam::111122223333:role/wf",
            "DefinitionString": {"Fn::Join": ["", pieces]}}}}},
        indent=1)


FORMS = {"sub-block": ("template.yaml", sub_block), "sub-values": ("template.yaml", sub_values),
         "cdk": ("Stack.template.json", cdk)}


def lint(workdir: Path, form: str, name: str, timeout: int, codes: str,
         ) -> tuple[str, list[dict[str, Any]]]:
    file, make = FORMS[form]
    text = make(name, timeout)
    write(workdir / file, text)
    return text, run(".", "--select", codes, "--fail-on", "never")[1]


@pytest.mark.parametrize("form", FORMS)
def test_the_timeout_cap_applies(workdir: Path, form: str) -> None:
    text, found = lint(workdir, form, "support", 2700, "AGT301")
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, "2700")]
    assert lint(workdir, form, "support", 600, "AGT301")[1] == []


@pytest.mark.parametrize("form", FORMS)
def test_a_wildcard_harness_built_with_pseudo_parameters(workdir: Path, form: str) -> None:
    _, found = lint(workdir, form, "*", 600, "AGT304")
    assert [f["code"] for f in found] == ["AGT304"]
    assert "has a wildcard" in found[0]["message"]
    assert lint(workdir, form, "support", 600, "AGT304")[1] == []


@pytest.mark.parametrize("form", FORMS)
def test_a_named_harness_in_some_partition_is_no_loose_end(workdir: Path, form: str) -> None:
    assert lint(workdir, form, "support", 600, "PL005")[1] == []
