"""The value helpers every layer shares (policylint/values.py)."""
import pytest

from policylint.values import PLACEHOLDER, is_intrinsic, is_intrinsic_key, is_jsonata


@pytest.mark.parametrize("value, expected", [
    ("{% $states.input %}", True), ("{%%}", True), ("{%x%}", True),
    (" {% $x %}", False), ("{% $x %} ", False), ("{% $x", False), ("$x %}", False), ("{%}", False),
    ("", False), (None, False), (["{% $x %}"], False), ({"a": 1}, False),
])
def test_jsonata_is_a_whole_string_in_delimiters_as_step_functions_reads_it(value, expected):
    assert is_jsonata(value) is expected


@pytest.mark.parametrize("value, expected", [
    ({"Ref": "Role"}, True), ({"Fn::GetAtt": ["Role", "Arn"]}, True), ({"Fn::Sub": "x"}, True),
    ({"Ref": "A", "Other": 1}, False), ({"Fn": "x"}, False), ({"Refs": "x"}, False), ({}, False),
    ("Ref", False), (["Ref"], False), ({1: "x"}, False),
])
def test_intrinsic_is_one_key_ref_or_fn(value, expected):
    assert is_intrinsic(value) is expected


def test_intrinsic_key():
    assert is_intrinsic_key("Ref") and is_intrinsic_key("Fn::Join")
    assert not is_intrinsic_key("Fn") and not is_intrinsic_key("Reference") and not is_intrinsic_key(None)


def test_placeholder_names():
    assert PLACEHOLDER.findall("arn:${AWS::Partition}:states:::${Name}") == ["AWS::Partition", "Name"]
    assert PLACEHOLDER.fullmatch("${X}") and not PLACEHOLDER.search("${X")
