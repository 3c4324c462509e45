"""IAM501-IAM511 on policies where users write them: a standalone policy file, a role in a
CloudFormation template, and an `aws iam get-account-authorization-details` export."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from agentcore import HARNESS_ARN, statement, trust, workflow_policy
from helpers import position_of, run, write

Policy = dict[str, Any]


def standalone(root: Path, policy: Policy, trust_policy: Policy) -> Path:
    write(root / "trust.json", json.dumps(trust_policy, indent=2))
    return write(root / "policy.json", json.dumps(policy, indent=2))


def template(root: Path, policy: Policy, trust_policy: Policy) -> Path:
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": trust_policy,
        "Policies": [{"PolicyName": "p", "PolicyDocument": policy}]}}
    return write(root / "template.yaml", yaml.safe_dump({"Resources": {"Role": role}}, sort_keys=False))


def account(root: Path, policy: Policy, trust_policy: Policy) -> Path:
    export = {"RoleDetailList": [{
        "RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": trust_policy,
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}], "AttachedManagedPolicies": []}],
        "Policies": []}
    return write(root / "account.json", json.dumps(export, indent=2))


def terraform(root: Path, policy: Policy, trust_policy: Policy) -> Path:
    """A Terraform role: jsonencode of the trust policy, and of an inline policy."""
    inline = json.dumps(policy, indent=2)
    return write(root / "iam.tf", 'resource "aws_iam_role" "r" {\n  name = "r"\n'
                 f"  assume_role_policy = jsonencode({json.dumps(trust_policy, indent=2)})\n"
                 f'  inline_policy {{\n    name   = "p"\n    policy = jsonencode({inline})\n  }}\n}}\n')


FORMS: dict[str, Callable[[Path, Policy, Policy], Path]] = {
    "standalone": standalone, "template": template, "account": account, "terraform": terraform}
GOOD_TRUST = trust("states.amazonaws.com")


def with_statement(extra: dict[str, Any]) -> Policy:
    policy = workflow_policy()
    policy["Statement"].append(extra)
    return policy


Q = r"[\"']?"
ANY_HARNESS = HARNESS_ARN.rsplit("/", 1)[0] + "/*"
CASES: dict[str, tuple[Policy, str]] = {
    "IAM501": (with_statement(statement(["bedrock-agentcore:InvokeHarness"], ANY_HARNESS)),
               rf"(?P<at>{Q}arn[^\n]*harness/\*)"),
    "IAM502": (with_statement(statement(["bedrock-agentcore:*"], HARNESS_ARN)),
               rf"(?P<at>{Q}bedrock-agentcore:\*)"),
    "IAM507": (with_statement(statement(["iam:PassRole"], "*")), rf"Resource{Q}: (?P<at>{Q}\*)"),
    "IAM508": (with_statement(statement(["bedrock-agentcore:InvokeHarnes"], HARNESS_ARN)),
               rf"(?P<at>{Q}bedrock-agentcore:InvokeHarnes{Q}\n)"),
    "IAM509": (with_statement({"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}),
               rf"Effect{Q}: (?P<at>{Q}allow)"),
    "IAM511": (with_statement({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
               rf"(?P<at>{Q}NotAction)"),
}


@pytest.mark.parametrize("form", FORMS)
def test_clean_policies_have_no_findings(workdir: Path, form: str) -> None:
    FORMS[form](workdir, workflow_policy(), GOOD_TRUST)
    assert run(".") == (0, [])


# Positions of a role's policies in templates and Terraform are tests/test_conformance.py's
# concern; an account export is read by a front end of its own, so the rules run there too.
@pytest.mark.parametrize("form", ["standalone", "account"])
@pytest.mark.parametrize("code", CASES)
def test_iam_rule_fires_at_the_offending_key_or_value(workdir: Path, form: str, code: str) -> None:
    policy, pattern = CASES[code]
    file = FORMS[form](workdir, policy, GOOD_TRUST)
    findings = [f for f in run(".")[1] if f["code"] == code]
    assert len(findings) == 1, findings
    assert Path(findings[0]["file"]).resolve() == file.resolve()
    assert (findings[0]["line"], findings[0]["column"]) == position_of(file.read_text(), pattern)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("service", ["states.amazonaws.com", "bedrock-agentcore.amazonaws.com"])
def test_trust_without_source_condition(workdir: Path, form: str, service: str) -> None:
    loose = trust(service)
    del loose["Statement"][0]["Condition"]
    FORMS[form](workdir, workflow_policy(), loose)
    (finding,) = run(".", "--select", "IAM510")[1]
    file = workdir / finding["file"]
    assert (finding["line"], finding["column"]) == position_of(file.read_text(), rf"(?P<at>{Q}{service})")


def test_source_arn_condition_and_other_services_are_fine(workdir: Path) -> None:
    by_arn = trust("bedrock-agentcore.amazonaws.com")
    by_arn["Statement"][0]["Condition"] = {"ArnLike": {"AWS:SourceArn": HARNESS_ARN}}
    standalone(workdir, workflow_policy(), by_arn)
    write(workdir / "lambda-trust.json", json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    assert run(".", "--select", "IAM510") == (0, [])


def test_unknown_action_suggests_the_real_one(workdir: Path) -> None:
    standalone(workdir, CASES["IAM508"][0], GOOD_TRUST)
    (finding,) = run(".", "--select", "IAM508")[1]
    assert "did you mean 'bedrock-agentcore:InvokeHarness'" in finding["message"]


def test_unknown_service_and_wildcards(workdir: Path) -> None:
    policy = with_statement(statement(["bedrock-agentcor:InvokeHarness", "s3:Get*", "s3:Frobnicate*"], "*"))
    standalone(workdir, policy, GOOD_TRUST)
    messages = sorted(f["message"] for f in run(".", "--select", "IAM508")[1])
    assert messages == ["'bedrock-agentcor:InvokeHarness' names unknown service 'bedrock-agentcor' "
                        "(did you mean 'bedrock-agentcore:InvokeHarness'?)",
                        "'s3:Frobnicate*' matches no s3 action"]


def test_unknown_action_with_nothing_close(workdir: Path) -> None:
    standalone(workdir, with_statement(statement(["s3:HeadBucket"], "*")), GOOD_TRUST)
    assert [f["message"] for f in run(".", "--select", "IAM508")[1]] == [
        "'s3:HeadBucket' is not an action of s3 (see its actions in the Service Authorization Reference)"]


def test_actions_are_case_insensitive_and_variables_are_fine(workdir: Path) -> None:
    policy = with_statement(statement(["S3:getobject"], "arn:aws:s3:::bucket/${aws:username}/*"))
    standalone(workdir, policy, GOOD_TRUST)
    assert run(".") == (0, [])


def test_deny_with_not_action_is_fine_and_passrole_on_one_role_is_fine(workdir: Path) -> None:
    policy = with_statement({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})
    policy["Statement"].append(statement(["iam:PassRole"], "arn:aws:iam::111122223333:role/harness"))
    standalone(workdir, policy, GOOD_TRUST)
    assert run(".") == (0, [])


def test_malformed_statements(workdir: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resources": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"},
        {"Effect": "Deny", "Action": 5, "Resource": "*"}]}
    file = standalone(workdir, policy, GOOD_TRUST)
    found = sorted((f["line"], f["message"]) for f in run(".", "--select", "IAM509")[1])
    text = file.read_text()
    assert found == sorted([
        (position_of(text, r"\"Resources\"")[0], "unknown statement field 'Resources'"),
        (position_of(text, r"\{\n\s+\"Effect\": \"Allow\",\n\s+\"Action\": \"s3:\w+\",\n\s+\"Resources")[0],
         "the statement has no Resource (or NotResource)"),
        (position_of(text, r"\"NotAction\"")[0], "a statement has Action or NotAction, not both"),
        (position_of(text, r"\"Action\": 5")[0], "Action must be a string or a list of strings")])


def test_template_intrinsics_are_not_malformed(workdir: Path) -> None:
    text = """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {Service: states.amazonaws.com}
            Action: sts:AssumeRole
            Condition: {StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - !If
                - IsProd
                - {Effect: Allow, Action: s3:GetObject, Resource: !Sub "arn:${AWS::Partition}:s3:::b/*"}
                - !Ref AWS::NoValue
              - Effect: Allow
                Action: s3:PutObject
                Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
"""
    write(workdir / "template.yaml", text)
    assert run(".") == (0, [])


def test_unknown_top_level_key_and_empty_template_policy(workdir: Path) -> None:
    text = yaml.safe_dump({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {**workflow_policy(), "Statment": []}}]}}}},
        sort_keys=False)
    write(workdir / "template.yaml", text)
    found = sorted((f["line"], f["message"]) for f in run(".", "--select", "IAM509")[1])
    assert found == sorted([
        (position_of(text, r"(?P<at>AssumeRolePolicyDocument)")[0],
         "the policy has no Statement: it allows and denies nothing"),
        (position_of(text, r"(?P<at>Statment)")[0],
         "unknown policy field 'Statment' (a policy has Version, Id and Statement)")])


@pytest.mark.parametrize("key", ["NotResource", "Resource"])
def test_allow_with_not_resource(workdir: Path, key: str) -> None:
    """Every resource but a bucket's objects is flagged; its objects only are not."""
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", key: "arn:aws:s3:::b/*"}]}
    text = write(workdir / "policy.json", json.dumps(document, indent=2)).read_text()
    found = [(f["line"], f["column"]) for f in run(".", "--select", "IAM511")[1]]
    assert found == ([position_of(text, r'(?P<at>"NotResource")')] if key == "NotResource" else [])


def test_allow_with_not_principal(workdir: Path) -> None:
    bucket = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    text = write(workdir / "bucket-policy.json", json.dumps(bucket, indent=2)).read_text()
    (finding,) = run(".", "--select", "IAM511")[1]
    assert (finding["line"], finding["column"]) == position_of(text, r'(?P<at>"NotPrincipal")')


@pytest.mark.parametrize(("resource", "flagged"), [
    ("arn:aws:s3:::b/*", False), (["arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:s3:::b"], False),
    ("*", True), ("arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h", True),
    ("arn:aws:*:us-east-1:111122223333:*", True)])
def test_star_action_is_an_agentcore_wildcard_only_where_agentcore_can_be(workdir: Path, resource: Any,
                                                                           flagged: bool) -> None:
    write(workdir / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": resource}]}))
    assert bool(run(".", "--select", "IAM502")[1]) is flagged


@pytest.mark.parametrize(("text", "message", "at"), [
    ('{"Version": "2012-10-17"}', "the policy has no Statement: it allows and denies nothing", "{"),
    ('{"Version": "2012-10-17", "Statement": []}',
     "Statement must be a statement or a non-empty list of them", '"Statement"'),
])
def test_a_policy_without_statements(workdir: Path, text: str, message: str, at: str) -> None:
    write(workdir / "policy.json", text)
    findings = run(".", "--select", "IAM509")[1]
    assert [(f["message"], f["line"], f["column"]) for f in findings] == [(message, *position_of(text, at))]


def test_a_version_alone_among_other_keys_is_not_a_policy(workdir: Path) -> None:
    write(workdir / "package.json", '{"name": "x", "Version": "2012-10-17"}')
    assert run(".")[1] == []


@pytest.mark.parametrize("condition, advice", [
    (None, "name the role ARN and add an iam:PassedToService condition"),
    ({"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}, "name the role ARN"),
    ({"StringEquals": ["iam:PassedToService"]}, "name the role ARN and add an iam:PassedToService condition"),
])
def test_passrole_advice_asks_only_for_what_is_missing(workdir: Path, condition: Any, advice: str) -> None:
    passes = statement(["iam:PassRole"], "*")
    if condition:
        passes["Condition"] = condition
    file = standalone(workdir, with_statement(passes), GOOD_TRUST)
    found = [(f["line"], f["column"], f["message"]) for f in run(".", "--select", "IAM507")[1]]
    assert found == [(*position_of(file.read_text(), rf"Resource{Q}: (?P<at>{Q}\*)"),
                      f"iam:PassRole is allowed on '*': any role can be passed; {advice}")]


@pytest.mark.parametrize("actions, target", [
    (["bedrock-agentcore:InvokeHarness"], "harness"),
    (["bedrock-agentcore:InvokeAgentRuntime"], "harness or agent runtime"),  # a runtime's ARN too
])
def test_invoke_wildcard_advice_names_what_the_action_invokes(workdir: Path, actions: list[str],
                                                              target: str) -> None:
    file = standalone(workdir, with_statement(statement(actions, "*")), GOOD_TRUST)
    found = [(f["line"], f["column"], f["message"]) for f in run(".", "--select", "IAM501")[1]]
    assert found == [(*position_of(file.read_text(), rf"Resource{Q}: (?P<at>{Q}\*)"),
                      f"{actions[0]} is allowed on '*': the role may run any matching agent; "
                      f"name the one {target} ARN")]


@pytest.mark.parametrize("first", [statement(["s3:GetObject"], "arn:aws:s3:::b/*"), statement(["*"], "*")])
def test_invoke_wildcard_after_a_statement_that_invokes_no_agent(workdir: Path,
                                                                 first: dict[str, Any]) -> None:
    """The first statement invokes nothing of AgentCore's (``*`` on ``*`` is IAM502's); the
    second invokes both kinds of agent on any."""
    invokes = ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"]
    document = {"Version": "2012-10-17", "Statement": [first, statement(invokes, "*")]}
    text = standalone(workdir, document, GOOD_TRUST).read_text()
    found = [(f["line"], f["column"], f["message"]) for f in run(".", "--select", "IAM501")[1]]
    assert found == [(*position_of(text, r'(?s)InvokeAgentRuntime.*?"Resource": (?P<at>"\*")'),
                      f"{', '.join(invokes)} is allowed on '*': the role may run any matching agent; "
                      "name the one harness or agent runtime ARN")]


@pytest.mark.parametrize(("actions", "denied", "flagged"), [
    (["iam:PassRole"], False, True),
    (["iam:GetRole"], False, False),  # another IAM action: it passes no role
    (["iam:PassRole"], True, False)])  # a Deny of the same roles
def test_passrole_on_every_role_of_an_account(workdir: Path, actions: list[str], denied: bool,
                                              flagged: bool) -> None:
    roles = "arn:aws:iam::111122223333:role/*"
    document = {"Version": "2012-10-17", "Statement": [statement(actions, roles)]}
    if denied:
        document["Statement"].append({"Effect": "Deny", "Action": "iam:PassRole", "Resource": roles})
    text = standalone(workdir, document, GOOD_TRUST).read_text()
    found = [(f["line"], f["column"]) for f in run(".", "--select", "IAM507")[1]]
    assert found == ([position_of(text, r'(?P<at>"arn:aws:iam::111122223333:role/\*")')] if flagged else [])
