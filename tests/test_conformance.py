"""Positions conform in every form: the canonical agent workflow (``forms.machine``), written in
each of the 13 forms policylint reads, in JSONPath and JSONata, has every key and every value
of its definition located at the line and column where the form wrote it.

This is the one test of position mapping per form; the rule tests run on one form
(standalone JSON or YAML) and trust it. The expected places are read from the written text by
a scanner that knows only how JSON and YAML are spelled (keys and values come in the order the
form wrote them), not from policylint's locator. A probe plugin (``tests/probe.py``) reports
every path of each document.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, JSONATA, JSONPATH, ROLE, machine
from helpers import paths, run
from probe import probe_plugin

Place = tuple[int, int]
Places = dict[tuple[str, tuple], Place]  # ("key" or "value", path) -> (line, column)


class Scanner:
    """Expected places of the keys and values of ``value`` in ``text``, read in order from
    ``start``. Knows JSON (also inside a string, quotes escaped), block YAML, and strings
    split into pieces (a CDK ``Fn::Join``), nothing of policylint."""

    def __init__(self, text: str, start: int) -> None:
        self.text, self.cursor = text, start
        self.places: Places = {}

    def place(self, index: int) -> Place:
        line = self.text.count("\n", 0, index) + 1
        return line, index - (self.text.rfind("\n", 0, index) + 1) + 1

    def _skip_space(self, index: int) -> int:
        return re.compile(r"\s*").match(self.text, index).end()  # type: ignore[union-attr]

    def value(self, value: Any, path: tuple, at: int) -> None:
        """``value`` at ``path`` starts at index ``at``; leave the cursor past it."""
        self.places[("value", path)] = self.place(at)
        if isinstance(value, dict):
            self.cursor = at
            for key, item in value.items():
                self.member(key, item, (*path, key))
        elif isinstance(value, list):
            self.cursor = at + 1 if self.text.startswith("[", at) else at
            for i, item in enumerate(value):
                item_at = re.compile(r"(?:[\s,\]}]|-(?=\s))*").match(self.text, self.cursor).end()  # type: ignore
                self.places[("key", (*path, i))] = self.place(item_at)  # an item's key is the item
                self.value(item, (*path, i), item_at)
        else:
            self.cursor = self._scalar_end(at)

    def member(self, key: str, value: Any, path: tuple) -> None:
        pattern = r"(?:^|(?<=[\s{,]))(?P<q>\\?[\"']?)" + re.escape(key) + r"(?P=q)\s*:"
        found = re.compile(pattern).search(self.text, self.cursor)
        assert found, f"key {key!r} of {path} not written after index {self.cursor}"
        self.places[("key", path)] = self.place(found.start())
        self.value(value, path, self._skip_space(found.end()))

    def _scalar_end(self, at: int) -> int:
        for quote in ('\\"', '"', "'"):
            if self.text.startswith(quote, at):
                return self.text.index(quote, at + len(quote)) + len(quote)
        return re.compile(r"[^,\n\]}]*").match(self.text, at).end()  # type: ignore[union-attr]


def expected(text: str, document: dict[str, Any], start: int = 0) -> tuple[Places, int]:
    """The places of every key and value of ``document``, written first at or after ``start``,
    and the index where it ends."""
    scanner = Scanner(text, start)
    for key, item in document.items():
        scanner.member(key, item, (key,))
    return scanner.places, scanner.cursor


Said = dict[tuple[str, tuple], tuple[str, int, int]]


def reported(findings: list[dict[str, Any]], kind: str) -> list[Said]:
    """Where the probe's findings are, one mapping per document of ``kind``, in report order."""
    documents: dict[str, Said] = {}
    for finding in findings:
        said, _ = json.JSONDecoder().raw_decode(finding["message"])  # CDK adds the construct path
        if said["kind"] == kind:
            documents.setdefault(said["doc"], {})[(said["at"], tuple(said["path"]))] = (
                finding["file"], finding["line"], finding["column"])
    return list(documents.values())


def differences(got: Said, want: Places, file: str) -> str:
    wrong = {path: (got.get(path), (file, *place)) for path, place in want.items()
             if got.get(path) != (file, *place)}
    return "\n".join(f"{at} {path}: reported {g}, written at {w}" for (at, path), (g, w) in wrong.items())


@pytest.mark.parametrize("lang", [JSONPATH, JSONATA])
@pytest.mark.parametrize("form", FORMS)
def test_every_path_of_the_workflow_is_where_the_form_wrote_it(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                                               form: str, lang: str) -> None:
    probe_plugin(monkeypatch)
    canonical = machine(lang)
    file = FORMS[form](workdir, canonical)
    (got,) = reported(run(".", "--select", "PRB001")[1], "asl")
    want, _ = expected(file.read_text(), canonical)
    assert len(want) == 2 * (len(list(paths(canonical))) - 1)  # every key and value but the root
    assert not differences(got, want, str(file.relative_to(workdir))), differences(
        got, want, str(file.relative_to(workdir)))


# Where each form writes the workflow's role: its trust policy, then its inline policy (SAM: the
# inline policy of the state machine's Policies).
TRUST = ROLE["Properties"]["AssumeRolePolicyDocument"]
INLINE = ROLE["Properties"]["Policies"][0]["PolicyDocument"]
ROLE_FILES = {"template-sub-block": "template.yaml", "template-definition": "template.yaml",
              "template-json-string": "template.json", "sam-definition-uri": "template.yaml",
              "template-pseudo-parameters": "template.yaml", "cdk-out": "cdk.out/SupportStack.template.json",
              "serverless": "serverless.yml", "terraform-jsonencode": "iam.tf", "terraform-heredoc": "iam.tf",
              "terraform-templatefile": "iam.tf", "terraform-json": "cdk.tf.json"}


@pytest.mark.parametrize("form", ROLE_FILES)
def test_every_path_of_the_role_policies_is_where_the_form_wrote_it(workdir: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    form: str) -> None:
    probe_plugin(monkeypatch)
    FORMS[form](workdir, machine())
    got = reported(run(".", "--select", "PRB001")[1], "iam")
    text = (workdir / ROLE_FILES[form]).read_text()
    policies = [INLINE] if form == "sam-definition-uri" else [TRUST, INLINE]
    assert len(got) == len(policies)
    start = 0
    for policy in policies:
        want, start = expected(text, policy, start)
        (mine,) = [said for said in got if set(said) == set(want)]  # the document with these paths
        assert not differences(mine, want, ROLE_FILES[form]), differences(mine, want, ROLE_FILES[form])
