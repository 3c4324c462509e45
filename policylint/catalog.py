"""The IAM action catalog (cfn-lint's ``Policies.json``, from the AWS Service Authorization
Reference), loaded on first use: a run with no IAM document never reads it."""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache


def cfn_lint_data() -> str:
    """cfn-lint's data folder, found without importing cfn-lint (that costs ~0.7 s)."""
    from importlib.util import find_spec

    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


@lru_cache(maxsize=1)
def _services() -> dict[str, frozenset[str]]:
    """Service prefix -> its actions, all lower case."""
    with open(os.path.join(cfn_lint_data(), "AdditionalSpecs", "Policies.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    return {prefix.lower(): frozenset(a.lower() for a in service.get("Actions", {}))
            for prefix, service in data.items()}


def is_service(prefix: str) -> bool:
    return prefix.lower() in _services()


def actions_of(prefix: str) -> frozenset[str]:
    return _services().get(prefix.lower(), frozenset())


@lru_cache(maxsize=4096)
def matching(pattern: str) -> tuple[str, ...]:
    """Every catalog action (``service:action``, lower case) that an Action entry matches."""
    if ":" not in pattern:
        return tuple(f"{s}:{a}" for s, actions in _services().items() for a in actions) \
            if pattern == "*" else ()
    prefix, name = pattern.lower().split(":", 1)
    if "*" not in name and "?" not in name:
        return (f"{prefix}:{name}",) if name in actions_of(prefix) else ()
    regex = glob_regex(name)
    return tuple(f"{prefix}:{a}" for a in sorted(actions_of(prefix)) if regex.fullmatch(a))


@lru_cache(maxsize=1024)
def closest(name: str, candidates: frozenset[str]) -> str | None:
    """The candidate most like ``name`` (a likely typo's fix), if one is close."""
    import difflib

    name = name.lower()
    near = [c for c in candidates if c[:1] == name[:1] and abs(len(c) - len(name)) <= 4]
    found = difflib.get_close_matches(name, near, n=1)
    return found[0] if found else None


def service_prefixes() -> frozenset[str]:
    return frozenset(_services())


@lru_cache(maxsize=4096)
def glob_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters, ``?`` one character, all else literal."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, 0 if case_sensitive else re.I | re.S)
