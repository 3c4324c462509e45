"""The ASL validator: one walk of the state machine model (``documents.asl.StateMachine``),
with the checks of each concern in its own module. ``problems`` keeps what one walk found
while the document lives; each ASL rule reports the problems of its code."""
from __future__ import annotations

from collections.abc import Iterator
from weakref import WeakKeyDictionary

from policylint import problems as engine_problems
from policylint.models import Document
from policylint.models.asl import JSONATA, State, StateMachine
from policylint.project import Context
from policylint.rule import Finding
from policylint.rules.asl.choice import Choices
from policylint.rules.asl.jsonata import Jsonata
from policylint.rules.asl.paths import Paths
from policylint.rules.asl.retry import RetryCatch
from policylint.rules.asl.structure import Structure
from policylint.rules.asl.transitions import Transitions

Problem = tuple[str, tuple, str, str]  # (code, path, message, "key" | "value")
_BY_TYPE = {"Task": "state_task", "Choice": "state_choice", "Wait": "state_wait", "Fail": "state_fail",
            "Parallel": "state_parallel", "Map": "state_map"}
_FAILS_AND_RETRIES = ("Task", "Parallel", "Map")


class Validator(Structure, Transitions, Paths, Choices, Jsonata, RetryCatch):
    """Collects the ASL problems of one definition."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.machine = StateMachine.of(document)
        self.top_language = self.machine.query_language
        self.problems: list[Problem] = []
        self.names: dict[str, tuple] = {}

    def add(self, code: str, path: tuple, message: str, at: str = "key") -> None:
        self.problems.append((code, path, message, at))

    def run(self) -> list[Problem]:
        for scope in self.machine.scopes:
            self.scope(scope)
            if isinstance(scope.data, dict):
                self.start_at(scope)
        for entry in self.machine.entries:
            state = self.entry(entry)
            if state is not None:
                self.state(state)
        return self.problems

    def state(self, state: State) -> None:
        """The checks of a state whose Type is known."""
        kind = state.type
        self.transition(state, kind)
        if kind in _BY_TYPE:
            getattr(self, _BY_TYPE[kind])(state)
        if kind == "Task":
            self.timeouts(state)
        if kind in _FAILS_AND_RETRIES:
            self.retry_catch(state)
        if "Assign" in state.body:
            self.assign(state.body["Assign"], (*state.path, "Assign"), state.query_language)
        if state.query_language == JSONATA:
            self.jsonata_arguments(state)
            self.jsonata_values(state)
        else:
            self.jsonpath_values(state)


_PROBLEMS: WeakKeyDictionary[Document, list[Problem] | None] = WeakKeyDictionary()
_NOT_CHECKED = engine_problems.UNRESOLVED_REFERENCE.code


def problems(document: Document) -> list[Problem]:
    """Every ASL problem of a definition, found in one walk (and kept while the document
    lives). A definition too deep to walk raises RecursionError, at once after the first time."""
    if document not in _PROBLEMS:
        try:
            _PROBLEMS[document] = Validator(document).run() if isinstance(document.data, dict) else []
        except RecursionError:
            _PROBLEMS[document] = None
    found = _PROBLEMS[document]
    if found is None:
        raise RecursionError("the definition nests too deeply to be validated")
    return found


def report(ctx: Context, code: str) -> Iterator[Finding]:
    """The findings of ``code`` in the document; ASL107 also reports the expressions it could
    not check (PL005)."""
    for problem_code, path, message, at in problems(ctx.document):
        if problem_code == code:
            yield Finding(ctx.document, path, message, at)
        elif problem_code == _NOT_CHECKED and code == "ASL107":
            yield Finding(ctx.document, path, message, at, code=_NOT_CHECKED)
