"""JSON: every finding with its file, line and column, plus a summary."""
from __future__ import annotations

import json

from policylint.report import Report
from policylint.rule import Severity


def render(report: Report) -> str:
    return json.dumps({
        "version": report.version,
        "findings": [{
            "code": p.code, "name": p.name, "severity": p.severity.label, "message": p.message,
            "file": p.file, "line": p.line, "column": p.column,
            "path": [step if isinstance(step, int) else str(step) for step in p.logical_path],
            "fingerprint": p.fingerprint,
            "fix": {"applicability": p.fix.applicability, "title": p.fix.title} if p.fix else None,
        } for p in report.problems],
        "errors": [{"what": e.what, "file": e.file, "error": e.error} for e in report.errors],
        **({"files": [{"file": f, "kind": k} for f, k in sorted(report.kinds.items())]}
           if report.show_files else {}),
        "summary": {"files": report.files, "kinds": report.linted, "skipped": report.skipped,
                    "unreadable": report.unreadable, "findings": len(report.problems),
                    **{s.label: report.count(s) for s in Severity},
                    "suppressed": len(report.suppressed), "baselined": len(report.baselined),
                    **({"fixable": {"safe": report.fixable("safe"), "unsafe": report.fixable("unsafe")}}
                       if report.fixed is not None or any(p.fix for p in report.problems) else {}),
                    **({"fixed": report.fixed, "fixable_by_hand": report.by_hand}
                       if report.fixed is not None else {})},
    }, indent=2) + "\n"
