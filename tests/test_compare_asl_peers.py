"""tools/compare_asl_peers.py without the peers: the broken copies it writes are what it
says they are, and policylint's side of the comparison is a real verdict."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import compare_asl_peers as tool  # noqa: E402

from policylint.engine import Engine  # noqa: E402

pytestmark = pytest.mark.slow  # sweeps of the peers' suites: not in the quick loop


def differences(a: object, b: object, at: tuple = ()) -> list[tuple]:
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for k in a for d in differences(a[k], b[k], (*at, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, (*at, i))]
    return [] if json.dumps(a) == json.dumps(b) else [at]  # JSON's equality: true is not 1


def test_sweep_changes_exactly_one_field_per_file(tmp_path: Path) -> None:
    bases = {p.stem: json.loads(p.read_text()) for p in sorted(tool.SWEEP.glob("*.json"))}
    files = tool.sweep(tmp_path)
    fields = sum(sum(1 for p in tool._paths(b) if p) for b in bases.values())
    assert fields * (len(tool.WRONG_VALUES) - 1) <= len(files) <= fields * len(tool.WRONG_VALUES)
    for file in files:
        variant = json.loads(Path(file).read_text())
        base = bases[Path(file).stem.split("-", 1)[1]]
        assert len(differences(base, variant)) == 1, file


def test_the_sweep_machines_are_valid_and_their_variants_mostly_are_not(tmp_path: Path) -> None:
    engine = Engine()
    for base in tool.SWEEP.glob("*.json"):
        assert tool.policylint_errors(engine, str(base)) == []
    verdicts = [bool(tool.policylint_errors(engine, f)) for f in tool.sweep(tmp_path)[::50]]
    assert sum(verdicts) > len(verdicts) / 2


def test_mutants_are_json_and_differ_from_their_workflow(tmp_path: Path) -> None:
    workflow = tool.SWEEP / "jsonpath.asl.json"
    files = tool.mutants([str(workflow)], 20, tmp_path)
    assert len(files) == 20
    original = json.loads(workflow.read_text())
    assert sum(json.loads(Path(f).read_text()) != original for f in files) >= 15


def test_a_file_that_is_not_a_state_machine_is_not_called_valid(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    assert tool.policylint_errors(Engine(), str(other)) == ["not read as a state machine"]
