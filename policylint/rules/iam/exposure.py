"""IAM519: resource policies that let anyone in: the first thing IAM Access Analyzer reports."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from policylint.documents.iam import IDENTITY, Statement
from policylint.documents.refs import properties_of, resources_of
from policylint.hookspecs import hookimpl
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of

# Condition keys that narrow who can use a public grant (compared in lower case): the
# account, organization, source resource or network of the caller.
NARROWING = frozenset(key.lower() for key in (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:PrincipalServiceName", "aws:PrincipalIsAWSService", "aws:SourceVpce", "aws:SourceVpc",
    "aws:SourceIp", "aws:VpcSourceIp",
    "aws:userid", "aws:username", "kms:CallerAccount", "lambda:FunctionUrlAuthType"))
# Lambda permission properties that do the same.
_LAMBDA_NARROWING = ("SourceArn", "SourceAccount", "PrincipalOrgID")


def public_resource_policy(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a resource policy (a bucket, queue, topic, KMS key, secret or ECR
    repository policy, a role's trust policy, any `PolicyDocument` of a resource) whose Allow
    statement names `Principal: "*"` or `{"AWS": "*"}`, and an `AWS::Lambda::Permission`
    for `Principal: "*"`, with no condition on who may use it: the caller's account or
    organization (`aws:PrincipalAccount`, `aws:PrincipalOrgID`), the source resource
    (`aws:SourceArn`, `aws:SourceAccount`), or the network (`aws:SourceVpce`, `aws:SourceIp`).

    Why is this bad? Anyone with an AWS account, or anyone at all, can use the resource:
    read the bucket, send to the queue, decrypt with the key, invoke the function, assume
    the role. It is the first finding of IAM Access Analyzer and the most common real breach.

    Example: `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource":
    "arn:aws:s3:::reports/*"}`.

    Use instead: the principals that need access (`{"AWS": "arn:aws:iam::111122223333:root"}`),
    or keep `*` with a condition: `{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`.
    A deliberately public resource (a website bucket) is suppressed with its reason."""
    if ctx.document.kind == "template":
        yield from _public_lambda_permissions(ctx)
        return
    policy = ctx.document.policy
    if policy.kind == IDENTITY or policy.guards_endpoint:
        return
    for statement in policy.statements:
        if not statement.allows or _narrowed(statement):
            continue
        where = _anyone(statement.data.get("Principal"), (*statement.path, "Principal"))
        if where is not None:
            yield Finding(ctx.document, where, "this statement allows anyone (Principal '*') with no "
                          "condition on who: name the principals, or add a condition such as "
                          "aws:PrincipalOrgID or aws:SourceArn", "value")


public_resource_policy = rule(
    "IAM519", "public-resource-policy", Severity.ERROR, kinds=("iam", "template"), tags=("security",),
    summary="A resource policy allows anyone (Principal '*') with no condition that narrows who",
)(public_resource_policy)


def _anyone(principal: Any, path: tuple) -> tuple | None:
    """The path of a `*` principal: ``"*"``, or ``"*"`` among the AWS principals."""
    if principal == "*":
        return path
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        if aws == "*":
            return (*path, "AWS")
        if isinstance(aws, list) and "*" in aws:
            return (*path, "AWS", aws.index("*"))
    return None


def _narrowed(statement: Statement) -> bool:
    condition = statement.data.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(isinstance(block, dict) and any(str(key).lower() in NARROWING for key in block)
               for block in condition.values())


def _public_lambda_permissions(ctx: Context) -> Iterator[Finding]:
    for name, resource in resources_of(ctx.document).items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        props = properties_of(ctx.document, name)
        if props.get("Principal") == "*" and not any(k in props for k in _LAMBDA_NARROWING) \
                and props.get("FunctionUrlAuthType") != "AWS_IAM":
            yield Finding(ctx.document, ("Resources", name, "Properties", "Principal"), "this permission "
                          "lets anyone invoke the function: name the principal, or set SourceArn, "
                          "SourceAccount or PrincipalOrgID", "value")


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
