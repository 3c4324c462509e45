"""Reports: findings placed at file, line and column, and the built-in output formats."""
from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policylint import __version__
from policylint.engine import InternalError, Outcome
from policylint.hookspecs import hookimpl
from policylint.rule import Finding, Rule, Severity


@dataclass(frozen=True)
class Problem:
    """A finding placed where the user wrote it."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    logical_path: tuple  # from the root of the file, for fingerprints and baselines
    fingerprint: str = ""  # stable across line moves and unrelated edits
    suppression: str | None = None  # why it is silenced in the source, when it is


@dataclass
class Report:
    problems: list[Problem]  # the ones that count: not suppressed, not in the baseline
    rules: list[Rule]  # every known rule, selected or not
    errors: list[InternalError]
    files: int
    suppressed: list[Problem] = field(default_factory=list)
    baselined: list[Problem] = field(default_factory=list)
    version: str = __version__

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity == severity)


def fingerprint(code: str, file: str, logical_path: tuple, value: Any, message: str) -> str:
    """Rule, file, logical path and (for a finding on a plain value) that value: a finding
    keeps its fingerprint when lines move or other parts of the file change."""
    key = [code, file, [str(p) for p in logical_path]]
    if isinstance(value, (str, int, float, bool)):
        key.append(str(value))
    if not logical_path:
        key.append(message)
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]


def build_report(outcome: Outcome, rules: dict[str, Rule], baseline: frozenset[str] = frozenset()) -> Report:
    """Resolve every finding's position (only now: clean files never pay for it), and set
    aside what is suppressed in the source or known to the baseline."""
    problems: set[Problem] = set()
    errors = list(outcome.errors)
    # A file at a time: once its findings are placed, its position data is let go.
    by_source = sorted(outcome.findings, key=lambda f: id(f.document.source))
    for i, finding in enumerate(by_source):
        rule = rules[finding.code]
        try:
            file, line, column = finding.location()
        except Exception as error:  # positions are best effort; the finding still counts
            errors.append(InternalError(finding.code, finding.document.source.path,
                                        f"position: {type(error).__name__}: {error}"))
            file, line, column = finding.document.source.path, 1, 1
        path = (*finding.document.root, *finding.path)
        shown = display_path(file)
        problems.add(Problem(rule.code, rule.name, finding.severity or rule.severity, finding.message,
                             shown, line, column, path,
                             fingerprint(rule.code, shown, path, _value(finding), finding.message),
                             finding.suppression))
        if i + 1 == len(by_source) or by_source[i + 1].document.source is not finding.document.source:
            finding.document.source.release()
    ordered = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code, p.message))
    return Report([p for p in ordered if p.suppression is None and p.fingerprint not in baseline],
                  list(rules.values()), errors, outcome.files,
                  suppressed=[p for p in ordered if p.suppression is not None],
                  baselined=[p for p in ordered if p.suppression is None and p.fingerprint in baseline])


def _value(finding: Finding) -> Any:
    value: Any = finding.document.data
    for step in finding.path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def display_path(path: str) -> str:
    """``path`` relative to the current directory when it is below it, with ``/``."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = path
    if relative.startswith(".." + os.sep) and os.path.isabs(path):
        relative = path
    return relative.replace(os.sep, "/")


def _lazy(module: str) -> Callable[[Report], str]:
    def render(report: Report) -> str:
        return importlib.import_module(module).render(report)

    return render


@hookimpl
def policylint_formats() -> dict[str, Callable[[Report], str]]:
    return {name: _lazy(f"policylint.report.{name}_format")
            for name in ("text", "json", "sarif", "github", "gcc", "junit")}
