"""JSONPath: every path, reference path, context path, ``Key.$`` value and intrinsic function
call of a JSONPath state parses and fits its field (ASL106); the fields that hold them have
the right type (ASL101)."""
from __future__ import annotations

import json
from typing import Any

from policylint.expressions import intrinsic_problem, looks_intrinsic, path_problem, payload_problem
from policylint.models.asl import JSONATA, State
from policylint.rules.asl import spec

Problem = tuple[tuple, str, str]  # (path, message, "key" | "value"), its code given by the caller


class Paths:
    """Checks on the JSONPath fields of a state."""

    add: Any

    def path(self, value: str, path: tuple, reference: bool = False, context: bool = True,
             variables: bool = True) -> None:
        problem = path_problem(value, reference, context, variables)
        if problem:
            self.add("ASL106", path, problem, "value")

    def string_path(self, value: str, path: tuple) -> None:
        """A Fail state's ErrorPath or CausePath: a path, or an intrinsic function that returns
        a string."""
        if looks_intrinsic(value):
            problem = intrinsic_problem(value, string_only=True)
        else:
            problem = path_problem(value)
        if problem:
            self.add("ASL106", path, problem, "value")

    def jsonpath_values(self, state: State) -> None:
        body, path = state.body, state.path
        for key in ("InputPath", "OutputPath"):
            value = body.get(key)
            if key in body and value is not None:
                if not isinstance(value, str):
                    self.add("ASL101", (*path, key), f"{key} must be a path or null", "value")
                else:
                    self.path(value, (*path, key))
        if not self.result_path(body, path):
            self.add("ASL101", (*path, "ResultPath"), "ResultPath must be a path or null", "value")
        for key in ("Parameters", "ResultSelector", "ItemSelector", "Credentials"):
            if key in body:
                if key in ("ResultSelector", "ItemSelector") and body[key] is not None \
                        and not isinstance(body[key], dict):
                    self.add("ASL101", (*path, key), f"{key} must be an object", "value")
                else:  # Parameters may be any JSON value; Credentials is typed by state_task
                    self.payload(body[key], (*path, key))
        reader = body.get("ItemReader")
        if isinstance(reader, dict):
            if isinstance(reader.get("ReaderConfig"), dict):
                config = (*path, "ItemReader", "ReaderConfig")
                for where, message, at in self.static_or_path(
                        reader["ReaderConfig"], config, "MaxItems", "JSONPath",
                        lambda v: spec.is_non_negative_int(v) and v <= spec.MAX_ITEMS,
                        f"0 to {spec.MAX_ITEMS}"):
                    self.add("ASL101", where, message, at)
            if "Parameters" in reader:
                self.payload(reader["Parameters"], (*path, "ItemReader", "Parameters"))

    def result_path(self, body: dict, path: tuple) -> bool:
        """A state's or a catcher's ResultPath, a reference path into the input: its path is
        checked here; False when it is neither a path nor null (the caller reports it)."""
        value = body.get("ResultPath")
        if isinstance(value, str):
            self.path(value, (*path, "ResultPath"), reference=True, context=False, variables=False)
        return value is None or isinstance(value, str)

    def static_or_path(self, body: dict, path: tuple, name: str, language: str, valid: Any,
                       needs: str, context: bool = False) -> list[Problem]:
        """A field given as a value (``name``) or a reference path (``namePath``), not both:
        the problems of its value and type, for the caller to report under its code (a bad
        path is ASL106 here). The path reads the state input; a Map's numbers cannot come from
        the context object (CreateStateMachine: "Value is not a Reference Path"), ``context``
        allows it."""
        found: list[Problem] = []
        if name in body and f"{name}Path" in body:
            found.append(((*path, f"{name}Path"), f"{name} and {name}Path cannot both be set", "key"))
        if name in body and not spec.is_dynamic(body[name], language) and not valid(body[name]):
            found.append(((*path, name), f"{name} must be {needs}, not {json.dumps(body[name])}", "value"))
        if f"{name}Path" in body and language != JSONATA:  # in JSONata, *Path is refused as a field
            value = body[f"{name}Path"]
            if isinstance(value, str):
                self.path(value, (*path, f"{name}Path"), reference=True, context=context)
            else:
                found.append(((*path, f"{name}Path"), f"{name}Path must be a reference path (a string "
                              f"such as \"$.{name[0].lower()}{name[1:]}\")", "value"))
        return found

    def payload(self, value: Any, path: tuple) -> None:
        """A JSONPath payload template: every ``Key.$`` value is a path or intrinsic call."""
        if isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and key.endswith(".$") and key[:-2] in value:
                    self.add("ASL101", (*path, key), f"{key[:-2]!r} is given twice ({key[:-2]} and "
                             f"{key}): the .$ suffix is dropped when the template is evaluated")
            for key, item in value.items():
                if isinstance(key, str) and key.endswith(".$"):
                    if not isinstance(item, str):
                        self.add("ASL106", (*path, key), f"{key!r} ends in .$, so its value must be a "
                                 "path or intrinsic function (a string)", "value")
                    elif problem := payload_problem(item):
                        self.add("ASL106", (*path, key), problem, "value")
                else:
                    self.payload(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.payload(item, (*path, i))

    def assign(self, value: Any, path: tuple, language: str) -> None:
        if not isinstance(value, dict):
            self.add("ASL101", path, "Assign must be an object of variable names and values "
                     "(in JSONata, each value may be a {% %} expression)", "value")
        elif language != JSONATA:
            self.payload(value, path)
