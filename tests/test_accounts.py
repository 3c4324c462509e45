"""Account exports at scale: over the general size limit, set by max-file-size, and several
pages of one account read as one."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import position_of, run, write

ACCOUNT = "111122223333"
MANAGED = f"arn:aws:iam::{ACCOUNT}:policy/deployer"


def role(name: str, attached: list[str], padding: int = 0) -> dict[str, Any]:
    return {"RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "Description": "x" * padding,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"}]},
            "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyArn": arn} for arn in attached]}


def managed(arn: str, actions: list[str]) -> dict[str, Any]:
    return {"Arn": arn, "PolicyVersionList": [{"IsDefaultVersion": True, "Document": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}}]}


def export(roles: list[dict[str, Any]], policies: list[dict[str, Any]], truncated: bool = False) -> str:
    page: dict[str, Any] = {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [],
                            "Policies": policies}
    if truncated:
        page.update(IsTruncated=True, Marker="next")
    return json.dumps(page)


@pytest.mark.slow  # a 5 MiB export
def test_an_export_over_5_mib_is_read(workdir: Path) -> None:
    roles = [role(f"r{i}", [MANAGED], padding=10_000) for i in range(600)]  # about 6 MB
    write(workdir / "account.json", export(roles, [managed(MANAGED, ["iam:CreatePolicyVersion"])]))
    codes = {f["code"] for f in run(".")[1]}
    assert "IAM517" in codes and "PL002" not in codes


def test_max_file_size_sets_the_limit_for_every_file(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", "max-file-size: 1KiB\n")
    write(workdir / "account.json", export([role("r", [], padding=2000)], []))
    (finding,) = run(".")[1]
    assert finding["code"] == "PL002" and "over the 1,024 byte limit" in finding["message"]


def test_a_file_that_is_not_an_export_keeps_the_5_mib_limit(workdir: Path) -> None:
    write(workdir / "flow.asl.json", json.dumps({"StartAt": "A", "Comment": "x" * (6 * 1024 * 1024),
                                                 "States": {"A": {"Type": "Succeed"}}}))
    (finding,) = run(".")[1]
    assert finding["code"] == "PL002" and "over the 5,242,880 byte limit" in finding["message"]


def test_the_pages_of_a_paginated_export_are_one_account(workdir: Path) -> None:
    write(workdir / "page1.json", export([role("deployer", [MANAGED])], [], truncated=True))
    write(workdir / "page2.json", export([], [managed(MANAGED, ["iam:CreatePolicyVersion"])]))
    findings = [f for f in run(".")[1] if f["code"] == "IAM517"]
    assert [f["message"].split(" can ")[0] for f in findings] == ["role 'deployer'"]
    assert findings[0]["file"] == "page2.json"  # at the action, in the page that grants it


@pytest.mark.parametrize(("arn", "linted"), [
    (MANAGED, True),  # the account's own managed policy
    ("arn:aws:iam::aws:policy/IAMFullAccess", False),  # AWS wrote it: nobody can change it
    ("arn:aws-cn:iam::aws:policy/IAMFullAccess", False)])
def test_aws_managed_policies_count_for_their_roles_but_are_not_linted(workdir: Path, arn: str,
                                                                        linted: bool) -> None:
    policy = managed(arn, ["iam:CreatePolicyVersion", "s3:GetObjekt"])
    page = json.loads(export([role("deployer", [arn])], [policy]))
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    found = run(".")[1]
    unknown = [(f["line"], f["column"]) for f in found if f["code"] == "IAM508"]
    assert unknown == ([position_of(text, r'(?P<at>"s3:GetObjekt")')] if linted else [])
    (escalation,) = [f for f in found if f["code"] == "IAM517"]  # what it grants, the role has
    assert escalation["message"].startswith("role 'deployer' can escalate its privileges")
    where = position_of(text, r'(?P<at>"iam:CreatePolicyVersion")')
    assert (escalation["line"], escalation["column"]) == where


@pytest.mark.parametrize("pages", [
    [[managed(MANAGED, ["iam:CreatePolicyVersion"]), {"Arn": MANAGED, "PolicyVersionList": []}]],
    [[managed(MANAGED, ["iam:CreatePolicyVersion"])], [{"Arn": MANAGED}]]])  # a later page's listing
def test_a_listing_without_a_default_version_does_not_hide_the_policy(
        workdir: Path, pages: list[list[dict[str, Any]]]) -> None:
    """A managed policy listed again with no default version (two exports of one account, a
    filtered one): what the first listing grants still counts for its roles."""
    texts = [write(workdir / f"page{n}.json", json.dumps(json.loads(export(
        [role("deployer", [MANAGED])] if n == 0 else [], policies)), indent=2)).read_text()
        for n, policies in enumerate(pages)]
    found = [(f["file"], f["line"], f["column"], f["message"].split(" can ")[0])
             for f in run(".", "--select", "IAM517")[1]]
    assert found == [("page0.json", *position_of(texts[0], r'(?P<at>"iam:CreatePolicyVersion")'),
                      "role 'deployer'")]


def user(name: str, attached: list[str], groups: list[str] = (), inline: list[str] = ()) -> dict[str, Any]:
    statements = [{"Effect": "Allow", "Action": list(inline), "Resource": "*"}] if inline else []
    return {"UserName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "GroupList": list(groups),
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17",
                                                                       "Statement": statements}}]
            if inline else [], "AttachedManagedPolicies": [{"PolicyArn": arn} for arn in attached]}


def group(name: str, inline: list[str]) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": inline, "Resource": "*"}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return {"GroupName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "AttachedManagedPolicies": [],
            "GroupPolicyList": [{"PolicyName": "team", "PolicyDocument": document}]}


def test_a_user_is_judged_with_every_policy_it_acts_with(workdir: Path) -> None:
    """An AWS managed policy attached to a user escalates the user, as it does a role."""
    aws = "arn:aws:iam::aws:policy/IAMFullAccess"
    page = {"RoleDetailList": [], "UserDetailList": [user("alice", [aws])], "GroupDetailList": [],
            "Policies": [managed(aws, ["iam:CreatePolicyVersion"])]}
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    (found,) = [f for f in run(".")[1] if f["code"] == "IAM517"]
    assert found["message"].startswith("user 'alice' can escalate its privileges")
    assert (found["line"], found["column"]) == position_of(text, r'(?P<at>"iam:CreatePolicyVersion")')


@pytest.mark.parametrize("member", [True, False])
def test_a_users_groups_give_it_their_policies(workdir: Path, member: bool) -> None:
    """iam:PassRole and lambda:CreateFunction from the group, lambda:InvokeFunction of its own:
    together an escalation path (Rhino #15); apart, none."""
    page = {"RoleDetailList": [], "Policies": [],
            "UserDetailList": [user("bob", [], ["deployers"] if member else [], ["lambda:InvokeFunction"])],
            "GroupDetailList": [group("deployers", ["iam:PassRole", "lambda:CreateFunction"])]}
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    found = [f for f in run(".")[1] if f["code"] == "IAM517"]
    if not member:
        assert found == []
        return
    (finding,) = found
    assert finding["message"].startswith("user 'bob' can escalate its privileges through a Lambda function")
    assert (finding["line"], finding["column"]) == position_of(text, r'(?P<at>"iam:PassRole")')


def test_a_role_and_a_user_with_the_same_policies_are_one_finding(workdir: Path) -> None:
    page = json.loads(export([role("deployer", [MANAGED])], [managed(MANAGED, ["iam:CreatePolicyVersion"])]))
    page["UserDetailList"] = [user("alice", [MANAGED])]
    write(workdir / "account.json", json.dumps(page, indent=2))
    (found,) = [f for f in run(".")[1] if f["code"] == "IAM517"]
    assert found["message"].startswith("role 'deployer' and user 'alice' can escalate their privileges")


@pytest.mark.parametrize(("attachments", "judged"), [(0, False), (1, True)])
def test_a_policy_an_export_uses_only_as_a_boundary_grants_nothing(workdir: Path, attachments: int,
                                                                    judged: bool) -> None:
    """AWS counts a managed policy's attachments and boundary uses: one used only as a
    boundary grants nothing (no IAM507/IAM517/IAM518), but its grammar is still checked."""
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    policy = managed(boundary, ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction",
                                "s3:GetObjekt"])
    policy.update(AttachmentCount=attachments, PermissionsBoundaryUsageCount=1)
    worker = role("worker", [boundary] if attachments else [])
    worker["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    page = json.loads(export([worker], [policy]))
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    found = {(f["code"], f["line"], f["column"]) for f in run(".")[1]}
    passrole = position_of(text, r'(?P<at>"iam:PassRole")')
    assert ("IAM508", *position_of(text, r'(?P<at>"s3:GetObjekt")')) in found
    assert (("IAM517", *passrole) in found) == judged
    grants = {"IAM507", "IAM517", "IAM518"}  # PassRole on *, an escalation path, writes on *
    assert {code for code, _, _ in found} == ({"IAM508", *grants} if judged else {"IAM508"})


def test_the_account_s_own_policy_is_linted_after_anything_else_in_the_list(workdir: Path) -> None:
    """An AWS managed policy, an entry without an ARN and one without a default version (its
    role gets nothing known from it) come first: the account's own policy is still linted."""
    aws = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    draft = f"arn:aws:iam::{ACCOUNT}:policy/draft"
    undecided = managed(draft, ["s3:ListBukket"])  # not its default version: not linted
    undecided["PolicyVersionList"][0]["IsDefaultVersion"] = False
    policies = [managed(aws, ["s3:GetObjekt"]), {"PolicyName": "no-arn"}, undecided,
                managed(MANAGED, ["s3:PutObjekt"])]
    page = json.loads(export([role("deployer", [aws, draft, MANAGED])], policies))
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    found = run(".")[1]  # every rule: the role's too, which read its managed policies
    assert [(f["line"], f["column"]) for f in found if f["code"] == "IAM508"] == [
        position_of(text, r'(?P<at>"s3:PutObjekt")')]


def test_users_and_groups_inline_policies_are_linted(workdir: Path) -> None:
    """Each policy document where it is written; entries that are not objects are passed over."""
    def inline(action: str) -> dict[str, Any]:
        return {"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "*"}]}}

    page = json.loads(export([], []))
    page["UserDetailList"] = ["not a user", {"UserName": "u", "UserPolicyList": ["not a policy",
                                                                                 inline("s3:GetObjekt")]}]
    page["GroupDetailList"] = [{"GroupName": "g", "GroupPolicyList": [inline("s3:PutObjekt")]}]
    text = write(workdir / "account.json", json.dumps(page, indent=2)).read_text()
    found = run(".", "--select", "IAM508")[1]
    assert [(f["line"], f["column"]) for f in found] == [
        position_of(text, rf'(?P<at>"{action}")') for action in ("s3:GetObjekt", "s3:PutObjekt")]



# What roles of a diverse export are granted: escalation and policy-writing actions, by name and
# by wildcard, on their own ARNs, on ARNs of types the actions do not apply to, on another
# service's ARNs (EC2 instances run on Elastic Inference accelerators), and on everything.
SHAPED_ACTIONS = ["iam:PassRole", "iam:Pass*", "lambda:CreateFunction", "lambda:InvokeFunction", "lambda:*",
                  "ec2:RunInstances", "ec2:Run*", "s3:PutBucketPolicy", "s3:*", "kms:PutKeyPolicy",
                  "iam:CreatePolicyVersion", "iam:AttachRolePolicy", "glue:CreateDevEndpoint", "*",
                  "sqs:SetQueueAttributes", "cloudformation:CreateStack", "dynamodb:GetItem"]
SHAPED_RESOURCES = ["*", "arn:aws:iam::{a}:role/r-{r}", "arn:aws:iam::{a}:role/*", "arn:aws:iam::{a}:user/*",
                    "arn:aws:iam::{a}:policy/p-{r}", "arn:aws:lambda:us-east-1:{a}:function:f-{r}",
                    "arn:aws:s3:::b-{r}", "arn:aws:s3:::b-{r}/*", "arn:aws:ec2:us-east-1:{a}:instance/*",
                    "arn:aws:elastic-inference:us-east-1:{a}:elastic-inference-accelerator/e-{r}",
                    "arn:aws:kms:us-east-1:{a}:key/k-{r}", "arn:aws:sqs:us-east-1:{a}:q-{r}",
                    "arn:aws:glue:us-east-1:{a}:devEndpoint/d-{r}"]
LAMBDA_PATH = {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"],
               "Resource": "*"}


def inline_role(name: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {**role(name, []), "RolePolicyList": [{"PolicyName": "own", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": statements}}]}


def test_roles_judged_by_shape_are_judged_as_each_alone(workdir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """IAM517 judges many roles once per shape of their grants (each ARN's structure for what
    its action grants): the same findings, at the same places, as judging each role alone.
    Roles whose grants differ only in a resource type (PassRole on every role, or on every
    user), or in which of their resources are one (all of S3 on the bucket whose policy it may
    write, or on another) are told apart."""
    import random

    from policylint.rules.iam import privilege

    draw = random.Random(517)

    def statement(r: int) -> dict[str, Any]:
        resources = draw.sample(SHAPED_RESOURCES, draw.randint(1, 3))
        return {"Effect": "Allow", "Action": draw.sample(SHAPED_ACTIONS, draw.randint(1, 4)),
                "Resource": [x.format(a=ACCOUNT, r=r) for x in resources]}

    roles = [inline_role(f"r-{r}", [statement(r) for _ in range(draw.randint(1, 3))])
             for r in range(3 * privilege.SHAPED_FROM)]
    for kind in ("role", "user"):  # a pair alike but for what PassRole is on
        roles.append(inline_role(f"passes-{kind}", [LAMBDA_PATH, {
            "Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{ACCOUNT}:{kind}/*"}]))
    for name, other in (("rewrites-own", "own"), ("rewrites-other", "other")):
        roles.append(inline_role(name, [
            {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b-own"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": f"arn:aws:s3:::b-{other}"}]))
    write(workdir / "account.json", export(roles, []))
    shaped = run("--select", "IAM517")[1]
    monkeypatch.setattr(privilege, "SHAPED_FROM", len(roles) + 1)
    alone = run("--select", "IAM517")[1]
    assert shaped == alone
    assert 20 < len(alone) < len(roles)  # some roles escalate, others do not
    named = [f["message"].split("'")[1] for f in alone]
    assert "passes-role" in named and "passes-user" not in named
    assert "rewrites-other" in named and "rewrites-own" not in named


def test_roles_judged_by_shape_read_the_catalog_of_what_they_are_granted(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Judging many roles by shape reads the resource types of the path actions their grants
    may grant, and of no other (no EC2 catalog for roles that invoke functions)."""
    from policylint.rules.iam import privilege

    asked: list[str] = []
    real = privilege.arn_types
    monkeypatch.setattr(privilege, "arn_types", lambda name: asked.append(name) or real(name))
    monkeypatch.setattr(privilege, "_path_formats", functools.lru_cache(privilege._path_formats.__wrapped__))
    roles = [inline_role(f"r-{r}", [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                     "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f-{r}"}])
             for r in range(privilege.SHAPED_FROM)]
    write(workdir / "account.json", export(roles, []))
    assert run("--select", "IAM517")[1] == []
    assert sorted(set(asked)) == ["lambda:InvokeFunction"]


@pytest.mark.parametrize("action", ["s3:PutBucketPolicy", "s*:PutBucketPolicy", "*:PutBucket*"])
def test_a_policy_writer_granted_through_a_service_wildcard_escalates(workdir: Path, action: str) -> None:
    """Writing a bucket's policy is found whether the Action names S3 or a wildcard that
    covers it in the service's place."""
    write(workdir / "account.json", export([inline_role("writer", [
        {"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b-1"}])], []))
    (found,) = run("--select", "IAM517")[1]
    assert "rewriting a bucket's policy (s3:PutBucketPolicy)" in found["message"]
