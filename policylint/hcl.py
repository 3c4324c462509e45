"""HCL (Terraform's configuration language) as values with positions.

python-hcl2 parses the text (its Lark grammar, with positions); this module turns the parse
tree into blocks whose attributes are Python values: literals as they are, and what only
Terraform can evaluate (references, function calls, templates, heredocs, operators) as the
small types below, each with the text the author wrote. Every value's position is kept, so a
finding points at the attribute or object key in the ``.tf`` file.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

Pos = tuple[int, int]  # (line, column), both 1-based


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
    """Any other expression (an operator, a conditional, a ``for``): known only to Terraform."""

    text: str


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


def parse(text: str) -> Block:
    """The file as a block of type "" holding its top-level blocks and attributes."""
    from hcl2.api import parses_to_tree
    from lark.exceptions import UnexpectedInput

    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as error:
        line, column = getattr(error, "line", 1), getattr(error, "column", 1)
        expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
        hint = f" (expected {', '.join(expected[:4])})" if expected else ""
        return _raise(f"not valid HCL at line {line}, column {column}{hint}",
                      (max(line, 1), max(column, 1)))
    except Exception as error:  # the grammar's own limits (a heredoc it cannot match, ...)
        return _raise(f"not valid HCL: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                      (1, 1))
    root = Block("", (), (1, 1))
    _Reader(text).body(tree.children[0], root)
    return root


def _raise(message: str, position: Pos) -> Block:
    raise HclError(message, position)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def source(self, node: Any) -> str:
        meta = node.meta
        return self.text[meta.start_pos:meta.end_pos] if not meta.empty else ""

    def body(self, node: Any, block: Block) -> None:
        for child in _trees(node):
            if child.data == "attribute":
                name_node, value = _trees(child)[0], _trees(child)[-1]
                name = _token_text(name_node)
                block.attributes[name] = self.value(value, block, (name,))
                block.positions[(name,)] = (_pos(name_node), _pos(value))
            elif child.data == "block":
                parts = _trees(child)
                labels = tuple(self.label(p) for p in parts[1:]
                               if p.data in ("identifier", "string", "keyword", "literal_value"))
                inner = Block(_token_text(parts[0]), labels, _pos(child))
                self.body(next(p for p in parts if p.data == "body"), inner)
                block.blocks.append(inner)

    def label(self, node: Any) -> str:
        if node.data == "string":
            value = self.string(node)
            return value if isinstance(value, str) else value.text
        return _token_text(node)

    def value(self, node: Any, block: Block, path: tuple) -> Any:
        """The value of an expression node; positions of its inner values go into ``block``."""
        while node.data == "expr_term" and len(_trees(node)) == 1 and not _tokens(node, "LPAR"):
            node = _trees(node)[0]
        kind = node.data
        if kind == "string":
            return self.string(node)
        if kind == "int_lit":
            return int(_token_text(node))
        if kind == "float_lit":
            return float(_token_text(node))
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[_token_text(node)]
        if kind == "tuple":
            items = []
            for i, item in enumerate(_trees(node)):
                items.append(self.value(item, block, (*path, i)))
                block.positions[(*path, i)] = (_pos(item), _pos(item))
            return items
        if kind == "object":
            return self.object(node, block, path)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return _heredoc(node, trim=kind.endswith("trim"))
        if kind == "function_call":
            parts = _trees(node)
            name = _token_text(parts[0])
            arguments = next((p for p in parts if p.data == "arguments"), None)
            args = tuple(self.value(a, block, (*path, "(", i)) for i, a in
                         enumerate(_trees(arguments) if arguments is not None else []))
            return Call(name, args, self.source(node))
        if kind in ("identifier", "get_attr_expr_term", "index_expr_term"):
            parts = self.traversal(node)
            return Reference(parts, self.source(node)) if parts else Unknown(self.source(node))
        return Unknown(self.source(node))

    def object(self, node: Any, block: Block, path: tuple) -> dict:
        found: dict[str, Any] = {}
        for element in (e for e in _trees(node) if e.data == "object_elem"):
            key_node, value = _trees(element)[0], _trees(element)[-1]
            key = self.key(key_node)
            if key is None:  # a computed key: nothing to say about it
                continue
            found[key] = self.value(value, block, (*path, key))
            block.positions[(*path, key)] = (_pos(key_node), _pos(value))
        return found

    def key(self, node: Any) -> str | None:
        inner = node
        while inner.data in ("object_elem_key", "expr_term") and len(_trees(inner)) == 1:
            inner = _trees(inner)[0]
        if inner.data in ("identifier", "keyword", "literal_value"):
            return _token_text(inner)
        if inner.data == "string":
            value = self.string(inner)
            return value if isinstance(value, str) else None
        if inner.data in ("int_lit", "float_lit"):
            return _token_text(inner)
        return None

    def string(self, node: Any) -> str | Template:
        pieces, literal = [], True
        for part in (p for p in _trees(node) if p.data == "string_part"):
            inner = _trees(part)
            if inner:  # an interpolation or a template directive
                literal = False
                pieces.append(self.source(part))
            else:
                token = _token_text(part)
                pieces.append(token if token.startswith(("$${", "%%{")) else _unescape(token))
        text = "".join(pieces)
        if literal:
            return text.replace("$${", "${").replace("%%{", "%{")
        return Template(text)

    def traversal(self, node: Any) -> tuple[str, ...]:
        """``a.b[0].c`` as ("a", "b", "[0]", "c"); () when it is not a plain traversal."""
        kind = node.data
        if kind == "identifier":
            return (_token_text(node),)
        if kind == "expr_term" and len(_trees(node)) == 1:
            return self.traversal(_trees(node)[0])
        if kind == "get_attr_expr_term":
            base, step = _trees(node)
            head = self.traversal(base)
            name = _trees(step)[0]
            return (*head, _token_text(name)) if head else ()
        if kind == "index_expr_term":
            base, index = _trees(node)
            head = self.traversal(base)
            return (*head, f"[{self.source(index).strip('[].')}]") if head else ()
        return ()


def _trees(node: Any) -> list[Any]:
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]


def _tokens(node: Any, kind: str) -> list[Any]:
    return [c for c in node.children if getattr(c, "type", None) == kind]


def _token_text(node: Any) -> str:
    token = next(c for c in node.children if not hasattr(c, "data"))
    return str(token)


def _pos(node: Any) -> Pos:
    return (node.meta.line, node.meta.column) if not node.meta.empty else (1, 1)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 6 <= len(text):
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _heredoc(node: Any, trim: bool) -> Heredoc:
    token = str(node.children[0])
    first_newline = token.index("\n")
    body = token[first_newline + 1:]
    lines = body.split("\n")
    content = lines[:-2] if len(lines) >= 2 else []  # the marker line, then the final newline
    indent = 0
    if trim:
        widths = [len(line) - len(line.lstrip(" \t")) for line in content if line.strip()]
        indent = min(widths, default=0)
        content = [line[indent:] for line in content]
    text = "\n".join(content) + ("\n" if content else "")
    return Heredoc(text, node.meta.line + 1, indent)


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
