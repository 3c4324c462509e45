"""SARIF 2.1.0: one run, every rule in tool.driver, results at exact regions.

Written to be accepted and shown well by GitHub code scanning (tests/test_github_sarif.py
checks each documented rule): URIs relative to the repository root (``%SRCROOT%``), stable
``partialFingerprints``, ``security-severity`` as a string, and at most MAX_RESULTS results.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from policylint.problems import UNREADABLE_FILE
from policylint.report import Problem, Report
from policylint.report.rules_format import INFORMATION_URI, help_uri
from policylint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning ranks security alerts by this score (0.0 to 10.0).
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "note": "2.0"}
# GitHub code scanning rejects a run with more results than this (the most severe are kept).
MAX_RESULTS = 25_000


def _rule(rule: Rule) -> dict:
    properties: dict = {"tags": [rule.family, *rule.tags]}
    if "security" in rule.tags:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity.label]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.help.split("\n\n")[0]},
        "help": {"text": rule.help, "markdown": rule.help},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": rule.severity.label},
        "properties": properties,
    }


def _result(problem: Problem, index: int, root: str) -> dict:
    return {
        "ruleId": problem.code,
        "ruleIndex": index,
        "level": problem.severity.label,
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _uri(problem.raw_file, root),
            "region": {"startLine": problem.line, "startColumn": problem.column},
        }}],
        "partialFingerprints": {"policylint/v1": problem.fingerprint},
        **(_fixes(problem, root) if problem.fix is not None else {}),
    }


def _fixes(problem: Problem, root: str) -> dict:
    """The fix as SARIF ``fixes`` (when its place is certain); its kind in the properties."""
    from policylint.fix import file_source, plan

    assert problem.fix is not None
    properties = {"properties": {"fix": problem.fix.applicability}}
    planned = plan(problem.fix.finding)
    if not planned.edits:
        return {**properties, "properties": {**properties["properties"], "fixByHand": planned.reason}}
    text = file_source(problem.fix.finding.source).text
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]

    def place(index: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(starts, index) - 1
        return line + 1, index - starts[line] + 1

    replacements = []
    for edit in planned.edits:
        (start_line, start_column), (end_line, end_column) = place(edit.start), place(edit.end)
        replacements.append({"deletedRegion": {"startLine": start_line, "startColumn": start_column,
                                               "endLine": end_line, "endColumn": end_column},
                             "insertedContent": {"text": edit.new}})
    return {**properties, "fixes": [{
        "description": {"text": f"{problem.fix.title} ({problem.fix.applicability} fix)"},
        "artifactChanges": [{"artifactLocation": _uri(problem.raw_file, root), "replacements": replacements}],
    }]}


def _uri(path: str, root: str) -> dict:
    """An artifact location: relative to %SRCROOT% (``root``) when the file is below it, else
    an absolute file URI; the name's bytes, whatever they are, percent-encoded."""
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(os.fsencode(relative.replace(os.sep, "/"))), "uriBaseId": "%SRCROOT%"}


def _artifact(file: str, root: str) -> dict:
    return {"physicalLocation": {"artifactLocation": _uri(file, root)}}


def source_root() -> str:
    """The repository root: the nearest folder at or above the current one with a ``.git``
    (a folder, or a worktree's file); else the current folder. Code scanning places a
    result by its path from the repository root, wherever policylint ran."""
    from policylint.paths import upward

    here = os.getcwd()
    return next((folder for folder in upward(here) if os.path.exists(os.path.join(folder, ".git"))), here)


def _capped(report: Report) -> tuple[list[tuple[Problem, str]], int]:
    """The results to write, (problem, how it is set aside), the most severe first when
    there are more than MAX_RESULTS; and how many were left out."""
    results = [*((p, "") for p in report.problems), *((p, "inSource") for p in report.suppressed),
               *((p, "external") for p in report.baselined)]
    if len(results) <= MAX_RESULTS:
        return results, 0
    ranked = sorted(results, key=lambda r: (bool(r[1]), -r[0].severity))
    return ranked[:MAX_RESULTS], len(results) - MAX_RESULTS


def _set_aside(result: dict, problem: Problem, kind: str) -> dict:
    if kind == "external":
        return {**result, "baselineState": "unchanged",
                "suppressions": [{"kind": "external", "justification": "in the baseline"}]}
    if kind == "inSource":
        return {**result, "suppressions": [{"kind": "inSource", "justification": problem.suppression}]}
    return result


def render(report: Report) -> str:
    index = {rule.code: i for i, rule in enumerate(report.rules)}
    root = source_root()
    results, left_out = _capped(report)
    run = {
        "tool": {"driver": {
            "name": "policylint",
            "version": report.version,
            "semanticVersion": report.version,
            "informationUri": INFORMATION_URI,
            "rules": [_rule(r) for r in report.rules],
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": "policylint/"},
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [
                *({"level": "error", "message": {"text": f"internal error in {e.what}: {e.error}"},
                   **({"locations": [_artifact(e.file, root)]} if e.file else {})}
                  for e in report.errors),
                *({"level": "warning", "message": {"text": f"{p.file} was not linted: {p.message}"},
                   "locations": [_artifact(p.raw_file, root)]}
                  for p in report.problems if p.code == UNREADABLE_FILE.code),
                *([{"level": "warning", "message": {"text": f"{left_out:,} results left out: GitHub "
                    f"code scanning accepts at most {MAX_RESULTS:,} in a run (the most severe kept)"}}]
                  if left_out else []),
            ],
        }],
        "results": [_set_aside(_result(p, index[p.code], root), p, kind) for p, kind in results],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
