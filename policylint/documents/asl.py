"""A typed view of an Amazon States Language definition: states, scopes, agent tasks."""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.documents.refs import properties_of
from policylint.rule import Finding, Severity
from policylint.values import is_jsonata

if TYPE_CHECKING:
    from policylint.documents import Document

JSONATA = "JSONata"
# In any partition, also written partition-agnostic: ${AWS::Partition} in Fn::Sub, or a Ref
# piece of a Fn::Join (as `cdk synth` writes it), which the template reads as the same.
AGENT_RESOURCE = re.compile(r"^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):states:::"
                            r"bedrockagentcore:invokeHarness(?P<pattern>\.[A-Za-z]+(?::\d+)?)?$")
CALLBACK_SUFFIX = ".waitForTaskToken"
# State input or execution input, in JSONPath ($.x, $[0], $, $$.Execution.Input) or JSONata.
_READS_INPUT = re.compile(r"(?<![$\w])\$(?=$|[.\[\s,)])|\$\$\.Execution\.Input|\$states\.input"
                          r"|\$states\.context\.Execution\.Input")


def _sub_text(value: Any) -> Any:
    """The text of a template's ``{"Fn::Sub": "..."}`` (``!Sub ...``); any other value as it is."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
        return value["Fn::Sub"]
    return value


def reads_input(expression: str) -> bool:
    """True when a JSONPath or JSONata expression reads the state or execution input."""
    return bool(_READS_INPUT.search(expression))


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
                 scope: dict, enclosing: tuple[State, ...], query_language: str) -> None:
        self.machine = machine
        self.name = name
        self.body = body
        self.path = path
        self.scope = scope
        self.enclosing = enclosing
        self.query_language = body.get("QueryLanguage", query_language)

    @property
    def type(self) -> Any:
        return self.body.get("Type")

    @property
    def resource(self) -> str:
        """The Resource as written: a string, or the text of a template's ``!Sub``."""
        value = _sub_text(self.body.get("Resource"))
        return value if isinstance(value, str) else ""

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == JSONATA

    @property
    def is_task(self) -> bool:
        return self.type == "Task"

    @property
    def is_agent_task(self) -> bool:
        return self.is_task and bool(AGENT_RESOURCE.match(self.resource))

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


EXPRESS_SECONDS = 300  # the longest an Express execution (or an EXPRESS Map child) runs


class AgentTask(State):
    """A Task state that invokes a Bedrock AgentCore harness."""

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
        match = AGENT_RESOURCE.match(self.resource)
        return match.group("pattern") if match else None

    def param(self, name: str) -> Param | None:
        """An InvokeHarness request field from ``Parameters`` or ``Arguments``."""
        args = self.body.get(self.arguments_key)
        if not isinstance(args, dict):
            return None
        key = self.arguments_key
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


class StateMachine:
    """All states of an ASL document, with the transitions between them."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.data = document.data if isinstance(document.data, dict) else {}

    @cached_property
    def states(self) -> list[State]:
        top = self.data.get("QueryLanguage", "JSONPath")
        return list(self._walk(self.data, (), (), top))

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

    def _walk(self, scope: Any, path: tuple, enclosing: tuple[State, ...],
              query_language: str) -> Iterator[State]:
        """The states of ``scope`` and of the branches and item processors inside it. Nested
        states default to the machine's ``query_language``, not to their Parallel's or Map's
        own (as CreateStateMachine resolves it)."""
        states = scope.get("States") if isinstance(scope, dict) else None
        if not isinstance(states, dict):
            return
        for name, body in states.items():
            if not isinstance(body, dict):
                continue
            resource = _sub_text(body.get("Resource"))
            kind = AgentTask if (body.get("Type") == "Task" and isinstance(resource, str)
                                 and AGENT_RESOURCE.match(resource)) else State
            state = kind(self, name, body, (*path, "States", name), scope, enclosing, query_language)
            yield state
            inner = (*enclosing, state)
            if state.type == "Parallel" and isinstance(body.get("Branches"), list):
                for i, branch in enumerate(body["Branches"]):
                    yield from self._walk(branch, (*state.path, "Branches", i), inner,
                                          query_language)
            elif state.type == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    yield from self._walk(body.get(key), (*state.path, key), inner,
                                          query_language)

    @cached_property
    def _by_scope(self) -> dict[tuple[int, str], State]:
        return {(id(s.scope), s.name): s for s in self.states}

    def successors(self, state: State) -> Iterator[State]:
        """States that run right after ``state`` succeeds (not its Catch targets)."""
        body = state.body
        names = [body.get("Next"), body.get("Default")]
        if isinstance(body.get("Choices"), list):
            names += [c.get("Next") for c in body["Choices"] if isinstance(c, dict)]
        found = False
        for name in names:
            if isinstance(name, str) and (id(state.scope), name) in self._by_scope:
                found = True
                yield self._by_scope[(id(state.scope), name)]
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
