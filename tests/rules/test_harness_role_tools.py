"""IAM505/IAM506 read the harness as AWS runs it: no `memory` is managed memory (a
`disabled` one opts out); IAM506 reports once per statement."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agentcore import MEMORY_ARN, pascal, resource, separate_files, statement, whole_template
from helpers import position_of, run, write

MEMORY_ACTIONS = ["bedrock-agentcore:CreateEvent", "bedrock-agentcore:ListEvents"]


def template_harness(template: dict[str, Any]) -> dict[str, Any]:
    return resource(template, "Harness")


def template_tools(template: dict[str, Any]) -> list[dict[str, Any]]:
    return resource(template, "HarnessRole")["Policies"][0]["PolicyDocument"]["Statement"]


def files_harness(parts: dict[str, Any]) -> dict[str, Any]:
    return parts["harness"]["harness"]


def files_tools(parts: dict[str, Any]) -> list[dict[str, Any]]:
    return parts["account"]["RoleDetailList"][1]["RolePolicyList"][0]["PolicyDocument"]["Statement"]


def build(workdir: Path, layout: str, memory: Any, *more: dict[str, Any]) -> Path:
    """The clean project with the harness's memory replaced (None: removed) and ``more``
    statements on its execution role; the file of the role."""
    def whole(template: dict[str, Any]) -> None:
        harness = template_harness(template)
        harness.pop("Memory")
        if memory is not None:
            harness["Memory"] = pascal(memory)
        template_tools(template).extend(more)

    def separate(parts: dict[str, Any]) -> None:
        harness = files_harness(parts)
        harness.pop("memory")
        if memory is not None:
            harness["memory"] = memory
        files_tools(parts).extend(more)

    if layout == "template":
        return whole_template(workdir / "template.yaml", whole)
    return separate_files(workdir, separate)["account"]


LAYOUTS = ["template", "files"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_memory_is_managed_memory_and_needs_its_actions(workdir: Path, layout: str) -> None:
    build(workdir, layout, None)  # the role keeps CreateEvent/ListEvents on the memory
    assert run(".", "--select", "IAM505,IAM506") == (0, [])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_managed_memory_without_its_actions(workdir: Path, layout: str) -> None:
    def strip(parts_or_template: dict[str, Any]) -> None:
        tools = template_tools(parts_or_template) if layout == "template" else files_tools(parts_or_template)
        tools.pop()  # the memory statement
    if layout == "template":
        file = whole_template(workdir / "template.yaml", lambda t: template_harness(t).pop("Memory"), strip)
        where = position_of(file.read_text(), r"ExecutionRoleArn:\s+(?P<at>Fn::GetAtt)")
    else:
        file = separate_files(workdir, lambda p: files_harness(p).pop("memory"), strip)["harness"]
        where = position_of(file.read_text(), r'"executionRoleArn": (?P<at>")')
    (finding,) = run(".", "--select", "IAM505")[1]
    assert Path(finding["file"]).resolve() == file.resolve()
    assert (finding["line"], finding["column"]) == where
    assert "managed memory (the default: no `memory` is set)" in finding["message"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_disabled_memory_makes_memory_actions_excess(workdir: Path, layout: str) -> None:
    file = build(workdir, layout, {"disabled": {}})
    (finding,) = run(".", "--select", "IAM506")[1]
    assert (finding["line"], finding["column"]) == position_of(
        file.read_text(), r"(?P<at>\"?bedrock-agentcore:CreateEvent)")
    assert finding["message"].startswith("'bedrock-agentcore:CreateEvent', 'bedrock-agentcore:ListEvents' "
                                         "allow memory actions but no harness using role")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_one_finding_per_statement(workdir: Path, layout: str) -> None:
    names = ("StartBrowserSession", "StopBrowserSession", "StartCodeInterpreterSession",
             "InvokeCodeInterpreter")
    tools = statement([f"bedrock-agentcore:{a}" for a in names], "*")
    file = build(workdir, layout, {"agentCoreMemoryConfiguration": {"arn": MEMORY_ARN}}, tools)
    (finding,) = run(".", "--select", "IAM506")[1]
    role = "'HarnessRole'" if layout == "template" else "'support-harness'"
    assert (finding["line"], finding["column"]) == position_of(
        file.read_text(), r"(?P<at>\"?bedrock-agentcore:StartBrowserSession)")
    assert finding["message"] == (
        "'bedrock-agentcore:StartBrowserSession', 'bedrock-agentcore:StopBrowserSession', "
        "'bedrock-agentcore:StartCodeInterpreterSession' and 1 more allow browser, code interpreter "
        f"actions but no harness using role {role} has that tool: remove them")


TERRAFORM = '''resource "aws_iam_role" "harness" {
  name = "support-harness"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "bedrock-agentcore.amazonaws.com" },
                   Action = "sts:AssumeRole",
                   Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } } }]
  })
  inline_policy {
    name = "memory"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{ Effect = "Allow",
                     Action = ["bedrock-agentcore:CreateEvent", "bedrock-agentcore:ListEvents"],
                     Resource = "arn:aws:bedrock-agentcore:us-east-1:111122223333:memory/*" }]
    })
  }
}

resource "aws_bedrockagentcore_harness" "support" {
  harness_name       = "support"
  execution_role_arn = aws_iam_role.harness.arn
  max_iterations     = 10
  max_tokens         = 4096
  timeout_seconds    = 300
MEMORY}
'''


@pytest.mark.parametrize(("memory", "flagged"), [("", False), ("  memory {\n    disabled {}\n  }\n", True)])
def test_terraform_harness_memory(workdir: Path, memory: str, flagged: bool) -> None:
    text = write(workdir / "main.tf", TERRAFORM.replace("MEMORY", memory)).read_text()
    found = [(f["line"], f["column"]) for f in run(".", "--select", "IAM505,IAM506")[1]]
    assert found == ([position_of(text, r'(?P<at>"bedrock-agentcore:CreateEvent")')] if flagged else [])
