"""The surface for plugin authors: import from here, not from policylint's other modules.

Stability: the names below keep their meaning and signatures across minor versions (0.x
releases change them only with a note in CHANGELOG under "Plugin API"); everything else in
the package is internal and may change in any release.

- ``rule``, ``Rule``, ``Severity``, ``Finding``: declare a rule and yield its findings.
- ``Context`` (what a document rule gets: ``document``, ``project``, ``machine``, ``config``)
  and ``Project`` (what a ``scope="project"`` rule gets).
- ``KINDS``: the document kinds a rule may read.
- ``hookimpl``: mark ``policylint_rules()`` (a list of rules) or ``policylint_formats()``
  (format name -> function of a report) in the module your entry point names.
"""
from __future__ import annotations

from policylint.hookspecs import hookimpl
from policylint.project import Context, Project
from policylint.rule import KINDS, Finding, Rule, Severity, rule

__all__ = ["KINDS", "Context", "Finding", "Project", "Rule", "Severity", "hookimpl", "rule"]
