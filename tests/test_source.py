"""Positions: the JSON locator (no YAML import on JSON files) agrees with the YAML composer."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import paths

import policylint.source as source_module
from policylint.source import Source

SAMPLES = ["aws__amazon-states-language-service/extracted/json/documentValidAslImprovements.asl.json",
           "ChristopheBougere__asl-validator/src/__tests__/definitions/valid-map-distributed.asl.json",
           "aws-samples__serverless-patterns/extracted/sfn-bedrockagentcore-harness.asl.json"]


def by_yaml(text: str, path: tuple, at: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    with monkeypatch.context() as patch:
        patch.setattr(source_module, "json_locate", lambda *args: None)
        return Source("x.json", text).locate(path, at)


@pytest.mark.parametrize("sample", SAMPLES)
def test_json_locator_matches_yaml_composer(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    text = (Path(__file__).with_name("peers") / sample).read_text()  # copies of corpus files
    source = Source("x.json", text)
    for path in paths(json.loads(text)):
        for at in ("key", "value"):
            assert source.locate(path, at) == by_yaml(text, path, at, monkeypatch), (path, at)


def test_missing_steps_stop_at_the_nearest_ancestor(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '{\n  "a": {"b": [1, {"c": "d"}]},\n  "a": {"b": [2]}\n}'
    source = Source("x.json", text)
    for path in [("a", "b", 0), ("a", "b", 5), ("a", "nope"), ("zzz",), ()]:
        assert source.locate(path) == by_yaml(text, path, "key", monkeypatch)


@pytest.mark.parametrize("block", [">", ">-", ">+"])
def test_offsets_in_a_folded_block_scalar(block: str) -> None:
    """Each line's text, one character between two lines, a blank line standing for it and
    each further blank line adding one: every character is placed where it is written."""
    import yaml

    from policylint.source import raw_offset

    text = f"a: {block}\n  one two\n  three $X\n\n  four $Y\n\n\n  five $Z\n    more $W\nb: 1\n"
    node = yaml.compose(text).value[0][1]
    for name in ("$X", "$Y", "$Z", "$W"):
        raw = raw_offset(text, node, node.value.index(name))
        assert raw is not None and text[raw:raw + 2] == name


def test_keys_are_counted_in_objects_at_any_depth() -> None:
    """The count that clears most JSON texts of duplicate keys: every object's keys, in
    arrays and objects at any depth; a scalar document has none."""
    from policylint.source import _count_keys

    assert _count_keys({"a": [1, {"b": 2, "c": [{}, {"d": None}]}], "e": "x"}) == 5
    assert _count_keys([[{"a": 1}], "s", 2]) == 1
    assert _count_keys("text") == _count_keys(5) == _count_keys(None) == 0
