"""Parity with statelint's successors: every peer verdict in ../shared/corpus (asl-validator,
the AWS ASL language service, cfn-lint's E3601 cases) against policylint's ASL verdict; and
the same on the sample committed in tests/peers, which runs on every clone.

A file is invalid for policylint when it gets any ASL1xx finding, or PL001/PL002.
``DISAGREEMENTS`` lists every file where policylint knowingly differs, and why policylint
is right; the test fails on any other disagreement.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import CORPUS

from policylint.config import Config
from policylint.engine import Engine

SAMPLE = Path(__file__).with_name("peers")
LS = "aws__amazon-states-language-service/extracted/"
AV = "ChristopheBougere__asl-validator/src/__tests__/definitions/"
E3601 = "aws-cloudformation__cfn-lint/extracted/e3601/"
DISAGREEMENTS = {
    AV + "invalid-jsonata-surround-syntax-no-spaces.json":
        "{%10%} is a JSONata expression to Step Functions: AWS samples in this corpus deploy "
        "'{%$lowercase(...) %}' (bedrock-evaluations-sam) and '{% $states.input%}' "
        "(distributed-data-stream-aggregator, app-meeting-summarization, getfunctionstatus)",
    AV + "invalid-json-surround-syntax-extra-spaces.json":
        "whitespace (a newline) inside {% %} is JSONata whitespace: nothing in the Step Functions "
        "documentation asks for exactly one space, and multi-line {%\\n ... \\n%} expressions "
        "deploy (aws/aws-cdk#35912, a p1 bug against CDK's own stricter check)",
    AV + "valid-map-with-item-batcher-jsonata.json":
        "a JSONPath state under a JSONata top-level QueryLanguage: validate-state-machine-definition "
        "answers \"'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state "
        "machine\" (measured in floci-io/floci#2968); the CDK docs and cfn-lint (E3601 case 14) agree",
    E3601 + "03-error-handling.json":
        "the Definition string has a trailing comma: not JSON; cfn-lint skips strings it cannot parse",
    E3601 + "07-choices.json":
        "four states go to 'NextState', which does not exist: the definition is rejected",
    LS + "json/documentSucceedFailTerminalState.asl.json":
        "state 'Second' is defined three times in nested scopes; names are unique across the whole "
        "state machine",
    LS + "yaml/documentSucceedFailTerminalState.asl.yaml": "the same definition in YAML",
    LS + "json/documentTaskInvalidArn.asl.json":
        "Resource 'InvalidArn' is not an ARN: CreateStateMachine rejects it (the language service "
        "does not check ARNs, as the file name says)",
    LS + "yaml/documentTaskInvalidArn.asl.yaml": "the same definition in YAML",
    LS + "yaml/documentTaskValidVariableSubstitution.asl.yaml":
        "Resource '$variableName' is not an ARN (nor a ${...} placeholder)",
    LS + "yaml/documentValidParametersIntrinsicFunction.asl.yaml":
        "States.Format($.template $.firstName $.lastName) has no commas between its arguments",
    LS + "yaml/documentValidResultSelectorIntrinsicFunction.asl.yaml": "the same missing commas",
}


def peer_rows(root: Path) -> list[dict[str, str]]:
    with open(root / "MANIFEST.tsv", newline="") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t") if r["kind"].startswith("peer")]


def policylint_says_invalid(engine: Engine, path: Path, tmp: Path) -> bool:
    if path.parent.name == "e3601":  # state machine Properties: lint them inside a template
        properties = json.loads(path.read_text())
        path = tmp / path.name
        path.write_text(json.dumps({"Resources": {"M": {
            "Type": "AWS::StepFunctions::StateMachine", "Properties": properties}}}))
    outcome = engine.run([str(path)], Config(select=("ASL", "PL001", "PL002")))
    assert outcome.errors == []
    return bool(outcome.findings)


@pytest.mark.parametrize("root, at_least, agreeing", [
    pytest.param(CORPUS, 250, 0.95,
                 marks=pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")),
    pytest.param(SAMPLE, 60, 0.8, id="committed-sample"),  # it holds every disagreement
])
def test_peer_verdicts(tmp_path: Path, root: Path, at_least: int, agreeing: float) -> None:
    engine = Engine()
    rows = peer_rows(root)
    assert len(rows) >= at_least
    disagree = {r["path"] for r in rows
                if policylint_says_invalid(engine, root / r["path"], tmp_path)
                != (r["kind"] == "peer-invalid")}
    assert disagree == set(DISAGREEMENTS), sorted(disagree ^ set(DISAGREEMENTS))
    agreement = 1 - len(disagree) / len(rows)
    assert agreement >= agreeing, agreement
