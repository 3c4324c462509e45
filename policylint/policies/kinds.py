"""What an organisation policy can judge: the objects of each kind, and their fields.

A policy names a kind (``harness``, ``agent-task``, ...) and fields by the AWS API's names
(camelCase for AgentCore resources, PascalCase for Step Functions and IAM, as the APIs spell
them); the first letter's case does not matter, so ``timeoutSeconds`` and ``TimeoutSeconds``
are one field, whatever form the file is written in (the front ends turn CloudFormation,
SAM, CDK output, Serverless and Terraform into one shape). A field path is dotted; ``*``
stands for every key of an object, and a list is crossed without naming its index
(``tools.type`` is the type of every tool).

AWS defaults count as written: a value left out that AWS fills in (``DEFAULTS``) is read as
that value, at the position of the object that lacks it. A value only known at deploy time
(an intrinsic, a Terraform variable, a placeholder nothing defines, a JSONPath ``.$`` or
JSONata expression) is unknown: a policy never judges it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.values import PLACEHOLDER, is_intrinsic, is_jsonata

if TYPE_CHECKING:
    from policylint.models import Document
    from policylint.project import Project

HARNESS, AGENT_TASK, STATE_MACHINE, TASK = "harness", "agent-task", "state-machine", "task"
ROLE, STATEMENT, GATEWAY, RUNTIME, MEMORY = "role", "statement", "gateway", "runtime", "memory"
KINDS = (HARNESS, AGENT_TASK, STATE_MACHINE, TASK, ROLE, STATEMENT, GATEWAY, RUNTIME, MEMORY)

_STATE = ("type", "comment", "resource", "parameters", "arguments", "resultPath", "resultSelector",
          "outputPath", "inputPath", "output", "assign", "retry", "catch", "timeoutSeconds",
          "heartbeatSeconds", "credentials", "queryLanguage", "next", "end")
# InvokeHarness / InvokeAgentRuntime request fields (Parameters or Arguments: ``Arguments.X``).
_REQUEST = ("harnessArn", "agentRuntimeArn", "runtimeSessionId", "messages", "model", "systemPrompt",
            "tools", "allowedTools", "skills", "maxIterations", "maxTokens", "timeoutSeconds", "actorId",
            "payload", "qualifier", "contentType", "accept", "runtimeUserId", "traceId", "traceParent",
            "baggage", "mcpSessionId", "mcpProtocolVersion")
_TAGS = ("tags", "clientToken", "description")
# The fields a policy may name, first segment, by kind (lower first letter).
FIELDS: dict[str, tuple[str, ...]] = {
    HARNESS: ("harnessName", "executionRoleArn", "model", "systemPrompt", "tools", "skills",
              "allowedTools", "memory", "maxIterations", "maxTokens", "timeoutSeconds", "environment",
              "environmentVariables", "authorizerConfiguration", "hooks", "arn", "harnessId", *_TAGS),
    AGENT_TASK: _STATE,
    TASK: _STATE,
    STATE_MACHINE: ("startAt", "states", "comment", "timeoutSeconds", "queryLanguage", "version",
                    "type", "loggingConfiguration", "tracingConfiguration", "roleArn", "name"),
    ROLE: ("roleName", "assumeRolePolicyDocument", "managedPolicyArns", "attachedManagedPolicies",
           "maxSessionDuration", "permissionsBoundary", "path", "policies", "rolePolicyList", *_TAGS),
    STATEMENT: ("sid", "effect", "action", "notAction", "resource", "notResource", "principal",
                "notPrincipal", "condition"),
    GATEWAY: ("name", "roleArn", "protocolType", "protocolConfiguration", "authorizerType",
              "authorizerConfiguration", "kmsKeyArn", "exceptionLevel", "policyEngineConfiguration",
              "interceptorConfigurations", "gatewayId", "gatewayArn", *_TAGS),
    RUNTIME: ("agentRuntimeName", "agentRuntimeArtifact", "roleArn", "networkConfiguration",
              "protocolConfiguration", "lifecycleConfiguration", "environmentVariables",
              "authorizerConfiguration", "requestHeaderConfiguration", "agentRuntimeArn", "agentRuntimeId",
              *_TAGS),
    MEMORY: ("name", "encryptionKeyArn", "memoryExecutionRoleArn", "eventExpiryDuration",
             "memoryStrategies", "arn", "id", *_TAGS),
}
REQUEST_FIELDS = _REQUEST
MACHINE_SETTINGS = frozenset({"type", "loggingConfiguration", "tracingConfiguration", "roleArn", "name"})
NEVER_TIMES_OUT = 99_999_999  # a Task's TimeoutSeconds when not written (Step Functions docs)
# What AWS uses when a field is left out, by dotted path (lower first letters).
DEFAULTS: dict[str, dict[str, Any]] = {
    HARNESS: {"memory": {"managedMemoryConfiguration": {}},
              "memory.managedMemoryConfiguration.eventExpiryDuration": 30,
              "allowedTools": ["*"]},
    STATE_MACHINE: {"queryLanguage": "JSONPath"},
    TASK: {"timeoutSeconds": NEVER_TIMES_OUT},
    AGENT_TASK: {"timeoutSeconds": NEVER_TIMES_OUT},
    ROLE: {"maxSessionDuration": 3600, "path": "/"},
}


def canonical(name: str) -> str:
    return name[:1].lower() + name[1:]


MISSING = object()  # a Got's value where the field is not written: its path is the deepest object


class Got(NamedTuple):
    """A value a field path reached: its logical path in the document (that of the object
    lacking it when ``default``), the value, and whether it is known at lint time;
    ``document`` when it is another than the object's (a state machine's template)."""

    path: tuple
    value: Any
    known: bool = True
    default: bool = False
    document: Document | None = None


class Subject(NamedTuple):
    """One object a policy judges: where it is, and how to read its fields."""

    document: Document
    path: tuple  # of the object in the document (a finding about a missing field goes here)
    data: Any
    defaults: dict[str, Any]
    resolve: Callable[[Any], Any] | None = None  # a string's value after substitutions; None: unknown
    arguments: str | None = None  # an agent task's request key: Parameters or Arguments
    outer: Subject | None = None  # a state machine's template resource: its settings
    variables: bool = True  # a ${...} left in a string is known at deploy time (IAM: a policy variable)

    def get(self, parts: tuple[str, ...]) -> list[Got]:
        """Every value at ``parts`` (canonical names, ``*`` allowed); where one is not
        written, a ``MISSING`` value at the deepest object on its way."""
        data, path = self.data, self.path
        if parts and parts[0] in MACHINE_SETTINGS and STATE_MACHINE in self.defaults:
            return self._setting(parts)
        if parts and parts[0] in ("arguments", "parameters") and self.arguments is not None:
            if not isinstance(data, dict) or self.arguments not in data:
                return [Got(path, MISSING)]
            data, path, parts = data[self.arguments], (*path, self.arguments), parts[1:]
            return list(self._walk(data, path, parts, (), False, request=True))
        return _plain(data, path, parts) or list(self._walk(data, path, parts, (), False))

    def _setting(self, parts: tuple[str, ...]) -> list[Got]:
        """A state machine's setting, from its template resource (CloudFormation's
        StateMachineType, SAM's Type: ``type``); unknown for a definition on its own."""
        outer = self.outer
        if outer is None:
            return [Got(self.path, None, False)]
        if parts[0] != "type":
            return [g._replace(document=outer.document) for g in outer.get(parts)]
        for name in ("stateMachineType", "type"):  # CloudFormation's, SAM's
            got = outer.get((name, *parts[1:]))
            if any(g.value is not MISSING for g in got):
                return [g._replace(document=outer.document) for g in got]
        return [Got(outer.path, "STANDARD", True, True, outer.document)]

    def _walk(self, value: Any, path: tuple, parts: tuple, done: tuple, default: bool,
              request: bool = False) -> Iterator[Got]:
        if not self._known(value):
            yield Got(path, value, False, default)
            return
        if isinstance(value, list) and (not parts or parts[0] != "*") and parts:
            for i, item in enumerate(value):
                yield from self._walk(item, path if default else (*path, i), parts, done, default, request)
            return
        if not parts:
            if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str) \
                    and not default:
                path = (*path, "Fn::Sub")
            yield Got(path, self._value(value), True, default)
            return
        part, rest = parts[0], parts[1:]
        if part == "*":
            items = value.items() if isinstance(value, dict) else enumerate(value) \
                if isinstance(value, list) else ()
            for key, item in items:
                yield from self._walk(item, path if default else (*path, key), rest, (*done, "*"), default,
                                      request)
            return
        if not isinstance(value, dict):
            yield Got(path, MISSING, True, default)
            return
        for key in (part, part[:1].upper() + part[1:]):
            if key in value:
                yield from self._walk(value[key], path if default else (*path, key), rest, (*done, part),
                                      default, request)
                return
        for key in (part, part[:1].upper() + part[1:]):
            if self.resolve is not None and (key + ".$" in value or key + "Path" in value):
                yield Got(path, None, False, default)  # given at run time: JSONPath
                return
        dotted = ".".join((*done, part))
        if not request and dotted in self.defaults:
            yield from self._walk(self.defaults[dotted], path, rest, (*done, part), True)
        else:
            yield Got(path, MISSING, True, default)

    def _known(self, value: Any) -> bool:
        if is_intrinsic(value):
            return isinstance(value, dict) and "Fn::Sub" in value and self.resolve is not None and \
                isinstance(value["Fn::Sub"], str) and self.resolve(value["Fn::Sub"]) is not None
        if isinstance(value, str):
            if is_jsonata(value):
                return False
            if PLACEHOLDER.search(value):
                return self.resolve(value) is not None if self.resolve is not None else not self.variables
        return True

    def _value(self, value: Any) -> Any:
        if isinstance(value, dict) and "Fn::Sub" in value and len(value) == 1:
            value = value["Fn::Sub"]
        if isinstance(value, str) and self.resolve is not None and "${" in value:
            return self.resolve(value)
        return value


_UPPER: dict[str, str] = {}


def _plain(value: Any, path: tuple, parts: tuple[str, ...]) -> list[Got] | None:
    """The common case, quickly: objects all the way to a plain string or number; None for
    anything else (a list, a default, an unknown), which the walk reads."""
    for part in parts:
        if type(value) is not dict:
            return None
        if part in value:
            key = part
        else:
            key = _UPPER.get(part) or _UPPER.setdefault(part, part[:1].upper() + part[1:])
            if key not in value:
                return None
        value = value[key]
        path = (*path, key)
    kind = type(value)
    if kind is str:
        return None if "${" in value or value.startswith("{%") else [Got(path, value)]
    return [Got(path, value)] if kind is int or kind is float else None


def subjects(kind: str, document: Document) -> Iterator[Subject]:
    """The objects of ``kind`` in ``document`` (of any document kind)."""
    reader = _READERS.get((kind, document.kind))
    if reader is not None:
        yield from reader(kind, document)


def _harnesses(kind: str, document: Document) -> Iterator[Subject]:
    from policylint.models.harness import Harness

    h = Harness.of(document)
    yield Subject(document, (), document.data, {} if h.is_update else DEFAULTS[HARNESS])


def _agentcore(kind: str, document: Document) -> Iterator[Subject]:
    from policylint.models.agentcore import GATEWAY as G
    from policylint.models.agentcore import MEMORY as M
    from policylint.models.agentcore import RUNTIME as R
    from policylint.models.agentcore import Resource

    if Resource.of(document).type == {GATEWAY: G, RUNTIME: R, MEMORY: M}[kind]:
        yield Subject(document, (), document.data, {})


def _tasks(kind: str, document: Document) -> Iterator[Subject]:
    from policylint.models.asl import AgentTask, StateMachine

    machine = StateMachine.of(document)
    for state in machine.agent_tasks if kind == AGENT_TASK else machine.tasks:
        defaults, arguments = DEFAULTS[kind], None
        if isinstance(state, AgentTask):
            defaults = {**defaults, "timeoutSeconds": state.cap} if state.cap is not None else {}
            arguments = state.arguments_key
        yield Subject(document, state.path, state.body, defaults, document.literal, arguments)


def _machines(kind: str, document: Document) -> Iterator[Subject]:
    from policylint.models.refs import resources_of, template_of

    if not isinstance(document.data, dict):
        return
    template = template_of(document) if document.template is not None else None
    outer = None
    resource = resources_of(document).get(document.logical_id) if template is not None else None
    if template is not None and isinstance(resource, dict) and isinstance(resource.get("Properties"), dict):
        props = resource["Properties"]
        outer = Subject(template, ("Resources", document.logical_id, "Properties"), props, {})
    defaults = {**DEFAULTS[STATE_MACHINE], STATE_MACHINE: True}
    yield Subject(document, (), document.data, defaults, document.literal, outer=outer)


def _statements(kind: str, document: Document) -> Iterator[Subject]:
    from policylint.models.iam import Policy

    for statement in Policy.of(document).statements:
        yield Subject(document, statement.path, statement.data, {}, variables=False)


def _roles(kind: str, document: Document) -> Iterator[Subject]:
    data = document.data if isinstance(document.data, dict) else {}
    if document.kind == "account":
        roles = data.get("RoleDetailList")
        for i, role in enumerate(roles if isinstance(roles, list) else []):
            if isinstance(role, dict):
                yield Subject(document, ("RoleDetailList", i), role, {"path": "/"})  # no session limit there
        return
    resources = data.get("Resources")
    for logical_id, resource in (resources.items() if isinstance(resources, dict) else ()):
        if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::Role":
            props = resource.get("Properties")
            path = ("Resources", logical_id)
            if isinstance(props, dict):
                yield Subject(document, (*path, "Properties"), props, DEFAULTS[ROLE])


_READERS: dict[tuple[str, str], Callable[[str, Document], Iterator[Subject]]] = {
    (HARNESS, "harness"): _harnesses,
    (GATEWAY, "agentcore"): _agentcore, (RUNTIME, "agentcore"): _agentcore, (MEMORY, "agentcore"): _agentcore,
    (AGENT_TASK, "asl"): _tasks, (TASK, "asl"): _tasks, (STATE_MACHINE, "asl"): _machines,
    (STATEMENT, "iam"): _statements, (ROLE, "template"): _roles, (ROLE, "account"): _roles,
}
DOCUMENT_KINDS = {kind: tuple(sorted({d for k, d in _READERS if k == kind})) for kind in KINDS}


class Objects:
    """The objects of each kind in a project, read once and shared by every policy; and
    each document's environment, worked out once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._by_kind: dict[str, list[Subject]] = {}
        self._environment: dict[int, str] = {}

    def of(self, kind: str) -> list[Subject]:
        if kind not in self._by_kind:
            wanted = DOCUMENT_KINDS[kind]
            self._by_kind[kind] = [s for d in self.project.documents
                                   if d.kind in wanted and d.data is not None for s in subjects(kind, d)]
        return self._by_kind[kind]

    def environment(self, document: Document) -> str:
        if id(document) not in self._environment:
            self._environment[id(document)] = self.project.environment(document)
        return self._environment[id(document)]


def objects(project: Project) -> Objects:
    """The one ``Objects`` of ``project``."""
    found = getattr(project, "_policy_objects", None)
    if found is None:
        found = Objects(project)
        project._policy_objects = found  # type: ignore[attr-defined]
    return found
