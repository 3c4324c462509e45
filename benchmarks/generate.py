"""A synthetic repository of mixed documents for the throughput benchmark.

``python3 benchmarks/generate.py DIR [--count 10000]`` writes state machines (JSON, both
query languages, some agent tasks), IAM policies, harness configs and SAM templates (a role,
a harness and a state machine each), deterministically (seeded). Most documents are clean, as in a
repository that lints green; one in ten has a defect or two, so reports are not empty.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import yaml

HARNESS = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h{n}-AbCdEf1234"
FUNCTIONS = "arn:aws:lambda:us-east-1:111122223333:function:fn-{n}-*"


RETRY = [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]


def machine(rng: random.Random, n: int) -> dict[str, Any]:
    count, defective = rng.randint(4, 30), n % 13 == 0
    states: dict[str, Any] = {}
    for i in range(count):
        name, nxt = f"Step{i}", f"Step{i + 1}"
        if i % 7 == 3:
            body: dict[str, Any] = {
                "Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
                "Parameters": {"HarnessArn": HARNESS.format(n=n), "RuntimeSessionId.$": "$$.Execution.Name",
                               "Messages": [{"Role": "user", "Content": [{"Text.$": "$.prompt"}]}],
                               "MaxIterations": 20},
                "TimeoutSeconds": 1200 if defective else 660,
                "Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"], "BackoffRate": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]}
        elif i % 5 == 1:
            body = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": i,
                                                   "Next": nxt}], "Default": nxt}
        else:
            body = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": f"fn-{i}", "Payload.$": "$"}, "ResultPath": "$.r",
                    "TimeoutSeconds": 60}
            if not (defective and i == 2):
                body["Retry"] = RETRY
        if body["Type"] != "Choice":
            if i == count - 1:
                body["End"] = True
            else:
                body["Next"] = nxt
        elif i == count - 1:
            body["Choices"][0]["Next"] = body["Default"] = "Step0"
        states[name] = body
    states["Failed"] = {"Type": "Fail"}
    return {"Comment": f"generated {n}", "StartAt": "Step0", "States": states}


GRANTS = [  # (actions, the resource they apply to)
    (["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::bucket-{n}/*"),
    (["dynamodb:GetItem", "dynamodb:PutItem"], "arn:aws:dynamodb:us-east-1:111122223333:table/t{n}"),
    (["sqs:SendMessage"], "arn:aws:sqs:us-east-1:111122223333:q{n}"),
    (["logs:CreateLogStream", "logs:PutLogEvents"],
     "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f{n}:*"),
]


def policy(rng: random.Random, n: int) -> dict[str, Any]:
    statements = []
    for i, (actions, resource) in enumerate(rng.sample(GRANTS, 2)):
        actions = list(actions)
        if n % 13 == 0 and i == 0:
            actions[0] = actions[0] + "x"  # a typo
        statements.append({"Sid": f"S{n}x{i}", "Effect": "Allow", "Action": actions,
                           "Resource": resource.format(n=n)})
    return {"Version": "2012-10-17", "Statement": statements}


def harness(rng: random.Random, n: int) -> dict[str, Any]:
    return {"harnessName": f"h{n}", "executionRoleArn": f"arn:aws:iam::111122223333:role/h{n}",
            "model": {"bedrockModelConfig": {"modelId": "anthropic.claude-sonnet-4-v1:0"}},
            "tools": [{"type": "agentcore_gateway", "name": "g",
                       "config": {"agentCoreGateway": {"gatewayArn": "arn:aws:bedrock-agentcore:us-east-1:"
                                                       "111122223333:gateway/g-abcdefghij"}}}],
            "maxIterations": 20, "maxTokens": 4096, "timeoutSeconds": 1800 if n % 13 == 0 else 600}


def allowing(actions: list[str], resource: str) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return {"Version": "2012-10-17", "Statement": [statement]}


def template(rng: random.Random, n: int) -> dict[str, Any]:
    return {"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": policy(rng, n)},
                         {"PolicyName": "agent", "PolicyDocument": allowing(
                             ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"],
                             HARNESS.format(n=n))},
                         {"PolicyName": "functions", "PolicyDocument": allowing(
                             ["lambda:InvokeFunction"], FUNCTIONS.format(n=n))}]}},
        "Machine": {"Type": "AWS::Serverless::StateMachine", "Properties": {
            "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Definition": machine(rng, n)}}}}


class _Plain(yaml.SafeDumper):
    """Writes shared objects out in full, as people write templates (no ``&id001`` anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def generate(root: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    files = []
    for n in range(count):
        kind = n % 10
        folder = root / f"service{n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        if kind < 4:
            path, text = folder / f"flow{n}.asl.json", json.dumps(machine(rng, n), indent=2)
        elif kind < 6:
            path, text = folder / f"policy{n}.json", json.dumps(policy(rng, n), indent=2)
        elif kind < 7:
            path, text = folder / f"harness{n}.json", json.dumps(harness(rng, n), indent=2)
        else:
            text = yaml.dump(template(rng, n), Dumper=_Plain, sort_keys=False)
            path = folder / f"template{n}.yaml"
        path.write_text(text)
        files.append(path)
    return files


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    arguments = parser.parse_args()
    print(len(generate(arguments.root, arguments.count)), "files")
