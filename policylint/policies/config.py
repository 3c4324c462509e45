"""A policy's conditions as written, checked before anything runs: each error names the
policy, where in it (``require.all[1]``), and the field or operator that is wrong."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from policylint.config import ConfigError
from policylint.policies.kinds import FIELDS, REQUEST_FIELDS, canonical

OPERATORS = ("present", "equals", "in", "not-in", "min", "max")
COMBINATORS = ("all", "any", "not")


def check_condition(spec: Any, kind: str, where: str, problem: Callable[[str], ConfigError]) -> None:
    if not isinstance(spec, dict):
        raise problem(f"{where}: a condition is a mapping ({{field: ..., equals: ...}}, all, any or not)")
    combinators = [c for c in COMBINATORS if c in spec]
    if combinators:
        extra = sorted(set(spec) - {combinators[0]})
        if len(combinators) > 1 or extra:
            raise problem(f"{where}: {combinators[0]!r} stands alone in its condition (found also "
                          f"{', '.join(map(repr, [*combinators[1:], *extra]))})")
        inner = spec[combinators[0]]
        if combinators[0] == "not":
            check_condition(inner, kind, f"{where}.not", problem)
            return
        if not isinstance(inner, list) or not inner:
            raise problem(f"{where}.{combinators[0]}: a non-empty list of conditions")
        for i, child in enumerate(inner):
            check_condition(child, kind, f"{where}.{combinators[0]}[{i}]", problem)
        return
    if "field" not in spec:
        unknown = sorted(set(spec) - set(OPERATORS))
        raise problem(f"{where}: unknown operator {unknown[0]!r} (known: field with "
                      f"{', '.join(OPERATORS)}; or {', '.join(COMBINATORS)})" if unknown else
                      f"{where}: no 'field' to test")
    field = spec["field"]
    if not isinstance(field, str) or not field or any(not p for p in field.split(".")):
        raise problem(f"{where}: field is a dotted name, such as memory.managedMemoryConfiguration")
    _check_field(field, kind, where, problem)
    ops = [k for k in spec if k != "field"]
    unknown = [k for k in ops if k not in OPERATORS]
    if unknown:
        raise problem(f"{where}: field {field!r}: unknown operator {unknown[0]!r} (known: "
                      f"{', '.join(OPERATORS)})")
    if not ops:
        raise problem(f"{where}: field {field!r}: no operator (one of {', '.join(OPERATORS)})")
    if len(ops) > 1 and set(ops) != {"min", "max"}:
        raise problem(f"{where}: field {field!r}: one operator per condition (min and max go together); "
                      f"use all: for more")
    _check_operands(spec, field, where, problem)


def _check_operands(spec: dict[str, Any], field: str, where: str,
                    problem: Callable[[str], ConfigError]) -> None:
    if "present" in spec and not isinstance(spec["present"], bool):
        raise problem(f"{where}: field {field!r}: present is true or false")
    for op in ("in", "not-in"):
        if op in spec and (not isinstance(spec[op], list) or not spec[op] or not all(
                isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in spec[op])):
            raise problem(f"{where}: field {field!r}: {op} is a non-empty list of strings (wildcards * "
                          "and ?) or numbers")
    for bound in ("min", "max"):
        if bound in spec and (isinstance(spec[bound], bool) or not isinstance(spec[bound], (int, float))):
            raise problem(f"{where}: field {field!r}: {bound} is a number")


def _check_field(field: str, kind: str, where: str, problem: Callable[[str], ConfigError]) -> None:
    parts = [canonical(p) for p in field.split(".")]
    known = FIELDS[kind]
    if parts[0] == "*":
        return
    if kind in ("agent-task",) and parts[0] in ("arguments", "parameters") and len(parts) > 1:
        if parts[1] not in REQUEST_FIELDS and parts[1] != "*":
            raise problem(f"{where}: field {field!r}: {parts[1]!r} is not a field of the InvokeHarness / "
                          f"InvokeAgentRuntime request (known: {', '.join(_pascal(REQUEST_FIELDS))})")
        return
    if parts[0] not in known:
        shown = _pascal(known) if kind in ("agent-task", "task", "statement", "role") else known
        raise problem(f"{where}: field {field!r} is not a field of a {kind} (known: {', '.join(shown)})")


def _pascal(names: Iterable[str]) -> list[str]:
    return [n[:1].upper() + n[1:] for n in names]
