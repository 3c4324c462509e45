"""YAML text to data, as AWS tools read it, with the node tree positions are read from.

libyaml composes the node tree (in C); a lean constructor makes the data from it, giving
what PyYAML's safe constructor gives (the same values, shared objects for aliases, the same
keys written twice, in the same order) at a fraction of its cost, and the tree is kept: a
finding's position needs no second parse. Each text is one string however often it is
written (``sys.intern``): a template repeats a few hundred of them thousands of times, and
a run holds, and a worker process sends back, each once. What the lean constructor does not handle (merge
keys, explicit tags such as ``!!set`` or ``!!binary``, a key that is no scalar, a node that
holds itself inside a short form, short forms nested deep) PyYAML's constructor reads.
"""
from __future__ import annotations

from functools import lru_cache
from sys import intern
from typing import Any

Duplicate = tuple[str, int, int]  # a key written twice: (key, offset of the second, line of the first)

_CORE = "tag:yaml.org,2002:"
STR, MAP, SEQ, MERGE = (_CORE + name for name in ("str", "map", "seq", "merge"))
# Deeper, PyYAML's recursive construction of a short form's value may run out of stack, and a
# node that holds itself there (which PyYAML refuses) goes deeper: PyYAML's constructor decides.
_SHORT_FORM_DEPTH = 50


@lru_cache(maxsize=1)
def yaml_loader() -> Any:
    """PyYAML's safe C loader, reading values as AWS tools do (YAML 1.2 core): dates stay
    strings (a state named 2024-01-01, a policy ``Version: 2012-10-17``) and only
    true/false are booleans (a state named ``Yes`` stays a name). A key written twice in one
    mapping is kept in ``duplicates`` (the last value is read, as PyYAML does)."""
    import operator
    import re

    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    boolean = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
    resolvers: dict[Any, list] = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [(tag, boolean if tag == "tag:yaml.org,2002:bool" else regexp) for tag, regexp in entries
                if tag != "tag:yaml.org,2002:timestamp"
                and (tag != "tag:yaml.org,2002:bool" or first in "tTfF")]
        if kept:
            resolvers[first] = kept
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode

    def resolve(self: Any, kind: Any, value: Any, implicit: tuple[bool, bool]) -> str:
        """PyYAML's resolution (no path resolvers), in one call a node."""
        if kind is scalar:
            if implicit[0]:
                for tag, regexp in resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return STR
        return SEQ if kind is sequence else MAP

    def __init__(self: Any, stream: Any) -> None:
        base.__init__(self, stream)
        self.duplicates = []

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict:
        _duplicates(node.value, self.duplicates)
        return base.construct_mapping(self, node, deep=deep)

    return type("PolicylintLoader", (base,), {
        "yaml_implicit_resolvers": resolvers, "resolve": resolve, "__init__": __init__,
        "construct_mapping": construct_mapping,
        # There are no path resolvers: libyaml's composer calls these two for nothing at every
        # node, and a C function (any that takes the arguments) costs less than a Python one.
        "descend_resolver": staticmethod(operator.is_), "ascend_resolver": staticmethod(tuple)})


@lru_cache(maxsize=1)
def position_loader() -> Any:
    """The C loader with no implicit resolvers: composing for positions needs no types, and
    resolving every scalar's type costs more than the parsing."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return type("PositionLoader", (base,), {"yaml_implicit_resolvers": {}})


@lru_cache(maxsize=1)
def template_loader() -> Any:
    """``yaml_loader`` that also reads CloudFormation's short-form intrinsics (``!Ref x``
    as ``{"Ref": "x"}``, ``!GetAtt a.b`` as ``{"Fn::GetAtt": ["a", "b"]}``, ``!Sub ...``
    as ``{"Fn::Sub": ...}``)."""
    import yaml

    class TemplateLoader(yaml_loader()):  # type: ignore[misc]
        pass

    def intrinsic(loader: Any, suffix: str, node: Any) -> dict:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return _short_form(suffix, value)

    TemplateLoader.add_multi_constructor("!", intrinsic)
    return TemplateLoader


def _short_form(suffix: str, value: Any) -> dict:
    """``!Suffix value`` as the intrinsic function it stands for."""
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}


def _duplicates(pairs: list, found: list[Duplicate]) -> None:
    """Add to ``found`` the keys of a mapping node's ``pairs`` written twice (merge keys aside)."""
    import yaml

    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in pairs:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != MERGE:
            key = (key_node.tag, key_node.value)
            if key in seen:
                found.append((key_node.value, key_node.start_mark.index, seen[key]))
            else:
                seen[key] = key_node.start_mark.line + 1


def load_yaml(text: str, short_forms: bool) -> tuple[Any, list[Duplicate], Any]:
    """The data of a YAML text (with CloudFormation's ``short_forms``, ``!Ref x``), the keys
    written twice in it, and its node tree (None when PyYAML's constructor read it: merge
    keys may have changed the tree)."""
    import yaml

    node = yaml.compose(text, Loader=yaml_loader())
    if node is None:
        return None, [], None
    lean = _Lean(short_forms)
    try:
        return lean.document(node), lean.duplicates, node
    except _Unusual:
        reader = (template_loader() if short_forms else yaml_loader())(text)
        try:
            return reader.get_single_data(), reader.duplicates, None
        finally:
            reader.dispose()


class _Unusual(Exception):
    """A node the lean constructor leaves to PyYAML's."""


@lru_cache(maxsize=1)
def _scalars() -> tuple[Any, Any, dict[str, Any]]:
    """The node classes, and the constructors of scalars other than strings (PyYAML's own)."""
    import yaml
    from yaml.constructor import SafeConstructor

    made = SafeConstructor()
    return yaml.ScalarNode, yaml.MappingNode, {
        _CORE + "int": made.construct_yaml_int, _CORE + "float": made.construct_yaml_float,
        _CORE + "bool": made.construct_yaml_bool, _CORE + "null": made.construct_yaml_null}


class _Lean:
    """Data from a composed node tree, made as PyYAML's safe constructor makes it: mappings
    and sequences a level at a time (their items once every container before them is
    filled), a short form's whole value at once (``deep``), each container once whatever
    the aliases to it."""

    def __init__(self, short_forms: bool) -> None:
        self.short_forms = short_forms
        self.scalar, self.mapping_node, self.scalars = _scalars()
        self.duplicates: list[Duplicate] = []
        self.made: dict[int, Any] = {}  # id(node) -> its container (or short form)
        self.unfilled: list[tuple[Any, Any]] = []  # (node, its empty container), in PyYAML's order

    def document(self, node: Any) -> Any:
        data = self.value(node)
        scalar = self.scalar
        for node, container in self.unfilled:  # grows as containers are met
            if type(container) is dict:
                at = len(self.duplicates)
                self.fill(node, container, self.value)
                if len(container) < len(node.value):  # a key written twice (or 1 and true)
                    found: list[Duplicate] = []
                    _duplicates(node.value, found)
                    self.duplicates[at:at] = found  # PyYAML finds them before the items' own
            else:
                container.extend([intern(item.value) if type(item) is scalar and item.tag == STR
                                  else self.value(item) for item in node.value])
        return data

    def value(self, node: Any) -> Any:
        """A node's value; a container is made empty, and filled in its turn."""
        tag = node.tag
        if type(node) is self.scalar:
            if tag == STR:
                return intern(node.value)
            return self.other_scalar(node, tag)
        made = self.made.get(id(node))
        if made is not None:
            return made
        if tag in (MAP, SEQ):
            container: Any = {} if type(node) is self.mapping_node else []
            if (tag == MAP) != (type(container) is dict):
                raise _Unusual  # !!map on a sequence, !!seq on a mapping: PyYAML's error
            self.made[id(node)] = container
            self.unfilled.append((node, container))
            return container
        return self.short_form(node, tag, 0)

    def deep(self, node: Any, depth: int) -> Any:
        """A node's value inside a short form, made whole (as PyYAML's ``deep`` construction)."""
        tag = node.tag
        if type(node) is self.scalar:
            if tag == STR:
                return intern(node.value)
            return self.other_scalar(node, tag)
        made = self.made.get(id(node))
        if made is not None:
            return made
        if tag not in (MAP, SEQ):
            return self.short_form(node, tag, depth)
        if depth > _SHORT_FORM_DEPTH:
            raise _Unusual
        if tag == MAP and type(node) is self.mapping_node:
            _duplicates(node.value, self.duplicates)
            container: Any = self.fill(node, {}, lambda item: self.deep(item, depth + 1))
        elif tag == SEQ and type(node) is not self.mapping_node:
            container = [self.deep(item, depth + 1) for item in node.value]
        else:
            raise _Unusual
        self.made[id(node)] = container
        return container

    def other_scalar(self, node: Any, tag: str) -> Any:
        construct = self.scalars.get(tag)
        if construct is None:
            return self.short_form(node, tag, 0)
        return construct(node)

    def short_form(self, node: Any, tag: str, depth: int) -> dict:
        """``!Ref x``, ``!Sub [...]``: the intrinsic function, its value made whole."""
        made = self.made.get(id(node))
        if made is not None:
            return made
        if not (self.short_forms and tag[:1] == "!") or depth > _SHORT_FORM_DEPTH:
            raise _Unusual
        if type(node) is self.scalar:
            value: Any = intern(node.value)
        elif type(node) is self.mapping_node:
            _duplicates(node.value, self.duplicates)
            value = self.fill(node, {}, lambda item: self.deep(item, depth + 1))
        else:
            value = [self.deep(item, depth + 1) for item in node.value]
        made = self.made[id(node)] = _short_form(tag[1:], value)
        return made

    def fill(self, node: Any, into: dict, value: Any) -> dict:
        """A mapping's items into ``into``, each value made by ``value``; keys must be scalars
        of the core types (PyYAML refuses others, or merges them)."""
        scalar = self.scalar
        for key_node, value_node in node.value:
            if type(key_node) is not scalar:
                raise _Unusual
            tag = key_node.tag
            if tag == STR:
                key = intern(key_node.value)
            elif tag in self.scalars:
                key = self.scalars[tag](key_node)
            else:
                raise _Unusual
            into[key] = intern(value_node.value) if type(value_node) is scalar and value_node.tag == STR \
                else value(value_node)
        return into
