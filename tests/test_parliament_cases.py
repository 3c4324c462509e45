"""The policies of tools/parliament-cases, compared with parliament in the docs: here,
what policylint reports on each is pinned (parliament itself is not a dependency)."""
from __future__ import annotations

from pathlib import Path

import pytest

from policylint.config import Config
from policylint.engine import Engine

CASES = Path(__file__).resolve().parents[1] / "tools" / "parliament-cases"
EXPECTED = {
    "01-clean-least-privilege": [],
    "02-typo-in-action": ["IAM508"],
    "03-unknown-service": ["IAM508"],
    "04-agentcore-invoke-one-harness": [],
    "05-agentcore-wildcard": ["IAM501", "IAM502", "IAM518"],
    "06-object-action-on-bucket": ["IAM512"],
    "07-list-all-buckets-on-arn": ["IAM512"],
    "08-unknown-condition-key": ["IAM513"],
    "09-string-operator-on-bool-key": ["IAM514"],
    "10-unknown-operator": ["IAM514"],
    "11-bad-sid": ["IAM515"],
    "12-duplicate-sid": ["IAM515"],
    "13-no-version": ["IAM516"],
    "14-old-version": ["IAM516"],
    "15-passrole-star": ["IAM507", "IAM518"],
    "16-escalation-lambda": ["IAM507", "IAM517", "IAM518"],
    "17-escalation-policy-version": ["IAM517", "IAM518"],
    "18-admin-star": ["IAM502", "IAM517"],
    "19-allow-notaction": ["IAM511"],
    "20-broad-write-on-star": ["IAM518"],
    "21-malformed-effect": ["IAM509"],
    "22-action-and-notaction": ["IAM509", "IAM511", "IAM521"],
    "23-foranyvalue-and-null": ["IAM518"],
    "24-wildcard-in-arn": [],
    "25-tool-actions-memory": [],
    "26-public-bucket-policy": ["IAM519"],
    "27-condition-value-types": ["IAM514"],
    "28-resource-policy-escalation": ["IAM517"],
    "29-no-statement": ["IAM509"],
    "30-star-in-effect": ["IAM518"],
    "31-deny-everything-beside-allow": [],
}


@pytest.mark.parametrize("name", EXPECTED)
def test_policylint_on_the_comparison_policies(name: str) -> None:
    outcome = Engine().run([str(CASES / f"{name}.json")], Config())
    assert sorted({f.code for f in outcome.findings}) == EXPECTED[name]


def test_every_case_is_pinned() -> None:
    assert sorted(p.stem for p in CASES.glob("*.json")) == sorted(EXPECTED)
