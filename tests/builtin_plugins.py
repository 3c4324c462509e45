"""policylint with its own plugins only: a plugin installed beside it (the example plugin, as
its README says) cannot change what a test sees.

``builtin_entry_points`` is what ``conftest.builtin_plugins_only`` puts in place for every test;
``python -m builtin_plugins ARGS`` is ``policylint ARGS`` the same way, for tests that run it in a
process of its own (the language server). ``all_entry_points`` is the unfiltered function."""
from __future__ import annotations

from collections.abc import Iterator

import policylint.plugins
from policylint.plugins import EntryPoint

all_entry_points = policylint.plugins.entry_points


_found: dict[str, tuple[EntryPoint, ...]] = {}


def builtin_entry_points(group: str) -> Iterator[EntryPoint]:
    """policylint's own entry points of ``group``, looked up once a session (a lookup lists every
    folder on sys.path: a fifth of a one-file run, paid by every test that builds an engine)."""
    if group not in _found:
        _found[group] = tuple(e for e in all_entry_points(group) if e.distribution == "policylint")
    return iter(_found[group])


if __name__ == "__main__":
    policylint.plugins.entry_points = builtin_entry_points  # read by Engine() when it is built
    from policylint.cli import command

    command()  # as the ``policylint`` command ends
