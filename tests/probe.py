"""A test-only plugin: PRB001 reports every key and every value of each state machine and
policy it is given, so a test can see where policylint places each logical path of a document
in every form (``tests/test_conformance.py``). It is registered by ``probe_plugin`` below, never
by an entry point, so no other test sees it."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from policylint.api import Context, Finding, Rule, Severity, hookimpl, rule


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield (*prefix, i)
            yield from _paths(item, (*prefix, i))


@rule("PRB001", "every-path", Severity.NOTE, summary="Every key and value of a document",
      kinds=("asl", "iam"))
def every_path(ctx: Context) -> Iterator[Finding]:
    """What it does: reports each key and value, for position tests. Why is this bad? It is not.
    Example: any document. Use instead: nothing."""
    for path in _paths(ctx.document.data):
        for at in ("key", "value"):
            said = {"kind": ctx.document.kind, "doc": repr(ctx.document.root), "at": at, "path": path}
            yield Finding(ctx.document, path, json.dumps(said), at=at)


@hookimpl
def policylint_rules() -> list[Rule]:
    return [every_path]


def probe_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add this module to the plugins the engine of this test is built from."""
    import policylint.plugins
    from policylint.plugins import EntryPoint

    builtin = policylint.plugins.entry_points
    monkeypatch.setattr(policylint.plugins, "entry_points", lambda group: (
        *builtin(group), EntryPoint("probe", "probe", "policylint_tests")))
