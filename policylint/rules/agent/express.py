"""The workflow around its agent tasks: AGT320 (an Express workflow ends before them), AGT321
(their prompts and answers logged to a log group kept forever), AGT322 (the integration that
reaches them)."""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.hookspecs import hookimpl
from policylint.models.asl import EXPRESS_SECONDS as EXPRESS_LIMIT
from policylint.models.refs import Ref, properties_of, resolve
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of


def agent_in_express_workflow(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task in an Express workflow (`StateMachineType: EXPRESS`,
    SAM `Type: EXPRESS`), or in the EXPRESS child workflows of a distributed Map
    (`ProcessorConfig.ExecutionType: EXPRESS`), whose TimeoutSeconds is missing or over 300.

    Why is this bad? An Express execution ends at 5 minutes. The agent task fails then, but
    the harness keeps running until its own timeout: tokens are spent and tools called for
    a result nobody will read.

    Example: `Type: EXPRESS` on the state machine and `"TimeoutSeconds": 600` on the agent task.

    Use instead: `"TimeoutSeconds": 280` with a harness timeout below it, or a STANDARD
    workflow for long agent work."""
    for task in ctx.machine.agent_tasks:
        where = task.express
        if where is None:
            continue
        timeout = task.field("TimeoutSeconds")
        if timeout is None:
            yield task.finding((), f"agent task {task.name!r} has no TimeoutSeconds, but {where} ends at "
                               f"{EXPRESS_LIMIT} s while the harness runs on: set {EXPRESS_LIMIT} or less "
                               "(and the harness timeout below it)")
        elif timeout.is_static and isinstance(timeout.value, (int, float)) and timeout.value > EXPRESS_LIMIT:
            yield task.finding(timeout.path, f"TimeoutSeconds is {timeout.value}, but {where} ends at "
                               f"{EXPRESS_LIMIT} s while the harness runs on: set {EXPRESS_LIMIT} or less",
                               at="value")


agent_in_express_workflow = rule(
    "AGT320", "agent-in-express-workflow", Severity.ERROR,
    summary="Agent task in an Express workflow with no TimeoutSeconds, or one over 300", kinds=("asl",),
)(agent_in_express_workflow)


def agent_execution_data_kept_forever(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state machine with agent tasks whose logging includes execution
    data (CloudFormation `LoggingConfiguration`, SAM `Logging`: `IncludeExecutionData: true`)
    to a log group of the linted template that sets no `RetentionInDays`.

    Why is this bad? Execution data is every state's input and output: the prompts sent to
    the agent and its answers, often with customer data. A log group without retention keeps
    them forever.

    Example: `Logging: {Level: ALL, IncludeExecutionData: true, Destinations: [...]}` to an
    `AWS::Logs::LogGroup` with no `RetentionInDays`.

    Use instead: `RetentionInDays: 30` (what your data policy allows) on the log group, or
    `IncludeExecutionData: false`."""
    document = ctx.document
    if not ctx.machine.agent_tasks or document.template is None or not document.logical_id:
        return
    props = properties_of(document)
    key = "LoggingConfiguration" if "LoggingConfiguration" in props else "Logging"
    logging = props.get(key)
    if not isinstance(logging, dict) or logging.get("IncludeExecutionData") not in (True, "true", "True"):
        return
    base = ("Resources", document.logical_id, "Properties", key)
    destinations = logging.get("Destinations")
    for destination in destinations if isinstance(destinations, list) else []:
        logs = destination.get("CloudWatchLogsLogGroup") if isinstance(destination, dict) else None
        target = resolve(logs.get("LogGroupArn"), document.template) if isinstance(logs, dict) else None
        if not isinstance(target, Ref):
            continue
        group = ctx.project.resource(target)  # maybe in another file of a Terraform module
        settings = group.get("Properties")
        if group.get("Type") == "AWS::Logs::LogGroup" and not (
                isinstance(settings, dict) and "RetentionInDays" in settings):
            yield Finding(document.template, (*base, "IncludeExecutionData"), "execution data (the agents' "
                          f"prompts and answers) goes to log group {target.logical_id!r}, which sets no "
                          "RetentionInDays: it is kept forever; set a retention", "key")


agent_execution_data_kept_forever = rule(
    "AGT321", "agent-execution-data-kept-forever", Severity.WARNING,
    summary="A workflow with agent tasks logs execution data to a log group with no retention",
    kinds=("asl",), cross_file=True,
)(agent_execution_data_kept_forever)


OPTIMIZED = ":states:::bedrockagentcore:invokeHarness"


def agent_sdk_integration(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task that reaches AgentCore through the AWS SDK
    integration (`arn:aws:states:::aws-sdk:bedrockagentcore:invokeHarness` or
    `...:invokeAgentRuntime`) instead of the optimized integration.

    Why is this bad? The SDK call returns the raw API response (a stream of events to parse,
    usually in a Lambda function), not the optimized integration's final message with its
    Usage, Metrics and StopReason; Step Functions documents no wait for it, while the
    optimized integration waits up to 15 minutes and links the agent's trace in the console.

    Example: `"Resource": "arn:aws:states:::aws-sdk:bedrockagentcore:invokeHarness"`.

    Use instead: `"Resource": "arn:aws:states:::bedrockagentcore:invokeHarness"` with the same
    Parameters (HarnessArn, RuntimeSessionId, Messages, ...); run an agent runtime as a harness.

    Source: Step Functions Developer Guide, "Invoke Amazon Bedrock AgentCore harness" and its
    "Service integrations release history" (Amazon Bedrock AgentCore SDK integration added
    2026-03-12); the AWS Serverless Land pattern sfn-bedrockagentcore-harness-cdk."""
    for task in ctx.machine.agent_tasks:
        if task.sdk:
            optimized = task.resource.split(":states:::", 1)[0] + OPTIMIZED
            what = "an agent runtime" if task.invokes_runtime else "the harness"
            yield task.finding(("Resource",), f"{what} is reached through the AWS SDK integration, "
                               f"which returns the raw response and has no documented wait: use "
                               f"{optimized!r}" + (", running the agent as a harness" if
                                                   task.invokes_runtime else ""), at="value")


agent_sdk_integration = rule(
    "AGT322", "agent-sdk-integration", Severity.WARNING,
    summary="An agent reached through the AWS SDK integration, not the optimized one", kinds=("asl",),
)(agent_sdk_integration)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
