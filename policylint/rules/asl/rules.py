"""ASL1xx: the state machine is valid Amazon States Language (JSONPath and JSONata).

The validator walks the state machine model once (``validator.py``); its checks are written
by concern in the modules beside this one, each reporting its own code. A rule here reports
the problems of its code.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.hookspecs import hookimpl
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.rules.asl.placeholders import undefined_placeholders
from policylint.rules.asl.validator import report as _report


def invalid_field(ctx: Context) -> Iterator[Finding]:
    """What it does: checks every field of the definition: unknown fields, wrong types,
    missing required fields (Type, StartAt, Resource, Next or End, ...), fields a state
    type does not have, and Next together with End. (A Resource that is not an ARN is
    ASL111, an undefined `${X}` ASL112, a state name over 80 characters ASL113.)

    Why is this bad? Step Functions rejects the definition (CreateStateMachine fails), or
    a misspelt field is ignored and the state does something else than it says.

    Example: `{"Type": "Task", "Resource": "...", "Nxt": "Done"}`.

    Use instead: the fields of the Amazon States Language for that state type."""
    yield from _report(ctx, "ASL101")


invalid_field = rule(
    "ASL101", "invalid-field", Severity.ERROR, summary="Unknown, missing or mistyped field", kinds=("asl",),
)(invalid_field)


def missing_target(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a StartAt, Next, Default, Choice rule Next or Catch Next that
    names no state of its scope (a branch or Map processor is a scope of its own).

    Why is this bad? The definition is rejected: there is no state to go to.

    Example: `"Next": "Notify"` when the state is called `"NotifyUser"`.

    Use instead: the exact name of a state in the same States object."""
    yield from _report(ctx, "ASL102")


missing_target = rule(
    "ASL102", "missing-target", Severity.ERROR, summary="StartAt / Next / Default names no state",
    kinds=("asl",),
)(missing_target)


def unreachable_state(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state that no StartAt, Next, Default, Choice rule or Catch
    leads to.

    Why is this bad? Dead code in a workflow: usually a renamed target or a forgotten
    transition, so the path you meant never runs. Step Functions rejects it too.

    Example: a `HandleError` state that no Catch names.

    Use instead: route to it (`"Catch": [{"ErrorEquals": ["States.ALL"], "Next":
    "HandleError"}]`) or delete it."""
    yield from _report(ctx, "ASL103")


unreachable_state = rule(
    "ASL103", "unreachable-state", Severity.WARNING, summary="A state no path reaches", kinds=("asl",),
)(unreachable_state)


def no_terminal_state(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state machine, branch or Map processor with no state that ends
    it (`"End": true`, a Succeed or a Fail state).

    Why is this bad? The definition is rejected; if it were not, executions could never end.

    Example: two states that name each other in Next and nothing else.

    Use instead: `"End": true` on the last state, or a Succeed/Fail state."""
    yield from _report(ctx, "ASL104")


no_terminal_state = rule(
    "ASL104", "no-terminal-state", Severity.ERROR, summary="A States scope has no End/Succeed/Fail",
    kinds=("asl",),
)(no_terminal_state)


def duplicate_state_name(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state name used twice anywhere in the state machine, nested
    Parallel branches and Map processors included. (A key written twice in one object, a
    state name among them, is PL006.)

    Why is this bad? State names are unique across the whole state machine: the definition
    is rejected.

    Example: a `Process` state at the top and another `Process` inside a Map.

    Use instead: distinct names (`ProcessBatch`, `ProcessItem`)."""
    yield from _report(ctx, "ASL105")


duplicate_state_name = rule(
    "ASL105", "duplicate-state-name", Severity.ERROR, summary="A state name is used twice", kinds=("asl",),
)(duplicate_state_name)


def invalid_path(ctx: Context) -> Iterator[Finding]:
    """What it does: parses every JSONPath of a JSONPath state: InputPath/OutputPath,
    ResultPath (a reference path: no wildcards, filters, context or variables),
    ItemsPath and the *Path fields, Choice Variables, every `Key.$` value in Parameters,
    ResultSelector, ItemSelector and Assign (a path, `$$.` context path, `$variable`, or
    an intrinsic function call with the right number of arguments).

    Why is this bad? The definition is rejected, or the state fails at run time with
    States.Runtime.

    Example: `"ResultPath": "$.result[*]"`, `"name.$": "States.Format('{}' $.name)"`.

    Use instead: `"ResultPath": "$.result"`, `"name.$": "States.Format('{}', $.name)"`."""
    yield from _report(ctx, "ASL106")


invalid_path = rule(
    "ASL106", "invalid-path", Severity.ERROR,
    summary="Bad JSONPath, reference path, context path or intrinsic function", kinds=("asl",),
)(invalid_path)


def invalid_jsonata(ctx: Context) -> Iterator[Finding]:
    """What it does: parses every `{% %}` expression of a JSONata state (with a JSONata
    parser) and flags what CreateStateMachine refuses in one: a read of an input document
    (a bare name, `$` or `*` at the top level of the expression, or `$$` anywhere), and
    `$states.errorOutput` outside a catcher. It also flags JSONPath-only fields (InputPath,
    Parameters, ResultPath, ...) in JSONata states and JSONata-only fields (Arguments,
    Output, Items) in JSONPath ones. A state's query language is its own `QueryLanguage`,
    else the state machine's: a Map's or Parallel's does not reach the states inside it.

    Why is this bad? The definition is rejected, or the expression fails at run time.

    Example: `"Output": "{% $states.input.total + %}"`, `"Output": "{% total %}"`, or
    `"Parameters"` in a JSONata Task.

    Use instead: a complete expression that reads `$states.input`, `$states.context` or
    variables, and `Arguments`/`Output` in JSONata states."""
    yield from _report(ctx, "ASL107")


invalid_jsonata = rule(
    "ASL107", "invalid-jsonata", Severity.ERROR,
    summary="Bad JSONata expression, or fields of the other query language", kinds=("asl",),
)(invalid_jsonata)


def invalid_retry_catch(ctx: Context) -> Iterator[Finding]:
    """What it does: checks Retry and Catch: ErrorEquals is a non-empty list of names,
    States.ALL is alone and in the last entry, IntervalSeconds >= 1, MaxAttempts >= 0,
    BackoffRate >= 1.0, MaxDelaySeconds below a year, JitterStrategy FULL or NONE, and
    every catcher has a Next.

    Why is this bad? The definition is rejected, or errors are not retried or caught as
    written.

    Example: `{"ErrorEquals": ["States.ALL", "States.Timeout"]}`.

    Use instead: specific errors first, `["States.ALL"]` alone in the last entry."""
    yield from _report(ctx, "ASL108")


invalid_retry_catch = rule(
    "ASL108", "invalid-retry-catch", Severity.ERROR, summary="Malformed Retry or Catch", kinds=("asl",),
)(invalid_retry_catch)


def invalid_choice_rule(ctx: Context) -> Iterator[Finding]:
    """What it does: checks Choice rules: exactly one comparison (with a Variable), And, Or
    or Not per rule; the value type each operator compares with; paths in *Path operators;
    Next on top-level rules only; Condition in JSONata.

    Why is this bad? The definition is rejected, or the branch is never taken.

    Example: `{"Variable": "$.total", "NumericGreaterThan": "100", "Next": "Big"}`.

    Use instead: `{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Big"}`."""
    yield from _report(ctx, "ASL109")


invalid_choice_rule = rule(
    "ASL109", "invalid-choice-rule", Severity.ERROR, summary="Malformed Choice rule or comparison",
    kinds=("asl",),
)(invalid_choice_rule)


def invalid_timeout(ctx: Context) -> Iterator[Finding]:
    """What it does: flags TimeoutSeconds or HeartbeatSeconds that are not positive whole
    numbers, a heartbeat not shorter than the timeout, and a static value together with its
    *Path form.

    Why is this bad? The definition is rejected, or the task times out on its first
    heartbeat.

    Example: `"TimeoutSeconds": 60, "HeartbeatSeconds": 60`.

    Use instead: `"TimeoutSeconds": 600, "HeartbeatSeconds": 60`."""
    yield from _report(ctx, "ASL110")


invalid_timeout = rule(
    "ASL110", "invalid-timeout", Severity.ERROR, summary="Bad TimeoutSeconds or HeartbeatSeconds",
    kinds=("asl",),
)(invalid_timeout)


def resource_not_arn(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a Task (or Map ItemReader / ResultWriter) Resource whose value,
    with template placeholders substituted, is not an ARN.

    Why is this bad? CreateStateMachine rejects the definition ("Value is not a valid
    resource ARN").

    Example: `"Resource": "invokeHarness"`, `"Resource": "my-function"`.

    Use instead: `arn:aws:states:::bedrockagentcore:invokeHarness` for an integration, or the
    ARN of a Lambda function or activity."""
    yield from _report(ctx, "ASL111")


resource_not_arn = rule(
    "ASL111", "resource-not-arn", Severity.ERROR, summary="A Task Resource that is not an ARN",
    kinds=("asl",),
)(resource_not_arn)


def undefined_placeholder(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a `${X}` placeholder in a template's state machine that nothing
    defines: in a `Definition`, a `DefinitionString` (a JSON string, the literal pieces of
    `Fn::Join`) or a SAM `DefinitionUri` file, a name DefinitionSubstitutions does not
    define; inside `Fn::Sub`, one that is neither a DefinitionSubstitutions key, a Fn::Sub
    variable, a parameter or resource of the template, nor a pseudo-parameter. Serverless
    and Terraform `${...}` are their own variables: not judged.

    Why is this bad? CloudFormation deploys the text as written: the state calls a resource
    literally named `${X}` and fails, or the definition is rejected.

    Example: `"Resource": "${ProcessFunctionArn}"` with DefinitionSubstitutions naming only
    `ProcessFunction`.

    Use instead: add the name to DefinitionSubstitutions (`ProcessFunctionArn: !GetAtt
    ProcessFunction.Arn`), or fix the spelling."""
    yield from undefined_placeholders(ctx.document)


undefined_placeholder = rule(
    "ASL112", "undefined-placeholder", Severity.ERROR,
    summary="A ${X} placeholder that no DefinitionSubstitutions or Fn::Sub variable defines",
    kinds=("asl",),
)(undefined_placeholder)


def state_name_too_long(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state name longer than 80 characters.

    Why is this bad? CreateStateMachine rejects the definition: state names are at most 80
    characters.

    Example: a state named after the sentence that describes it.

    Use instead: a short name; put the description in the state's `Comment`."""
    yield from _report(ctx, "ASL113")


state_name_too_long = rule(
    "ASL113", "state-name-too-long", Severity.ERROR, summary="A state name over 80 characters",
    kinds=("asl",),
)(state_name_too_long)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
