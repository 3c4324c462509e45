"""The real-world corpus: no crash, no parse complaint on files that parse, stable counts.

``corpus_counts.json`` records the findings per rule on ../shared/corpus; each hit was
judged when it was recorded. A change in a count must be a change you meant: look at the
new hits, then update the file (``python tests/test_corpus.py`` prints the new counts).
"""
from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from helpers import CORPUS

from policylint.config import Config
from policylint.discover import discover
from policylint.engine import Engine
from policylint.report import Report, build_report, sarif_format

COUNTS = Path(__file__).with_name("corpus_counts.json")
pytestmark = [pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here"),
              pytest.mark.slow]  # the whole corpus: not in the quick loop


def lint_corpus() -> Report:
    engine = Engine()
    return build_report(engine.run(discover([str(CORPUS)]), Config()), engine.rules)


@pytest.fixture(scope="module")
def report() -> Report:
    return lint_corpus()


def manifest() -> dict[str, dict[str, str]]:
    with open(CORPUS / "MANIFEST.tsv", newline="") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


def relative(file: str) -> str:
    return os.path.relpath(os.path.abspath(file), CORPUS).replace(os.sep, "/")


def test_no_internal_error(report: Report) -> None:
    assert report.errors == []
    assert len(report.kinds) > 1000 and report.files > 900


def test_files_that_parse_get_no_parse_finding(report: Report) -> None:
    rows = manifest()
    complaints = {relative(p.file) for p in report.problems if p.code in ("PL001", "PL002")}
    for path in complaints:
        row = rows[path]
        assert "parse=ok" not in row["note"] or row["kind"] in ("cfn", "sam"), path
    # Keys written twice: templates CloudFormation rejects, and the language service's own
    # duplicate-key case. Each is PL006 and the rest of the file is still linted.
    duplicates = {relative(p.file) for p in report.problems if p.code == "PL006"}
    assert len(duplicates) == 9
    assert all(rows[d]["kind"] in ("cfn", "sam") or "DuplicateKey" in d for d in duplicates)
    linted = {relative(p.file) for p in report.problems if p.code.startswith(("IAM", "SFN"))}
    assert "aws-samples__step-functions-workflows-collection/cqrs/template.yaml" in linted


def test_agent_rules_on_the_real_agent_workflow(report: Report) -> None:
    agent = [(relative(p.file), p.code) for p in report.problems if p.code.startswith("AGT")]
    # The AWS sample sets the harness timeout (600 s) but no task TimeoutSeconds.
    assert agent == [("aws-samples__serverless-patterns/extracted/sfn-bedrockagentcore-harness.asl.json",
                      "AGT302")]


def test_a_sarif_of_the_corpus_passes_every_upload_rule(report: Report,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub's upload rules (test_github_sarif.py) on a log of a real repository's size,
    written as `policylint check . --format sarif` in the corpus writes it."""
    from test_github_sarif import upload_problems  # here: `python tests/test_corpus.py` has no sarif/

    monkeypatch.chdir(CORPUS)
    text = sarif_format.render(report)
    assert len(json.loads(text)["runs"][0]["results"]) > 1000
    assert upload_problems(text) == []


def test_counts_per_rule_are_stable(report: Report) -> None:
    counts = Counter(p.code for p in report.problems)
    assert dict(sorted(counts.items())) == json.loads(COUNTS.read_text())


def test_jobs_give_the_same_report_and_every_share_can_be_sent(report: Report) -> None:
    """What a worker sends back must pickle, views that travel included: else its share is
    loaded again in the main process, silently (--jobs would only add work)."""
    import pickle

    from policylint.engine import _HOST, Reading, Spellings, _load_and_lint

    engine, files = Engine(), discover([str(CORPUS)])
    two = build_report(engine.run(files, Config(), jobs=2), engine.rules)
    assert [(p.file, p.line, p.column, p.code, p.message) for p in two.problems] == \
        [(p.file, p.line, p.column, p.code, p.message) for p in report.problems]
    _HOST[:] = [engine, -1]  # as in a worker: another process's engine
    try:
        codes = tuple(r.code for r in engine.rules.values() if r.scope == "document" and not r.cross_file)
        share = _load_and_lint(files, codes, Reading({}, frozenset(), None, None, Spellings(tuple(files))),
                               Config(), apart=True)
    finally:
        _HOST.clear()
    sent = pickle.loads(pickle.dumps(share, pickle.HIGHEST_PROTOCOL))
    assert sum(len(r.documents) for b in sent for r in b.loaded) > 1000
    assert any(d._views for b in sent for r in b.loaded for d in r.documents)


if __name__ == "__main__":
    print(json.dumps(dict(sorted(Counter(p.code for p in lint_corpus().problems).items())), indent=2))
