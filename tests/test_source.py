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


# A string value written in each YAML/JSON style; "a" holds it. Every character of the value is
# placed on the character written for it (an escape on its backslash, a folded line break on the
# newline).
STYLES = {
    "plain": "a: one ${X}two\nb: 1\n",
    "double": 'a: "t\\u00e9 \\x41\\U0001F600 \\n\\"q\\\\ ${X}"\nb: 1\n',
    "single": "a: 'it''s ''${X}'''\nb: 1\n",
    "literal": "x: a|b\na: |\n  one\n    two ${X}\n  three\nb: 1\n",  # a | before the block's
    "literal-indented": "- a: |2\n    \n     one ${X}\n    two\n",  # the indicator: 2 more than the item's
    "folded": "a: >-\n  one\n\n  two\n   ${X} x\n",
    "folded-indented": "- a: >2\n     one ${X}\n    two\n",
    "json": '{"b": 1,\n "a": "x\\u00e9\\t\\/ ${X}"}',
}


@pytest.mark.parametrize("style", STYLES)
def test_every_character_of_a_string_value_is_placed_where_it_is_written(style: str) -> None:
    import yaml

    text = STYLES[style]
    data = yaml.safe_load(text)
    path: tuple = (0, "a") if isinstance(data, list) else ("a",)
    value = data[0]["a"] if isinstance(data, list) else data["a"]
    source = Source("x.yaml", text)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    raws = []
    for offset, char in enumerate(value):
        line, column = source.scalar_position(path, offset)
        raw = starts[line - 1] + column - 1
        assert text[raw] in (char, "\\", "\n" if style.startswith("folded") else char), (offset, char)
        raws.append(raw)
    assert raws == sorted(set(raws))
    assert text[raws[value.index("${X}")]:][:4] == "${X}"


@pytest.mark.parametrize(("text", "at"), [
    ('a: "one\n  two ${X}"\n', (1, 4)),  # a quoted scalar over two lines: its start
    ("a: one\n  two ${X}\n", (1, 4)),  # a plain one over two lines
    ("a: !Sub one ${X}\n", (1, 4)),  # a short-form intrinsic: the tag
])
def test_a_scalar_that_cannot_be_mapped_character_by_character_is_placed_at_its_start(
        text: str, at: tuple[int, int]) -> None:
    assert Source("x.yaml", text).scalar_position(("a",), 8) == at


YAML = "a:\n  b: 1\n  c:\n    - x\n    - y\n  s: !Sub z\n"


@pytest.mark.parametrize(("path", "at", "where"), [
    (("a", "b"), "key", (2, 3)), (("a", "b"), "value", (2, 6)), (("a", "c", 1), "value", (5, 7)),
    (("a", "c", 1), "key", (5, 7)), (("a", "c", 2), "key", (3, 3)), (("a", "s", "Fn::Sub"), "value", (6, 6)),
    (("a", "s", "Fn::Sub"), "key", (6, 3)), (("a", "zz", 3), "key", (1, 1)), (("a", "zz"), "value", (2, 3)),
    (("Fn::Sub",), "key", (1, 1)),
])
def test_keys_values_and_items_in_yaml(path: tuple, at: str, where: tuple[int, int]) -> None:
    """A list item has no key (both are the item); a missing step or index stops at its parent;
    ``Fn::Sub`` is the ``!Sub`` tag of the node, not a step."""
    assert Source("x.yaml", YAML).locate(path, at) == where


@pytest.mark.parametrize(("data", "too_large"), [
    ({"a": [1, {"b": 2}]}, False), ({"a": [1, {"b": 2, "c": 3}]}, True), ([[[[]]], 1], False), ("x", False),
])
def test_a_document_past_the_node_limit_is_too_large(data: object, too_large: bool) -> None:
    """Every container and scalar is a node; the limit itself is allowed."""
    from policylint.source import TooLarge, check_expansion

    try:
        check_expansion(data, 5)
    except TooLarge:
        assert too_large
    else:
        assert not too_large


@pytest.mark.parametrize("text", ["", "a", "\n", "ab\ncd\n\nef", "x\r\ny\n", "\n\nlast line"])
def test_positions_counted_in_the_text_are_those_of_the_table_of_lines(text: str) -> None:
    counted, tabled = Source("a.yaml", text), Source("b.yaml", text)
    tabled._lines()
    for index in range(len(text) + 1):
        counted._counted = 0  # every index counted, none from a table
        assert counted.position_of_index(index) == tabled.position_of_index(index), index
    assert counted._line_starts is None


def test_a_file_asked_many_positions_makes_a_table_of_its_lines() -> None:
    text = "a\nbb\nccc\n"
    source = Source("a.yaml", text)
    assert [source.position_of_index(i) for i in range(len(text))] == \
        [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3), (3, 4)]
    assert source._line_starts == [0, 2, 5, 9]  # made at the ninth
    counted = Source("b.yaml", text)
    assert [counted.position_of_index(i) for i in range(8)][-1] == (3, 3)
    assert counted._line_starts is None  # eight counted in the text
    source.release()
    assert source._line_starts is None and source.position_of_index(4) == (2, 3)
