"""The plugin API: the hooks a policylint plugin may implement.

A plugin is an ordinary Python package that names a module in the ``policylint``
entry-point group of its ``pyproject.toml``::

    [project.entry-points.policylint]
    myplugin = "myplugin.rules"

and implements any of these hooks in that module with ``@hookimpl``. The built-in rules,
output formats and front ends are registered in exactly this way.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from policylint.frontends import FrontEnd
    from policylint.rule import Rule

PROJECT = "policylint"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def policylint_rules() -> Iterable[Rule]:
    """Return the rules this plugin contributes (see ``policylint.rule.rule``).

    A rule's code must be unique across all plugins; its prefix (letters) names the family.
    """


@hookspec
def policylint_formats() -> dict[str, Callable[..., str]]:
    """Return output formats by name: a function from a ``policylint.report.Report`` to the
    text to write."""


@hookspec
def policylint_frontends() -> Iterable[FrontEnd]:
    """Return the front ends this plugin contributes: ways of writing documents (see
    ``policylint.frontends.FrontEnd``; the built-in ones are in ``policylint.frontends.builtin``)."""
