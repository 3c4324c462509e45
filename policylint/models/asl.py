"""A typed view of an Amazon States Language definition: states, scopes, agent tasks."""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.models.refs import Ref, properties_of, resolve, resources_of
from policylint.rule import Finding, Severity
from policylint.values import PLACEHOLDER, is_jsonata

if TYPE_CHECKING:
    from policylint.models import Document

JSONATA, JSONPATH = "JSONata", "JSONPath"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
# In any partition, also written partition-agnostic: ${AWS::Partition} in Fn::Sub, or a Ref
# piece of a Fn::Join (as `cdk synth` writes it), which the template reads as the same, or
# Terraform's ${data.aws_partition.NAME.partition}.
# The optimized integration, or the AWS SDK integration (PascalCase request fields, as the
# optimized one's), which reaches a harness or an agent runtime.
AGENT_RESOURCE = re.compile(r"^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}"
                            r"|\$\{data\.aws_partition\.[\w-]+\.partition\}):states:::"
                            r"(?:bedrockagentcore:invokeHarness"
                            r"|(?P<sdk>aws-sdk:bedrockagentcore:[iI]nvoke(?P<target>Harness|AgentRuntime)))"
                            r"(?P<pattern>\.[A-Za-z]+(?::\d+)?)?$")
OPTIMIZED_CAP = 900  # seconds: the most an optimized agent task runs, whatever its TimeoutSeconds
CALLBACK_SUFFIX = ".waitForTaskToken"
ACTIVITY_TYPE = "AWS::StepFunctions::Activity"


@cache
def _reads_input() -> re.Pattern[str]:
    """State input or execution input, in JSONPath ($.x, $[0], $, $$.Execution.Input) or
    JSONata (compiled when an expression is first asked)."""
    return re.compile(r"(?<![$\w])\$(?=$|[.\[\s,)])|\$\$\.Execution\.Input|\$states\.input"
                      r"|\$states\.context\.Execution\.Input")


def _sub_text(value: Any) -> Any:
    """The text of a template's ``{"Fn::Sub": "..."}`` (``!Sub ...``); any other value as it is."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
        return value["Fn::Sub"]
    return value


def deployed(resource: Any, document: Document) -> str | Ref | None:
    """What a state's Resource deploys as: its text (a ``!Sub``'s), a resource of the template
    (``!Ref``), or None when only a deployment knows it. A whole ``${Name}`` is the template's
    value for it (DefinitionSubstitutions, or the DefinitionString's ``Fn::Sub`` map)."""
    value = _sub_text(resource)
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value) if value.startswith("${") else None
        if whole is None:  # text as written: nearly every Resource
            return value
        known = document.substitutions.get(whole.group(1))
        if known is not None:
            return known
        value = _sub_text(_given(properties_of(document), whole.group(1)))
        if value is None or isinstance(value, str):  # a !Sub's text, as a Resource written so
            return value
    return resolve(value, document)


def _given(props: dict, name: str) -> Any:
    """What the template gives ``${name}`` of its definition: the DefinitionString's ``Fn::Sub``
    map (CloudFormation substitutes it first), else DefinitionSubstitutions; None if neither."""
    written = props.get("DefinitionString")
    sub = written.get("Fn::Sub") if isinstance(written, dict) else None
    for given in (sub[1] if isinstance(sub, list) and len(sub) == 2 else None,
                  props.get("DefinitionSubstitutions")):
        if isinstance(given, dict) and name in given:
            return given[name]
    return None


def query_language(written: Any, inherited: str) -> str:
    """A state's query language: its own QueryLanguage when that is one, else ``inherited``."""
    return written if written in QUERY_LANGUAGES else inherited


# Which $states fields an expression may read, by where it is written (the Step Functions
# Developer Guide, "Reserved variable: $states"): the input and context everywhere; the result
# in the Output and Assign of a state that has one; the error output in a catcher's.
STATES_EVERYWHERE = frozenset({"input", "context"})
HAS_RESULT = ("Task", "Map", "Parallel")


def states_available(state_type: Any, key: str, in_catcher: bool = False) -> frozenset[str]:
    """The ``$states`` fields a JSONata expression in field ``key`` of a ``state_type`` state
    may read (``key`` of the catcher when ``in_catcher``)."""
    if in_catcher:
        return STATES_EVERYWHERE | {"errorOutput"} if key in ("Output", "Assign") else STATES_EVERYWHERE
    if key in ("Output", "Assign") and state_type in HAS_RESULT:
        return STATES_EVERYWHERE | {"result"}
    return STATES_EVERYWHERE


def reads_input(expression: str) -> bool:
    """True when a JSONPath or JSONata expression reads the state or execution input."""
    return bool(_reads_input().search(expression))


class Param(NamedTuple):
    """A field of a state: its path relative to the state, and a static value or an
    expression evaluated at run time (``Key.$`` in JSONPath, ``{% %}`` in JSONata)."""

    path: tuple
    value: Any
    expression: str | None = None

    @property
    def is_static(self) -> bool:
        return self.expression is None


class State:
    """One state, wherever it is nested (Parallel branches, Map processors)."""

    def __init__(self, machine: StateMachine, name: str, body: dict, path: tuple,
                 scope: dict, enclosing: tuple[State, ...]) -> None:
        self.machine = machine
        self.name = name
        self.body = body
        self.path = path
        self.scope = scope
        self.enclosing = enclosing
        self.query_language = query_language(body.get("QueryLanguage"), machine.query_language)

    @property
    def type(self) -> Any:
        return self.body.get("Type")

    @property
    def siblings(self) -> dict:
        """The States object this state is in: the names its transitions may target."""
        states = self.scope.get("States")
        return states if isinstance(states, dict) else {}

    @property
    def resource(self) -> str:
        """The Resource as written: a string, or the text of a template's ``!Sub``; a whole
        ``${Name}`` placeholder, or a ``Ref``, as the template gives it when that is text
        (DefinitionSubstitutions ``!Sub arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken``)."""
        target = self._target
        if isinstance(target, str):
            return target
        value = _sub_text(self.body.get("Resource"))
        return value if isinstance(value, str) else ""

    @property
    def invokes_activity(self) -> bool:
        """Whether the task runs an activity: its ARN, or the template's activity resource
        (``!Ref`` an ``AWS::StepFunctions::Activity``, Terraform's ``aws_sfn_activity``)."""
        target = self._target
        if isinstance(target, Ref):
            resource = resources_of(self.machine.document).get(target.logical_id)
            return isinstance(resource, dict) and resource.get("Type") == ACTIVITY_TYPE
        return ":activity:" in self.resource

    @cached_property
    def _target(self) -> str | Ref | None:
        return deployed(self.body.get("Resource"), self.machine.document)

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == JSONATA

    @property
    def is_task(self) -> bool:
        return self.type == "Task"

    @property
    def is_agent_task(self) -> bool:
        return isinstance(self, AgentTask)

    @property
    def is_callback(self) -> bool:
        return self.is_task and self.resource.endswith(CALLBACK_SUFFIX)

    @property
    def unbounded_concurrency(self) -> bool:
        """A Map with no MaxConcurrency (or MaxConcurrencyPath), or 0: no limit."""
        limit = self.field("MaxConcurrency")
        return limit is None or (limit.is_static and limit.value == 0)

    def field(self, name: str) -> Param | None:
        """A state field that may also be given dynamically (``NamePath`` or ``{% %}``)."""
        if name in self.body:
            value = self.body[name]
            return Param((name,), value, value if is_jsonata(value) else None)
        if name + "Path" in self.body:
            value = self.body[name + "Path"]
            return Param((name + "Path",), value, str(value))
        return None

    def expressions(self, param: Param) -> Iterator[Param]:
        """Every run-time expression in a field, itself included."""
        if not param.is_static:
            yield param
            return
        stack: list[tuple[tuple, Any]] = [(param.path, param.value)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                for key, item in value.items():
                    if not self.is_jsonata and isinstance(key, str) and key.endswith(".$"):
                        yield Param((*path, key), item, str(item))
                    else:
                        stack.append(((*path, key), item))
            elif isinstance(value, list):
                stack.extend(((*path, i), item) for i, item in enumerate(value))
            elif is_jsonata(value):
                yield Param(path, value, value)

    def finding(self, path: tuple, message: str, at: str = "key",
                severity: Severity | None = None) -> Finding:
        """A finding at ``path`` relative to this state (``()`` is the state's name)."""
        return Finding(self.machine.document, (*self.path, *path), message, at, severity)

    def __repr__(self) -> str:
        return f"State({self.name!r})"


def _inner_scopes(state: State) -> Iterator[Scope]:
    """The branches of a Parallel, the processor of a Map, as written."""
    inner = (*state.enclosing, state)
    if state.type == "Parallel" and isinstance(state.body.get("Branches"), list):
        for i, branch in enumerate(state.body["Branches"]):
            yield Scope((*state.path, "Branches", i), branch, "Branches", inner)
    elif state.type == "Map":
        for key in ("ItemProcessor", "Iterator"):
            if key in state.body:
                yield Scope((*state.path, key), state.body[key], key, inner)


EXPRESS_SECONDS = 300  # the longest an Express execution (or an EXPRESS Map child) runs


class AgentTask(State):
    """A Task state that invokes a Bedrock AgentCore harness: through the optimized integration,
    or through the AWS SDK integration (InvokeHarness, or InvokeAgentRuntime for a runtime)."""

    @cached_property
    def _parts(self) -> dict[str, str | None]:
        """The parts of its Resource AGENT_RESOURCE names (a dict: a view sent to another
        process holds no ``re.Match``)."""
        match = AGENT_RESOURCE.match(self.resource)
        assert match is not None  # the walk makes an AgentTask only of such a Resource
        return match.groupdict()

    @property
    def sdk(self) -> bool:
        """Whether the task calls AgentCore through the AWS SDK integration."""
        return self._parts["sdk"] is not None

    @property
    def invokes_runtime(self) -> bool:
        """Whether the task invokes an agent runtime (SDK ``invokeAgentRuntime``), not a harness."""
        return self._parts["target"] == "AgentRuntime"

    @property
    def arn_field(self) -> str:
        """The request field naming the agent: HarnessArn, or AgentRuntimeArn."""
        return "AgentRuntimeArn" if self.invokes_runtime else "HarnessArn"

    @property
    def cap(self) -> int | None:
        """The most the task waits, whatever its TimeoutSeconds: 900 s for the optimized
        integration; not documented for the SDK integration (None)."""
        return None if self.sdk else OPTIMIZED_CAP

    @property
    def express(self) -> str | None:
        """What ends this task at EXPRESS_SECONDS, if anything: the EXPRESS child workflows of
        a distributed Map around it, or the Express workflow itself; None in a STANDARD one."""
        for outer in self.enclosing:
            processor = outer.body.get("ItemProcessor") if outer.type == "Map" else None
            config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
            if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED" \
                    and config.get("ExecutionType") == "EXPRESS":
                return f"each EXPRESS child workflow of Map {outer.name!r}"
        return "this Express workflow" if self.machine.workflow_type == "EXPRESS" else None

    @property
    def arguments_key(self) -> str:
        return "Arguments" if self.is_jsonata else "Parameters"

    @property
    def integration_pattern(self) -> str | None:
        return self._parts["pattern"]

    def param(self, name: str) -> Param | None:
        """An InvokeHarness request field from ``Parameters`` or ``Arguments``."""
        asked = self._asked
        if name not in asked:
            asked[name] = self._read(name)
        return asked[name]

    @cached_property
    def _asked(self) -> dict[str, Param | None]:
        """The request fields read so far, by name (cross-file rules read each many times)."""
        return {}

    def __getstate__(self) -> dict[str, Any]:
        """What travels with its machine: not what was read of it (read again where asked)."""
        return {k: v for k, v in self.__dict__.items() if k != "_asked"}

    def _read(self, name: str) -> Param | None:
        key = self.arguments_key
        args = self.body.get(key)
        if not isinstance(args, dict):
            return None
        if self.is_jsonata:
            if name not in args:
                return None
            value = args[name]
            return Param((key, name), value, value if is_jsonata(value) else None)
        if name + ".$" in args:
            return Param((key, name + ".$"), args[name + ".$"], str(args[name + ".$"]))
        if name in args:
            text = _sub_text(args[name])
            return Param((key, name, "Fn::Sub"), text) if text is not args[name] else Param((key, name), text)
        return None


class Scope(NamedTuple):
    """A StartAt/States object: the state machine, a Parallel branch or a Map processor.
    ``data`` is as written (it may not be an object); ``key`` is where it sits in its state
    (None for the machine, "Branches", "ItemProcessor" or "Iterator")."""

    path: tuple
    data: Any
    key: str | None
    enclosing: tuple[State, ...]

    @property
    def what(self) -> str:
        """What the ASL calls it, for messages."""
        return {None: "state machine", "Branches": "branch"}.get(self.key, "item processor")

    @property
    def states(self) -> dict:
        states = self.data.get("States") if isinstance(self.data, dict) else None
        return states if isinstance(states, dict) else {}


class Entry(NamedTuple):
    """A name in a States object and its body as written (``state`` is None when the body is
    not an object)."""

    name: str
    body: Any
    path: tuple
    scope: Scope
    state: State | None


class StateMachine:
    """The one model of an ASL document that every rule reads: its scopes, its states (each
    with its query language, scope and enclosing states) and the transitions between them."""

    travels = True  # its states, worked out where the file was loaded, are read again by cross-file rules

    @classmethod
    def of(cls, document: Document) -> StateMachine:
        """The state machine ``document`` is, built once and shared by every rule."""
        return document.view(cls)

    def __init__(self, document: Document) -> None:
        self.document = document
        self.data = document.data if isinstance(document.data, dict) else {}

    @cached_property
    def query_language(self) -> str:
        """The machine's QueryLanguage: JSONPath unless it says JSONata."""
        return query_language(self.data.get("QueryLanguage"), JSONPATH)

    @property
    def states(self) -> list[State]:
        """Every state (an object) in the machine, nested ones included, in document order."""
        return self._walked[2]

    @property
    def scopes(self) -> list[Scope]:
        """The machine, then every branch and processor, in document order."""
        return self._walked[0]

    @property
    def entries(self) -> list[Entry]:
        """Every name of every States object with its body, objects or not."""
        return self._walked[1]

    @cached_property
    def _walked(self) -> tuple[list[Scope], list[Entry], list[State]]:
        """One walk of the definition, depth first: a state's branches and processor come
        right after it, before its next sibling. Nested states default to the machine's query
        language, not to their Parallel's or Map's own (as CreateStateMachine resolves it)."""
        root = Scope((), self.document.data, None, ())
        scopes: list[Scope] = [root]
        entries: list[Entry] = []
        stack = [(root, iter(root.states.items()))]
        while stack:
            scope, items = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                continue
            name, body = item
            path = (*scope.path, "States", name)
            state = None
            if isinstance(body, dict):
                target = deployed(body.get("Resource"), self.document) if body.get("Type") == "Task" else None
                kind = AgentTask if isinstance(target, str) and AGENT_RESOURCE.match(target) else State
                state = kind(self, str(name), body, path, scope.data, scope.enclosing)
            entries.append(Entry(str(name), body, path, scope, state))
            if state is not None:
                inner = list(_inner_scopes(state))
                scopes.extend(inner)
                stack.extend((each, iter(each.states.items())) for each in reversed(inner))
        return scopes, entries, [e.state for e in entries if e.state is not None]

    @cached_property
    def workflow_type(self) -> str | None:
        """STANDARD or EXPRESS, as the template resource around the definition says
        (CloudFormation ``StateMachineType``, SAM ``Type``); None when not known."""
        props = properties_of(self.document)
        value = props.get("StateMachineType", props.get("Type"))
        return value.upper() if isinstance(value, str) else None

    @cached_property
    def agent_tasks(self) -> list[AgentTask]:
        return [s for s in self.states if isinstance(s, AgentTask)]

    @property
    def tasks(self) -> list[State]:
        return [s for s in self.states if s.is_task]

    @cached_property
    def _by_path(self) -> dict[tuple, State]:
        """The states by their path (not by ``id``: a machine sent to another process is read
        there again)."""
        return {s.path: s for s in self.states}

    def successors(self, state: State) -> Iterator[State]:
        """States that run right after ``state`` succeeds (not its Catch targets)."""
        body = state.body
        names = [body.get("Next"), body.get("Default")]
        if isinstance(body.get("Choices"), list):
            names += [c.get("Next") for c in body["Choices"] if isinstance(c, dict)]
        found = False
        for name in names:
            if isinstance(name, str) and (sibling := (*state.path[:-1], name)) in self._by_path:
                found = True
                yield self._by_path[sibling]
        if not found and state.enclosing and (body.get("End") is True or state.type in ("Succeed",)):
            yield from self.successors(state.enclosing[-1])

    def downstream(self, state: State) -> Iterator[State]:
        """Every state reachable after ``state`` along success transitions."""
        seen = {id(state)}
        queue = deque(self.successors(state))
        while queue:
            nxt = queue.popleft()
            if id(nxt) in seen:
                continue
            seen.add(id(nxt))
            yield nxt
            queue.extend(self.successors(nxt))
