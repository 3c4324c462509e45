"""JSONata: every ``{% %}`` expression of a JSONata state parses and reads only what Step
Functions offers where it is written, and each state uses the fields of its own query
language (ASL107)."""
from __future__ import annotations

import re
from typing import Any

from policylint import problems
from policylint.expressions import MAX_JSONATA, jsonata_problem, jsonata_reads
from policylint.models.asl import JSONATA, STATES_EVERYWHERE, State, states_available
from policylint.rules.asl import spec
from policylint.values import is_jsonata

NOT_CHECKED = problems.UNRESOLVED_REFERENCE.code  # a part this check could not read
# $states fields that CreateStateMachine refuses where they are not available. ($states.result
# where a state has none fails at run time instead: SFN206.)
REFUSED = frozenset({"errorOutput"})
# Fields whose values are not expressions of this state: names, and nested states.
_INTEGRATION = re.compile(r"arn:aws[\w-]*:states:::")
_NOT_EXPRESSIONS = {"Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Resource", "Choices",
                    "Branches", "ItemProcessor", "Iterator", "Catch"}


class Jsonata:
    """Checks on query languages and JSONata expressions."""

    add: Any
    top_language: str

    def language(self, state: State, path: tuple) -> None:
        """The state's own QueryLanguage: one of the two, and not back to JSONPath in a
        JSONata state machine."""
        if "QueryLanguage" not in state.body:
            return
        language = state.body["QueryLanguage"]
        if language not in spec.QUERY_LANGUAGES:
            self.add("ASL101", (*path, "QueryLanguage"), f"QueryLanguage must be JSONPath or JSONata, "
                     f"not {language!r}", "value")
        elif self.top_language == JSONATA and language != JSONATA:
            self.add("ASL107", (*path, "QueryLanguage"), "the state machine's QueryLanguage is JSONata: "
                     "a state cannot go back to JSONPath", "value")

    def language_fields(self, state: State, allowed: set[str]) -> None:
        """Fields of the state type that belong to the other query language."""
        for key in state.body:
            if key not in allowed:
                continue  # an unknown field: ASL101
            if state.query_language == JSONATA and key in spec.JSONPATH_ONLY:
                self.add("ASL107", (*state.path, key), f"{key} is a JSONPath field; this state uses "
                         "JSONata (use Arguments, Output and {% %} expressions)")
            elif state.query_language != JSONATA and key in spec.JSONATA_ONLY:
                self.add("ASL107", (*state.path, key), f"{key} is a JSONata field; this state uses "
                         "JSONPath (set QueryLanguage to JSONata to use it)")

    def jsonata_values(self, state: State) -> None:
        body, path = state.body, state.path
        for key, value in body.items():
            if key not in _NOT_EXPRESSIONS:
                self.jsonata(value, (*path, key), states_available(state.type, key))
        for i, choice in enumerate(spec.as_list(body.get("Choices"))):
            if isinstance(choice, dict):
                for key in ("Condition", "Output", "Assign"):
                    if key in choice:
                        self.jsonata(choice[key], (*path, "Choices", i, key), STATES_EVERYWHERE)
        for i, catcher in enumerate(spec.as_list(body.get("Catch"))):
            if isinstance(catcher, dict):
                for key in ("Output", "Assign"):
                    if key in catcher:
                        self.jsonata(catcher[key], (*path, "Catch", i, key),
                                     states_available(state.type, key, in_catcher=True))

    def jsonata(self, value: Any, path: tuple, available: frozenset[str]) -> None:
        """Every ``{% %}`` string in a JSONata state's value parses and reads nothing that
        CreateStateMachine refuses: no input document, and no ``$states`` field that is not
        ``available`` there; a ``Key.$`` is JSONPath."""
        if isinstance(value, str):
            if len(value) > MAX_JSONATA + 4:
                self.add(NOT_CHECKED, path, f"this JSONata expression is {len(value):,} characters long, "
                         f"over the {MAX_JSONATA:,} policylint parses: it was not checked", "value")
            elif value.startswith("{%") or value.endswith("%}"):
                problem = jsonata_problem(value) or _unavailable_read(value, available)
                if problem:
                    self.add("ASL107", path, problem, "value")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and key.endswith(".$") and path[-1] in ("Arguments", "Output"):
                    self.add("ASL107", (*path, key), f"{key!r}: .$ keys are JSONPath; in JSONata write "
                             "the value as {% expression %}")
                self.jsonata(item, (*path, key), available)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.jsonata(item, (*path, i), available)

    def jsonata_arguments(self, state: State) -> None:
        """A service integration's Arguments are its API request."""
        arguments = state.body.get("Arguments")
        if "Arguments" in state.body and _integration(state.body.get("Resource")) \
                and not isinstance(arguments, dict) and not is_jsonata(arguments):
            self.add("ASL101", (*state.path, "Arguments"), "a service integration's Arguments are its API "
                     "request: an object or a {% %} expression", "value")


def _unavailable_read(text: str, available: frozenset[str]) -> str | None:
    """Why a parsed JSONata string reads what Step Functions does not offer in its field."""
    reads = jsonata_reads(text)
    if "$$" in reads.top_level:
        return "$$ is not available in Step Functions JSONata: read $states.input or $states.context"
    if reads.top_level:
        name = reads.top_level[0]
        where = "$states.input" + (f".{name}" if name.isidentifier() else "")
        return (f"{name!r} at the top level of the expression reads an input document, which Step "
                f"Functions does not provide: read {where}")
    if "errorOutput" in (reads.states & REFUSED) - available:
        return "$states.errorOutput is only available in a catcher's Output and Assign"
    return None


def _integration(resource: Any) -> bool:
    """A Task resource that is an AWS service integration (its arguments are an API request)."""
    return isinstance(resource, str) and bool(_INTEGRATION.match(resource))
