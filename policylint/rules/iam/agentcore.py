"""IAM5xx: IAM policies and roles, alone and as the workflow/harness boundary."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache

from policylint.catalog import (
    actions,
    actions_of,
    closest,
    is_service,
    matching,
    service_prefixes,
)
from policylint.documents.iam import (
    AGENTCORE_SERVICE,
    IDENTITY,
    STATES_SERVICE,
    TRUST,
    Policy,
    Statement,
    Target,
    Value,
)
from policylint.hookspecs import hookimpl
from policylint.index import Link, Role
from policylint.project import Context, Project
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.values import PLACEHOLDER, is_intrinsic
from policylint.wildcard import wildcard_match

AGENTCORE = "bedrock-agentcore"
INVOKE = (f"{AGENTCORE}:invokeharness", f"{AGENTCORE}:invokeagentruntime")
# Data-plane actions each AgentCore tool uses (catalog names, lower case).
TOOL_ACTIONS = {
    "browser": r"(?:start|stop|get|list)browsersessions?|connectbrowser\w+|updatebrowserstream"
               r"|savebrowsersessionprofile",
    "code interpreter": r"(?:start|stop|get|list)codeinterpretersessions?|invokecodeinterpreter",
    "gateway": r"invokegateway",
    "memory": r"(?:create|get|delete|list)events?|retrievememoryrecords|(?:get|list|delete)memoryrecords?"
              r"|batch(?:create|update|delete)memoryrecords|listactors|listsessions",
}
# What a harness's execution role needs to use each tool at all.
TOOL_NEEDS = {
    "browser": ("startbrowsersession", "connectbrowserautomationstream"),
    "code interpreter": ("startcodeinterpretersession", "invokecodeinterpreter"),
    "gateway": ("invokegateway",),
    "memory": ("createevent", "listevents"),
}
TOOL_FAMILY = {"agentcore_browser": "browser", "agentcore_code_interpreter": "code interpreter",
               "agentcore_gateway": "gateway"}
STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                  "NotResource", "Condition"}


def _policy(ctx: Context) -> Policy:
    return ctx.document.policy


def _allow_statements(policy: Policy) -> Iterator[Statement]:
    return (s for s in policy.statements if s.allows)


def _literal(value: Value) -> str | None:
    return value.text if isinstance(value.text, str) else None


def _wildcard(text: str) -> bool:
    """Whether a written ARN or action has ``*``/``?`` of its own (policy variables aside)."""
    return bool(re.search(r"[*?]", PLACEHOLDER.sub("", text)))


def _finding(policy: Policy, path: tuple, message: str, at: str = "value") -> Finding:
    return Finding(policy.document, path, message, at)


def _actions(statement: Statement) -> list[tuple[Value, str]]:
    return [(v, t) for v in statement.values("Action") if (t := _literal(v)) is not None]


@rule("IAM501", "harness-invoke-wildcard-resource", Severity.ERROR, kinds=("iam",),
      summary="InvokeHarness / InvokeAgentRuntime allowed on '*' or a wildcard harness ARN",
      tags=("security",))
def harness_invoke_wildcard_resource(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `bedrock-agentcore:InvokeHarness` or
    `InvokeAgentRuntime` (named, or through a wildcard such as `Invoke*`) on `*` or on an
    ARN with a wildcard (`...:harness/*`).

    Why is this bad? The role (a workflow, a Lambda function) may then run any agent in
    the account, with that agent's tools and memory, not just the one it was built for.

    Example: `{"Effect": "Allow", "Action": "bedrock-agentcore:InvokeHarness", "Resource": "*"}`.

    Use instead: the ARN of the one harness:
    `"Resource": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support-AbCdEf1234"`."""
    policy = _policy(ctx)
    for statement in _allow_statements(policy):
        invokes = [t for _, t in _actions(statement) if t.lower().startswith(f"{AGENTCORE}:")
                   and any(wildcard_match(t, a) for a in INVOKE)]
        if not invokes:
            continue
        for value in statement.values("Resource"):
            text = _literal(value)
            if text is not None and _wildcard(text):
                yield _finding(policy, value.path, f"{', '.join(invokes)} is allowed on {text!r}: the "
                               "role may run any matching agent; name the one harness ARN")


@rule("IAM502", "agentcore-action-wildcard", Severity.ERROR, kinds=("iam",),
      summary="bedrock-agentcore:*, bedrock-agentcore:Invoke* or * allowed", tags=("security",))
def agentcore_action_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `bedrock-agentcore:*`, of any bedrock-agentcore
    wildcard that covers the Invoke actions (`Invoke*`), or of `*` in an identity policy on
    resources that can be AgentCore's (`*`, an AgentCore ARN, an ARN whose service is a
    wildcard; not `*` limited to S3 or SQS ARNs).

    Why is this bad? The role may invoke agents, read their memory and drive their browser
    and code interpreter sessions, and whatever AgentCore adds next.

    Example: `"Action": "bedrock-agentcore:*"`.

    Use instead: the actions this role needs, e.g. `bedrock-agentcore:InvokeHarness` and
    `bedrock-agentcore:InvokeAgentRuntime` for a workflow."""
    policy = _policy(ctx)
    for statement in _allow_statements(policy):
        for value, text in _actions(statement):
            if text == "*" and policy.kind == IDENTITY and _reaches_agentcore(statement):
                yield _finding(policy, value.path, "Action '*' allows every AgentCore action (and every "
                               "other): list the actions this role needs")
            elif text.lower().startswith(f"{AGENTCORE}:") and _wildcard(text) and any(
                    wildcard_match(text, a) for a in INVOKE):
                yield _finding(policy, value.path, f"{text!r} allows every matching AgentCore action, "
                               "including invoking any agent: list the actions this role needs")


def _reaches_agentcore(statement: Statement) -> bool:
    """Whether the statement's resources can be AgentCore resources (an unknown one can)."""
    if "Resource" not in statement.data:
        return True
    for value in statement.values("Resource"):
        text = _literal(value)
        parts = text.split(":") if text is not None else []
        if text is None or text == "*" or len(parts) < 3 or wildcard_match(parts[2], AGENTCORE):
            return True
    return False


def _tool_families(action: str) -> set[str]:
    """The AgentCore tools whose data-plane actions an Action entry allows."""
    if not action.lower().startswith(f"{AGENTCORE}:"):
        return set()
    names = [a.split(":", 1)[1] for a in matching(action)]
    return {family for family, pattern in TOOL_ACTIONS.items()
            if any(re.fullmatch(pattern, n) for n in names)}


def _role_tool_actions(role: Role) -> Iterator[tuple[Policy, Value, str, set[str]]]:
    for policy in role.policies:
        for statement in _allow_statements(policy):
            for value, text in _actions(statement):
                families = _tool_families(text)
                if families:
                    yield policy, value, text, families


@rule("IAM503", "tool-permission-on-workflow-role", Severity.ERROR, scope="project",
      summary="A workflow role allows agent tool actions (browser, code interpreter, gateway, memory)",
      tags=("security",))
def tool_permission_on_workflow_role(project: Project) -> Iterator[Finding]:
    """What it does: flags an Allow of AgentCore tool actions (browser, code interpreter,
    gateway, memory) on a workflow role: a state machine's role, or a role that
    states.amazonaws.com may assume.

    Why is this bad? The agent's tools run with the harness execution role; on the workflow
    role they only widen what the workflow (and anything that can start it) can do.

    Example: a state machine role with `bedrock-agentcore:StartBrowserSession`.

    Use instead: move tool permissions to the harness execution role; the workflow role needs
    only `bedrock-agentcore:InvokeHarness` and `InvokeAgentRuntime` on the harness ARN."""
    for role in project.index.workflow_roles():
        for policy, value, text, families in _role_tool_actions(role):
            yield _finding(policy, value.path, f"{text!r} on workflow role {role.name!r} allows "
                           f"agent tool actions ({', '.join(sorted(families))}): they belong on the "
                           "harness execution role")


def _role(link: Link | None) -> Role | None:
    """The IAM role a reference leads to, when it could be followed."""
    return link.target if link is not None and isinstance(link.target, Role) else None


def _described(target: Target) -> str:
    if target.arn:
        return repr(target.arn)
    return f"resource {target.ref.logical_id!r}" if target.ref else "the harness"


@rule("IAM504", "workflow-role-cannot-invoke-harness", Severity.ERROR, scope="project",
      summary="The state machine's role does not allow InvokeHarness and InvokeAgentRuntime on its harness")
def workflow_role_cannot_invoke_harness(project: Project) -> Iterator[Finding]:
    """What it does: flags a state machine whose role does not allow
    `bedrock-agentcore:InvokeHarness` and `bedrock-agentcore:InvokeAgentRuntime` on the
    harness an agent task invokes (after Deny statements; roles whose policies are not all
    in the linted files are given the benefit of the doubt).

    Why is this bad? Every execution fails at the agent step with AccessDenied.

    Example: a role allowing `bedrock-agentcore:InvokeHarness` only: InvokeAgentRuntime is
    needed too.

    Use instead: `{"Effect": "Allow", "Action": ["bedrock-agentcore:InvokeHarness",
    "bedrock-agentcore:InvokeAgentRuntime"], "Resource": "<the harness ARN>"}`."""
    index = project.index
    for machine in index.machines:
        link = index.machine_role(machine)
        role = _role(link)
        if link is None or role is None:
            continue
        for task in machine.agent_tasks:
            _, target = index.task_harness(task)
            if target is None:
                continue
            missing = [a for a in ("bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime")
                       if role.allows(a.lower(), target) is False]
            if missing:
                yield Finding(link.document, link.path, f"role {role.name!r} does not allow "
                              f"{' or '.join(missing)} on {_described(target)} (agent task "
                              f"{task.name!r}): the step fails with AccessDenied")


def _harness_families(harness: object) -> set[str]:
    from policylint.documents.harness import Harness

    assert isinstance(harness, Harness)
    families = {TOOL_FAMILY[t.type] for t in harness.tools if t.type in TOOL_FAMILY}
    if harness.memory is not None:
        families.add("memory")
    return families


@rule("IAM505", "harness-role-missing-tool-permission", Severity.WARNING, scope="project",
      summary="The harness uses a tool its execution role cannot call")
def harness_role_missing_tool_permission(project: Project) -> Iterator[Finding]:
    """What it does: flags a harness tool (browser, code interpreter, gateway) or memory
    whose actions its execution role does not allow (when every policy of the role is in
    the linted files).

    Why is this bad? The agent sees the tool, calls it, and gets AccessDenied: the run
    wastes iterations and tokens and the task may fail.

    Example: a harness with `{"type": "agentcore_browser"}` whose role has no
    `bedrock-agentcore:StartBrowserSession`.

    Use instead: allow the tool's actions on the execution role (see the AgentCore harness
    execution role policy)."""
    index = project.index
    for harness in index.harnesses:
        role = _role(index.harness_role(harness))
        if role is None:
            continue
        places = {TOOL_FAMILY[t.type]: t.type_path for t in harness.tools if t.type in TOOL_FAMILY}
        if harness.memory is not None:
            places["memory"] = harness.memory.path
        for family, path in places.items():
            missing = [a for a in TOOL_NEEDS[family]
                       if role.allows(f"{AGENTCORE}:{a}", Target()) is False]
            if missing:
                yield Finding(harness.document, path, f"execution role {role.name!r} does not allow "
                              f"{', '.join(f'{AGENTCORE}:{a}' for a in missing)}: the agent's {family} "
                              "fails with AccessDenied", "value")


@rule("IAM506", "harness-role-excess-tool-permission", Severity.WARNING, scope="project",
      summary="The harness role allows tool actions for tools the harness does not have")
def harness_role_excess_tool_permission(project: Project) -> Iterator[Finding]:
    """What it does: flags tool actions (browser, code interpreter, gateway, memory) on a
    harness execution role when none of the harnesses using that role has that tool.

    Why is this bad? Least privilege: a later config change, or a prompt-injected tool call
    through a gateway, gets permissions nobody reviewed for this agent.

    Example: `bedrock-agentcore:InvokeCodeInterpreter` on the role of a harness whose tools
    are a gateway only.

    Use instead: remove the permissions of tools the harness does not use."""
    index = project.index
    for role in index.roles:
        harnesses = index.harness_of_role(role)
        if not harnesses:
            continue
        used = set().union(*(_harness_families(h) for h in harnesses))
        for policy, value, text, families in _role_tool_actions(role):
            excess = families - used
            if excess and text.split(":", 1)[1] != "*":
                yield _finding(policy, value.path, f"{text!r} allows {', '.join(sorted(excess))} actions "
                               f"but no harness using role {role.name!r} has that tool: remove it")
            elif excess:
                yield _finding(policy, value.path, f"{text!r} allows every AgentCore tool; harnesses "
                               f"using role {role.name!r} use only {', '.join(sorted(used)) or 'none'}")


@rule("IAM507", "passrole-wildcard", Severity.ERROR, kinds=("iam",),
      summary="iam:PassRole allowed on '*'", tags=("security",))
def passrole_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `iam:PassRole` (named or through `iam:*`,
    `iam:Pass*`) on `*` or on every role (`arn:aws:iam::111122223333:role/*`).

    Why is this bad? Whoever holds it can hand any role, admin included, to a service they
    control (a harness, a Lambda function, a state machine): privilege escalation.

    Example: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`.

    Use instead: the ARN of the role to pass, and an `iam:PassedToService` condition."""
    policy = _policy(ctx)
    for statement in _allow_statements(policy):
        passes = [t for _, t in _actions(statement)
                  if t.lower().startswith("iam:") and wildcard_match(t, "iam:passrole")]
        if not passes:
            continue
        for value in statement.values("Resource"):
            text = _literal(value)
            if text is not None and (text == "*" or re.search(r":(?:role/)?\*$", text)):
                yield _finding(policy, value.path, f"{passes[0]} is allowed on {text!r}: any role can "
                               "be passed; name the role ARN and add an iam:PassedToService condition")


@lru_cache(maxsize=4096)
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
    prefix, name = prefix.lower(), name.lower()
    owners = [s for s in service_prefixes()
              if (s.startswith(prefix) or prefix.startswith(s) or s.split("-")[0] == prefix.split("-")[0])
              and name in actions_of(s)]
    owner = min(owners, key=len) if owners else None
    return f"{owner}:{actions(owner)[name]['name']}" if owner else None


@rule("IAM508", "unknown-action", Severity.ERROR, kinds=("iam",),
      summary="An action that does not exist (checked against the IAM action catalog)")
def unknown_action(ctx: Context) -> Iterator[Finding]:
    """What it does: checks every Action and NotAction entry against the IAM action catalog
    (the AWS Service Authorization Reference, as shipped with cfn-lint), and suggests the
    closest real name.

    Why is this bad? A misspelt action grants (or denies) nothing: the permission you meant
    is missing, and a Deny you rely on does not apply.

    Example: `"Action": "bedrock-agentcore:InvokeHarnes"`.

    Use instead: `"Action": "bedrock-agentcore:InvokeHarness"`."""
    policy = _policy(ctx)
    for statement in policy.statements:
        for key in ("Action", "NotAction"):
            for value in statement.values(key):
                text = _literal(value)
                problem = _unknown_action(text) if text is not None else None
                if problem:
                    yield _finding(policy, value.path, f"{text!r} {problem}")


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


@rule("IAM509", "invalid-policy", Severity.ERROR, kinds=("iam",),
      summary="Malformed policy document")
def invalid_policy(ctx: Context) -> Iterator[Finding]:
    """What it does: checks a policy document's grammar: Version, Statement, Effect, Action
    or NotAction (not both), Resource or NotResource in identity policies (not both),
    Principal or NotPrincipal (not both), value types, and unknown statement fields.

    Why is this bad? IAM rejects the policy at deployment, or (through a misspelt field
    such as `Resources`) the statement means something else than it says.

    Example: `{"Effect": "allow", "Action": "s3:GetObject", "Resources": "*"}`.

    Use instead: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}`."""
    policy = _policy(ctx)
    for path, at, message in _shape_problems(policy):
        yield _finding(policy, path, message, at)


SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn"}
GUARDED_SERVICES = {STATES_SERVICE, AGENTCORE_SERVICE}


@rule("IAM510", "trust-without-source-condition", Severity.WARNING, kinds=("iam",),
      summary="Service trust for states / bedrock-agentcore without aws:SourceAccount or aws:SourceArn",
      tags=("security",))
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
    policy = _policy(ctx)
    if policy.kind != TRUST:
        return
    for statement in _allow_statements(policy):
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
                    yield _finding(policy, path, f"{service} may assume this role for any account's "
                                   "resources: add an aws:SourceAccount or aws:SourceArn condition")


@rule("IAM511", "allow-not-action", Severity.WARNING, kinds=("iam",),
      summary="Allow with NotAction, NotResource or NotPrincipal")
def allow_not_action(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow statement with NotAction, NotResource or NotPrincipal.

    Why is this bad? "Allow everything except" grows with AWS: every new action, resource or
    principal is allowed the day it appears, without review.

    Example: `{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`.

    Use instead: Allow the actions and resources needed; use NotAction only in Deny statements."""
    policy = _policy(ctx)
    for statement in _allow_statements(policy):
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement.data:
                yield _finding(policy, (*statement.path, key), f"Allow with {key} allows everything "
                               "not listed, including what AWS adds later: list what is allowed", "key")


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
