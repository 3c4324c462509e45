"""The index across documents: state machines <-> roles <-> harnesses.

Built once per run from every loaded document. A reference is followed through the
template that holds it (``!GetAtt R.Arn``, ``!Ref R``, ``!Sub '${R.Arn}'``,
``DefinitionSubstitutions``) or, for a literal ARN, to a role or harness defined anywhere
in the linted paths. A reference that cannot be followed is a PL005 note, and the rules
that needed it stay silent.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, cached_property
from typing import Any, NamedTuple

from policylint.models import ACCOUNT, ASL, HARNESS, IAM, TEMPLATE, Document
from policylint.models.asl import AgentTask, StateMachine
from policylint.models.harness import Harness
from policylint.models.iam import (
    AGENTCORE_SERVICE,
    ROLE_POLICY_ATTACHMENT,
    STATES_SERVICE,
    Policy,
    Target,
    aws_managed_policies,
    boundary_named,
    decision,
    function_boundary,
    policy_names,
)
from policylint.models.refs import Ref, as_list, resolve, resource_named, resources_of, role_name
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.rule import Finding
from policylint.values import PLACEHOLDER

ROLE_TYPE = "AWS::IAM::Role"
SAM_FUNCTION = "AWS::Serverless::Function"
# The SAM resources whose role SAM makes when they name none (``<LogicalId>Role``), by the
# service that assumes it; its policies are the resource's Policies.
SAM_ROLES = {"AWS::Serverless::StateMachine": STATES_SERVICE, SAM_FUNCTION: "lambda.amazonaws.com"}
# AgentCore resources that run with a role of their own (RoleArn), as CloudFormation names them.
AGENTCORE_ROLE_USERS = {"AWS::BedrockAgentCore::Runtime": "AgentCore runtime",
                        "AWS::BedrockAgentCore::Gateway": "AgentCore gateway"}
ATTACHED_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


class Attached(NamedTuple):
    """A managed policy attached to a role by ARN (or, in SAM, by name), where it is written."""

    document: Document
    path: tuple
    raw: Any  # as written: a string, or an intrinsic that builds one


class Role:
    """An IAM role declared at ``path`` of ``document``: its trust policy and the identity
    policies attached to it; ``managed``: the managed policies attached by ARN.

    ``complete`` is False when some attached policy is not in the linted paths (an AWS
    managed policy, a SAM policy template): a "not allowed" answer then means "unknown".
    ``assumed_by`` names services that may assume it beyond its trust policy. ``boundary``:
    the managed policy its PermissionsBoundary names (no more than it allows takes effect),
    ``[]`` when that policy is not in the linted paths, None when it has none."""

    def __init__(self, name: str, document: Document, path: tuple, arn: str | None = None,
                 ref: Ref | None = None, assumed_by: tuple[str, ...] = ()) -> None:
        self.name, self.document, self.path, self.arn, self.ref = name, document, path, arn, ref
        self.assumed_by = assumed_by
        self.trust: list[Policy] = []
        self.policies: list[Policy] = []
        self.managed: list[Attached] = []
        self.complete = True
        self.boundary: list[Policy] | None = None
        self._answers: dict[tuple[str, Target], bool | None] = {}  # what ``allows`` said

    @property
    def services(self) -> set[str]:
        trusted = {s.lower() for p in self.trust for st in p.statements if st.allows
                   for s in st.services()}
        return trusted | set(self.assumed_by)

    def allows(self, action: str, target: Target) -> bool | None:
        """Whether its policies allow ``action`` on ``target`` (None: not known), worked out
        once (a machine's agent tasks mostly invoke one harness)."""
        key = (action, target)
        if key not in self._answers:
            answer = decision(self.policies, action, target)
            self._answers[key] = None if answer is False and not self.complete else answer
        return self._answers[key]


class User(NamedTuple):
    """An export's user: its name, every policy it acts with, its boundary (as ``Role``'s)."""

    name: str
    policies: list[Policy]
    boundary: list[Policy] | None


class Link(NamedTuple):
    """A reference written at ``path`` of ``document``: its value (a literal ARN, a template
    resource, or None when only a deployment knows it) and what it leads to (or None)."""

    document: Document
    path: tuple
    value: str | Ref | None
    target: Any

    @property
    def unfollowed(self) -> bool:
        """Written as a reference that could not be followed (a literal ARN of something
        outside the linted files is a deliberate reference, not a loose end)."""
        return self.target is None and not isinstance(self.value, str)


def _ref_key(ref: Ref | None) -> tuple | None:
    """A template resource as a lookup key, apart from ("arn", ...) and ("name", ...) keys."""
    return ("ref", ref) if ref is not None else None


class Index:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.roles: list[Role] = []
        self.harnesses = [Harness.of(d) for d in documents if d.kind == HARNESS and isinstance(d.data, dict)]
        self.machines = [StateMachine.of(d) for d in documents if d.kind == ASL and d.data is not None]
        policies: dict[str, dict[tuple, Policy]] = {}  # file -> root -> policy
        for d in documents:
            if d.kind == IAM:
                policies.setdefault(d.namespace, {})[d.root] = Policy.of(d)
        exports = [d for d in documents if d.kind == ACCOUNT]
        inline = {id(e): _grouped(policies.get(e.namespace, {}), 3) for e in exports}  # by owner
        managed: dict[str, list[Policy]] = {}  # every export's managed policies: pages of one account
        for export in exports:
            managed.update(_managed_policies(export, policies.get(export.namespace, {})))
        # An export's users, each with every policy it acts with (its own and its groups'):
        # what IAM517 judges of them as of a role. (Only exports name users and groups.)
        self.users: list[User] = []
        groups: dict[str, list[Policy]] = {}  # group name -> its policies, in every page
        for export in exports:
            groups.update(_account_groups(export, inline[id(export)], managed))
        for document in documents:
            if document.kind == TEMPLATE:
                self.roles.extend(_template_roles(document, policies.get(document.namespace, {})))
            elif document.kind == ACCOUNT:
                own = policies.get(document.namespace, {})
                self.roles.extend(_account_roles(document, own, inline[id(document)], managed))
                self.users.extend(_account_users(document, inline[id(document)], managed, groups))
        self._roles_by: dict[Any, Role] = {}
        for role in reversed(self.roles):  # the first of a name or ARN wins
            keys: list = [_ref_key(role.ref), ("arn", role.arn), ("name", role.name)]
            self._roles_by.update({key: role for key in keys if key is not None and key != ("arn", None)})
        _attach_by_name(documents, self._roles_by, policies)
        self._harnesses_by: dict[Any, Harness] = {}
        for harness in reversed(self.harnesses):
            keys = [_ref_key(harness.ref), ("arn", harness.arn), ("id", harness.name)]
            if harness.arn:
                keys.append(("id", harness.arn.rsplit("/", 1)[-1]))
            self._harnesses_by.update({key: harness for key in keys if key is not None
                                       and key != ("arn", None)})
        self.machine_roles = {id(m): self._machine_role(m) for m in self.machines}
        self.harness_roles = {id(h): self._harness_role(h) for h in self.harnesses}
        self._task_harness: dict[int, tuple[Harness | None, Target | None]] = {}

    # -- lookups ---------------------------------------------------------------------------

    def role(self, value: str | Ref | None, raw: Any = None) -> Role | None:
        """The role a reference names: a template resource, an ARN, or a role name."""
        if isinstance(value, Ref):
            return self._roles_by.get(_ref_key(value))
        name = role_name(value if value is not None else raw)
        return self._roles_by.get(("arn", value)) or self._roles_by.get(("name", name))

    def harness(self, value: str | Ref | None) -> Harness | None:
        """The harness a reference names: a template resource, an ARN, or (in an ARN) a
        harness id (``name-XXXXXXXXXX``) or name."""
        if isinstance(value, Ref):
            return self._harnesses_by.get(_ref_key(value))
        if not isinstance(value, str):
            return None
        found = self._harnesses_by.get(("arn", value))
        if found is None and ":harness/" in value:
            resource_id = value.rsplit(":harness/", 1)[-1]
            found = self._harnesses_by.get(("id", resource_id)) or self._harnesses_by.get(
                ("id", resource_id.rsplit("-", 1)[0]))
        return found

    def task_harness(self, task: AgentTask) -> tuple[Harness | None, Target | None]:
        """The harness config an agent task invokes (when linted), and the target to check
        IAM against (its ARN and/or template resource), or (None, None) when unknown."""
        if id(task) not in self._task_harness:
            self._task_harness[id(task)] = self._find_task_harness(task)
        return self._task_harness[id(task)]

    def _find_task_harness(self, task: AgentTask) -> tuple[Harness | None, Target | None]:
        param = task.param("HarnessArn")
        if param is None or not param.is_static or not isinstance(param.value, str):
            return None, None
        document = task.machine.document
        value = _harness_reference(param.value, document)
        harness = self.harness(value)
        if harness is not None:
            return harness, Target(harness.arn or (value if isinstance(value, str) else None),
                                   harness.ref)
        if isinstance(value, Ref):
            return None, Target(ref=value)
        return None, Target(arn=value) if value else None

    def machine_role(self, machine: StateMachine) -> Link | None:
        return self.machine_roles.get(id(machine))

    def harness_role(self, harness: Harness) -> Link | None:
        return self.harness_roles.get(id(harness))

    def workflow_roles(self) -> Iterator[Role]:
        """Roles a state machine uses, or that states.amazonaws.com may assume."""
        used = {id(link.target) for link in self.machine_roles.values() if link and link.target}
        for role in self.roles:
            if id(role) in used or STATES_SERVICE in role.services:
                yield role

    def harness_of_role(self, role: Role) -> list[Harness]:
        return self._harnesses_of_roles.get(id(role), [])

    @cached_property
    def _harnesses_of_roles(self) -> dict[int, list[Harness]]:
        found: dict[int, list[Harness]] = {}
        for harness in self.harnesses:
            link = self.harness_role(harness)
            if link is not None and link.target is not None:
                found.setdefault(id(link.target), []).append(harness)
        return found

    def is_harness_role(self, role: Role) -> bool:
        return bool(self.harness_of_role(role)) or AGENTCORE_SERVICE in role.services

    @cached_property
    def agent_roles(self) -> dict[int, str]:
        """Roles an agent acts with, by id: what uses each (a harness, an AgentCore runtime
        or gateway), or that bedrock-agentcore.amazonaws.com may assume it."""
        found: dict[int, str] = {}
        for role in self.roles:
            harnesses = self.harness_of_role(role)
            if harnesses:
                found[id(role)] = f"harness {harnesses[0].name!r}"
            elif AGENTCORE_SERVICE in role.services:
                found[id(role)] = f"trusted by {AGENTCORE_SERVICE}"
        for template in (d for d in self.documents if d.kind == TEMPLATE):
            for name, resource in template.data["Resources"].items():
                kind = resource.get("Type") if isinstance(resource, dict) else None
                props = resource.get("Properties") if isinstance(resource, dict) else None
                if isinstance(kind, str) and kind in AGENTCORE_ROLE_USERS and isinstance(props, dict) \
                        and "RoleArn" in props:
                    used = self.role(resolve(props["RoleArn"], template), props["RoleArn"])
                    if used is not None:
                        found[id(used)] = f"{AGENTCORE_ROLE_USERS[kind]} {name!r}"
        return found

    @cached_property
    def policy_roles(self) -> dict[int, list[Role]]:
        """The roles each identity policy is attached to, by the policy's id."""
        found: dict[int, list[Role]] = {}
        for role in self.roles:
            for policy in role.policies:
                found.setdefault(id(policy), []).append(role)
        return found

    # -- PL005 -------------------------------------------------------------------------------

    def unresolved(self) -> Iterator[Finding]:
        for machine in self.machines:
            link = self.machine_role(machine)
            if machine.agent_tasks and link is not None and link.unfollowed:
                yield Finding(link.document, link.path, "the state machine's role could not be "
                              "followed to an IAM role; IAM504 was skipped for it",
                              code=UNRESOLVED_REFERENCE.code)
            for task in machine.agent_tasks:
                param = task.param("HarnessArn")
                if param is None or not param.is_static or not isinstance(param.value, str):
                    continue
                value = _harness_reference(param.value, machine.document)
                if not isinstance(value, str) and self.harness(value) is None:
                    finding = task.finding(param.path, f"HarnessArn {param.value!r} could not be "
                                           "followed to a harness; its config was not checked with "
                                           "this task", at="value")
                    finding.code = UNRESOLVED_REFERENCE.code
                    yield finding
        for harness in self.harnesses:
            link = self.harness_role(harness)
            if link is not None and link.unfollowed:
                yield Finding(link.document, link.path, "the harness execution role could not be "
                              "followed to an IAM role; IAM505/IAM506 were skipped for it",
                              at="value", code=UNRESOLVED_REFERENCE.code)

    # -- building ----------------------------------------------------------------------------

    def _machine_role(self, machine: StateMachine) -> Link | None:
        document = machine.document
        resource = resources_of(document).get(document.logical_id) if document.template else None
        props = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(props, dict) or not isinstance(resource, dict) or document.template is None:
            return None
        base = ("Resources", document.logical_id, "Properties")
        for key in ("RoleArn", "Role"):
            if key in props:
                value = resolve(props[key], document.template)
                return Link(document.template, (*base, key), value, self.role(value, props[key]))
        if resource.get("Type") == "AWS::Serverless::StateMachine":  # SAM makes a role
            implicit = self._implicit_roles.get((id(document.template), document.logical_id))
            return Link(document.template, ("Resources", document.logical_id), None, implicit)
        return None

    @cached_property
    def _implicit_roles(self) -> dict[tuple[int, str], Role]:
        return {(id(r.document), r.path[1]): r for r in self.roles if r.assumed_by}

    def _harness_role(self, harness: Harness) -> Link | None:
        field = harness.execution_role
        if field is None:
            return None
        document = harness.document
        value = resolve(field.value, document)
        return Link(document, field.path, value, self.role(value, field.value))


@cache
def _pseudo_parameters() -> re.Pattern[str]:
    """Some partition, region or account: CloudFormation's pseudo-parameters, the Serverless
    Framework's own variables for the region and account, and Terraform's data sources for
    them (compiled when a harness reference first asks)."""
    return re.compile(r"\$\{(?:AWS::(?:Partition|Region|AccountId|URLSuffix)"
                      r"|aws:(?:region|accountId)"
                      r"|data\.aws_(?:partition|region|caller_identity)\.[\w-]+\.\w+)\}")


def _harness_reference(value: str, document: Document) -> str | Ref | None:
    """A HarnessArn as written in ASL: a literal, or a placeholder that a template fills."""
    if document.template is not None and document.template.variables and "#{" in value:
        value = value.replace("#{", "${")  # the plugin's #{AWS::Region} is ${AWS::Region} in Fn::Sub
    literal = document.literal(value)
    if literal is not None:
        return literal
    # some partition, region or account: the harness is its name
    symbolic = _pseudo_parameters().sub("*", value)
    if symbolic != value and not PLACEHOLDER.search(symbolic):
        return symbolic
    match = PLACEHOLDER.fullmatch(value.strip())
    if not match or document.template is None:
        return None
    name = match.group(1)
    resources = resources_of(document)
    found = resource_named(name, resources)
    if found is not None:
        return Ref(document.template.namespace, found)
    resource = resources.get(document.logical_id)
    props = resource.get("Properties") if isinstance(resource, dict) else None
    table = props.get("DefinitionSubstitutions") if isinstance(props, dict) else None
    raw = table.get(name) if isinstance(table, dict) else None
    return resolve(raw, document.template) if raw is not None else None


def _template_roles(template: Document, policies: dict[tuple, Policy]) -> Iterator[Role]:
    inline = _grouped(policies, 4)  # by (Resources, name, Properties, Policies): one pass, not one a role
    by_name = policy_names(template.data["Resources"])
    globals_boundary = function_boundary(template)
    for name, resource in template.data["Resources"].items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties", {}), dict):
            continue
        props = resource.get("Properties", {})
        base = ("Resources", name, "Properties")
        if resource.get("Type") == ROLE_TYPE:
            role = Role(props.get("RoleName") if isinstance(props.get("RoleName"), str) else name,
                        template, ("Resources", name), ref=Ref(template.namespace, name))
            trust = _policy_at(policies, template, props, base, "AssumeRolePolicyDocument")
            role.trust = [trust] if trust else []
            role.boundary = _boundary(template, props.get("PermissionsBoundary"), policies, by_name)
            role.policies = list(inline.get((*base, "Policies"), ()))
            for i, item in enumerate(as_list(props.get("Policies") or [])):
                named = _policy_at(policies, template, item, (*base, "Policies", i), "PolicyDocument") \
                    if isinstance(item, dict) else None
                if named is not None and named not in role.policies:
                    role.policies.append(named)
            arns = props.get("ManagedPolicyArns")
            role.managed = [Attached(template, (*base, "ManagedPolicyArns", i), arn)
                            for i, arn in enumerate(arns)] if isinstance(arns, list) else []
            for arn in as_list(arns or []):
                target = resolve(arn, template)
                managed = policies.get(("Resources", target.logical_id, "Properties",
                                        "PolicyDocument")) if isinstance(target, Ref) else None
                if managed:
                    role.policies.append(managed)
                else:
                    role.complete = False
            yield role
        elif isinstance(kind := resource.get("Type"), str) and kind in SAM_ROLES and "Role" not in props:
            role = Role(f"{name}Role", template, ("Resources", name), assumed_by=(SAM_ROLES[kind],))
            written = props.get("PermissionsBoundary", globals_boundary if kind == SAM_FUNCTION else None)
            role.boundary = _boundary(template, written, policies, by_name)
            role.policies = list(inline.get((*base, "Policies"), ()))
            role.managed = _named_policies(template, props.get("Policies"), (*base, "Policies"))
            role.complete = all(isinstance(p, dict) and ("Statement" in p or "PolicyDocument" in p)
                                for p in as_list(props.get("Policies") or []))
            yield role


def _boundary(template: Document, raw: Any, policies: dict[tuple, Policy],
              by_name: dict[str, str]) -> list[Policy] | None:
    """The managed policy a PermissionsBoundary names (``boundary_named``); ``[]`` when it is
    not in the linted paths."""
    if raw is None:
        return None
    logical_id = boundary_named(raw, template, by_name)
    found = policies.get(("Resources", logical_id, "Properties", "PolicyDocument")) if logical_id else None
    return [found] if found else []


def _policy_at(policies: dict[tuple, Policy], template: Document, props: dict, base: tuple,
               key: str) -> Policy | None:
    """The policy written at ``base``/``key``, or the one it names (a Terraform
    ``data.aws_iam_policy_document.x.json``)."""
    written = policies.get((*base, key))
    if written is not None:
        return written
    target = resolve(props.get(key), template) if isinstance(props.get(key), dict) else None
    return policies.get(("Resources", target.logical_id, "Properties", "PolicyDocument")) \
        if isinstance(target, Ref) else None


def _managed_policies(export: Document, policies: dict[tuple, Policy]) -> dict[str, list[Policy]]:
    """A policy ARN -> its default version, for the managed policies of an export: the
    account's own (documents of the run) and AWS managed ones (read here, not linted). A
    listing without a default version says nothing of what the policy grants: it is left
    out (a role attached to it is incomplete), and does not hide another listing's."""
    aws = {path: Policy.of(Document(IAM, data, export.source, path))
           for path, data in aws_managed_policies(export.data)}
    by_policy = _grouped({**policies, **aws}, 2)
    found: dict[str, list[Policy]] = {}
    for i, item in enumerate(as_list(export.data.get("Policies") or [])):
        if isinstance(item, dict) and isinstance(item.get("Arn"), str) and ("Policies", i) in by_policy:
            found.setdefault(item["Arn"], by_policy[("Policies", i)])
    return found


def _grouped(policies: dict[tuple, Policy], depth: int) -> dict[tuple, list[Policy]]:
    """The policies by the first ``depth`` steps of their place (one pass, not one per owner)."""
    grouped: dict[tuple, list[Policy]] = {}
    for root, policy in policies.items():
        grouped.setdefault(root[:depth], []).append(policy)
    return grouped


def _account_groups(export: Document, inline: dict[tuple, list[Policy]],
                    managed: dict[str, list[Policy]]) -> dict[str, list[Policy]]:
    """The groups of an export by name: their inline policies and the managed ones attached."""
    return {str(item.get("GroupName", "")): _principal_policies(("GroupDetailList", i, "GroupPolicyList"),
                                                                item, inline, managed)
            for i, item in enumerate(as_list(export.data.get("GroupDetailList") or []))
            if isinstance(item, dict)}


def _account_users(export: Document, inline: dict[tuple, list[Policy]], managed: dict[str, list[Policy]],
                   groups: dict[str, list[Policy]]) -> Iterator[User]:
    """The users of an export: each name, with its inline and attached managed policies and
    those of the groups it is in (found in any page of the export), and its boundary."""
    for i, item in enumerate(as_list(export.data.get("UserDetailList") or [])):
        if not isinstance(item, dict):
            continue
        found = _principal_policies(("UserDetailList", i, "UserPolicyList"), item, inline, managed)
        for group in as_list(item.get("GroupList") or []):
            found.extend(groups.get(str(group), []))
        yield User(str(item.get("UserName", "")), list({id(p): p for p in found}.values()),
                   _account_boundary(item, managed))


def _account_boundary(item: dict, managed: dict[str, list[Policy]]) -> list[Policy] | None:
    """The permissions boundary of an export's role or user (its managed policy, found in any
    page of the export); ``[]`` when the export does not list it, None when it has none."""
    boundary = item.get("PermissionsBoundary")
    arn = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, dict) else None
    return None if not isinstance(arn, str) else list(managed.get(arn, []))


def _principal_policies(place: tuple, item: dict, inline: dict[tuple, list[Policy]],
                        managed: dict[str, list[Policy]]) -> list[Policy]:
    """A user's or group's inline policies (at ``place``), then the managed ones attached."""
    found = list(inline.get(place, []))
    for attached in as_list(item.get("AttachedManagedPolicies") or []):
        arn = attached.get("PolicyArn") if isinstance(attached, dict) else None
        found.extend(managed.get(arn, []) if isinstance(arn, str) else [])
    return found


def _account_roles(export: Document, policies: dict[tuple, Policy], inline: dict[tuple, list[Policy]],
                   managed: dict[str, list[Policy]]) -> Iterator[Role]:
    """The roles of an export, with their trust and inline policies (``inline``: the export's
    policies by owner) and the managed policies attached to them (found in any export of the
    run: a paginated export is several files)."""
    for i, item in enumerate(as_list(export.data.get("RoleDetailList") or [])):
        if not isinstance(item, dict):
            continue
        base = ("RoleDetailList", i)
        arn = item.get("Arn")
        role = Role(str(item.get("RoleName", "")), export, base, arn=arn if isinstance(arn, str) else None)
        role.boundary = _account_boundary(item, managed)
        trust = policies.get((*base, "AssumeRolePolicyDocument"))
        role.trust = [trust] if trust else []
        role.policies = list(inline.get((*base, "RolePolicyList"), []))
        for j, attached in enumerate(as_list(item.get("AttachedManagedPolicies") or [])):
            attached_arn = attached.get("PolicyArn") if isinstance(attached, dict) else None
            if isinstance(attached_arn, str):
                role.managed.append(Attached(export, (*base, "AttachedManagedPolicies", j, "PolicyArn"),
                                             attached_arn))
            if isinstance(attached_arn, str) and attached_arn in managed:
                role.policies.extend(managed[attached_arn])
            else:
                role.complete = False
        yield role


def _attach_by_name(documents: list[Document], roles: dict[Any, Role],
                    policies: dict[str, dict[tuple, Policy]]) -> None:
    """Attach AWS::IAM::Policy / ManagedPolicy / RolePolicy resources to the roles they name."""
    for template in (d for d in documents if d.kind == TEMPLATE):
        known = policies.get(template.namespace, {})
        for name, resource in template.data["Resources"].items():
            props = resource.get("Properties") if isinstance(resource, dict) else None
            if not isinstance(props, dict):
                continue
            if resource.get("Type") == ROLE_POLICY_ATTACHMENT:
                target = resolve(props.get("PolicyArn"), template)
                policy = known.get(("Resources", target.logical_id, "Properties", "PolicyDocument")) \
                    if isinstance(target, Ref) else None
                raws = [props.get("Role")]
                if policy is None and "PolicyArn" in props:
                    _attach_arn(template, name, props, roles)
            elif resource.get("Type") in ATTACHED_POLICY_TYPES:
                base = ("Resources", name, "Properties")
                policy = _policy_at(known, template, props, base, "PolicyDocument")
                raws = [*as_list(props.get("Roles") or []), props.get("RoleName")]
            else:
                continue
            if policy is None:
                continue
            for raw in raws:
                if raw is None:
                    continue
                value = resolve(raw, template)
                role = roles.get(_ref_key(value) if isinstance(value, Ref) else ("name", value))
                if role is not None and policy not in role.policies:
                    role.policies.append(policy)


def _attach_arn(template: Document, name: str, props: dict, roles: dict[Any, Role]) -> None:
    """A policy attachment of a managed policy by ARN (Terraform's
    aws_iam_role_policy_attachment of an AWS managed policy): recorded on its role."""
    value = resolve(props.get("Role"), template)
    role = roles.get(_ref_key(value) if isinstance(value, Ref) else ("name", value))
    if role is not None:
        where = ("Resources", name, "Properties", "PolicyArn")
        role.managed.append(Attached(template, where, props["PolicyArn"]))


def _named_policies(template: Document, policies: Any, path: tuple) -> list[Attached]:
    """SAM's managed policies by name or ARN (a string, or strings among the Policies)."""
    if isinstance(policies, str):
        return [Attached(template, path, policies)]
    return [Attached(template, (*path, i), p) for i, p in enumerate(as_list(policies or []))
            if isinstance(p, str)]
