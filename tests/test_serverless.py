"""serverless.yml (Serverless Framework + serverless-step-functions) read as the template it
deploys; findings at the exact place in the serverless.yml (the AGT matrix runs in this form
too: forms.serverless)."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import position_of, run, write

HEAD = "service: support\nprovider:\n  name: aws\n  runtime: python3.12\n"
AGENT = """\
      definition:
        StartAt: Agent
        States:
          Agent:
            Type: Task
            Resource: arn:aws:states:::bedrockagentcore:invokeHarness
            Parameters:
              HarnessArn: arn:aws:bedrock-agentcore:${aws:region}:${aws:accountId}:harness/support
              RuntimeSessionId.$: $$.Execution.Name
              MaxIterations: ${self:custom.iterations}
              TimeoutSeconds: 200
            TimeoutSeconds: TIMEOUT
            Retry:
              - ErrorEquals: [States.TaskFailed]
            Catch:
              - ErrorEquals: [States.ALL]
                Next: Failed
            End: true
          Failed:
            Type: Fail
"""


def machine(settings: str = "", timeout: int = 280) -> str:
    return (HEAD + "stepFunctions:\n  stateMachines:\n    support-flow:\n      name: support-${sls:stage}\n"
            + settings + AGENT.replace("TIMEOUT", str(timeout)))


def lint(workdir: Path, text: str, codes: str) -> list[dict]:
    write(workdir / "serverless.yml", text)
    return run(".", "--select", codes, "--fail-on", "never")[1]


def at(found: list[dict]) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in found]


def test_clean_workflow_with_variables_everywhere(workdir: Path) -> None:
    text = machine("      role: arn:aws:iam::${aws:accountId}:role/${self:custom.role}\n")
    assert lint(workdir, text, "ASL,AGT,SFN,PL") == []


@pytest.mark.parametrize("express", [True, False])
def test_express_workflow(workdir: Path, express: bool) -> None:
    settings = "      type: EXPRESS\n" if express else "      type: STANDARD\n"
    text = machine(settings, timeout=600)
    found = lint(workdir, text, "AGT320")
    assert at(found) == ([("AGT320", *position_of(text, r"TimeoutSeconds: (?P<at>600)"))] if express else [])
    assert lint(workdir, machine("      type: EXPRESS\n"), "AGT320") == []  # 280 s fits


@pytest.mark.parametrize("retention", ["", "        RetentionInDays: 30\n"])
def test_execution_data_logged_forever(workdir: Path, retention: str) -> None:
    logging = ("      loggingConfig:\n        level: ALL\n        includeExecutionData: true\n"
               "        destinations:\n          - Fn::GetAtt: [AgentLogs, Arn]\n")
    resources = ("resources:\n  Resources:\n    AgentLogs:\n      Type: AWS::Logs::LogGroup\n"
                 "      Properties:\n        LogGroupName: /aws/states/support\n" + retention)
    text = machine(logging) + resources
    found = lint(workdir, text, "AGT321")
    assert at(found) == ([] if retention else [("AGT321", *position_of(text, "includeExecutionData"))])


@pytest.mark.parametrize("where", ["iam", "iamRoleStatements", "machine"])
def test_iam_statements_are_policies(workdir: Path, where: str) -> None:
    statement = ("- Effect: Allow\n  Action: bedrock-agentcore:InvokeHarness\n  Resource: '*'\n")
    if where == "iam":
        text = HEAD + "  iam:\n    role:\n      statements:\n" + _indent(statement, 8)
    elif where == "iamRoleStatements":
        text = HEAD + "  iamRoleStatements:\n" + _indent(statement, 4)
    else:
        text = machine("      iamRoleStatements:\n" + _indent(statement, 8))
    found = lint(workdir, text, "IAM501")
    assert at(found) == [("IAM501", *position_of(text, "Resource: (?P<at>'\\*')"))]
    named = text.replace("'*'", "arn:aws:bedrock-agentcore:us-east-1:1:harness/a")
    assert lint(workdir, named, "IAM501") == []


def test_workflow_role_in_resources(workdir: Path) -> None:
    """`role: !GetAtt X.Arn` follows to the role under resources, as in CloudFormation."""
    role = ("resources:\n  Resources:\n    FlowRole:\n      Type: AWS::IAM::Role\n      Properties:\n"
            "        AssumeRolePolicyDocument:\n          Version: '2012-10-17'\n          Statement:\n"
            "            - Effect: Allow\n              Principal: {Service: states.amazonaws.com}\n"
            "              Action: sts:AssumeRole\n              Condition:\n"
            "                StringEquals: {aws:SourceAccount: '111122223333'}\n"
            "        Policies:\n          - PolicyName: run\n            PolicyDocument:\n"
            "              Version: '2012-10-17'\n              Statement:\n"
            "                - Effect: Allow\n"
            "                  Action: bedrock-agentcore:StartBrowserSession\n"
            "                  Resource: '*'\n")
    text = machine("      role: !GetAtt FlowRole.Arn\n") + role
    found = lint(workdir, text, "IAM503")
    where = position_of(text, "Action: (?P<at>bedrock-agentcore:StartBrowserSession)")
    assert at(found) == [("IAM503", *where)]


def test_definition_in_a_file(workdir: Path) -> None:
    """`definition: ${file(./flow.json)}` is followed: findings in that file, with the
    workflow's settings (Express) applied."""
    flow = ('{"StartAt": "Agent", "States": {"Agent": {"Type": "Task", "Resource": '
            '"arn:aws:states:::bedrockagentcore:invokeHarness", "Parameters": {"HarnessArn": '
            '"arn:aws:bedrock-agentcore:us-east-1:1:harness/a"}, "TimeoutSeconds": 600, "End": true}}}')
    write(workdir / "flows" / "flow.json", flow)
    text = (HEAD + "stepFunctions:\n  stateMachines:\n    flow:\n      type: EXPRESS\n"
            "      definition: ${file(./flows/flow.json)}\n")
    found = lint(workdir, text, "AGT320")
    assert [(f["file"], f["line"], f["column"]) for f in found] == [
        ("flows/flow.json", *position_of(flow, '"TimeoutSeconds": (?P<at>600)'))]


def test_definition_only_a_deployment_knows(workdir: Path) -> None:
    text = HEAD + "stepFunctions:\n  stateMachines:\n    flow:\n      definition: ${self:custom.flow}\n"
    found = lint(workdir, text, "PL")
    assert at(found) == [("PL005", *position_of(text, r"definition: (?P<at>\$)"))]
    assert "Serverless variable" in found[0]["message"]


@pytest.mark.parametrize("text", [
    HEAD + "functions:\n  hello:\n    handler: handler.hello\n",  # no stepFunctions
    HEAD + "stepFunctions:\n  stateMachines:\n",  # empty
    HEAD + "stepFunctions: ${file(./sfn.yml)}\n",  # a variable
    HEAD + "stepFunctions:\n  stateMachines:\n    flow: ~\n",
])
def test_odd_files_are_skipped_quietly(workdir: Path, text: str) -> None:
    assert lint(workdir, text, "ASL,AGT,SFN,IAM,PL") == []


def test_a_broken_file_is_pl001(workdir: Path) -> None:
    text = HEAD + "stepFunctions:\n  stateMachines:\n    flow: [\n"
    found = lint(workdir, text, "PL")
    assert [f["code"] for f in found] == ["PL001"]


def _indent(text: str, by: int) -> str:
    return "".join(" " * by + line + "\n" for line in text.splitlines())


@pytest.mark.parametrize("region", ["#{AWS::Region}", "${aws:region}", "us-east-1"])
def test_harness_named_with_pseudo_parameters_is_followed(workdir: Path, region: str) -> None:
    """`#{AWS::Region}` (the plugin's pseudo-parameter syntax) and `${aws:region}` are some
    region: the workflow role that allows the harness in us-east-1 is not flagged (IAM504),
    one that allows another harness is."""
    role = ("resources:\n  Resources:\n    FlowRole:\n      Type: AWS::IAM::Role\n      Properties:\n"
            "        AssumeRolePolicyDocument:\n          Version: '2012-10-17'\n          Statement:\n"
            "            - Effect: Allow\n              Principal: {Service: states.amazonaws.com}\n"
            "              Action: sts:AssumeRole\n"
            "        Policies:\n          - PolicyName: run\n            PolicyDocument:\n"
            "              Version: '2012-10-17'\n              Statement:\n"
            "                - Effect: Allow\n"
            "                  Action: [bedrock-agentcore:InvokeHarness,\n"
            "                           bedrock-agentcore:InvokeAgentRuntime]\n"
            "                  Resource: arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/HARNESS\n")
    text = machine("      role: !GetAtt FlowRole.Arn\n").replace(
        "${aws:region}:${aws:accountId}", f"{region}:111122223333") + role
    assert lint(workdir, text.replace("HARNESS", "support"), "IAM504") == []
    found = lint(workdir, text.replace("HARNESS", "other"), "IAM504")
    assert at(found) == [("IAM504", *position_of(text, "(?P<at>role): !GetAtt"))]


def test_variables_in_a_resource_are_not_undefined_placeholders(workdir: Path) -> None:
    text = machine().replace("Resource: arn:aws:states:::bedrockagentcore:invokeHarness",
                             "Resource: arn:aws:states:::bedrockagentcore:invokeHarness\n"
                             "            Comment: ${self:custom.owner}") + (
        "    other:\n      definition:\n        StartAt: Call\n        States:\n          Call:\n"
        "            Type: Task\n            Resource: arn:aws:lambda:${aws:region}:${aws:accountId}:"
        "function:${self:service}-call\n            Retry: [{ErrorEquals: [States.ALL]}]\n"
        "            End: true\n")
    assert lint(workdir, text, "ASL,AGT,SFN,PL") == []


def test_a_machine_that_is_not_an_object_does_not_hide_the_next(workdir: Path) -> None:
    text = machine(timeout=2000).replace("    support-flow:\n", "    broken: ~\n    support-flow:\n")
    assert [f["code"] for f in lint(workdir, text, "AGT301")] == ["AGT301"]


def test_statements_are_a_whole_policy(workdir: Path) -> None:
    """The statements alone are linted as the policy the Framework deploys (Version 2012-10-17):
    a clean statement gets no finding from any IAM rule."""
    text = HEAD + ("  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
                   "          Action: bedrock-agentcore:InvokeHarness\n"
                   "          Resource: arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support\n")
    assert lint(workdir, text, "IAM") == []


@pytest.mark.parametrize("written", ["${file(./flows/missing.json)}", "${file('./flows/missing.json')}"])
def test_a_definition_file_that_is_not_there(workdir: Path, written: str) -> None:
    text = HEAD + f"stepFunctions:\n  stateMachines:\n    flow:\n      definition: {written}\n"
    found = lint(workdir, text, "PL")
    assert at(found) == [("PL005", *position_of(text, r"(?P<at>definition): \$"))]
    assert "'./flows/missing.json' was not found" in found[0]["message"]


@pytest.mark.parametrize("name, data, expected", [
    ("serverless.yml", {"service": "s"}, True),
    ("serverless.yaml", {"provider": {"name": "aws"}}, True),
    ("Serverless.YML", {"stepFunctions": {}}, True),
    ("serverless.yml", {"custom": {}}, False),
    ("serverless.yml", ["service"], False),
    ("config.yml", {"service": "s", "provider": {}, "stepFunctions": {}}, False),
])
def test_what_is_a_serverless_file(name: str, data: object, expected: bool) -> None:
    from policylint.frontends.serverless import is_serverless

    assert is_serverless(f"app/{name}", data) is expected


@pytest.mark.parametrize("key, machine_settings, logical_id", [
    ("support-flow", {}, "SupportDashflowStepFunctionsStateMachine"),
    ("support_flow", {"name": "support-${sls:stage}"}, "SupportUnderscoreflowStepFunctionsStateMachine"),
    ("flow", {"name": "invoice-flow"}, "InvoiceDashflow"),
    ("flow", {"id": "InvoiceFlow", "name": "invoice"}, "InvoiceFlow"),
])
def test_logical_ids_are_the_plugins(key: str, machine_settings: dict, logical_id: str) -> None:
    """serverless-step-functions' naming (lib/naming.js): a Ref to the machine resolves."""
    from policylint.frontends.serverless import _logical_id

    assert _logical_id(key, machine_settings) == logical_id


FUNCTIONS = HEAD + """\
  iam:
    role:
      statements:
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::reports/*
functions:
  send-mail:
    handler: mail.handler
    iamRoleStatementsName: ${self:service}-mail
    iamRoleStatementsInherit: true
    iamRoleStatements:
      - Effect: Allow
        Action: ses:SendEmail
        Resource: arn:aws:ses:us-east-1:111122223333:identity/example.com
      - Effect: Allow
        Action: iam:PassRole
        Resource: '*'
  report:
    handler: report.handler
    iamRoleStatements:
      - Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::reports/${AWS::AccountId}/*
  plain:
    handler: plain.handler
"""


def test_per_function_statements_are_roles(workdir: Path) -> None:
    """serverless-iam-roles-per-function: each function's iamRoleStatements is a role of its
    own, judged at the place of each statement; inherited statements are judged once, where
    the provider writes them."""
    found = lint(workdir, FUNCTIONS, "IAM")
    assert at(found) == [
        ("IAM518", *position_of(FUNCTIONS, r"Action: (?P<at>iam:PassRole)")),
        ("IAM507", *position_of(FUNCTIONS, r"PassRole\n        Resource: (?P<at>'\*')")),
        ("IAM522", *position_of(FUNCTIONS, r"reports/(?P<at>\$\{AWS::AccountId)"))]


def test_per_function_roles_are_named_by_their_function(workdir: Path) -> None:
    import yaml

    from policylint.frontends.serverless import template_view
    from policylint.source import Source
    view, notes = template_view(yaml.safe_load(FUNCTIONS), Source("serverless.yml", FUNCTIONS))
    assert view is not None and notes == []
    resources = view.data["Resources"]
    assert sorted(resources) == ["IamRoleLambdaExecution", "ReportIamRoleLambdaExecution",
                                 "SendDashmailIamRoleLambdaExecution"]
    role = resources["SendDashmailIamRoleLambdaExecution"]
    assert role["Type"] == "AWS::IAM::Role"
    assert role["Properties"]["RoleName"] == "${self:service}-mail"
    assert view.names["ReportIamRoleLambdaExecution"] == "functions.report"
    assert view.source.locate(("Resources", "ReportIamRoleLambdaExecution", "Properties", "Policies", 0,
                               "PolicyDocument", "Statement", 0, "Resource")) \
        == position_of(FUNCTIONS, r"(?P<at>Resource): arn:aws:s3:::reports/\$")


def test_functions_as_a_list_of_mappings(workdir: Path) -> None:
    text = HEAD + """\
functions:
  - first:
      handler: a.handler
  - second:
      handler: b.handler
      iamRoleStatements:
        - Effect: Allow
          Action: iam:PassRole
          Resource: '*'
"""
    found = lint(workdir, text, "IAM507")
    assert at(found) == [("IAM507", *position_of(text, r"Resource: (?P<at>'\*')"))]


@pytest.mark.parametrize(("activities", "code"), [("[{poll: true}, worker]", "SFN204"),
                                                  ("[{poll: true}]", "SFN201")])
def test_an_activity_that_is_not_a_name_does_not_hide_the_next(workdir: Path, activities: str,
                                                               code: str) -> None:
    """A task on a listed activity waits for its worker (SFN204); on anything else, a call (SFN201)."""
    text = (HEAD + f"stepFunctions:\n  activities: {activities}\n  stateMachines:\n    flow:\n"
            "      definition:\n        StartAt: Work\n        States:\n          Work:\n"
            "            Type: Task\n            Resource:\n              Ref: WorkerStepFunctionsActivity\n"
            "            End: true\n")
    assert at(lint(workdir, text, "SFN")) == [(code, *position_of(text, r"(?P<at>Work):\n"))]
