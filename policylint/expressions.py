"""Parsers for the expression languages inside a state machine: JSONPath (paths, reference
paths, context paths, variables), intrinsic functions and JSONata.

Each ``*_problem`` function returns why a text is not valid, or None when it is.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from policylint.values import PLACEHOLDER, is_jsonata

# Intrinsic functions and how many arguments each takes (min, max; None = any number).
INTRINSICS: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None), "States.StringToJson": (1, 1), "States.JsonToString": (1, 1),
    "States.Array": (0, None), "States.ArrayPartition": (2, 2), "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3), "States.ArrayGetItem": (2, 2), "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1), "States.Base64Encode": (1, 1), "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2), "States.JsonMerge": (3, 3), "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2), "States.StringSplit": (2, 2), "States.UUID": (0, 0),
}
# Those that return a string: the only ones Fail's ErrorPath and CausePath accept.
# Arguments (by position) that must be numbers, not string literals.
NUMERIC_ARGUMENTS = {"States.MathAdd": (0, 1), "States.MathRandom": (0, 1, 2), "States.ArrayRange": (0, 1, 2),
                     "States.ArrayGetItem": (1,), "States.ArrayPartition": (1,)}
STRING_INTRINSICS = {"States.ArrayGetItem", "States.Base64Encode", "States.Base64Decode",
                     "States.Format", "States.JsonToString", "States.Hash", "States.UUID"}
_NAME = re.compile(r"[^\s.\[\]()'\",@=<>!&|?*$]+")
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
# An index, slice or union inside brackets. Each run of blanks has one place to go: a pattern
# where two blank runs could share it backtracks (a 2 KB path took 20 s).
_INDEX = re.compile(r"\s*(?:(?:-?\d+|\*)\s*)?(?::\s*(?:(?:-?\d+|-)\s*)?){0,2}(?:,\s*-?\d+\s*)*")


class _Invalid(Exception):
    pass


@lru_cache(maxsize=4096)
def path_problem(text: str, reference: bool = False, context: bool = True,
                 variables: bool = True) -> str | None:
    """Why ``text`` is not a JSONPath (a reference path when ``reference``: no wildcards,
    filters, slices or ``..``); None when it is one."""
    try:
        _Path(PLACEHOLDER.sub("x", text.rstrip()), reference, context, variables).parse()
    except _Invalid as error:
        return str(error)
    return None


class _Path:
    def __init__(self, text: str, reference: bool, context: bool, variables: bool) -> None:
        self.text, self.reference, self.context, self.variables = text, reference, context, variables
        self.i = 0

    def fail(self, why: str) -> None:
        raise _Invalid(f"{self.text!r} is not a valid {'reference ' if self.reference else ''}"
                       f"path: {why}")

    def parse(self) -> None:
        text = self.text
        if text.startswith("$$"):
            if not self.context:
                self.fail("the context object ($$) cannot be used here")
            self.i = 2
        elif _VARIABLE.match(text):
            if not self.variables:
                self.fail("a variable cannot be used here")
            self.i = _VARIABLE.match(text).end()  # type: ignore[union-attr]
        elif text.startswith("$"):
            self.i = 1
        else:
            self.fail("it must start with '$'")
        while self.i < len(text):
            self.segment()

    def segment(self) -> None:
        text, i = self.text, self.i
        if text.startswith("..", i):
            if self.reference:
                self.fail("'..' is not allowed in a reference path")
            self.i += 2
            if self.i < len(text) and text[self.i] == "[":
                return
            self.name(allow_star=True)
        elif text[i] == ".":
            self.i += 1
            if self.i < len(text) and text[self.i] == "[":  # "$.[0]": accepted by AWS's JSONPath
                return
            self.name(allow_star=True)
        elif text[i] == "[":
            self.bracket()
        else:
            self.fail(f"unexpected {text[i]!r} at character {i + 1}")

    def name(self, allow_star: bool) -> None:
        text = self.text
        if self.i < len(text) and text[self.i] == "*" and allow_star:
            if self.reference:
                self.fail("'*' is not allowed in a reference path")
            self.i += 1
            return
        match = _NAME.match(text, self.i)
        if not match:
            self.fail(f"a field name is missing at character {self.i + 1}")
        self.i = match.end()  # type: ignore[union-attr]
        if text.startswith("()", self.i):  # length(), min(), ... functions of some engines
            self.fail("functions are not supported in paths")

    def bracket(self) -> None:
        text = self.text
        end = self._closing(self.i)
        inner = text[self.i + 1:end].strip()
        self.i = end + 1
        if not inner:
            self.fail("empty brackets")
        if inner[0] in "'\"":
            for part in _split_quoted(inner):
                if len(part) < 2 or part[0] != part[-1] or part[0] not in "'\"":
                    self.fail(f"bad quoted name [{inner}]")
            return
        if inner.startswith("?(") or inner.startswith("("):
            if self.reference:
                self.fail("filters are not allowed in a reference path")
            if not inner.endswith(")"):
                self.fail(f"unclosed filter [{inner}]")
            return
        if self.reference and (inner == "*" or ":" in inner or "," in inner):
            self.fail(f"[{inner}] is not allowed in a reference path")
        match = _INDEX.fullmatch(inner)
        if not match or not inner:
            self.fail(f"bad index [{inner}]")
        if self.reference and not re.fullmatch(r"\d+", inner):
            self.fail(f"[{inner}] is not a single index")

    def _closing(self, start: int) -> int:
        depth, quote, i = 0, "", start
        while i < len(self.text):
            char = self.text[i]
            if quote:
                if char == "\\":
                    i += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        self.fail("unclosed '['")
        return -1


def _split_quoted(text: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif char == ",":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


@lru_cache(maxsize=4096)
def intrinsic_problem(text: str, string_only: bool = False) -> str | None:
    """Why ``text`` is not one intrinsic function call; None when it is."""
    try:
        parser = _Intrinsic(text.rstrip())
        name = parser.call()
        if parser.i != len(parser.text):
            parser.fail(f"unexpected text after the call at character {parser.i + 1}")
    except _Invalid as error:
        return str(error)
    if string_only and name not in STRING_INTRINSICS:
        return f"{name} does not return a string"
    return None


def looks_intrinsic(text: str) -> bool:
    return text.lstrip().startswith("States.")


class _Intrinsic:
    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0

    def fail(self, why: str) -> None:
        raise _Invalid(f"{self.text.strip()!r} is not a valid intrinsic function call: {why}")

    def call(self) -> str:
        match = re.compile(r"States\.[A-Za-z0-9]+").match(self.text, self.i)
        if not match:
            self.fail(f"expected States.<Function>( at character {self.i + 1}")
        name = match.group(0)  # type: ignore[union-attr]
        if name not in INTRINSICS:
            self.fail(f"{name} is not an intrinsic function")
        self.i = match.end()  # type: ignore[union-attr]
        if not self.text.startswith("(", self.i):
            self.fail(f"expected '(' after {name}")
        self.i += 1
        count = 0
        self.space()
        if self.text.startswith(")", self.i):
            self.i += 1
        else:
            while True:
                if count in NUMERIC_ARGUMENTS.get(name, ()) and self.text.startswith("'", self.i):
                    self.fail(f"argument {count + 1} of {name} must be a number or a path")
                self.argument()
                count += 1
                self.space()
                if self.text.startswith(",", self.i):
                    self.i += 1
                    self.space()
                    continue
                if self.text.startswith(")", self.i):
                    self.i += 1
                    break
                self.fail(f"expected ',' or ')' at character {self.i + 1}")
        low, high = INTRINSICS[name]
        if count < low or (high is not None and count > high):
            wanted = str(low) if low == high else f"{low} or more" if high is None else f"{low} to {high}"
            self.fail(f"{name} takes {wanted} argument{'s' * (wanted != '1')}, not {count}")
        return name

    def space(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def argument(self) -> None:
        text, i = self.text, self.i
        if text.startswith("States.", i):
            self.call()
        elif text.startswith("'", i):
            j = i + 1
            while j < len(text) and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j >= len(text):
                self.fail("unclosed string literal")
            self.i = j + 1
        elif text.startswith("$", i):
            j = self._path_end(i)
            problem = path_problem(text[i:j])
            if problem:
                self.fail(problem)
            self.i = j
        elif (match := _NUMBER.match(text, i)) or (match := re.compile(r"true|false|null").match(text, i)):
            self.i = match.end()
        else:
            self.fail(f"unexpected argument at character {i + 1}")

    def _path_end(self, start: int) -> int:
        depth, quote, i = 0, "", start
        while i < len(self.text):
            char = self.text[i]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"" and depth:
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif depth == 0 and char in ",) \t":
                break
            i += 1
        return i


def payload_problem(text: str) -> str | None:
    """A ``.$`` value: a path (context, variables allowed) or an intrinsic function call."""
    if looks_intrinsic(text):
        return intrinsic_problem(text)
    return path_problem(text)


JSONATA = re.compile(r"^\{%(.*)%\}$", re.S)


MAX_JSONATA = 10_000  # characters: 40 times the longest real one seen; parsing costs ~10 us each


def jsonata_problem(text: str) -> str | None:
    """Why a ``{% ... %}`` string is not one JSONata expression; None when it is (or when it
    is over MAX_JSONATA characters long, and not parsed)."""
    if not is_jsonata(text):
        return "this is not a JSONata expression: write it as {% expression %}, whole"
    body = text[2:-2]
    if not body.strip():
        return "the JSONata expression is empty"
    return _parse(body)[1]


@lru_cache(maxsize=1)
def _jsonata() -> Any:
    """jsonata-python's parser, imported only when a JSONata expression is met. Importing it
    raises the interpreter's recursion limit to 10,000, which lets a deeply nested input
    overflow the C stack: the limit is put back."""
    import sys

    limit = sys.getrecursionlimit()
    try:
        from jsonata import Jsonata
    finally:
        sys.setrecursionlimit(limit)
    return Jsonata


def _parse(body: str) -> tuple[Any, str | None]:
    """(the expression's syntax tree, None), or (None, why it does not parse); (None, None)
    for an expression too long to parse. A tree holds about 1 KB a character: many short
    ones are kept, few long ones (an editor sends a new version of each at every keystroke)."""
    if len(body) > MAX_JSONATA:
        return None, None
    return _parse_short(body) if len(body) <= 500 else _parse_long(body)


@lru_cache(maxsize=2048)
def _parse_short(body: str) -> tuple[Any, str | None]:
    return _parse_now(body)


@lru_cache(maxsize=4)
def _parse_long(body: str) -> tuple[Any, str | None]:
    return _parse_now(body)


def _parse_now(body: str) -> tuple[Any, str | None]:
    Jsonata = _jsonata()
    try:
        return Jsonata(body).ast, None
    except Exception as error:  # the parser's own exception type
        message = str(error).split("\n")[0]
        return None, f"invalid JSONata: {message}"  # not quoted: the finding is at the expression


class JsonataReads(NamedTuple):
    """What a JSONata expression reads that Step Functions restricts: the fields of
    ``$states`` it names, and what it reads from an input document at its top level (a bare
    name, ``$``, ``*``, ``**``) or anywhere (``$$``); Step Functions provides no input
    document and refuses those."""

    states: frozenset[str]
    top_level: tuple[str, ...]


# Where a node's parts are evaluated: in the node's own context, or in a nested one
# (a path step's context, a predicate, a sort or group, a function body, a transform).
_SAME_CONTEXT = ("lhs", "rhs", "expressions", "arguments", "expression", "expr", "condition",
                 "then", "_else")
_NESTED_CONTEXT = ("predicate", "stages", "group", "body", "terms", "pattern", "update", "delete")


@lru_cache(maxsize=2048)
def jsonata_reads(text: str) -> JsonataReads:
    """The reads of a ``{% %}`` string that parses (empty for one that does not)."""
    tree = _parse(text[2:-2])[0] if is_jsonata(text) else None
    states: set[str] = set()
    top_level: list[str] = []
    try:
        _reads(tree, True, states, top_level)
    except RecursionError:  # deeper than the parser went: nothing is judged
        return JsonataReads(frozenset(), ())
    return JsonataReads(frozenset(states), tuple(dict.fromkeys(top_level)))


def _reads(node: Any, root: bool, states: set[str], top_level: list[str]) -> None:
    if node is None:
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            _reads(item, root, states, top_level)
        return
    kind, value = getattr(node, "type", None), getattr(node, "value", None)
    if kind == "path":
        steps = node.steps or []
        if len(steps) > 1 and steps[0].type == "variable" and steps[0].value == "states" \
                and steps[1].type == "name":
            states.add(steps[1].value)
        for i, step in enumerate(steps):
            _reads(step, root and i == 0, states, top_level)
        return
    if kind == "variable" and value == "$":
        top_level.append("$$")
    elif root and (kind == "variable" and value == "" or kind == "name"):
        top_level.append(str(value or "$"))
    elif root and kind in ("wildcard", "descendant"):
        top_level.append(str(value))
    for attribute in _SAME_CONTEXT:
        _reads(getattr(node, attribute, None), root, states, top_level)
    for pair in getattr(node, "lhs_object", None) or ():
        _reads(list(pair), root, states, top_level)
    for attribute in _NESTED_CONTEXT:
        _reads(getattr(node, attribute, None), False, states, top_level)
