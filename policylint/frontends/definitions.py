"""State machine definitions a template or a Terraform module writes: the literal values of
their substitutions, and a definition written as text (``DefinitionString``, a heredoc), read
with positions inside that text. CloudFormation and Terraform both read them here."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from policylint.models import ASL, Document
from policylint.problems import PARSE_ERROR, UNRESOLVED_REFERENCE, duplicate_keys
from policylint.rule import Finding
from policylint.source import EmbeddedSource, Segment, json_duplicates
from policylint.values import PLACEHOLDER


def literal_substitutions(value: Any) -> dict[str, str | None]:
    """``DefinitionSubstitutions`` (or a ``templatefile`` map, an ``Fn::Sub`` map) as
    placeholder -> literal text; None where the value is only known at deploy time."""
    if not isinstance(value, dict):
        return {}
    return {str(k): (str(v).lower() if isinstance(v, bool) else str(v))
            if isinstance(v, (str, int, float, bool)) else None for k, v in value.items()}


def definition_string(template: Document, path: tuple, value: Any, name: str,
                      known: Mapping[str, str | None]) -> Iterator[Document | Finding]:
    """The state machine of a definition written as text at ``path`` of ``template`` (a
    string, ``Fn::Sub`` or ``Fn::Join`` of strings), with positions inside that text; or a
    PL005 note (not text) or PL001 (not JSON), and PL006 for keys written twice."""
    pieces = _text_pieces(value, path)
    if pieces is None:
        yield Finding(template, path, "DefinitionString is not a string, Fn::Sub or Fn::Join of "
                      "strings; its state machine was not linted", code=UNRESOLVED_REFERENCE.code)
        return
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), list) and len(value["Fn::Sub"]) > 1:
        known = {**known, **literal_substitutions(value["Fn::Sub"][1])}
    segments, parts, start = [], [], 0
    for text, piece_path, is_string in pieces:
        segments.append(Segment(start, piece_path, is_string))
        parts.append(text)
        start += len(text)
    text, bare = _pad_bare_placeholders("".join(parts))  # same offsets, parses as JSON
    source = EmbeddedSource(template.source, text, segments)
    try:
        data = _restore(json.loads(text), bare)
    except (ValueError, RecursionError) as error:
        doc = Document(ASL, None, source, (), template=template, logical_id=name)
        position = source.position_of_index(getattr(error, "pos", 0) or 0)
        yield Finding(doc, (), f"DefinitionString is not valid JSON: {getattr(error, 'msg', error)}",
                      code=PARSE_ERROR.code, position=position)
        return
    yield from duplicate_keys(source, json_duplicates(text, data))
    yield Document(ASL, data, source, (), known, template, name)


def _text_pieces(value: Any, path: tuple) -> list[tuple[str, tuple, bool]] | None:
    """The strings a DefinitionString is made of, each with its path in the template."""
    if isinstance(value, str):
        return [(value, path, True)]
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        if isinstance(sub, str):
            return [(sub, (*path, "Fn::Sub"), True)]
        if isinstance(sub, list) and sub and isinstance(sub[0], str):
            return [(sub[0], (*path, "Fn::Sub", 0), True)]
        return None
    join = value.get("Fn::Join")
    if not (isinstance(join, list) and len(join) == 2 and isinstance(join[0], str)
            and isinstance(join[1], list)):
        return None
    pieces: list[tuple[str, tuple, bool]] = []
    for i, item in enumerate(join[1]):
        if i and join[0]:
            pieces.append((join[0], (*path, "Fn::Join", 0), True))
        item_path = (*path, "Fn::Join", 1, i)
        inner = _text_pieces(item, item_path)
        if inner is None:
            pieces.append((_as_placeholder(item), item_path, False))
        else:
            pieces.extend(inner)
    return pieces or [("", (*path, "Fn::Join"), True)]  # joining nothing gives ""


def _as_placeholder(item: Any) -> str:
    """An intrinsic piece of a Fn::Join as the ``${...}`` Fn::Sub would write for it:
    ``{"Ref": "AWS::Partition"}`` is ``${AWS::Partition}``, ``{"Fn::GetAtt": ["H", "Arn"]}``
    is ``${H.Arn}``; anything else an unknown ``${Fn::...}``."""
    if isinstance(item, dict) and len(item) == 1:
        kind, value = next(iter(item.items()))
        if kind == "Ref" and isinstance(value, str):
            return "${" + value + "}"
        if kind == "Fn::GetAtt" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "${" + ".".join(value) + "}"
        return "${" + str(kind) + "}"
    return "${?}"


def _pad_bare_placeholders(text: str) -> tuple[str, dict[int, str]]:
    """Turn each ``${Name}`` outside JSON strings (``"TimeoutSeconds": ${Timeout}``) into a
    number of the same length, so that a definition written for ``Fn::Sub`` parses and keeps
    its offsets; and the numbers that stand for a placeholder (negative, made of 9s and the
    placeholder's count), to put the placeholder back once parsed."""
    if "${" not in text:
        return text, {}
    out, in_string, i = [], False, 0
    bare: dict[int, str] = {}
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                out.append(text[i:i + 2])
                i += 2
                continue
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif text.startswith("${", i):
            match = PLACEHOLDER.match(text, i)
            if match:
                digits = str(len(bare)).rjust(len(match.group(0)) - 2, "9")
                number = "-9" + digits if len(digits) == len(match.group(0)) - 2 else "0"
                if number != "0":
                    bare[int(number)] = match.group(0)
                out.append(number.ljust(len(match.group(0))))
                i = match.end()
                continue
        out.append(char)
        i += 1
    return "".join(out), bare


def _restore(value: Any, bare: dict[int, str]) -> Any:
    """``value`` with the numbers that stood for placeholders turned back into them."""
    if not bare:
        return value
    if isinstance(value, dict):
        return {k: _restore(v, bare) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, bare) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value in bare:
        return bare[value]
    return value
