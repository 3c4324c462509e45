"""tree-sitter's HCL syntax tree read into ``hcl`` blocks and values (see ``policylint.frontends.hcl``).

One parser serves the whole process. The tree is read top-down with a depth count: a value
or block nested deeper than ``hcl.MAX_DEPTH`` is ``hcl.Refused`` at its position, so no input
reaches Python's recursion limit. Escapes are decoded here; an invalid one is a syntax error.
"""
from __future__ import annotations

import re
import time
from typing import Any

from policylint.frontends import hcl
from policylint.frontends.hcl import Block, HclError, Pos

_PARSER: Any = None
MAX_SECONDS = 2.0  # the parse's CPU time guard: this, plus as much again a MB of text
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_TRAVERSAL = frozenset({"get_attr", "index"})
_WRAPPERS = frozenset({"expression", "literal_value", "collection_value", "template_expr"})
_MISSING = {"heredoc_identifier": "the heredoc's closing marker", "quoted_template_end": 'a closing "'}


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


def read(text: str) -> Block:
    """The text as a block of type "" holding its top-level blocks and attributes."""
    data = text.encode("utf-8", "surrogatepass")
    root, cut = syntax_tree(data)
    reader = _Reader(data, text)
    if root.has_error:
        node = _first_error(root)
        wanted = _MISSING.get(node.type, f"'{node.type}'") if node.is_missing else ""
        line, column = reader.pos(node.parent if node.type == "heredoc_identifier" else node)
        raise HclError(f"not valid HCL at line {line}, column {column}"
                       + (f" (missing {wanted})" if wanted else ""), (line, column))
    if cut:
        raise hcl.Refused("parsing this file cost far more than its size; it was stopped", (1, 1))
    top = Block("", (), (1, 1))
    body = next((c for c in root.children if c.type == "body"), None)
    if body is not None:
        reader.body(body, top, 0)
    return top


def syntax_tree(data: bytes) -> tuple[Any, bool]:
    """The syntax tree, and whether the parse was cut short. The parser reads the text through
    a callback that serves at most a few times its length: error recovery that rescans the
    rest of the file from each line (an unterminated heredoc) then meets the end of the text,
    instead of taking time that grows with the square of the size. A last guard, for error
    recovery that is linear but slow (megabytes of noise): the text also ends after
    MAX_SECONDS of this process's CPU time, plus as much a MB (valid HCL takes under 1 s a
    MB; CPU time, so that a busy machine does not cut a valid file short)."""
    budget, served = 4 * len(data) + (1 << 16), 0
    deadline = time.process_time() + MAX_SECONDS * (1 + len(data) / 1e6)
    cut = False

    def chunk(offset: int, _point: Any) -> bytes:
        nonlocal served, cut
        cut = cut or served > budget or time.process_time() > deadline
        if cut:
            return b""
        piece = data[offset:offset + 4096]
        served += len(piece)
        return piece

    return _parser().parse(chunk).root_node, cut


def _first_error(node: Any) -> Any:
    """The first ERROR or MISSING node under ``node`` (which has one), found without recursion."""
    while True:
        for child in node.children:
            if child.type == "ERROR" or child.is_missing:
                return child
            if child.has_error:
                node = child
                break
        else:
            return node


class _Reader:
    def __init__(self, data: bytes, text: str) -> None:
        self.data, self.ascii = data, text.isascii()
        self.text = text  # in an ASCII text a byte offset is a character offset: sliced, not decoded
        self.rows: dict[int, tuple[int, int]] = {}  # row -> (a byte offset, its column in characters)

    def pos(self, node: Any) -> Pos:
        """Where ``node`` starts: the line, and the column in characters (tree-sitter counts
        bytes), worked out from the last place asked on the same line."""
        row, column = node.start_point
        if self.ascii:
            return row + 1, column + 1
        at = node.start_byte
        start, chars = self.rows.get(row, (at - column, 0))
        if start > at:
            start, chars = at - column, 0
        chars += len(self.data[start:at].decode("utf-8", "replace"))
        self.rows[row] = (at, chars)
        return row + 1, chars + 1

    def source(self, node: Any) -> str:
        return self.written(node.start_byte, node.end_byte)

    def written(self, start: int, end: int) -> str:
        """The text between two byte offsets, as written."""
        if self.ascii:
            return self.text[start:end]
        return self.data[start:end].decode("utf-8", "surrogatepass")

    def body(self, node: Any, block: Block, depth: int) -> None:
        for child in node.named_children:
            if child.type == "attribute":
                kids = child.named_children  # the name, the value (and any comment between)
                name_node, value = kids[0], kids[-1]
                name = self.source(name_node)
                block.positions[(name,)] = (self.pos(name_node), self.pos(value))
                block.attributes[name] = self.value(value, block, (name,), depth + 1)
            elif child.type == "block":
                if depth >= hcl.MAX_DEPTH:
                    raise hcl.Refused(f"blocks nest more than {hcl.MAX_DEPTH} deep", self.pos(child))
                parts = child.children
                labels = tuple(self.label(p) for p in parts[1:] if p.type in ("string_lit", "identifier"))
                inner = Block(self.source(parts[0]), labels, self.pos(child))
                for part in parts:
                    if part.type == "body":
                        self.body(part, inner, depth + 1)
                block.blocks.append(inner)

    def label(self, node: Any) -> str:
        return self.literal(node) if node.type == "string_lit" else self.source(node)

    def value(self, node: Any, block: Block, path: tuple, depth: int) -> Any:
        """The value of an expression node; positions of its inner values go into ``block``."""
        if depth > hcl.MAX_DEPTH:
            raise hcl.Refused(f"values nest more than {hcl.MAX_DEPTH} deep", self.pos(node))
        plain = self.plain(node)
        if plain is not None:
            return plain
        kind = node.type
        while kind in _WRAPPERS and node.child_count == 1:
            node = node.child(0)
            kind = node.type
        if kind == "string_lit":  # no interpolation: the text between the quotes
            return self.literal(node)
        if kind == "quoted_template":
            return self.string(node)
        if kind == "numeric_lit":
            return _number(self.source(node))
        if kind == "bool_lit":
            return self.source(node) == "true"
        if kind == "null_lit":
            return None
        if kind == "tuple":
            return self.sequence(node, block, path, depth)
        if kind == "object":
            return self.mapping(node, block, path, depth)
        if kind == "heredoc_template":
            return self.heredoc(node)
        if kind == "function_call":
            arguments = next((c for c in node.children if c.type == "function_arguments"), None)
            items = [c for c in arguments.children if c.type == "expression"] if arguments is not None else []
            args = tuple(self.value(a, block, (*path, "(", i), depth + 1) for i, a in enumerate(items))
            return hcl.Call(self.source(node.children[0]), args, self.source(node))
        if kind == "variable_expr":
            name = self.source(node)
            return hcl.Reference((name,), name)
        if kind == "expression":
            parts = self.traversal(node)
            if parts:
                return hcl.Reference(parts, self.source(node))
        if kind == "conditional":
            cond, then, other = (self.source(c) for c in node.children if c.type == "expression")
            return hcl.Unknown(self.source(node), (cond, then, other))
        return hcl.Unknown(self.source(node))

    def sequence(self, node: Any, block: Block, path: tuple, depth: int) -> list:
        items: list = []
        for item in node.named_children:
            if item.type != "expression":
                continue
            at = self.pos(item)
            block.positions[(*path, len(items))] = (at, at)
            items.append(self.value(item, block, (*path, len(items)), depth + 1))
        return items

    def mapping(self, node: Any, block: Block, path: tuple, depth: int) -> dict:
        found: dict[str, Any] = {}
        for element in node.named_children:
            if element.type != "object_elem":
                continue
            kids = element.named_children
            key_node, value = kids[0], kids[-1]
            key = self.key(key_node)
            if key is None:  # a computed key: nothing to say about it
                continue
            block.positions[(*path, key)] = (self.pos(key_node), self.pos(value))
            found[key] = self.value(value, block, (*path, key), depth + 1)
        return found

    def plain(self, node: Any) -> str | None:
        """An ASCII text's quoted string with nothing to decode or interpolate (no escape,
        ``${`` or ``%{``): its text, read without descending to the literal (most values are
        one); else None."""
        start, end, text = node.start_byte, node.end_byte, self.text
        if not self.ascii or end - start < 2 or text[start] != '"' or text[end - 1] != '"':
            return None
        inner = text[start + 1:end - 1]
        return None if '"' in inner or "\\" in inner or "${" in inner or "%{" in inner else inner

    def key(self, node: Any) -> str | None:
        plain = self.plain(node)
        if plain is not None:
            return plain
        while node.type in ("expression", "literal_value") and node.child_count == 1:
            node = node.child(0)
        if node.type in ("variable_expr", "numeric_lit", "bool_lit", "null_lit"):
            return self.source(node)
        return self.literal(node) if node.type == "string_lit" else None

    def literal(self, node: Any) -> str:
        """A quoted string without interpolation: its text, escapes decoded."""
        return self.unescape(node.start_byte + 1, node.end_byte - 1).replace("$${", "${").replace("%%{", "%{")

    def string(self, node: Any) -> str | hcl.Template:
        """A quoted string: its text with escapes decoded, or a hcl.Template when it interpolates
        (literal pieces decoded, ``${...}`` and ``%{...}`` kept as written)."""
        children = node.children
        start, end = children[0].end_byte, children[-1].start_byte
        pieces, literal = [], True
        for child in children:
            if child.type in ("template_interpolation", "template_directive"):
                literal = False
                pieces.append(self.unescape(start, child.start_byte))
                pieces.append(self.source(child))
                start = child.end_byte
        pieces.append(self.unescape(start, end))
        text = "".join(pieces)
        if literal:
            return text.replace("$${", "${").replace("%%{", "%{")
        return hcl.Template(text)

    def unescape(self, start: int, end: int) -> str:
        text = self.written(start, end)
        if "\\" not in text:
            return text

        def one(match: re.Match) -> str:
            simple = match.group(3)
            if simple is not None and simple in _SIMPLE:
                return _SIMPLE[simple]
            code = int(match.group(1) or match.group(2) or "110000", 16)
            if simple is None and code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
            offset = start + len(text[:match.start()].encode("utf-8", "surrogatepass"))
            line_start = self.data.rfind(b"\n", 0, offset) + 1
            at = (self.data.count(b"\n", 0, offset) + 1,
                  len(self.data[line_start:offset].decode("utf-8", "replace")) + 1)
            raise HclError(f"not valid HCL at line {at[0]}, column {at[1]} (an invalid escape)", at)

        return _ESCAPE.sub(one, text)

    def heredoc(self, node: Any) -> hcl.Heredoc:
        """``<<EOF`` ... ``EOF``: the lines between the markers; ``<<-`` removes their common indent."""
        markers = [c for c in node.children if c.type == "heredoc_identifier"]
        first = self.data.index(b"\n", markers[0].end_byte) + 1
        last = self.data.rfind(b"\n", 0, markers[-1].start_byte) + 1
        content = self.data[first:max(first, last)].decode("utf-8", "surrogatepass").split("\n")[:-1]
        indent = 0
        if node.children[0].type == "heredoc_start" and self.source(node.children[0]) == "<<-":
            widths = [len(line) - len(line.lstrip(" \t")) for line in content if line.strip()]
            indent = min(widths, default=0)
            content = [line[indent:] for line in content]
        text = "\n".join(content) + ("\n" if content else "")
        return hcl.Heredoc(text, node.start_point[0] + 2, indent)

    def traversal(self, node: Any) -> tuple[str, ...]:
        """``a.b[0].c`` as ("a", "b", "[0]", "c"); () when it is not a plain traversal."""
        children = node.children
        if not children or children[0].type != "variable_expr" \
                or any(c.type not in _TRAVERSAL for c in children[1:]):
            return ()
        parts = [self.source(children[0])]
        for step in children[1:]:
            if step.type == "get_attr":
                parts.append(self.source(step.children[-1]))
            else:
                parts.append(f"[{self.source(step).strip('[].')}]")
        return tuple(parts)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:  # a fraction or an exponent, or more digits than Python converts
        return float(text)


def parse(text: str) -> hcl.Block:
    """The file as a block of type "" holding its top-level blocks and attributes; HclError
    at the first syntax error."""
    return read(text)


_PLAIN = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[0-9]+\])*")
_PLAIN_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|(\[[0-9]+\])")


def expression(text: str) -> Any:
    """The value of one HCL expression (the inside of a ``"${...}"`` string of Terraform's
    JSON syntax); Unknown when it is not one expression. A plain traversal, as most are, is
    read without the parser."""
    if _PLAIN.fullmatch(text) and text not in ("true", "false", "null"):
        head = text.split(".", 1)[0].split("[", 1)[0]
        steps = tuple(m.group(1) or m.group(2) for m in _PLAIN_STEP.finditer(text, len(head)))
        return hcl.Reference((head, *steps), text)
    try:
        body = read(f"x = {text}\n")
    except hcl.HclError:
        return hcl.Unknown(text)
    return body.attributes["x"] if list(body.attributes) == ["x"] and not body.blocks else hcl.Unknown(text)
