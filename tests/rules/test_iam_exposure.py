"""IAM519 public-resource-policy at exact positions: resource policies, trust policies and
Lambda permissions that let anyone in, and the forms that do not."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import position_of, run, write

V = "2012-10-17"
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def bucket_policy(principal: Any, **more: Any) -> dict[str, Any]:
    return {"Version": V, "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
                                         "Resource": "arn:aws:s3:::reports/*", **more}]}


def template(resource_type: str, props: dict[str, Any]) -> str:
    return yaml.safe_dump({"Resources": {"Thing": {"Type": resource_type, "Properties": props}}},
                          sort_keys=False)


def lint(workdir: Path, name: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    write(workdir / name, text)
    return text, run(".", "--select", "IAM519")[1]


@pytest.mark.parametrize(("principal", "at"), [
    ("*", r'"Principal": (?P<at>"\*")'), ({"AWS": "*"}, r'"AWS": (?P<at>"\*")'),
    ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, r'(?P<at>"\*")')])
def test_a_public_policy_is_flagged_at_its_principal(workdir: Path, principal: Any, at: str) -> None:
    text, found = lint(workdir, "policy.json", json.dumps(bucket_policy(principal)))
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("IAM519", *position_of(text, at))]


@pytest.mark.parametrize("document", [
    bucket_policy("*", Condition=ORG),
    bucket_policy({"AWS": "*"}, Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::logs"}}),
    bucket_policy({"AWS": "arn:aws:iam::111122223333:root"}),
    {"Version": V, "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
    {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},  # identity
])
def test_what_is_not_public(workdir: Path, document: dict[str, Any]) -> None:
    assert lint(workdir, "policy.json", json.dumps(document))[1] == []


def test_a_trust_policy_anyone_can_assume(workdir: Path) -> None:
    text = template("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}})
    _, found = lint(workdir, "template.yaml", text)
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, r"AWS: (?P<at>'\*')")]


@pytest.mark.parametrize(("resource_type", "key"), [
    ("AWS::SQS::QueuePolicy", "PolicyDocument"), ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::ECR::Repository", "RepositoryPolicyText")])
def test_every_kind_of_resource_policy(workdir: Path, resource_type: str, key: str) -> None:
    text = template(resource_type, {key: bucket_policy("*")})
    _, found = lint(workdir, "template.yaml", text)
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, r"Principal: (?P<at>'\*')")]


def test_a_vpc_endpoint_policy_is_not_a_public_resource(workdir: Path) -> None:
    text = template("AWS::EC2::VPCEndpoint", {"PolicyDocument": bucket_policy("*")})
    assert lint(workdir, "template.yaml", text)[1] == []


@pytest.mark.parametrize(("props", "flagged"), [
    ({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "*"}, True),
    ({"Action": "lambda:InvokeFunctionUrl", "FunctionName": "f", "Principal": "*",
      "FunctionUrlAuthType": "NONE"}, True),
    ({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "*",
      "SourceArn": "arn:aws:s3:::b"}, False),
    ({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "*",
      "PrincipalOrgID": "o-1"}, False),
    ({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "s3.amazonaws.com"}, False),
])
def test_lambda_permissions(workdir: Path, props: dict[str, Any], flagged: bool) -> None:
    text, found = lint(workdir, "template.yaml", template("AWS::Lambda::Permission", props))
    expected = [position_of(text, r"Principal: (?P<at>'\*')")] if flagged else []
    assert [(f["line"], f["column"]) for f in found] == expected


def test_a_grant_to_aws_services_only_is_narrowed(workdir: Path) -> None:
    document = bucket_policy("*", Condition={"Bool": {"aws:PrincipalIsAWSService": "true"}})
    assert lint(workdir, "policy.json", json.dumps(document))[1] == []
