"""The lean YAML constructor gives exactly what PyYAML's safe constructor gives: the same
values of the same types in the same order, the same shared objects, the same keys written
twice in the same order, the same errors; and it keeps the node tree of what it read."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS, position_of, write

from policylint.yaml_data import load_yaml, template_loader, yaml_loader

TESTS = Path(__file__).parent


def pyyaml(text: str, short_forms: bool) -> tuple[Any, list]:
    reader = (template_loader() if short_forms else yaml_loader())(text)
    try:
        return reader.get_single_data(), reader.duplicates
    finally:
        reader.dispose()


def outcome(load: Any) -> tuple:
    """What a load gave, strictly (``repr`` tells 1, 1.0 and True apart, and keeps order)."""
    try:
        data, duplicates = load()[:2]
    except Exception as error:
        return type(error).__name__, str(error)
    return repr(data), duplicates


def same(text: str, short_forms: bool) -> Any:
    """The tree the lean constructor kept (None when PyYAML's read the text), once both
    constructors are seen to agree on ``text``."""
    kept: list = []  # the lean load, read once: its outcome is compared, its tree returned

    def lean() -> Any:
        kept.append(load_yaml(text, short_forms))
        return kept[0]

    assert outcome(lean) == outcome(lambda: pyyaml(text, short_forms))
    return kept[0][2] if kept else None


YAML_FILES = sorted(p for folder in (CORPUS, TESTS) for p in folder.rglob("*")
                    if p.suffix in (".yaml", ".yml") and p.is_file())


@pytest.mark.slow  # the whole corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_every_yaml_file_of_the_corpus_and_the_tests_loads_the_same_both_ways() -> None:
    kept = 0
    for path in YAML_FILES:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        same(text, False)
        kept += same(text, True) is not None
    assert len(YAML_FILES) > 400
    assert kept > 0.95 * len(YAML_FILES)  # the lean constructor read them, not PyYAML's


SCALARS = """\
words: [true, True, TRUE, false, yes, no, on, off, y, n, Yes, ~, null, Null, NULL, '', "1", '1.5']
empty:
ints: [0, 7, -7, +7, 0o7, 012, 0x1F, -0x1f, 0b101, 1_000, '3', 190:20:30, 08]
floats: [1.5, -1.5, 1e3, 1.0e+3, .5, .inf, -.Inf, .NaN, 190:20:30.15, 1_000.5, 6.8523015e+5]
dates: [2024-01-01, 2012-10-17, 2001-12-14t21:59:43.10-05:00]
tagged: [!!str 1, !!int "7", !!float "1", !!bool "yes", !!null "", !!str true]
block: |
  two
  lines
folded: >
  one
  line
keys: {1: int, 1.5: float, true: bool, ~: null, "2": str, 2: int}
"""


@pytest.mark.parametrize("short_forms", [False, True])
def test_scalars_of_every_core_type_read_as_pyyaml_reads_them(short_forms: bool) -> None:
    assert same(SCALARS, short_forms) is not None
    data = load_yaml(SCALARS, short_forms)[0]
    assert data["words"][:5] == [True, True, True, False, "yes"] and data["words"][11:13] == [None, None]
    assert data["dates"][0] == "2024-01-01"
    assert type(data["floats"][2]) is str  # 1e3: no dot, no YAML 1.1 float


TEMPLATE = """\
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Condition: IsProd
    Properties:
      RoleArn: !GetAtt Role.Arn
      Name: !Sub
        - "${Stack}-flow"
        - Stack: !Ref AWS::StackName
      Tags: !If [IsProd, [{Key: a, Value: b}], !Ref AWS::NoValue]
      Definition: !Transform {Name: Include, Parameters: {Location: s3://b/k}}
      Arn: !Join [":", [!Ref AWS::Partition, !Select [0, !Split [",", !GetAZs ""]]]]
      Odd: !GetAtt [Role, Arn]
      Number: !Ref 123
"""


def test_short_forms_read_as_the_intrinsics_they_stand_for() -> None:
    assert same(TEMPLATE, True) is not None
    props = load_yaml(TEMPLATE, True)[0]["Resources"]["Flow"]["Properties"]
    assert props["RoleArn"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["Name"] == {"Fn::Sub": ["${Stack}-flow", {"Stack": {"Ref": "AWS::StackName"}}]}
    assert props["Number"] == {"Ref": "123"}


def test_short_forms_without_the_template_loader_are_pyyamls_error() -> None:
    assert same(TEMPLATE, False) is None
    with pytest.raises(Exception, match="could not determine a constructor for the tag '!Equals'"):
        load_yaml(TEMPLATE, False)


DUPLICATES = """\
a: 1
b: !Sub {x: 1, x: 2, y: {z: 1, z: 2}}
a: 2
c: [{d: 1, d: 2}, !If [c, {e: 1, e: 2}, {}]]
f: {g: 1, g: 2}
1: one
true: also one
"""


@pytest.mark.parametrize("text", [DUPLICATES, "{a: 1, a: 2}", "a: &x {k: 1, k: 2}\nb: *x\nb: *x\n"])
def test_keys_written_twice_are_found_in_pyyamls_order(text: str) -> None:
    assert same(text, True) is not None


def test_keys_written_twice_are_those_of_the_same_type_and_text() -> None:
    data, duplicates, _ = load_yaml(DUPLICATES, True)
    # PyYAML's order: the top level, a short form's whole value when met, then a level at a time
    assert [key for key, _, _ in duplicates] == ["a", "x", "z", "e", "g", "d"]
    assert data[1] == "also one" and data["a"] == 2  # true == 1: one key, the last value


ALIASES = """\
base: &base {Type: Pass, Next: B}
list: &list [1, 2]
copy: *base
again: [*list, *base]
ref: &ref !Ref Thing
refs: [*ref, *ref]
inside: !Sub [x, {a: *base}]
"""


def test_aliases_share_one_object_as_pyyamls_do() -> None:
    assert same(ALIASES, True) is not None
    data = load_yaml(ALIASES, True)[0]
    assert data["copy"] is data["base"] and data["again"][1] is data["base"]
    assert data["again"][0] is data["list"] and data["refs"][0] is data["refs"][1] is data["ref"]
    assert data["inside"]["Fn::Sub"][1]["a"] is data["base"]


@pytest.mark.parametrize("text", [
    "a: &a [1, *a]\n",  # a list that holds itself
    "a: &a {k: *a}\n",
    "a: &a {k: !Sub [*a]}\n",  # made before the short form needs it
])
def test_a_container_may_hold_itself_as_in_pyyaml(text: str) -> None:
    assert same(text, True) is not None


@pytest.mark.parametrize("text", [
    "a: !Sub &a [*a]\n",  # a short form that holds itself: PyYAML refuses it
    "a: !Sub [&a [*a]]\n",  # so does it inside one (built whole there)
    "base: &b {x: 1}\nmerged: {<<: *b, y: 2}\n",  # a merge key
    "a: !!set {x, y}\nb: !!omap [x: 1]\nc: !!binary aGVsbG8=\nd: !!timestamp 2024-01-01\n",
    "? [a, b]\n: c\n",  # a key that is no scalar
    "!Ref a: b\n",
    "a: !!map [x]\n",
    "a: !!int x\n",
    "a: !!bool maybe\n",
    "a: !!str [x]\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n",
    "a: " + "!Sub [" * 60 + "x" + "]" * 60 + "\n",  # short forms nested deep
])
def test_what_the_lean_constructor_leaves_to_pyyaml_reads_as_before(text: str) -> None:
    assert same(text, True) is None


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "plain", "[1, 2]",
                                  "a: " + "[" * 200 + "]" * 200, "a: [b\n", "a: 1\n---\nb: 2\n"])
def test_documents_of_any_shape_read_the_same(text: str) -> None:
    same(text, True)


def test_the_tree_kept_is_the_one_read() -> None:
    tree = load_yaml("a:\n  b: !Ref c\n", True)[2]
    key, value = tree.value[0]
    assert key.value == "a" and value.value[0][1].tag == "!Ref"
    assert value.value[0][1].start_mark.line == 1


FLOW = """\
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Pass, Next: Missing}
"""


def test_trees_past_the_runs_budget_are_let_go_and_positions_are_still_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint import engine

    files = [str(write(tmp_path / f"{name}.yaml", FLOW)) for name in ("a", "b")]
    reading = engine.Reading({}, frozenset(), None, None)
    monkeypatch.setattr(engine, "MAX_KEPT_TREES", len(FLOW))
    first, second = (record.documents[0].source for record in
                     engine._load_files(files, reading, engine.Engine().frontends))
    assert first.tree is not None and second.tree is None  # the second is past the budget
    assert first.locate(("Resources", "Flow", "Properties", "Definition", "States", "A", "Next"), "value") \
        == second.locate(("Resources", "Flow", "Properties", "Definition", "States", "A", "Next"), "value") \
        == position_of(FLOW, "Missing")


def test_a_text_written_many_times_is_one_string() -> None:
    """Keys and values, in sequences and in short forms: each text is one string object
    however often a template writes it (``Type``, ``Allow``, an ARN), so a run holds one copy
    and a worker process sends it back once."""
    import sys

    text = "Allow: x\nA:\n  Effect: Allow\n  Items: [Allow]\n  Ref: !Ref Allow\n" \
           "  Sub: !Sub [Allow, {Allow: Allow}]\n  Join: !Join [',', [Allow]]\n"
    data = load_yaml(text, True)[0]
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found += [k for k in value if k == "Allow"]
            stack += value.values()
        elif isinstance(value, list):
            stack += value
        elif value == "Allow":
            found.append(value)
    assert len(found) == 8 and all(s is sys.intern("Allow") for s in found)
    assert load_yaml("Allow", False)[0] is sys.intern("Allow")
