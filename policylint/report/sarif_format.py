"""SARIF 2.1.0: one run, every rule in tool.driver, results at exact regions."""
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


def _result(problem: Problem, index: int) -> dict:
    return {
        "ruleId": problem.code,
        "ruleIndex": index,
        "level": problem.severity.label,
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _uri(problem.raw_file),
            "region": {"startLine": problem.line, "startColumn": problem.column},
        }}],
        "partialFingerprints": {"policylint/v1": problem.fingerprint},
        **({"suppressions": [{"kind": "inSource", "justification": problem.suppression}]}
           if problem.suppression is not None else {}),
    }


def _uri(path: str) -> dict:
    """An artifact location: relative to %SRCROOT% when the file is below the current
    directory, else an absolute file URI; the name's bytes, whatever they are, percent-encoded."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(os.fsencode(path)), "uriBaseId": "%SRCROOT%"}


def _artifact(file: str) -> dict:
    return {"physicalLocation": {"artifactLocation": _uri(file)}}


def render(report: Report) -> str:
    index = {rule.code: i for i, rule in enumerate(report.rules)}
    run = {
        "tool": {"driver": {
            "name": "policylint",
            "version": report.version,
            "semanticVersion": report.version,
            "informationUri": INFORMATION_URI,
            "rules": [_rule(r) for r in report.rules],
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.getcwd()).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": "policylint/"},
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [
                *({"level": "error", "message": {"text": f"internal error in {e.what}: {e.error}"},
                   **({"locations": [_artifact(e.file)]} if e.file else {})}
                  for e in report.errors),
                *({"level": "warning", "message": {"text": f"{p.file} was not linted: {p.message}"},
                   "locations": [_artifact(p.raw_file)]}
                  for p in report.problems if p.code == UNREADABLE_FILE.code),
            ],
        }],
        "results": [*(_result(p, index[p.code]) for p in [*report.problems, *report.suppressed]),
                    *({**_result(p, index[p.code]), "baselineState": "unchanged",
                       "suppressions": [{"kind": "external", "justification": "in the baseline"}]}
                      for p in report.baselined)],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
