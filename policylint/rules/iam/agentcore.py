"""The workflow/harness boundary in IAM: who may invoke agents (IAM501, IAM502), tool permissions
on the right role (IAM503, IAM505, IAM506), the workflow role can invoke its harness (IAM504),
and the two roles kept apart (HRN408)."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache

from policylint.catalog import action, matching
from policylint.hookspecs import hookimpl
from policylint.index import Link, Role
from policylint.models import Document
from policylint.models.harness import Harness
from policylint.models.iam import IDENTITY, Policy, Statement, Target, Value, denied
from policylint.models.refs import label_of
from policylint.project import Context, Project
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.rules.iam.arns import arn_types, fits
from policylint.values import PLACEHOLDER
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


def _wildcard(text: str) -> bool:
    """Whether a written ARN or action has ``*``/``?`` of its own (policy variables aside)."""
    return bool(re.search(r"[*?]", PLACEHOLDER.sub("", text)))


def harness_invoke_wildcard_resource(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `bedrock-agentcore:InvokeHarness` or
    `InvokeAgentRuntime` (named, or through a wildcard such as `Invoke*`) on `*` or on an
    ARN with a wildcard that can be a harness or runtime (`...:harness/*`; not
    `...:memory/*`, which no invoke action acts on), in an identity policy (a resource
    policy's Resource is its own resource). An unconditional Deny in the same policy that
    covers it takes it away; a VPC endpoint policy is not judged (it is neither a role's
    policy nor a resource's).

    Why is this bad? The role (a workflow, a Lambda function) may then run any agent in
    the account, with that agent's tools and memory, not just the one it was built for.

    Example: `{"Effect": "Allow", "Action": "bedrock-agentcore:InvokeHarness", "Resource": "*"}`.

    Use instead: the ARN of the one harness (or agent runtime) it invokes:
    `"Resource": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support-AbCdEf1234"`."""
    policy = Policy.of(ctx.document)
    if policy.kind != IDENTITY or policy.grants_nothing:
        return  # a resource policy's Resource is its own resource; an endpoint's, a path
    for statement in policy.allow_statements:
        invokes = [t for _, t in statement.actions() if t.lower().startswith(f"{AGENTCORE}:")
                   and any(wildcard_match(t, a) for a in INVOKE)]
        if not invokes:
            continue
        runtime = any(wildcard_match(t, INVOKE[1]) for t in invokes)  # a runtime's ARN, or a harness's
        target = "harness or agent runtime" if runtime else "harness"
        for value in statement.values("Resource"):
            text = value.literal
            if text is not None and _wildcard(text) and _invokable(text, tuple(invokes)) \
                    and not all(denied([policy], t, text) for t in invokes):
                yield policy.finding(value.path, f"{', '.join(invokes)} is allowed on {text!r}: the "
                                     f"role may run any matching agent; name the one {target} ARN")


harness_invoke_wildcard_resource = rule(
    "IAM501", "harness-invoke-wildcard-resource", Severity.ERROR, kinds=("iam",),
    summary="InvokeHarness / InvokeAgentRuntime allowed on '*' or a wildcard harness ARN",
    tags=("security",),
)(harness_invoke_wildcard_resource)


def agentcore_action_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of `bedrock-agentcore:*`, or of any bedrock-agentcore
    wildcard that covers the Invoke actions (`Invoke*`), on resources that can be a harness
    or runtime (`*`, a harness ARN; not one memory ARN: that statement cannot invoke an
    agent), and of `*` in an identity policy on resources that can be AgentCore's (`*`, an
    AgentCore ARN, an ARN whose service is a wildcard; not `*` limited to S3 or SQS ARNs).
    An unconditional Deny in the same policy that covers the grant takes it away; a VPC
    endpoint policy is not judged.

    Why is this bad? The role may invoke agents, read their memory and drive their browser
    and code interpreter sessions, and whatever AgentCore adds next.

    Example: `"Action": "bedrock-agentcore:*"`.

    Use instead: the actions this role needs, e.g. `bedrock-agentcore:InvokeHarness` and
    `bedrock-agentcore:InvokeAgentRuntime` for a workflow."""
    policy = Policy.of(ctx.document)
    if policy.grants_nothing:
        return
    for statement in policy.allow_statements:
        for value, text in statement.actions():
            if text == "*" and policy.kind == IDENTITY and _reaches_agentcore(statement) \
                    and not _all_denied(policy, statement, text):
                yield policy.finding(value.path, "Action '*' allows every AgentCore action (and every "
                                     "other): list the actions this role needs")
            elif text.lower().startswith(f"{AGENTCORE}:") and _wildcard(text) and any(
                    wildcard_match(text, a) for a in INVOKE) and _reaches_invoke(statement, text) \
                    and not _all_denied(policy, statement, text):
                yield policy.finding(value.path, f"{text!r} allows every matching AgentCore action, "
                                     "including invoking any agent: list the actions this role needs")


agentcore_action_wildcard = rule(
    "IAM502", "agentcore-action-wildcard", Severity.ERROR, kinds=("iam",),
    summary="bedrock-agentcore:*, bedrock-agentcore:Invoke* or * allowed", tags=("security",),
)(agentcore_action_wildcard)


@lru_cache(maxsize=4096)
def _invokable(resource: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``resource`` can be a harness or runtime that these Action entries invoke."""
    formats = tuple(f for a in INVOKE if any(wildcard_match(p, a) for p in patterns)
                    for _, f in arn_types(a))
    return not formats or fits(resource, formats)


def _reaches_invoke(statement: Statement, pattern: str) -> bool:
    """Whether the statement's resources can be an agent ``pattern`` may invoke (an unknown
    resource can; one memory ARN cannot)."""
    if "Resource" not in statement.data:
        return True
    return any(v.literal is None or _invokable(v.literal, (pattern,)) for v in statement.values("Resource"))


def _all_denied(policy: Policy, statement: Statement, pattern: str) -> bool:
    """Whether a Deny of the same policy takes ``pattern`` away on every resource of ``statement``."""
    resources = [v.literal for v in statement.values("Resource")]
    return bool(resources) and all(r is not None and denied([policy], pattern, r) for r in resources)


def _reaches_agentcore(statement: Statement) -> bool:
    """Whether the statement's resources can be AgentCore resources (an unknown one can)."""
    if "Resource" not in statement.data:
        return True
    for value in statement.values("Resource"):
        text = value.literal
        parts = text.split(":") if text is not None else []
        if text is None or text == "*" or len(parts) < 3 or wildcard_match(parts[2], AGENTCORE):
            return True
    return False


@lru_cache(maxsize=4096)  # every role's every Action entry is asked, by two rules
def _tool_families(action: str) -> frozenset[str]:
    """The AgentCore tools whose data-plane actions an Action entry allows."""
    if not action.lower().startswith(f"{AGENTCORE}:"):
        return frozenset()
    names = [a.split(":", 1)[1] for a in matching(action)]
    return frozenset(family for family, pattern in TOOL_ACTIONS.items()
                     if any(re.fullmatch(pattern, n) for n in names))


def _role_tool_statements(role: Role) -> Iterator[tuple[Policy, list[tuple[Value, str, frozenset[str]]]]]:
    """Each Allow statement of the role with tool actions: its (entry, action, tools)."""
    for policy in role.policies:
        for statement in policy.allow_statements:
            entries = [(value, text, families) for value, text in statement.actions()
                       if (families := _tool_families(text))]
            if entries:
                yield policy, entries


def _excess_message(excess: list[tuple[Value, str, frozenset[str]]], used: set[str], role: Role) -> str:
    names = [text for _, text, _ in excess]
    shown = ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if any(text.split(":", 1)[1] == "*" for text in names):
        return (f"{shown} {'allows' if len(names) == 1 else 'allow'} every AgentCore tool; harnesses "
                f"using role {role.name!r} use only {', '.join(sorted(used)) or 'none'}")
    tools = ", ".join(sorted(set().union(*(f for _, _, f in excess))))
    return (f"{shown} {'allows' if len(names) == 1 else 'allow'} {tools} actions but no harness using "
            f"role {role.name!r} has that tool: remove {'it' if len(names) == 1 else 'them'}")


def _role_tool_actions(role: Role) -> Iterator[tuple[Policy, Value, str, frozenset[str]]]:
    for policy, entries in _role_tool_statements(role):
        for value, text, families in entries:
            yield policy, value, text, families


def _tool_permission_on_workflow_role(project: Project) -> Iterator[Finding]:
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
            yield policy.finding(value.path, f"{text!r} on workflow role {role.name!r} allows "
                                 f"agent tool actions ({', '.join(sorted(families))}): they belong on the "
                                 "harness execution role")


tool_permission_on_workflow_role = rule(
    "IAM503", "tool-permission-on-workflow-role", Severity.ERROR, scope="project",
    summary="A workflow role allows agent tool actions (browser, code interpreter, gateway, memory)",
    tags=("security",),
)(_tool_permission_on_workflow_role)


def _role(link: Link | None) -> Role | None:
    """The IAM role a reference leads to, when it could be followed."""
    return link.target if link is not None and isinstance(link.target, Role) else None


def _described(target: Target) -> str:
    if target.arn:
        return repr(target.arn)
    return f"resource {target.ref.logical_id!r}" if target.ref else "the harness"


def _workflow_role_cannot_invoke_harness(project: Project) -> Iterator[Finding]:
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


workflow_role_cannot_invoke_harness = rule(
    "IAM504", "workflow-role-cannot-invoke-harness", Severity.ERROR, scope="project",
    summary="The state machine's role does not allow InvokeHarness and InvokeAgentRuntime on its harness",
)(_workflow_role_cannot_invoke_harness)


def _uses_memory(harness: Harness) -> bool:
    """Whether the harness has memory: written, or managed memory, the AWS default when
    `memory` is omitted (an explicit `disabled` opts out; harness API and resource schema)."""
    return harness.get("memory") is None or harness.memory is not None


def _harness_families(harness: Harness) -> set[str]:
    families = {TOOL_FAMILY[t.type] for t in harness.tools if t.type in TOOL_FAMILY}
    if _uses_memory(harness):
        families.add("memory")
    return families


def _tool_places(harness: Harness) -> dict[str, tuple[tuple, str]]:
    """Each tool family the harness uses, with where it is written and how it is named:
    an omitted `memory` (managed memory) at the execution role."""
    places = {TOOL_FAMILY[t.type]: (t.type_path, TOOL_FAMILY[t.type])
              for t in harness.tools if t.type in TOOL_FAMILY}
    if harness.get("memory") is None and harness.execution_role is not None:
        places["memory"] = (harness.execution_role.path, "managed memory (the default: no `memory` is set)")
    elif harness.get("memory") is not None and harness.memory is not None:
        places["memory"] = (harness.memory.path, "memory")
    return places


def _harness_role_missing_tool_permission(project: Project) -> Iterator[Finding]:
    """What it does: flags a harness tool (browser, code interpreter, gateway) or memory
    whose actions its execution role does not allow (when every policy of the role is in
    the linted files). A harness with no `memory` has managed memory (the AWS default,
    AgentCore harness API and `AWS::BedrockAgentCore::Harness` schema; `disabled` opts
    out): its role needs the memory actions too (reported at `executionRoleArn`).

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
        for family, (path, named) in _tool_places(harness).items():
            missing = [a for a in TOOL_NEEDS[family]
                       if role.allows(f"{AGENTCORE}:{a}", Target()) is False]
            if missing:
                yield Finding(harness.document, path, f"execution role {role.name!r} does not allow "
                              f"{', '.join(_spelled(a) for a in missing)}: the agent's {named} "
                              "fails with AccessDenied", "value")


def _spelled(name: str) -> str:
    """An AgentCore action (catalog name, lower case) as AWS spells it: what to paste into a policy."""
    found = action(f"{AGENTCORE}:{name}")
    return f"{AGENTCORE}:{found['name'] if found else name}"


harness_role_missing_tool_permission = rule(
    "IAM505", "harness-role-missing-tool-permission", Severity.WARNING, scope="project",
    summary="The harness uses a tool its execution role cannot call",
)(_harness_role_missing_tool_permission)


def _harness_role_excess_tool_permission(project: Project) -> Iterator[Finding]:
    """What it does: flags tool actions (browser, code interpreter, gateway, memory) on a
    harness execution role when none of the harnesses using that role has that tool: one
    finding per statement, at its first such action, naming them. A harness with no
    `memory` has managed memory (the AWS default; `disabled` opts out), so its memory
    actions are not excess.

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
        for policy, entries in _role_tool_statements(role):
            excess = [(value, text, families - used) for value, text, families in entries if families - used]
            if excess:
                yield policy.finding(excess[0][0].path, _excess_message(excess, used, role))


harness_role_excess_tool_permission = rule(
    "IAM506", "harness-role-excess-tool-permission", Severity.WARNING, scope="project",
    summary="The harness role allows tool actions for tools the harness does not have",
)(_harness_role_excess_tool_permission)


def _harness_role_shared_with_workflow(project: Project) -> Iterator[Finding]:
    """What it does: flags a harness whose execution role is also the role of a state
    machine in the linted files.

    Why is this bad? The workflow then holds the agent's tool permissions (browser, code
    interpreter, gateway, memory) and the agent holds the workflow's: each can do what only
    the other should.

    Example: `executionRoleArn: !GetAtt WorkflowRole.Arn` on the harness, and
    `RoleArn: !GetAtt WorkflowRole.Arn` on the state machine.

    Use instead: two roles: one trusted by states.amazonaws.com that may invoke the harness,
    one trusted by bedrock-agentcore.amazonaws.com with the tool permissions."""
    index = project.index
    by_role: dict[int, Document] = {}  # a role, by the id of its resource, to the machine using it
    by_arn: dict[str, Document] = {}  # a literal role ARN to the machine using it
    for machine in index.machines:
        link = index.machine_role(machine)
        if link is not None and link.target is not None:
            by_role.setdefault(id(link.target), machine.document)
        if link is not None and isinstance(link.value, str):
            by_arn.setdefault(link.value, machine.document)
    for h in index.harnesses:
        link = index.harness_role(h)
        if link is None:
            continue
        shared = by_role.get(id(link.target)) if link.target is not None else None
        shared = shared or (by_arn.get(link.value) if isinstance(link.value, str) else None)
        if shared is not None:
            label = label_of(shared)
            where = f"{label} ({shared.source.path})" if label else shared.source.path
            yield Finding(link.document, link.path, f"harness {h.name!r} runs with the role of "
                          f"state machine {where}: give the harness its own execution role", "value")


harness_role_shared_with_workflow = rule(
    "HRN408", "harness-role-shared-with-workflow", Severity.ERROR,
    summary="The harness execution role is also a state machine's role", scope="project",
    tags=("security",),
)(_harness_role_shared_with_workflow)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
