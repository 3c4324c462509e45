"""Terraform findings reported where the user wrote the value (issue 25): a value a module
caller passes is at the caller's argument, through every level of calls; a variable's default
at the default; a local at the local's value. Suppressions, SARIF, baselines, ``--fix`` and
the language server go by the file a finding is reported in."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import position_of, run, write
from sarif_schema import validate_sarif

from policylint.cli import main

SELECT = ("--select", "AGT301,AGT304,IAM507,PL004,PL005")

ROOT = '''module "flow" {
  source    = "./modules/flow"
  timeout   = 3600
  harness   = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"
  resources = ["*"]
}
'''
MIDDLE = '''variable "timeout" {
  type = number
}
variable "harness" {
  type = string
}
variable "resources" {
  type = list(string)
}

module "machine" {
  source    = "../machine"
  timeout   = var.timeout
  harness   = var.harness
  resources = var.resources
}
'''
LEAF = '''variable "timeout" {
  type = number
}
variable "harness" {
  type = string
}
variable "resources" {
  type = list(string)
}

resource "aws_sfn_state_machine" "support" {
  name     = "support"
  role_arn = "arn:aws:iam::111122223333:role/flow"
  definition = jsonencode({
    QueryLanguage = "JSONata"
    StartAt       = "Agent"
    States = {
      Agent = {
        Type           = "Task"
        Resource       = "arn:aws:states:::bedrockagentcore:invokeHarness"
        TimeoutSeconds = var.timeout
        Arguments = {
          HarnessArn       = var.harness
          RuntimeSessionId = "{% $states.context.Execution.Name %}"
          MaxIterations    = 10
          Messages         = [{ Role = "user", Content = [{ Text = "{% $states.input.prompt %}" }] }]
        }
        Retry = [{ ErrorEquals = ["BedrockAgentCore.ThrottlingException"], BackoffRate = 2 }]
        Catch = [{ ErrorEquals = ["States.ALL"], Next = "Failed" }]
        End   = true
      }
      Failed = { Type = "Fail" }
    }
  })
}

resource "aws_iam_role_policy" "pass" {
  name   = "pass"
  role   = "flow"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = var.resources }]
  })
}
'''
TIMEOUT = r"timeout   = (?P<at>3600)"
HARNESS = r'harness   = (?P<at>"arn)'
STAR = r'resources = \[(?P<at>"\*")'


def tree(workdir: Path, root: str = ROOT, middle: str = MIDDLE, leaf: str = LEAF) -> None:
    write(workdir / "main.tf", root)
    write(workdir / "modules" / "flow" / "main.tf", middle)
    write(workdir / "modules" / "machine" / "main.tf", leaf)


def at(findings: list, code: str) -> list[tuple[str, int, int]]:
    return sorted((f["file"], f["line"], f["column"]) for f in findings if f["code"] == code)


def test_values_the_root_passes_two_levels_down_are_reported_at_its_arguments(workdir: Path) -> None:
    tree(workdir)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, TIMEOUT))]
    assert at(found, "AGT304") == [("main.tf", *position_of(ROOT, HARNESS))]
    assert at(found, "IAM507") == [("main.tf", *position_of(ROOT, STAR))]
    assert at(found, "PL005") == []
    assert not [f for f in found if f["file"].startswith("modules/")]  # nothing at the use


def test_the_message_is_the_one_the_module_would_give(workdir: Path) -> None:
    tree(workdir)
    reported = {f["code"]: f["message"] for f in run(".", *SELECT)[1]}
    leaf = LEAF.replace("var.timeout", "3600").replace("var.resources", '["*"]').replace(
        "var.harness", '"arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"')
    (workdir / "main.tf").unlink()
    write(workdir / "modules" / "machine" / "main.tf", leaf)
    assert {f["code"]: f["message"] for f in run(".", *SELECT)[1]} == reported


def test_a_default_the_call_falls_back_to_is_reported_at_the_default(workdir: Path) -> None:
    leaf = LEAF.replace('variable "timeout" {\n  type = number\n}',
                        'variable "timeout" {\n  type    = number\n  default = 1800\n}')
    root = ROOT.replace("  timeout   = 3600\n", "")
    middle = MIDDLE.replace("  timeout   = var.timeout\n", "")
    tree(workdir, root, middle, leaf)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/machine/main.tf",
                                    *position_of(leaf, r"default = (?P<at>1800)"))]
    # the other values still come from the root
    assert at(found, "IAM507") == [("main.tf", *position_of(root, STAR))]


def test_a_default_of_the_module_between_is_reported_there(workdir: Path) -> None:
    middle = MIDDLE.replace('variable "timeout" {\n  type = number\n}',
                            'variable "timeout" {\n  type    = number\n  default = 1800\n}')
    root = ROOT.replace("  timeout   = 3600\n", "")
    tree(workdir, root, middle)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/flow/main.tf", *position_of(middle, r"default = (?P<at>1800)"))]


def test_a_value_written_in_a_module_is_reported_in_that_module(workdir: Path) -> None:
    middle = MIDDLE.replace("timeout   = var.timeout", "timeout   = 1800")
    tree(workdir, middle=middle)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/flow/main.tf",
                                    *position_of(middle, r"timeout   = (?P<at>1800)"))]
    leaf = LEAF.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = local.timeout") + \
        "\nlocals {\n  timeout = 2400\n}\n"
    tree(workdir, leaf=leaf)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/machine/main.tf", *position_of(leaf, r"timeout = (?P<at>2400)"))]
    leaf = LEAF.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = 2400")
    tree(workdir, leaf=leaf)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/machine/main.tf",
                                    *position_of(leaf, r"TimeoutSeconds = (?P<at>2400)"))]


def test_a_root_variable_default_passed_down_is_reported_at_that_default(workdir: Path) -> None:
    root = 'variable "timeout" {\n  default = 3600\n}\n\n' + ROOT.replace("= 3600", "= var.timeout")
    tree(workdir, root)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(root, r"default = (?P<at>3600)"))]


def test_a_value_every_call_gives_is_reported_at_the_first_call(workdir: Path) -> None:
    root = ROOT + ROOT.replace('module "flow"', 'module "again"').replace("= 3600", "=   3600")
    tree(workdir, root)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(root, TIMEOUT))]
    root = ROOT + ROOT.replace('module "flow"', 'module "again"').replace("= 3600", "= 600")
    tree(workdir, root)
    assert at(run(".", *SELECT)[1], "AGT301") == []  # calls that differ: not known, not guessed


def test_a_list_a_caller_passes_is_reported_at_its_item(workdir: Path) -> None:
    root = ROOT.replace('resources = ["*"]',
                        'resources = [\n    "arn:aws:iam::111122223333:role/a",\n    "*",\n  ]')
    tree(workdir, root)
    found = run(".", *SELECT)[1]
    assert at(found, "IAM507") == [("main.tf", *position_of(root, r'(?P<at>"\*")'))]


def test_a_suppression_at_the_callers_argument_silences_it(workdir: Path) -> None:
    root = ROOT.replace("timeout   = 3600",
                        "timeout   = 3600 # policylint: disable=AGT301 capped by the harness")
    tree(workdir, root)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == at(found, "PL004") == []
    # a comment where the module uses it is not where the finding is: it silences nothing
    leaf = LEAF.replace("TimeoutSeconds = var.timeout",
                        "TimeoutSeconds = var.timeout # policylint: disable=AGT301")
    tree(workdir, leaf=leaf)
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, TIMEOUT))]
    assert at(found, "PL004") == [("modules/machine/main.tf", *position_of(leaf, r"# (?P<at>policylint)"))]
    write(workdir / "main.tf", "# policylint: disable-file=AGT301 a legacy module\n" + ROOT)
    assert at(run(".", *SELECT)[1], "AGT301") == []


def test_per_file_ignores_go_by_the_file_a_finding_is_reported_in(workdir: Path) -> None:
    tree(workdir)
    config = write(workdir / "c.yaml", "per-file-ignores:\n  'main.tf': [AGT301]\n")
    assert at(run(".", *SELECT, "--config", str(config))[1], "AGT301") == []
    config = write(workdir / "c.yaml", "per-file-ignores:\n  'modules/**': [AGT301]\n")
    assert len(at(run(".", *SELECT, "--config", str(config))[1], "AGT301")) == 1


def test_a_finding_shown_in_the_callers_file_hides_what_that_file_hides(workdir: Path) -> None:
    root = ('resource "aws_bedrockagentcore_agent_runtime" "r" {\n  agent_runtime_name = "r"\n'
            '  role_arn           = "arn:aws:iam::111122223333:role/r"\n'
            '  environment_variables = {\n    DB_PASSWORD = "s3:Hunter2Zebra9"\n  }\n}\n'
            'module "p" {\n  source = "./mod"\n  action = "s3:Hunter2Zebra9"\n}\n')
    write(workdir / "main.tf", root)
    write(workdir / "mod" / "main.tf", 'variable "action" {}\nresource "aws_iam_policy" "p" {\n'
          '  name   = "p"\n  policy = jsonencode({\n    Version   = "2012-10-17"\n'
          '    Statement = [{ Effect = "Allow", Action = var.action, Resource = "arn:aws:s3:::b/*" }]\n'
          '  })\n}\n')
    [found] = run(".", "--select", "IAM508")[1]
    assert (found["file"], found["line"], found["column"]) == \
        ("main.tf", *position_of(root, r'action = (?P<at>")'))
    assert "Hunter2" not in found["message"]  # the password of the file it is shown in


def sarif(*args: str) -> dict[str, Any]:
    main(["check", *args, "--format", "sarif", "--output", "out.sarif"])
    log = json.loads(Path("out.sarif").read_text())
    validate_sarif(log)
    return log


def test_sarif_names_the_callers_file(workdir: Path) -> None:
    tree(workdir)
    log = sarif(".", "--select", "AGT301")
    [result] = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}
    line, column = position_of(ROOT, TIMEOUT)
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (line, column)
    assert "fixes" not in result  # its value is the caller's: no fix edits the module


def test_a_baseline_knows_the_finding_at_the_callers_argument(workdir: Path) -> None:
    tree(workdir)
    main(["baseline", "base.json", ".", *SELECT])
    recorded = json.dumps(json.loads(Path("base.json").read_text()))
    assert '"main.tf"' in recorded and "modules/machine" not in recorded
    assert run(".", *SELECT, "--baseline", "base.json")[1] == []


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.tf"))}


def test_fix_never_edits_the_module_for_a_callers_value(workdir: Path) -> None:
    tree(workdir)
    before = snapshot(workdir)
    main(["check", ".", "--fix", "--select", "AGT301", "--format", "json", "--output", "out.json"])
    assert snapshot(workdir) == before
    data = json.loads(Path("out.json").read_text())
    assert data["summary"]["fixed"] == 0 and data["summary"]["fixable_by_hand"] == 1
    # a value written in the module itself is still fixed there
    leaf = LEAF.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = 2400")
    tree(workdir, leaf=leaf)
    main(["check", ".", "--fix", "--select", "AGT301", "--output", "out.txt"])
    assert snapshot(workdir) == {**before, "modules/machine/main.tf": leaf.replace("= 2400", "= 900")}


def test_fix_leaves_a_local_used_elsewhere_alone(workdir: Path) -> None:
    leaf = LEAF.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = local.timeout") + \
        "\nlocals {\n  timeout = 2400\n}\n"
    tree(workdir, leaf=leaf)
    before = snapshot(workdir)
    main(["check", ".", "--fix", "--select", "AGT301", "--output", "out.txt"])
    assert snapshot(workdir) == before
    assert "modules/machine/main.tf:" in Path("out.txt").read_text()


# -- a plan of the configuration, placed in its .tf files -------------------------------------
MACHINE = "module.flow.module.machine"
DEFINITION = {"QueryLanguage": "JSONata", "StartAt": "Agent", "States": {
    "Agent": {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
              "TimeoutSeconds": 3600,
              "Arguments": {"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*",
                            "RuntimeSessionId": "{% $states.context.Execution.Name %}", "MaxIterations": 10,
                            "Messages": [{"Role": "user",
                                          "Content": [{"Text": "{% $states.input.prompt %}"}]}]},
              "Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"], "BackoffRate": 2}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "End": True},
    "Failed": {"Type": "Fail"}}}


def planned(policies: dict[str, list] | None = None, machine_type: str = "STANDARD",
            source: str = "./modules/flow") -> dict[str, Any]:
    """``terraform show -json`` of the tree: the state machine and role policy of the module
    two calls down (``policies``: instance key -> Resource, each a for_each instance)."""
    def policy(resource: list) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}]})

    instances = [(f'{MACHINE}.aws_iam_role_policy.pass["{key}"]', key, resource)
                 for key, resource in policies.items()] if policies else \
        [(f"{MACHINE}.aws_iam_role_policy.pass", None, ["*"])]
    resources = [{"address": f"{MACHINE}.aws_sfn_state_machine.support", "mode": "managed",
                  "type": "aws_sfn_state_machine", "name": "support",
                  "values": {"name": "support", "role_arn": "arn:aws:iam::111122223333:role/flow",
                             "type": machine_type, "definition": json.dumps(DEFINITION)}}]
    resources += [{"address": address, "mode": "managed", "type": "aws_iam_role_policy", "name": "pass",
                   **({"index": key} if key is not None else {}),
                   "values": {"name": "pass", "role": "flow", "policy": policy(resource)}}
                  for address, key, resource in instances]
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.flow", "child_modules": [
            {"address": MACHINE, "resources": resources}]}]}},
        "configuration": {"root_module": {"module_calls": {"flow": {"source": source, "module": {
            "module_calls": {"machine": {"source": "../machine", "module": {"resources": []}}}}}}}},
    }


def plan_in(folder: Path, the_plan: dict) -> str:
    text = json.dumps(the_plan, indent=2)
    write(folder / "plan.json", text)
    return text


def test_a_plan_is_reported_where_its_configuration_writes_each_value(workdir: Path) -> None:
    tree(workdir)
    plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, TIMEOUT))]
    assert at(found, "AGT304") == [("main.tf", *position_of(ROOT, HARNESS))]
    assert at(found, "IAM507") == [("main.tf", *position_of(ROOT, STAR))]
    # linted with its configuration: each finding once, the .tf's own
    found = run(".", *SELECT)[1]
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, TIMEOUT))]
    assert at(found, "IAM507") == [("main.tf", *position_of(ROOT, STAR))]
    assert found[0]["path"][1] == "aws_sfn_state_machine.support"


def test_a_plan_value_the_configuration_computes_is_at_the_expression(workdir: Path) -> None:
    root = ROOT.replace("timeout   = 3600", "timeout   = var.base * 4")
    tree(workdir, root)
    plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    # the module call computes it: the plan knows 3600, the .tf only where the module uses it
    assert at(found, "AGT301") == [("modules/machine/main.tf",
                                    *position_of(LEAF, r"TimeoutSeconds = (?P<at>var)"))]
    assert at(found, "IAM507") == [("main.tf", *position_of(root, STAR))]


def test_a_planned_value_the_configuration_does_not_write_is_at_its_block(workdir: Path) -> None:
    role = ('resource "aws_iam_role" "flow" {\n  name = "flow"\n  assume_role_policy = jsonencode({\n'
            '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",\n'
            '      Principal = { Service = "states.amazonaws.com" } }]\n  })\n}\n')
    leaf = LEAF + role
    tree(workdir, leaf=leaf)
    the_plan = planned()
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "states.amazonaws.com"}}]}
    inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
                                                      "Resource": "*"}]}
    the_plan["planned_values"]["root_module"]["child_modules"][0]["child_modules"][0]["resources"].append({
        "address": f"{MACHINE}.aws_iam_role.flow", "mode": "managed", "type": "aws_iam_role", "name": "flow",
        "values": {"name": "flow", "assume_role_policy": json.dumps(trust),  # attached outside Terraform:
                   "inline_policy": [{"name": "console", "policy": json.dumps(inline)}]}})  # read back
    plan_in(workdir, the_plan)
    found = run("plan.json", *SELECT)[1]
    assert at(found, "IAM507") == sorted([
        ("main.tf", *position_of(ROOT, STAR)),
        ("modules/machine/main.tf", *position_of(leaf, r'(?P<at>resource) "aws_iam_role"'))])


def test_every_for_each_instance_is_placed_at_the_one_block(workdir: Path) -> None:
    leaf = LEAF.replace('resource "aws_iam_role_policy" "pass" {\n',
                        'resource "aws_iam_role_policy" "pass" {\n  for_each = toset(["a", "b"])\n')
    tree(workdir, leaf=leaf)
    plan_in(workdir, planned({"a": ["*"], "b": ["*"]}))
    found = run("plan.json", *SELECT)[1]
    assert at(found, "IAM507") == [("main.tf", *position_of(ROOT, STAR))]


def test_a_plan_without_its_configuration_here_stays_in_the_plan(workdir: Path) -> None:
    text = plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    assert at(found, "AGT301") == [("plan.json", *position_of(text, r'\\"TimeoutSeconds\\": (?P<at>3600)'))]
    assert at(found, "IAM507") == [("plan.json", *position_of(text, r'\\"Resource\\": \[(?P<at>\\"\*)'))]
    # a module from a registry: its resources stay in the plan
    tree(workdir)
    text = plan_in(workdir, planned(source="terraform-aws-modules/step-functions/aws"))
    found = run("plan.json", *SELECT)[1]
    assert {f["file"] for f in found} == {"plan.json"}


def test_a_plan_reads_no_configuration_outside_the_linted_folder(workdir: Path) -> None:
    tree(workdir)
    text = plan_in(workdir / "plans", planned())
    found = run("plans/plan.json", *SELECT)[1]  # the root module is found above the plan
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, TIMEOUT))]
    import os

    os.chdir(workdir / "plans")
    found = run("plan.json", *SELECT)[1]  # linted from its folder: the .tf files are not read
    assert at(found, "AGT301") == [("plan.json", *position_of(text, r'\\"TimeoutSeconds\\": (?P<at>3600)'))]


def test_a_suppression_in_the_configuration_silences_the_plans_finding(workdir: Path) -> None:
    root = ROOT.replace("timeout   = 3600",
                        "timeout   = 3600 # policylint: disable=AGT301 capped by the harness")
    tree(workdir, root)
    plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    assert at(found, "AGT301") == []
    assert at(found, "PL004") == []  # a comment of a file not linted says nothing of itself


def test_fix_never_edits_the_plan_for_a_finding_placed_in_the_configuration(workdir: Path) -> None:
    tree(workdir)
    text = plan_in(workdir, planned())
    before = snapshot(workdir)
    main(["check", "plan.json", "--fix", "--select", "AGT301", "--format", "json", "--output", "out.json"])
    assert snapshot(workdir) == before and (workdir / "plan.json").read_text() == text
    assert json.loads(Path("out.json").read_text())["summary"]["fixable_by_hand"] == 1


def test_sarif_of_a_plan_names_the_configurations_file(workdir: Path) -> None:
    tree(workdir)
    plan_in(workdir, planned())
    [result] = sarif("plan.json", "--select", "AGT301")["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"


def test_a_planned_definition_a_local_writes_is_placed_in_the_local(workdir: Path) -> None:
    start = LEAF.index("  definition = jsonencode({")
    end = LEAF.index("  })\n}\n", start) + len("  })\n")
    body = LEAF[start:end].replace("  definition = jsonencode(", "  definition = ", 1)[:-len(")\n")] + "\n"
    body = body.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = 3600")
    leaf = LEAF[:start] + "  definition = jsonencode(local.definition)\n" + LEAF[end:] + \
        "\nlocals {\n" + body + "}\n"
    tree(workdir, leaf=leaf)
    plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/machine/main.tf",
                                    *position_of(leaf, r"TimeoutSeconds = (?P<at>3600)"))]
    assert at(found, "AGT304") == [("main.tf", *position_of(ROOT, HARNESS))]


def test_a_planned_definition_from_a_file_is_at_the_expression_naming_it(workdir: Path) -> None:
    start = LEAF.index("  definition = jsonencode({")
    end = LEAF.index("  })\n}\n", start) + len("  })\n")
    leaf = LEAF[:start] + '  definition = templatefile("${path.module}/flow.asl.json", {})\n' + LEAF[end:]
    tree(workdir, leaf=leaf)
    write(workdir / "modules" / "machine" / "flow.asl.json", json.dumps(DEFINITION, indent=2))
    plan_in(workdir, planned())
    found = run("plan.json", *SELECT)[1]
    assert at(found, "AGT301") == [("modules/machine/main.tf",
                                    *position_of(leaf, r"definition = (?P<at>templatefile)"))]
