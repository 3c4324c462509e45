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
