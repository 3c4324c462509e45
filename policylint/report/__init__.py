"""Reports: findings placed at file, line and column, and the built-in output formats."""
from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from policylint import __version__
from policylint.engine import InternalError, Outcome
from policylint.hookspecs import hookimpl
from policylint.rule import Finding, Rule, Severity


class Problem(NamedTuple):
    """A finding placed where the user wrote it."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    logical_path: tuple  # from the root of the file, for fingerprints and baselines
    value: str | None = None  # the offending plain value, for fingerprints
    suppression: str | None = None  # why it is silenced in the source, when it is

    @property
    def fingerprint(self) -> str:
        """Rule, file, logical path and (for a finding on a plain value) that value: a finding
        keeps its fingerprint when lines move or other parts of the file change."""
        key = [self.code, self.file, [str(p) for p in self.logical_path]]
        if self.value is not None:
            key.append(self.value)
        if not self.logical_path:
            key.append(self.message)
        import hashlib  # here: only the formats and baselines that need it pay for OpenSSL

        return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]


class Report:
    """What a run found: the problems that count (not suppressed, not in the baseline), every
    known rule (selected or not), internal errors, and what was set aside."""

    def __init__(self, problems: list[Problem], rules: list[Rule], errors: list[InternalError],
                 files: int, suppressed: list[Problem] | None = None,
                 baselined: list[Problem] | None = None) -> None:
        self.problems, self.rules, self.errors, self.files = problems, rules, errors, files
        self.suppressed, self.baselined = suppressed or [], baselined or []
        self.version = __version__

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity == severity)


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
                             shown, line, column, path, _value(finding), finding.suppression))
        if i + 1 == len(by_source) or by_source[i + 1].document.source is not finding.document.source:
            finding.document.source.release()
    ordered = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code, p.message))
    counted = [p for p in ordered if p.suppression is None]
    known = {p for p in counted if p.fingerprint in baseline} if baseline else set()
    return Report([p for p in counted if p not in known], list(rules.values()), errors, outcome.files,
                  suppressed=[p for p in ordered if p.suppression is not None],
                  baselined=[p for p in counted if p in known])


def _value(finding: Finding) -> str | None:
    """The plain value (string, number, boolean) the finding is on, as text; else None."""
    value: Any = finding.document.data
    for step in finding.path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return str(value) if isinstance(value, (str, int, float, bool)) else None


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
