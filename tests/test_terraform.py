"""Terraform: .tf files read as the templates they amount to, findings at the exact line and
column in the .tf file (HCL object syntax, heredocs, policy document data sources, harness
blocks), references followed across the files of a module, and what cannot be read said."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import position_of, run, write

ARN = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support"
AGENT = "arn:${data.aws_partition.current.partition}:states:::bedrockagentcore:invokeHarness"


def machine(timeout: int = 600, harness: str = f'"{ARN}"', extra: str = "") -> str:
    """A state machine written the way Terraform users write it: jsonencode of HCL objects."""
    return f'''resource "aws_sfn_state_machine" "support" {{
  name     = "support"
  role_arn = aws_iam_role.workflow.arn
  definition = jsonencode({{
    QueryLanguage = "JSONata"
    StartAt       = "Agent"
    States = {{
      Agent = {{
        Type           = "Task"
        Resource       = "{AGENT}"
        TimeoutSeconds = {timeout}
        Arguments = {{
          HarnessArn       = {harness}
          RuntimeSessionId = "{{% $states.context.Execution.Name %}}"
          MaxIterations    = 10
          Messages         = [{{ Role = "user", Content = [{{ Text = "{{% $states.input.prompt %}}" }}] }}]
        }}
        Retry = [{{ ErrorEquals = ["BedrockAgentCore.ThrottlingException"], BackoffRate = 2 }}]
        Catch = [{{ ErrorEquals = ["States.ALL"], Next = "Failed" }}]
        End   = true{extra}
      }}
      Failed = {{ Type = "Fail" }}
    }}
  }})
}}
'''


def trust(service: str, condition: bool = True) -> str:
    scoped = '''
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["111122223333"]
    }''' if condition else ""
    return f'''data "aws_iam_policy_document" "{service.split('.')[0].replace('-', '_')}_trust" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["{service}"]
    }}{scoped}
  }}
}}
'''


WORKFLOW_ROLE = '''resource "aws_iam_role" "workflow" {
  name               = "support-workflow"
  assume_role_policy = data.aws_iam_policy_document.states_trust.json
}

data "aws_iam_policy_document" "invoke" {
  statement {
    actions   = ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"]
    resources = [aws_bedrockagentcore_harness.support.arn]
  }
}

resource "aws_iam_role_policy" "invoke" {
  role   = aws_iam_role.workflow.id
  policy = data.aws_iam_policy_document.invoke.json
}
'''

HARNESS_ROLE = '''resource "aws_iam_role" "harness" {
  name               = "support-harness"
  assume_role_policy = data.aws_iam_policy_document.bedrock_trust.json
}

resource "aws_iam_policy" "tools" {
  name = "support-tools"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock-agentcore:InvokeGateway"]
      Resource = "arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/support-gw-abcdefghij"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "tools" {
  role       = aws_iam_role.harness.name
  policy_arn = aws_iam_policy.tools.arn
}
'''


def harness(timeout: int = 300, role: str = "aws_iam_role.harness.arn", extra: str = "") -> str:
    return f'''resource "aws_bedrockagentcore_harness" "support" {{
  harness_name       = "support"
  execution_role_arn = {role}
  model {{
    bedrock_model_config {{
      model_id = "anthropic.claude-sonnet-4-20250514"
    }}
  }}
  system_prompt {{
    text = "You answer support questions."
  }}
  tool {{
    type = "agentcore_gateway"
    name = "orders"
    config {{
      agentcore_gateway {{
        gateway_arn = "arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/support-gw-abcdefghij"
      }}
    }}
  }}
  hook {{
    before_tool_call {{
      name = "approve"
      target {{
        lambda {{
          arn          = "arn:aws:lambda:us-east-1:111122223333:function:approve-tool"
          failure_mode = "deny"
        }}
      }}
    }}
  }}
  memory {{
    disabled {{}}
  }}
  allowed_tools   = ["orders"]
  max_iterations  = 10
  max_tokens      = 4096
  timeout_seconds = {timeout}{extra}
}}
'''


def module(root: Path, **files: str) -> dict[str, str]:
    """A module spread over files (main.tf, iam.tf, harness.tf), clean unless told otherwise."""
    texts = {"main.tf": machine(), "iam.tf": WORKFLOW_ROLE + HARNESS_ROLE + trust("states.amazonaws.com")
             + trust("bedrock-agentcore.amazonaws.com"), "harness.tf": harness(),
             "data.tf": 'data "aws_partition" "current" {}\n'}
    texts.update(files)
    for name, text in texts.items():
        write(root / name, text)
    return texts


def at(findings: list, code: str) -> list[tuple[str, int, int]]:
    return [(f["file"], f["line"], f["column"]) for f in findings if f["code"] == code]


def test_a_clean_module_spread_over_files_has_no_findings(workdir: Path) -> None:
    module(workdir)
    assert run(".") == (0, [])


def test_task_timeout_in_hcl_object_syntax(workdir: Path) -> None:
    texts = module(workdir, **{"main.tf": machine(timeout=3600)})
    timeout = position_of(texts["main.tf"], r"TimeoutSeconds = (?P<at>3600)")
    assert at(run(".")[1], "AGT301") == [("main.tf", *timeout)]


def test_harness_outlives_the_task_across_files(workdir: Path) -> None:
    texts = module(workdir, **{"harness.tf": harness(timeout=800)})
    found = run(".")[1]
    timeout = position_of(texts["main.tf"], r"TimeoutSeconds = (?P<at>600)")
    assert at(found, "AGT311") == [("main.tf", *timeout)]
    assert "'support'" in next(f["message"] for f in found if f["code"] == "AGT311")


def test_workflow_role_that_cannot_invoke_the_harness(workdir: Path) -> None:
    role = WORKFLOW_ROLE.replace(', "bedrock-agentcore:InvokeAgentRuntime"', "")
    texts = module(workdir, **{"iam.tf": role + HARNESS_ROLE + trust("states.amazonaws.com")
                               + trust("bedrock-agentcore.amazonaws.com")})
    assert at(run(".")[1], "IAM504") == [("main.tf", *position_of(texts["main.tf"], "(?P<at>role_arn)"))]


def test_harness_sharing_the_workflow_role(workdir: Path) -> None:
    texts = module(workdir, **{"harness.tf": harness(role="aws_iam_role.workflow.arn")})
    found = run(".")[1]
    assert at(found, "HRN408") == [("harness.tf", *position_of(
        texts["harness.tf"], r"execution_role_arn = (?P<at>aws_iam_role\.workflow)"))]


def test_tool_permission_attached_to_the_workflow_role(workdir: Path) -> None:
    attach = '''
resource "aws_iam_role_policy_attachment" "browser" {
  role       = aws_iam_role.workflow.name
  policy_arn = aws_iam_policy.browser.arn
}

resource "aws_iam_policy" "browser" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "bedrock-agentcore:StartBrowserSession", Resource = "*" }]
  })
}
'''
    texts = module(workdir, **{"extra.tf": attach})
    assert at(run(".")[1], "IAM503") == [("extra.tf", *position_of(
        texts["extra.tf"], r'Action = (?P<at>"bedrock-agentcore:StartBrowserSession")'))]


def test_harness_tool_its_role_cannot_call(workdir: Path) -> None:
    browser = '''
  tool {
    type = "agentcore_browser"
    name = "web"
  }'''
    texts = module(workdir, **{"harness.tf": harness(extra=browser)})
    assert at(run(".")[1], "IAM505") == [("harness.tf", *position_of(
        texts["harness.tf"], r'type = (?P<at>"agentcore_browser")'))]


@pytest.mark.parametrize(("extra", "code", "pattern"), [
    ("", "HRN401", r"timeout_seconds = (?P<at>1200)"),
    ('\n  allowed_tools = ["*"]', "HRN404", r'allowed_tools = \[(?P<at>"\*")'),
    ('\n  environment_variables = { OPENAI_API_KEY = "sk-live-0123456789abcdef0123" }', "HRN405",
     r'OPENAI_API_KEY = (?P<at>"sk-)'),
])
def test_harness_rules_on_the_harness_block(workdir: Path, extra: str, code: str, pattern: str) -> None:
    text = harness(timeout=1200 if code == "HRN401" else 300, extra=extra).replace(
        '  allowed_tools   = ["orders"]\n', "" if code == "HRN404" else '  allowed_tools   = ["orders"]\n')
    texts = module(workdir, **{"harness.tf": text})
    found = run(".")[1]
    assert at(found, code) == [("harness.tf", *position_of(texts["harness.tf"], pattern))]
    if code == "HRN405":
        assert "sk-live-0123456789abcdef0123" not in str(found)  # the secret is masked


def test_policy_document_data_source_positions(workdir: Path) -> None:
    text = '''data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "invoke-any"
    actions   = ["bedrock-agentcore:InvokeHarness"]
    resources = ["*"]
  }
  statement {
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}
'''
    write(workdir / "policy.tf", text)
    found = run(".")[1]
    first = position_of(text, r'resources = \[(?P<at>"\*")\]\n  \}\n  statement')
    second = position_of(text, r'PassRole"\]\n    resources = \[(?P<at>"\*")')
    assert at(found, "IAM501") == [("policy.tf", *first)]
    assert at(found, "IAM507") == [("policy.tf", *second)]


def test_trust_without_source_condition_from_a_data_source(workdir: Path) -> None:
    text = trust("states.amazonaws.com", condition=False)
    write(workdir / "trust.tf", text)
    assert at(run(".")[1], "IAM510") == [("trust.tf", *position_of(text, r'identifiers = \[(?P<at>"states)'))]
    write(workdir / "trust.tf", trust("states.amazonaws.com"))
    assert at(run(".")[1], "IAM510") == []


def test_heredoc_policy_positions_inside_the_heredoc(workdir: Path) -> None:
    text = '''resource "aws_iam_role_policy" "pass" {
  role   = "support-workflow"
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]
    }
  POLICY
}
'''
    write(workdir / "policy.tf", text)
    assert at(run(".")[1], "IAM507") == [("policy.tf", *position_of(text, r'"Resource": (?P<at>"\*")'))]


def test_a_policy_in_a_quoted_string_is_reported_at_the_string(workdir: Path) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]})
    text = f'''resource "aws_iam_role_policy" "pass" {{
  role   = "support-workflow"
  policy = {json.dumps(policy)}
}}
'''
    write(workdir / "policy.tf", text)
    assert at(run(".")[1], "IAM507") == [("policy.tf", *position_of(text, r'policy = (?P<at>")'))]


def test_an_interpolated_string_in_a_definition_is_read_as_its_text(workdir: Path) -> None:
    """In a state machine, ``${...}`` is text (Terraform's, or a JSONPath ``States.Format``): a
    Lambda function ARN built so is still Lambda's, and its task gets the Lambda retry fix."""
    text = '''resource "aws_sfn_state_machine" "flow" {
  name     = "flow"
  role_arn = "arn:aws:iam::111122223333:role/flow"
  definition = jsonencode({
    StartAt = "Call"
    States = {
      Call = {
        Type     = "Task"
        Resource = "arn:aws:lambda:us-east-1:111122223333:function:${var.name}"
        End      = true
      }
    }
  })
}
'''
    write(workdir / "flow.tf", text)
    (finding,) = [f for f in run(".")[1] if f["code"] == "SFN201"]
    assert finding["fix"] is not None
    assert (finding["line"], finding["column"]) == position_of(text, r"(?P<at>Call) = ")


def test_a_definition_in_a_quoted_string_is_placed_through_its_escapes(workdir: Path) -> None:
    definition = json.dumps({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}})
    text = f'''resource "aws_sfn_state_machine" "flow" {{
  name       = "flow"
  role_arn   = "arn:aws:iam::111122223333:role/flow"
  definition = {json.dumps(definition)}
}}
'''
    write(workdir / "flow.tf", text)
    assert at(run(".")[1], "SFN201") == [("flow.tf", *position_of(text, r'\{(?P<at>\\"Call\\": \{)'))]


def test_resource_policies_open_to_anyone(workdir: Path) -> None:
    text = '''resource "aws_s3_bucket_policy" "reports" {
  bucket = "reports"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.r.arn}/*" }]
  })
}

resource "aws_lambda_permission" "anyone" {
  action        = "lambda:InvokeFunction"
  function_name = "handler"
  principal     = "*"
}

resource "aws_lambda_permission" "events" {
  action        = "lambda:InvokeFunction"
  function_name = "handler"
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-1:111122223333:rule/nightly"
}
'''
    write(workdir / "exposure.tf", text)
    assert at(run(".")[1], "IAM519") == [
        ("exposure.tf", *position_of(text, r'Principal = (?P<at>"\*")')),
        ("exposure.tf", *position_of(text, r'principal     = (?P<at>"\*")'))]


def test_a_permission_in_one_file_of_a_module_is_reported_once(workdir: Path) -> None:
    text = 'resource "aws_lambda_permission" "anyone" {\n  function_name = "handler"\n  principal = "*"\n}\n'
    write(workdir / "permissions.tf", text)
    write(workdir / "roles.tf", 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n')
    write(workdir / "logs.tf", 'resource "aws_cloudwatch_log_group" "l" {\n  name = "l"\n}\n')
    assert at(run(".")[1], "IAM519") == [("permissions.tf", *position_of(text, r'principal = (?P<at>"\*")'))]


def test_a_file_that_does_not_parse_is_pl001_at_the_error(workdir: Path) -> None:
    write(workdir / "broken.tf", 'resource "aws_iam_role" "r" {\n  name = \n}\n')
    write(workdir / "flow.asl.json", '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Nxt": "B"}}}')
    found = run(".")[1]
    assert [(f["file"], f["code"], f["line"]) for f in found if f["file"] == "broken.tf"] == [
        ("broken.tf", "PL001", 2)]
    assert "ASL101" in {f["code"] for f in found}  # the other files were linted


def test_what_terraform_computes_is_said_not_guessed(workdir: Path) -> None:
    text = '''resource "aws_sfn_state_machine" "computed" {
  name       = "computed"
  role_arn   = var.role_arn
  definition = var.definition
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = ["*"]
    }
  }
}
'''
    write(workdir / "computed.tf", text)
    found = run(".")[1]
    assert [(f["code"], f["line"]) for f in found] == [("PL005", 4), ("PL005", 8)]  # at the dynamic block
    assert "var.definition" in found[0]["message"]
    assert "var.statements is not declared" in found[1]["message"]


def test_a_tf_file_without_resources_of_ours_is_not_parsed(workdir: Path) -> None:
    write(workdir / "network.tf", 'resource "aws_vpc" "main" {\n  cidr_block = \n')  # broken, not ours
    assert run(".") == (0, [])


def test_a_run_without_tf_files_does_not_import_the_hcl_parser(workdir: Path) -> None:
    write(workdir / "flow.asl.json", '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    code = ("import sys\nfrom policylint.cli import main\nmain(['check', 'flow.asl.json'])\n"
            "print(sorted(m for m in ('hcl2', 'lark', 'tree_sitter', 'tree_sitter_hcl', "
            "'policylint.frontends.terraform', 'policylint.frontends.cloudformation') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_interpolation_in_a_policy_is_an_unknown_value_not_a_policy_variable(workdir: Path) -> None:
    text = '''resource "aws_iam_role_policy" "events" {
  role = "support-workflow"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["events:PutRule"]
      Resource = "arn:${data.aws_partition.p.id}:events:${var.region}:${var.account}:rule/Nightly"
    }]
  })
}
'''
    write(workdir / "events.tf", text)
    assert run(".") == (0, [])
    # a wrong literal part too: the ARN is unknown as a whole, nothing is guessed
    write(workdir / "events.tf", text.replace("rule/Nightly", "table/Nightly"))
    assert run(".") == (0, [])


def test_definition_rendered_by_a_template_file_data_source(workdir: Path) -> None:
    flow = ('{"StartAt": "Agent", "States": {"Agent": {"Type": "Task", "Resource": '
            '"arn:aws:states:::bedrockagentcore:invokeHarness", "Parameters": {"HarnessArn": "${harness}"}, '
            '"TimeoutSeconds": 1200, "End": true}}}')
    write(workdir / "flows" / "agent.asl.json", flow)
    write(workdir / "main.tf", 'data "template_file" "flow" {\n'
          '  template = file("${path.module}/flows/agent.asl.json")\n'
          '  vars = { harness = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support" }\n}\n\n'
          'resource "aws_sfn_state_machine" "f" {\n  role_arn   = "arn:aws:iam::111122223333:role/wf"\n'
          '  definition = data.template_file.flow.rendered\n}\n')
    found = run(".")[1]
    timeout = position_of(flow, '"TimeoutSeconds": (?P<at>1200)')
    assert at(found, "AGT301") == [("flows/agent.asl.json", *timeout)]
    assert at(found, "AGT304") == []


def test_definition_file_named_by_templatefile_is_linted_with_its_variables(workdir: Path) -> None:
    flow = ('{"StartAt": "Agent", "States": {"Agent": {"Type": "Task", "Resource": '
            '"arn:aws:states:::bedrockagentcore:invokeHarness", "Parameters": {"HarnessArn": "${harness}"}, '
            '"End": true}}}')
    write(workdir / "flows" / "agent.asl.json", flow)
    write(workdir / "main.tf", 'resource "aws_sfn_state_machine" "f" {\n'
          '  role_arn = "arn:aws:iam::111122223333:role/wf"\n'
          '  definition = templatefile("${path.module}/flows/agent.asl.json", {\n'
          '    harness = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"\n  })\n}\n')
    harness = position_of(flow, r'"HarnessArn": (?P<at>")')
    assert at(run(".")[1], "AGT304") == [("flows/agent.asl.json", *harness)]


MCP = ('  tool {\n    type = "remote_mcp"\n    name = "crm"\n    config {\n      remote_mcp {\n'
       '        url = "http://crm.example.com/mcp"\n      }\n    }\n  }\n')
JWT = ('  authorizer_configuration {\n    custom_jwt_authorizer {\n'
       '      discovery_url = "https://idp.example.com/.well-known/openid-configuration"\n    }\n  }\n')


@pytest.mark.parametrize(("change", "code", "pattern"), [
    (lambda t: t.replace("  max_iterations  = 10\n  max_tokens      = 4096\n", ""), "HRN402",
     r'(?P<at>resource "aws_bedrockagentcore_harness")'),
    (lambda t: t.replace('type = "agentcore_gateway"', 'type = "browser"'), "HRN403",
     r'type = (?P<at>"browser")'),
    (lambda t: t.replace("  allowed_tools", MCP + "  allowed_tools"), "HRN406", r'url = (?P<at>"http://)'),
    (lambda t: t.replace("  allowed_tools", JWT + "  allowed_tools"), "HRN407",
     r"(?P<at>custom_jwt_authorizer) \{"),
])
def test_more_harness_rules_in_terraform(workdir: Path, change: object, code: str, pattern: str) -> None:
    text = change(harness())  # type: ignore[operator]
    texts = module(workdir, **{"harness.tf": text})
    found = run(".")[1]
    assert at(found, code) == [("harness.tf", *position_of(texts["harness.tf"], pattern))]
    if code == "HRN402":  # named as the author writes them
        assert "sets no max_iterations, max_tokens:" in found[0]["message"]


def test_harness_role_allowing_tools_the_harness_does_not_have(workdir: Path) -> None:
    tools = '"bedrock-agentcore:InvokeGateway", "bedrock-agentcore:InvokeCodeInterpreter"'
    extra = HARNESS_ROLE.replace('"bedrock-agentcore:InvokeGateway"', tools)
    texts = module(workdir, **{"iam.tf": WORKFLOW_ROLE + extra + trust("states.amazonaws.com")
                               + trust("bedrock-agentcore.amazonaws.com")})
    assert at(run(".")[1], "IAM506") == [("iam.tf", *position_of(
        texts["iam.tf"], '(?P<at>"bedrock-agentcore:InvokeCodeInterpreter")'))]


def test_agent_in_an_express_workflow_and_its_logs_kept_forever(workdir: Path) -> None:
    text = machine().replace('  name     = "support"\n', '''  name     = "support"
  type     = "EXPRESS"
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.flow.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }
''') + 'resource "aws_cloudwatch_log_group" "flow" {\n  name = "/aws/states/support"\n}\n'
    texts = module(workdir, **{"main.tf": text})
    found = run(".")[1]
    timeout = position_of(texts["main.tf"], r"TimeoutSeconds = (?P<at>600)")
    assert at(found, "AGT320") == [("main.tf", *timeout)]
    logged = position_of(texts["main.tf"], "(?P<at>include_execution_data)")
    assert at(found, "AGT321") == [("main.tf", *logged)]
    kept = texts["main.tf"].replace('  name = "/aws/states/support"\n', '  retention_in_days = 30\n')
    write(workdir / "main.tf", kept.replace('"EXPRESS"', '"STANDARD"'))
    assert not [f for f in run(".")[1] if f["code"] in ("AGT320", "AGT321")]


def test_terraform_json_syntax_at_exact_positions(workdir: Path) -> None:
    """``.tf.json`` (as CDK for Terraform writes it): blocks as objects, expressions as
    ``"${...}"`` strings, a policy as a JSON string whose escapes are counted."""
    policy = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", '
              '"Resource": "*"}]}')
    text = json.dumps({"resource": {"aws_iam_role": {"r": {
        "name": "r", "assume_role_policy": "${data.aws_iam_policy_document.trust.json}",
        "inline_policy": [{"name": "p", "policy": policy}]}}},
        "data": {"aws_iam_policy_document": {"trust": {"statement": [{
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["states.amazonaws.com"]}]}]}}}}, indent=2)
    write(workdir / "cdk.tf.json", text)
    found = run(".")[1]
    assert at(found, "IAM507") == [("cdk.tf.json", *position_of(text, r'\\"Resource\\": (?P<at>\\"\*)'))]
    assert at(found, "IAM510") == [("cdk.tf.json", *position_of(text, r'(?P<at>"states\.amazonaws\.com")'))]


def test_terraform_json_that_does_not_parse_is_pl001(workdir: Path) -> None:
    text = '{"resource": {"aws_iam_role": {"r": {"name": "r",}}}}'
    write(workdir / "main.tf.json", text)
    error = position_of(text, r",(?P<at>\})")
    assert [(f["code"], f["line"], f["column"]) for f in run(".")[1]] == [("PL001", *error)]


def test_literal_locals_are_known_wherever_the_module_defines_them(workdir: Path) -> None:
    locals_ = ('locals {\n  agent_timeout = 3600\n  computed = "${var.env}-x"\n'
               '  harness = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"\n}\n')
    write(workdir / "locals.tf", locals_)
    text = machine(harness="local.harness").replace("TimeoutSeconds = 600",
                                                    "TimeoutSeconds = local.agent_timeout")
    module(workdir, **{"main.tf": text})
    found = run(".")[1]
    # reported where the local's value is written, not where the machine names it
    assert at(found, "AGT301") == [("locals.tf", *position_of(locals_, r"agent_timeout = (?P<at>3600)"))]
    assert at(found, "AGT304") == [("locals.tf", *position_of(locals_, r'harness = (?P<at>"arn)'))]
    write(workdir / "locals.tf", 'locals {\n  agent_timeout = var.timeout\n  harness = "${var.harness}"\n}\n')
    assert not [f for f in run(".")[1] if f["code"] in ("AGT301", "AGT304")]  # unknown: not guessed


MANAGED = '  memory {\n    managed_memory_configuration {\n      event_expiry_duration = 90\n    }\n  }\n'
PUBLIC = ('  environment {\n    agentcore_runtime_environment {\n      network_configuration {\n'
          '        network_mode = "PUBLIC"\n      }\n    }\n  }\n')
OPENAI = ('  model {\n    open_ai_model_config {\n      model_id    = "gpt-5"\n      api_key_arn = "arn:aws:'
          'bedrock-agentcore:us-east-1:111122223333:token-vault/default/apikeycredentialprovider/openai"\n'
          '    }\n  }\n')
NO_MEMORY = "  memory {\n    disabled {}\n  }\n"
HARNESS_BLOCK = r'(?P<at>resource "aws_bedrockagentcore_harness")'


def bedrock_model(text: str) -> str:
    return text[:text.index("  model {")] + text[text.index("  system_prompt {"):]


@pytest.mark.parametrize(("change", "code", "pattern", "config", "folder"), [
    (lambda t: t.replace('  allowed_tools   = ["orders"]\n', ""), "HRN409", HARNESS_BLOCK, "", "."),
    (lambda t: t.replace('failure_mode = "deny"', 'failure_mode = "allow"'), "HRN410",
     r'failure_mode = (?P<at>"allow")', "", "."),
    (lambda t: t.replace(NO_MEMORY, ""), "HRN411", HARNESS_BLOCK, "", "prod"),
    (lambda t: t.replace(NO_MEMORY, ""), "HRN412", HARNESS_BLOCK, "max-memory-retention-days: 14\n", "."),
    (lambda t: t.replace(NO_MEMORY, MANAGED), "HRN412", r"event_expiry_duration = (?P<at>90)",
     "max-memory-retention-days: 30\n", "."),
    (lambda t: t.replace(NO_MEMORY, PUBLIC + NO_MEMORY), "HRN413", r'network_mode = (?P<at>"PUBLIC")', "",
     "prod"),
    (lambda t: bedrock_model(t).replace(NO_MEMORY, OPENAI + NO_MEMORY), "HRN414",
     r"(?P<at>open_ai_model_config) \{", "", "."),
])
def test_harness_defaults_and_environments_in_terraform(workdir: Path, change: object, code: str,
                                                        pattern: str, config: str, folder: str) -> None:
    write(workdir / ".policylint.yaml", config or "select: [HRN]\n")
    texts = module(workdir / folder, **{"harness.tf": change(harness())})  # type: ignore[operator]
    found = run(".", "--fail-on", "never")[1]
    where = str(Path(folder) / "harness.tf") if folder != "." else "harness.tf"
    assert at(found, code) == [(where, *position_of(texts["harness.tf"], pattern))]


def test_terraform_harness_defaults_outside_prod_are_quiet(workdir: Path) -> None:
    module(workdir / "dev", **{"harness.tf": harness().replace(NO_MEMORY, PUBLIC)})
    assert run(".", "--select", "HRN411,HRN413") == (0, [])


def test_a_dynamic_harness_block_is_not_a_default(workdir: Path) -> None:
    dynamic = ('  dynamic "memory" {\n    for_each = var.memory != null ? [var.memory] : []\n'
               '    content {\n      disabled {}\n    }\n  }\n')
    module(workdir / "prod", **{"harness.tf": harness().replace(NO_MEMORY, dynamic)})
    assert run(".", "--select", "HRN,IAM505") == (0, [])


def test_a_file_holding_only_a_log_group_is_read_with_its_module(workdir: Path) -> None:
    text = machine().replace('  name     = "support"\n', '''  name     = "support"
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.flow.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }
''')
    logs = 'resource "aws_cloudwatch_log_group" "flow" {\n  name = "/aws/flow"\n}\n'  # kept forever
    texts = module(workdir, **{"main.tf": text, "logs.tf": logs})
    logged = position_of(texts["main.tf"], "(?P<at>include_execution_data)")
    assert at(run(".")[1], "AGT321") == [("main.tf", *logged)]
    write(workdir / "logs.tf", 'resource "aws_cloudwatch_log_group" "flow" {\n  retention_in_days = 30\n}\n')
    assert at(run(".")[1], "AGT321") == []


def test_the_files_read_are_those_naming_what_the_resource_tables_build() -> None:
    from policylint.frontends import terraform

    names = {*terraform.RESOURCES, *terraform.DATA_SOURCES, "locals"}
    for name in names:
        assert terraform.OURS.search(f'resource "{name}" "x" {{}}'), name
        assert terraform.OURS_BYTES.search(f'data "{name}" "x" {{}}'.encode()), name
    for other in ("aws_vpc", "aws_iam_user", "aws_cloudwatch_log_stream", "aws_sfn_alias"):
        assert not terraform.OURS.search(f'resource "{other}" "x" {{}}'), other


def test_columns_count_characters_after_non_ascii_text(workdir: Path) -> None:
    text = '''resource "aws_iam_role_policy" "ünï" {
  role = "r"
  policy = jsonencode({ Version = "2012-10-17",
    Statement = [{ Sid = "Lëséñ€😀", Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })
}
'''
    write(workdir / "main.tf", text)
    assert at(run(".")[1], "IAM507") == [("main.tf", *position_of(text, r'Resource = (?P<at>"\*")'))]


CONDITIONS = '''data "aws_iam_policy_document" "reader" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
    condition {
      test     = "StringEquals"
      variable = "s3:prefix"
      values   = ["home/"]
    }
    condition {
      test     = "StringEqualz"
      variable = "aws:SourceAccount"
      values   = ["111122223333"]
    }
    condition {
      test     = "DateGreaterThan"
      variable = "aws:CurrentTime"
      values   = ["yesterday"]
    }
  }
}
'''


def test_a_condition_block_is_judged_where_its_test_variable_and_values_are(workdir: Path) -> None:
    """The operator is written as test's value, the key as variable's, the value in values."""
    write(workdir / "policy.tf", CONDITIONS)
    found = run(".", "--select", "IAM513,IAM514")[1]
    assert sorted((f["code"], f["line"], f["column"]) for f in found) == sorted([
        ("IAM513", *position_of(CONDITIONS, r'variable = (?P<at>"s3:prefix")')),
        ("IAM514", *position_of(CONDITIONS, r'test     = (?P<at>"StringEqualz")')),
        ("IAM514", *position_of(CONDITIONS, r'values   = \[(?P<at>"yesterday")'))])
