"""SFN2xx: workflow resilience for any Task, Retry and Map."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from policylint.expressions import jsonata_reads
from policylint.hookspecs import hookimpl
from policylint.models.asl import Param, states_available
from policylint.project import Context
from policylint.rule import UNSAFE, Edit, Finding, Fix, Severity, rule, rules_of

MANY_ATTEMPTS = 5  # fixed-interval retries from this many attempts on hammer the service
LONG_WAIT = 900  # seconds: one uncapped backoff wait longer than this is a stuck workflow


def _waits(state: Any) -> bool:
    """A task that waits for something else to finish: a job (.sync), an activity worker
    or a callback token; request-response calls return when the service answers."""
    return state.invokes_activity or state.is_callback or ".sync" in state.resource


def _has_timeout(state: Any) -> bool:
    return state.field("TimeoutSeconds") is not None


def task_without_retry(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a request-response Task that calls a service (Lambda, an AWS SDK
    integration, an optimized integration) and has no Retry. Agent tasks are AGT306's;
    tasks that wait (`.sync` jobs, `.waitForTaskToken` callbacks, activities) are left
    alone: their failures are the job's or the worker's, not a transient call error.

    Why is this bad? Service calls fail transiently (throttling, Lambda.ServiceException,
    5xx): without a retry one blip fails the whole execution.

    Example: `{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}`.

    Use instead: `"Retry": [{"ErrorEquals": ["Lambda.ServiceException",
    "Lambda.TooManyRequestsException", "States.TaskFailed"], "MaxAttempts": 3,
    "BackoffRate": 2}]`."""
    for state in ctx.machine.tasks:
        if state.is_agent_task or _waits(state) or state.body.get("Retry"):
            continue
        found = state.finding((), f"task {state.name!r} has no Retry: retry transient service "
                              "errors with backoff")
        if "Retry" not in state.body and _invokes_lambda(state.body.get("Resource")):
            found.fix = Fix(UNSAFE, "add a Retry for Lambda's transient errors",
                            Edit("insert", state.path, LAMBDA_RETRY, "Retry"))
        yield found


task_without_retry = rule(
    "SFN201", "task-without-retry", Severity.WARNING,
    summary="Integration task has no Retry for transient errors", kinds=("asl",),
)(task_without_retry)


# The fix of SFN201 on a Lambda task: the transient errors the Step Functions guide lists for
# Lambda ("Handling transient Lambda service exceptions"), with the console's backoff.
LAMBDA_RETRY = [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                                 "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
                 "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]


def _invokes_lambda(resource: Any) -> bool:
    """A Resource that is Lambda's optimized integration or a function ARN, written literally."""
    if not isinstance(resource, str):
        return False
    if resource.startswith("arn:") and resource.endswith(":::lambda:invoke"):
        return True
    return resource.startswith("arn:") and resource.split(":")[2:3] == ["lambda"] and ":function:" in resource


def _retriers(state: Any) -> Iterator[tuple[int, dict]]:
    retry = state.body.get("Retry")
    for i, retrier in enumerate(retry if isinstance(retry, list) else []):
        if isinstance(retrier, dict):
            yield i, retrier


def _number(value: Any, default: float) -> float | None:
    if value is None:
        return default
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def retry_without_backoff(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a retrier with `BackoffRate` 1 and 5 or more attempts, or one
    whose longest wait (IntervalSeconds x BackoffRate^(MaxAttempts-1)) is over 900 s with
    no `MaxDelaySeconds` cap.

    Why is this bad? Fixed-interval retries hammer a throttled service and keep it
    throttled; an uncapped exponential backoff leaves an execution waiting for hours.

    Example: `{"ErrorEquals": ["States.ALL"], "MaxAttempts": 10, "BackoffRate": 1}`.

    Use instead: `"BackoffRate": 2`, `"MaxDelaySeconds": 60`, `"JitterStrategy": "FULL"`."""
    for state in ctx.machine.states:
        for i, retrier in _retriers(state):
            interval = _number(retrier.get("IntervalSeconds"), 1)
            attempts = _number(retrier.get("MaxAttempts"), 3)
            rate = _number(retrier.get("BackoffRate"), 2.0)
            if interval is None or attempts is None or rate is None:
                continue
            if rate == 1 and attempts >= MANY_ATTEMPTS:
                yield state.finding(("Retry", i, "BackoffRate" if "BackoffRate" in retrier else
                                     "MaxAttempts"), f"{attempts:g} retries at a fixed "
                                    f"{interval:g} s interval: use a BackoffRate above 1")
            elif attempts >= 1 and "MaxDelaySeconds" not in retrier:
                longest = interval * rate ** (attempts - 1)
                if longest > LONG_WAIT:
                    yield state.finding(("Retry", i), f"the last retry waits {longest:,.0f} s: cap "
                                        "the backoff with MaxDelaySeconds")


retry_without_backoff = rule(
    "SFN202", "retry-without-backoff", Severity.WARNING,
    summary="Retry with no backoff and many attempts, or an uncapped long backoff", kinds=("asl",),
)(retry_without_backoff)


def callback_without_timeout(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a callback task (`.waitForTaskToken`, typically a human approval)
    with neither a timeout nor a heartbeat.

    Why is this bad? If the token is never returned (the email is lost, the approver
    leaves) the execution waits up to a year, holding its place and its data.

    Example: `"Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"` alone.

    Use instead: `"TimeoutSeconds": 86400` (and a Catch on States.Timeout to escalate)."""
    for state in ctx.machine.tasks:
        if state.is_callback and not _has_timeout(state) and state.field("HeartbeatSeconds") is None:
            yield state.finding(("Resource",), f"callback task {state.name!r} has no TimeoutSeconds "
                                "or HeartbeatSeconds: it can wait a year for its token", at="value")


callback_without_timeout = rule(
    "SFN203", "callback-without-timeout", Severity.WARNING,
    summary=".waitForTaskToken task with no TimeoutSeconds and no HeartbeatSeconds", kinds=("asl",),
)(callback_without_timeout)


def task_without_timeout(ctx: Context) -> Iterator[Finding]:
    """What it does: notes a Task that waits (a `.sync` job, an activity, a callback with a
    heartbeat) with neither TimeoutSeconds nor TimeoutSecondsPath. Request-response calls
    are bounded by the service (a Lambda function by its own timeout); agent tasks are
    AGT302's; callbacks with no heartbeat either are SFN203's.

    Why is this bad? The default task timeout is 99,999,999 s (over three years): a job or
    worker that hangs holds the execution until someone notices.

    Example: `{"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": true}`.

    Use instead: `"TimeoutSeconds"` a little above the longest run you expect."""
    for state in ctx.machine.tasks:
        if state.is_agent_task or _has_timeout(state) or not _waits(state):
            continue
        if state.is_callback and state.field("HeartbeatSeconds") is None:
            continue
        yield state.finding((), f"task {state.name!r} waits for a job, worker or token with no "
                            "TimeoutSeconds: set one so a hang cannot hold the execution")


task_without_timeout = rule(
    "SFN204", "task-without-timeout", Severity.NOTE,
    summary="Task has no TimeoutSeconds", kinds=("asl",),
)(task_without_timeout)


def map_unbounded_concurrency(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a Map (inline or distributed) with no MaxConcurrency, or 0, whose
    iterations call services (contain a Task). Maps that run agents are AGT316's.

    Why is this bad? Every item runs at once: downstream services and account quotas are
    hit with a burst, throttle, and the retries make it worse.

    Example: a Map over an S3 listing whose ItemProcessor invokes a Lambda function, with no
    MaxConcurrency.

    Use instead: `"MaxConcurrency": 10` (what the slowest dependency allows)."""
    states = ctx.machine.states
    for state in states:
        if state.type != "Map" or not state.unbounded_concurrency:
            continue
        inner = [s for s in states if s.enclosing and state in s.enclosing and s.is_task]
        if inner and not any(s.is_agent_task for s in inner):
            path = ("MaxConcurrency",) if "MaxConcurrency" in state.body else ()
            yield state.finding(path, f"Map {state.name!r} calls services for every item at once: "
                                "set MaxConcurrency")


map_unbounded_concurrency = rule(
    "SFN205", "map-unbounded-concurrency", Severity.WARNING,
    summary="Map around service calls has no MaxConcurrency", kinds=("asl",),
)(map_unbounded_concurrency)


def states_result_unavailable(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a JSONata expression that reads `$states.result` anywhere but the
    top-level `Output` and `Assign` of a Task, Map or Parallel state: in its `Arguments`, in
    a catcher, in a Choice rule, or in a Pass, Wait or Choice state. An expression guarded
    by `$exists(...)` is left alone.

    Why is this bad? There is no result there, so the expression returns nothing and the
    state fails with States.QueryEvaluationError. In a catcher's `Output` or `Assign` it is
    worse: the catcher itself fails, and the error it was meant to handle escapes the Catch.

    Example: `"Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.result %}",
    "Next": "Recover"}]`.

    Use instead: `$states.errorOutput` in a catcher, `$states.input` in `Arguments`, and
    `$states.result` in the state's own `Output` or `Assign`."""
    for state in ctx.machine.states:
        if not state.is_jsonata:
            continue
        for key, value in state.body.items():
            if "result" in states_available(state.type, key) or key in ("Branches", "ItemProcessor",
                                                                        "Iterator"):
                continue
            where = {"Catch": "a catcher", "Choices": "a Choice rule"}.get(
                key, f"the {key} of a {state.type} state")
            for param in state.expressions(Param((key,), value)):
                text = str(param.expression)
                if "result" in jsonata_reads(text).states and "$exists" not in text:
                    yield state.finding(param.path, f"$states.result is not available in {where}: the "
                                        "expression returns nothing and fails with "
                                        "States.QueryEvaluationError" + (
                                            ", so the error escapes the Catch" if key == "Catch"
                                            else ""), "value")


states_result_unavailable = rule(
    "SFN206", "states-result-unavailable", Severity.WARNING,
    summary="JSONata reads $states.result where the state has no result", kinds=("asl",),
)(states_result_unavailable)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
