"""Reports: findings placed at file, line and column, and the built-in output formats."""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from policylint import __version__
from policylint.engine import InternalError, Outcome
from policylint.hookspecs import hookimpl
from policylint.rule import Rule, Severity


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


@dataclass
class Report:
    problems: list[Problem]
    rules: list[Rule]  # every known rule, selected or not
    errors: list[InternalError]
    files: int
    version: str = __version__

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity == severity)


def build_report(outcome: Outcome, rules: dict[str, Rule]) -> Report:
    """Resolve every finding's position (only now: clean files never pay for it)."""
    problems: set[Problem] = set()
    errors = list(outcome.errors)
    for finding in outcome.findings:
        rule = rules[finding.code]
        try:
            file, line, column = finding.location()
        except Exception as error:  # positions are best effort; the finding still counts
            errors.append(InternalError(finding.code, finding.document.source.path,
                                        f"position: {type(error).__name__}: {error}"))
            file, line, column = finding.document.source.path, 1, 1
        problems.add(Problem(rule.code, rule.name, finding.severity or rule.severity,
                             finding.message, display_path(file), line, column,
                             (*finding.document.root, *finding.path)))
    ordered = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code, p.message))
    return Report(ordered, list(rules.values()), errors, outcome.files)


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
