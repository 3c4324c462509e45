"""A clean agent project, in the shapes users write: a harness config (API JSON/YAML, or
the CloudFormation resource), its execution role, the workflow role and a state machine.

``whole_template(...)`` writes everything into one CloudFormation template;
``separate_files(...)`` spreads it over a SAM template, an ASL file, a GetHarness response
and an IAM account export in one directory. Both take mutators, so a test changes one thing.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from forms import machine, request

ACCOUNT = "111122223333"
HARNESS_ARN = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:harness/support-AbCdEf1234"
MEMORY_ARN = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:memory/support-AbCdEf1234"
GATEWAY_ARN = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:gateway/support-gw-abcdefghij"
HARNESS_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/support-harness"
WORKFLOW_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/support-workflow"
_MAPS = {"environmentVariables", "headers", "tags"}  # their keys are the user's, not the API's

Mutator = Callable[[dict[str, Any]], None]


def harness_api() -> dict[str, Any]:
    """A clean CreateHarness request."""
    return {
        "harnessName": "support",
        "executionRoleArn": HARNESS_ROLE_ARN,
        "model": {"bedrockModelConfig": {"modelId": "anthropic.claude-sonnet-4-v1:0"}},
        "systemPrompt": [{"text": "You answer support questions."}],
        "tools": [{"type": "agentcore_gateway", "name": "orders",
                   "config": {"agentCoreGateway": {"gatewayArn": GATEWAY_ARN}}}],
        "allowedTools": ["orders"],
        "memory": {"agentCoreMemoryConfiguration": {"arn": MEMORY_ARN}},
        "hooks": [{"beforeToolCall": {"name": "approve", "target": {"lambda": {
            "arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:approve-tool", "failureMode": "deny"}}}}],
        "maxIterations": 20,
        "maxTokens": 4096,
        "timeoutSeconds": 600,
    }


def pascal(value: Any, inside_map: bool = False) -> Any:
    """The CloudFormation spelling of an API-shaped value (keys PascalCase)."""
    if isinstance(value, dict):
        return {(k if inside_map else k[0].upper() + k[1:]): pascal(v, k in _MAPS and not inside_map)
                for k, v in value.items()}
    if isinstance(value, list):
        return [pascal(v) for v in value]
    return value


def trust(service: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}


def statement(actions: list[str], resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def workflow_policy(harness: Any = HARNESS_ARN) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement(
        ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"], harness)]}


def harness_policy(gateway: Any = GATEWAY_ARN, memory: Any = MEMORY_ARN) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        statement(["bedrock-agentcore:InvokeGateway"], gateway),
        statement(["bedrock-agentcore:CreateEvent", "bedrock-agentcore:ListEvents"], memory)]}


def agent_machine() -> dict[str, Any]:
    m = machine()
    del request(m)["MaxIterations"]  # the harness bounds the loop
    del request(m)["TimeoutSeconds"]  # and sets the timeout
    return m


def whole_template(path: Path, *mutators: Mutator) -> Path:
    """One CloudFormation template: workflow role, harness role, harness, state machine."""
    m = agent_machine()
    request(m)["HarnessArn"] = "${HarnessArn}"
    props = pascal(harness_api())
    props["ExecutionRoleArn"] = {"Fn::GetAtt": ["HarnessRole", "Arn"]}
    props["Tools"][0]["Config"]["AgentCoreGateway"]["GatewayArn"] = GATEWAY_ARN
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "WorkflowRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": trust("states.amazonaws.com"),
            "Policies": [{"PolicyName": "invoke", "PolicyDocument": workflow_policy(
                {"Fn::GetAtt": ["Harness", "Arn"]})}]}},
        "HarnessRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": trust("bedrock-agentcore.amazonaws.com"),
            "Policies": [{"PolicyName": "tools", "PolicyDocument": harness_policy()}]}},
        "Harness": {"Type": "AWS::BedrockAgentCore::Harness", "Properties": props},
        "Workflow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::GetAtt": ["WorkflowRole", "Arn"]},
            "DefinitionSubstitutions": {"HarnessArn": {"Fn::GetAtt": ["Harness", "Arn"]}},
            "Definition": m}}}}
    for mutate in mutators:
        mutate(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(template, sort_keys=False, width=1000))
    return path


def separate_files(root: Path, *mutators: Mutator) -> dict[str, Path]:
    """A SAM template, its DefinitionUri ASL file, a GetHarness response and an account
    export, side by side. Mutators get ``{"template", "asl", "harness", "account"}``."""
    m = agent_machine()
    request(m)["HarnessArn"] = HARNESS_ARN
    harness = {"harness": {**harness_api(), "arn": HARNESS_ARN, "harnessId": "support-AbCdEf1234",
                           "status": "READY"}}
    account = {"RoleDetailList": [
        {"RoleName": "support-workflow", "Arn": WORKFLOW_ROLE_ARN,
         "AssumeRolePolicyDocument": trust("states.amazonaws.com"),
         "RolePolicyList": [{"PolicyName": "invoke", "PolicyDocument": workflow_policy()}],
         "AttachedManagedPolicies": []},
        {"RoleName": "support-harness", "Arn": HARNESS_ROLE_ARN,
         "AssumeRolePolicyDocument": trust("bedrock-agentcore.amazonaws.com"),
         "RolePolicyList": [{"PolicyName": "tools", "PolicyDocument": harness_policy()}],
         "AttachedManagedPolicies": []}], "Policies": []}
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Workflow": {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {"DefinitionUri": "workflow.asl.json", "Role": WORKFLOW_ROLE_ARN}}}}
    parts = {"template": template, "asl": m, "harness": harness, "account": account}
    for mutate in mutators:
        mutate(parts)
    root.mkdir(parents=True, exist_ok=True)
    files = {"template": root / "template.yaml", "asl": root / "workflow.asl.json",
             "harness": root / "harness.json", "account": root / "account.json"}
    files["template"].write_text(yaml.safe_dump(parts["template"], sort_keys=False))
    for name in ("asl", "harness", "account"):
        files[name].write_text(json.dumps(parts[name], indent=2))
    return files


def resource(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def copied(value: Any) -> Any:
    return copy.deepcopy(value)
