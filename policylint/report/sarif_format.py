"""SARIF 2.1.0: one run, every rule in tool.driver, results at exact regions."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from policylint.report import Problem, Report
from policylint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/policylint/policylint"


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.help.split("\n\n")[0]},
        "help": {"text": rule.help, "markdown": rule.help},
        "defaultConfiguration": {"level": rule.severity.label},
        "properties": {"tags": list(rule.tags)},
    }


def fingerprint(problem: Problem) -> str:
    """Stable across line moves and unrelated edits: rule, file, logical path (and, for
    findings with no logical path, the message)."""
    key = [problem.code, problem.file, [str(p) for p in problem.logical_path]]
    if not problem.logical_path:
        key.append(problem.message)
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]


def _result(problem: Problem, index: int) -> dict:
    return {
        "ruleId": problem.code,
        "ruleIndex": index,
        "level": problem.severity.label,
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(problem.file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": problem.line, "startColumn": problem.column},
        }}],
        "partialFingerprints": {"policylint/v1": fingerprint(problem)},
    }


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
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [{
                "level": "error",
                "message": {"text": f"internal error in {e.what}: {e.error}"},
                **({"locations": [{"physicalLocation": {"artifactLocation": {
                    "uri": quote(e.file.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}}}]}
                   if e.file else {}),
            } for e in report.errors],
        }],
        "results": [_result(p, index[p.code]) for p in report.problems],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
