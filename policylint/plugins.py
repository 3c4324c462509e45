"""Finding plugins: the ``policylint`` entry points of the installed distributions.

This is what ``importlib.metadata.entry_points(group=...)`` answers, read straight from the
``entry_points.txt`` files on ``sys.path``: importing ``importlib.metadata`` (and the email
parser it loads) costs more than a whole one-file lint run, which happens on every commit.
The first distribution of a name on ``sys.path`` wins, as with ``importlib.metadata``.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

_DIST = re.compile(r"^(?P<name>[^-]+)(?:-[^-]*)?\.(?:dist|egg)-info$")


class EntryPoint(NamedTuple):
    name: str
    value: str  # "module" or "module:attribute"
    distribution: str = ""  # the installed distribution that declares it, normalised

    def load(self) -> Any:
        module, _, attribute = self.value.partition(":")
        loaded: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def entry_points(group: str) -> Iterator[EntryPoint]:
    seen: set[str] = set()
    for base in sys.path:
        try:
            entries = sorted(os.listdir(base or "."))
        except OSError:  # not a directory (a zip), or gone
            continue
        for entry in entries:
            match = _DIST.match(entry)
            if not match:
                continue
            distribution = match.group("name").lower().replace("-", "_")
            if distribution in seen:
                continue
            seen.add(distribution)
            try:
                with open(os.path.join(base or ".", entry, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            yield from _section(text, group, distribution)


def _section(text: str, group: str, distribution: str) -> Iterator[EntryPoint]:
    inside = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            inside = line == f"[{group}]"
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, value = line.split("=", 1)
            yield EntryPoint(name.strip(), value.strip(), distribution)
