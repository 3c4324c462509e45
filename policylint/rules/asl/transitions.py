"""Transitions and reachability: StartAt, Next and Default name a state of their scope
(ASL102), every state is reached (ASL103), every scope can end (ASL104), and Next/End are
written as the state type needs (ASL101)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policylint.models.asl import Scope, State
from policylint.rules.asl import spec


class Transitions:
    """Checks on where each state goes next."""

    add: Any

    def start_at(self, scope: Scope) -> None:
        start, states = scope.data.get("StartAt"), scope.states
        if isinstance(start, str) and start not in states and states:
            self.add("ASL102", (*scope.path, "StartAt"), f"StartAt names {start!r}, which is not a "
                     f"state of this {scope.what}", "value")
        if states:
            self.reachability(states, start, scope.path)
            if not any(_terminal(body) for body in states.values()):
                self.add("ASL104", (*scope.path, "States"), f"no state of this {scope.what} ends it: "
                         'give one state "End": true, or add a Succeed or Fail state')

    def reachability(self, states: dict, start: Any, path: tuple) -> None:
        if not isinstance(start, str) or start not in states:
            return
        seen, stack = {start}, [start]
        while stack:
            for target in _targets(states.get(stack.pop())):
                if target in states and target not in seen:
                    seen.add(target)
                    stack.append(target)
        for name, body in states.items():
            if name not in seen and isinstance(body, dict):
                self.add("ASL103", (*path, "States", name), f"state {name!r} is never reached: no "
                         "StartAt, Next, Default or Catch leads to it")

    def transition(self, state: State, kind: str) -> None:
        body, path = state.body, state.path
        if kind in spec.NO_TRANSITION:
            return
        has_next, end = "Next" in body, body.get("End")
        if "End" in body and end is not True:
            self.add("ASL101", (*path, "End"), "End must be true (or be left out)", "value")
        if has_next and end is True:
            self.add("ASL101", (*path, "End"), "a state has Next or End, not both")
        elif not has_next and end is not True:
            self.add("ASL101", path, f"a {kind} state needs Next, or \"End\": true")
        if has_next:
            self.target(body["Next"], (*path, "Next"), state.siblings)

    def target(self, value: Any, path: tuple, siblings: dict) -> None:
        if not isinstance(value, str):
            self.add("ASL101", path, "a transition names a state (a string)", "value")
        elif value not in siblings:
            self.add("ASL102", path, f"{value!r} is not a state in this scope", "value")


def _terminal(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("End") is True or body.get("Type") in spec.TERMINAL_TYPES)


def _targets(body: Any) -> Iterator[str]:
    if not isinstance(body, dict):
        return
    for key in ("Next", "Default"):
        if isinstance(body.get(key), str):
            yield body[key]
    for key in ("Choices", "Catch"):
        for item in spec.as_list(body.get(key)):
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                yield item["Next"]
