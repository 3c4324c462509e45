"""Placeholders a template leaves undefined in its state machine (ASL112), in every form the
definition takes: a ``Definition`` object, a ``DefinitionString`` (a JSON string, ``Fn::Sub``,
the literal pieces of ``Fn::Join``) and a SAM ``DefinitionUri`` file, each found at the
``${`` itself.

Which names are defined depends on where the placeholder is written. CloudFormation fills
``DefinitionSubstitutions`` everywhere in the definition; inside ``Fn::Sub`` it also fills
the function's variables, the template's parameters and resources (``${Fn.Arn}``) and the
pseudo-parameters (``${AWS::Region}``), and ``${!X}`` there is the text ``${X}`` that
DefinitionSubstitutions then fills. Serverless and Terraform views are not judged: every
``${...}`` there is the tool's own variable."""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

from policylint.models import Document
from policylint.rule import Finding
from policylint.source import EmbeddedSource, json_locate, walk_escapes
from policylint.values import PLACEHOLDER, Unknown, is_intrinsic

_SUB = "Fn::Sub"
_SHOWN = 60  # characters of the value a message quotes
_SAM = "Transform:Serverless"  # among a template's names: a SAM template (no logical id has a colon)


def undefined_placeholders(document: Document) -> Iterator[Finding]:
    """An ASL112 finding for each string of the definition with a ``${X}`` no one defines,
    at the first such placeholder, naming all of them."""
    template = document.template
    if template is None or template.variables or isinstance(document.substitutions, Unknown):
        return
    if not isinstance(document.data, (dict, list)):
        return
    names = _template_names(template.data)
    for path, text in _placeholder_strings(document.data, (), []):
        missing = []
        for match, raw in _placeholders(document, path, text):
            sub = _sub_of(document, template, raw)
            if sub is not False and sub is not True \
                    and not _defined(match.group(1), document, template, sub, names):
                missing.append((match, raw, sub))
        if not missing:
            continue
        shown = text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"
        listed = ", ".join(dict.fromkeys(m.group(0) for m, _, _ in missing))
        match, raw, sub = missing[0]
        what = "DefinitionSubstitutions, Fn::Sub and the template do not define" if sub is not None \
            else "DefinitionSubstitutions does not define"
        field = next((str(step) for step in reversed(path) if isinstance(step, str)), "the value")
        position = document.string_position(path, match.start())
        yield Finding(document, path, f"{field} {shown!r} uses {listed}, which {what}: CloudFormation "
                      "deploys it as written", "value", position=position)


def _placeholder_strings(value: Any, path: tuple, found: list[tuple[tuple, str]]) -> list[tuple[tuple, str]]:
    """``found`` and, in order, the string values of a definition (a list or an object) that
    hold a ``${`` (not its keys, nor Comments, nor intrinsics). A string is judged where it is
    met: only containers are gone into (most of a definition's values are strings without one)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                if "${" in item:
                    found.append(((*path, i), item))
            else:
                _placeholder_strings(item, (*path, i), found)
    elif isinstance(value, dict) and not is_intrinsic(value):
        for key, item in value.items():
            if isinstance(item, str):
                if "${" in item and key != "Comment":
                    found.append(((*path, key), item))
            elif key != "Comment":
                _placeholder_strings(item, (*path, key), found)
    return found


def _template_names(data: Any) -> frozenset[str]:
    """The parameters and resources of a template, and _SAM when it is a SAM template."""
    if not isinstance(data, dict):
        return frozenset()
    transform = data.get("Transform")
    sam = any(isinstance(t, str) and t.startswith("AWS::Serverless")
              for t in (transform if isinstance(transform, list) else [transform]))
    return frozenset([*(str(name) for section in ("Parameters", "Resources")
                        if isinstance(data.get(section), dict) for name in data[section]),
                      *([_SAM] if sam else [])])


def _place(document: Document, path: tuple) -> int | None:
    """The index in the source text of the value at ``path`` (JSON text only), else None."""
    text = document.source.text
    if text.lstrip("\ufeff \t\r\n")[:1] not in ("{", "["):
        return None
    found = json_locate(text, (*document.root, *path), document.source._json_memo)
    return found[1] if found is not None else None


def _placeholders(document: Document, path: tuple, text: str) -> Iterator[tuple[re.Match[str], int | None]]:
    """Each ``${...}`` of the string at ``path`` and, in a DefinitionString, its index in the
    JSON text (found in one walk over the string's escapes, whatever their number)."""
    place = _place(document, path) if isinstance(document.source, EmbeddedSource) else None
    raw_text = document.source.text
    quoted = place is not None and raw_text.startswith('"', place)
    offset, raw = 0, (place + 1 if quoted else place)  # type: ignore[operator]
    for match in PLACEHOLDER.finditer(text):
        if quoted and raw is not None:
            raw = walk_escapes(raw_text, raw, match.start() - offset, '"')
            offset = match.start()
        yield match, raw  # a bare placeholder (a number in the JSON text) stands where it is


def _sub_of(document: Document, template: Document, raw: int | None) -> dict | None | bool:
    """For a DefinitionString: the variables of the Fn::Sub the placeholder at ``raw`` is
    written in (a dict), None when it is written outside Fn::Sub, False when it stands for an
    intrinsic piece of Fn::Join."""
    source = document.source
    if not isinstance(source, EmbeddedSource) or raw is None:
        return None
    segment = source.segments[max(bisect.bisect_right(source._starts, raw) - 1, 0)]
    if not segment.is_string:
        return False
    if _SUB not in segment.path:
        return None
    at = segment.path.index(_SUB)
    if len(segment.path) > at + 1:  # [text, variables]: the variables
        sub = _get(template.data, (*segment.path[:at + 1],))
        if isinstance(sub, list) and len(sub) > 1 and isinstance(sub[1], dict):
            return sub[1]
    return {}


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def _defined(name: str, document: Document, template: Document, sub: dict | None,
             names: frozenset[str]) -> bool:
    if not name or name in document.substitutions:
        return True
    if sub is None:
        return name.startswith("!")  # ${!X} outside Fn::Sub: text CloudFormation never reads as one
    if name.startswith("!"):  # Fn::Sub writes ${X}: DefinitionSubstitutions fills it, not Fn::Sub's variables
        own = _get(template.data, ("Resources", document.logical_id, "Properties", "DefinitionSubstitutions"))
        return isinstance(own, dict) and name[1:] in {str(k) for k in own}
    base = name.split(".", 1)[0]
    return name in sub or name.startswith("AWS::") or base in names or _sam_implicit(base, names)


def _sam_implicit(base: str, names: frozenset[str]) -> bool:
    """Whether ``base`` may be a resource SAM's transform adds (``FnRole`` for a function
    ``Fn``, ``ServerlessRestApi``), when the template is SAM's (``names`` then hold
    ``Transform:Serverless``): a Fn::Sub may name those too."""
    return _SAM in names and (base.startswith("Serverless") or any(
        base.startswith(name) for name in names if name != _SAM))
