"""GitHub Actions workflow commands: one annotation per problem, on the pull request diff."""
from __future__ import annotations

from policylint.report import Report

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


FIXES = {"safe": " (fix: policylint check --fix)", "unsafe": " (fix: policylint check --fix --unsafe-fixes)"}


def render(report: Report) -> str:
    lines = [f"::{LEVELS[p.severity.label]} file={_property(p.file)},line={p.line},col={p.column},"
             f"title={_property(f'{p.code} {p.name}')}::"
             f"{_data(p.message + (FIXES[p.fix.applicability] if p.fix is not None else ''))}"
             for p in report.problems]
    lines += [f"::error title=policylint internal error::{_data(f'{e.what} on {e.file}: {e.error}')}"
              for e in report.errors]
    return "".join(line + "\n" for line in lines)
