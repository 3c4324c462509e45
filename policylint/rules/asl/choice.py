"""Choice states: rules, comparisons and their Next (ASL109); JSONPath rule fields in a
JSONata Choice and the other way round (ASL107)."""
from __future__ import annotations

import json
from typing import Any

from policylint.models.asl import JSONATA, State
from policylint.rules.asl import spec
from policylint.values import is_jsonata

_LOGIC = ("And", "Or", "Not")


class Choices:
    """Checks on a Choice state's rules."""

    add: Any
    assign: Any
    path: Any
    target: Any

    def state_choice(self, state: State) -> None:
        body, path = state.body, state.path
        choices = body.get("Choices")
        if not isinstance(choices, list) or not choices:
            self.add("ASL109", (*path, "Choices") if "Choices" in body else path,
                     "a Choice state needs Choices: a list of one or more rules")
        for i, choice in enumerate(spec.as_list(choices)):
            self.choice_rule(choice, (*path, "Choices", i), state, top=True)
        if "Default" in body:
            self.target(body["Default"], (*path, "Default"), state.siblings)

    def choice_rule(self, rule: Any, path: tuple, state: State, top: bool) -> None:
        if not isinstance(rule, dict):
            self.add("ASL109", path, "a Choice rule must be an object", "value")
            return
        for key in rule:
            if key not in spec.CHOICE_RULE_FIELDS and key not in spec.COMPARISONS \
                    and key not in spec.PATH_COMPARISONS:
                self.add("ASL109", (*path, key), f"{key!r} is not a field of a Choice rule")
        if top:
            if "Next" not in rule:
                self.add("ASL109", path, "a Choice rule needs Next")
            else:
                self.target(rule["Next"], (*path, "Next"), state.siblings)
        elif "Next" in rule:
            self.add("ASL109", (*path, "Next"), "only top-level Choice rules have Next")
        if "Assign" in rule:
            self.assign(rule["Assign"], (*path, "Assign"), state.query_language)
        if state.query_language == JSONATA:
            self.jsonata_rule(rule, path)
        else:
            self.jsonpath_rule(rule, path, state)

    def jsonata_rule(self, rule: dict, path: tuple) -> None:
        for key in rule:
            if key in spec.COMPARISONS or key in spec.PATH_COMPARISONS or key in ("Variable", *_LOGIC):
                self.add("ASL107", (*path, key), f"{key} is a JSONPath Choice rule field; in JSONata "
                         "write a Condition: \"{% ... %}\"")
        if "Condition" not in rule:
            self.add("ASL109", path, "a JSONata Choice rule needs a Condition")
        elif not isinstance(rule["Condition"], bool) and not is_jsonata(rule["Condition"]):
            self.add("ASL109", (*path, "Condition"), "Condition must be a {% %} expression (or true "
                     "or false)", "value")

    def jsonpath_rule(self, rule: dict, path: tuple, state: State) -> None:
        if "Condition" in rule:
            self.add("ASL107", (*path, "Condition"), "Condition is a JSONata field; this Choice uses "
                     "JSONPath (Variable and a comparison)")
        operators = [k for k in rule if k in spec.COMPARISONS or k in spec.PATH_COMPARISONS]
        logic = [k for k in rule if k in _LOGIC]
        if len(operators) + len(logic) != 1:
            found = ", ".join(operators + logic) or "none"
            self.add("ASL109", path, f"a Choice rule has exactly one comparison, And, Or or Not "
                     f"(found: {found})")
        if operators:
            if "Variable" not in rule:
                self.add("ASL109", path, f"the {operators[0]} comparison needs a Variable")
            elif not isinstance(rule["Variable"], str):
                self.add("ASL109", (*path, "Variable"), "Variable must be a path", "value")
            else:
                self.path(rule["Variable"], (*path, "Variable"))
            for operator in operators:
                self.comparison(operator, rule[operator], (*path, operator))
        elif "Variable" in rule and logic:
            self.add("ASL109", (*path, "Variable"), "Variable goes with a comparison operator, not with "
                     "And/Or/Not")
        for key in logic:
            value = rule[key]
            if key == "Not":
                self.choice_rule(value, (*path, key), state, top=False)
            elif not isinstance(value, list) or not value:
                self.add("ASL109", (*path, key), f"{key} must be a list of one or more rules", "value")
            else:
                for i, inner in enumerate(value):
                    self.choice_rule(inner, (*path, key, i), state, top=False)

    def comparison(self, operator: str, value: Any, path: tuple) -> None:
        if operator in spec.PATH_COMPARISONS:
            if not isinstance(value, str):
                self.add("ASL109", path, f"{operator} takes a path", "value")
            else:
                self.path(value, path)
            return
        kind = spec.COMPARISONS[operator]
        ok = {"string": isinstance(value, str),
              "number": spec.is_number(value),
              "boolean": isinstance(value, bool),
              "timestamp": spec.is_timestamp(value)}[kind]
        if not ok:
            self.add("ASL109", path, f"{operator} compares with a {kind}, not {json.dumps(value)}", "value")

