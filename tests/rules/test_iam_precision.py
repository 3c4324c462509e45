"""IAM precision (RULES.md, "Precision notes"): a VPC endpoint policy is neither a role nor
a public resource policy, and a permissions boundary grants nothing; IAM501/IAM502 judge what
a statement can reach; an explicit Deny in the same policy takes precedence over the Allow
beside it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import position_of, run, write

V = "2012-10-17"
MEMORY_ARN = "arn:aws:bedrock-agentcore:us-east-1:111122223333:memory/support-AbCdEf1234"
ENDPOINT_STATEMENT = {"Effect": "Allow", "Principal": "*", "Action": "bedrock-agentcore:*", "Resource": "*"}

ENDPOINT_TEMPLATE = """\
Resources:
  AgentCoreEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-0123456789abcdef0
      ServiceName: com.amazonaws.us-east-1.bedrock-agentcore
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: bedrock-agentcore:*
            Resource: "*"
"""

ENDPOINT_TERRAFORM = """\
resource "aws_vpc_endpoint" "agentcore" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.us-east-1.bedrock-agentcore"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "bedrock-agentcore:*"
      Resource  = "*"
    }]
  })
}

resource "aws_vpc_endpoint_policy" "s3" {
  vpc_endpoint_id = "vpce-0123456789abcdef0"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "*", Resource = "*" }]
  })
}
"""


@pytest.mark.parametrize(("name", "text"), [("template.yaml", ENDPOINT_TEMPLATE),
                                             ("endpoint.tf", ENDPOINT_TERRAFORM)])
def test_a_vpc_endpoint_policy_is_neither_a_role_nor_a_public_policy(workdir: Path, name: str,
                                                                      text: str) -> None:
    write(workdir / name, text)
    assert run(".", "--select", "IAM501,IAM502,IAM517,IAM518,IAM519")[1] == []


def test_an_endpoint_policy_still_gets_the_grammar_rules(workdir: Path) -> None:
    text = write(workdir / "endpoint.tf", ENDPOINT_TERRAFORM.replace(
        '"bedrock-agentcore:*"', '"bedrock-agentcore:InvokeHarnes"')).read_text()
    found = run(".", "--select", "IAM508")[1]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("IAM508", *position_of(text, '"bedrock-agentcore:InvokeHarnes"'))]


def test_the_same_statement_on_a_bucket_is_public(workdir: Path) -> None:
    bucket = ENDPOINT_TEMPLATE.replace("AWS::EC2::VPCEndpoint", "AWS::S3::BucketPolicy")
    write(workdir / "template.yaml", bucket)
    found = run(".", "--select", "IAM519")[1]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("IAM519", 11, 24)]


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": V, "Statement": list(statements)}


def allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def lint(workdir: Path, document: dict[str, Any], select: str) -> tuple[str, list[tuple[str, int, int]]]:
    text = write(workdir / "policy.json", json.dumps(document, indent=2)).read_text()
    return text, [(f["code"], f["line"], f["column"]) for f in run(".", "--select", select)[1]]


@pytest.mark.parametrize("resource", [MEMORY_ARN, "arn:aws:bedrock-agentcore:us-east-1:111122223333:memory/*",
                                      "arn:aws:s3:::reports/*"])
def test_agentcore_wildcard_on_what_cannot_be_invoked(workdir: Path, resource: str) -> None:
    assert lint(workdir, policy(allow("bedrock-agentcore:*", resource)), "IAM501,IAM502")[1] == []


@pytest.mark.parametrize("resource", ["*", "arn:aws:bedrock-agentcore:us-east-1:111122223333:*",
                                      "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/*"])
def test_agentcore_wildcard_on_what_can_be_invoked(workdir: Path, resource: str) -> None:
    text, found = lint(workdir, policy(allow("bedrock-agentcore:*", resource)), "IAM502")
    assert found == [("IAM502", *position_of(text, '"bedrock-agentcore:\\*"'))]


def test_invoke_on_a_wildcard_memory_arn_is_not_invoke_on_any_harness(workdir: Path) -> None:
    document = policy(allow("bedrock-agentcore:Invoke*", "arn:aws:bedrock-agentcore:*:*:memory/*"),
                      allow("bedrock-agentcore:InvokeHarness", "arn:aws:bedrock-agentcore:*:*:harness/*"))
    text, found = lint(workdir, document, "IAM501")
    assert found == [("IAM501", *position_of(text, '"arn:aws:bedrock-agentcore:\\*:\\*:harness/\\*"'))]


@pytest.mark.parametrize("denial", [
    deny("*", "*"), deny("bedrock-agentcore:*", "*"),
    deny(["bedrock-agentcore:Invoke*", "s3:*"], "arn:aws:bedrock-agentcore:*")])
def test_a_deny_beside_the_allow_takes_it_away(workdir: Path, denial: dict[str, Any]) -> None:
    document = policy(allow("bedrock-agentcore:Invoke*", "arn:aws:bedrock-agentcore:*"), denial)
    assert lint(workdir, document, "IAM501,IAM502")[1] == []


@pytest.mark.parametrize("denial", [
    deny("bedrock-agentcore:InvokeHarness", "*"),  # InvokeAgentRuntime is still allowed
    deny("*", "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/one"),  # one harness only
    {**deny("*", "*"), "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},  # sometimes
    {"Effect": "Deny", "NotAction": "bedrock-agentcore:*", "Resource": "*"},  # all but these actions
])
def test_a_deny_that_covers_less_leaves_the_finding(workdir: Path, denial: dict[str, Any]) -> None:
    document = policy(allow("bedrock-agentcore:Invoke*", "*"), denial)
    text, found = lint(workdir, document, "IAM502")
    assert found == [("IAM502", *position_of(text, '"bedrock-agentcore:Invoke\\*"'))]


def test_a_deny_covers_resources_by_their_case(workdir: Path) -> None:
    """ARNs are case-sensitive: a Deny in another region's spelling leaves the Allow."""
    allowed = "arn:aws:bedrock-agentcore:us-east-1:111122223333:*"
    invoke = allow("bedrock-agentcore:Invoke*", allowed)
    upper = deny("*", allowed.replace("us-east-1", "US-EAST-1"))
    text, found = lint(workdir, policy(invoke, upper), "IAM502")
    assert found == [("IAM502", *position_of(text, '"bedrock-agentcore:Invoke\\*"'))]
    assert lint(workdir, policy(invoke, deny("*", allowed)), "IAM502")[1] == []


@pytest.mark.parametrize(("actions", "first"), [
    (["s3:PutObject", "s3:DeleteObject"], "s3:PutObject"),  # S3 marks `object` optional
    (["xray:PutTraceSegments", "lambda:TagResource"], "lambda:TagResource"),  # any type of a tagging action
    (["states:TagResource"], "states:TagResource"),
    (["events:PutRule"], "events:PutRule"),  # rule-on-default-event-bus, optional
])
def test_broad_write_counts_optional_types_the_action_acts_on(workdir: Path, actions: list[str],
                                                              first: str) -> None:
    text, found = lint(workdir, policy(allow(actions, "*")), "IAM518")
    assert found == [("IAM518", *position_of(text, f'"{first}"'))]


@pytest.mark.parametrize("action", ["cloudwatch:PutMetricData", "polly:StartSpeechSynthesisTask",
                                    "mediaconvert:CreateJob", "xray:PutTraceSegments"])
def test_broad_write_skips_optional_types_a_call_may_lack(workdir: Path, action: str) -> None:
    assert lint(workdir, policy(allow(action, "*")), "IAM518")[1] == []


def test_broad_write_under_a_deny_of_everything(workdir: Path) -> None:
    document = policy(allow(["s3:PutObject", "iam:PassRole"], "*"), deny("*", "*"))
    assert lint(workdir, document, "IAM507,IAM518")[1] == []


def test_broad_writes_and_reads_under_a_deny_of_the_same_arns(workdir: Path) -> None:
    """``arn:*:s3:*:*:*`` is every S3 resource, so writes and reads on it are IAM518's and IAM521's;
    a Deny of them there leaves nothing; a Deny with a Condition is no such Deny."""
    actions, every = ["s3:PutObject", "s3:GetObject"], "arn:*:s3:*:*:*"
    text, found = lint(workdir, policy(allow(actions, every)), "IAM518,IAM521")
    assert sorted(found) == [("IAM518", *position_of(text, '"s3:PutObject"')),
                             ("IAM521", *position_of(text, '"s3:GetObject"'))]
    assert lint(workdir, policy(allow(actions, every), deny(actions, every)), "IAM518,IAM521")[1] == []
    conditional = {**deny(actions, every), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert lint(workdir, policy(conditional), "IAM518,IAM521")[1] == []  # a Deny grants nothing


BROAD_TEMPLATE = """\
Resources:
  Uploader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObject, s3:PutObject]
            Resource: "*"
          - Effect: Allow
            Action: s3:PutObject
            Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
"""


def test_broad_write_in_a_template(workdir: Path) -> None:
    write(workdir / "template.yaml", BROAD_TEMPLATE)
    found = run(".", "--select", "IAM518")[1]
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in found] == [
        ("IAM518", 9, 36, "s3:PutObject is allowed on every resource: it can be scoped to the ARNs it needs")]


ESCALATING = [allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "*")]


@pytest.mark.parametrize("denial", [deny("*", "*"), deny("iam:*", "*"), deny("iam:PassRole", "*")])
def test_no_escalation_under_a_deny_that_covers_a_step(workdir: Path, denial: dict[str, Any]) -> None:
    assert lint(workdir, policy(*ESCALATING, denial), "IAM517")[1] == []


@pytest.mark.parametrize("denial", [
    deny("iam:PassRole", "arn:aws:iam::111122223333:role/admin"),  # other roles can still be passed
    {**deny("*", "*"), "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}])
def test_escalation_under_a_deny_that_covers_less(workdir: Path, denial: dict[str, Any]) -> None:
    text, found = lint(workdir, policy(*ESCALATING, denial), "IAM517")
    assert found == [("IAM517", *position_of(text, r'\[\s*(?P<at>"iam:PassRole")'))]


def test_a_deny_in_another_policy_of_the_role_counts(workdir: Path) -> None:
    template = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"PolicyName": "grant", "PolicyDocument": policy(*ESCALATING)},
        {"PolicyName": "guard", "PolicyDocument": policy(deny("iam:PassRole", "*"))}]}}}}
    write(workdir / "template.json", json.dumps(template, indent=2))
    assert run(".", "--select", "IAM517")[1] == []


def test_roles_sharing_one_set_of_policies_are_one_finding(workdir: Path) -> None:
    arn = "arn:aws:iam::111122223333:policy/deployer"
    export = {"RoleDetailList": [
        {"RoleName": name, "Arn": f"arn:aws:iam::111122223333:role/{name}", "RolePolicyList": [],
         "AttachedManagedPolicies": [{"PolicyArn": arn}]} for name in ("a", "b", "c", "d", "e")],
        "Policies": [{"Arn": arn, "PolicyVersionList": [{"IsDefaultVersion": True,
                                                         "Document": policy(*ESCALATING)}]}]}
    text = write(workdir / "account.json", json.dumps(export, indent=2)).read_text()
    found = run(".", "--select", "IAM517")[1]
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, '"iam:PassRole"')]
    assert found[0]["message"].startswith("roles 'a', 'b', 'c' and 2 more can escalate their privileges")


PERIMETER = {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
OPEN = {"Effect": "Allow", "Principal": "*", "Action": ["bedrock-agentcore:InvokeAgentRuntime"],
        "Resource": "*"}


def test_a_data_perimeter_deny_narrows_a_public_allow(workdir: Path) -> None:
    assert lint(workdir, policy(OPEN, PERIMETER), "IAM501,IAM519")[1] == []


@pytest.mark.parametrize("fence", [
    {**PERIMETER, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},  # narrows nothing about who
    {**PERIMETER, "Action": "s3:*"},  # does not cover the grant
    {**PERIMETER, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}])  # fences one account only
def test_a_deny_that_does_not_fence_everyone_else(workdir: Path, fence: dict[str, Any]) -> None:
    text, found = lint(workdir, policy(OPEN, fence), "IAM519")
    assert found == [("IAM519", *position_of(text, r'"Principal": (?P<at>"\*"),\s+"Action": \['))]


def test_invoke_on_star_in_a_resource_policy_is_its_own_resource(workdir: Path) -> None:
    runtime_policy = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/caller"},
                      "Action": "bedrock-agentcore:InvokeAgentRuntime", "Resource": "*"}
    assert lint(workdir, policy(runtime_policy), "IAM501")[1] == []


BOUNDARY_TEMPLATE = """\
Resources:
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            NotAction: iam:*
            Resource: "*"
          - Effect: Allow
            Action: [iam:PassRole, s3:PutObject, secretsmanager:GetSecretValue]
            Resource: "*"
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      PermissionsBoundary: !Ref Boundary
"""

BOUNDARY_TERRAFORM = """\
resource "aws_iam_policy" "boundary" {
  name = "boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", NotAction = "iam:*", Resource = "*" },
      { Effect = "Allow", Action = ["iam:PassRole", "s3:PutObject", "secretsmanager:GetSecretValue"],
        Resource = "*" },
    ]
  })
}

resource "aws_iam_role" "worker" {
  name                 = "worker"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = aws_iam_policy.boundary.arn
}
"""

GRANTS = "IAM507,IAM511,IAM518,IAM521"  # PassRole on *, Allow NotAction, writes and reads on *


@pytest.mark.parametrize(("name", "text"), [("template.yaml", BOUNDARY_TEMPLATE),
                                             ("main.tf", BOUNDARY_TERRAFORM)])
def test_a_permissions_boundary_grants_nothing(workdir: Path, name: str, text: str) -> None:
    write(workdir / name, text)
    assert run(".", "--select", GRANTS)[1] == []


def test_a_boundary_is_seen_past_a_resource_that_is_not_an_object(workdir: Path) -> None:
    write(workdir / "template.yaml", BOUNDARY_TEMPLATE.replace("Resources:\n", "Resources:\n  Stray: text\n"))
    assert [f["code"] for f in run(".", "--select", GRANTS)[1]] == []


@pytest.mark.parametrize(("named", "judged"), [("agent-boundary", False), ("another-boundary", True)])
def test_a_boundary_named_by_its_arn_is_the_policy_of_that_name(workdir: Path, named: str,
                                                                judged: bool) -> None:
    text = BOUNDARY_TEMPLATE.replace("    Properties:\n      PolicyDocument:", "    Properties:\n"
                                     "      ManagedPolicyName: agent-boundary\n      PolicyDocument:")
    text = text.replace("PermissionsBoundary: !Ref Boundary", "PermissionsBoundary: !Sub "
                        f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{named}")
    write(workdir / "template.yaml", text)
    found = [(f["code"], f["line"], f["column"]) for f in run(".", "--select", GRANTS)[1]]
    assert (("IAM511", *position_of(text, r"(?P<at>NotAction)")) in found) == judged
    assert bool(found) == judged


@pytest.mark.parametrize(("name", "text", "boundary", "attached"), [
    ("template.yaml", BOUNDARY_TEMPLATE, "PermissionsBoundary: !Ref Boundary",
     "ManagedPolicyArns: [!Ref Boundary]"),
    ("main.tf", BOUNDARY_TERRAFORM, "permissions_boundary = aws_iam_policy.boundary.arn",
     "managed_policy_arns  = [aws_iam_policy.boundary.arn]")])
def test_the_same_policy_attached_as_a_grant_is_judged(workdir: Path, name: str, text: str,
                                                       boundary: str, attached: str) -> None:
    text = write(workdir / name, text.replace(boundary, attached)).read_text()
    found = [(f["code"], f["line"], f["column"]) for f in run(".", "--select", GRANTS)[1]]
    assert sorted(found) == grants_in(text)


def grants_in(text: str) -> list[tuple[str, int, int]]:
    """Where the boundary policy of BOUNDARY_TEMPLATE or BOUNDARY_TERRAFORM (in ``text``),
    judged as a grant, draws each of GRANTS."""
    return sorted([
        ("IAM507", *position_of(text, r'PassRole.*\n\s*Resource\s*[:=]\s*(?P<at>"\*")')),
        ("IAM511", *position_of(text, r"(?P<at>NotAction)")),
        ("IAM518", *position_of(text, r'(?P<at>"?iam:PassRole)')),  # the statement's first write
        ("IAM521", *position_of(text, r'(?P<at>"?secretsmanager:GetSecretValue)'))])


OTHER_ROLE = """\
  Other:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
"""
ATTACHMENT = """
resource "aws_iam_role" "other" {
  name               = "other"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "other" {
  role       = aws_iam_role.other.name
  policy_arn = aws_iam_policy.boundary.arn
}
"""


@pytest.mark.parametrize(("files"), [
    {"template.yaml": BOUNDARY_TEMPLATE.replace("    Properties:\n      PolicyDocument:",
                                                "    Properties:\n      Roles: [!Ref Other]\n"
                                                "      PolicyDocument:", 1) + OTHER_ROLE},
    {"template.yaml": BOUNDARY_TEMPLATE + OTHER_ROLE + "      ManagedPolicyArns: [!Ref Boundary]\n"},
    {"main.tf": BOUNDARY_TERRAFORM + ATTACHMENT},
    {"main.tf": BOUNDARY_TERRAFORM, "attach.tf": ATTACHMENT}])  # a module's other file
def test_a_boundary_that_is_also_attached_as_a_grant_is_judged(workdir: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(workdir / name, text)
    (name, text), = [(n, t) for n, t in files.items() if "NotAction" in t]
    found = [(f["file"], f["code"], f["line"], f["column"]) for f in run(".", "--select", GRANTS)[1]]
    assert sorted(found) == [(name, *where) for where in grants_in(text)]


SAM_FUNCTION = """\
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): pass"
"""


@pytest.mark.parametrize("files", [
    {"template.yaml": BOUNDARY_TEMPLATE.split("  Worker:")[0]  # a user's boundary
     + "  Alice:\n    Type: AWS::IAM::User\n    Properties:\n      PermissionsBoundary: !Ref Boundary\n"},
    {"template.yaml": BOUNDARY_TEMPLATE.replace("!Ref Boundary", "!GetAtt Boundary.PolicyArn")},
    {"template.yaml": BOUNDARY_TEMPLATE.split("  Worker:")[0] + SAM_FUNCTION
     + "      PermissionsBoundary: !Ref Boundary\n"},
    {"template.yaml": "Globals:\n  Function:\n    PermissionsBoundary: !Ref Boundary\n"
                      + BOUNDARY_TEMPLATE.split("  Worker:")[0] + SAM_FUNCTION},
    {"policies.tf": BOUNDARY_TERRAFORM.split('resource "aws_iam_role"')[0],  # the role in another file
     "roles.tf": 'resource "aws_iam_role"' + BOUNDARY_TERRAFORM.split('resource "aws_iam_role"')[1]}])
def test_a_boundary_named_in_other_ways_grants_nothing(workdir: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(workdir / name, text)
    assert run(".", "--select", GRANTS)[1] == []
