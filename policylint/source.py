"""A file's text and the lazy mapping from logical paths to line and column.

Clean JSON files never pay for positions: the text is composed into position-carrying
nodes (libyaml, which reads JSON too) only when the first finding of a file is reported. A
YAML file's nodes are those it was loaded from.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from policylint.values import is_intrinsic_key
from policylint.yaml_data import Duplicate

Position = tuple[int, int]  # (line, column), both 1-based
_COUNTED = 8  # positions a file's text is searched for before a table of its lines is made




_SPACED_KEY = re.compile(r'"\s+:')


def json_duplicates(text: str, data: Any) -> list[Duplicate]:
    """The keys written twice in one object of a JSON text that parsed as ``data``. Most texts
    are cleared by a count: as many keys written (``"\\s*:``, counted as ``":`` and the rare
    spaced ones: half the time of one regex scan) as read."""
    if text.count('":') + len(_SPACED_KEY.findall(text)) == _count_keys(data):
        return []
    import json

    found = False

    def pairs(items: list[tuple[str, Any]]) -> dict:
        nonlocal found
        found = found or len({k for k, _ in items}) != len(items)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    if not found:
        return []
    import yaml

    duplicates: list[Duplicate] = []
    from policylint.yaml_data import position_loader

    try:
        stack = [yaml.compose(text, Loader=position_loader())]
    except yaml.YAMLError:  # JSON that libyaml cannot read: the count was a false alarm or unlocatable
        return []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if key.value in seen:
                    duplicates.append((key.value, key.start_mark.index, seen[key.value]))
                else:
                    seen[key.value] = key.start_mark.line + 1
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(duplicates, key=lambda d: d[1])


def _count_keys(value: Any) -> int:
    """The keys of every object in ``value``; only objects and arrays are stacked (an account
    export holds a million strings)."""
    count, stack = 0, [value] if isinstance(value, (dict, list)) else []
    push = stack.append
    while stack:
        item = stack.pop()
        values: Iterable[Any] = item
        if isinstance(item, dict):
            count += len(item)
            values = item.values()
        for value in values:
            if isinstance(value, (dict, list)):
                push(value)
    return count


class Source:
    """The text of one file as the user wrote it."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.tree: Any = None  # the composed YAML nodes (loading keeps them; else composed when asked)
        self._line_starts: list[int] | None = None
        self._json_memo: dict[tuple, tuple[int | None, int]] = {}
        self._keys: dict[int, dict[str, tuple[Any, Any]]] = {}  # a mapping node's id -> its keys
        self._counted = 0  # positions worked out with no table of lines

    def release(self) -> None:
        """Let go of what positions were worked out with (it is rebuilt if asked again)."""
        self.tree, self._json_memo, self._line_starts, self._keys = None, {}, None, {}
        self._counted = 0

    # -- positions of logical paths -------------------------------------------------
    view_paths = False  # the paths are a view's (Terraform), not the text's: the source places them

    def where(self, path: Sequence[Any], at: str = "key") -> tuple[str, int, int]:
        """(file, line, column) of the key (or value) at ``path``: this file, unless the source
        knows the value was written in another (a Terraform module caller's argument)."""
        return (self.path, *self.locate(path, at))

    def file_of(self, path: Sequence[Any], at: str = "key") -> str:
        """The file ``where`` names, without working out the line and column."""
        return self.path

    def elsewhere(self) -> list[Source]:
        """The other sources ``where`` may name (whose suppression comments then count)."""
        return []

    def locate(self, path: Sequence[Any], at: str = "key") -> Position:
        """Line and column of the key (or value) at ``path``, or of its nearest ancestor."""
        if self.text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            found = json_locate(self.text, tuple(path), self._json_memo)
            if found is not None:
                key_index, value_index = found
                return self.position_of_index(key_index if at == "key" and key_index is not None
                                              else value_index)
        key, node = self._node(path)
        mark = key.start_mark if (at == "key" and key is not None) else node.start_mark
        return self.position_of_index(mark.index)

    def scalar_position(self, path: Sequence[Any], offset: int) -> Position:
        """Where character ``offset`` of the string value at ``path`` stands in the text."""
        _, node = self._node(path)
        raw = raw_offset(self.text, node, offset)
        if raw is None:
            return self.position_of_index(node.start_mark.index)
        return self.position_of_index(raw)

    def position_of_index(self, index: int) -> Position:
        if self._line_starts is None and self._counted < _COUNTED and 0 <= index <= len(self.text):
            self._counted += 1  # most files are asked a few positions: counted, with no table of lines
            return self.text.count("\n", 0, index) + 1, index - self.text.rfind("\n", 0, index)
        starts = self._lines()
        line = bisect.bisect_right(starts, index) - 1
        return line + 1, index - starts[line] + 1

    def index_of(self, position: Position) -> int:
        """The index into the text of a (line, column)."""
        return self._lines()[position[0] - 1] + position[1] - 1

    def _lines(self) -> list[int]:
        """The index where each line starts."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def _node(self, path: Sequence[Any]) -> tuple[Any, Any]:
        """The (key node, value node) deepest along ``path``."""
        import yaml

        if self.tree is None:
            from policylint.yaml_data import position_loader

            self.tree = yaml.compose(self.text, Loader=position_loader())
        key, node = None, self.tree
        for step in path:
            if is_short_form(step, node):
                continue
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                keys = self._keys.get(id(node))
                if keys is None:  # indexed once: a lookup per finding stays cheap with many findings
                    # the last duplicate wins, as json.loads does
                    keys = {str(getattr(k, "value", "")): (k, v) for k, v in node.value}
                    self._keys[id(node)] = keys
                if step not in keys:
                    break
                key, node = keys[step]
            elif (isinstance(node, yaml.SequenceNode) and isinstance(step, int)
                  and 0 <= step < len(node.value)):
                key, node = None, node.value[step]
            else:
                break
        return key, node


def json_locate(text: str, path: tuple, memo: dict | None = None) -> tuple[int | None, int] | None:
    """(key index, value index) in JSON ``text`` of the deepest node along ``path``, found by
    skipping over values with the C JSON scanner; None when the text is not plain JSON
    (then the YAML composer, which also reads JSON, answers). ``memo`` keeps, per text, the
    place of every member of each object or array scanned so far."""
    if memo and path in memo and not any(isinstance(step, bool) for step in path):
        return memo[path]  # its container was scanned: so were those around it
    import json
    from json.decoder import scanstring  # type: ignore[attr-defined]

    decoder = json.JSONDecoder()
    blank = _JSON_SPACE.match
    memo = {} if memo is None else memo

    def skip(i: int) -> int:
        return blank(text, i).end()  # type: ignore[union-attr]

    def scan(prefix: tuple, i: int) -> None:
        """Record the place of every member of the container at ``i``."""
        memo[(*prefix, None)] = True  # scanned: a step missing now is missing for good
        if text.startswith("{", i):
            i = skip(i + 1)
            while not text.startswith("}", i):
                key, after = scanstring(text, i + 1)
                value = skip(skip(after) + 1)  # past the colon
                memo[(*prefix, key)] = (i, value)  # the last duplicate wins, as json.loads does
                i = skip(decoder.raw_decode(text, value)[1])
                i = skip(i + 1) if text.startswith(",", i) else i
        elif text.startswith("[", i):
            i, index = skip(i + 1), 0
            while not text.startswith("]", i):
                memo[(*prefix, index)] = (None, i)
                i = skip(decoder.raw_decode(text, i)[1])
                i = skip(i + 1) if text.startswith(",", i) else i
                index += 1

    try:
        place: tuple[int | None, int] = memo.setdefault((), (None, skip(0)))
        for depth in range(1, len(path) + 1):
            if path[:depth] not in memo and (*path[:depth - 1], None) not in memo:
                scan(path[:depth - 1], place[1])
            if path[:depth] not in memo or isinstance(path[depth - 1], bool):
                break
            place = memo[path[:depth]]
        return place
    except (ValueError, IndexError):
        return None


_JSON_SPACE = re.compile(r"[ \t\r\n\ufeff]*")


def is_short_form(step: Any, node: Any) -> bool:
    """``Fn::Sub`` in the data is ``!Sub`` on the node in YAML's short form."""
    if not is_intrinsic_key(step):
        return False
    return getattr(node, "tag", "") == "!" + step.removeprefix("Fn::")


def raw_offset(text: str, node: Any, offset: int) -> int | None:
    """Map a character offset of a scalar's value to an index into the raw text."""
    start, end = node.start_mark.index, node.end_mark.index
    style = getattr(node, "style", None)
    if style == "|":
        indicator = text.find("|", start, end)
        value = node.value
        line = value.count("\n", 0, offset)
        column = offset - (value.rfind("\n", 0, offset) + 1)
        first = text.find("\n", indicator) + 1
        for _ in range(line):
            first = text.find("\n", first) + 1
        indent = _indent_of_block(text, text.find("\n", indicator) + 1, value)
        return first + indent + column
    if style == ">":
        return _folded_offset(text, text.find(">", start, end), offset, node.value)
    if node.start_mark.line != node.end_mark.line:
        return None
    if style in ('"', "'"):
        begin = text.find(style, start, end) + 1
        return walk_escapes(text, begin, offset, style)
    if not style and not text.startswith("!", start):  # plain: None, or "" from the C loader
        return start + offset
    return None


def _folded_offset(text: str, indicator: int, offset: int, value: str) -> int:
    """Raw index of character ``offset`` of a folded (``>``) block scalar: each line's text
    after the block's indentation, one character (a space or a newline) between two lines; a
    blank line stands for that character, each further one adds a newline."""
    index = text.find("\n", indicator) + 1
    indent = _indent_of_block(text, index, value)
    position, blanks = 0, 0
    while index < len(text):
        end = text.find("\n", index)
        end = len(text) if end == -1 else end
        content = text[index + indent:end] if end - index > indent else ""
        if not content.strip():
            blanks += 1
        else:
            position += max(blanks - 1, 0) if position else blanks
            blanks = 0
            if offset <= position + len(content):
                return index + indent + offset - position
            position += len(content) + 1
        index = end + 1
    return index


def _indent_of_block(text: str, index: int, value: str) -> int:
    """The indentation of a block scalar starting at ``index``: that of its first non-blank line,
    less the spaces its ``value`` keeps there (more than an indentation indicator such as
    ``|2`` asks for)."""
    kept = value.lstrip("\n")
    kept_spaces = len(kept) - len(kept.lstrip(" "))
    while index < len(text):
        end = text.find("\n", index)
        end = len(text) if end == -1 else end
        line = text[index:end]
        if line.strip():
            return len(line) - len(line.lstrip(" ")) - kept_spaces
        index = end + 1
    return 0


def walk_escapes(text: str, begin: int, offset: int, quote: str) -> int:
    """Raw index of decoded character ``offset`` in a quoted scalar starting at ``begin``."""
    raw = begin
    for _ in range(offset):
        if quote == '"' and text.startswith("\\", raw):
            nxt = text[raw + 1: raw + 2]
            raw += {"u": 6, "x": 4, "U": 10}.get(nxt, 2)
        elif quote == "'" and text.startswith("''", raw):
            raw += 2
        else:
            raw += 1
    return raw


class Segment(NamedTuple):
    """A piece of an embedded text: ``length`` characters that came from the string at
    ``path`` of the parent source (or, for an intrinsic placeholder, stand for it)."""

    start: int
    path: tuple
    is_string: bool


class EmbeddedSource(Source):
    """Text held inside another file (a ``DefinitionString``); positions map back to it."""

    def __init__(self, parent: Source, text: str, segments: list[Segment]) -> None:
        super().__init__(parent.path, text)
        self.parent = parent
        self.segments = segments
        self._starts = [s.start for s in segments]

    def position_of_index(self, index: int) -> Position:
        segment = self.segments[max(bisect.bisect_right(self._starts, index) - 1, 0)]
        if not segment.is_string:
            return self.parent.locate(segment.path, "value")
        return self.parent.scalar_position(segment.path, index - segment.start)


class MappedSource(Source):
    """A file read as another shape (a ``serverless.yml`` as the template it deploys): paths
    of that shape map back to where the user wrote each thing. ``routes`` pairs a path prefix
    of the shape with the file's path for it; the longest prefix that matches wins, and the
    rest of the path follows unless the route ``ends`` there (the shape has more levels than
    the file)."""

    def __init__(self, path: str, text: str, routes: list[tuple[tuple, tuple, bool]]) -> None:
        super().__init__(path, text)
        self.routes = sorted(routes, key=lambda route: -len(route[0]))

    def file_path(self, path: Sequence[Any]) -> tuple:
        for prefix, target, ends in self.routes:
            if tuple(path[:len(prefix)]) == prefix:
                return target if ends else (*target, *path[len(prefix):])
        return tuple(path)

    def locate(self, path: Sequence[Any], at: str = "key") -> Position:
        return super().locate(self.file_path(path), at)

    def scalar_position(self, path: Sequence[Any], offset: int) -> Position:
        return super().scalar_position(self.file_path(path), offset)


class TooLarge(Exception):
    """Shared (aliased) YAML nodes make a document too large when walked."""


def check_expansion(data: Any, limit: int) -> None:
    """Raise TooLarge when shared (aliased) nodes make the document huge when walked."""
    count, stack = 0, [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            raise TooLarge()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
