"""Policies written the way AWS's documentation writes them pass clean: provider-named
condition keys, and what the documentation says that the IAM catalog lacks
(``policylint/data/iam-documented.json``). Each has a near miss that is still flagged."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import position_of, run, write

V = "2012-10-17"
OIDC_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def github_trust(condition: dict[str, Any]) -> dict[str, Any]:
    """The IAM User Guide's trust policy for GitHub Actions OIDC."""
    return {"Version": V, "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": OIDC_PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition}]}


GITHUB = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
          "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"}}
# The data perimeter examples' placeholders, a CloudFormation Fn::Sub name, Cognito, Google, SAML.
OTHER_PROVIDERS = {"StringEquals": {"<OIDC_provider_name>:aud": "my-app", "${OidcProvider}:sub": "x",
                                    "cognito-identity.amazonaws.com:aud": "us-east-1:1234",
                                    "accounts.google.com:aud": "client.apps.googleusercontent.com",
                                    "saml:aud": "https://signin.aws.amazon.com/saml"},
                   "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
# The Step Functions Developer Guide's policy for an HTTP Task.
HTTP_TASK = {"Version": V, "Statement": [{
    "Effect": "Allow", "Action": ["states:InvokeHTTPEndpoint"],
    "Resource": ["arn:aws:states:us-east-2:123456789012:stateMachine:myStateMachine"],
    "Condition": {"StringEquals": {"states:HTTPMethod": "GET"},
                  "StringLike": {"states:HTTPEndpoint": "https://api.stripe.com/*"}}}]}
# The CloudFormation User Guide's policy for using the SAM transform.
SAM_TRANSFORM = {"Version": V, "Statement": [{
    "Effect": "Allow", "Action": ["cloudformation:CreateChangeSet"],
    "Resource": "arn:aws:cloudformation:us-west-2:aws:transform/Serverless-2016-10-31"}]}


def findings(workdir: Path, document: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    file = write(workdir / "policy.json", json.dumps(document, indent=2))
    return file.read_text(), run(".", "--select", "IAM512,IAM513,IAM514")[1]


@pytest.mark.parametrize("document", [github_trust(GITHUB), github_trust(OTHER_PROVIDERS), HTTP_TASK,
                                      SAM_TRANSFORM], ids=["github", "providers", "http-task", "sam"])
def test_documented_policies_pass_clean(workdir: Path, document: dict[str, Any]) -> None:
    assert findings(workdir, document)[1] == []


@pytest.mark.parametrize(("condition", "key"), [
    ({"StringLike": {"token.actions.githubusercontent.com:subject": "repo:o/r:*"}},
     "token.actions.githubusercontent.com:subject"),  # not a claim IAM reads
    ({"StringEquals": {"saml:audience": "x"}}, "saml:audience"),
])
def test_a_misspelt_provider_key_is_still_flagged(workdir: Path, condition: dict[str, Any],
                                                  key: str) -> None:
    text, found = findings(workdir, github_trust(condition))
    where = position_of(text, f'"{key}"')
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("IAM513", *where)]


def test_http_endpoint_keys_still_belong_to_invoke_http_endpoint_only(workdir: Path) -> None:
    document = json.loads(json.dumps(HTTP_TASK))
    document["Statement"][0]["Action"] = ["states:StartExecution"]
    text, found = findings(workdir, document)
    assert sorted((f["code"], f["line"], f["column"]) for f in found) == sorted([
        ("IAM513", *position_of(text, '"states:HTTPEndpoint"')),
        ("IAM513", *position_of(text, '"states:HTTPMethod"'))])


def test_the_transform_resource_fits_only_create_change_set(workdir: Path) -> None:
    document = json.loads(json.dumps(SAM_TRANSFORM))
    document["Statement"][0]["Action"] = ["cloudformation:DeleteStack"]
    text, found = findings(workdir, document)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("IAM512", *position_of(text, '"cloudformation:DeleteStack"'))]


def test_every_documented_entry_names_its_source() -> None:
    from policylint.catalog import action, documented, resource_types

    data = documented()
    for name, entry in data["actions"].items():
        assert entry["source"] and action(name) is not None, name
        prefix = name.split(":")[0]
        assert all(t in resource_types(prefix) for t in entry.get("resourceTypes", [])), name
    assert all(t["source"] for types in data["resourceTypes"].values() for t in types.values())
    assert data["webIdentityKeys"]["source"]


def gateway_scp(actions: list[str], condition: dict[str, Any]) -> dict[str, Any]:
    """The shape of the AgentCore Developer Guide's gateway SCP examples ('Use IAM condition
    keys with Amazon Bedrock AgentCore Gateway')."""
    return {"Version": V, "Statement": [{"Sid": "GatewayGuardrail", "Effect": "Deny", "Action": actions,
                                         "Resource": "*", "Condition": condition}]}


GATEWAY = ["bedrock-agentcore:CreateGateway", "bedrock-agentcore:UpdateGateway"]
TARGET = ["bedrock-agentcore:CreateGatewayTarget", "bedrock-agentcore:UpdateGatewayTarget"]


@pytest.mark.parametrize(("actions", "condition"), [
    (GATEWAY, {"StringNotEquals": {"bedrock-agentcore:DiscoveryUrl":
                                   "https://login.example.com/.well-known/openid-configuration"}}),
    (GATEWAY, {"Null": {"bedrock-agentcore:KmsKeyArn": "true"}}),
    (GATEWAY, {"StringEquals": {"bedrock-agentcore:GatewayAuthorizerType": "NONE",
                                "bedrock-agentcore:PolicyEngineMode": "LOG_ONLY",
                                "bedrock-agentcore:ProtocolType": "MCP"},
               "Null": {"bedrock-agentcore:PolicyEngineArn": "true"}}),
    (TARGET, {"StringNotEquals": {"bedrock-agentcore:CredentialProviderType":
                                  ["GATEWAY_IAM_ROLE", "CALLER_IAM_CREDENTIALS"]}}),
    (TARGET, {"StringEquals": {"bedrock-agentcore:McpTargetConfigurationType": "mcpServer"}}),
    (TARGET, {"Null": {"bedrock-agentcore:PrivateEndpointType": "true"}}),
    (TARGET, {"ForAnyValue:StringNotEquals": {"bedrock-agentcore:subnets": ["subnet-0123456789abcdef0"]}}),
], ids=["idp", "kms", "gateway-keys", "credential-type", "mcp-type", "private", "subnets"])
def test_agentcore_gateway_condition_keys_pass_clean(workdir: Path, actions: list[str],
                                                      condition: dict[str, Any]) -> None:
    assert findings(workdir, gateway_scp(actions, condition))[1] == []


def test_a_gateway_key_on_another_action_is_still_flagged(workdir: Path) -> None:
    document = gateway_scp(["bedrock-agentcore:InvokeGateway"],
                           {"StringEquals": {"bedrock-agentcore:GatewayAuthorizerType": "NONE"}})
    text, found = findings(workdir, document)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("IAM513", *position_of(text, '"bedrock-agentcore:GatewayAuthorizerType"'))]


GATEWAY_TEMPLATE = """\
Resources:
  Guardrail:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: [bedrock-agentcore:CreateGatewayTarget, bedrock-agentcore:UpdateGatewayTarget]
            Resource: "*"
            Condition:
              StringEquals:
                bedrock-agentcore:McpTargetConfigurationType: mcpServer
          - Effect: Deny
            Action: bedrock-agentcore:CreateGateway
            Resource: "*"
            Condition:
              StringEquals:
                bedrock-agentcore:McpTargetConfigurationType: mcpServer
"""


def test_gateway_keys_in_a_template_are_judged_per_action(workdir: Path) -> None:
    write(workdir / "template.yaml", GATEWAY_TEMPLATE)
    found = run(".", "--select", "IAM513")[1]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("IAM513", 19, 17)]
