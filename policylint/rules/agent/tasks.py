"""AGT3xx: agent steps, Task states that invoke a Bedrock AgentCore harness.

Facts (AWS docs of the optimized integration): Request Response only; an agent task runs
at most 900 s whatever its TimeoutSeconds; when the task times out the harness runs on to
its own timeout; the output holds only the final assistant message, Usage, Metrics and
StopReason; a session id of at least 33 characters continues one conversation. A task
through the AWS SDK integration takes the same PascalCase request fields; how long it
waits is not documented, so the rules that need a cap use only its TimeoutSeconds.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from policylint.hookspecs import hookimpl
from policylint.models.asl import EXPRESS_SECONDS, AgentTask, Param, State, reads_input
from policylint.models.harness import Harness
from policylint.project import Context, Project, is_prod
from policylint.rule import SAFE, UNSAFE, Edit, Finding, Fix, Severity, rule, rules_of
from policylint.values import PLACEHOLDER, is_jsonata

MIN_SESSION_ID = 33
RISKY_TOOL_TYPES = {"agentcore_browser", "agentcore_code_interpreter", "remote_mcp", "agentcore_gateway"}
POWER_FIELDS = ("Model", "SystemPrompt", "Tools", "AllowedTools", "Skills")  # and the agent's ARN
# Fields the InvokeHarness output never has: tool use, reasoning, earlier turns.
_ABSENT_OUTPUT = re.compile(r"\b(?:[Tt]oolUse|[Tt]oolResult|[Rr]easoningContent|[Rr]easoningText)\b"
                            r"|(?:Output|result)\.Messages\b")
_ABSENT_WORDS = ("oolUse", "oolResult", "easoningContent", "easoningText", ".Messages")
_PATH_KEY = re.compile(r"(?:\.\$|Path|^Variable)$")


def _number(param: Param | None) -> int | float | None:
    if param is None or not param.is_static or isinstance(param.value, bool):
        return None
    return param.value if isinstance(param.value, (int, float)) else None


def _task_timeout(task: State) -> Param | None:
    return task.field("TimeoutSeconds")


def _anchor(task: AgentTask) -> tuple:
    """Where a missing request field is reported: the Parameters/Arguments key, else the state."""
    return (task.arguments_key,) if task.arguments_key in task.body else ()


def _harness_timeout(task: AgentTask) -> tuple[Param, int | float] | None:
    """The harness timeout this invocation overrides, when the state says it."""
    override = task.param("TimeoutSeconds")
    value = _number(override)
    return (override, value) if override is not None and value is not None else None


def _harness(ctx: Context, task: AgentTask) -> Harness | None:
    """The harness config the task invokes, when it is among the linted files."""
    return ctx.project.index.task_harness(task)[0]


def _effective_timeout(ctx: Context, task: AgentTask) -> tuple[Param | None, int | float, str] | None:
    """(override param or None, seconds, where it is set) of the harness timeout that
    applies: the invocation's override, else the harness config's."""
    override = _harness_timeout(task)
    if override is not None:
        return override[0], override[1], "TimeoutSeconds override"
    harness = _harness(ctx, task)
    field = harness.number("timeoutSeconds") if harness else None
    if harness is None or field is None:
        return None
    return None, field.value, f"harness {harness.name!r} ({_where(harness, field.path)})"


def _where(harness: Harness, path: tuple) -> str:
    file, line, _ = harness.document.locate(path, "value")
    return f"{file}:{line}"


def agent_timeout_over_limit(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task (optimized InvokeHarness) whose TimeoutSeconds is
    over 900. (How long an SDK-integration task waits is not documented: AGT322 covers it.)

    Why is this bad? An agent task stops after 900 s whatever TimeoutSeconds says: the
    setting is a lie, and error handling planned around it never runs as designed.

    Example: `"TimeoutSeconds": 3600` on a `bedrockagentcore:invokeHarness` Task.

    Use instead: `"TimeoutSeconds": 900` or less, and a harness timeout below it.

    Source: Step Functions Developer Guide, "Invoke Amazon Bedrock AgentCore harness"."""
    for task in ctx.machine.agent_tasks:
        timeout = _task_timeout(task)
        value = _number(timeout)
        if timeout is not None and value is not None and task.cap is not None and value > task.cap:
            found = task.finding(timeout.path, f"TimeoutSeconds is {value}; an agent task stops at "
                                 f"{task.cap} s whatever this says: set it to {task.cap} or less", at="value")
            found.fix = Fix.replace(SAFE, found.path, task.cap)  # the task stops there anyway
            yield found


agent_timeout_over_limit = rule(
    "AGT301", "agent-timeout-over-limit", Severity.ERROR,
    summary="Agent task TimeoutSeconds is over the 900 s cap", kinds=("asl",),
)(agent_timeout_over_limit)


def agent_timeout_missing(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task with neither TimeoutSeconds nor TimeoutSecondsPath.

    Why is this bad? Without a task timeout the workflow relies on the 900 s cap, and
    nothing in the definition says how long the step may take or what happens then.

    Example: an InvokeHarness Task with Retry and Catch but no TimeoutSeconds.

    Use instead: `"TimeoutSeconds": 600` (at most 900), longer than the harness timeout."""
    for task in ctx.machine.agent_tasks:
        if _task_timeout(task) is None:
            most = f" (at most {task.cap})" if task.cap else ""
            longer = "" if task.invokes_runtime else " longer than the harness timeout"
            yield task.finding((), f"agent task {task.name!r} has no TimeoutSeconds: set one{most}{longer}")


agent_timeout_missing = rule(
    "AGT302", "agent-timeout-missing", Severity.WARNING,
    summary="Agent task has no TimeoutSeconds", kinds=("asl",),
)(agent_timeout_missing)


def agent_unsupported_pattern(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an optimized InvokeHarness Resource ending in `.sync`, `.sync:2`
    or `.waitForTaskToken`.

    Why is this bad? The AgentCore integration supports only Request Response; the
    deployment is rejected or the state fails at run time.

    Example: `"Resource": "arn:aws:states:::bedrockagentcore:invokeHarness.sync"`.

    Use instead: `"Resource": "arn:aws:states:::bedrockagentcore:invokeHarness"`; put a
    separate `.waitForTaskToken` approval state after it if a human must sign off."""
    for task in ctx.machine.agent_tasks:
        if task.integration_pattern and not task.sdk:
            found = task.finding(("Resource",), f"InvokeHarness supports only Request Response; "
                                 f"remove {task.integration_pattern!r} from the Resource", at="value")
            found.fix = Fix(UNSAFE, f"remove {task.integration_pattern!r}",
                            Edit("strip", found.path, task.integration_pattern))
            yield found


agent_unsupported_pattern = rule(
    "AGT303", "agent-unsupported-pattern", Severity.ERROR,
    summary="Agent task uses .sync or .waitForTaskToken, which InvokeHarness does not support",
    kinds=("asl",),
)(agent_unsupported_pattern)


_ARN_PARTS = 6


def _harness_arn_problem(value: str, resolved: str | None, kind: str = "harness") -> str | None:
    """Why ``value`` is not the ARN of one ``kind`` (harness, runtime), or None when it is (or
    cannot be known)."""
    written = PLACEHOLDER.sub("", value)
    text = resolved if resolved is not None else value
    if "*" in written or "?" in written:
        return "has a wildcard: the workflow may run any matching agent"
    if resolved is not None and ("*" in resolved or "?" in resolved):
        return "resolves to a wildcard once substituted: the workflow may run any matching agent"
    shape = PLACEHOLDER.sub("\0", text)
    if shape.strip("\0") == "":
        return None
    parts = shape.split(":", _ARN_PARTS - 1)
    if len(parts) < _ARN_PARTS or parts[0] not in ("arn", "\0"):
        return "is not an ARN"
    if "\0" not in parts[2] and parts[2] != "bedrock-agentcore":
        return f"names service {parts[2]!r}, not bedrock-agentcore"
    if not parts[5].startswith((f"{kind}/", "\0")):
        return f"is not a {kind} ARN (arn:aws:bedrock-agentcore:REGION:ACCOUNT:{kind}/NAME)"
    return None


def agent_harness_arn_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a static HarnessArn that contains `*` or `?`, or that is not
    the ARN of one harness (`arn:aws:bedrock-agentcore:REGION:ACCOUNT:harness/NAME`); likewise
    the AgentRuntimeArn of an SDK `invokeAgentRuntime` task (`...:runtime/NAME`).
    Placeholders (`${HarnessArn}`) are resolved from DefinitionSubstitutions where known.

    Why is this bad? A wildcard lets the workflow run whichever agent matches; a wrong ARN
    fails at run time.

    Example: `"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"`.

    Use instead: the exact ARN of the one harness this step runs."""
    for task in ctx.machine.agent_tasks:
        arn = task.param(task.arn_field)
        if arn is None or not arn.is_static or not isinstance(arn.value, str):
            continue
        kind = "runtime" if task.invokes_runtime else "harness"
        problem = _harness_arn_problem(arn.value, ctx.document.literal(arn.value), kind)
        if problem:
            yield task.finding(arn.path, f"{task.arn_field} {problem}; name exactly one {kind}",
                               at="value")


agent_harness_arn_wildcard = rule(
    "AGT304", "agent-harness-arn-wildcard", Severity.ERROR,
    summary="HarnessArn has a wildcard or is not a harness ARN", tags=("security",), kinds=("asl",),
)(agent_harness_arn_wildcard)


def agent_override_from_input(ctx: Context) -> Iterator[Finding]:
    """What it does: flags HarnessArn (AgentRuntimeArn), Model, SystemPrompt, Tools,
    AllowedTools or Skills taken from the state or execution input (`$.x`, `$$.Execution.Input`,
    `$states.input`).

    Why is this bad? Whoever starts the execution then chooses which agent runs, with which
    model, instructions and tools: the caller picks the agent's power.

    Example: `"Tools.$": "$.tools"`.

    Use instead: fix these in the definition (or the harness), and pass only the user's
    message from input."""
    for task in ctx.machine.agent_tasks:
        for name in (task.arn_field, *POWER_FIELDS):
            param = task.param(name)
            if param is None:
                continue
            for expr in task.expressions(param):
                if expr.expression and reads_input(expr.expression):
                    yield task.finding(expr.path, f"{name} comes from the input "
                                       f"({expr.expression.strip()}): the caller chooses the "
                                       "agent's power; fix it in the definition or the harness")
                    break


agent_override_from_input = rule(
    "AGT305", "agent-override-from-input", Severity.WARNING,
    summary="The agent's ARN, model, prompt, tools or skills come from execution input", tags=("security",),
    kinds=("asl",),
)(agent_override_from_input)


# The fix of AGT306: the retrier its help recommends (AgentCore throttles; it is transient).
AGENT_RETRY = [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"], "IntervalSeconds": 2,
                "MaxAttempts": 3, "BackoffRate": 2}]


def agent_missing_retry(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task without a Retry.

    Why is this bad? Model and AgentCore calls are throttled and fail transiently; without a
    retry one throttle fails the whole workflow.

    Example: an InvokeHarness Task with no `Retry` field.

    Use instead: `"Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"],
    "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]`."""
    for task in ctx.machine.agent_tasks:
        if not task.body.get("Retry"):
            found = task.finding((), f"agent task {task.name!r} has no Retry: retry "
                                 "BedrockAgentCore.ThrottlingException and transient errors with backoff")
            if "Retry" not in task.body:
                found.fix = Fix(UNSAFE, "add a Retry for throttling",
                                Edit("insert", task.path, AGENT_RETRY, "Retry"))
            yield found


agent_missing_retry = rule(
    "AGT306", "agent-missing-retry", Severity.WARNING,
    summary="Agent task has no Retry for throttling and transient errors", kinds=("asl",),
)(agent_missing_retry)


def agent_retry_duplicates_run(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task that retries `States.Timeout` or `States.ALL`
    unless the harness timeout override is known to end before the task times out.

    Why is this bad? When the task times out the harness keeps running until its own
    timeout; a retry starts a second run beside the first, spending tokens and calling
    tools twice.

    Example: `"Retry": [{"ErrorEquals": ["States.ALL"]}]` with no harness TimeoutSeconds
    (neither an override nor, in a linted harness config, timeoutSeconds).

    Use instead: retry only service errors (`BedrockAgentCore.ThrottlingException`), or
    set the harness `TimeoutSeconds` below the task's."""
    for task in ctx.machine.agent_tasks:
        retry = task.body.get("Retry")
        retried = [(i, j, error) for i, retrier in enumerate(retry if isinstance(retry, list) else [])
                   for j, error in enumerate(_errors(retrier)) if error in ("States.Timeout", "States.ALL")]
        if not retried or not _harness_can_outlive(ctx, task):
            continue
        for i, j, error in retried:
            yield task.finding(("Retry", i, "ErrorEquals", j), f"retrying {error} starts a new agent "
                               "run while the timed-out one may still be running; retry service errors "
                               "only, or set the harness TimeoutSeconds below the task's", at="value")


def _errors(retrier: Any) -> list:
    """The ErrorEquals of a retrier or catcher, as written (nothing when it is not a list)."""
    errors = retrier.get("ErrorEquals") if isinstance(retrier, dict) else None
    return errors if isinstance(errors, list) else []


agent_retry_duplicates_run = rule(
    "AGT307", "agent-retry-duplicates-run", Severity.WARNING,
    summary="Retrying States.Timeout or States.ALL starts a new agent run beside the old one",
    cross_file=True, kinds=("asl",),
)(agent_retry_duplicates_run)


def _waits_for(task: AgentTask) -> float | None:
    """How long the workflow waits for the agent: the task's TimeoutSeconds (else its cap),
    and at most 300 s in an Express workflow; None when only known at run time."""
    timeout = _task_timeout(task)
    limit = task.cap if timeout is None else _number(timeout)
    return min(limit, EXPRESS_SECONDS) if limit is not None and task.express else limit


def _harness_can_outlive(ctx: Context, task: AgentTask) -> bool:
    harness = _effective_timeout(ctx, task)
    limit = _waits_for(task) if _task_timeout(task) is not None or task.express else None
    if harness is None or limit is None:
        return True
    return harness[1] > limit


def agent_missing_catch(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task without a Catch.

    Why is this bad? When the agent fails (timeout, guardrail, tool error) the whole
    execution fails with no cleanup, notification or fallback.

    Example: an InvokeHarness Task with Retry but no `Catch`.

    Use instead: `"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "HandleAgentFailure"}]`."""
    for task in ctx.machine.agent_tasks:
        if not task.body.get("Catch"):
            yield task.finding((), f"agent task {task.name!r} has no Catch: route its failure to a "
                               "state that handles it")


agent_missing_catch = rule(
    "AGT308", "agent-missing-catch", Severity.WARNING,
    summary="Agent task failure is not routed (no Catch)", kinds=("asl",),
)(agent_missing_catch)


def agent_unbounded_iterations(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task whose request sets no MaxIterations, unless the
    harness config it invokes (when among the linted files) sets maxIterations. (An SDK
    invokeAgentRuntime task has no such field.)

    Why is this bad? An agent loop without an iteration bound can call tools and the model
    until the timeout, spending tokens on a loop that will not converge.

    Example: `"Parameters": {"HarnessArn": "...", "RuntimeSessionId.$": "$$.Execution.Name",
    "Messages": [...]}`.

    Use instead: `"MaxIterations": 20` in Parameters/Arguments, or maxIterations on the harness."""
    for task in ctx.machine.agent_tasks:
        if task.invokes_runtime or task.param("MaxIterations") is not None:
            continue
        harness = _harness(ctx, task)
        if harness is None:
            yield task.finding(_anchor(task), "no MaxIterations on this agent invocation: bound the "
                               "agent loop (MaxIterations here, or maxIterations on the harness)")
        elif harness.get("maxIterations") is None:
            yield task.finding(_anchor(task), f"neither this invocation nor harness {harness.name!r} "
                               "sets MaxIterations: bound the agent loop")


agent_unbounded_iterations = rule(
    "AGT309", "agent-unbounded-iterations", Severity.WARNING,
    summary="Agent invocation has no MaxIterations",
    cross_file=True, kinds=("asl",),
)(agent_unbounded_iterations)


def agent_override_timeout_over_limit(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a TimeoutSeconds override in Parameters/Arguments over 900.

    Why is this bad? The task stops waiting at 900 s while the harness runs on, spending
    tokens and calling tools for a workflow that has already moved on.

    Example: `"Parameters": {..., "TimeoutSeconds": 1800}`.

    Use instead: a harness timeout below the task's TimeoutSeconds (at most 900)."""
    for task in ctx.machine.agent_tasks:
        harness = _harness_timeout(task)
        if harness and task.cap is not None and harness[1] > task.cap:
            found = task.finding(harness[0].path, f"harness TimeoutSeconds is {harness[1]}; the task "
                                 f"stops at {task.cap} s and the agent would run on: set {task.cap} or less",
                                 at="value")
            found.fix = Fix.replace(UNSAFE, found.path, task.cap)
            yield found


agent_override_timeout_over_limit = rule(
    "AGT310", "agent-override-timeout-over-limit", Severity.ERROR,
    summary="Per-invocation harness TimeoutSeconds is over 900", kinds=("asl",),
)(agent_override_timeout_over_limit)


def agent_harness_outlives_task(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task whose harness timeout (the per-invocation
    TimeoutSeconds, else timeoutSeconds of the harness config when it is among the linted
    files) is longer than the task's TimeoutSeconds, or than 900 s when the task has none.

    Why is this bad? The workflow gives up (and may retry or fail) while the agent keeps
    running, spending tokens and calling tools nobody waits for.

    Example: task `"TimeoutSeconds": 300` with `"Parameters": {"TimeoutSeconds": 600}`, or
    with a harness config whose `timeoutSeconds` is 600.

    Use instead: a harness timeout shorter than the task's, e.g. task 660, harness 600."""
    for task in ctx.machine.agent_tasks:
        harness = _effective_timeout(ctx, task)
        timeout = _task_timeout(task)
        limit = _waits_for(task)
        if harness is None or limit is None or harness[1] <= limit:
            continue
        param, seconds, source = harness
        at = f"{limit} s" + (f" ({task.express} ends at {EXPRESS_SECONDS} s)"
                             if task.express and limit == EXPRESS_SECONDS else "")
        if param is not None:
            yield task.finding(param.path, f"the harness may run {seconds} s but the task stops "
                               f"waiting at {at}: set the harness timeout below the task's",
                               at="value")
        else:
            yield task.finding(timeout.path if timeout else (), f"{source} lets the agent run "
                               f"{seconds} s but the task stops waiting at {at}: lower the "
                               "harness timeoutSeconds below the task's", at="value" if timeout else "key")


agent_harness_outlives_task = rule(
    "AGT311", "agent-harness-outlives-task", Severity.ERROR,
    summary="The harness timeout is longer than the task's",
    cross_file=True, kinds=("asl",),
)(agent_harness_outlives_task)


def _literal_session_id(task: AgentTask) -> Param | None:
    param = task.param("RuntimeSessionId")
    if param is not None and param.is_static and isinstance(param.value, str):
        return param
    return None


def agent_static_session_id(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a literal RuntimeSessionId (an error in prod, where a folder,
    file or resource name says `prod`/`production`).

    Why is this bad? Reusing a session id continues one conversation: every execution reads
    and extends the same history and memory, leaking one customer's data into the next.

    Example: `"RuntimeSessionId": "order-agent-session-0000000000000000"`.

    Use instead: `"RuntimeSessionId.$": "$$.Execution.Name"` (JSONPath) or
    `"{% $states.context.Execution.Name %}"` (JSONata)."""
    prod = is_prod(ctx.project.environment(ctx.document))
    for task in ctx.machine.agent_tasks:
        param = _literal_session_id(task)
        if param is not None:
            yield task.finding(param.path, "RuntimeSessionId is a literal: every execution continues "
                               "one conversation; derive it from $$.Execution.Name", at="value",
                               severity=Severity.ERROR if prod else None)


agent_static_session_id = rule(
    "AGT312", "agent-static-session-id", Severity.WARNING,
    summary="RuntimeSessionId is a literal: every execution shares one conversation", tags=("security",),
    kinds=("asl",),
)(agent_static_session_id)


def _agent_session_shared_across_environments(project: Project) -> Iterator[Finding]:
    """What it does: flags a literal RuntimeSessionId used by agent tasks in both prod and
    non-prod workflows, and an AgentCore memory used by both prod and non-prod harnesses.
    Environments come from `[tool.policylint.environments]` (path globs and account ids);
    without it, prod is a folder, file or resource name that says `prod`/`production`.

    Why is this bad? Dev and test executions read and write the production conversation
    and memory: test prompts reach customers' history, and prod data reaches dev.

    Example: `prod/flow.asl.json` and `dev/flow.asl.json` both with
    `"RuntimeSessionId": "support-agent-session-00000000000000"`; or two harnesses with
    the same `memory.agentCoreMemoryConfiguration.arn`.

    Use instead: per-execution session ids (`$$.Execution.Name`) and one memory per
    environment."""
    uses: dict[str, list[tuple[Finding, str]]] = defaultdict(list)
    for machine in project.state_machines:
        env = None  # worked out for a machine with a literal session id only
        for task in machine.agent_tasks:
            param = _literal_session_id(task)
            if param is not None:
                if env is None:
                    env = project.environment(machine.document)
                value = machine.document.literal(param.value) or param.value
                uses[f"session id {_mask(value)}"].append(
                    (task.finding(param.path, "", at="value"), env))
    for harness in project.index.harnesses:
        memory = harness.memory
        if memory is not None and isinstance(memory.value, str):
            uses[f"memory {_mask_arn(memory.value)}"].append(
                (Finding(harness.document, memory.path, "", "value"), project.environment(harness.document)))
    for what, places in uses.items():
        envs = {env for _, env in places}
        if not (any(is_prod(e) for e in envs) and any(not is_prod(e) for e in envs)):
            continue
        for finding, env in places:
            others = sorted({f.source.path for f, e in places if e != env})
            finding.message = (f"{what} is also used by {', '.join(others)}: prod and non-prod share "
                               "one conversation and its memory")
            yield finding


agent_session_shared_across_environments = rule(
    "AGT313", "agent-session-shared-across-environments", Severity.ERROR,
    summary="One literal session id, or one memory, is used by prod and non-prod", scope="project",
    tags=("security",),
)(_agent_session_shared_across_environments)


def _mask_arn(arn: str) -> str:
    return repr(arn.rsplit("/", 1)[-1]) if "/" in arn else _mask(arn)


def _mask(value: str) -> str:
    return repr(value[:4] + "…") if len(value) > 4 else repr(value)


_DATA_FIELDS = ("States", "Branches", "ItemProcessor", "Iterator")


def _absent_reads(state: State, fields: tuple[str, ...] | None = None) -> Iterator[tuple[tuple, str]]:
    """(path, expression) of every expression in ``state`` that reads an absent output field."""
    stack: list[tuple[tuple, Any]] = [((k,), v) for k, v in state.body.items()
                                      if k not in _DATA_FIELDS and (fields is None or k in fields)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and _ABSENT_OUTPUT.search(value):
            key = next((p for p in reversed(path) if isinstance(p, str)), "")
            if is_jsonata(value) or _PATH_KEY.search(key):
                yield path, value


def agent_reads_absent_output(ctx: Context) -> Iterator[Finding]:
    """What it does: flags expressions in the agent task's ResultSelector/Output/Assign, or in
    the states after it, that read tool use, tool results, reasoning or earlier turns
    from the agent's output (of the optimized integration; an SDK call returns the raw
    response, AGT322).

    Why is this bad? The InvokeHarness output carries only the final assistant message plus
    Usage, Metrics and StopReason: these reads always find nothing, so the branch or
    value built on them is wrong in every execution.

    Example: `"toolCalls.$": "$.Output.Message.Content[0].ToolUse"`.

    Use instead: have the agent put what you need in its final message (ask for JSON), and
    read `$.Output.Message.Content[0].Text`."""
    machine = ctx.machine
    text = ctx.document.source.text
    if not machine.agent_tasks or not any(word in text for word in _ABSENT_WORDS):
        return  # nothing in the text names those fields: no need to walk the states
    for task in (t for t in machine.agent_tasks if not t.sdk):  # an SDK call returns the raw response
        readers: list[tuple[State, tuple[str, ...] | None]] = [
            (task, ("ResultSelector", "Output", "Assign"))]
        for state in machine.downstream(task):
            readers.append((state, None))
            if state.type in ("Task", "Map", "Parallel"):
                break
        for state, fields in readers:
            for path, value in _absent_reads(state, fields):
                yield state.finding(path, f"{value.strip()!r} reads a field the agent output never "
                                    f"has (of {task.name!r}: only the final message, Usage, "
                                    "Metrics, StopReason)", at="value")


agent_reads_absent_output = rule(
    "AGT314", "agent-reads-absent-output", Severity.WARNING,
    summary="A later state reads tool use, reasoning or earlier turns from the agent output",
    kinds=("asl",),
)(agent_reads_absent_output)


def _risky(tools: list[tuple[str, str]], patterns: list[Any] | None) -> list[str]:
    """``name (type)`` of the risky tools among (name, type) pairs that the allowlist keeps."""
    return [f"{name} ({kind})" for name, kind in tools if kind in RISKY_TOOL_TYPES and (
        patterns is None or any(isinstance(p, str) and fnmatchcase(name, p) for p in patterns))]


def _allowlist(task: AgentTask, harness: Harness | None) -> list[Any] | None:
    allowed = task.param("AllowedTools")
    if allowed is not None:
        return allowed.value if allowed.is_static and isinstance(allowed.value, list) else None
    field = harness.get("allowedTools") if harness else None
    return field.value if field is not None and isinstance(field.value, list) else None


def _risky_tools(ctx: Context, task: AgentTask) -> tuple[tuple, list[str]]:
    """(where to report, names) of the browser / code interpreter / MCP / gateway tools
    this invocation may use: its Tools override, else its harness config's tools."""
    harness = _harness(ctx, task)
    tools = task.param("Tools")
    if tools is not None:
        if not tools.is_static or not isinstance(tools.value, list):
            return (), []
        pairs = [(str(t.get("Name", t.get("name", kind))), kind) for t in tools.value
                 if isinstance(t, dict) and isinstance(kind := t.get("Type", t.get("type")), str)]
        return tools.path, _risky(pairs, _allowlist(task, harness))
    if harness is None or harness.has_tool_call_guard:
        return (), []
    pairs = [(t.name, t.type) for t in harness.tools]
    return (), [f"{r} from harness {harness.name!r}" for r in _risky(pairs, _allowlist(task, harness))]


def agent_risky_tools_without_approval(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an agent task whose tools (its Tools override, else the tools of
    the harness config it invokes, after AllowedTools) include a browser, code interpreter,
    remote MCP server or gateway, when no human approval step (a `.waitForTaskToken` task)
    follows it and the harness has no BeforeToolCall hook (a hook whose Lambda target fails
    open, `failureMode: allow`, is no guard: HRN410).

    Why is this bad? These tools act on the world: browse, run code, call other systems.
    Nothing stops a prompt-injected agent from acting before a person has looked.

    Example: `"Tools": [{"Type": "agentcore_code_interpreter", "Name": "python"}]` with the
    next state writing the result to production.

    Use instead: a `.waitForTaskToken` approval state after the agent, before its result
    is acted on, or a BeforeToolCall hook on the harness."""
    machine = ctx.machine
    for task in machine.agent_tasks:
        path, risky = _risky_tools(ctx, task)
        if risky and not any(s.is_callback for s in machine.downstream(task)):
            yield task.finding(path, f"the agent can use {', '.join(risky)} and no approval step "
                               "(.waitForTaskToken) follows: add one before its result is acted on")


agent_risky_tools_without_approval = rule(
    "AGT315", "agent-risky-tools-without-approval", Severity.WARNING,
    summary="The agent can use browser, code interpreter, MCP or gateway tools with no approval",
    tags=("security",),
    cross_file=True, kinds=("asl",),
)(agent_risky_tools_without_approval)


def agent_in_unbounded_map(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a Map state with no MaxConcurrency (or 0) that runs an agent task.

    Why is this bad? Every item starts an agent at once: throttling, a burst of token spend
    and tool calls, and retries that make it worse.

    Example: a Map over 500 tickets whose ItemProcessor invokes a harness, without
    MaxConcurrency.

    Use instead: `"MaxConcurrency": 5` (what the model quota allows)."""
    reported: set[int] = set()
    for task in ctx.machine.agent_tasks:
        for outer in task.enclosing:
            if outer.type == "Map" and id(outer) not in reported and outer.unbounded_concurrency:
                reported.add(id(outer))
                path = ("MaxConcurrency",) if "MaxConcurrency" in outer.body else ()
                yield outer.finding(path, f"Map {outer.name!r} runs agent task {task.name!r} for "
                                    "every item at once: set MaxConcurrency")


agent_in_unbounded_map = rule(
    "AGT316", "agent-in-unbounded-map", Severity.WARNING,
    summary="Agent task inside a Map with no MaxConcurrency", kinds=("asl",),
)(agent_in_unbounded_map)


def agent_session_id_too_short(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a literal RuntimeSessionId shorter than 33 characters (after
    DefinitionSubstitutions, when they are known).

    Why is this bad? AgentCore rejects session ids under 33 characters: every execution
    fails at this step.

    Example: `"RuntimeSessionId": "session-1"`.

    Use instead: `"RuntimeSessionId.$": "$$.Execution.Name"` (executions names are unique
    and, with the default UUID names, 36 characters)."""
    for task in ctx.machine.agent_tasks:
        param = _literal_session_id(task)
        value = ctx.document.literal(param.value) if param else None
        if param is not None and value is not None and len(value) < MIN_SESSION_ID:
            yield task.finding(param.path, f"RuntimeSessionId is {len(value)} characters; AgentCore "
                               f"requires at least {MIN_SESSION_ID}", at="value")


agent_session_id_too_short = rule(
    "AGT317", "agent-session-id-too-short", Severity.ERROR,
    summary="Literal RuntimeSessionId is shorter than 33 characters", kinds=("asl",),
)(agent_session_id_too_short)


def agent_model_not_allowed(ctx: Context) -> Iterator[Finding]:
    """What it does: when `allowed-models` is configured (`[tool.policylint]`), flags a
    model id, in an agent task's Model override or in a harness config's model, that
    matches none of its entries (glob patterns allowed).

    Why is this bad? Teams approve models for cost, data residency and safety; a workflow
    or harness that picks another bypasses that review.

    Example: `"Model": {"BedrockModelConfig": {"ModelId": "some.unapproved-model-v1"}}`.

    Use instead: a model from the allowlist, or get the model added to it."""
    allowed = ctx.config.allowed_models
    if not allowed:
        return
    from policylint.policies import findings

    def said(spot: Any) -> str:
        return f"model {spot.value!r} is not in allowed-models ({', '.join(allowed)})"

    # Written on the organisation-policy machinery: the same condition a `policies:` entry states.
    if ctx.document.kind == "harness":
        yield from findings(ctx.document, "harness", {"field": "model.*.modelId", "in": list(allowed)}, said)
        return
    yield from findings(ctx.document, "agent-task", {"field": "Arguments.Model.*.ModelId",
                                                     "in": list(allowed)}, said)


agent_model_not_allowed = rule(
    "AGT318", "agent-model-not-allowed", Severity.ERROR, kinds=("asl", "harness"),
    summary="The agent's model is not in the configured allowlist",
)(agent_model_not_allowed)


def agent_harness_not_approved(ctx: Context) -> Iterator[Finding]:
    """What it does: when `approved-harnesses` is configured, flags an agent task whose
    HarnessArn (after DefinitionSubstitutions) matches none of its entries (glob patterns
    allowed). HarnessArns only known at deploy time are not judged.

    Why is this bad? Which agents a workflow may run is a review decision: a harness nobody
    approved brings its own model, prompt, tools and memory into the business process.

    Example: `approved-harnesses = ["arn:aws:bedrock-agentcore:*:111122223333:harness/support-*"]`
    and a task invoking `...:harness/experimental-AbCdEf1234`.

    Use instead: an approved harness, or get this one added to the list."""
    approved = ctx.config.approved_harnesses
    if not approved:
        return
    from policylint.policies import findings

    yield from findings(ctx.document, "agent-task", {"field": "Arguments.HarnessArn", "in": list(approved)},
                        lambda spot: f"harness {spot.value!r} is not in approved-harnesses")


agent_harness_not_approved = rule(
    "AGT319", "agent-harness-not-approved", Severity.ERROR, tags=("security",),
    summary="The agent task invokes a harness that is not in approved-harnesses", kinds=("asl",),
)(agent_harness_not_approved)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
