"""IAM conditions: trust without a source condition (IAM510), condition keys the actions do not
support (IAM513), operators and values of the wrong type (IAM514)."""
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
from policylint.hookspecs import hookimpl
from policylint.models.iam import AGENTCORE_SERVICE, STATES_SERVICE, TRUST, Policy, Statement
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of

SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn"}


GUARDED_SERVICES = {STATES_SERVICE, AGENTCORE_SERVICE}


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


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def trust_without_source_condition(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a trust policy statement that lets states.amazonaws.com or
    bedrock-agentcore.amazonaws.com assume the role with no `aws:SourceAccount` or
    `aws:SourceArn` condition.

    Why is this bad? The confused deputy: any state machine or harness, in any account, can
    be configured with this role's ARN and act with its permissions.

    Example: `{"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}`.

    Use instead: add `"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
    "ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"}}`."""
    policy = Policy.of(ctx.document)
    if policy.kind != TRUST:
        return
    for statement in policy.allow_statements:
        condition = statement.data.get("Condition")
        keys = {k.lower() for block in (condition or {}).values() if isinstance(block, dict)
                for k in block} if isinstance(condition, dict) else set()
        if keys & SOURCE_KEYS:
            continue
        for value in statement.values("Principal"):
            services = value.raw.get("Service") if isinstance(value.raw, dict) else None
            items = services if isinstance(services, list) else [services]
            for i, service in enumerate(items):
                if isinstance(service, str) and service.lower() in GUARDED_SERVICES:
                    path = (*value.path, "Service", *([i] if isinstance(services, list) else []))
                    yield policy.finding(path, f"{service} may assume this role for any account's "
                                         "resources: add an aws:SourceAccount or aws:SourceArn condition")


trust_without_source_condition = rule(
    "IAM510", "trust-without-source-condition", Severity.WARNING, kinds=("iam",),
    summary="Service trust for states / bedrock-agentcore without aws:SourceAccount or aws:SourceArn",
    tags=("security",),
)(trust_without_source_condition)


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
    policy = Policy.of(ctx.document)
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
                                  f"{key!r} is not a global condition key: {hint}", "key")
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
                              f"{key!r}: {why}", "key")


unknown_condition_key = rule(
    "IAM513", "unknown-condition-key", Severity.WARNING, kinds=("iam",),
    summary="A condition key the statement's actions do not support",
)(unknown_condition_key)


def _supported_keys(statement: Statement) -> set[str] | None:
    """Lower-case condition keys the statement's actions support, or None if unknowable."""
    keys: set[str] = set()
    for _, name in statement.actions():
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
    # A key with no ${...}, <...> or /tag-key is its own pattern, a letter for a letter: one
    # of another length cannot match it, and is not compiled to find so.
    return any(k == key or (len(k) == len(key) or "${" in k or "<" in k or "/" in k)
               and _key_pattern(k).fullmatch(key) for k in keys)


def _conditions(statement: Statement) -> Iterator[tuple[str, str, Any]]:
    """(operator, key, value) of the statement's Condition."""
    condition = statement.data.get("Condition")
    if isinstance(condition, dict):
        for operator, block in condition.items():
            if isinstance(block, dict):
                for key, value in block.items():
                    yield str(operator), str(key), value


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
    policy = Policy.of(ctx.document)
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
                if kind is not None and element in FITS and family not in FITS[element]:
                    yield Finding(ctx.document, (*statement.path, "Condition", operator),
                                  f"{operator} compares {family.lower()} values, but {key} is "
                                  f"{_a(kind)}: use {_a(' or '.join(sorted(FITS[element])))} operator", "key")


condition_operator_mismatch = rule(
    "IAM514", "condition-operator-mismatch", Severity.WARNING, kinds=("iam",),
    summary="An unknown condition operator, or one of the wrong type for its key",
)(condition_operator_mismatch)


def _key_type(key: str) -> str | None:
    lower = key.lower()
    if lower.startswith("aws:"):
        return next((t for k, t in GLOBAL_KEYS.items() if k == lower or _key_pattern(k).fullmatch(lower)),
                    None)
    keys = condition_keys(lower.split(":", 1)[0])
    entry = keys.get(lower) or next((v for k, v in keys.items() if _key_pattern(k).fullmatch(lower)), None)
    return entry.get("type") if isinstance(entry, dict) else None


def _a(word: str) -> str:
    """``word`` with its article: "an IPAddress", "a Bool"."""
    return f"{'an' if word[:1] in 'AEIOUaeiou' else 'a'} {word}"


def _condition_values(values: Any) -> Iterator[tuple[int | None, Any]]:
    """(index in the list, or None) of each literal value of a condition key (not a policy
    variable, nor a documentation placeholder such as `<my-corporate-cidr>`)."""
    items = list(enumerate(values)) if isinstance(values, list) else [(None, values)]
    return ((i, v) for i, v in items if isinstance(v, (str, int, float, bool)) and
            not (isinstance(v, str) and ("${" in v or (v.startswith("<") and v.endswith(">")))))


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


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
