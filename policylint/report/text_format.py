"""Text: ``path:line:col CODE message`` grouped by file, then a summary line.

The CLI prints through rich (``print_rich``) on a terminal, plain text otherwise.
"""
from __future__ import annotations

from itertools import groupby

from policylint.records import TEMPLATED
from policylint.report import KINDS, SKIPPED, UNREADABLE, Report
from policylint.rule import Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' * (count != 1)}"


def files_read(report: Report) -> str:
    """What was linted, by kind, and what was not: ``34 files linted: 13 state machines, 20
    templates, 1 policy; 519 other JSON/YAML files skipped``."""
    kinds = ", ".join(f"{n:,} {KINDS[kind][n != 1]}" for kind, n in report.linted.items())
    text = f"{_plural(report.files, 'file')} linted" + (f": {kinds}" if kinds else "")
    if not report.files and not report.unreadable and not report.skipped:
        text = ("Nothing was linted: no JSON, YAML or template file here (for a CDK app, run "
                "`cdk synth` and check cdk.out)")
    if report.unreadable:
        text += f"; {report.unreadable:,} could not be read (PL001/PL002)"
    other = report.skipped - report.templated
    if other:
        counts = [(other - sum(report.claimed.values()), "other JSON/YAML file"),
                  *((n, f"other {title} file") for title, n in sorted(report.claimed.items()))]
        others = [_plural(n, word) for n, word in counts if n]
        text += (f"; {' and '.join(others)} skipped (not a state machine, template, policy or harness "
                 "config; --show-files lists each file)")
    if report.templated:
        text += (f"; {_plural(report.templated, 'templated file')} skipped (Jinja, cookiecutter or "
                 "Helm syntax: lint what they render)")
    return text + "."


def file_list(report: Report) -> str:
    """Each file and what it was read as, one a line."""
    names = {**{kind: singular for kind, (singular, _) in KINDS.items()},
             SKIPPED: "skipped: not a state machine, template, policy or harness config",
             TEMPLATED: "skipped: templated (Jinja, cookiecutter or Helm {{ }} syntax), not YAML or "
                        "JSON until rendered",
             UNREADABLE: "not linted: could not be read"}
    return "".join(f"{file}: {names[kind]}\n" for file, kind in sorted(report.kinds.items()))


def summary(report: Report) -> str:
    if not report.problems:
        text = f"No problems found. {files_read(report)}"
    else:
        counts = ", ".join(f"{report.count(s)} {s.label}{'s' * (report.count(s) != 1)}"
                           for s in sorted(Severity, reverse=True))
        text = (f"Found {_plural(len(report.problems), 'problem')} ({counts}). {files_read(report)}")
    hidden = [f"{len(report.suppressed)} suppressed in the source"] if report.suppressed else []
    hidden += [f"{len(report.baselined)} known in the baseline"] if report.baselined else []
    if hidden:
        text += f" Not shown: {', '.join(hidden)}."
    text += fixes_said(report)
    for error in report.errors:
        text += f"\ninternal error in {error.what} on {error.file or 'the project'}: {error.error}"
    return text


def fixes_said(report: Report) -> str:
    """What ``--fix`` did, and what it could still do: `` Fixed 2; 1 fixable with --fix.``"""
    safe, unsafe = report.fixable("safe"), report.fixable("unsafe")
    for problem, _ in report.by_hand_list:  # their fix could not be placed: not for --fix
        applicability = problem.fix.applicability if problem.fix is not None else None
        safe -= applicability == "safe"
        unsafe -= applicability == "unsafe"
    said = []
    if report.fixed is not None:
        said.append(f"Fixed {_plural(report.fixed, 'problem')}")
    if safe:
        said.append(f"{safe:,} fixable with --fix ([*])")
    if unsafe:
        said.append(f"{unsafe:,} more with --fix --unsafe-fixes")
    if report.by_hand:
        said.append(f"{report.by_hand:,} to fix by hand (their place is not certain)")
    return f" {'; '.join(said)}." if said else ""


def _mark(problem: object) -> str:
    fix = getattr(problem, "fix", None)
    return "[*] " if fix is not None and fix.applicability == "safe" else ""


def render(report: Report) -> str:
    blocks = []
    for _, problems in groupby(report.problems, key=lambda p: p.file):
        blocks.append("\n".join(
            f"{p.file}:{p.line}:{p.column} {p.code} {_mark(p)}{p.message} [{p.severity.label}]"
            for p in problems))
    listing = [file_list(report).rstrip("\n")] if report.show_files else []
    return "\n\n".join([*listing, *blocks, summary(report)]) + "\n"


def print_rich(report: Report) -> None:
    """Print the report to the terminal with rich: one heading per file."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)  # one finding, one line: editors link it
    if report.show_files:
        console.print(escape(file_list(report)))
    for file, problems in groupby(report.problems, key=lambda p: p.file):
        console.print(f"[bold underline]{escape(file)}[/]")
        for p in problems:
            console.print(f"  {escape(p.file)}:{p.line}:{p.column} [{_STYLE[p.severity]}]{p.code}[/] "
                          f"{escape(_mark(p) + p.message)} [dim]({p.name})[/]")
        console.print()
    console.print(escape(summary(report)), style="bold")
