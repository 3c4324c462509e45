"""The ASL field tables (policylint/rules/asl/spec.py) against cfn-lint's state machine schema:
the differences are exactly the ones spec.py documents, each one where the Step Functions
Developer Guide says otherwise. A cfn-lint release that fixes one fails this test, so the table
can then be taken from cfn-lint instead."""
import json
from pathlib import Path

from policylint.catalog import cfn_lint_data
from policylint.rules.asl import spec

# (state type, field): True where cfn-lint allows a field the guide does not document for the
# type, False where it refuses one the guide documents.
DISAGREEMENTS = {
    ("Choice", "Next"): True, ("Choice", "End"): True, ("Choice", "Arguments"): True,
    ("Pass", "Arguments"): True, ("Wait", "Arguments"): True, ("Map", "Arguments"): True,
    ("Fail", "Arguments"): True, ("Fail", "InputPath"): True, ("Fail", "OutputPath"): True,
    ("Fail", "Output"): True,
    ("Succeed", "InputPath"): False, ("Succeed", "OutputPath"): False, ("Succeed", "QueryLanguage"): False,
    ("Parallel", "Parameters"): False,
}


def _cfn_lint_fields() -> dict[str, set[str]]:
    schema = json.loads((Path(cfn_lint_data()) / "schemas" / "other" / "step_functions"
                         / "statemachine.json").read_text())
    return {kind: set(schema["definitions"][kind.lower()]["properties"]) for kind in spec.STATE_TYPES}


def test_cfn_lint_state_fields_differ_from_the_guide_only_where_spec_says():
    found = {}
    for kind, theirs in _cfn_lint_fields().items():
        ours = spec.FIELDS[kind] | spec.COMMON
        found.update({(kind, field): True for field in theirs - ours})
        found.update({(kind, field): False for field in ours - theirs})
    assert found == DISAGREEMENTS


def test_every_documented_disagreement_is_named_in_spec():
    text = Path(spec.__file__).read_text()
    for kind, field in DISAGREEMENTS:
        assert kind in text and field in text
