"""One line per problem, as compilers write them: ``path:line:col: level: CODE message``.

Editors read it as is: Vim's quickfix (``:cexpr``/``errorformat=%f:%l:%c: %m``), Emacs
compile mode, and VS Code problem matchers."""
from __future__ import annotations

from policylint.report import Report


def render(report: Report) -> str:
    lines = [f"{p.file}:{p.line}:{p.column}: {p.severity.label}: {p.code} {p.message} [{p.name}]"
             + (f" [fix: {p.fix.applicability}]" if p.fix is not None else "") for p in report.problems]
    lines += [f"{e.file or 'policylint'}:1:1: error: internal error in {e.what}: {e.error}"
              for e in report.errors]
    return "".join(line + "\n" for line in lines)
