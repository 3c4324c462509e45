"""Text: ``path:line:col CODE message`` grouped by file, then a summary line.

The CLI prints through rich (``print_rich``) on a terminal, plain text otherwise.
"""
from __future__ import annotations

from itertools import groupby

from policylint.report import Report
from policylint.rule import Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def summary(report: Report) -> str:
    if not report.problems:
        text = f"No problems found in {report.files} file{'s' * (report.files != 1)}."
    else:
        counts = ", ".join(f"{report.count(s)} {s.label}{'s' * (report.count(s) != 1)}"
                           for s in sorted(Severity, reverse=True))
        text = (f"Found {len(report.problems)} problem{'s' * (len(report.problems) != 1)} "
                f"({counts}) in {report.files} file{'s' * (report.files != 1)}.")
    hidden = [f"{len(report.suppressed)} suppressed in the source"] if report.suppressed else []
    hidden += [f"{len(report.baselined)} known in the baseline"] if report.baselined else []
    if hidden:
        text += f" Not shown: {', '.join(hidden)}."
    for error in report.errors:
        text += f"\ninternal error in {error.what} on {error.file or 'the project'}: {error.error}"
    return text


def render(report: Report) -> str:
    blocks = []
    for _, problems in groupby(report.problems, key=lambda p: p.file):
        blocks.append("\n".join(
            f"{p.file}:{p.line}:{p.column} {p.code} {p.message} [{p.severity.label}]"
            for p in problems))
    return "\n\n".join([*blocks, summary(report)]) + "\n"


def print_rich(report: Report) -> None:
    """Print the report to the terminal with rich: one heading per file."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)  # one finding, one line: editors link it
    for file, problems in groupby(report.problems, key=lambda p: p.file):
        console.print(f"[bold underline]{escape(file)}[/]")
        for p in problems:
            console.print(f"  {escape(p.file)}:{p.line}:{p.column} [{_STYLE[p.severity]}]{p.code}[/] "
                          f"{escape(p.message)} [dim]({p.name})[/]")
        console.print()
    console.print(escape(summary(report)), style="bold")
