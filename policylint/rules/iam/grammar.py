"""IAM policy grammar against the IAM catalog: fields and values (IAM509), actions that exist
(IAM508), resources an action applies to (IAM512), Sids (IAM515), the Version (IAM516), and
`${...}` CloudFormation keeps literally (IAM522)."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache

from policylint.catalog import action, actions, actions_of, closest, is_service, matching, service_prefixes
from policylint.hookspecs import hookimpl
from policylint.models import Document
from policylint.models.iam import IDENTITY, Policy
from policylint.project import Context
from policylint.rule import UNSAFE, Edit, Finding, Fix, Severity, rule, rules_of
from policylint.rules.iam.arns import arn_types, fits
from policylint.values import PLACEHOLDER, is_intrinsic

STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                  "NotResource", "Condition"}


_SID = re.compile(r"^[A-Za-z0-9]*$")


def unknown_action(ctx: Context) -> Iterator[Finding]:
    """What it does: checks every Action and NotAction entry against the IAM action catalog
    (the AWS Service Authorization Reference, as shipped with cfn-lint), and suggests the
    closest real name.

    Why is this bad? A misspelt action grants (or denies) nothing: the permission you meant
    is missing, and a Deny you rely on does not apply.

    Example: `"Action": "bedrock-agentcore:InvokeHarnes"`.

    Use instead: `"Action": "bedrock-agentcore:InvokeHarness"`."""
    policy = Policy.of(ctx.document)
    for statement in policy.statements:
        for key in ("Action", "NotAction"):
            for value in statement.values(key):
                text = value.literal
                problem = _unknown_action(text) if text is not None else None
                if problem:
                    yield policy.finding(value.path, f"{text!r} {problem}")


unknown_action = rule(
    "IAM508", "unknown-action", Severity.ERROR, kinds=("iam",),
    summary="An action that does not exist (checked against the IAM action catalog)",
)(unknown_action)


@lru_cache(maxsize=65536)  # a file may name thousands of actions, each many times over
def _unknown_action(text: str) -> str | None:
    """Why an Action entry names no action, or None when it names one."""
    if text == "*" or "${" in text:
        return None
    if ":" not in text:
        return "is not service:action"
    prefix, name = text.split(":", 1)
    wildcard = "*" in name or "?" in name
    if is_service(prefix) and matching(text):
        return None
    hint = None if wildcard else _other_service(prefix, name)
    if not is_service(prefix):
        hint = hint or closest(prefix, service_prefixes())
        return f"names unknown service {prefix!r}" + (f" (did you mean {hint!r}?)" if hint else "")
    if wildcard:
        return f"matches no {prefix} action"
    found = closest(name, actions_of(prefix))
    hint = hint or (f"{prefix}:{actions(prefix)[found]['name']}" if found else None)
    return f"is not an action of {prefix}" + (f" (did you mean {hint!r}?)" if hint else
                                               " (see its actions in the Service Authorization Reference)")


def _other_service(prefix: str, name: str) -> str | None:
    """``service:action`` when the action exists under a service whose prefix is like the
    one written (``bedrock:InvokeGateway`` -> ``bedrock-agentcore:invokegateway``)."""
    name = name.lower()
    owner = next((s for s in _services_like(prefix.lower()) if name in actions_of(s)), None)
    return f"{owner}:{actions(owner)[name]['name']}" if owner else None


@lru_cache(maxsize=256)
def _services_like(prefix: str) -> tuple[str, ...]:
    """The services whose prefix is like ``prefix``, shortest first."""
    family = prefix.split("-")[0]
    return tuple(sorted((s for s in service_prefixes()
                         if s.startswith(prefix) or prefix.startswith(s) or s.split("-")[0] == family),
                        key=len))


def invalid_policy(ctx: Context) -> Iterator[Finding]:
    """What it does: checks a policy document's grammar: Version, Statement, Effect, Action
    or NotAction (not both), Resource or NotResource in identity policies (not both),
    Principal or NotPrincipal (not both), value types, and unknown statement fields.

    Why is this bad? IAM rejects the policy at deployment, or (through a misspelt field
    such as `Resources`) the statement means something else than it says.

    Example: `{"Effect": "allow", "Action": "s3:GetObject", "Resources": "*"}`.

    Use instead: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}`."""
    policy = Policy.of(ctx.document)
    for path, at, message in _shape_problems(policy):
        yield policy.finding(path, message, at)


invalid_policy = rule(
    "IAM509", "invalid-policy", Severity.ERROR, kinds=("iam",),
    summary="Malformed policy document",
)(invalid_policy)


def _shape_problems(policy: Policy) -> Iterator[tuple[tuple, str, str]]:
    data = policy.data
    for key in data:
        if key not in ("Version", "Id", "Statement"):
            yield (key,), "key", f"unknown policy field {key!r} (a policy has Version, Id and Statement)"
    version = str(data.get("Version"))  # YAML may read an unquoted version as a date
    if "Version" in data and version not in ("2012-10-17", "2008-10-17"):
        yield ("Version",), "value", f"Version {version!r} is not 2012-10-17"
    raw = data.get("Statement")
    if is_intrinsic(raw):
        return
    if "Statement" not in data:
        yield (), "key", "the policy has no Statement: it allows and denies nothing"
        return
    if not isinstance(raw, (dict, list)) or not raw:
        yield ("Statement",), "key", "Statement must be a statement or a non-empty list of them"
        return
    items = [(("Statement",), raw)] if isinstance(raw, dict) else [
        (("Statement", i), s) for i, s in enumerate(raw)]
    trust_or_resource = policy.kind != IDENTITY
    for path, statement in items:
        if is_intrinsic(statement):
            continue
        if not isinstance(statement, dict):
            yield path, "value", "a statement must be an object"
            continue
        for key in statement:
            if key not in STATEMENT_KEYS:
                yield (*path, key), "key", f"unknown statement field {key!r}"
        if statement.get("Effect") not in ("Allow", "Deny"):
            where = (*path, "Effect") if "Effect" in statement else path
            yield where, "value" if "Effect" in statement else "key", "Effect must be Allow or Deny"
        for one, other, name in (("Action", "NotAction", "Action"), ("Resource", "NotResource", "Resource"),
                                 ("Principal", "NotPrincipal", "Principal")):
            if one in statement and other in statement:
                yield (*path, other), "key", f"a statement has {one} or {other}, not both"
            elif one not in statement and other not in statement and (
                    name == "Action" or (name == "Resource" and not trust_or_resource)):
                yield path, "key", f"the statement has no {one} (or {other})"
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            value = statement.get(key)
            if key in statement and not _strings(value):
                yield (*path, key), "value", f"{key} must be a string or a list of strings"
        if "Condition" in statement and not (isinstance(statement["Condition"], dict) and all(
                isinstance(v, dict) for v in statement["Condition"].values())):
            yield (*path, "Condition"), "value", "Condition must map operators to {key: value} objects"


def _strings(value: object) -> bool:
    def one(item: object) -> bool:
        return isinstance(item, str) or is_intrinsic(item)

    return one(value) or (isinstance(value, list) and bool(value) and all(one(i) for i in value))


def resource_action_mismatch(ctx: Context) -> Iterator[Finding]:
    """What it does: for each action named in a statement, checks that at least one of the
    statement's Resource entries can be a resource the action applies to (the ARN formats of
    the IAM catalog), and that actions without resource-level permissions get `"*"`.
    Resources computed by CloudFormation are not judged.

    Why is this bad? The statement grants nothing for that action: the permission you meant
    is missing (AccessDenied at run time) while the policy looks right in review. A Deny
    (a guardrail, an SCP) so written denies nothing: the action stays allowed.

    Example: `{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket"}` (objects are
    `arn:aws:s3:::my-bucket/*`), or `s3:ListAllMyBuckets` on a bucket ARN.

    Use instead: a Resource of the type the action needs, or `"*"` for actions that have no
    resource-level permissions."""
    policy = Policy.of(ctx.document)
    for statement in policy.statements:
        resources = [v.literal for v in statement.values("Resource")]
        if not resources or None in resources or "*" in resources or any(
                r is not None and not r.startswith("arn:") for r in resources):
            continue  # computed at deploy time (``${HarnessArn}``), or not an ARN at all
        denies = statement.effect == "Deny"
        verb, effect = ("denied", "; this Deny does not stop it") if denies else ("granted", "")
        for value, name in statement.actions():
            expected = _expected(name)
            if expected is None:
                continue
            types, formats = expected
            if not formats and types is None:
                yield Finding(ctx.document, value.path, f"{name} has no resource-level permissions: "
                              f"it is {verb} only with \"Resource\": \"*\"{effect}", "value")
            elif types and not any(fits(r, formats) for r in resources if r):
                kinds = " or ".join(sorted({t for t, _ in types}))
                yield Finding(ctx.document, value.path, f"{name} applies to {kinds} ARNs "
                              f"({types[0][1]}); no Resource of this statement is one{effect}", "value")


resource_action_mismatch = rule(
    "IAM512", "resource-action-mismatch", Severity.WARNING, kinds=("iam",),
    summary="No Resource of the statement can be a resource the action applies to",
)(resource_action_mismatch)


@lru_cache(maxsize=4096)
def _expected(name: str) -> tuple[tuple[tuple[str, str], ...] | None, tuple[str, ...]] | None:
    """What IAM512 expects of an action's resources, worked out once an action name: None
    for a wildcard or unknown action; (None, ()) for one with no resource-level permissions;
    else its (resource type, ARN format) pairs and their formats."""
    if "*" in name or "?" in name or action(name) is None:
        return None
    if not action(name).get("resourceTypes"):  # type: ignore[union-attr]
        return None, ()
    types = arn_types(name)
    if name.lower() == "bedrock-agentcore:invokeagentruntime":
        types += arn_types("bedrock-agentcore:InvokeHarness")  # InvokeHarness needs the harness
    return types, tuple(f for _, f in types)


def invalid_sid(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a statement Sid with characters other than letters and digits,
    and a Sid used by two statements of one policy.

    Why is this bad? IAM rejects identity policies with such Sids; duplicates also make
    the statements impossible to tell apart in Access Analyzer findings and reviews.

    Example: `"Sid": "allow-read"`, or two statements both `"Sid": "Read"`.

    Use instead: unique alphanumeric Sids: `"AllowRead"`, `"AllowWrite"`."""
    policy = Policy.of(ctx.document)
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


invalid_sid = rule(
    "IAM515", "invalid-sid", Severity.WARNING, kinds=("iam",),
    summary="A Sid that is not alphanumeric, or the same Sid twice in one policy",
)(invalid_sid)


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
        found = Finding(ctx.document, (), 'the policy has no Version: add "Version": "2012-10-17"')
        if "version" not in data:  # a Terraform view's own spelling is not ours to add beside
            found.fix = Fix(UNSAFE, 'add "Version": "2012-10-17"',
                            Edit("insert", (), "2012-10-17", "Version"))
        yield found
    elif str(version) == "2008-10-17":
        found = Finding(ctx.document, ("Version",), 'Version "2008-10-17" takes policy variables '
                        'literally: use "2012-10-17"', "value")
        if version == "2008-10-17":
            found.fix = Fix.replace(UNSAFE, ("Version",), "2012-10-17")
        yield found


policy_version_missing = rule(
    "IAM516", "policy-version-missing", Severity.WARNING, kinds=("iam",),
    summary='No Version, or "2008-10-17": policy variables are taken literally',
)(policy_version_missing)


def unsubstituted_placeholder(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a `${...}` in a policy of a CloudFormation template (SAM, `cdk
    synth` output) written outside `Fn::Sub` (a plain string, or a piece of `Fn::Join`) that
    names a pseudo-parameter (`${AWS::AccountId}`), a parameter or a resource of the
    template (`${Bucket}`, `${Bucket.Arn}`). Policy variables (`${aws:username}`,
    `${aws:PrincipalTag/team}`, `${*}`) are IAM's, not placeholders. In a `serverless.yml`
    only pseudo-parameters are judged (the Framework leaves `${AWS::AccountId}` as written;
    its other `${...}` are its variables); Terraform views are not judged.

    Why is this bad? CloudFormation substitutes only inside `Fn::Sub`: the policy keeps the
    text `${AWS::AccountId}`, so the statement matches no real ARN (an Allow grants nothing,
    a Deny protects nothing) and the deployment seems fine. AWS: `Fn::Sub` "substitutes
    variables in an input string" (CloudFormation Template Reference, `Fn::Sub`); no other
    place does; cfn-lint E1029 reports the same.

    Example: `Resource: arn:aws:s3:::${Bucket}/*`.

    Use instead: `Resource: !Sub arn:aws:s3:::${Bucket}/*`."""
    document = ctx.document
    template = document.template
    if template is None or template.snake_case:
        return
    # a Serverless view: its ${...} are the Framework's variables, except CloudFormation's
    # pseudo-parameters, which it leaves alone (since v2.3.0)
    names = frozenset() if template.variables else template.view(_template_names)
    for statement in Policy.of(document).statements:
        strings: list[tuple[tuple, str]] = []
        for key in _VALUE_KEYS:
            if key in statement.data:
                _literal_strings(statement.data[key], (*statement.path, key), strings)
        for path, text in strings:
            found = [m for m in PLACEHOLDER.finditer(text) if _substituted(m.group(1), names)]
            if found:
                how = "!Sub (in serverless.yml: Fn::Sub, or ${aws:accountId} and ${aws:region})" \
                    if template.variables else "!Sub"
                position = document.string_position(path, found[0].start())
                yield Finding(document, path, f"{found[0].group(0)} is kept literally: CloudFormation "
                              "substitutes only inside Fn::Sub, so this matches nothing; write the value "
                              f"with {how}", "value", position=position)


unsubstituted_placeholder = rule(
    "IAM522", "unsubstituted-placeholder", Severity.ERROR, kinds=("iam",),
    summary="A ${...} CloudFormation keeps literally: a pseudo-parameter or resource outside Fn::Sub",
)(unsubstituted_placeholder)


_VALUE_KEYS = STATEMENT_KEYS - {"Sid", "Effect"}  # those whose strings may hold a ${...}


def _template_names(template: Document) -> frozenset[str]:
    """The parameters and resources of a template (worked out once a template: its view)."""
    data = template.data
    return frozenset(name for section in ("Parameters", "Resources")
                     if isinstance(data.get(section), dict) for name in data[section])


def _substituted(inner: str, names: frozenset[str]) -> bool:
    """Whether ``${inner}`` is what Fn::Sub would fill: a pseudo-parameter, or a parameter or
    resource (with an attribute) of the template; not an IAM policy variable."""
    return inner.startswith("AWS::") or inner.split(".", 1)[0] in names


def _literal_strings(value: object, path: tuple, found: list[tuple[tuple, str]]) -> None:
    """Add to ``found``, in order, the strings with a ``${`` of a policy value that
    CloudFormation keeps as written: not those inside Fn::Sub (it substitutes them) nor other
    intrinsics' arguments, except Fn::Join's pieces. A string is judged where it is met."""
    if isinstance(value, str):
        if "${" in value:
            found.append((path, value))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                if "${" in item:
                    found.append(((*path, i), item))
            else:
                _literal_strings(item, (*path, i), found)
    elif isinstance(value, dict) and is_intrinsic(value):
        join = value.get("Fn::Join")
        if isinstance(join, list) and len(join) == 2 and isinstance(join[1], list):
            _literal_strings(join[1], (*path, "Fn::Join", 1), found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _literal_strings(item, (*path, key), found)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
