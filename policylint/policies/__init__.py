"""Organisation policies: rules written in the config, not in Python.

A policy (``policies:`` in ``.policylint.yaml`` or ``[tool.policylint]``) names a kind of
object, optional environments, an optional ``where`` (which objects it is about) and a
``require`` (what each of them must satisfy). A condition is one of::

    {field: F, present: true|false}     there (written, or an AWS default) or not
    {field: F, equals: V}               the value is V
    {field: F, in: [P, ...]}            the value (each item of a list) matches a pattern (* and ?)
    {field: F, not-in: [P, ...]}        the value (each item of a list) matches none of them
    {field: F, min: N, max: N}          numeric bounds, inclusive (either or both)
    {all: [C, ...]}, {any: [C, ...]}, {not: C}

Fields are read as ``policylint.policies.kinds`` says (API names, defaults, unknowns). AWS
defaults count as written; comparisons hold for a field that is not there (add
``present: true`` to demand it); a failing ``any`` is reported where its last alternative
failed. A value known only at deploy time makes a condition unknown, and an unknown
``require`` is no finding. A policy is data: nothing in it is run as code.

Each policy compiles once into an ordinary ``Rule`` (scope ``project``) whose findings point
at the field that failed, or at the object (the deepest one written) when it is missing.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.config import ConfigError
from policylint.hookspecs import hookimpl
from policylint.policies.config import COMBINATORS, OPERATORS, check_condition
from policylint.policies.kinds import KINDS, MISSING, Got, Subject, canonical, objects
from policylint.rule import Finding, Rule, Severity

if TYPE_CHECKING:
    from policylint.config import Config
    from policylint.models import Document
    from policylint.project import Project



class Spot(NamedTuple):
    """Where a condition failed (or held), and in what words; ``document`` when it is not the
    object's own (a state machine's settings are in its template)."""

    path: tuple
    at: str
    detail: str | Callable[[], str]  # words, or what puts them together when they are said
    value: Any = None
    document: Document | None = None


Result = tuple  # (True | False | None, list[Spot])


class Condition:
    """A checked condition tree, ready to evaluate on a Subject."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.children: list[Condition] = []
        self.op = next((c for c in COMBINATORS if c in spec), "field")
        if self.op in ("all", "any"):
            self.children = [Condition(c) for c in spec[self.op]]
        elif self.op == "not":
            self.children = [Condition(spec["not"])]
        else:
            self.field = spec["field"]
            self.parts = tuple(canonical(p) for p in self.field.split("."))
            self.operator = next(o for o in OPERATORS if o in spec)
            if self.operator in ("min", "max"):
                self.operator, self.operand = "bounds", (spec.get("min"), spec.get("max"))
            else:
                self.operand = spec[self.operator]
            if self.operator in ("in", "not-in"):
                import re
                from fnmatch import translate

                self.matcher = re.compile("|".join(f"(?:{translate(str(p))})" for p in self.operand)).match

    def evaluate(self, subject: Subject) -> Result:
        """(True, False or None for unknown; where). The spots of a True are a function that
        gives them: only a ``not`` above ever says them."""
        if self.op == "field":
            return self._leaf(subject)
        if self.op == "not":
            result, spots = self.children[0].evaluate(subject)
            if result is True:
                return False, spots() if callable(spots) else spots
            return (None if result is None else True), (lambda: spots) if result is False else []
        results = [c.evaluate(subject) for c in self.children]
        decisive = self.op == "any"  # any: a True decides; all: a False decides
        hits = [r for r in results if r[0] is decisive]
        if hits:  # all: where each failed; any: where one held
            return decisive, [s for r in hits for s in r[1]] if not decisive else hits[0][1]
        if any(r[0] is None for r in results):
            return None, []
        if decisive:  # every alternative failed: said where the last one did
            return False, next((r[1] for r in reversed(results) if r[1]), [])
        return True, lambda: [s for r in results for s in (r[1]() if callable(r[1]) else r[1])]

    def _leaf(self, subject: Subject) -> Result:
        got = subject.get(self.parts)
        if self.operator == "present":
            written = [g for g in got if g.value is not MISSING]  # a default counts as written
            if self.operand:
                return (True, self._spots(written, "value", "is set")) if written else \
                    (False, self._spots(got[:1], "key", "is not set"))
            known = [g for g in written if g.known]  # an unknown may be what holds the field, or not
            if known or written:
                return (False, self._spots(known, "key", "is set")) if known else (None, [])
            return True, self._spots(got[:1], "key", "is not set")
        failed: list[Spot] = []
        unknown = False
        for g in got:
            if g.value is MISSING:
                continue
            for ok, spot in self._compare(g):
                if ok is False:
                    failed.append(spot() if g.document is None else spot()._replace(document=g.document))
                elif ok is None:
                    unknown = True
        if failed:
            return False, failed
        if unknown:
            return None, []
        return True, lambda: [s() if g.document is None else s()._replace(document=g.document)
                              for g in got if g.value is not MISSING for _, s in self._compare(g)]

    def _spots(self, gots: list[Got], at: str, said: str) -> list[Spot]:
        return [Spot(g.path, at, f"{self.field} {said}", document=g.document) for g in gots]

    def _said(self, got: Got, value: Any, tail: str = "") -> Callable[[], str]:
        """The words for a spot, put together only when a finding says them."""
        field = self.field

        def said() -> str:
            if got.default:
                return f"{field} is not set: {_shown(value)} by default{tail}"
            return f"{field} is {_shown(value)}{tail}"
        return said

    def _compare(self, got: Got) -> Iterator[tuple[bool | None, Callable[[], Spot]]]:
        """(verdict, what makes its Spot) for the value, or for each item of a list under in /
        not-in: a Spot is made only where it is said."""
        at = "key" if got.default else "value"
        if not got.known:
            yield None, lambda: Spot(got.path, at, "")
            return
        operator, operand, value = self.operator, self.operand, got.value
        if operator == "equals":
            same = value == operand
            yield same, lambda: Spot(got.path, at, self._said(
                got, value, "" if same else f", not {_shown(operand)}"), value)
        elif operator == "bounds":
            number = _number(value)
            low, high = operand
            if number is None:
                yield None, lambda: Spot(got.path, at, "")
            elif high is not None and number > high:
                yield False, lambda: Spot(got.path, at, self._said(got, value, f", over {high}"), value)
            elif low is not None and number < low:
                yield False, lambda: Spot(got.path, at, self._said(got, value, f", under {low}"), value)
            else:
                yield True, lambda: Spot(got.path, at, self._said(got, value), value)
        else:
            yield from self._membership(got, at)

    def _membership(self, got: Got, at: str) -> Iterator[tuple[bool | None, Callable[[], Spot]]]:
        """``in``: each item matches a pattern; ``not-in``: no item does."""
        wanted_inside = self.operator == "in"
        value = got.value
        if type(value) is str:  # the common case
            inside = self.matcher(value) is not None
            yield inside == wanted_inside, lambda: Spot(got.path, at, self._member_words(
                value, inside, got.default), value)
            return
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            path = got.path if i is None or got.default else (*got.path, i)
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or \
                    (isinstance(item, str) and ("${" in item or item.startswith("{%"))):
                yield (None if item is not None else False), partial(Spot, path, at, "", item)
                continue
            inside = self.matcher(str(item)) is not None
            words = self._member_words(item, inside, got.default)
            yield inside == wanted_inside, partial(Spot, path, at, words, item)

    def _member_words(self, item: Any, inside: bool, default: bool) -> Callable[[], str]:
        field, patterns = self.field, self.operand

        def said() -> str:
            words = f"{field} {_shown(item)} is {'' if inside else 'not '}in {_shown(patterns)}"
            return f"{words} (by default)" if default else words
        return said


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else \
        json.dumps(value, default=str)


class Policy(NamedTuple):
    code: str
    name: str
    severity: Severity
    message: str
    kind: str
    environments: tuple[str, ...]
    where: Condition | None
    require: Condition
    spec: dict[str, Any]


def parse(spec: dict[str, Any], source: str = "") -> Policy:
    """A policy from its (schema-valid) config entry; ConfigError naming it and the field."""
    code = spec.get("code", "?")

    def problem(text: str) -> ConfigError:
        return ConfigError(f"{source + ': ' if source else ''}policy {code}: {text}")

    kind = spec["kind"]
    if kind not in KINDS:
        raise problem(f"kind: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    for key in ("where", "require"):
        if key in spec:
            check_condition(spec[key], kind, key, problem)
    return Policy(code, spec["name"], Severity.parse(spec["severity"]), spec["message"], kind,
                  tuple(spec.get("environments", ())),
                  Condition(spec["where"]) if "where" in spec else None, Condition(spec["require"]), spec)


def check_all(specs: Iterable[dict[str, Any]], source: str = "") -> list[Policy]:
    """Every policy parsed; two with one code or one name are an error."""
    parsed = [parse(s, source) for s in specs]
    seen: dict[str, str] = {}
    for policy in parsed:
        for key in (policy.code, policy.name):
            if key in seen:
                raise ConfigError(f"{source + ': ' if source else ''}policy {policy.code}: "
                                  f"{key!r} is also policy {seen[key]}'s")
            seen[key] = policy.code
    return parsed


# -- running ---------------------------------------------------------------------------------

def detail_of(spot: Spot) -> str:
    return spot.detail if isinstance(spot.detail, str) else spot.detail()


def environment_matches(wanted: tuple[str, ...], environment: str) -> bool:
    """Whether ``environment`` (configured, or ``prod`` / ``non-prod`` from names) is one of
    ``wanted``: a name, a glob, or ``prod`` / ``non-prod``, which cover every environment
    whose name says (or does not say) prod."""
    from policylint.project import is_prod

    for entry in wanted:
        if entry == environment or fnmatchcase(environment, entry):
            return True
        if entry == "prod" and is_prod(environment) or entry == "non-prod" and not is_prod(environment):
            return True
    return False


def judge(policy: Policy | Any, subject: Subject) -> Iterator[Spot]:
    """Where ``subject`` fails the policy's ``require`` (nothing when it passes or is unknown)."""
    if policy.where is not None and policy.where.evaluate(subject)[0] is not True:
        return
    result, spots = policy.require.evaluate(subject)
    if result is False:
        yield from spots or [Spot(subject.path, "key", "")]


def _message(template: str, spot: Spot) -> str:
    spot = spot._replace(detail=detail_of(spot))
    if "{value}" in template or "{detail}" in template:
        shown = "missing" if spot.value is None else str(spot.value)
        return template.replace("{value}", shown).replace("{detail}", str(spot.detail))
    return f"{template} ({spot.detail})" if spot.detail else template


class PolicyCheck:
    """A policy's check: every object of its kind, in its environments."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def __call__(self, project: Project) -> Iterator[Finding]:
        policy = self.policy
        found = objects(project)
        matches: dict[str, bool] = {}
        for subject in found.of(policy.kind):
            if policy.environments:
                environment = found.environment(subject.document)
                if environment not in matches:
                    matches[environment] = environment_matches(policy.environments, environment)
                if not matches[environment]:
                    continue
            for spot in judge(policy, subject):
                yield Finding(spot.document or subject.document, spot.path, _message(policy.message, spot),
                              spot.at)


def to_rule(policy: Policy, source: str = "") -> Rule:
    spec = policy.spec
    envs = f" in {', '.join(policy.environments)}" if policy.environments else ""
    where = f"\n\nApplies to: {json.dumps(spec['where'])}" if "where" in spec else ""
    text = spec.get("help") or (
        f"What it does: the organisation policy {policy.code}{' of ' + source if source else ''}: "
        f"every {policy.kind}{envs} must satisfy {json.dumps(spec['require'])}.{where}\n\n"
        f"Why: {policy.message}")
    made = Rule(policy.code, policy.name, policy.severity, spec.get("summary", policy.message), text,
                PolicyCheck(policy), scope="project", tags=("policy",))
    made.url = spec.get("url")  # type: ignore[attr-defined]  # the team's own page for it, if any
    return made


_COMPILED: dict[int, tuple[Any, list[Rule]]] = {}


def rules_of(config: Config) -> list[Rule]:
    """The config's policies as rules, compiled once per config."""
    if not config.policies:
        return []
    key = id(config.policies)
    if key not in _COMPILED or _COMPILED[key][0] is not config.policies:
        parsed = check_all(config.policies, config.source)
        _COMPILED[key] = (config.policies, [to_rule(p, config.source) for p in parsed])
    return _COMPILED[key][1]


class _Plugin:
    """The config's policies, contributed to the engine as a plugin contributes rules."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    @hookimpl
    def policylint_rules(self) -> list[Rule]:
        return self.rules


def install(engine: Any, config: Config) -> None:
    """Give ``engine`` the config's policies as rules (a plugin of its own, named
    ``policies``). A policy whose code or name is a built-in rule's is a config error."""
    rules = rules_of(config)
    if not rules or engine.plugins.get_plugin("policies") is not None:
        return
    builtin = engine.rules
    for rule in rules:
        other = builtin.get(rule.code) or next((r for r in builtin.values() if r.name == rule.name), None)
        if other is not None:
            raise ConfigError(f"{config.source}: policy {rule.code}: {other.code} {other.name} is a "
                              "built-in rule; choose another code and name (a prefix of your own, "
                              "such as ORG001)")
    engine.plugins.register(_Plugin(rules), name="policies")
    vars(engine).pop("rules", None)  # listed again, with the policies


def findings(document: Document, kind: str, condition: dict[str, Any],
             message: Callable[[Spot], str]) -> Iterator[Finding]:
    """The findings of one condition over the objects of ``kind`` in ``document``: how a
    built-in rule (AGT318, AGT319) is written on the policy machinery."""
    from policylint.policies.kinds import subjects

    compiled = _condition(json.dumps(condition, sort_keys=True))
    for subject in subjects(kind, document):
        result, spots = compiled.evaluate(subject)
        if result is False:
            for spot in spots:
                yield Finding(spot.document or document, spot.path, message(spot), spot.at)


_CONDITIONS: dict[str, Condition] = {}


def _condition(text: str) -> Condition:
    if text not in _CONDITIONS:
        _CONDITIONS[text] = Condition(json.loads(text))
    return _CONDITIONS[text]
