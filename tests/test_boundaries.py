"""IAM517 within a permissions boundary: an escalation path counts only where the role's (or
user's) boundary lets each of its actions take effect, in an account export, a template and
Terraform. Where the boundary may allow an action on some resources, the path still counts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import position_of, run, write

ACCOUNT = "111122223333"
GRANTS = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
NO_IAM = [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]  # the canonical boundary
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
BOUNDARIES: dict[str, list[dict[str, Any]]] = {
    "allows no IAM action": NO_IAM,
    "allows only other services": [{"Effect": "Allow", "Action": ["s3:*", "lambda:*"], "Resource": "*"}],
    "denies PassRole everywhere": [EVERYTHING, {"Effect": "Deny", "Action": "iam:Pass*", "Resource": "*"}],
    "denies every action but Lambda's": [EVERYTHING, {"Effect": "Deny", "NotAction": "lambda:*",
                                                      "Resource": "*"}],
}
KEEPS: dict[str, list[dict[str, Any]]] = {
    "allows everything": [EVERYTHING],
    "allows PassRole on some roles": [{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"],
                                       "Resource": f"arn:aws:iam::{ACCOUNT}:role/app-*"}],
    "denies PassRole only under a condition": [EVERYTHING, {
        "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*",
        "Condition": {"StringNotEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}],
    "denies PassRole on some roles": [EVERYTHING, {"Effect": "Deny", "Action": "iam:PassRole",
                                                   "Resource": f"arn:aws:iam::{ACCOUNT}:role/admin"}],
}


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


TRUST = document([{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}])
PATH = [{"Effect": "Allow", "Action": GRANTS, "Resource": "*"}]  # the escalation path, on every resource


def managed(arn: str, statements: list[dict[str, Any]], attachments: int,
            boundary_uses: int) -> dict[str, Any]:
    return {"PolicyName": arn.rsplit("/", 1)[1], "Arn": arn, "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": boundary_uses,
            "PolicyVersionList": [{"IsDefaultVersion": True, "Document": document(statements)}]}


def principal(kind: str, name: str, boundary: str | None) -> dict[str, Any]:
    """A role or user of an export, with the escalation path as an inline policy."""
    item: dict[str, Any] = {f"{kind}Name": name, "Arn": f"arn:aws:iam::{ACCOUNT}:{kind.lower()}/{name}",
                            f"{kind}PolicyList": [{"PolicyName": "deploy", "PolicyDocument": document(PATH)}],
                            "AttachedManagedPolicies": []}
    if kind == "Role":
        item["AssumeRolePolicyDocument"] = TRUST
    if boundary:
        item["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                       "PermissionsBoundaryArn": boundary}
    return item


def escalations() -> list[tuple[int, int, str]]:
    """(line, column, message) of each IAM517 finding of the files in the current folder."""
    return [(f["line"], f["column"], f["message"]) for f in run(".", "--select", "IAM517")[1]]


@pytest.mark.parametrize("kind", ["Role", "User"])
@pytest.mark.parametrize(("why", "boundary"), [*BOUNDARIES.items(), *KEEPS.items()])
def test_an_export_s_role_or_user_escalates_only_as_its_boundary_allows(
        workdir: Path, kind: str, why: str, boundary: list[dict[str, Any]]) -> None:
    page = {"RoleDetailList": [], "UserDetailList": [], "GroupDetailList": [],
            "Policies": [managed(BOUNDARY_ARN, boundary, 0, 2)]}
    page[f"{kind}DetailList"] = [principal(kind, "bounded", BOUNDARY_ARN), principal(kind, "free", None)]
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    first, second = (position_of(text, rf'"{kind}Name": "{name}"[\s\S]*?(?P<at>"iam:PassRole")')
                     for name in ("bounded", "free"))
    who = kind.lower()
    found = escalations()
    assert [(line, column) for line, column, _ in found] == ([first, second] if why in KEEPS else [second])
    assert [message.split(" can ")[0] for _, _, message in found] == \
        ([f"{who} 'bounded'", f"{who} 'free'"] if why in KEEPS else [f"{who} 'free'"])


def test_a_boundary_the_export_does_not_list_narrows_nothing(workdir: Path) -> None:
    elsewhere = f"arn:aws:iam::{ACCOUNT}:policy/not-in-this-export"
    page = {"RoleDetailList": [principal("Role", "bounded", elsewhere)], "UserDetailList": [],
            "GroupDetailList": [], "Policies": []}
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    ((line, column, message),) = escalations()
    assert (line, column) == position_of(text, r'(?P<at>"iam:PassRole")')
    assert message.endswith("; the permissions boundary it names could not be read from the linted "
                            "files and may stop this")
    page["RoleDetailList"][0].pop("PermissionsBoundary")
    write(workdir / "account.json", json.dumps(page, indent=2))
    assert "boundary" not in escalations()[0][2]


def template(boundary: list[dict[str, Any]] | None, written: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": TRUST,
        "Policies": [{"PolicyName": "deploy", "PolicyDocument": document(PATH)}]}
    resources: dict[str, Any] = {"Deployer": {"Type": "AWS::IAM::Role", "Properties": props}}
    if boundary is not None:
        props["PermissionsBoundary"] = written
        resources["Boundary"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": "agent-boundary", "PolicyDocument": document(boundary)}}
    return {"Resources": resources}


SUB_ARN = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/agent-boundary"}


@pytest.mark.parametrize("written", [{"Ref": "Boundary"}, SUB_ARN,
                                     f"arn:aws:iam::{ACCOUNT}:policy/agent-boundary"])
def test_a_template_role_escalates_only_as_its_boundary_allows(workdir: Path, written: Any) -> None:
    for boundary, expected in ((NO_IAM, False), ([EVERYTHING], True), (None, True)):
        text = write(workdir / "template.yaml", yaml.safe_dump(template(boundary, written),
                                                               sort_keys=False)).read_text()
        where = [position_of(text, r"- (?P<at>iam:PassRole)")] if expected else []
        assert [(line, column) for line, column, _ in escalations()] == where, (boundary, written)


def test_a_terraform_role_escalates_only_as_its_boundary_allows(workdir: Path) -> None:
    def module(boundary: list[dict[str, Any]]) -> str:
        grants = document(PATH)
        return (f'resource "aws_iam_policy" "boundary" {{\n  name = "boundary"\n'
                f"  policy = jsonencode({json.dumps(document(boundary))})\n}}\n"
                'resource "aws_iam_role" "deployer" {\n  name = "deployer"\n'
                "  permissions_boundary = aws_iam_policy.boundary.arn\n"
                f"  assume_role_policy = jsonencode({json.dumps(TRUST)})\n}}\n"
                'resource "aws_iam_role_policy" "deploy" {\n  role = aws_iam_role.deployer.id\n'
                f"  policy = jsonencode({json.dumps(grants)})\n}}\n")

    write(workdir / "main.tf", module(NO_IAM))
    assert escalations() == []
    text = write(workdir / "main.tf", module([EVERYTHING])).read_text()
    assert [(line, column) for line, column, _ in escalations()] == [
        position_of(text, r'aws_iam_role_policy[\s\S]*(?P<at>"iam:PassRole")')]


def test_roles_sharing_a_policy_are_judged_apart_when_their_boundaries_differ(workdir: Path) -> None:
    deployer = f"arn:aws:iam::{ACCOUNT}:policy/deployer"
    roles = [principal("Role", name, BOUNDARY_ARN if name == "bounded" else None)
             for name in ("bounded", "free")]
    for item in roles:
        item["RolePolicyList"], item["AttachedManagedPolicies"] = [], [{"PolicyArn": deployer}]
    policies = [managed(deployer, PATH, 2, 0),
                managed(BOUNDARY_ARN, NO_IAM, 0, 1)]
    page = {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": policies}
    write(workdir / "account.json", json.dumps(page, indent=2))
    assert [message.split(" can ")[0] for _, _, message in escalations()] == ["role 'free'"]
    roles[0].pop("PermissionsBoundary")
    write(workdir / "account.json", json.dumps(page, indent=2))
    assert [message.split(" can ")[0] for _, _, message in escalations()] == ["roles 'bounded' and 'free'"]


def test_the_role_sam_makes_for_a_state_machine_is_bounded_as_written(workdir: Path) -> None:
    for boundary, expected in ((NO_IAM, 0), ([EVERYTHING], 1)):
        sam = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "Flow": {"Type": "AWS::Serverless::StateMachine", "Properties": {
                "PermissionsBoundary": {"Ref": "Boundary"},
                "Policies": [{"Statement": PATH}],
                "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}}},
            "Boundary": {"Type": "AWS::IAM::ManagedPolicy",
                         "Properties": {"PolicyDocument": document(boundary)}}}}
        write(workdir / "template.yaml", yaml.safe_dump(sam, sort_keys=False))
        assert len(escalations()) == expected, boundary


@pytest.mark.parametrize("written", [f"arn:aws:iam::{ACCOUNT}:policy/shared-boundary",
                                     "arn:aws:iam::aws:policy/agent-boundary"])  # AWS's, not the template's
def test_a_template_role_whose_boundary_is_elsewhere_is_judged_with_a_word_on_it(workdir: Path,
                                                                                 written: str) -> None:
    text = yaml.safe_dump(template(NO_IAM, written), sort_keys=False)
    write(workdir / "template.yaml", text)
    ((line, column, message),) = escalations()
    assert (line, column) == position_of(text, r"- (?P<at>iam:PassRole)")
    assert message.endswith("could not be read from the linted files and may stop this")


ALLOW_ALL_IF = {"Fn::If": ["Strict", EVERYTHING, {"Ref": "AWS::NoValue"}]}
KNOWN_AT_DEPLOYMENT: dict[str, Any] = {  # each may allow iam:PassRole once deployed
    "a statement under !If": document([ALLOW_ALL_IF]),
    "the statements under !If": {"Version": "2012-10-17", "Statement": ALLOW_ALL_IF},
    "actions from a parameter": document([{"Effect": "Allow", "Action": {"Ref": "Actions"},
                                           "Resource": "*"}]),
    "actions split from a string": document([{"Effect": "Allow", "Resource": "*",
                                              "Action": {"Fn::Split": [",", {"Ref": "Actions"}]}}]),
    "an effect from a parameter": document([{"Effect": {"Ref": "Effect"}, "Action": "*", "Resource": "*"}]),
    "a Deny of all but a parameter's": document([EVERYTHING, {
        "Effect": "Deny", "Resource": "*", "NotAction": [{"Ref": "Effect"}]}]),
}


@pytest.mark.parametrize("boundary", KNOWN_AT_DEPLOYMENT.values(), ids=KNOWN_AT_DEPLOYMENT)
def test_a_boundary_known_only_at_deployment_narrows_nothing(workdir: Path,
                                                             boundary: dict[str, Any]) -> None:
    written = template(NO_IAM, {"Ref": "Boundary"})
    written["Resources"]["Boundary"]["Properties"]["PolicyDocument"] = boundary
    written["Parameters"] = {"Actions": {"Type": "String"}, "Effect": {"Type": "String"}}
    written["Conditions"] = {"Strict": {"Fn::Equals": [{"Ref": "Effect"}, "Allow"]}}
    text = write(workdir / "template.yaml", yaml.safe_dump(written, sort_keys=False)).read_text()
    ((line, column, message),) = escalations()
    assert (line, column) == position_of(text, r"- (?P<at>iam:PassRole)")
    assert message.endswith("; the permissions boundary it names is known only at deployment and may "
                            "stop this")


@pytest.mark.parametrize("statements", [
    '[{Effect = "Allow", Action = var.actions, Resource = "*"}]',
    'var.strict ? [] : [{Effect = "Allow", Action = "*", Resource = "*"}]',
    'concat([{Effect = "Allow", Action = "s3:*", Resource = "*"}], var.more)'])
def test_a_terraform_boundary_known_only_at_deployment_narrows_nothing(workdir: Path,
                                                                       statements: str) -> None:
    grants = document(PATH)
    text = write(workdir / "main.tf", (
        'variable "actions" {}\nvariable "strict" {}\nvariable "more" {}\n'
        'resource "aws_iam_policy" "boundary" {\n  name = "boundary"\n'
        f'  policy = jsonencode({{Version = "2012-10-17", Statement = {statements}}})\n}}\n'
        'resource "aws_iam_role" "deployer" {\n  name = "deployer"\n'
        "  permissions_boundary = aws_iam_policy.boundary.arn\n"
        f"  assume_role_policy = jsonencode({json.dumps(TRUST)})\n}}\n"
        'resource "aws_iam_role_policy" "deploy" {\n  role = aws_iam_role.deployer.id\n'
        f"  policy = jsonencode({json.dumps(grants)})\n}}\n")).read_text()
    ((line, column, message),) = escalations()
    assert (line, column) == position_of(text, r'aws_iam_role_policy[\s\S]*(?P<at>"iam:PassRole")')
    assert message.endswith("known only at deployment and may stop this")


@pytest.mark.parametrize(("boundary", "escalates"), [
    (None, False), ([EVERYTHING], False), (NO_IAM, False),
    ([EVERYTHING, {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}], False),  # none undoes it
    ([{"Effect": "Allow", "Action": ["s3:PutBucketPolicy", "s3:ListBucket"], "Resource": "*"}], True),
    ([{"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"}], True),
    ([{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data*"}], True)])
def test_a_bucket_policy_rewrite_grants_what_the_boundary_leaves_out(
        workdir: Path, boundary: list[dict[str, Any]] | None, escalates: bool) -> None:
    """A role with every S3 action on its bucket gains nothing by rewriting the bucket's policy;
    within a boundary that leaves an S3 action out, it does: a bucket policy that names the
    role's session grants what the boundary does not allow (only a Deny still holds)."""
    written = template(boundary, {"Ref": "Boundary"})
    written["Resources"]["Deployer"]["Properties"]["Policies"][0]["PolicyDocument"] = document([
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}])
    text = write(workdir / "template.yaml", yaml.safe_dump(written, sort_keys=False)).read_text()
    found = escalations()
    assert [(line, column) for line, column, _ in found] == \
        ([position_of(text, r"PolicyName: deploy[\s\S]*?Action: (?P<at>s3:\*)")] if escalates else [])
    assert all("rewriting a bucket's policy (s3:PutBucketPolicy)" in message for _, _, message in found)


def sam_function(policies: list[Any], globals_boundary: Any = None, **props: Any) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Deployer": {"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/", "Policies": policies,
            **props}},
        "Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document(NO_IAM)}}}
    sam: dict[str, Any] = {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}
    if globals_boundary is not None:
        sam["Globals"] = {"Function": {"PermissionsBoundary": globals_boundary}}
    return sam


def test_the_role_sam_makes_for_a_function_is_judged_within_its_boundary(workdir: Path) -> None:
    """SAM makes a function's role (``<LogicalId>Role``) from its Policies, bounded by its own
    PermissionsBoundary or the template's Globals.Function one."""
    path = [{"Statement": PATH}]
    text = yaml.safe_dump(sam_function(path), sort_keys=False)
    write(workdir / "template.yaml", text)
    ((line, column, message),) = escalations()
    assert (line, column) == position_of(text, r"- (?P<at>iam:PassRole)")
    assert message.startswith("role 'DeployerRole' can escalate its privileges through a Lambda function")
    for sam in (sam_function(path, PermissionsBoundary={"Ref": "Boundary"}),
                sam_function(path, globals_boundary={"Ref": "Boundary"})):
        write(workdir / "template.yaml", yaml.safe_dump(sam, sort_keys=False))
        assert escalations() == []
    # a role of its own: that role is judged, not one SAM would make
    own = sam_function(path, Role=f"arn:aws:iam::{ACCOUNT}:role/x")
    write(workdir / "template.yaml", yaml.safe_dump(own, sort_keys=False))
    assert escalations() == []
    managed_only = sam_function(["AWSLambdaBasicExecutionRole"])
    write(workdir / "template.yaml", yaml.safe_dump(managed_only, sort_keys=False))
    assert escalations() == []


def test_a_policy_named_as_an_aws_managed_boundary_is_still_a_grant(workdir: Path) -> None:
    """A role bounded by AWS's PowerUserAccess does not make the template's own policy of that
    name a boundary: that policy grants, and is judged as a grant."""
    props = template(None, None)["Resources"]["Deployer"]["Properties"]
    props["PermissionsBoundary"] = "arn:aws:iam::aws:policy/PowerUserAccess"
    own = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "PowerUserAccess",
                                                             "PolicyDocument": document([
                                                                 {"Effect": "Allow", "Action": "iam:PassRole",
                                                                  "Resource": "*"}])}}
    cfn = {"Resources": {"Deployer": {"Type": "AWS::IAM::Role", "Properties": props}, "Own": own}}
    text = yaml.safe_dump(cfn, sort_keys=False)
    write(workdir / "template.yaml", text)
    found = [(f["line"], f["column"]) for f in run(".", "--select", "IAM507")[1]]
    assert position_of(text, r"Own:[\s\S]*Resource: (?P<at>'\*')") in found
