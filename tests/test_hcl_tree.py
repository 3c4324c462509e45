"""policylint.frontends.hcl_tree: quoted strings read as Terraform reads them, at their place."""
from __future__ import annotations

from policylint.frontends import hcl, hcl_tree

TEXT = r'''a = "x"
b = "$.prompt"
c = "$${x} and %%{y}"
d = "tab\there"
e = "${var.x}"
f = ""
g = { "k" = "v", "q\"" = 1, plain = "$$.Execution.Name" }
'''


def test_quoted_strings_are_decoded_and_interpolations_kept() -> None:
    body = hcl_tree.parse(TEXT)
    assert body.attributes == {
        "a": "x", "b": "$.prompt", "c": "${x} and %{y}", "d": "tab\there", "e": hcl.Template("${var.x}"),
        "f": "", "g": {"k": "v", 'q"': 1, "plain": "$$.Execution.Name"}}


def test_object_keys_and_values_are_placed() -> None:
    positions = hcl_tree.parse(TEXT).positions
    assert positions[("a",)] == ((1, 1), (1, 5))
    assert positions[("g", "k")] == ((7, 7), (7, 13))
    assert positions[("g", 'q"')] == ((7, 18), (7, 26))
    assert positions[("g", "plain")] == ((7, 29), (7, 37))


def test_a_non_ascii_text_is_read_by_characters() -> None:
    body = hcl_tree.parse('note = "café"\ng = { "é" = "ü", k = "x" }\n')
    assert body.attributes == {"note": "café", "g": {"é": "ü", "k": "x"}}
    assert body.positions[("g", "k")] == ((2, 18), (2, 22))
