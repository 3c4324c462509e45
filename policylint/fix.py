"""Fixes: a finding's ``Fix`` (logical edits, see ``policylint.rule.Edit``) made into edits of
the original text of its file, applied, diffed and written.

An edit is made only where the place of the value is certain: the text there is read back
and must say exactly what the document holds. Anything else (a value assembled by
``Fn::Join``, a YAML alias or merge key, a Terraform expression, an escape inside the
changed characters) is ``Unmappable``: the fix is listed as fixable by hand. Imported only
by ``--fix``, ``--diff``, SARIF and the language server: a plain run never pays for it.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.rule import SAFE, UNSAFE, Edit, Fix
from policylint.source import EmbeddedSource, MappedSource, Source, is_short_form, raw_offset

if TYPE_CHECKING:
    from policylint.report import FixOf

MAX_PASSES = 10  # fixes that overlap are applied one per pass; this bounds the passes
FIRST = frozenset({"Version"})  # keys written first by convention (a policy's Version)


class TextEdit(NamedTuple):
    """Replace ``text[start:end]`` of a file's original text with ``new``."""

    start: int
    end: int
    new: str


class Unmappable(Exception):
    """The place of a value is not certain: the fix is left to the user."""


def applicable(fix: Fix | FixOf | None, unsafe: bool) -> bool:
    return fix is not None and (fix.applicability == SAFE or (unsafe and fix.applicability == UNSAFE))


# -- the file behind a document ---------------------------------------------------------------
def file_source(source: Source) -> Source:
    while isinstance(source, EmbeddedSource):
        source = source.parent
    return source


def text_edits(fix: Fix, document: Any) -> list[TextEdit]:
    """The edits of ``fix`` on the original text of ``document``'s file; raises Unmappable."""
    edits: list[TextEdit] = []
    for edit in fix.edits:
        if edit.kind == "unsuppress":
            edits.extend(_unsuppress(edit))
        else:
            edits.extend(_on_source(document.source, (*document.root, *edit.path), edit, document))
    return edits


def _on_source(source: Source, path: tuple, edit: Edit, document: Any) -> list[TextEdit]:
    if isinstance(source, EmbeddedSource):
        inner = _Plain(source.text, path)
        return _map_out(inner.edits(edit), source.text, _embedded_index(source), _context(source),
                        file_source(source).text)
    from policylint.frontends.terraform import TerraformSource

    if isinstance(source, TerraformSource):
        return _terraform(source, path, edit)
    if isinstance(source, MappedSource):
        path = source.file_path(path)
    return _Plain(source.text, path, _cache(source)).edits(edit)


# -- JSON and YAML text --------------------------------------------------------------------
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SAFE_TEXT = re.compile(r"[A-Za-z0-9._:/@+-]*")


def _cache(source: Source) -> dict:
    cache = getattr(source, "_fix_cache", None)
    if cache is None or cache.get("text") is not source.text:
        cache = {"text": source.text}
        source._fix_cache = cache  # type: ignore[attr-defined]
    return cache


class _Plain:
    """A JSON or YAML text as libyaml composes it, with the node at ``path``."""

    def __init__(self, text: str, path: tuple, cache: dict | None = None) -> None:
        self.text, self.path = text, path
        self.cache = cache if cache is not None else {}

    def _root(self) -> tuple[Any, set[int]]:
        if "root" not in self.cache:
            import yaml

            from policylint.yaml_data import position_loader

            try:
                root = yaml.compose(self.text, Loader=position_loader())
            except yaml.YAMLError as error:
                raise Unmappable(f"the text does not compose: {error}") from None
            self.cache["root"] = root, _shared(root)
        return self.cache["root"]

    def node(self, path: Sequence[Any]) -> Any:
        import yaml

        node, shared = self._root()
        for step in path:
            if is_short_form(step, node):
                continue
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step]
                if len(found) != 1:
                    raise Unmappable(f"{step!r} is not written once here (a merge key, a duplicate)")
                node = found[0]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and 0 <= step < len(node.value):
                node = node.value[step]
            else:
                raise Unmappable(f"no {step!r} written here")
            if id(node) in shared:
                raise Unmappable("a YAML alias: the value is written once for several places")
        return node

    def edits(self, edit: Edit) -> list[TextEdit]:
        if edit.kind == "replace":
            return [self._replace(self.path, edit.value)]
        if edit.kind == "strip":
            return [self._strip(self.path, edit.value)]
        if edit.kind == "insert":
            return [self._insert(self.path, edit.key, edit.value)]
        if edit.kind == "chars":  # delete or replace characters of a string (a Comment)
            start, end, new = edit.value
            return [self._chars(self.path, start, end, new)]
        if edit.kind == "delete-item":
            return [self._delete_item(self.path)]
        raise Unmappable(f"no such edit {edit.kind!r}")

    def _scalar(self, path: tuple) -> Any:
        import yaml

        node = self.node(path)
        if not isinstance(node, yaml.ScalarNode):
            raise Unmappable("not a single value")
        return node

    def _replace(self, path: tuple, value: Any) -> TextEdit:
        node = self._scalar(path)
        start, end = node.start_mark.index, node.end_mark.index
        raw = self.text[start:end]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if node.style or not _NUMBER.fullmatch(raw):
                raise Unmappable("not a number written literally")
            return TextEdit(start, end, str(value))
        if isinstance(value, str) and _SAFE_TEXT.fullmatch(value):
            body_start, body_end = _body(self.text, node)
            if self.text[body_start:body_end] != node.value:
                raise Unmappable("the string is not written literally")
            return TextEdit(body_start, body_end, value)
        raise Unmappable("no literal for this value")

    def _strip(self, path: tuple, suffix: str) -> TextEdit:
        import yaml

        node = self.node(path)
        if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
            key = node.value[0][0].value
            if key == "Fn::Sub":
                node = node.value[0][1]
            elif key == "Fn::Join" and isinstance(node.value[0][1], yaml.SequenceNode) \
                    and len(node.value[0][1].value) == 2:
                pieces = node.value[0][1].value[1]
                if not isinstance(pieces, yaml.SequenceNode) or not pieces.value:
                    raise Unmappable("Fn::Join of a computed list")
                node = pieces.value[-1]
        if isinstance(node, yaml.SequenceNode) and node.tag == "!Sub" and node.value:
            node = node.value[0]
        if not isinstance(node, yaml.ScalarNode) or not node.value.endswith(suffix):
            raise Unmappable(f"the value does not end in {suffix!r} as written")
        body_start, body_end = _body(self.text, node)
        if not self.text[body_start:body_end].endswith(suffix):
            raise Unmappable("the string is not written literally")
        return TextEdit(body_end - len(suffix), body_end, "")

    def _chars(self, path: tuple, start: int, end: int, new: str) -> TextEdit:
        node = self._scalar(path)
        if start == 0 and end == len(node.value) and not new:
            return TextEdit(node.start_mark.index, node.end_mark.index, '""')
        if node.style not in ('"', "'", None, "") or node.start_mark.line != node.end_mark.line:
            raise Unmappable("a string over several lines")
        raw_start = raw_offset(self.text, node, start)
        raw_end = raw_offset(self.text, node, end)
        if raw_start is None or raw_end is None or \
                self.text[raw_start:raw_end] != node.value[start:end] or not _SAFE_TEXT.fullmatch(new):
            raise Unmappable("the string is not written literally")
        return TextEdit(raw_start, raw_end, new)

    def _delete_item(self, path: tuple) -> TextEdit:
        """The item at ``path`` taken out of its list (of more than one item)."""
        import yaml

        if not path or not isinstance(path[-1], int):
            raise Unmappable("not a list item")
        container, item = self.node(path[:-1]), self.node(path)
        if not isinstance(container, yaml.SequenceNode) or len(container.value) < 2 or \
                not isinstance(item, yaml.ScalarNode) or item.start_mark.line != item.end_mark.line:
            raise Unmappable("not one item of a longer list")
        text, i = self.text, path[-1]
        start, end = item.start_mark.index, item.end_mark.index
        if container.flow_style or text.startswith("[", container.start_mark.index):
            if i + 1 < len(container.value):  # up to the next item
                return TextEdit(start, container.value[i + 1].start_mark.index, "")
            previous = container.value[i - 1].end_mark.index  # from the end of the one before
            return TextEdit(previous, end, "")
        line_start = text.rfind("\n", 0, start) + 1
        if not re.fullmatch(r"[ \t]*-[ \t]+", text[line_start:start]):
            raise Unmappable("a list item not on a line of its own")
        line_end = text.find("\n", end)
        rest = text[end:len(text) if line_end == -1 else line_end]
        if rest.strip(" \t\r") and not rest.strip(" \t\r").startswith("#"):
            raise Unmappable("more on the item's line")
        return TextEdit(line_start, len(text) if line_end == -1 else line_end + 1, "")

    def _insert(self, path: tuple, key: str | None, value: Any) -> TextEdit:
        import yaml

        node = self.node(path)
        if not isinstance(node, yaml.MappingNode) or key is None:
            raise Unmappable("not a mapping")
        if any(getattr(k, "value", None) == key for k, _ in node.value):
            raise Unmappable(f"{key} is written already")
        text = self.text
        newline = "\r\n" if "\r\n" in text else "\n"
        if node.flow_style or text.startswith("{", node.start_mark.index):
            return self._insert_flow(node, key, value, newline)
        if not node.value:
            raise Unmappable("an empty mapping")
        indent = node.value[0][0].start_mark.column
        if key in FIRST:
            first = node.value[0][0].start_mark.index
            line_start = text.rfind("\n", 0, first) + 1
            lines = _yaml_lines(key, value, _unit(text), _sequence_indent(text))
            if text[line_start:first].strip():  # after "- ": the new key takes the item's place
                return TextEdit(first, first, newline.join(
                    [lines[0], *(" " * indent + line for line in lines[1:])]) + newline + " " * indent)
            block = newline.join(" " * indent + line for line in lines) + newline
            return TextEdit(line_start, line_start, block)
        last = _last_written(node)
        at = last.end_mark.index
        if isinstance(last, yaml.ScalarNode) and last.style in ("|", ">"):
            if not text[:at].endswith("\n"):  # a block string ends at the start of a line
                raise Unmappable("the end of a block string is not certain")
        else:
            line_end = text.find("\n", at)
            at = len(text) if line_end == -1 else line_end + 1
        lines = _yaml_lines(key, value, _unit(text), _sequence_indent(text))
        block = newline.join(" " * indent + line for line in lines) + newline
        if at == len(text) and not text.endswith("\n"):
            block = newline + block.removesuffix(newline)
        return TextEdit(at, at, block)

    def _insert_flow(self, node: Any, key: str, value: Any, newline: str) -> TextEdit:
        text = self.text
        if not node.value:
            close = node.end_mark.index - 1
            if text[close] != "}":
                raise Unmappable("an empty mapping")
            return TextEdit(close, close, f"{json.dumps(key)}: {json.dumps(value)}")
        first_key, first_value = node.value[0]
        last = node.value[-1][1]
        at = last.end_mark.index
        between = text[first_key.end_mark.index:first_value.start_mark.index]
        colon = ":" if between == ":" else ": "
        if first_key.start_mark.line != node.start_mark.line:  # one member a line
            indent = first_key.start_mark.column
            line_start = text.rfind("\n", 0, node.start_mark.index) + 1
            outer = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
            unit = indent - outer if indent > outer else 2
            rendered = json.dumps(value, indent=unit).replace("\n", newline + " " * indent)
            rendered = rendered.replace(": ", colon) if colon == ":" else rendered
            if key in FIRST:
                at = first_key.start_mark.index
                return TextEdit(at, at, f"{json.dumps(key)}{colon}{rendered},{newline}{' ' * indent}")
            return TextEdit(at, at, f",{newline}{' ' * indent}{json.dumps(key)}{colon}{rendered}")
        separators = (",", ":") if colon == ":" else (", ", ": ")
        member = f"{json.dumps(key)}{colon}{json.dumps(value, separators=separators)}"
        if key in FIRST:
            at = first_key.start_mark.index
            return TextEdit(at, at, f"{member}{separators[0]}")
        return TextEdit(at, at, f"{separators[0]}{member}")


def _shared(root: Any) -> set[int]:
    """The nodes reached more than once (YAML aliases)."""
    import yaml

    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return shared


def _body(text: str, node: Any) -> tuple[int, int]:
    """Where the characters of a one-line scalar are written (inside its quotes)."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.start_mark.line != node.end_mark.line or node.style in ("|", ">"):
        raise Unmappable("a string over several lines")
    raw = text[start:end]
    if node.tag and node.tag.startswith("!") and raw.startswith("!"):  # !Sub "..."
        skipped = len(raw) - len(raw[len(node.tag):].lstrip(" "))
        start, raw = start + skipped, raw[skipped:]
    if node.style in ('"', "'"):
        if len(raw) < 2 or raw[0] != node.style or raw[-1] != node.style:
            raise Unmappable("quotes not where expected")
        return start + 1, end - 1
    return start, end


def _last_written(node: Any) -> Any:
    """The last node written inside a block collection (its end is where the text of the
    collection ends)."""
    import yaml

    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _unit(text: str) -> int:
    """The file's indentation step: the smallest indentation of a line, 2 when none."""
    indents = [len(line) - len(line.lstrip(" ")) for line in text.splitlines()[:400] if line.strip()]
    step = min((i for i in indents if i > 0), default=2)
    return step if 2 <= step <= 4 else 2


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9._/-]*", value) and \
            value.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "y", "n"):
        return value
    return json.dumps(value)


_INDENTLESS = re.compile(r"^( *)[^ \n#-][^\n]*:[ \t]*\r?\n\1- ", re.MULTILINE)
_INDENTED = re.compile(r"^( *)[^ \n#-][^\n]*:[ \t]*\r?\n\1 +- ", re.MULTILINE)


def _sequence_indent(text: str) -> bool:
    """Whether the file indents a list under its key (``- a`` two columns in), as most do,
    or not (``- a`` under the key's first letter, as PyYAML writes): its first list says."""
    indentless = _INDENTLESS.search(text)
    indented = _INDENTED.search(text)
    return not indentless or bool(indented and indented.start() < indentless.start())


def _yaml_lines(key: str, value: Any, unit: int, indented: bool = True) -> list[str]:
    """``key: value`` as block YAML lines, nested by ``unit``; a list's items indented under
    their key or not, as the file writes them."""
    if isinstance(value, (list, dict)) and not value:
        return [f"{_yaml_scalar(key)}: {json.dumps(value)}"]
    if isinstance(value, dict):
        return [f"{_yaml_scalar(key)}:", *(" " * unit + line for k, v in value.items()
                                          for line in _yaml_lines(k, v, unit, indented))]
    if isinstance(value, list):
        lines = [f"{_yaml_scalar(key)}:"]
        step = " " * unit if indented else ""
        for item in value:
            if isinstance(item, dict) and item:
                inner = [line for k, v in item.items() for line in _yaml_lines(k, v, unit, indented)]
                lines.append(step + "- " + inner[0])
                lines.extend(step + "  " + line for line in inner[1:])
            else:
                lines.append(step + "- " + _yaml_scalar(item))
        return lines
    return [f"{_yaml_scalar(key)}: {_yaml_scalar(value)}"]


# -- text inside a string of another file (DefinitionString, a heredoc) ---------------------------
class _Context(NamedTuple):
    """How text is written inside the string that holds it: ``escape`` turns new text into
    what is written; ``lines`` says whether its lines are the file's lines (then a new line
    takes the indentation of the line it is on)."""

    escape: Callable[[str], str]
    lines: bool


def _json_escape(text: str) -> str:
    return json.dumps(text)[1:-1]


def _single_escape(text: str) -> str:
    if "\n" in text:
        raise Unmappable("a new line in a single-quoted string")
    return text.replace("'", "''")


def _plain_escape(text: str) -> str:
    if not _SAFE_TEXT.fullmatch(text.replace(" ", "")):
        raise Unmappable("the new text would need quoting in a plain string")
    return text


def _as_is(text: str) -> str:
    return text


def _hcl_escape(text: str) -> str:
    return _json_escape(text).replace("${", "$${").replace("%{", "%%{")


def _context(source: EmbeddedSource) -> Callable[[Any], _Context]:
    """The context of each segment of an embedded text, by the style of the string it is in."""
    from policylint.frontends.terraform import TerraformSource

    parent = source.parent

    def of(segment: Any) -> _Context:
        if isinstance(parent, TerraformSource):
            heredoc = parent.heredocs.get(tuple(segment.path))
            if heredoc is not None and type(heredoc).__name__ == "Heredoc":
                return _Context(lambda t: t.replace("${", "$${").replace("%{", "%%{"), True)
            return _Context(_hcl_escape, False)
        if isinstance(parent, EmbeddedSource):
            raise Unmappable("a string inside a string inside a file")
        path = parent.file_path(segment.path) if isinstance(parent, MappedSource) else segment.path
        node = _Plain(parent.text, tuple(path), _cache(parent)).node(path)
        style = getattr(node, "style", None)
        if style == "|":
            return _Context(lambda t: t, True)
        if style == '"':
            return _Context(_json_escape, False)
        if style == "'":
            return _Context(_single_escape, False)
        if style in (None, "") and node.start_mark.line == node.end_mark.line:
            return _Context(_plain_escape, False)
        raise Unmappable("a folded string")

    return of


def _embedded_index(source: EmbeddedSource) -> Callable[[int], tuple[int, Any]]:
    """Index in the parent's text of an offset of ``source``'s text, and its segment."""
    parent = source.parent
    starts = [s.start for s in source.segments]
    line_starts = _line_starts(parent.text)

    def index(offset: int) -> tuple[int, Any]:
        segment = source.segments[max(bisect.bisect_right(starts, offset) - 1, 0)]
        if not segment.is_string:
            raise Unmappable("inside a value the template computes")
        line, column = parent.scalar_position(segment.path, offset - segment.start)
        return line_starts[line - 1] + column - 1, segment

    return index


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _map_out(edits: list[TextEdit], inner: str, index: Callable[[int], tuple[int, Any]],
             context: Callable[[Any], _Context], outer: str) -> list[TextEdit]:
    """Edits of a text held in a string of a file (``outer``), as edits of the file's text:
    only when the changed characters are written there as they are (no escape among them)."""
    result = []
    for edit in edits:
        start, segment = index(edit.start) if edit.start < len(inner) else index(edit.start - 1)
        if edit.start >= len(inner):
            raise Unmappable("at the end of the string")
        how = context(segment)
        if edit.end > edit.start:
            last, other = index(edit.end - 1)
            if other is not segment:
                raise Unmappable("the value spans pieces the template joins")
            end = last + 1
            if outer[start:end] != inner[edit.start:edit.end]:
                raise Unmappable("the characters are escaped where they are written")
        else:
            end = start
            expected = inner[edit.start] if how.lines else how.escape(inner[edit.start])
            if not outer.startswith(expected, start):
                raise Unmappable("the place is not certain")
        new = edit.new
        if how.lines and "\n" in new:
            line_start = inner.rfind("\n", 0, edit.start) + 1
            at = start if line_start == edit.start else index(line_start)[0]
            prefix = outer[outer.rfind("\n", 0, at) + 1:at]
            if prefix.strip():
                raise Unmappable("the indentation of the line is not certain")
            newline = "\r\n" if "\r\n" in outer else "\n"
            new = new.replace("\r\n", "\n").replace("\n", newline + prefix)
        result.append(TextEdit(start, end, how.escape(new)))
    return result


# -- Terraform ---------------------------------------------------------------------------------
def _terraform(source: Any, path: tuple, edit: Edit) -> list[TextEdit]:
    if any(path[:n] in source.moved for n in range(1, len(path) + 1)):
        # put in from a module call's argument, a variable's default or a local: changing it
        # there may change its other uses too, and it may be another file than the finding's
        from policylint.report import display_path

        file, line, _ = source.where(path, "value")
        raise Unmappable(f"the value is written at {display_path(file)}:{line} (it may be used "
                         "elsewhere too): change it there")
    for length in range(len(path), -1, -1):
        heredoc = source.heredocs.get(path[:length])
        if heredoc is not None and (length < len(path) or edit.kind == "insert"):  # JSON in a string
            inner = _Plain(heredoc.text, path[length:])
            starts = _line_starts(source.text)

            def index(offset: int, heredoc: Any = heredoc, starts: list[int] = starts) -> tuple[int, Any]:
                line, column = heredoc.position(offset)
                return starts[line - 1] + column - 1, heredoc

            lines = type(heredoc).__name__ == "Heredoc"
            how = _Context(_as_is if lines else _hcl_escape, lines)
            def context(_: Any, how: _Context = how) -> _Context:
                return how

            return _map_out(inner.edits(edit), heredoc.text, index, context, source.text)
    place = source.places.get(path)
    if place is None or edit.kind not in ("replace", "strip", "chars", "insert"):
        raise Unmappable("not written literally in the Terraform file")
    starts = _line_starts(source.text)
    line, column = place[1]
    at = starts[line - 1] + column - 1
    text = source.text
    if edit.kind == "insert":
        return _hcl_insert(text, at, edit.key, edit.value)
    if edit.kind == "replace" and isinstance(edit.value, (int, float)):
        match = _NUMBER.match(text, at)
        if not match or (match.end() < len(text) and re.match(r"[\w.]", text[match.end()])):
            raise Unmappable("not a number written literally")
        return [TextEdit(at, match.end(), str(edit.value))]
    if not text.startswith('"', at):
        raise Unmappable("not a string written literally")
    close = at + 1
    while close < len(text) and text[close] != '"':
        if text[close] == "\\" or text.startswith(("${", "%{"), close):
            raise Unmappable("an escape or interpolation in the string")
        if text[close] == "\n":
            raise Unmappable("an unterminated string")
        close += 1
    body = text[at + 1:close]
    if edit.kind == "strip":
        if not body.endswith(edit.value):
            raise Unmappable(f"the value does not end in {edit.value!r} as written")
        return [TextEdit(close - len(edit.value), close, "")]
    if edit.kind == "replace" and isinstance(edit.value, str) and _SAFE_TEXT.fullmatch(edit.value):
        return [TextEdit(at + 1, close, edit.value)]
    start, end, new = edit.value
    if not _SAFE_TEXT.fullmatch(new):
        raise Unmappable("the new text would need escaping")
    return [TextEdit(at + 1 + start, at + 1 + end, new)]


def _hcl_insert(text: str, at: int, key: str | None, value: Any) -> list[TextEdit]:
    """``key = value`` added to the HCL object written at ``at`` (``jsonencode({...})``), in
    its style: ``"Key": value`` or ``Key = value``, commas or not, one member a line or all
    on one."""
    call = re.compile(r"jsonencode\(\s*").match(text, at)
    at = call.end() if call else at
    block = text.startswith("resource", at)
    if key is None or not (text.startswith("{", at) or block):
        raise Unmappable("not an object written in HCL")
    from policylint.frontends.hcl_tree import syntax_tree

    data = text.encode("utf-8", "surrogatepass")
    byte = len(text[:at].encode("utf-8", "surrogatepass"))
    root, cut = syntax_tree(data)
    node = root.descendant_for_byte_range(byte, byte + 1)
    wanted = "block" if block else "object"
    while node is not None and not (node.type == wanted and node.start_byte == byte):
        node = node.parent
    if node is None or cut or root.has_error:
        raise Unmappable("the object is not where it was read")
    if block:  # a resource's arguments: ``key = value`` on a line of its own, after the last
        return _hcl_block_insert(text, data, node, key, value)
    elements = [c for c in node.named_children if c.type == "object_elem"]
    if not elements:
        raise Unmappable("an empty object")

    def index(offset: int) -> int:
        return len(data[:offset].decode("utf-8", "surrogatepass"))

    first, last = elements[0], elements[-1]
    key_node, value_node = first.named_children[0], first.named_children[-1]
    written_key = text[index(key_node.start_byte):index(key_node.end_byte)]
    assign = text[index(key_node.end_byte):index(value_node.start_byte)]
    if assign.strip() not in (":", "="):
        raise Unmappable("a member written in a way not recognised")
    assign = " = " if assign.strip() == "=" else (":" if assign == ":" else ": ")  # not aligned
    name = json.dumps(key) if written_key.startswith('"') else key
    between = text[index(elements[0].end_byte):index(elements[1].start_byte)] if len(elements) > 1 \
        else ("," if ":" in assign else "")  # one member: JSON's style has commas, HCL's none
    comma = "," if "," in between else ""
    separators = (", " if assign.strip() == ":" else ", ", assign)
    newline = "\r\n" if "\r\n" in text else "\n"
    if first.start_point[0] != node.start_point[0]:  # one member a line
        indent = first.start_point[1]
        unit = _unit(text)
        rendered = json.dumps(value, indent=unit, separators=(",", assign))
        rendered = rendered.replace("\n", newline + " " * indent)
        member = f"{name}{assign}{rendered}"
        if key in FIRST:
            start = index(first.start_byte)
            return [TextEdit(start, start, f"{member}{comma}{newline}{' ' * indent}")]
        end = index(last.end_byte)
        close = index(node.end_byte) - 1
        line_end = text.find("\n", end, close)
        if line_end == -1:  # the closing brace is on the last member's line
            raise Unmappable("the object closes on the line of its last member")
        line_end -= text[line_end - 1:line_end] == "\r"
        rest = text[end:line_end]
        edits = []
        if rest.lstrip(" \t").startswith(","):  # a trailing comma: the new member takes one too
            tail = comma
        else:
            tail = ""
            if comma:
                edits.append(TextEdit(end, end, ","))
        edits.append(TextEdit(line_end, line_end, f"{newline}{' ' * indent}{member}{tail}"))
        return edits
    member = f"{name}{assign}{json.dumps(value, separators=separators)}"
    if key in FIRST:
        start = index(first.start_byte)
        return [TextEdit(start, start, f"{member}{comma or ','} ")]
    end = index(last.end_byte)
    return [TextEdit(end, end, f"{comma or ','} {member}")]


def _hcl_block_insert(text: str, data: bytes, node: Any, key: str, value: Any) -> list[TextEdit]:
    body = next((c for c in node.named_children if c.type == "body"), None)
    if body is None:
        raise Unmappable("a block without arguments")
    attributes = [c for c in body.named_children if c.type == "attribute"]
    if not attributes or not isinstance(value, (list, dict, str, int, float)) or \
            not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
        raise Unmappable("a block without arguments")
    if isinstance(value, (list, dict)) and value:
        raise Unmappable("a nested value in a block")
    last = max((c for c in body.named_children), key=lambda c: c.end_byte)
    end = len(data[:last.end_byte].decode("utf-8", "surrogatepass"))
    line_end = text.find("\n", end)
    if line_end == -1:
        raise Unmappable("the block closes on the line of its last argument")
    line_end -= text[line_end - 1:line_end] == "\r"
    indent = attributes[0].start_point[1]
    newline = "\r\n" if "\r\n" in text else "\n"
    return [TextEdit(line_end, line_end, f"{newline}{' ' * indent}{key} = {json.dumps(value)}")]


# -- PL004: a suppression that silences nothing ------------------------------------------------
def _unsuppress(edit: Edit) -> list[TextEdit]:
    from policylint.suppress import comment_markers, directive

    suppression, entry = edit.value, str(edit.key)
    document = suppression.document
    if suppression.line is None:
        if suppression.resource and edit.path[-2:-1] == ("ignore",):  # Metadata: the entry goes
            if len(suppression.codes) < 2:
                raise Unmappable("the only entry of a Metadata ignore list: remove the list by hand")
            drop = Edit("delete-item", edit.path)
            return _on_source(document.source, (*document.root, *edit.path), drop, document)
        if not suppression.path or suppression.path[-1] != "Comment":
            raise Unmappable("a suppression written elsewhere")
        comment = _at(document.data, suppression.path)
        match = directive().search(comment) if isinstance(comment, str) else None
        if match is None:
            raise Unmappable("the directive is not where it was")
        start, end, new = _drop(comment, match, entry)
        chars = Edit("chars", suppression.path, (start, end, new))
        return _on_source(document.source, (*document.root, *suppression.path), chars, document)
    source = document.source
    if isinstance(source, EmbeddedSource):
        raise Unmappable("a comment inside a string")
    markers = comment_markers(source.path)
    if markers == ('"//"',):
        raise Unmappable("a JSON comment key: remove it by hand")
    text = source.text
    starts = _line_starts(text)
    if suppression.line > len(starts):
        raise Unmappable("the line is gone")
    line_start = starts[suppression.line - 1]
    line_end = text.find("\n", line_start)
    line_end = len(text) if line_end == -1 else line_end
    line = text[line_start:line_end].removesuffix("\r")
    found = [at for at in (line.find(m) for m in markers) if at >= 0]
    match = directive().search(line, min(found)) if found else None
    if match is None:
        raise Unmappable("the directive is not where it was")
    start, end, new = _drop(line, match, entry)
    if new or end - start < match.end() - match.start():
        return [TextEdit(line_start + start, line_start + end, new)]
    marker = min(found)
    before = line[:marker]
    said = line[marker:match.start()].lstrip("#/ \t")
    if said:  # the comment says more: only the directive goes
        cut = len(line[:match.start()].rstrip(" \t"))
        return [TextEdit(line_start + cut, line_start + len(line), "")]
    if not before.strip():  # a line of its own: the line goes, with its line end
        if line_end < len(text):
            return [TextEdit(line_start, line_end + 1, "")]
        if line_start == 0:
            return [TextEdit(0, line_end, "")]
        # the last line, without a line end of its own: the one before it goes instead
        begin = line_start - (2 if text[line_start - 2:line_start] == "\r\n" else 1)
        return [TextEdit(begin, line_end, "")]
    cut = len(before.rstrip(" \t"))
    return [TextEdit(line_start + cut, line_start + len(line), "")]


def _drop(text: str, match: re.Match[str], entry: str) -> tuple[int, int, str]:
    """What to delete from ``text`` so that its directive stops naming ``entry``: the entry
    (and a comma) when it names others, else the whole directive (start, end, "")."""
    codes = match["codes"].split(",")
    start = match.start("codes")
    if len(codes) > 1 and entry in codes:
        i = codes.index(entry)
        offset = start + sum(len(c) + 1 for c in codes[:i])
        if i == len(codes) - 1:
            return offset - 1, offset + len(entry), ""
        return offset, offset + len(entry) + 1, ""
    begin = match.start()
    while begin > 0 and text[begin - 1] in " \t":
        begin -= 1
    return (begin if begin > 0 else 0), match.end(), ""


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


# -- applying -----------------------------------------------------------------------------------
def apply_edits(text: str, edits: Iterable[TextEdit]) -> tuple[str, int]:
    """``text`` with the edits that do not overlap an earlier one (in the order given);
    returns the new text and how many were applied."""
    taken: list[TextEdit] = []
    for edit in edits:
        if all(edit.end <= t.start or edit.start >= t.end for t in taken) and \
                not any(edit.start == edit.end == t.start == t.end for t in taken):
            taken.append(edit)
    for edit in sorted(taken, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.new + text[edit.end:]
    return text, len(taken)


class Planned(NamedTuple):
    """One finding's fix in a pass: its file, and its text edits (None: by hand, and why)."""

    file: str
    edits: list[TextEdit] | None
    reason: str


def plan(finding: Any) -> Planned:
    source = file_source(finding.source)
    try:
        reported = finding.location()[:2]
        if os.path.normpath(reported[0]) != os.path.normpath(source.path):  # a plan's, placed in a .tf
            from policylint.report import display_path

            raise Unmappable(f"the value is written at {display_path(reported[0])}:{reported[1]}, not in "
                             f"{display_path(source.path)}: change it there")
        return Planned(source.path, text_edits(finding.fix, finding.document), "")
    except Unmappable as why:
        return Planned(source.path, None, str(why))
    except Exception as error:  # a fixer's bug must not take the run down: the fix is left by hand
        return Planned(source.path, None, f"internal error: {type(error).__name__}: {error}")


def fix_pass(findings: Iterable[Any], texts: dict[str, str]) -> tuple[dict[str, str], dict[str, int], list]:
    """Apply the fixes of ``findings`` to ``texts`` (file -> its current text): a fix whose
    edits overlap one applied before it waits for the next pass. Returns the new texts,
    how many fixes were applied in each file and the findings fixable only by hand."""
    by_file: dict[str, list[tuple[Any, list[TextEdit]]]] = {}
    by_hand = []
    for finding in findings:
        planned = plan(finding)
        if planned.edits is None or not planned.edits:
            by_hand.append((finding, planned.reason))
            continue
        by_file.setdefault(planned.file, []).append((finding, planned.edits))
    applied: dict[str, int] = {}
    new_texts = dict(texts)
    for file, fixes in by_file.items():
        text = new_texts.get(file)
        if text is None:
            continue
        taken: list[TextEdit] = []
        for _, edits in fixes:
            if all(e.end <= t.start or e.start >= t.end for e in edits for t in taken) and \
                    not any(e.start == e.end == t.start == t.end for e in edits for t in taken):
                taken.extend(edits)
                applied[file] = applied.get(file, 0) + 1
        new_texts[file], _ = apply_edits(text, taken)
    return new_texts, applied, by_hand


_UNREADABLE = ("PL001", "PL002")  # a file that no longer parses


def fix_files(report: Any, relint: Callable[[dict[str, str]], Any], unsafe: bool, write: bool,
              root: str | None) -> tuple[Any, str]:
    """Fix what ``report`` reports, in passes (a fix that overlaps another waits for the next;
    ``relint`` lints again with the texts changed so far) until nothing changes or MAX_PASSES.
    A file a pass would leave unreadable keeps its text from before that pass and is fixed no
    further. Returns the report of the fixed files and the unified diff of all changes;
    writes the files when ``write``."""
    originals: dict[str, str] = {}
    texts: dict[str, str] = {}
    frozen: set[str] = set()
    fixed = 0
    for _ in range(MAX_PASSES):
        findings = [p.fix.finding for p in report.problems if applicable(p.fix, unsafe)
                    and file_source(p.fix.finding.source).path not in frozen]
        if not findings:
            break
        current: dict[str, str] = {}
        for finding in findings:
            source = file_source(finding.source)
            current.setdefault(source.path, source.text)
        new, applied, _ = fix_pass(findings, current)
        changed = {file: text for file, text in new.items() if text != current[file]}
        if not changed:
            break
        for file in changed:
            originals.setdefault(file, current[file])
        candidate = {**texts, **changed}
        after = relint(candidate)
        unreadable = {_key(p.raw_file) for p in after.problems if p.code in _UNREADABLE}
        before = {_key(p.raw_file) for p in report.problems if p.code in _UNREADABLE}
        broken = [file for file in changed if _key(file) in unreadable - before]
        if broken:
            for file in broken:
                frozen.add(file)
                candidate[file] = texts.get(file, originals[file])
                applied.pop(file, None)
            after = relint(candidate)
        texts, report = candidate, after
        fixed += sum(applied.values())
    diff = "".join(unified_diff(file, originals[file], texts[file]) for file in sorted(texts)
                   if texts[file] != originals[file])
    if write:
        from policylint.config import ConfigError

        for file in sorted(texts):
            if texts[file] != originals[file]:
                try:
                    write_text(file, texts[file], root)
                except OSError as error:
                    why = error.strerror or error
                    raise ConfigError(f"cannot write the fixes of {file}: {why}") from None
    report.fixed = fixed
    report.by_hand_list = [(p, planned.reason) for p in report.problems if applicable(p.fix, unsafe)
                           and not (planned := plan(p.fix.finding)).edits]
    report.by_hand = len(report.by_hand_list)
    return report, diff


def _key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def unified_diff(path: str, old: str, new: str) -> str:
    """A diff ``git apply`` and ``patch -p1`` take: ``a/`` and ``b/`` prefixes, a note where
    a file lacks its final newline."""
    import difflib

    shown = path.replace(os.sep, "/")
    if os.path.isabs(shown):
        shown = os.path.relpath(path).replace(os.sep, "/")
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{shown}", f"b/{shown}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def write_text(path: str, text: str, root: str | None) -> None:
    """Write ``text`` over ``path`` whole (a temporary file in its folder, then a rename),
    keeping its mode; never through a link that leaves ``root``."""
    import stat
    import tempfile

    from policylint.paths import is_within

    real = os.path.realpath(path)
    if root is not None and not is_within(real, root):
        raise OSError(f"{path} leads out of the linted folder")
    status = os.stat(real)
    if not stat.S_ISREG(status.st_mode):
        raise OSError(f"{path} is not a regular file")
    mode = stat.S_IMODE(status.st_mode)
    folder = os.path.dirname(real)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".policylint-fix-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


__all__ = ["MAX_PASSES", "SAFE", "UNSAFE", "TextEdit", "Unmappable", "applicable", "apply_edits",
           "fix_pass", "plan", "text_edits", "unified_diff", "write_text"]
