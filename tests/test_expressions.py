"""The expression parsers: JSONPath (paths and reference paths), intrinsic functions, JSONata."""
from __future__ import annotations

import pytest

from policylint.expressions import intrinsic_problem, jsonata_problem, jsonata_reads, path_problem


@pytest.mark.parametrize("text", [
    "$", "$.a", "$.a.b[0]", "$.a[-1]", "$['a b']", "$.a[*].b", "$..b", "$.a[1:3]", "$.a[0,2]",
    "$.a[?(@.price < 10)]", "$$.Execution.Id", "$myVar.field", "$.with-hyphen", "$.[0]",
    "$.${Substituted}.name", "$.a ",
])
def test_valid_paths(text: str) -> None:
    assert path_problem(text) is None


@pytest.mark.parametrize("text, why", [
    ("", "must start with '$'"), ("a.b", "must start with '$'"), ("$.", "field name is missing"),
    ("$...", "field name is missing"), ("$.a[", "unclosed '['"), ("$.a[x]", "bad index"),
    ("$.a b", "unexpected ' '"),
])
def test_invalid_paths(text: str, why: str) -> None:
    problem = path_problem(text)
    assert problem is not None and why in problem


@pytest.mark.parametrize("text, why", [
    ("$.a[*]", "[*]"), ("$..a", "'..'"), ("$.a[?(@.x)]", "filters"), ("$.a[1:2]", "[1:2]"),
])
def test_reference_paths_have_no_wildcards_or_filters(text: str, why: str) -> None:
    assert path_problem(text) is None
    problem = path_problem(text, reference=True)
    assert problem is not None and why in problem


def test_reference_path_without_context_or_variables() -> None:
    assert "context object" in (path_problem("$$.Task.Token", reference=True, context=False) or "")
    assert "variable" in (path_problem("$foo", reference=True, variables=False) or "")


@pytest.mark.parametrize("text", [
    "States.Format('{} and {}', $.a, $.b)", "States.Array()", "States.UUID()",
    "States.JsonToString($)   ", "States.ArrayGetItem(States.Array(1, 2), 0)",
    "States.Format('it\\'s {}', $$.Execution.Name)", "States.MathRandom(1, 99)",
    "States.StringToJson($myVar)",
])
def test_valid_intrinsics(text: str) -> None:
    assert intrinsic_problem(text) is None


@pytest.mark.parametrize("text, why", [
    ("States.JsonToString($", "expected ',' or ')'"), ("States. ", "expected States.<Function>("),
    ("States.StringToJson $.x)", "expected '('"), ("States.Hash($.a)", "takes 2 arguments, not 1"),
    ("States.Format('unclosed)", "unclosed string"), ("States.Array(1) extra", "unexpected text"),
    ("States.MathAdd($.a, 'x')", "must be a number or a path"),
])
def test_invalid_intrinsics(text: str, why: str) -> None:
    problem = intrinsic_problem(text)
    assert problem is not None and why in problem, problem


def test_string_only_intrinsics() -> None:
    assert intrinsic_problem("States.Format('{}', $.a)", string_only=True) is None
    assert "does not return a string" in (intrinsic_problem("States.Array($.a)", string_only=True) or "")


@pytest.mark.parametrize("text", ["{% $states.input.a + 1 %}", "{%$lowercase('A') %}",
                                  "{% $count($states.input.items) > 3 ? 'many' : 'few' %}"])
def test_valid_jsonata(text: str) -> None:
    assert jsonata_problem(text) is None


@pytest.mark.parametrize("text, why", [
    ("{% %}", "empty"), ("{% (1 + 2 %}", "invalid JSONata"), ("10 %}", "not a JSONata expression"),
    ("{% 10 %", "not a JSONata expression"), ("{% $.store.book[?(@.price < 10)] %}", "invalid JSONata"),
])
def test_invalid_jsonata(text: str, why: str) -> None:
    problem = jsonata_problem(text)
    assert problem is not None and why in problem, problem


@pytest.mark.parametrize("body, states, top_level", [
    ("$states.input.total * 2", {"input"}, ()),
    ("$states.result.Payload[0]", {"result"}, ()),
    ("$count($states.input.items[price > 10])", {"input"}, ()),  # a name inside a predicate
    ("$map($states.input.xs, function($x) { $x.price + tax })", {"input"}, ()),  # a lambda body
    ("$orders^(price).id", set(), ()),
    ("total", set(), ("total",)),
    ("$.total", set(), ("$",)),
    ("$uppercase(phone)", set(), ("phone",)),  # a function's arguments are at the top level
    ("{'a': total, 'b': $x}", set(), ("total",)),
    ("($n := count; $n * 2)", set(), ("count",)),
    ("a ? b : a", set(), ("a", "b")),
    ("**.id", set(), ("**",)),
    ("$states.input.a = $$.b", {"input"}, ("$$",)),
    ("'just a string'", set(), ()),
])
def test_jsonata_reads(body: str, states: set[str], top_level: tuple[str, ...]) -> None:
    assert jsonata_reads("{% " + body + " %}") == (frozenset(states), top_level)


def test_jsonata_reads_of_what_does_not_parse_are_empty() -> None:
    assert jsonata_reads("{% 1 + %}") == (frozenset(), ())
    assert jsonata_reads("total") == (frozenset(), ())  # not a {% %} string
