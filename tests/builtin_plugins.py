"""policylint with its own plugins only: a plugin installed beside it (the example plugin, as
its README says) cannot change what a test sees.

``builtin_entry_points`` is what ``conftest.builtin_plugins_only`` puts in place for every test;
``python -m builtin_plugins ARGS`` is ``policylint ARGS`` the same way, for tests that run it in a
process of its own (the language server). ``all_entry_points`` is the unfiltered function."""
from __future__ import annotations

import sys
from collections.abc import Iterator

import policylint.plugins
from policylint.plugins import EntryPoint

all_entry_points = policylint.plugins.entry_points


def builtin_entry_points(group: str) -> Iterator[EntryPoint]:
    return (e for e in all_entry_points(group) if e.distribution == "policylint")


if __name__ == "__main__":
    policylint.plugins.entry_points = builtin_entry_points  # read by Engine() when it is built
    from policylint.cli import main

    sys.exit(main())
