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
import zlib
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


def account_export(roles: int = 6000, seed: int = 7) -> dict[str, Any]:
    """An ``aws iam get-account-authorization-details`` export of ``roles`` roles (6,000 make
    about 14 MB): trust policies, inline policies, and customer-managed policies attached by
    ARN, as real accounts have them; a few roles are over-privileged."""
    rng = random.Random(seed)
    account = "111122223333"
    verbs = {"s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket"],
             "dynamodb": ["GetItem", "PutItem", "Query", "UpdateItem"],
             "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueUrl"],
             "sns": ["Publish", "Subscribe", "GetTopicAttributes", "ListSubscriptionsByTopic"],
             "lambda": ["InvokeFunction", "GetFunction", "ListTags", "GetAlias"],
             "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
             "secretsmanager": ["GetSecretValue", "DescribeSecret", "ListSecretVersionIds", "PutSecretValue"],
             "states": ["StartExecution", "DescribeExecution", "StopExecution", "ListExecutions"]}
    services = list(verbs)
    arns = {"s3": ["arn:aws:s3:::data-{n}", "arn:aws:s3:::data-{n}/*"],
            "dynamodb": ["arn:aws:dynamodb:us-east-1:{a}:table/orders-{n}"],
            "sqs": ["arn:aws:sqs:us-east-1:{a}:jobs-{n}"], "sns": ["arn:aws:sns:us-east-1:{a}:events-{n}"],
            "lambda": ["arn:aws:lambda:us-east-1:{a}:function:fn-{n}"],
            "kms": ["arn:aws:kms:us-east-1:{a}:key/0000{n:04d}-1111-2222-3333-444455556666"],
            "secretsmanager": ["arn:aws:secretsmanager:us-east-1:{a}:secret:db-{n}-*"],
            "states": ["arn:aws:states:us-east-1:{a}:stateMachine:flow-{n}",
                       "arn:aws:states:us-east-1:{a}:execution:flow-{n}:*"]}
    managed = []
    for p in range(max(roles // 20, 1)):
        service = services[p % len(services)]
        managed.append({
            "PolicyName": f"team-{p}-{service}", "PolicyId": f"ANPA{p:016d}",
            "Arn": f"arn:aws:iam::{account}:policy/team-{p}-{service}", "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 20, "IsAttachable": True,
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": "2024-01-01T00:00:00Z",
                                   "Document": {"Version": "2012-10-17", "Statement": [{
                                       "Effect": "Allow", "Action": f"{service}:List*",
                                       "Resource": "*"}]}}]})
    details = []
    for r in range(roles):
        service = services[r % len(services)]
        principal = {"Service": f"{'lambda' if r % 3 else 'states'}.amazonaws.com"}
        inline = [{"PolicyName": f"inline-{i}", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": f"Access{i}", "Effect": "Allow",
             "Action": [f"{service}:{verb}" for verb in rng.sample(verbs[service], 3)],
             "Resource": [arn.format(a=account, n=r * 3 + i) for arn in arns[service]]},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/fn-{r}:*"}]}}
            for i in range(rng.randint(1, 3))]
        if r % 97 == 0:  # over-privileged: a finding or two
            inline[0]["PolicyDocument"]["Statement"].append({"Effect": "Allow", "Action": "iam:PassRole",
                                                             "Resource": "*"})
        details.append({
            "Path": "/service-role/", "RoleName": f"role-{r}", "RoleId": f"AROA{r:016d}",
            "Arn": f"arn:aws:iam::{account}:role/service-role/role-{r}", "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]},
            "InstanceProfileList": [], "RolePolicyList": inline,
            "AttachedManagedPolicies": [{"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}
                                        for policy in (managed[(r + k) % len(managed)] for k in range(2))],
            "Description": f"Runs the {service} workload {r} of team {r % 40}; owned by its on-call "
                           "rotation; reviewed every quarter by the platform security team; see the "
                           f"runbook at https://wiki.example.com/teams/team-{r % 40}/service-{r}",
            "MaxSessionDuration": 3600,
            "Tags": [{"Key": "team", "Value": f"team-{r % 40}"},
                     {"Key": "cost-center", "Value": f"cc-{r % 9}"},
                     {"Key": "environment", "Value": "prod" if r % 2 else "dev"},
                     {"Key": "repository", "Value": f"git@example.com:team-{r % 40}/service-{r}.git"}],
            "RoleLastUsed": {"LastUsedDate": "2026-11-01T00:00:00Z", "Region": "us-east-1"}})
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": details, "Policies": managed}


SHAPES = ("benchmark", "unique ARNs", "many managed policies", "users and groups")


def shaped_export(shape: str, roles: int = 6000, seed: int = 7) -> dict[str, Any]:
    """An export of ``roles`` roles in one of SHAPES: the benchmark's own; every role with its own
    bucket, log group and table ARNs in three inline statements and one AWS managed policy (no
    ARN repeats, so no per-ARN cache helps); every role with ten of 500 customer managed policies
    of 20 actions each; or users and groups with inline policies beside the roles."""
    export = account_export(roles, seed)
    account = "111122223333"
    if shape == "unique ARNs":
        export["Policies"] = [_aws_managed("AWSLambdaBasicExecutionRole", [
            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])]
        for r, role in enumerate(export["RoleDetailList"]):
            statements = [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": f"arn:aws:s3:::bucket-{r}-{seed}/*"},
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"arn:aws:logs:us-east-1:{account}:log-group:/app/{r}:*"},
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                 "Resource": f"arn:aws:dynamodb:us-east-1:{account}:table/table-{r}"}]
            role["RolePolicyList"] = [{"PolicyName": "own", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements}}]
            role["AttachedManagedPolicies"] = [{"PolicyName": "AWSLambdaBasicExecutionRole",
                                                "PolicyArn": export["Policies"][0]["Arn"]}]
    elif shape == "many managed policies":
        rng = random.Random(seed)
        actions = ["s3:GetObject", "s3:PutObject", "dynamodb:Query", "sqs:SendMessage", "sns:Publish",
                   "lambda:InvokeFunction", "kms:Decrypt", "states:StartExecution", "logs:PutLogEvents",
                   "ec2:DescribeInstances", "iam:GetRole", "ssm:GetParameter"]
        export["Policies"] = [_customer_managed(account, p, rng.sample(actions, 10) + rng.sample(actions, 10))
                              for p in range(500)]
        for role in export["RoleDetailList"]:
            role["AttachedManagedPolicies"] = [
                {"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}
                for policy in rng.sample(export["Policies"], 10)]
    elif shape == "users and groups":
        export["GroupDetailList"] = [{
            "Path": "/", "GroupName": f"group-{g}", "GroupId": f"AGPA{g:016d}",
            "Arn": f"arn:aws:iam::{account}:group/group-{g}", "CreateDate": "2024-01-01T00:00:00Z",
            "GroupPolicyList": [_inline("team", {
                "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::team-{g}", f"arn:aws:s3:::team-{g}/*"]})],
            "AttachedManagedPolicies": []} for g in range(max(roles // 50, 1))]
        export["UserDetailList"] = [{
            "Path": "/", "UserName": f"user-{u}", "UserId": f"AIDA{u:016d}",
            "Arn": f"arn:aws:iam::{account}:user/user-{u}", "CreateDate": "2024-01-01T00:00:00Z",
            "UserPolicyList": [_inline("own", {
                "Effect": "Allow", "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:us-east-1:{account}:user-queue-{u}"})],
            "GroupList": [f"group-{u % max(roles // 50, 1)}"], "AttachedManagedPolicies": [], "Tags": []}
            for u in range(roles // 2)]
    return export


def _inline(name: str, statement: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}


def _managed(name: str, arn: str, statement: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyId": f"ANPA{zlib.crc32(arn.encode()):016d}", "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": "2024-01-01T00:00:00Z",
                                   "Document": {"Version": "2012-10-17", "Statement": [statement]}}]}


def _aws_managed(name: str, actions: list[str]) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    return _managed(name, f"arn:aws:iam::aws:policy/{name}", statement)


def _customer_managed(account: str, p: int, actions: list[str]) -> dict[str, Any]:
    return _managed(f"shared-{p}", f"arn:aws:iam::{account}:policy/shared-{p}", {
        "Effect": "Allow", "Action": sorted(set(actions)), "Resource": f"arn:aws:s3:::shared-{p}/*"})


def small_machine(n: int) -> dict[str, Any]:
    """A workflow of the size Terraform modules hold inline: an agent task and three more."""
    agent = {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
             "Parameters": {"HarnessArn": HARNESS.format(n=n), "RuntimeSessionId.$": "$$.Execution.Name",
                            "Messages": [{"Role": "user", "Content": [{"Text.$": "$.prompt"}]}]},
             "TimeoutSeconds": 660, "Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"],
                                               "BackoffRate": 2}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Store"}
    store = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Retry": RETRY,
             "Parameters": {"TableName": f"results-{n}", "Item": {"id": {"S.$": "$$.Execution.Name"}}},
             "Next": "Done"}
    return {"StartAt": "Agent", "States": {"Agent": agent, "Store": store, "Done": {"Type": "Succeed"},
                                           "Failed": {"Type": "Fail"}}}


def terraform_module(root: Path, resources: int = 200) -> list[Path]:
    """A Terraform module of about ``resources`` resources, spread over files of 10 stacks each
    (a workflow role and its policy document, a harness role, a harness, a state machine with
    a jsonencode definition), written as Terraform users write them."""
    files, stacks = [], max(1, resources // 6)  # six resources a stack
    for f in range(0, stacks, 10):
        blocks = []
        for n in range(f, min(f + 10, stacks)):
            definition = json.dumps(small_machine(n), indent=2).replace(HARNESS.format(n=n), "__HARNESS__")
            definition = definition.replace('"__HARNESS__"', f"aws_bedrockagentcore_harness.h{n}.arn")
            blocks.append(f'''
resource "aws_iam_role" "workflow{n}" {{
  name               = "workflow-{n}"
  assume_role_policy = data.aws_iam_policy_document.trust{n}.json
}}

data "aws_iam_policy_document" "trust{n}" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["111122223333"]
    }}
  }}
}}

resource "aws_iam_role_policy" "invoke{n}" {{
  role = aws_iam_role.workflow{n}.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["bedrock-agentcore:InvokeHarness",
      "bedrock-agentcore:InvokeAgentRuntime"], Resource = aws_bedrockagentcore_harness.h{n}.arn }}]
  }})
}}

resource "aws_iam_role" "harness{n}" {{
  name               = "harness-{n}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow",
    Principal = {{ Service = "bedrock-agentcore.amazonaws.com" }}, Action = "sts:AssumeRole" }}] }})
}}

resource "aws_bedrockagentcore_harness" "h{n}" {{
  harness_name       = "h{n}"
  execution_role_arn = aws_iam_role.harness{n}.arn
  model {{
    bedrock_model_config {{
      model_id = "anthropic.claude-sonnet-4-20250514"
    }}
  }}
  max_iterations  = 20
  max_tokens      = 4096
  timeout_seconds = 600
}}

resource "aws_sfn_state_machine" "flow{n}" {{
  name       = "flow-{n}"
  role_arn   = aws_iam_role.workflow{n}.arn
  definition = jsonencode({definition})
}}
''')
        path = root / f"stacks{f // 10}.tf"
        path.write_text("".join(blocks))
        files.append(path)
    return files


MODEL = "anthropic.claude-sonnet-4-20250514"
ENVIRONMENTS = (("dev", 300), ("prod", 600))  # terraform_tree's calls: a name and a timeout


def terraform_tree(root: Path, resources: int = 200) -> list[Path]:
    """A root module calling local child modules, as platform teams split them: half of the
    ``resources`` in the root; a quarter in ``modules/agents`` (its harness timeout and model
    passed in by the caller), called twice with literal inputs; a quarter in
    ``modules/agents/tools``, which ``agents`` calls with the timeout it was given."""
    files = terraform_module(root, resources // 2)
    agents, tools = root / "modules" / "agents", root / "modules" / "agents" / "tools"
    for folder, calls in ((agents, 'module "tools" {\n  source  = "./tools"\n  timeout = var.timeout\n'
                                   '  model   = var.model\n}\n'), (tools, "")):
        folder.mkdir(parents=True)
        written = terraform_module(folder, resources // 4)
        for path in written:
            text = path.read_text().replace("timeout_seconds = 600", "timeout_seconds = var.timeout")
            path.write_text(text.replace(f'"{MODEL}"', "var.model"))
        variables = folder / "variables.tf"
        model = f'variable "model" {{\n  type    = string\n  default = "{MODEL}"\n}}\n'
        variables.write_text('variable "timeout" {\n  type = number\n}\n\n' + model + calls)
        files += [*written, variables]
    calls = root / "modules.tf"
    calls.write_text("".join(f'module "agents_{env}" {{\n  source  = "./modules/agents"\n'
                             f'  timeout = {timeout}\n}}\n\n' for env, timeout in ENVIRONMENTS))
    return [*files, calls]


def terraform_json(root: Path, resources: int = 200) -> list[Path]:
    """The stacks of ``terraform_module`` in Terraform's JSON syntax (as CDK for Terraform
    writes ``cdk.tf.json``), one file, every reference a ``"${...}"`` string."""
    resource: dict[str, dict] = {}
    data: dict[str, dict] = {"aws_iam_policy_document": {}}
    for n in range(max(1, resources // 6)):
        resource.setdefault("aws_iam_role", {})[f"workflow{n}"] = {
            "name": f"workflow-{n}", "assume_role_policy": f"${{data.aws_iam_policy_document.trust{n}.json}}"}
        data["aws_iam_policy_document"][f"trust{n}"] = {"statement": [{
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["states.amazonaws.com"]}],
            "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount",
                           "values": ["111122223333"]}]}]}
        resource.setdefault("aws_iam_role_policy", {})[f"invoke{n}"] = {
            "role": f"${{aws_iam_role.workflow{n}.id}}",
            "policy": f'${{jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow", '
                      f'Action = ["bedrock-agentcore:InvokeHarness"], '
                      f'Resource = aws_bedrockagentcore_harness.h{n}.arn}}]}})}}'}
        resource.setdefault("aws_bedrockagentcore_harness", {})[f"h{n}"] = {
            "harness_name": f"h{n}", "execution_role_arn": f"${{aws_iam_role.harness{n}.arn}}",
            "max_iterations": 20, "timeout_seconds": 600}
        harness = f"${{aws_bedrockagentcore_harness.h{n}.arn}}"
        definition = json.dumps(small_machine(n)).replace(HARNESS.format(n=n), harness)
        resource.setdefault("aws_sfn_state_machine", {})[f"flow{n}"] = {
            "name": f"flow-{n}", "role_arn": f"${{aws_iam_role.workflow{n}.arn}}", "definition": definition}
    path = root / "main.tf.json"
    path.write_text(json.dumps({"resource": resource, "data": data}, indent=2))
    return [path]
