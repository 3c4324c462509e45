"""The surface for plugin authors: import from here, not from policylint's other modules.

Stability: the names below keep their meaning and signatures across minor versions (0.x
releases change them only with a note in CHANGELOG under "Plugin API"); everything else in
the package is internal and may change in any release.

- ``rule``, ``Rule``, ``Severity``, ``Finding``: declare a rule and yield its findings.
- ``Context`` (what a document rule gets: ``document``, ``project``, ``machine``, ``config``)
  and ``Project`` (what a ``scope="project"`` rule gets).
- ``KINDS``: the document kinds a rule may read; ``Document``: what a front end makes.
- ``StateMachine``, ``Policy``, ``Harness``, ``Resource`` (an AgentCore gateway, runtime,
  memory or policy engine): a document's model, built once and shared by every rule:
  ``Policy.of(ctx.document).statements``.
- ``Fix``, ``Edit``, ``SAFE``, ``UNSAFE``: a fix a finding may carry (``finding.fix``): edits
  at logical paths of its document, safe (keeps what the deployed system does) or not.
- ``FrontEnd``, ``Linked``: a way of writing documents (see ``policylint.frontends``).
- ``hookimpl``: mark ``policylint_rules()`` (a list of rules), ``policylint_formats()``
  (format name -> function of a report) or ``policylint_frontends()`` (a list of front ends)
  in the module your entry point names.
"""
from __future__ import annotations

from policylint.frontends import FrontEnd, Linked
from policylint.hookspecs import hookimpl
from policylint.models import Document
from policylint.models.agentcore import Resource
from policylint.models.asl import StateMachine
from policylint.models.harness import Harness
from policylint.models.iam import Policy
from policylint.project import Context, Project
from policylint.rule import KINDS, SAFE, UNSAFE, Edit, Finding, Fix, Rule, Severity, rule

__all__ = ["KINDS", "SAFE", "UNSAFE", "Context", "Document", "Edit", "Finding", "Fix", "FrontEnd", "Harness",
           "Linked", "Policy", "Project", "Resource", "Rule", "Severity", "StateMachine", "hookimpl", "rule"]
