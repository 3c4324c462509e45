"""One agent workflow, written in every form policylint reads.

``machine(lang)`` is a clean workflow: an InvokeHarness task with timeouts, Retry, Catch
and MaxIterations, in JSONPath or JSONata. ``FORMS`` write a (possibly mutated) machine to
disk the way users do and return the file findings must point into.
"""
from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HARNESS = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support"
JSONPATH, JSONATA = "JSONPath", "JSONata"


def machine(lang: str = JSONPATH) -> dict[str, Any]:
    if lang == JSONPATH:
        request: dict[str, Any] = {
            "HarnessArn": HARNESS,
            "RuntimeSessionId.$": "$$.Execution.Name",
            "Messages": [{"Role": "user", "Content": [{"Text.$": "$.prompt"}]}],
            "MaxIterations": 20,
            "TimeoutSeconds": 600,
        }
        done = {"Type": "Pass", "Parameters": {"answer.$": "$.Output.Message.Content[0].Text"},
                "End": True}
    else:
        request = {
            "HarnessArn": HARNESS,
            "RuntimeSessionId": "{% $states.context.Execution.Name %}",
            "Messages": [{"Role": "user", "Content": [{"Text": "{% $states.input.prompt %}"}]}],
            "MaxIterations": 20,
            "TimeoutSeconds": 600,
        }
        done = {"Type": "Pass", "Output": {"answer": "{% $states.input.Output.Message.Content[0].Text %}"},
                "End": True}
    agent = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
        ("Parameters" if lang == JSONPATH else "Arguments"): request,
        "TimeoutSeconds": 660,
        "Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"], "IntervalSeconds": 2,
                   "MaxAttempts": 3, "BackoffRate": 2}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        "Next": "Done",
    }
    result: dict[str, Any] = {"Comment": "Support agent", "StartAt": "Agent",
                              "States": {"Agent": agent, "Done": done, "Failed": {"Type": "Fail"}}}
    if lang == JSONATA:
        result = {"QueryLanguage": JSONATA, **result}
    return result


def request(m: dict[str, Any]) -> dict[str, Any]:
    """The InvokeHarness request (Parameters or Arguments) of the Agent state, wherever it is."""
    agent = find_state(m, "Agent")
    return agent.get("Parameters") or agent["Arguments"]


def find_state(m: dict[str, Any], name: str) -> dict[str, Any]:
    for state_name, body in m["States"].items():
        if state_name == name:
            return body
        for inner in [body.get("ItemProcessor"), *body.get("Branches", [])]:
            if inner:
                try:
                    return find_state(inner, name)
                except KeyError:
                    pass
    raise KeyError(name)


def _json(m: dict[str, Any]) -> str:
    return json.dumps(m, indent=2)


def _yaml(m: dict[str, Any]) -> str:
    return yaml.safe_dump(m, sort_keys=False, width=1000)


def standalone_json(root: Path, m: dict[str, Any]) -> Path:
    path = root / "flow.asl.json"
    path.write_text(_json(m))
    return path


def standalone_yaml(root: Path, m: dict[str, Any]) -> Path:
    path = root / "flow.asl.yaml"
    path.write_text(_yaml(m))
    return path


# The workflow role: trusted by Step Functions (this account only), allowed to invoke the
# one harness and nothing else.
INVOKE = {"Effect": "Allow", "Action": ["bedrock-agentcore:InvokeHarness",
                                        "bedrock-agentcore:InvokeAgentRuntime"], "Resource": HARNESS}
ROLE = {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]},
    "Policies": [{"PolicyName": "invoke-agent", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [INVOKE]}}]}}


def _template(resources: str) -> str:
    return ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
            + textwrap.indent(_yaml({"Role": ROLE}), "  ") + resources)


def template_sub_block(root: Path, m: dict[str, Any]) -> Path:
    path = root / "template.yaml"
    body = textwrap.indent(_json(m), " " * 8)
    path.write_text(_template(
        "  Machine:\n"
        "    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n"
        "      RoleArn: !GetAtt Role.Arn\n"
        "      DefinitionString: !Sub |\n" + body + "\n"))
    return path


def template_definition(root: Path, m: dict[str, Any]) -> Path:
    path = root / "template.yaml"
    body = textwrap.indent(_yaml(m), " " * 8)
    path.write_text(_template(
        "  Machine:\n"
        "    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n"
        "      RoleArn: !GetAtt Role.Arn\n"
        "      Definition:\n" + body))
    return path


def template_json_string(root: Path, m: dict[str, Any]) -> Path:
    path = root / "template.json"
    path.write_text(json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Role": ROLE, "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
            "DefinitionString": {"Fn::Sub": json.dumps(m)}}}}}, indent=2))
    return path


def sam_definition_uri(root: Path, m: dict[str, Any]) -> Path:
    (root / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Machine:\n"
        "    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n"
        "      DefinitionUri: statemachine/flow.asl.json\n"
        "      Policies:\n"
        "        - Version: '2012-10-17'\n"
        "          Statement:\n" + textwrap.indent(_yaml([INVOKE]), " " * 12))
    path = root / "statemachine" / "flow.asl.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(_json(m))
    return path


# Patterns for an ARN as each form writes it: literal, partition-agnostic (!Sub), a CDK
# Fn::Join around {"Ref": "AWS::Partition"}, or the Serverless region/account variables.
PARTITION = r'arn:(?:aws|\$\{AWS::Partition\}|",\s*\{\s*"Ref":\s*"AWS::Partition"\s*\},\s*"):'
REGION_ACCOUNT = (r"(?:us-east-1:111122223333|\$\{AWS::Region\}:\$\{AWS::AccountId\}"
                  r"|\$\{aws:region\}:\$\{aws:accountId\})")


def arn_pattern(arn: str) -> str:
    """A regex for ``arn`` (written as a regex, from ``arn:aws:``) in any form."""
    return PARTITION + arn.removeprefix("arn:aws:").replace("us-east-1:111122223333", REGION_ACCOUNT)


def _partition_agnostic(m: dict[str, Any]) -> dict[str, Any]:
    """``m`` with every ARN written as cfn-lint asks: ``arn:${AWS::Partition}:...``, and the
    harness in ``${AWS::Region}`` and ``${AWS::AccountId}``."""
    text = json.dumps(m).replace("arn:aws:", "arn:${AWS::Partition}:")
    return json.loads(text.replace(":us-east-1:111122223333:harness/",
                                   ":${AWS::Region}:${AWS::AccountId}:harness/"))


def template_pseudo_parameters(root: Path, m: dict[str, Any]) -> Path:
    """A ``DefinitionString: !Sub |`` block with partition-agnostic ARNs."""
    return template_sub_block(root, _partition_agnostic(m))


def cdk_out(root: Path, m: dict[str, Any], folder: str = "cdk.out") -> Path:
    """What ``cdk synth`` writes: a cloud assembly whose stack template has the definition as a
    ``Fn::Join`` of JSON text and ``{"Ref": "AWS::Partition"}`` pieces, resources named by
    their construct path, and asset folders and manifests that are not templates."""
    out = root / folder
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(m, separators=(",", ":")).split("arn:aws:")
    pieces: list[Any] = [text[0]]
    for part in text[1:]:
        pieces[-1] += "arn:"
        pieces += [{"Ref": "AWS::Partition"}, ":" + part]
    role = copy.deepcopy(ROLE)
    role["Metadata"] = {"aws:cdk:path": "SupportStack/SupportFlow/Role/Resource"}
    template = {"Resources": {
        "SupportFlowRole0A1B2C3D": role,
        "SupportFlow1E2F3A4B": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionString": {"Fn::Join": ["", pieces]},
                           "RoleArn": {"Fn::GetAtt": ["SupportFlowRole0A1B2C3D", "Arn"]}},
            "DependsOn": ["SupportFlowRole0A1B2C3D"],
            "Metadata": {"aws:cdk:path": "SupportStack/SupportFlow/Resource"}},
        "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"},
                        "Metadata": {"aws:cdk:path": "SupportStack/CDKMetadata/Default"}}},
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>",
                                            "Default": "/cdk-bootstrap/hnb659fds/version"}}}
    path = out / "SupportStack.template.json"
    path.write_text(json.dumps(template, indent=1))
    (out / "cdk.out").write_text('{"version":"36.0.0"}')
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "SupportStack": {"type": "aws:cloudformation:stack",
                         "properties": {"templateFile": "SupportStack.template.json"}}}}))
    (out / "tree.json").write_text(json.dumps({"version": "tree-0.1", "tree": {"id": "App"}}))
    asset = out / "asset.4f5e6d7c8b9a"
    asset.mkdir(exist_ok=True)
    (asset / "flow.asl.json").write_text(json.dumps({"StartAt": "X", "States": {}}))  # bundled code
    return path


def serverless(root: Path, m: dict[str, Any]) -> Path:
    """A ``serverless.yml`` with the serverless-step-functions plugin: the definition as YAML
    under stepFunctions.stateMachines, the harness named with ${aws:region}/${aws:accountId}."""
    text = json.dumps(m).replace(":us-east-1:111122223333:harness/",
                                 ":${aws:region}:${aws:accountId}:harness/")
    definition = textwrap.indent(_yaml(json.loads(text)), " " * 8)
    path = root / "serverless.yml"
    path.write_text(
        "service: support\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  stage: ${opt:stage, 'dev'}\nplugins:\n  - serverless-step-functions\n"
        "stepFunctions:\n  stateMachines:\n    supportFlow:\n      name: support-${sls:stage}\n"
        "      role: !GetAtt Role.Arn\n      definition:\n" + definition
        + "resources:\n  Resources:\n" + textwrap.indent(_yaml({"Role": ROLE}), "    "))
    return path


# Terraform: the workflow role in a file of its own (one module: references cross files).
TF_ROLE = ('resource "aws_iam_role" "workflow" {\n  name = "support-workflow"\n'
           "  assume_role_policy = jsonencode(" + json.dumps(ROLE["Properties"]["AssumeRolePolicyDocument"])
           + ")\n  inline_policy {\n    name   = \"invoke-agent\"\n    policy = jsonencode("
           + json.dumps({"Version": "2012-10-17", "Statement": [INVOKE]}) + ")\n  }\n}\n")


def _terraform(root: Path, definition: str) -> Path:
    (root / "iam.tf").write_text(TF_ROLE)
    path = root / "main.tf"
    path.write_text('resource "aws_sfn_state_machine" "support" {\n  name     = "support"\n'
                    "  role_arn = aws_iam_role.workflow.arn\n  definition = " + definition + "\n}\n")
    return path


def terraform_jsonencode(root: Path, m: dict[str, Any]) -> Path:
    """``definition = jsonencode({...})``: the object written as HCL (JSON is HCL object syntax)."""
    return _terraform(root, "jsonencode(" + _json(m) + ")")


def terraform_heredoc(root: Path, m: dict[str, Any]) -> Path:
    return _terraform(root, "<<EOT\n" + _json(m) + "\nEOT")


def terraform_templatefile(root: Path, m: dict[str, Any]) -> Path:
    _terraform(root, 'templatefile("${path.module}/flows/flow.asl.json", {})')
    path = root / "flows" / "flow.asl.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(_json(m))
    return path


def terraform_json(root: Path, m: dict[str, Any]) -> Path:
    """Terraform's JSON syntax, as CDK for Terraform writes ``cdk.tf.json``: the definition a
    JSON string, the role's policies JSON strings too."""
    role = {"name": "support-workflow",
            "assume_role_policy": json.dumps(ROLE["Properties"]["AssumeRolePolicyDocument"]),
            "inline_policy": [{"name": "invoke-agent",
                               "policy": json.dumps({"Version": "2012-10-17", "Statement": [INVOKE]})}]}
    machine_ = {"name": "support", "role_arn": "${aws_iam_role.workflow.arn}", "definition": json.dumps(m)}
    path = root / "cdk.tf.json"
    path.write_text(json.dumps({"resource": {"aws_iam_role": {"workflow": role},
                                             "aws_sfn_state_machine": {"support": machine_}}}, indent=2))
    return path


FORMS: dict[str, Callable[[Path, dict[str, Any]], Path]] = {
    "json": standalone_json,
    "yaml": standalone_yaml,
    "template-sub-block": template_sub_block,
    "template-definition": template_definition,
    "template-json-string": template_json_string,
    "sam-definition-uri": sam_definition_uri,
    "template-pseudo-parameters": template_pseudo_parameters,
    "cdk-out": cdk_out,
    "serverless": serverless,
    "terraform-jsonencode": terraform_jsonencode,
    "terraform-heredoc": terraform_heredoc,
    "terraform-templatefile": terraform_templatefile,
    "terraform-json": terraform_json,
}


STANDALONE = ("json", "yaml")


def across_forms(params: list[tuple], form_at: int) -> list:
    """``params`` for ``pytest.mark.parametrize``, those in a form other than standalone JSON or
    YAML marked slow: they check what a rule reads differently in forms (where each form writes a
    key is test_conformance's concern), and the quick loop (``-m "not slow"``) leaves them out."""
    import pytest

    def one(p: tuple) -> Any:
        value = p[0] if len(p) == 1 else p  # one argument name: the value itself
        return value if p[form_at] in STANDALONE else pytest.param(*p, marks=pytest.mark.slow)

    return [one(p) for p in params]


def mutated(lang: str, change: Callable[[dict[str, Any], str], None]) -> dict[str, Any]:
    m = copy.deepcopy(machine(lang))
    change(m, lang)
    return m
