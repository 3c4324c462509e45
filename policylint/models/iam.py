"""IAM policy documents: statements, and what they allow.

Values a template computes (``!GetAtt``, ``!Sub`` with unknown parts) are kept as they are;
matching against them answers None ("cannot know"), and rules stay silent on None.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any, NamedTuple

from policylint.models import IAM, Document
from policylint.models.refs import Ref, as_list, policy_name, resolve, resource_of, resources_of
from policylint.rule import Finding
from policylint.values import PLACEHOLDER, is_intrinsic
from policylint.wildcard import any_match, wildcard_match

IDENTITY, RESOURCE, TRUST = "identity", "resource", "trust"
# A Terraform aws_iam_role_policy_attachment, in a template view: it attaches PolicyArn to Role.
ROLE_POLICY_ATTACHMENT = "Terraform::IAM::RolePolicyAttachment"
AGENTCORE_SERVICE = "bedrock-agentcore.amazonaws.com"
STATES_SERVICE = "states.amazonaws.com"
# Resources whose policy guards a network path, not a resource or a role: a VPC endpoint's
# policy limits what callers inside the VPC may do through it ("Control access to VPC
# endpoints using endpoint policies", AWS PrivateLink Guide); `Principal: "*"` is its usual form.
ENDPOINT_TYPES = frozenset({"AWS::EC2::VPCEndpoint"})
# An AWS Organizations policy (a service control policy): it bounds what the principals of
# the accounts it is attached to may do, and grants nothing ("SCPs do not grant permissions",
# AWS Organizations User Guide): the rules about what a policy allows do not judge it, the
# grammar rules do (actions, Sids, conditions, shape).
ORGANIZATION_TYPES = frozenset({"AWS::Organizations::Policy"})
# A permissions boundary: "the maximum permissions that an identity-based policy can grant to
# an IAM entity"; it "does not grant permissions on its own" (IAM User Guide, "Permissions
# boundaries for IAM entities"). Written as a managed policy that a role or user of the same
# template (or Terraform module) names in PermissionsBoundary, or a SAM function or state
# machine whose role SAM makes (also as the template's Globals.Function).
BOUNDARY_OWNERS = frozenset({"AWS::IAM::Role", "AWS::IAM::User", "AWS::Serverless::Function",
                             "AWS::Serverless::StateMachine"})
# Where a managed policy is attached as a grant: a role's, user's or group's ManagedPolicyArns,
# the policy's own Roles, Users and Groups, a SAM resource's Policies, Terraform's
# aws_iam_role_policy_attachment.
_GRANTING = ("ManagedPolicyArns", "Roles", "Users", "Groups", "Policies", "PolicyArn")


def is_policy(data: Any) -> bool:
    """A policy document: a Statement (object or list of objects), with a Version or with
    statements that have an Effect (so a JSON file that merely has a "Statement" key is not
    taken for one). A policy language Version with no statement is a policy too, an empty
    one (IAM509). Unknown top-level keys are for IAM509 to report."""
    if not isinstance(data, dict):
        return False
    versioned = data.get("Version") in ("2012-10-17", "2008-10-17")
    if "Statement" not in data:
        return versioned and set(data) <= {"Version", "Id"}
    statement = data["Statement"]
    items = statement if isinstance(statement, list) else [statement]
    if not items:
        return versioned
    if not all(isinstance(s, dict) for s in items):
        return False
    return "Version" in data or all("Effect" in s for s in items)


def in_policy_slot(data: Any) -> bool:
    """Where a policy document belongs (a template's PolicyDocument): any object is one."""
    return isinstance(data, dict) and not is_intrinsic(data)


class Value(NamedTuple):
    """One entry of Action/Resource/Principal..., with its logical path in the document."""

    path: tuple
    raw: Any
    text: str | Ref | None  # resolved: a string, a template resource, or None (unknown)

    @property
    def literal(self) -> str | None:
        """The entry as a known string; None for a template resource or an unknown value."""
        return self.text if isinstance(self.text, str) else None


class Statement:
    """One statement of ``policy``: ``index`` is None when Statement is a single object."""

    def __init__(self, policy: Policy, index: int | None, data: dict) -> None:
        self.policy, self.index, self.data = policy, index, data
        self._values: dict[str, list[Value]] = {}
        self._actions: list[tuple[Value, str]] | None = None
        self._tests: dict[str, Callable[[str], bool]] = {}  # Action, NotAction -> its test of a name

    def __getstate__(self) -> dict[str, Any]:
        """What travels with its policy (``Policy.travels``): not the tests of names, functions
        made in this process (made again when asked)."""
        return {**self.__dict__, "_tests": {}}

    @property
    def path(self) -> tuple:
        return ("Statement",) if self.index is None else ("Statement", self.index)

    @cached_property
    def effect(self) -> str:
        effect = self.data.get("Effect")
        return effect if isinstance(effect, str) else ""

    @cached_property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def values(self, key: str) -> list[Value]:
        """The entries of ``key`` (Action, Resource, ...), each with its path, resolved."""
        if key not in self._values:
            raw = self.data.get(key)
            if key not in self.data:
                found = []
            elif isinstance(raw, list):
                found = [Value((*self.path, key, i), v, self.policy.resolve(v)) for i, v in enumerate(raw)]
            else:
                found = [Value((*self.path, key), raw, self.policy.resolve(raw))]
            self._values[key] = found
        return self._values[key]

    def actions(self) -> list[tuple[Value, str]]:
        """(entry, text) of each Action entry known as a string (worked out once: a dozen
        rules ask; the list is shared, not to be changed)."""
        found = self._actions
        if found is None:
            found = self._actions = [(v, v.text) for v in self.values("Action") if isinstance(v.text, str)]
        return found

    def action_matches(self, action: str) -> bool:
        """Whether the statement's Action (or NotAction) covers ``action``."""
        if "Action" in self.data:
            return self._names("Action")(action)
        if "NotAction" in self.data:
            return not self._names("NotAction")(action)
        return False

    def _names(self, key: str) -> Callable[[str], bool]:
        """Whether an action fits one of the known entries of ``key`` (Action, NotAction)."""
        test = self._tests.get(key)
        if test is None:
            names = tuple(v.text for v in self.values(key) if isinstance(v.text, str))
            test = self._tests[key] = any_match(names)
        return test

    def resource_matches(self, target: Target) -> bool | None:
        """Whether Resource (or NotResource) covers ``target``; None when it cannot be known."""
        if "Resource" in self.data:
            return _any_match(self.values("Resource"), target)
        if "NotResource" in self.data:
            hit = _any_match(self.values("NotResource"), target)
            return None if hit is None else not hit
        return None

    def denies(self, pattern: str, resource: str) -> bool:
        """Whether this is an unconditional Deny of every action ``pattern`` names, on every
        ARN ``resource`` names (``Deny * on *`` denies everything)."""
        return self.effect == "Deny" and "Condition" not in self.data and self.covers(pattern, resource)

    def covers(self, pattern: str, resource: str) -> bool:
        """Whether the statement's Action and Resource name every action ``pattern`` names, on
        every ARN ``resource`` names (whatever its Effect and Condition)."""
        if "Action" not in self.data:
            return False
        return self._names("Action")(pattern) and any(
            isinstance(v.text, str) and (v.text == "*" or wildcard_match(v.text, resource, True))
            for v in self.values("Resource"))

    def services(self) -> list[str]:
        """Service principals (``states.amazonaws.com``) of the Principal element."""
        principal = self.data.get("Principal")
        if not isinstance(principal, dict):
            return []
        return [v for v in as_list(principal.get("Service")) if isinstance(v, str)]


class Target(NamedTuple):
    """What an action is asked on: a known ARN, a template resource, or both."""

    arn: str | None = None
    ref: Ref | None = None


def _any_match(values: list[Value], target: Target) -> bool | None:
    unknown = False
    for value in values:
        text = value.text
        if text == "*":
            return True
        if isinstance(text, Ref):
            if target.ref is not None and text == target.ref:
                return True
            unknown = unknown or target.ref is None
        elif isinstance(text, str) and target.arn is not None:
            hit = _arn_match(variables_as_wildcards(text), target.arn)
            if hit:
                return True
            unknown = unknown or hit is None
        else:
            unknown = True
    return None if unknown else False


def _arn_match(pattern: str, arn: str) -> bool | None:
    """Whether the Resource ``pattern`` covers ``arn``; None when it would for some value of
    a partition, region or account the ARN leaves open (``*``: a template's pseudo-parameter)."""
    if wildcard_match(pattern, arn, True):
        return True
    fields, wanted = arn.split(":", 5), pattern.split(":", 5)
    if len(fields) == 6 == len(wanted) and "*" in fields[1:5] and all(
            field == "*" or wildcard_match(want, field, True)
            for want, field in zip(wanted, fields, strict=True)):
        return None
    return False


def variables_as_wildcards(text: str) -> str:
    """``${aws:username}`` and other policy variables match anything."""
    return PLACEHOLDER.sub("*", text)


class Policy:
    """A policy document: a Document of kind IAM, seen as statements."""

    travels = True  # its statements, worked out where the file was loaded, are read again by cross-file rules

    @classmethod
    def of(cls, document: Document) -> Policy:
        """The policy ``document`` is, built once and shared by every rule."""
        return document.view(cls)

    def __init__(self, document: Document) -> None:
        self.document = document

    @property
    def data(self) -> dict:
        return self.document.data

    @cached_property
    def kind(self) -> str:
        statements = self.statements
        if any("Principal" in s.data or "NotPrincipal" in s.data for s in statements):
            actions = [v.text for s in statements for v in s.values("Action")]
            if any(isinstance(a, str) and a.lower().startswith("sts:assumerole") for a in actions):
                return TRUST
            return RESOURCE
        return IDENTITY

    @cached_property
    def owner_type(self) -> str | None:
        """The CloudFormation type of the resource this policy is written in, if any."""
        kind = resource_of(self.document).get("Type") if self.document.template is not None else None
        return kind if isinstance(kind, str) else None

    @property
    def grants_nothing(self) -> bool:
        """A VPC endpoint policy, an Organizations policy (an SCP) or a permissions boundary:
        each limits what other policies grant, and grants nothing itself."""
        return self.owner_type in ENDPOINT_TYPES or self.organization or self.boundary

    @property
    def boundary(self) -> bool:
        """A managed policy that a role or user of its template names as its PermissionsBoundary,
        and that nothing there attaches as a grant; or one an export says is only that."""
        if self.document.bounds_only:
            return True
        return self.owner_type == "AWS::IAM::ManagedPolicy" and self.document.template is not None \
            and self.document.logical_id in self.document.template.view(_boundaries)

    @property
    def organization(self) -> bool:
        """An Organizations policy (an SCP): it grants nothing."""
        return self.owner_type in ORGANIZATION_TYPES

    @cached_property
    def statements(self) -> list[Statement]:
        raw = self.data.get("Statement") if isinstance(self.data, dict) else None
        if isinstance(raw, dict):
            return [Statement(self, None, raw)]
        if isinstance(raw, list):
            return [Statement(self, i, s) for i, s in enumerate(raw) if isinstance(s, dict)]
        return []

    @cached_property
    def allow_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.allows]

    @cached_property
    def denials(self) -> list[Statement]:
        """The unconditional Deny statements: what they cover no Allow of the policy grants."""
        return [s for s in self.statements if s.effect == "Deny" and "Condition" not in s.data]

    def resolve(self, value: Any) -> str | Ref | None:
        return resolve(value, self.document)

    def finding(self, path: tuple, message: str, at: str = "value") -> Finding:
        """A finding at ``path`` in this policy (``at`` the value, by default)."""
        return Finding(self.document, path, message, at)


def denied(policies: list[Policy], pattern: str, resource: str) -> bool:
    """Whether an unconditional Deny of these policies takes away ``pattern`` on ``resource``."""
    return any(s.denies(pattern, resource) for p in policies for s in p.denials)


def policies_of(documents: list[Document]) -> Iterator[Policy]:
    for document in documents:
        if document.kind == IAM and isinstance(document.data, dict):
            yield Policy.of(document)


def decision(policies: list[Policy], action: str, target: Target) -> bool | None:
    """Whether these identity policies allow ``action`` on ``target``: True, False, or None
    when a statement that could decide it cannot be evaluated. Explicit Deny wins."""
    allowed: bool | None = False
    for policy in policies:
        for statement in policy.statements:
            if not statement.action_matches(action):
                continue
            hit = statement.resource_matches(target)
            if statement.effect == "Deny" and hit and "Condition" not in statement.data:
                return False
            if statement.allows:
                if hit:
                    allowed = True
                elif hit is None and allowed is False:
                    allowed = None
    return allowed


def is_account_export(data: Any) -> bool:
    """``aws iam get-account-authorization-details`` output."""
    return isinstance(data, dict) and any(
        isinstance(data.get(k), list) for k in ("RoleDetailList", "UserDetailList", "GroupDetailList")) \
        and set(data) <= {"RoleDetailList", "UserDetailList", "GroupDetailList", "Policies",
                          "IsTruncated", "Marker"}


def account_policies(data: dict) -> Iterator[tuple[tuple, dict]]:
    """(path, policy) of every policy document in an account export the account wrote: roles'
    trust and inline policies, users' and groups' inline policies, the default version of
    its own managed policies. (AWS managed policies: ``aws_managed_policies``.)"""
    lists = (("RoleDetailList", "RolePolicyList"), ("UserDetailList", "UserPolicyList"),
             ("GroupDetailList", "GroupPolicyList"))
    for detail, inline in lists:
        for i, item in enumerate(as_list(data.get(detail) or [])):
            if not isinstance(item, dict):
                continue
            if is_policy(item.get("AssumeRolePolicyDocument")):
                yield (detail, i, "AssumeRolePolicyDocument"), item["AssumeRolePolicyDocument"]
            for j, policy in enumerate(as_list(item.get(inline) or [])):
                if isinstance(policy, dict) and is_policy(policy.get("PolicyDocument")):
                    yield (detail, i, inline, j, "PolicyDocument"), policy["PolicyDocument"]
    yield from _managed_versions(data, aws=False)


def aws_managed_policies(data: dict) -> Iterator[tuple[tuple, dict]]:
    """(path, policy) of the default version of each AWS managed policy in an account export
    (``arn:aws:iam::aws:policy/...``): what they grant counts for the roles they are attached
    to, but AWS writes them and nobody can change them, so they are not linted (as parliament
    skips them too)."""
    yield from _managed_versions(data, aws=True)


def _managed_versions(data: dict, aws: bool) -> Iterator[tuple[tuple, dict]]:
    for i, managed in enumerate(as_list(data.get("Policies") or [])):
        if not isinstance(managed, dict) or is_aws_managed(managed.get("Arn")) != aws:
            continue
        for j, version in enumerate(as_list(managed.get("PolicyVersionList") or [])):
            if isinstance(version, dict) and version.get("IsDefaultVersion") \
                    and is_policy(version.get("Document")):
                yield ("Policies", i, "PolicyVersionList", j, "Document"), version["Document"]


_AWS_MANAGED = re.compile(r":iam::aws:policy/(?:[^/]+/)*([^/]+)$")


def bounds_only(data: dict, path: tuple) -> bool:
    """Whether the export's managed policy at ``path`` (``("Policies", i, ...)``) is used only
    as a permissions boundary: AWS counts no attachment and at least one boundary use."""
    if path[:1] != ("Policies",):
        return False
    item = as_list(data.get("Policies") or [])[path[1]]
    uses = item.get("PermissionsBoundaryUsageCount")
    return item.get("AttachmentCount") == 0 and isinstance(uses, int) and uses > 0


def is_aws_managed(arn: Any) -> bool:
    """Whether ``arn`` names an AWS managed policy (its account is ``aws``), in any partition."""
    return isinstance(arn, str) and aws_managed_name(arn) is not None


def aws_managed_name(arn: str) -> str | None:
    """The name of the AWS managed policy ``arn`` names (its path left out), or None."""
    match = _AWS_MANAGED.search(arn)
    return match.group(1) if match else None


def _boundaries(template: Document) -> frozenset[str]:
    """The logical ids of the managed policies that roles and users of ``template``'s
    resources (a Terraform module's, all its files) name in PermissionsBoundary and that no
    resource attaches as a grant: a policy used both ways grants. Worked out once a template,
    and once a module for all its files (``_by_module``)."""
    resources = resources_of(template)
    written = function_boundary(template)
    if template.shared_resources is None or written is not None:
        return _of_resources(resources, template, written)
    known = _by_module.get(id(resources))
    if known is None or known[0] is not resources:
        if len(_by_module) >= _MODULES_KEPT:
            _by_module.clear()
        known = _by_module[id(resources)] = (resources, _of_resources(resources, template, None))
    return known[1]


# The boundaries of the Terraform modules met last, by their resources (kept with them, so an
# id is not another's): every file of a module asks, and each would read the whole module.
_by_module: dict[int, tuple[dict, frozenset[str]]] = {}
_MODULES_KEPT = 64


def _of_resources(resources: dict, template: Document, written: Any) -> frozenset[str]:
    """``_boundaries`` of ``resources`` (and a boundary ``written`` for SAM's Globals)."""
    granted = set()
    owners = [written] if written is not None else []
    for logical_id, resource in resources.items():
        props = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(props, dict):
            continue
        if resource.get("Type") in BOUNDARY_OWNERS:
            owners.append(props.get("PermissionsBoundary"))
        if resource.get("Type") == "AWS::IAM::ManagedPolicy" and \
                any(props.get(key) for key in ("Roles", "Users", "Groups")):
            granted.add(logical_id)
        for key in _GRANTING:
            for raw in as_list(props.get(key) or []) if key in props else ():
                if isinstance(target := resolve(raw, template), Ref):
                    granted.add(target.logical_id)
    by_name = policy_names(resources)
    named = {found for raw in owners if (found := boundary_named(raw, template, by_name)) is not None}
    return frozenset(named - granted)


def function_boundary(template: Document) -> Any:
    """The PermissionsBoundary a SAM template's Globals.Function gives the roles SAM makes."""
    globals_ = template.data.get("Globals") if isinstance(template.data, dict) else None
    function = globals_.get("Function") if isinstance(globals_, dict) else None
    return function.get("PermissionsBoundary") if isinstance(function, dict) else None


def policy_names(resources: dict) -> dict[str, str]:
    """The managed policies of ``resources`` by ManagedPolicyName: name -> logical id."""
    return {props["ManagedPolicyName"]: logical_id for logical_id, resource in resources.items()
            if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::ManagedPolicy"
            and isinstance(props := resource.get("Properties"), dict)
            and isinstance(props.get("ManagedPolicyName"), str)}


def boundary_named(raw: Any, template: Document, by_name: dict[str, str]) -> str | None:
    """The logical id of the managed policy a PermissionsBoundary ``raw`` names: by ``!Ref``
    (or ``!GetAtt``), or by its ARN's name among ``by_name`` (``policy_names``), even with
    account or partition computed; None when it names none of them (an AWS managed policy's
    ARN never does)."""
    target = resolve(raw, template)
    if isinstance(target, Ref):
        return target.logical_id
    return None if is_aws_managed(target) else by_name.get(policy_name(raw) or "")

