"""Property-based: random and mutated ASL, IAM, harness and template documents never crash
policylint, every finding points inside its file, output is deterministic, and ignoring
every code that fired leaves a clean exit."""
from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from agentcore import harness_api, statement, trust, whole_template, workflow_policy
from forms import machine
from helpers import paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.cli import main
from policylint.config import Config
from policylint.engine import Engine
from policylint.report import build_report

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated documents: not in the quick loop

ENGINE = Engine()
TRICKY = ["$", "$.x", "$$.Execution.Id", "$var", "$.a[*]", "$..b", "{% $states.input %}", "{% 1 + %}",
          "States.Format('{}', $.a)", "States.Array(", "*", "arn:aws:iam::*:role/*", "", "States.ALL",
          "bedrock-agentcore:*", "iam:PassRole", "arn:aws:states:::bedrockagentcore:invokeHarness",
          "${Placeholder}", "Allow", "Deny", "Task", "Choice", "Map", "JSONata", "http://mcp",
          "sk-live-1234567890"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10_000), st.floats(allow_nan=False, width=32),
                    st.sampled_from(TRICKY), st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(TRICKY + ["Type", "Next", "End", "Resource",
                                                                         "Statement", "Effect", "tools"]),
                                                 inner, max_size=3)), max_leaves=8)


def template_dict() -> dict[str, Any]:
    path = os.path.join(tempfile.mkdtemp(), "t.yaml")
    whole_template(Path(path))
    with open(path) as handle:
        return yaml.safe_load(handle)


SEEDS = {
    "asl-jsonpath": machine("JSONPath"), "asl-jsonata": machine("JSONata"),
    "policy": {"Version": "2012-10-17", "Statement": [*workflow_policy()["Statement"],
                                                       statement(["iam:PassRole"], "*")]},
    "trust": trust("bedrock-agentcore.amazonaws.com"), "harness": harness_api(),
    "template": template_dict(),
}


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(sorted(SEEDS)))
    data = copy.deepcopy(SEEDS[kind])
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(list(paths(data))))
        if not where:
            continue
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(TRICKY))] = draw(VALUES)
        else:
            parent[where[-1]] = draw(VALUES)
    if draw(st.booleans()):
        return f"{kind}.json", json.dumps(data, indent=draw(st.sampled_from([None, 2])))
    return f"{kind}.yaml", yaml.safe_dump(data, sort_keys=False)


def lint(directory: str, *args: str) -> tuple[int, str]:
    out = os.path.join(directory, "report.json")
    code = main(["check", directory, "--format", "json", "--output", out, *args])
    with open(out) as handle:
        text = handle.read()
    os.unlink(out)
    return code, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_mutated_documents(document: tuple[str, str]) -> None:
    name, text = document
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, name)
        with open(path, "w") as handle:
            handle.write(text)
        outcome = ENGINE.run([path], Config())
        assert outcome.errors == [], outcome.errors
        report = build_report(outcome, ENGINE.rules)
        lines = text.count("\n") + 1
        for problem in report.problems:
            assert 1 <= problem.line <= lines + 1 and problem.column >= 1, problem
        code, first = lint(directory)
        assert lint(directory) == (code, first)  # same input, same bytes
        fired = sorted({f["code"] for f in json.loads(first)["findings"]})
        if fired:
            code, quiet = lint(directory, "--ignore", ",".join(fired))
            assert code == 0 and json.loads(quiet)["findings"] == []


WRONG = [True, 7, 1.5, "x", "", [], {}, None, ["x"], {"x": 1}, "*"]
# A value of each JSON type, and every branch of policylint the eleven reach on the template
# (branch coverage of each value alone, 2026-12-05): 1.5, "x", [] and {} reach none the rest
# miss. What the template holds (a state machine, policies, a harness) is linted with all
# eleven as kinds of its own.
TEMPLATE_WRONG = [True, 7, "", "*", None, ["x"], {"x": 1}]


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_every_value_of_every_wrong_type(tmp_path: Path, kind: str) -> None:
    """Exhaustive where hypothesis samples: each value of the seed, in turn, of each wrong type
    (a file each, linted in one run: a rule's error names the file it failed on)."""
    variants: dict[str, tuple[tuple, object]] = {}
    for where in [p for p in paths(SEEDS[kind]) if p]:
        for value in TEMPLATE_WRONG if kind == "template" else WRONG:
            data = copy.deepcopy(SEEDS[kind])
            parent = data
            for step in where[:-1]:
                parent = parent[step]
            parent[where[-1]] = value
            path = tmp_path / f"{kind}-{len(variants)}.json"
            path.write_text(json.dumps(data))
            variants[str(path)] = (where, value)
    report = build_report(ENGINE.run(list(variants), Config()), ENGINE.rules)
    assert report.problems  # the variants were linted
    # a rule, the index or placing a finding failed on none of them
    assert [(variants.get(error.file), error) for error in report.errors] == []
