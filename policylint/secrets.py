"""Secrets: what looks like one, and what a report may never show.

HRN405 reports a literal secret where a harness keeps one; the report masks every value of a
secret-bearing field in every message, fingerprint, baseline and diagnostic, whatever rule
wrote it and whatever shape the value has (a dict, a ``NAME=value`` list, a number). It masks
parts too: a secret-shaped token wherever it stands (inside a JSONata body, a JSONPath piece,
an intrinsic's argument, any text that leaves the process), and any run of RUN characters of
a token of the file (a parser quoting part of one).
Every pattern here is linear: bounded repeats, or a start that cannot recur inside a run.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policylint.models import Document

_REST = r"[A-Za-z0-9._~+/=-]*"
# Each token shape with what it starts with, then the rest of it (a report masks the whole
# token, not its start). Searched one shape at a time where its start occurs: one literal
# prefix is found fast, an alternation of all of them is not.
_TOKENS = (
    (("AKIA",), r"AKIA[0-9A-Z]{16}" + _REST),
    (("ASIA",), r"ASIA[0-9A-Z]{16}" + _REST),
    (("sk-",), r"\bsk-[A-Za-z0-9_-]{16}" + _REST),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"\bgh[pousr]_[A-Za-z0-9]{30}" + _REST),
    (("xox",), r"\bxox[abprs]-[A-Za-z0-9-]{10}" + _REST),
    (("eyJ",), r"(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10}" + _REST),
    (("Bearer", "Basic"), r"\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12}" + _REST),
    (("PRIVATE KEY",), r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s]*(?:\\[nr][A-Za-z0-9+/=\s]*)*"
                       r"(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?"),
)

# Compiled on first use: a run whose findings hold nothing to hide never needs them.
_PATTERNS = {
    "name": (r"secret|passw(?:or)?d|(?<!max)(?<!max[_-])token|api[_-]?key|private[_-]?key|credential"
             r"|^authorization$|auth[_-]?key|access[_-]?key", re.I),
    "value": ("|".join(shape for _, shape in _TOKENS), 0),
    "reference": (r"^\$\{[^}]+\}$|\{\{resolve:|^arn:aws[\w-]*:(?:secretsmanager|ssm):", 0),
    "url": (r"url|uri|endpoint", re.I),
    "counts": (r"max[_-]?tokens", 0),
}


@cache
def _regex(name: str) -> re.Pattern[str]:
    pattern, flags = _PATTERNS[name]
    return re.compile(pattern, flags)


# Fields whose every value is secret-bearing, in any shape (compared in lower case).
_BEARERS = frozenset({"environmentvariables", "environment", "variables", "headers"})
# CloudFormation functions whose arguments are names of parameters and resources, never values.
_NAMES_ONLY = frozenset({"Ref", "Fn::GetAtt", "Condition"})
SHORTEST = 4  # a shorter value is no secret worth hiding, and hiding it would garble messages
# Text in which none of these occurs holds nothing to hide (most files): no need to walk it.
# Words of secret-bearing fields and names (lower case), starts of secret shapes, escapes.
_HINTS_LOWER = ("environment", "variables", "headers", "secret", "passw", "token", "credential",
                "authorization", "authkey", "auth_key", "auth-key", "apikey", "api_key", "api-key",
                "privatekey", "private_key", "private-key", "accesskey", "access_key", "access-key")
_SHAPES = tuple(start for starts, _ in _TOKENS for start in starts)  # what every token shape starts with
_ESCAPES = ("\\u", "\\U", "\\x")  # JSON and YAML escapes, which may spell a token
_HINTS = (*_SHAPES, "\\u")


def may_hide(text: str, starts: frozenset[str] | None = None) -> bool:
    """Whether a file's text may hold a value a report must not show (substring tests only:
    far cheaper than the walk they spare). ``starts``: ``shape_starts`` of it, if known."""
    if "://" in text and ("@" in text or "?" in text):
        return True
    if any(hint in text for hint in _HINTS) if starts is None else (starts or "\\u" in text):
        return True
    lower = text.lower()
    if "token" in lower:  # a model's maxTokens (in every harness) names a count, not a secret
        lower = _regex("counts").sub("", lower)
    return any(hint in lower for hint in _HINTS_LOWER)


def mask(value: str) -> str:
    """A secret as it may be shown: a quarter of it at the most, and 4 characters at the most."""
    shown = min(4, len(value) // 4)
    return repr(value[:shown] + "…")


def is_reference(value: str) -> bool:
    """A pointer to a secret (``${ssm:...}``, ``{{resolve:...}}``, a Secrets Manager ARN)."""
    return bool(_regex("reference").search(value.strip()))


def looks_secret(name: str, value: Any) -> bool:
    """Whether ``value``, held under ``name``, is a literal secret (by its shape, or by its
    name and length)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(value)
    if is_reference(text):
        return False
    return bool(_regex("value").search(text)) or (bool(_regex("name").search(name)) and len(text) >= 8)


def named_values(value: Any) -> Iterator[tuple[tuple, str, Any]]:
    """(relative path, name, value) of each entry of a block of variables or headers, in the
    shapes people write: a map, a list of ``NAME=value`` or ``Name: value`` strings, a list
    of ``{name, value}`` maps, or one such string."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield (name,), str(name), item
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                name = next((item[k] for k in ("name", "Name", "key", "Key") if k in item), "")
                found = next((k for k in ("value", "Value") if k in item), None)
                if found is not None:
                    yield (i, found), str(name), item[found]
            elif isinstance(item, str):
                yield (i,), *_split_pair(item)
    elif isinstance(value, str):
        yield (), *_split_pair(value)


def _split_pair(text: str) -> tuple[str, str]:
    name, sep, rest = text.partition("=") if "=" in text.split(":", 1)[0] else text.partition(":")
    return (name.strip(), rest.strip()) if sep else ("", text)


def hidden_values(data: Any) -> frozenset[str]:
    """Every text in ``data`` that a report must not show: each value of a secret-bearing
    field (environment variables, headers), each value that looks like a secret or holds one,
    the secret-shaped tokens themselves, and the credentials and query of URLs."""
    values: set[str] = set()
    found: set[str] = set()
    _walk(data, values, found)
    return _kept(values | found)


# What a key says, worked out once a process: the files of a run use much the same keys.
_NAMES: dict[str, tuple[bool, bool]] = {}  # name -> (names a secret, names a URL)
_BEARERS_SAID: dict[str, bool] = {}  # key -> names a block of secret-bearing fields
_QUIET: dict[Any, bool] = {}  # name -> says nothing (no secret, URL or bearer): a URL test its strings
_REMEMBERED = 1 << 16  # names, at most (an account export holds many): then they are forgotten


def _walk(data: Any, values: set[str], found: set[str], scan: bool = True) -> None:
    """Add to ``values`` what a report may not show whole, and to ``found`` the secret-shaped
    tokens (whose every part is hidden too; strings are searched for them when ``scan``). One
    walk; what a key's name says is worked out once a process. Strings and numbers are judged
    where they are met, not stacked (an account export holds a million of them)."""
    if len(_NAMES) + len(_BEARERS_SAID) + len(_QUIET) > _REMEMBERED:
        for said in (_NAMES, _BEARERS_SAID, _QUIET):
            said.clear()
    names, bearers, quiet = _NAMES, _BEARERS_SAID, _QUIET

    def leaf(value: Any, name: str, bearing: bool) -> None:
        if bearing:
            text = str(value)
            values.add(text)
            values.update(part for _, _, part in named_values(text))
            found.update(tokens(text))
        elif isinstance(value, str) and len(value) >= SHORTEST:
            said = names.get(name)
            if said is None:
                said = names[name] = (bool(_regex("name").search(name)), bool(_regex("url").search(name)))
            if said[0] and len(value) >= 8:
                values.add(value)
            if scan and len(value) >= 12 and tokens(value):
                values.add(value)
                found.update(tokens(value))
            if (said[1] or "://" in value) and ("?" in value or "@" in value):
                values.update(_url_secrets(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= 8 \
                and _regex("name").search(name):  # a numeric password or PIN
            values.add(str(value))

    def says_nothing(name: Any) -> bool:
        text = name if isinstance(name, str) else str(name)
        said = text.lower() in _BEARERS or _regex("name").search(text) or _regex("url").search(text)
        quiet[name] = not said
        return not said

    stack: list[tuple[Any, str, bool]] = [(data, "", False)]
    while stack:
        value, name, bearing = stack.pop()
        plain = not (bearing or scan)  # then most strings need one test (an account export holds a million)
        if isinstance(value, dict):
            if len(value) == 1 and next(iter(value)) in _NAMES_ONLY:
                continue  # {"Ref": "Version"} names a parameter or resource: no value to hide
            for key, item in value.items():
                if plain and isinstance(item, str):
                    said_nothing = quiet.get(key)
                    if said_nothing is None:
                        said_nothing = says_nothing(key)
                    if said_nothing:
                        if "://" in item and ("?" in item or "@" in item):
                            values.update(_url_secrets(item))
                        continue
                if isinstance(item, (dict, list, str, int, float)):
                    key = key if isinstance(key, str) else str(key)
                    bearer = bearers.get(key)
                    if bearer is None:
                        bearer = bearers[key] = key.lower() in _BEARERS
                    if isinstance(item, (dict, list)):
                        stack.append((item, key, bearing or bearer and not _declares(item)))
                    elif bearing or bearer or not isinstance(item, str) or len(item) >= SHORTEST:
                        leaf(item, key, bearing or bearer)  # else a short string: nothing to hide
        elif isinstance(value, list):
            quiet_strings = plain and (quiet.get(name) or says_nothing(name))
            for item in value:
                if isinstance(item, (dict, list)):
                    stack.append((item, name, bearing))
                elif quiet_strings and isinstance(item, str):
                    if "://" in item and ("?" in item or "@" in item):
                        values.update(_url_secrets(item))
                else:
                    leaf(item, name, bearing)
        else:
            leaf(value, name, bearing)


def _declares(item: Any) -> bool:
    """Whether ``item`` declares something (a template parameter named Environment: a Type,
    a Default) rather than holding a block of variables."""
    return isinstance(item, dict) and "Type" in item


def _kept(texts: set[str]) -> frozenset[str]:
    return frozenset(t for t in texts if len(t) >= SHORTEST and not is_reference(t))


def shape_starts(text: str) -> frozenset[str]:
    """What token shapes start with that ``text`` holds (a search of the text each: a file's
    are worked out once, for ``may_hide`` and ``tokens``)."""
    return frozenset(start for start in _SHAPES if start in text)


def tokens(text: str, present: frozenset[str] | None = None) -> list[str]:
    """The secret-shaped tokens in ``text``, each whole (one inside another too);
    ``present``: ``shape_starts`` of it, if known."""
    return [token for starts, shape in _TOKENS
            if (any(start in text for start in starts) if present is None else not present.isdisjoint(starts))
            for token in _findall(starts, shape, text)]


def _findall(starts: tuple[str, ...], shape: str, text: str) -> list[str]:
    """``findall`` of the shape, tried only where one of its starts stands: a shape that
    begins with its start can match nowhere else, and a regex scan of a 10 MB export for
    ``\\b(?:Bearer|Basic)`` took a second (``AWSLambdaBasicExecutionRole``). Tried in order
    from the end of the last match, as ``findall`` does."""
    pattern = _shape(shape)
    if shape.startswith("-----"):  # the start (PRIVATE KEY) is inside the match
        return pattern.findall(text)
    at: set[int] = set()
    for start in starts:
        index = text.find(start)
        while index >= 0:
            at.add(index)
            index = text.find(start, index + 1)
    found, end = [], 0
    for index in sorted(at):
        if index >= end:
            match = pattern.match(text, index)
            if match:
                found.append(match.group())
                end = match.end()
    return found


@cache
def _shape(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _url_secrets(text: str) -> Iterator[str]:
    """The user:password and the query of a URL (``https://u:p@host/x?api_key=...``)."""
    rest = text.split("://", 1)[-1]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        yield authority.rpartition("@")[0]
    query = rest.partition("?")[2].partition("#")[0]
    if query:
        yield query
        yield from (part.partition("=")[2] for part in query.split("&"))


def hidden_forms(hidden: frozenset[str]) -> tuple[str, ...]:
    """The hidden values as they may appear in a message, longest first (then in
    order, whatever the set's order): as written, or quoted the way ``repr`` and JSON quote them."""
    forms = {form for text in hidden for form in (text, repr(text)[1:-1], _json(text)) if form}
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


RUN = 8  # characters: a run this long of a file's token is masked wherever it stands


class Hidden:
    """What a report must not show of one file: its hidden values in every form they may
    take in a message (``forms``, longest first), and the runs of RUN characters of its
    secret-shaped tokens (``runs``). A value hidden for its name (a password, a URL's
    credentials) is hidden whole: its parts are too common (``arn:aws:``, ``https://``) to
    hide wherever they stand."""

    __slots__ = ("forms", "runs")

    def __init__(self, values: frozenset[str] = frozenset(), found: frozenset[str] = frozenset()) -> None:
        self.forms = hidden_forms(values | found)
        self.runs = frozenset(form[i:i + RUN] for form in hidden_forms(found)
                              for i in range(len(form) - RUN + 1))

    def within(self, text: str) -> bool:
        """Whether ``text`` holds one of the hidden values."""
        return any(form in text for form in self.forms)


NOTHING = Hidden()


def hidden_of(documents: list[Document], more_texts: Sequence[str] = ()) -> Hidden:
    """What a report must not show of the file of ``documents`` (every document read from
    it): their data, templates, substitutions and Terraform variables, the texts of their
    files, and ``more_texts``. Most files' text holds no hint of a secret: nothing is walked."""
    templates = [d.template for d in documents if d.template is not None]
    texts = [*{id(d.source): d.source.text for d in [*documents, *templates]}.values(), *more_texts]
    starts = [shape_starts(text) for text in texts]
    if all(text and not may_hide(text, present) for text, present in zip(texts, starts, strict=True)):
        return NOTHING
    whole = [d for d in documents if not d.root and d.data is not None]  # else parts of the file
    parts = {id(d.data): d.data for d in [*(whole or documents), *templates]}
    parts.update((id(part), dict(part)) for d in [*documents, *templates]
                 for part in (d.substitutions, d.local_values) if part)
    return hidden_in([part for part in parts.values() if part is not None], texts, starts)


def hidden_in(data: list[Any], texts: list[str], starts: list[frozenset[str]] | None = None) -> Hidden:
    """What a report must not show of a file: the hidden values of ``data`` (the file's
    documents, its template, substitutions and variables), and the tokens in ``texts`` (the
    file's text and its template's: comments and keys too); ``starts``: their ``shape_starts``,
    if known."""
    values: set[str] = set()
    found: set[str] = set()
    known: list[frozenset[str] | None] = [*starts] if starts is not None else [None] * len(texts)
    for text, present in zip(texts, known, strict=True):
        found.update(tokens(text, present))
    # A value holds a token only where its file's text does, or writes one with escapes.
    strings_may_hold_tokens = not texts or bool(found) or any(e in text for text in texts for e in _ESCAPES)
    for part in data:
        _walk(part, values, found, strings_may_hold_tokens)
    return Hidden(_kept(values), _kept(found))


def redact(text: str, hidden: Hidden = NOTHING) -> str:
    """``text`` with ``…`` for every hidden value in it, every run of a hidden token, and
    every secret-shaped token, whatever file it came from."""
    for form in hidden.forms:
        if len(form) <= len(text) and form in text:
            text = text.replace(form, "…")
    if hidden.runs and len(text) >= RUN:
        text = _mask_runs(text, hidden.runs)
    if any(shape in text for shape in _SHAPES):  # the cheap test first
        text = _regex("value").sub("…", text)
    return text


def _mask_runs(text: str, runs: frozenset[str]) -> str:
    """``text`` with each stretch covered by runs of ``runs`` replaced by ``…``."""
    spans: list[list[int]] = []
    for i in range(len(text) - RUN + 1):
        if text[i:i + RUN] in runs:
            if spans and i <= spans[-1][1]:
                spans[-1][1] = i + RUN
            else:
                spans.append([i, i + RUN])
    pieces, kept = [], 0
    for start, end in spans:
        pieces += [text[kept:start], "…"]
        kept = end
    return "".join(pieces) + text[kept:]


def _json(text: str) -> str:
    import json

    return json.dumps(text)[1:-1]
