"""Terraform values followed as Terraform evaluates them (issue 25): positions after every
block kind, ``jsonencode(local.x)`` / ``jsonencode(var.x)``, dynamic statements, merged
policy documents, SCPs, files of other folders, local module calls, count / for_each."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import position_of, run, write

PASSROLE = r'PassRole"\]\n    resources = \[(?P<at>"\*")'
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


DYNAMIC = '''variable "extra" {
  type = list(any)
}

data "aws_iam_policy_document" "agent" {
  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:us-east-1:111122223333:log-group:/agent:*"]
  }
  dynamic "statement" {
    for_each = var.extra
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
  statement {
    sid       = "Model"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}
'''


def test_a_dynamic_statement_block_makes_only_its_own_statements_unknown(workdir: Path) -> None:
    write(workdir / "policy.tf", DYNAMIC)
    found = run(".")[1]
    passrole = position_of(DYNAMIC, PASSROLE)
    assert at(found, "IAM507") == [("policy.tf", *passrole)]
    assert at(found, "PL005") == [("policy.tf", *position_of(DYNAMIC, r'(?P<at>dynamic) "statement"'))]
    assert "var.extra has no default" in next(f["message"] for f in found if f["code"] == "PL005")


def test_a_dynamic_statement_block_over_an_empty_default_is_no_statement(workdir: Path) -> None:
    text = DYNAMIC.replace("type = list(any)", "type    = list(any)\n  default = []")
    write(workdir / "policy.tf", text)
    assert at(run(".")[1], "PL005") == []


MERGED = '''data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Pass"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/agent"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = OVERRIDES
  statement {
    sid       = "Pass"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
  statement {
    actions   = ["bedrock:InvokeModel"]
    resources = ["*"]
  }
}
'''
OVERRIDE = '''
data "aws_iam_policy_document" "narrow" {
  statement {
    sid       = "Pass"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/other"]
  }
}
'''


def test_merged_documents_judge_the_statements_that_remain(workdir: Path) -> None:
    text = MERGED.replace("OVERRIDES", "[]")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    # a source statement of the same Sid is replaced by this one: it is judged
    assert at(found, "IAM507") == [("policy.tf", *position_of(text, PASSROLE))]
    assert at(found, "PL005") == []
    text = MERGED.replace("OVERRIDES", "[data.aws_iam_policy_document.narrow.json]") + OVERRIDE
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == []  # overridden by the narrow statement of the same Sid
    assert at(found, "PL005") == []


def test_an_unknown_override_document_is_a_note_and_hides_statements_with_a_sid(workdir: Path) -> None:
    text = 'variable "overrides" {}\n' + MERGED.replace("OVERRIDES", "var.overrides")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == []
    where = position_of(text, r"override_policy_documents = (?P<at>var)")
    assert at(found, "PL005") == [("policy.tf", *where)]


TOGGLED = '''variable "allow_pass" {
  type    = bool
  default = DEFAULT
}

data "aws_iam_policy_document" "agent" {
  dynamic "statement" {
    for_each = var.allow_pass ? [1] : []
    content {
      actions   = ["iam:PassRole"]
      resources = ["*"]
    }
  }
}
'''


@pytest.mark.parametrize("items", ["[1]", '["arn:aws:iam::111122223333:role/agent"]'])
def test_a_dynamic_statement_toggled_by_a_known_flag_is_judged_where_its_content_is(workdir: Path,
                                                                                    items: str) -> None:
    """A known flag picks a branch, as the parser reads it (an ARN's colons do not end one)."""
    toggled = TOGGLED.replace("[1] : []", f"{items} : []")
    text = toggled.replace("DEFAULT", "true")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == [("policy.tf", *position_of(text, r'resources = \[(?P<at>"\*")'))]
    assert at(found, "PL005") == []
    write(workdir / "policy.tf", toggled.replace("DEFAULT", "false"))
    assert run(".")[1] == []
    text = toggled.replace("  default = DEFAULT\n", "")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "PL005") == [("policy.tf", *position_of(text, r'(?P<at>dynamic) "statement"'))]
    assert "var.allow_pass has no default" in found[0]["message"]


SCP = '''resource "aws_organizations_policy" "guardrails" {
  name    = "agent-guardrails"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "AllowAll", Effect = "Allow", Action = "*", Resource = "*" },
      { Sid = "NoHarnessDeletion", Effect = "Deny",
        Action = ["bedrock-agentcore:DeleteHarnes"], Resource = "*" },
    ]
  })
}
'''


def test_a_service_control_policy_is_judged_by_the_grammar_rules_only(workdir: Path) -> None:
    write(workdir / "scp.tf", SCP)
    found = run(".")[1]
    assert [f["code"] for f in found] == ["IAM508"]
    assert at(found, "IAM508") == [("scp.tf", *position_of(SCP, r'(?P<at>"bedrock-agentcore:DeleteHarnes")'))]


def test_a_policy_document_that_is_an_scps_content_grants_nothing(workdir: Path) -> None:
    text = '''data "aws_iam_policy_document" "scp" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["iam:PassRol"]
    resources = ["*"]
  }
}

resource "aws_organizations_policy" "scp" {
  name    = "scp"
  content = data.aws_iam_policy_document.scp.json
}
'''
    write(workdir / "scp.tf", text)
    found = run(".")[1]
    assert [f["code"] for f in found] == ["IAM508"]
    assert at(found, "IAM508") == [("scp.tf", *position_of(text, r'(?P<at>"iam:PassRol")'))]


AGENT_TASK = '''resource "aws_sfn_state_machine" "support" {
  name     = "support"
''' + ROLE + '''  definition = jsonencode({
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

resource "aws_sfn_state_machine" "batch" {
  name       = "batch"
''' + ROLE + '''  definition = jsonencode(var.definition)
}
'''
CHILD = '''variable "timeout" {
  type = number
}
variable "harness" {
  type = string
}
variable "definition" {
  type = any
}
'''
MIDDLE = CHILD + '''
module "machine" {
  source     = "../machine"
  timeout    = var.timeout
  harness    = var.harness
  definition = var.definition
}
'''
ROOT = '''locals {
  definition = {
    StartAt = "Load"
    States  = { Load = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke", End = true } }
  }
}

module "flow" {
  source     = "./modules/flow"
  timeout    = 3600
  harness    = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"
  definition = local.definition
}
'''


def three_levels(root: Path, top: str = ROOT) -> None:
    write(root / "main.tf", top)
    write(root / "modules" / "flow" / "main.tf", MIDDLE)
    write(root / "modules" / "machine" / "main.tf", CHILD + AGENT_TASK)


def test_a_module_tree_three_levels_deep_takes_its_callers_values(workdir: Path) -> None:
    three_levels(workdir)
    found = run(".")[1]
    machine = CHILD + AGENT_TASK
    # the whole definition the root gives is linted where the root writes it
    assert at(found, "SFN201") == [("main.tf", *position_of(ROOT, r"(?P<at>Load) = \{"))]
    # scalars the root gives are judged, and reported where the root writes them
    assert at(found, "AGT301") == [("main.tf", *position_of(ROOT, r"timeout    = (?P<at>3600)"))]
    assert at(found, "AGT304") == [("main.tf", *position_of(ROOT, r'harness    = (?P<at>")'))]
    assert at(found, "PL005") == []
    assert "machine" in machine  # the module that uses them reports nothing of its own


def test_a_module_linted_without_its_callers_says_what_is_unknown(workdir: Path) -> None:
    three_levels(workdir)
    (workdir / "main.tf").unlink()
    found = run(".")[1]
    assert at(found, "AGT301") == at(found, "AGT304") == at(found, "SFN201") == []
    machine = CHILD + AGENT_TASK
    assert ("modules/machine/main.tf", *position_of(machine, r"definition = (?P<at>jsonencode)\(var")) \
        in at(found, "PL005")


def test_a_value_a_caller_computes_stays_unknown(workdir: Path) -> None:
    three_levels(workdir, ROOT.replace("= local.definition", '= jsondecode(file("x"))'))
    found = run(".")[1]
    assert at(found, "SFN201") == []
    [note] = [f for f in found if f["code"] == "PL005"]
    assert note["file"] == "modules/machine/main.tf"
    assert 'var.definition is jsondecode(file("x"))' in note["message"]


def test_module_calls_in_a_cycle_end(workdir: Path) -> None:
    write(workdir / "a" / "main.tf", 'variable "x" {}\nmodule "b" {\n  source = "../b"\n  x = var.x\n}\n')
    write(workdir / "b" / "main.tf", 'variable "x" {}\nmodule "a" {\n  source = "../a"\n  x = var.x\n}\n'
          + MACHINE.replace("DEFINITION", "var.x"))
    found = run(".")[1]
    assert [f["code"] for f in found] == ["PL005"]


def test_a_bare_local_definition_string_is_linted_inside_its_heredoc(workdir: Path) -> None:
    text = MACHINE.replace("jsonencode(DEFINITION)", "local.text") + \
        'locals {\n  text = <<-EOF\n    {"StartAt": "A", "States": {"A": {"Type": "Task",\n' \
        '      "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}\n  EOF\n}\n'
    write(workdir / "main.tf", text)
    assert at(run(".")[1], "SFN201") == [("main.tf", *position_of(text, r'"States": \{(?P<at>"A")'))]


def test_a_call_that_makes_none_of_a_resource_is_not_asked_for_its_values(workdir: Path) -> None:
    module = '''variable "create" {
  type    = bool
  default = true
}
variable "definition" {
  type    = string
  default = ""
}
resource "aws_sfn_state_machine" "this" {
  count      = var.create ? 1 : 0
  name       = "flow"
''' + ROLE + '''  definition = var.definition
}
'''
    root = '''module "on" {
  source     = "./flow"
  definition = <<-EOF
    {"StartAt": "A", "States": {"A": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
  EOF
}

module "off" {
  source = "./flow"
  create = false
}
'''
    write(workdir / "flow" / "main.tf", module)
    write(workdir / "main.tf", root)
    found = run(".")[1]
    assert at(found, "SFN201") == [("main.tf", *position_of(root, r'"States": \{(?P<at>"A")'))]
    assert at(found, "PL001") == at(found, "PL005") == []
    (workdir / "main.tf").unlink()
    found = run(".")[1]  # uncalled: its empty default is no definition
    assert [f["code"] for f in found] == ["PL005"] and 'var.definition is ""' in found[0]["message"]


def test_what_callers_give_a_resource_none_of_them_makes_is_not_judged(workdir: Path) -> None:
    module = '''variable "arns" {
  type    = list(string)
  default = []
}
resource "aws_iam_role_policy" "secrets" {
  count = length(var.arns) > 0 ? 1 : 0
  role  = "runtime"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = var.arns
    }]
  })
}
'''
    root = '''variable "use_key" {
  type    = bool
  default = false
}
data "aws_secretsmanager_secret" "key" {
  count = var.use_key ? 1 : 0
  name  = "key"
}
module "runtime" {
  source = "./runtime"
  arns   = var.use_key ? [data.aws_secretsmanager_secret.key[0].arn] : []
}
'''
    write(workdir / "runtime" / "main.tf", module)
    write(workdir / "main.tf", root)
    assert run(".")[1] == []  # the call gives [], so it makes no policy: no empty Resource to judge
    write(workdir / "runtime" / "main.tf", module.replace("  count = length(var.arns) > 0 ? 1 : 0\n", ""))
    assert at(run(".")[1], "IAM509") == [("main.tf", *position_of(root, r"arns   = (?P<at>var)"))]


def test_a_resource_no_call_makes_still_takes_its_module_s_locals(workdir: Path) -> None:
    """Its own locals are the module's, whatever the callers give: the policy is judged with them."""
    module = '''variable "arns" {
  type    = list(string)
  default = []
}
locals {
  actions = ["s3:PutObject"]
}
resource "aws_iam_role_policy" "writer" {
  count = length(var.arns) > 0 ? 1 : 0
  role  = "runtime"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ACTIONS
      Resource = "*"
    }]
  })
}
'''
    write(workdir / "main.tf", 'module "runtime" {\n  source = "./runtime"\n  arns   = []\n}\n')
    for actions, flagged in (("local.actions", True), ('["s3:GetObject"]', False)):
        text = write(workdir / "runtime" / "main.tf", module.replace("ACTIONS", actions)).read_text()
        found = [(f["file"], f["line"], f["column"]) for f in run(".", "--select", "IAM518")[1]]
        assert found == ([("runtime/main.tf", *position_of(text, r'actions = \[(?P<at>"s3:PutObject")'))]
                         if flagged else [])

def test_the_summary_names_skipped_terraform_files_as_terraform(workdir: Path) -> None:
    from policylint.cli import main

    write(workdir / "vpc.tf", 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    write(workdir / "data.json", '{"name": "x"}\n')
    main(["check", ".", "--output", "report.txt"])
    assert "1 other JSON/YAML file and 1 other Terraform file skipped" in Path("report.txt").read_text()


def test_a_definition_file_named_from_the_root_module_is_found_there(workdir: Path) -> None:
    definition = ('{"StartAt": "A", "States": {"A": {"Type": "Task", '
                  '"Resource": "arn:aws:states:::lambda:invoke", "End": true}}}\n')
    write(workdir / "environments" / "dev" / "definition.json", definition)
    write(workdir / "environments" / "dev" / "main.tf",
          'module "flow" {\n  source = "../../modules/step_functions"\n}\n')
    child = MACHINE.replace("jsonencode(DEFINITION)", 'templatefile("${path.root}/definition.json", {})')
    write(workdir / "modules" / "step_functions" / "main.tf", child)
    found = run(".")[1]
    task = position_of(definition, '(?P<at>"A"): ')
    assert at(found, "SFN201") == [("environments/dev/definition.json", *task)]
    assert at(found, "PL005") == []
    found = run("modules")[1]  # without its root module: said, not guessed
    assert at(found, "PL005") == [("modules/step_functions/main.tf",
                                   *position_of(child, r"definition = (?P<at>templatefile)"))]
    assert found[0]["message"] == ("DefinitionUri file 'definition.json' was not found from the root module "
                                   "(.); lint it with the root module that calls it")
    (workdir / "environments" / "dev" / "definition.json").unlink()
    assert [f["message"] for f in run(".")[1]] == [
        "DefinitionUri file 'definition.json' was not found from the root module (../../environments/dev)"]
    write(workdir / "environments" / "prod" / "main.tf",  # every root that calls it is named
          'module "flow" {\n  source = "../../modules/step_functions"\n}\n')
    assert [f["message"] for f in run(".")[1]] == [
        "DefinitionUri file 'definition.json' was not found from the root module (../../environments/dev, "
        "../../environments/prod)"]


GIVEN_FILE_MODULE = '''variable "definition" {}

data "template_file" "flow" {
  template = file("${path.module}/${var.definition}")
  vars     = {}
}

resource "aws_sfn_state_machine" "flow" {
  name       = "flow"
  role_arn   = "arn:aws:iam::111122223333:role/flow"
  type       = "EXPRESS"
  definition = data.template_file.flow.rendered
}
'''
AGENT_FILE = ('{"StartAt": "Agent", "States": {"Agent": {"Type": "Task", '
              '"Resource": "arn:aws:states:::bedrockagentcore:invokeHarness", "Arguments": '
              '{"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h-AbCdEf1234"}, '
              '"End": true}}}\n')


@pytest.mark.parametrize("template", [
    'file("${path.module}/${var.definition}")', 'templatefile("${path.module}/${var.definition}", {})'])
def test_a_definition_file_each_call_names_is_linked_to_its_state_machine(workdir: Path,
                                                                          template: str) -> None:
    """The module's state machine is EXPRESS: its agent task, in the file the call names, is
    AGT320's only once linked to it. A call whose value is not known leaves a note."""
    module = GIVEN_FILE_MODULE.replace('file("${path.module}/${var.definition}")', template)
    if template.startswith("templatefile"):
        module = module.replace("data.template_file.flow.rendered", template)
    write(workdir / "modules" / "flow" / "main.tf", module)
    write(workdir / "flows" / "agent.asl.json", AGENT_FILE)
    root = 'module "flow" {\n  source     = "./modules/flow"\n  definition = DEFINITION\n}\n'
    write(workdir / "main.tf", root.replace("DEFINITION", '"../../flows/agent.asl.json"'))
    found = run(".", "--select", "AGT320,PL005")[1]
    assert at(found, "AGT320") == [("flows/agent.asl.json", *position_of(AGENT_FILE, '(?P<at>"Agent"): '))]
    assert at(found, "PL005") == []
    write(workdir / "main.tf", 'variable "flow" {}\n' + root.replace("DEFINITION", "var.flow"))
    found = run(".", "--select", "AGT320,PL005")[1]
    assert [f["message"] for f in found] == ["the definition file '${path.module}/${var.definition}' is "
                                             "computed; its state machine was not linted"]
    assert at(found, "PL005") == [("modules/flow/main.tf", *position_of(module, r"definition = (?P<at>\w)"))]


@pytest.mark.parametrize("given, linked", [
    ('"flows/agent.asl.json"', True),  # from the root module, not from the module's folder
    ('"${var.env}/agent.asl.json"', False),  # text the call computes
    ('"$${env}/agent.asl.json"', False),  # a placeholder written out: not a file of the checkout
    ('["flows/agent.asl.json"]', False),  # not a path at all
    ("5", False),
])
def test_a_file_a_call_names_from_the_root_module_is_found_there(workdir: Path, given: str,
                                                                  linked: bool) -> None:
    """``${path.root}/${var.definition}``: the root module's folder, then what the call gives;
    a call that gives anything but literal text leaves a note at the definition."""
    module = GIVEN_FILE_MODULE.replace("path.module", "path.root")
    write(workdir / "modules" / "flow" / "main.tf", module)
    write(workdir / "flows" / "agent.asl.json", AGENT_FILE)
    write(workdir / "main.tf", f'variable "env" {{}}\nmodule "flow" {{\n  source     = "./modules/flow"\n'
                               f"  definition = {given}\n}}\n")
    found = run(".", "--select", "AGT320,PL005")[1]
    assert at(found, "AGT320") == ([("flows/agent.asl.json", *position_of(AGENT_FILE, '(?P<at>"Agent"): '))]
                                   if linked else [])
    note = ("the definition file '${path.root}/${var.definition}' is computed; its state machine was not "
            "linted")
    assert [(f["line"], f["column"], f["message"]) for f in found if f["code"] == "PL005"] == (
        [] if linked else [(*position_of(module, r"definition = (?P<at>\w)"), note)])


@pytest.mark.parametrize("enabled", [True, False])
def test_a_file_is_read_only_for_the_calls_that_make_the_state_machine(workdir: Path, enabled: bool) -> None:
    """``count = var.enabled ? 1 : 0``: a call that makes none reads no file and leaves no note."""
    module = GIVEN_FILE_MODULE.replace('variable "definition" {}', 'variable "definition" {}\n'
                                       'variable "enabled" {}')
    module = module.replace('  name       = "flow"', '  count      = var.enabled ? 1 : 0\n'
                            '  name       = "flow"')
    write(workdir / "modules" / "flow" / "main.tf", module)
    write(workdir / "flows" / "agent.asl.json", AGENT_FILE)
    write(workdir / "main.tf", f'module "flow" {{\n  source     = "./modules/flow"\n'
                               f'  enabled    = {str(enabled).lower()}\n'
                               '  definition = "../../flows/agent.asl.json"\n}\n')
    found = run(".", "--select", "AGT320,PL005")[1]
    assert at(found, "AGT320") + at(found, "PL005") == (
        [("flows/agent.asl.json", *position_of(AGENT_FILE, '(?P<at>"Agent"): '))] if enabled else [])


@pytest.mark.parametrize("outside", [False, True])
def test_a_file_a_call_names_takes_the_template_s_values_and_stays_in_the_folder(workdir: Path,
                                                                                 outside: bool) -> None:
    """The templatefile map gives the task its Resource: an agent task, AGT320's. A file
    outside the linted folder is not read: a note that it was not found."""
    invoke = '{ invoke = "arn:aws:states:::bedrockagentcore:invokeHarness" }'
    module = GIVEN_FILE_MODULE.replace("data.template_file.flow.rendered",
                                       f'templatefile("${{path.module}}/${{var.definition}}", {invoke})')
    flow = AGENT_FILE.replace('"arn:aws:states:::bedrockagentcore:invokeHarness"', '"${invoke}"')
    write(workdir / "proj" / "modules" / "flow" / "main.tf", module)
    write(workdir / "flows" / "agent.asl.json", flow)
    write(workdir / "proj" / "agent.asl.json", flow)
    named = "../../../flows/agent.asl.json" if outside else "../../agent.asl.json"
    write(workdir / "proj" / "main.tf", f'module "flow" {{\n  source     = "./modules/flow"\n'
                                        f'  definition = "{named}"\n}}\n')
    found = run("proj", "--select", "AGT320,PL005")[1]
    assert [(f["code"], f["line"], f["column"]) for f in found] == (
        [("PL005", *position_of(module, r"definition = (?P<at>templatefile)"))] if outside else
        [("AGT320", *position_of(flow, '(?P<at>"Agent"): '))])


FOR_EACH = '''locals {
  agents = {
    support = { actions = ["bedrock-agentcore:InvokeHarness"], harness = "support-AbCdEf1234" }
    admin   = { actions = ["iam:PassRole"], harness = "*" }
  }
}

resource "aws_iam_policy" "agent" {
  for_each = local.agents
  name     = "agent-${each.key}"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = each.value.actions, Resource = "*" }]
  })
}
'''


def test_a_for_each_resource_is_one_resource_a_key(workdir: Path) -> None:
    write(workdir / "main.tf", FOR_EACH)
    found = run(".")[1]
    resource = position_of(FOR_EACH, r'Resource = (?P<at>"\*")')
    assert at(found, "IAM507") == [("main.tf", *resource)]  # only the admin key passes roles
    assert at(found, "IAM501") == [("main.tf", *resource)]  # only the support key invokes
    assert at(found, "PL005") == []


def test_a_for_each_the_module_does_not_know_stays_one_resource_with_each_unknown(workdir: Path) -> None:
    text = 'variable "agents" {\n  type = map(any)\n}\n' + FOR_EACH.split("}\n}\n", 1)[1].replace(
        "local.agents", "var.agents")
    write(workdir / "main.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == at(found, "IAM501") == []


def test_a_count_resource_is_read_once_as_written(workdir: Path) -> None:
    text = ('variable "create" {\n  default = false\n}\n' + FOR_EACH.split("}\n}\n", 1)[1]
            .replace("for_each = local.agents", "count    = var.create ? 1 : 0")
            .replace("each.value.actions", '["iam:PassRole"]').replace("${each.key}", "${count.index}"))
    write(workdir / "main.tf", text)
    assert at(run(".")[1], "IAM507") == [("main.tf", *position_of(text, r'Resource = (?P<at>"\*")'))]


def test_a_followed_definition_is_linted_in_parallel_runs_too(workdir: Path) -> None:
    write(workdir / "main.tf", MACHINE.replace("DEFINITION", "local.definition"))
    write(workdir / "locals.tf", LOCAL)
    for i in range(4):
        write(workdir / f"other{i}.json", '{"name": "x"}\n')
    assert len(at(run(".", "--jobs", "2")[1], "SFN201")) == 2


ITEMS = '''variable "statements" {
  type = any
  default = {
    Read = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::reports/*"] }
    Pass = { actions = ["iam:PassRole"], resources = ["*"] }
  }
}

data "aws_iam_policy_document" "agent" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid           = statement.key
      actions       = statement.value.actions
      not_actions   = statement.value.not_actions
      resources     = statement.value.resources
    }
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::reports"]
  }
}
'''


def test_a_dynamic_statement_over_known_items_is_a_statement_an_item(workdir: Path) -> None:
    write(workdir / "policy.tf", ITEMS)
    found = run(".")[1]
    # the item's value is judged where the content names it; a missing attribute is null
    assert at(found, "IAM507") == [("policy.tf", *position_of(ITEMS, r"resources     = (?P<at>statement)"))]
    assert at(found, "IAM509") == at(found, "PL005") == []


HEREDOC_EACH = '''resource "aws_iam_policy" "agent" {
  for_each = toset(["iam:PassRole", "s3:GetObject"])
  name     = "agent"
  policy   = <<-EOT
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "${each.key}", "Resource": "*"}]}
  EOT
}
'''


def test_a_for_each_over_toset_is_one_resource_a_key_judged_inside_its_heredoc(workdir: Path) -> None:
    write(workdir / "main.tf", HEREDOC_EACH)
    found = run(".")[1]
    action, resource = (position_of(HEREDOC_EACH, rf'"{k}": (?P<at>")') for k in ("Action", "Resource"))
    assert at(found, "IAM507") == [("main.tf", *resource)]  # the iam:PassRole key
    assert at(found, "IAM518") == at(found, "IAM521") == [("main.tf", *action)]


def test_locals_that_name_each_other_too_deeply_or_in_a_cycle_are_a_note(workdir: Path) -> None:
    chain = "".join(f"  l{i} = local.l{i + 1}\n" for i in range(11))
    text = ("locals {\n" + chain + '  l11 = { StartAt = "A", States = { A = { Type = "Pass", End = true } } }'
            '\n  a = local.b ? "x" : "y"\n  b = local.a ? true : false\n}\n'
            + MACHINE.replace("DEFINITION", "local.l0")
            + MACHINE.replace("DEFINITION", "local.a").replace('"flow"', '"other"'))
    write(workdir / "main.tf", text)
    found = [f for f in run(".")[1] if f["code"] == "PL005"]
    assert [(f["line"], f["column"]) for f in found] == [
        position_of(text, r"definition = (?P<at>jsonencode)\(local.l0"),
        position_of(text, r"definition = (?P<at>jsonencode)\(local.a")]
    assert found[0]["message"] == ("the definition is jsonencode(local.l0), and local.l9: its locals name "
                                   "each other too deeply; its state machine was not linted")
    assert found[1]["message"] == ("the definition is jsonencode(local.a), and local.a: its locals name "
                                   "each other too deeply; its state machine was not linted")


UNREAD = '''variable "sid" {}

data "aws_iam_policy_document" "narrow" {
  statement {
    sid       = var.sid
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/other"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.missing.json, local.text]
  override_policy_documents = [data.aws_iam_policy_document.narrow.json]
  statement {
    sid       = "Pass"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

locals {
  text = "not a document"
}
'''


def test_documents_a_merge_cannot_read_are_notes_and_an_unknown_sid_hides_those_with_one(
        workdir: Path) -> None:
    write(workdir / "policy.tf", UNREAD)
    found = run(".")[1]
    # the override's Sid is not known: the statement with a Sid may be replaced, that without stays
    last = position_of(UNREAD, r'PassRole"\]\n    resources = \[(?P<at>"\*")\]\n  }\n}')
    assert at(found, "IAM507") == [("policy.tf", *last)]
    notes = [(f["line"], f["column"], f["message"]) for f in found if f["code"] == "PL005"]
    where = position_of(UNREAD, r"source_policy_documents   = (?P<at>\[)")
    assert sorted(notes) == [(*where, f"source_policy_documents holds {held}, a document policylint cannot "
                              "read; the statements it adds were not checked")
                             for held in ('"not a document"', "data.aws_iam_policy_document.missing.json")]


def test_a_document_the_calls_of_a_module_give_differently_is_a_note(workdir: Path) -> None:
    module = ('variable "extra" {}\n' + MERGED.split("\n\n")[1]
              .replace("[data.aws_iam_policy_document.base.json]", "var.extra")
              .replace("  override_policy_documents = OVERRIDES\n", ""))
    calls = ('module "a" {\n  source = "./mod"\n  extra  = []\n}\n'
             'module "b" {\n  source = "./mod"\n  extra  = [data.aws_iam_policy_document.x.json]\n}\n')
    write(workdir / "main.tf", calls)
    write(workdir / "mod" / "main.tf", module)
    found = [f for f in run(".")[1] if f["code"] == "PL005"]
    assert [(f["file"], f["line"], f["column"], f["message"]) for f in found] == [
        ("mod/main.tf", *position_of(module, r"source_policy_documents   = (?P<at>var)"),
         "source_policy_documents is var.extra, and the calls of this module give it different values; "
         "the statements it adds were not checked")]
    # a call of no instance gives nothing: the other call's empty list is the value
    write(workdir / "main.tf", calls.replace('  extra  = [data', '  count  = 0\n  extra  = [data'))
    assert [f["code"] for f in run(".")[1]] == ["IAM518", "IAM507"]


def test_a_dynamic_statement_over_computed_items_is_a_note_saying_so(workdir: Path) -> None:
    text = ITEMS.replace("for_each = var.statements", "for_each = [aws_iam_role.a.arn, aws_iam_role.b.arn]")
    write(workdir / "policy.tf", text)
    assert [(f["line"], f["column"], f["message"]) for f in run(".")[1] if f["code"] == "PL005"] == [
        (*position_of(text, r'(?P<at>dynamic) "statement"'),
         "a dynamic statement block: each item of its for_each ([aws_iam_role.a.arn, aws_iam_role.b.arn]) "
         "makes a statement of its own, which policylint does not build (its items are computed or too "
         "many); its statements were not checked")]


def test_a_dynamic_statement_with_an_iterator_is_a_statement_an_item(workdir: Path) -> None:
    """``iterator = st`` names the item ``st`` (a bare name, not a string) in the content."""
    each = "    for_each = var.statements\n"
    text = ITEMS.replace(each, each + "    iterator = st\n").replace("statement.key", "st.key") \
        .replace("statement.value", "st.value")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == [("policy.tf", *position_of(text, r"resources     = (?P<at>st)"))]
    assert at(found, "IAM518") == [("policy.tf", *position_of(text, r"actions       = (?P<at>st)"))]
    assert at(found, "PL005") == []


def test_a_dynamic_statement_whose_content_has_dynamic_blocks_is_a_note(workdir: Path) -> None:
    text = ITEMS.replace("      resources     = statement.value.resources\n",
                         '      resources     = statement.value.resources\n      dynamic "condition" {\n'
                         "        for_each = []\n        content {\n          test     = \"Bool\"\n"
                         '          variable = "aws:SecureTransport"\n          values   = ["true"]\n'
                         "        }\n      }\n")
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == at(found, "IAM518") == []
    assert [(f["line"], f["column"], f["message"]) for f in found if f["code"] == "PL005"] == [
        (*position_of(text, r'(?P<at>dynamic) "statement"'),
         "a dynamic statement block: each item of its for_each (var.statements) makes a statement of its "
         "own, which policylint does not build (its content has dynamic blocks of its own); its statements "
         "were not checked")]


def test_a_policy_computed_by_a_function_is_a_note_at_its_value(workdir: Path) -> None:
    text = 'resource "aws_iam_policy" "agent" {\n  name   = "agent"\n  policy = file("policy.json")\n}\n'
    write(workdir / "main.tf", text)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in run(".")[1]] == [
        ("PL005", *position_of(text, r"policy = (?P<at>file)"),
         "policy is computed by file(); it was not checked")]


def test_a_policy_file_beside_the_module_is_linted_on_its_own_and_the_note_says_so(workdir: Path) -> None:
    text = ('resource "aws_iam_policy" "agent" {\n  name   = "agent"\n'
            '  policy = file("${path.module}/policy.json")\n}\n')
    write(workdir / "main.tf", text)
    policy = write(workdir / "policy.json", '{"Version": "2012-10-17", "Statement": [\n'
                   '  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}\n').read_text()
    found = run(".")[1]
    assert at(found, "IAM507") == [("policy.json", *position_of(policy, r'"Resource": (?P<at>"\*")'))]
    assert [(f["line"], f["column"], f["message"]) for f in found if f["code"] == "PL005"] == [
        (*position_of(text, r"policy = (?P<at>file)"),
         "policy is read from 'policy.json' by file(): that file is linted as a policy of its own, not as "
         "this resource's (the checks across a role's policies do not see it)")]


@pytest.mark.parametrize(("written", "policy"), [
    ("../policy.json", "policy.json"),  # above the module: not linted with it
    ("${path.root}/policy.json", "module/policy.json")])  # the root's file, not the module's
def test_a_policy_file_the_module_folder_does_not_hold_is_not_said_to_be_linted(
        workdir: Path, written: str, policy: str) -> None:
    text = f'resource "aws_iam_policy" "agent" {{\n  name   = "agent"\n  policy = file("{written}")\n}}\n'
    write(workdir / "module" / "main.tf", text)
    write(workdir / "root" / "main.tf", 'module "agent" {\n  source = "../module"\n}\n')
    write(workdir / policy, '{"Version": "2012-10-17", "Statement": [\n'
          '  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}\n')
    found = [(f["file"], f["line"], f["column"], f["message"]) for f in run("module", "root")[1]
             if f["code"] == "PL005"]
    assert found == [("module/main.tf", *position_of(text, r"policy = (?P<at>file)"),
                      "policy is computed by file(); it was not checked")]


def test_a_dynamic_statement_that_does_not_name_its_items_is_judged_once(workdir: Path) -> None:
    """Every item makes the same statement: its findings are reported once, where written."""
    text = ('data "aws_iam_policy_document" "agent" {\n  dynamic "statement" {\n    for_each = ["a", "b"]\n'
            '    content {\n      actions   = ["iam:PassRole"]\n      resources = ["*"]\n    }\n  }\n}\n')
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    assert at(found, "IAM507") == [("policy.tf", *position_of(text, r'resources = \[(?P<at>"\*")'))]
    assert at(found, "IAM518") == [("policy.tf", *position_of(text, r'actions   = \[(?P<at>"iam)'))]


@pytest.mark.parametrize(("bound", "itemised"), [(30, True), (29, False)])
def test_a_dynamic_statement_is_built_an_item_a_statement_up_to_max_nodes(
        workdir: Path, monkeypatch: pytest.MonkeyPatch, bound: int, itemised: bool) -> None:
    """ITEMS' two items make 2 x 15 values (11 of the items, 4 of the content): built a
    statement an item at a bound of 30 values, a note above it."""
    from policylint.frontends import terraform_link

    monkeypatch.setattr(terraform_link, "MAX_NODES", bound)
    write(workdir / "policy.tf", ITEMS)
    found = run(".")[1]
    dynamic = ("policy.tf", *position_of(ITEMS, r'(?P<at>dynamic) "statement"'))
    item = ("policy.tf", *position_of(ITEMS, r"resources     = (?P<at>statement)"))
    if itemised:
        assert at(found, "IAM507") == [item] and at(found, "PL005") == []
    else:
        assert at(found, "PL005") == [dynamic] and at(found, "IAM507") == []
        (note,) = [f["message"] for f in found if f["code"] == "PL005"]
        assert "(its items are computed or too many)" in note
