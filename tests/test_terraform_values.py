"""Terraform values followed as Terraform evaluates them (issue 25): positions after every
block kind, ``jsonencode(local.x)`` / ``jsonencode(var.x)``, dynamic statements, merged
policy documents, SCPs, files of other folders, local module calls, count / for_each."""
from __future__ import annotations

from pathlib import Path

from helpers import position_of, run, write

ROLE = '  role_arn = "arn:aws:iam::111122223333:role/flow"\n'


def at(findings: list, code: str) -> list[tuple[str, int, int]]:
    return sorted((f["file"], f["line"], f["column"]) for f in findings if f["code"] == code)


def test_a_statement_after_one_with_a_condition_is_at_its_own_line(workdir: Path) -> None:
    text = '''data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = ["111122223333"]
    }
  }
  statement {
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}
'''
    write(workdir / "policy.tf", text)
    passrole = position_of(text, r'PassRole"\]\n    resources = \[(?P<at>"\*")')
    assert at(run(".")[1], "IAM507") == [("policy.tf", *passrole)]


MACHINE = '''resource "aws_sfn_state_machine" "flow" {
  name       = "flow"
''' + ROLE + '''  definition = jsonencode(DEFINITION)
}
'''
LOCAL = '''locals {
  definition = {
    StartAt = "A"
    States = {
      A = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke", Next = "B" }
      B = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke", End = true }
    }
  }
}
'''


def test_jsonencode_of_a_literal_local_is_linted_where_the_local_is_written(workdir: Path) -> None:
    write(workdir / "main.tf", MACHINE.replace("DEFINITION", "local.definition"))
    write(workdir / "locals.tf", LOCAL)
    found = run(".")[1]
    assert at(found, "SFN201") == [("locals.tf", *position_of(LOCAL, r"(?P<at>A) = \{")),
                                   ("locals.tf", *position_of(LOCAL, r"(?P<at>B) = \{"))]


def test_jsonencode_of_a_variable_with_a_literal_default(workdir: Path) -> None:
    variables = 'variable "definition" {\n  type = any\n  default = ' + LOCAL.split("definition = ", 1)[1]
    variables = variables.rsplit("}\n", 1)[0] + "}\n"
    write(workdir / "main.tf", MACHINE.replace("DEFINITION", "var.definition"))
    write(workdir / "variables.tf", variables)
    found = run(".")[1]
    assert at(found, "SFN201") == [("variables.tf", *position_of(variables, r"(?P<at>A) = \{")),
                                   ("variables.tf", *position_of(variables, r"(?P<at>B) = \{"))]


def test_jsonencode_of_a_variable_without_default_is_one_note(workdir: Path) -> None:
    text = MACHINE.replace("DEFINITION", "var.definition")
    write(workdir / "main.tf", text)
    write(workdir / "variables.tf", 'variable "definition" {\n  type = any\n}\n')
    found = run(".")[1]
    assert at(found, "PL005") == [("main.tf", *position_of(text, r"definition = (?P<at>jsonencode)"))]
    assert "no default" in next(f["message"] for f in found if f["code"] == "PL005")
