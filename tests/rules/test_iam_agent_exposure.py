"""IAM520 (broad AWS managed policies on the roles agents and workflows act with), IAM521
(reads of stored data on every resource) and IAM522 (a ${...} CloudFormation keeps
literally), in standalone JSON, CloudFormation, Terraform and an account export."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import position_of, run, write

V = "2012-10-17"
ACCOUNT = "111122223333"
AGENTCORE = "bedrock-agentcore.amazonaws.com"


def trust(service: str) -> dict[str, Any]:
    return {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                         "Action": "sts:AssumeRole",
                                         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}


def found(select: str) -> list[tuple[str, int, int, str]]:
    return [(f["code"], f["line"], f["column"], f["severity"]) for f in run(".", "--select", select)[1]]


def role_template(service: str, managed: list[Any], extra: dict[str, Any] | None = None) -> str:
    resources = {"AgentRole": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": trust(service), "ManagedPolicyArns": managed}}, **(extra or {})}
    return yaml.safe_dump({"Resources": resources}, sort_keys=False)


@pytest.mark.parametrize(("arn", "severity"), [
    ("arn:aws:iam::aws:policy/AdministratorAccess", "error"),
    ({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"}, "error"),
    ("arn:aws:iam::aws:policy/IAMFullAccess", "error"),
    ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "warning"),
    ("arn:aws:iam::aws:policy/service-role/AWSLambda_FullAccess", "warning")])
def test_broad_managed_policy_on_a_role_agentcore_assumes(workdir: Path, arn: Any, severity: str) -> None:
    text = write(workdir / "template.yaml", role_template(AGENTCORE, [arn])).read_text()
    where = position_of(text, r"ManagedPolicyArns:\n\s+- (?P<at>\S)")
    assert found("IAM520") == [("IAM520", *where, severity)]


@pytest.mark.parametrize("arn", ["arn:aws:iam::aws:policy/ReadOnlyAccess",
                                 "arn:aws:iam::aws:policy/AmazonBedrockReadOnly",
                                 f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"])  # a customer's own
def test_narrower_or_customer_policies_pass(workdir: Path, arn: str) -> None:
    write(workdir / "template.yaml", role_template("bedrock-agentcore.amazonaws.com", [arn]))
    assert found("IAM520") == []


def test_a_broad_policy_after_a_narrow_one(workdir: Path) -> None:
    managed = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    text = write(workdir / "template.yaml", role_template(AGENTCORE, managed)).read_text()
    assert found("IAM520") == [("IAM520", *position_of(text, r"- (?P<at>arn:aws:iam::aws:policy/AmazonS3)"),
                                "warning")]


def test_a_role_no_agent_or_workflow_uses_passes(workdir: Path) -> None:
    write(workdir / "template.yaml", role_template("lambda.amazonaws.com",
                                                   ["arn:aws:iam::aws:policy/AdministratorAccess"]))
    assert found("IAM520") == []


def test_a_role_a_gateway_uses(workdir: Path) -> None:
    gateway = {"Gateway": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {
        "Name": "tools", "AuthorizerType": "AWS_IAM", "ProtocolType": "MCP",
        "RoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]}}}}
    text = write(workdir / "template.yaml", role_template(
        "lambda.amazonaws.com", ["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"], gateway)).read_text()
    (finding,) = run(".", "--select", "IAM520")[1]
    assert (finding["line"], finding["column"]) == position_of(text, r"(?P<at>arn:aws:iam::aws:policy/A)")
    assert "(AgentCore gateway 'Gateway')" in finding["message"]


SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.asl.json
      Policies:
        - AWSXrayFullAccess
        - Statement: [{Effect: Allow, Action: states:StartExecution, Resource: "*"}]
"""


AGENT_STATE = {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness", "End": True,
               "Parameters": {"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h"}}


@pytest.mark.parametrize(("state", "who"), [
    ({"Type": "Pass", "End": True}, "(state machine 'Flow'): the workflow can do all it allows"),
    (AGENT_STATE, "(state machine 'Flow'): the workflow, acting on its agents' output, can do all")])
def test_a_sam_state_machine_policy_by_name(workdir: Path, state: dict[str, Any], who: str) -> None:
    write(workdir / "flow.asl.json", json.dumps({"StartAt": "A", "States": {"A": state}}))
    text = write(workdir / "template.yaml", SAM).read_text()
    (finding,) = run(".", "--select", "IAM520")[1]
    assert (finding["code"], finding["line"], finding["column"], finding["severity"]) == \
        ("IAM520", *position_of(text, "AWSXrayFullAccess"), "warning")
    assert who in finding["message"]


TERRAFORM = """\
data "aws_partition" "current" {}

resource "aws_iam_role" "harness" {
  name                = "support-harness"
  assume_role_policy  = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
    Principal = { Service = "bedrock-agentcore.amazonaws.com" }, Action = "sts:AssumeRole",
    Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } } }] })
  managed_policy_arns = ["arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonS3FullAccess"]
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.harness.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def test_terraform_managed_policy_arns_and_attachments(workdir: Path) -> None:
    text = write(workdir / "main.tf", TERRAFORM).read_text()
    assert found("IAM520") == [
        ("IAM520", *position_of(text, r'(?P<at>"arn:\$\{data)'), "warning"),
        ("IAM520", *position_of(text, r'policy_arn = (?P<at>")'), "error")]


def test_an_export_role_a_state_machine_may_assume(workdir: Path) -> None:
    export = {"RoleDetailList": [{
        "RoleName": "flow", "Arn": f"arn:aws:iam::{ACCOUNT}:role/flow",
        "AssumeRolePolicyDocument": trust("states.amazonaws.com"), "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
                                     "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}],
        "Policies": []}
    text = write(workdir / "account.json", json.dumps(export, indent=2)).read_text()
    (finding,) = run(".", "--select", "IAM520")[1]
    assert (finding["line"], finding["column"]) == position_of(text, r'"PolicyArn": (?P<at>")')
    assert "(trusted by states.amazonaws.com): any workflow that uses it can do all" in finding["message"]


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": V, "Statement": list(statements)}


def allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.mark.parametrize(("action", "first"), [
    (["s3:GetObject", "s3:GetObjectVersion"], "s3:GetObject"), ("secretsmanager:GetSecretValue", None),
    (["logs:PutLogEvents", "ssm:GetParameter*"], "ssm:GetParameter*"), ("kms:Decrypt", None),
    (["dynamodb:Query", "dynamodb:Scan"], "dynamodb:Query"), ("s3:Get*", None)])
def test_data_reads_on_every_resource(workdir: Path, action: Any, first: str | None) -> None:
    text = write(workdir / "policy.json", json.dumps(policy(allow(action, "*")), indent=2)).read_text()
    assert found("IAM521") == [("IAM521", *position_of(text, re.escape(f'"{first or action}"')), "warning")]


@pytest.mark.parametrize("statement", [
    allow("s3:GetObject", "arn:aws:s3:::reports/*"),
    allow(["s3:ListAllMyBuckets", "ssm:DescribeParameters", "kms:ListKeys"], "*"),  # no data read
    allow("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app-*"),
    allow("*", "*"),  # IAM502 and IAM517 speak about that
])
def test_scoped_or_other_reads_pass(workdir: Path, statement: dict[str, Any]) -> None:
    write(workdir / "policy.json", json.dumps(policy(statement)))
    assert found("IAM521") == []


def test_a_deny_beside_the_read_takes_it_away(workdir: Path) -> None:
    document = policy(allow("s3:GetObject", "*"), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    write(workdir / "policy.json", json.dumps(document))
    assert found("IAM521") == []


HARNESS_TEMPLATE = """\
Resources:
  HarnessRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: bedrock-agentcore.amazonaws.com}
            Action: sts:AssumeRole
            Condition: {StringEquals: {aws:SourceAccount: "111122223333"}}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [bedrock:InvokeModel, secretsmanager:GetSecretValue]
                Resource: "*"
"""


def test_data_read_on_an_agent_role_is_an_error(workdir: Path) -> None:
    write(workdir / "template.yaml", HARNESS_TEMPLATE)
    (finding,) = run(".", "--select", "IAM521")[1]
    assert (finding["line"], finding["column"], finding["severity"]) == (18, 47, "error")
    assert f"role 'HarnessRole' (trusted by {AGENTCORE}) is an agent's" in finding["message"]


def test_data_read_in_terraform(workdir: Path) -> None:
    text = write(workdir / "main.tf", 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n'
                 '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "kms:Decrypt",'
                 ' Resource = "*" }]\n  })\n}\n').read_text()
    assert found("IAM521") == [("IAM521", *position_of(text, '"kms:Decrypt"'), "warning")]


PLACEHOLDERS = """\
Parameters:
  Stage: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource:
              - arn:aws:s3:::${Bucket}/*
              - !Sub arn:aws:s3:::${Bucket}/${aws:username}/*
              - !Join ["", ["arn:aws:s3:::", !Ref Bucket, "/${Stage}/*"]]
              - arn:aws:s3:::reports/${aws:PrincipalTag/team}/*
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: arn:${AWS::Partition}:sqs:us-east-1:111122223333:jobs
            Condition:
              StringEquals: {aws:SourceAccount: "${AWS::AccountId}"}
"""


def test_placeholders_cloudformation_keeps(workdir: Path) -> None:
    text = write(workdir / "template.yaml", PLACEHOLDERS).read_text()
    assert found("IAM522") == [
        ("IAM522", *position_of(text, r"arn:aws:s3:::(?P<at>\$\{Bucket\})/\*"), "error"),
        ("IAM522", *position_of(text, r'"/(?P<at>\$\{Stage\})/\*"'), "error"),
        ("IAM522", *position_of(text, r"arn:(?P<at>\$\{AWS::Partition\})"), "error"),
        ("IAM522", *position_of(text, r'"(?P<at>\$\{AWS::AccountId\})"'), "error")]


CDK_POLICY = {"Resources": {"ReaderPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
    "PolicyName": "reader", "Roles": [{"Ref": "Role"}], "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::caf\u00e9/${AWS::AccountId}/*"},
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/${AWS::Region}/*"]]}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}},
    "Metadata": {"aws:cdk:path": "App/Reader/Resource"}}}}


def test_placeholders_kept_in_a_cdk_synth_at_the_placeholder(workdir: Path) -> None:
    text = json.dumps(CDK_POLICY, indent=1)  # \u00e9 stays escaped: six characters for one
    write(workdir / "cdk.out" / "App.template.json", text)
    assert found("IAM522") == [
        ("IAM522", *position_of(text, r"caf\\u00e9/(?P<at>\$\{AWS::AccountId\})"), "error"),
        ("IAM522", *position_of(text, r":s3:::b/(?P<at>\$\{AWS::Region\})"), "error")]


def test_pseudo_parameters_in_serverless_statements_and_sam_policies(workdir: Path) -> None:
    sls = write(workdir / "serverless.yml", """service: s
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: sqs:SendMessage
          Resource:
            - "arn:aws:sqs:${self:provider.region}:${AWS::AccountId}:jobs"
            - "arn:aws:sqs:${aws:region}:${aws:accountId}:jobs"
            - Fn::Sub: "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs"
""").read_text()
    sam = write(workdir / "sam" / "template.yaml", """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: ssm:GetParameter
              Resource: 'arn:aws:ssm:us-east-1:${AWS::AccountId}:parameter/app/*'
""").read_text()
    findings = [(f["file"], f["line"], f["column"]) for f in run(".", "--select", "IAM522")[1]]
    assert findings == [
        ("sam/template.yaml", *position_of(sam, r"us-east-1:(?P<at>\$\{AWS::AccountId)")),
        ("serverless.yml", *position_of(sls, r"region\}:(?P<at>\$\{AWS::AccountId)"))]


@pytest.mark.parametrize(("name", "text"), [
    ("policy.json", json.dumps(policy(allow("s3:GetObject", "arn:aws:s3:::b/${AWS::AccountId}/*")))),
    ("main.tf", 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Version = "2012-10-17",\n'
                '    Statement = [{ Effect = "Allow", Action = "s3:GetObject",\n'
                '      Resource = "arn:aws:s3:::${var.bucket}/*" }] })\n}\n'),
    ("serverless.yml", "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n"
                       "      Action: s3:GetObject\n      Resource: arn:aws:s3:::${self:custom.bucket}/*\n"),
])
def test_no_placeholder_where_cloudformation_does_not_read(workdir: Path, name: str, text: str) -> None:
    write(workdir / name, text)
    assert found("IAM522") == []


def test_the_role_a_harness_names(workdir: Path) -> None:
    from agentcore import resource, whole_template

    def admin(template: dict[str, Any]) -> None:
        role = resource(template, "HarnessRole")
        role["ManagedPolicyArns"] = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    text = whole_template(workdir / "template.yaml", admin).read_text()
    (finding,) = run(".", "--select", "IAM520")[1]
    assert (finding["line"], finding["column"]) == position_of(text, r"(?P<at>arn:aws:iam::aws:policy/Admin)")
    assert finding["message"] == (
        "AWS managed policy 'AdministratorAccess' is attached to role 'HarnessRole' (harness 'support'): "
        "an agent acting on model output can do all it allows; grant only the actions it needs")
