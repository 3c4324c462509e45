"""Files for a templating language (Jinja, cookiecutter, Helm): one that does not parse is
skipped with a note (--show-files), not a PL001 error failing the run; one that parses is
linted as usual (issue 25)."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import position_of, run, write

from policylint.cli import main
from policylint.frontends.templating import is_templated

COOKIECUTTER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  {{ cookiecutter.function_name }}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
{% if cookiecutter.include_workflow == "y" %}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
{%- endif %}
"""
HELM = """\
{
  "StartAt": "A",
  "States": {"A": {"Type": "Task", "Resource": {{ .Values.functionArn | quote }}, "End": true}}
}
"""


def show_files(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args, "--show-files"])
    return code, capsys.readouterr().out


def test_templated_files_are_skipped_with_a_note(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir / "{{cookiecutter.project}}" / "template.yaml", COOKIECUTTER)
    write(workdir / "chart" / "flow.asl.json", HELM)
    assert run(".") == (0, [])
    code, out = show_files(capsys, ".")
    assert code == 0
    assert out.splitlines()[:2] == [
        "chart/flow.asl.json: skipped: templated (Jinja, cookiecutter or Helm {{ }} syntax), not YAML or "
        "JSON until rendered",
        "{{cookiecutter.project}}/template.yaml: skipped: templated (Jinja, cookiecutter or Helm {{ }} "
        "syntax), not YAML or JSON until rendered"]
    assert "2 templated files skipped (Jinja, cookiecutter or Helm syntax: lint what they render)" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_templated_file_that_parses_is_linted(workdir: Path, jobs: str) -> None:
    text = write(workdir / "template.yaml", """\
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: "{{ cookiecutter.project }}-flow"
      Definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: "{{ cookiecutter.function }}", End: true}
""").read_text()
    write(workdir / "broken" / "template.yaml", COOKIECUTTER)
    code, found = run(".", "--select", "ASL111", "--jobs", jobs)
    assert [(f["file"], f["line"], f["column"]) for f in found] == [
        ("template.yaml", *position_of(text, r'Resource: (?P<at>"\{\{)'))]


def test_a_broken_file_without_templating_is_still_pl001(workdir: Path) -> None:
    # unquoted JSONata in YAML is a YAML error, not a template: {% $x %} is no Jinja statement
    write(workdir / "flow.asl.yaml", "StartAt: A\nStates:\n  A: {Type: Pass, Output: {% $states.input %}}\n")
    code, found = run(".")
    assert code == 1 and [(f["code"], f["line"]) for f in found] == [("PL001", 3)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Name: {{ cookiecutter.name }}", True),
    ("{%- if x %}", True),
    ("{% for s in states %}", True),
    ("{# a note #}", True),
    ('{{- include "chart.labels" . | nindent 4 }}', True),
    ("Output: '{% $states.input %}'", False),
    ("Output: {% $x + 1 %}", False),
    ('{"a": {"b": 1}}', False),
    ("States.Format('{}', $.x)", False),
])
def test_what_is_templating_syntax(text: str, expected: bool) -> None:
    assert is_templated(text) is expected
