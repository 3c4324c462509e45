"""AGT320 agent-in-express-workflow: in CloudFormation, SAM and the EXPRESS children of a
distributed Map, positive and negative, at exact positions."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from forms import find_state, machine
from helpers import position_of, run, write


def agent(timeout: int | None) -> dict[str, Any]:
    m = machine()
    task = find_state(m, "Agent")
    task.pop("TimeoutSeconds")
    if timeout is not None:
        task["TimeoutSeconds"] = timeout
    return m


def template(kind: str, key: str, value: str, definition: dict[str, Any]) -> str:
    props = {key: value, "RoleArn": "arn:aws:iam::111122223333:role/wf", "Definition": definition}
    return yaml.safe_dump({"Resources": {"Flow": {"Type": kind, "Properties": props}}}, sort_keys=False)


FORMS = {"cloudformation": ("AWS::StepFunctions::StateMachine", "StateMachineType"),
         "sam": ("AWS::Serverless::StateMachine", "Type")}


def lint(workdir: Path, text: str, name: str = "template.yaml") -> list[dict[str, Any]]:
    write(workdir / name, text)
    return run(".", "--select", "AGT320", "--fail-on", "never")[1]


@pytest.mark.parametrize("form", FORMS)
def test_a_timeout_over_300_in_an_express_workflow(workdir: Path, form: str) -> None:
    text = template(*FORMS[form], "EXPRESS", agent(650))
    found = lint(workdir, text)
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, r"TimeoutSeconds: (?P<at>650)")]
    assert found[0]["message"].startswith("TimeoutSeconds is 650, but this Express workflow ends at 300 s")


@pytest.mark.parametrize("form", FORMS)
def test_no_timeout_in_an_express_workflow(workdir: Path, form: str) -> None:
    text = template(*FORMS[form], "EXPRESS", agent(None))
    found = lint(workdir, text)
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, r"(?P<at>Agent):\n")]


@pytest.mark.parametrize(("kind", "timeout"), [("EXPRESS", 300), ("STANDARD", 650), ("STANDARD", None)])
def test_what_is_not_flagged(workdir: Path, kind: str, timeout: int | None) -> None:
    for form in FORMS:
        assert lint(workdir, template(*FORMS[form], kind, agent(timeout))) == []


def distributed(execution_type: str, timeout: int) -> dict[str, Any]:
    inner = agent(timeout)
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "MaxConcurrency": 5, "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                          **inner}}}}


def test_the_express_children_of_a_distributed_map(workdir: Path) -> None:
    text = json.dumps(distributed("EXPRESS", 650), indent=2)
    found = lint(workdir, text, "flow.asl.json")
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, r'"TimeoutSeconds": (?P<at>650)')]
    assert "each EXPRESS child workflow of Map 'Each'" in found[0]["message"]
    assert lint(workdir, json.dumps(distributed("STANDARD", 650), indent=2), "flow.asl.json") == []


def with_override(task_timeout: int | None, override: int) -> dict[str, Any]:
    m = agent(task_timeout)
    find_state(m, "Agent")["Parameters"]["TimeoutSeconds"] = override
    return m


@pytest.mark.parametrize(("task_timeout", "override", "flagged"), [
    (None, 400, True), (290, 280, False), (290, 295, True), (280, 290, True)])
def test_the_harness_outlives_an_express_workflow(workdir: Path, task_timeout: int | None, override: int,
                                                  flagged: bool) -> None:
    text = template(*FORMS["sam"], "EXPRESS", with_override(task_timeout, override))
    write(workdir / "template.yaml", text)
    found = run(".", "--select", "AGT311", "--fail-on", "never")[1]
    where = position_of(text, rf"TimeoutSeconds: (?P<at>{override})\n")
    assert [(f["line"], f["column"]) for f in found] == ([where] if flagged else [])
    if flagged and task_timeout is None:
        assert "stops waiting at 300 s (this Express workflow ends at 300 s)" in found[0]["message"]


def test_a_standard_workflow_waits_up_to_the_cap(workdir: Path) -> None:
    write(workdir / "template.yaml", template(*FORMS["sam"], "STANDARD", with_override(None, 400)))
    assert run(".", "--select", "AGT311", "--fail-on", "never")[1] == []


@pytest.mark.parametrize(("kind", "flagged"), [("EXPRESS", True), ("STANDARD", False)])
def test_retrying_timeouts_duplicates_runs_in_an_express_workflow(workdir: Path, kind: str,
                                                                  flagged: bool) -> None:
    m = with_override(660, 400)  # below the task's timeout, above what an Express workflow waits
    find_state(m, "Agent")["Retry"] = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}]
    write(workdir / "template.yaml", template(*FORMS["sam"], kind, m))
    assert bool(run(".", "--select", "AGT307", "--fail-on", "never")[1]) is flagged


def logged(form: str, retention: int | None, include: bool = True) -> str:
    kind, _ = FORMS[form]
    key = "LoggingConfiguration" if form == "cloudformation" else "Logging"
    group: dict[str, Any] = {"Type": "AWS::Logs::LogGroup"}
    if retention is not None:
        group["Properties"] = {"RetentionInDays": retention}
    destination = {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]}}}
    props = {"RoleArn": "arn:aws:iam::111122223333:role/wf", "Definition": machine(),
             key: {"Level": "ALL", "IncludeExecutionData": include, "Destinations": [destination]}}
    return yaml.safe_dump({"Resources": {"Logs": group, "Flow": {"Type": kind, "Properties": props}}},
                          sort_keys=False)


@pytest.mark.parametrize("form", FORMS)
def test_execution_data_kept_forever(workdir: Path, form: str) -> None:
    text = logged(form, None)
    write(workdir / "template.yaml", text)
    found = run(".", "--select", "AGT321", "--fail-on", "never")[1]
    assert [(f["line"], f["column"]) for f in found] == [position_of(text, "IncludeExecutionData")]
    assert "log group 'Logs', which sets no RetentionInDays" in found[0]["message"]


@pytest.mark.parametrize(("retention", "include"), [(30, True), (None, False)])
def test_execution_data_with_retention_or_not_logged(workdir: Path, retention: int | None,
                                                     include: bool) -> None:
    for form in FORMS:
        write(workdir / "template.yaml", logged(form, retention, include))
        assert run(".", "--select", "AGT321", "--fail-on", "never")[1] == []


def test_execution_data_of_a_workflow_without_agents_is_not_this_rule(workdir: Path) -> None:
    text = logged("sam", None).replace("bedrockagentcore:invokeHarness", "lambda:invoke")
    write(workdir / "template.yaml", text)
    assert run(".", "--select", "AGT321", "--fail-on", "never")[1] == []


@pytest.mark.parametrize(("timeout", "message"), [
    (None, "agent task 'Agent' has no TimeoutSeconds, but this Express workflow ends at 300 s while the "
           "harness runs on: set 300 or less (and the harness timeout below it)"),
    (301, "TimeoutSeconds is 301, but this Express workflow ends at 300 s while the harness runs on: "
          "set 300 or less")])
def test_the_message_says_what_to_set(workdir: Path, timeout: int | None, message: str) -> None:
    found = lint(workdir, template(*FORMS["cloudformation"], "EXPRESS", agent(timeout)))
    assert [f["message"] for f in found] == [message]


def logged_with(logging: dict[str, Any], group: dict[str, Any] | None = None, key: str = "Logging") -> str:
    props = {"RoleArn": "arn:aws:iam::111122223333:role/wf", "Definition": machine(), key: logging}
    flow = {"Type": "AWS::Serverless::StateMachine", "Properties": props}
    return yaml.safe_dump({"Resources": {"Logs": group or {"Type": "AWS::Logs::LogGroup"}, "Flow": flow}},
                          sort_keys=False)


TO_LOGS = {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]}}}


@pytest.mark.parametrize("include", ["true", "True"])
def test_execution_data_included_as_a_string_is_included(workdir: Path, include: str) -> None:
    text = logged_with({"Level": "ALL", "IncludeExecutionData": include, "Destinations": [TO_LOGS]})
    write(workdir / "template.yaml", text)
    found = run(".", "--select", "AGT321", "--fail-on", "never")[1]
    assert [(f["line"], f["column"], f["message"]) for f in found] == [(
        *position_of(text, "IncludeExecutionData"),
        "execution data (the agents' prompts and answers) goes to log group 'Logs', which sets no "
        "RetentionInDays: it is kept forever; set a retention")]


@pytest.mark.parametrize("case", ["other-destinations", "not-a-log-group", "properties-not-an-object",
                                  "logging-not-an-object", "destinations-not-a-list", "no-destinations"])
def test_execution_data_to_what_is_not_a_log_group_kept_forever(workdir: Path, case: str) -> None:
    """Destinations policylint cannot follow, or that are not a log group without retention,
    are skipped; a log group after them is still judged."""
    logging: Any = {"Level": "ALL", "IncludeExecutionData": True, "Destinations": [
        "junk", {"CloudWatchLogsLogGroup": "junk"},
        {"CloudWatchLogsLogGroup": {"LogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:x"}}]}
    group: dict[str, Any] = {"Type": "AWS::Logs::LogGroup"}
    flagged = case == "other-destinations"
    if case == "not-a-log-group":
        group = {"Type": "AWS::S3::Bucket"}
    elif case == "properties-not-an-object":
        group = {"Type": "AWS::Logs::LogGroup", "Properties": "junk"}
        flagged = True
    elif case == "logging-not-an-object":
        logging = "junk"
    elif case == "destinations-not-a-list":
        logging["Destinations"] = TO_LOGS
    elif case == "no-destinations":
        del logging["Destinations"]
    if isinstance(logging, dict) and isinstance(logging.get("Destinations"), list):
        logging["Destinations"].append(TO_LOGS)
    write(workdir / "template.yaml", logged_with(logging, group))
    assert [f["code"] for f in run(".", "--select", "AGT321", "--fail-on", "never")[1]] == \
        (["AGT321"] if flagged else [])


def test_an_agent_task_outside_the_express_children_does_not_end_the_search(workdir: Path) -> None:
    flow = agent(600)  # a STANDARD workflow's own task: it may wait
    flow["States"]["Agent"]["Next"] = "Each"
    flow["States"]["Agent"].pop("End", None)
    flow["States"]["Each"] = distributed("EXPRESS", 600)["States"]["Each"]
    text = template(*FORMS["cloudformation"], "STANDARD", flow)
    found = lint(workdir, text)
    assert [(f["line"], f["column"]) for f in found] == [
        position_of(text, r"ItemProcessor:[\s\S]*TimeoutSeconds: (?P<at>600)")]


SDK_HARNESS = "arn:aws-us-gov:states:::aws-sdk:bedrockagentcore:invokeHarness"
SDK_RUNTIME = "arn:aws:states:::aws-sdk:bedrockagentcore:invokeAgentRuntime"


@pytest.mark.parametrize(("resource", "message"), [
    (SDK_HARNESS, "the harness is reached through the AWS SDK integration, which returns the raw response "
                  "and has no documented wait: use 'arn:aws-us-gov:states:::bedrockagentcore:invokeHarness'"),
    (SDK_RUNTIME, "an agent runtime is reached through the AWS SDK integration, which returns the raw "
                  "response and has no documented wait: use 'arn:aws:states:::bedrockagentcore:invokeHarness'"
                  ", running the agent as a harness")])
def test_the_sdk_integration_message_names_the_optimized_one_in_the_same_partition(
        workdir: Path, resource: str, message: str) -> None:
    flow = machine()
    task = find_state(flow, "Agent")
    task["Resource"] = resource
    if resource == SDK_RUNTIME:
        task["Parameters"] = {"AgentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/r",
                              "RuntimeSessionId.$": "$$.Execution.Name", "Payload.$": "$.prompt"}
    text = json.dumps(flow, indent=2)
    write(workdir / "flow.asl.json", text)
    found = run(".", "--select", "AGT322", "--fail-on", "never")[1]
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (*position_of(text, r'"Resource": (?P<at>")'), message)]
