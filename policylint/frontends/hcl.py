"""HCL (Terraform's configuration language) as values with positions.

tree-sitter parses the text (the ``tree-sitter-hcl`` grammar: linear time, error recovery,
exact byte positions); this module turns the syntax tree into blocks whose attributes are
Python values: literals as they are, and what only Terraform can evaluate (references,
function calls, templates, heredocs, operators) as the small types below, each with the text
the author wrote. Every value's position is kept, so a finding points at the attribute or
object key in the ``.tf`` file. Nothing of tree-sitter is imported until a file is parsed.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

Pos = tuple[int, int]  # (line, column), both 1-based; the column counts characters
MAX_DEPTH = 100  # values or blocks nested deeper than this are refused, not walked


class Reference(NamedTuple):
    """A traversal: ``aws_iam_role.workflow.arn``, ``var.region``, ``local.x[0]``."""

    parts: tuple[str, ...]
    text: str


class Call(NamedTuple):
    """A function call: ``jsonencode({...})``, ``file("flow.json")``."""

    name: str
    args: tuple[Any, ...]
    text: str


class Template(NamedTuple):
    """A quoted string with ``${...}`` interpolations, kept as written."""

    text: str


class Heredoc(NamedTuple):
    """A ``<<EOF`` (or trimmed ``<<-EOF``) string: its text as Terraform reads it, the line its
    first line is on, and the indent removed from each line."""

    text: str
    line: int
    indent: int

    def position(self, offset: int) -> Pos:
        """Where character ``offset`` of the text is in the file."""
        line = self.line + self.text.count("\n", 0, offset)
        start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - start + 1 + self.indent


class Unknown(NamedTuple):
    """Any other expression (an operator, a conditional, a ``for``): known only to Terraform.
    A conditional's ``branches``: its condition, then and else, as the parser groups them (in
    a chain, ``a ? 1 : b ? 2 : 3``, the first part is then a conditional of its own, a
    condition policylint does not evaluate)."""

    text: str
    branches: tuple[str, str, str] | None = None


class Block:
    """``type "label" ... { ... }``: its attributes (name -> value), nested blocks, and the
    position of every value in it: ``positions[(name, key, ...)] = (key position, value position)``."""

    def __init__(self, type_: str, labels: tuple[str, ...], pos: Pos) -> None:
        self.type, self.labels, self.pos = type_, labels, pos
        self.attributes: dict[str, Any] = {}
        self.blocks: list[Block] = []
        self.positions: dict[tuple, tuple[Pos, Pos]] = {}
        # Strings whose characters have positions of their own (a JSON string with escapes,
        # in Terraform's JSON syntax), by path: each has ``text`` and ``position(offset)``.
        self.strings: dict[tuple, Any] = {}

    def __repr__(self) -> str:
        return f"Block({self.type} {' '.join(self.labels)})"

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


class HclError(Exception):
    """Text that is not HCL, at ``position``."""

    def __init__(self, message: str, position: Pos) -> None:
        super().__init__(message)
        self.message, self.position = message, position


class Refused(HclError):
    """HCL not read through: it nests values or blocks deeper than MAX_DEPTH, or parsing it
    costs far more than its size."""


def walk(value: Any) -> Iterator[Any]:
    """Every value inside ``value`` (itself included), depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Call):
            stack.extend(item.args)
