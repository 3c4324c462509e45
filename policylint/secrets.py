"""Secrets: what looks like one, and what a report may never show.

HRN405 reports a literal secret where a harness keeps one; the report masks every value of a
secret-bearing field in every message, fingerprint, baseline and diagnostic, whatever rule
wrote it and whatever shape the value has (a dict, a ``NAME=value`` list, a number).
Every pattern here is linear: bounded repeats, or a start that cannot recur inside a run.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

# Compiled on first use: a run whose findings hold nothing to hide never needs them.
_PATTERNS = {
    "name": (r"secret|passw(?:or)?d|token|api[_-]?key|private[_-]?key|credential"
             r"|^authorization$|auth[_-]?key|access[_-]?key", re.I),
    "value": (r"AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|\bsk-[A-Za-z0-9_-]{16}|\bgh[pousr]_[A-Za-z0-9]{30}"
              r"|\bxox[abprs]-[A-Za-z0-9-]{10}|(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10}"
              r"|-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----|\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12}", 0),
    "reference": (r"^\$\{[^}]+\}$|\{\{resolve:|^arn:aws[\w-]*:(?:secretsmanager|ssm):", 0),
    "url": (r"url|uri|endpoint", re.I),
}


@cache
def _regex(name: str) -> re.Pattern[str]:
    pattern, flags = _PATTERNS[name]
    return re.compile(pattern, flags)


# Fields whose every value is secret-bearing, in any shape (compared in lower case).
_BEARERS = frozenset({"environmentvariables", "environment", "variables", "headers"})
SHORTEST = 4  # a shorter value is no secret worth hiding, and hiding it would garble messages
# Text in which none of these occurs holds nothing to hide (most files): no need to walk it.
# Words of secret-bearing fields and names (lower case), starts of secret shapes, escapes.
_HINTS_LOWER = ("environment", "variables", "headers", "secret", "passw", "token", "credential",
                "authorization", "authkey", "auth_key", "auth-key", "apikey", "api_key", "api-key",
                "privatekey", "private_key", "private-key", "accesskey", "access_key", "access-key")
_HINTS = ("AKIA", "ASIA", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "eyJ", "PRIVATE KEY",
          "Bearer", "Basic", "\\u")


def may_hide(text: str) -> bool:
    """Whether a file's text may hold a value a report must not show (substring tests only:
    far cheaper than the walk they spare)."""
    if "://" in text and ("@" in text or "?" in text):
        return True
    if any(hint in text for hint in _HINTS):
        return True
    lower = text.lower()
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
    field (environment variables, headers), each value that looks like a secret, and the
    credentials and query of URLs. One walk; what a key's name says is worked out once."""
    found: set[str] = set()
    names: dict[str, tuple[bool, bool]] = {}  # name -> (names a secret, names a URL)
    stack: list[tuple[Any, str, bool]] = [(data, "", False)]
    while stack:
        value, name, bearing = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (dict, list, str, int, float)):
                    key = key if isinstance(key, str) else str(key)
                    stack.append((item, key, bearing or key.lower() in _BEARERS))
        elif isinstance(value, list):
            stack.extend((item, name, bearing) for item in value)
        elif bearing:
            text = str(value)
            found.add(text)
            found.update(part for _, _, part in named_values(text))
        elif isinstance(value, str) and len(value) >= SHORTEST:
            said = names.get(name)
            if said is None:
                said = names[name] = (bool(_regex("name").search(name)), bool(_regex("url").search(name)))
            if (said[0] and len(value) >= 8) or (len(value) >= 12 and _regex("value").search(value)):
                found.add(value)
            if (said[1] or "://" in value) and ("?" in value or "@" in value):
                found.update(_url_secrets(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= 8 \
                and _regex("name").search(name):  # a numeric password or PIN
            found.add(str(value))
    return frozenset(t for t in found if len(t) >= SHORTEST and not is_reference(t))


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
    """The hidden values as they may appear in a message, longest first: as written, or
    quoted the way ``repr`` and JSON quote them."""
    forms = {form for text in hidden for form in (text, repr(text)[1:-1], _json(text)) if form}
    return tuple(sorted(forms, key=len, reverse=True))


def redact(text: str, forms: tuple[str, ...]) -> str:
    """``text`` with every hidden form in it replaced by ``…``."""
    for form in forms:
        if len(form) <= len(text) and form in text:
            text = text.replace(form, "…")
    return text


def _json(text: str) -> str:
    import json

    return json.dumps(text)[1:-1]
