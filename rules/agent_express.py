"""AGT320: agent tasks where the workflow itself cannot wait for them (Express workflows)."""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.documents.asl import EXPRESS_SECONDS as EXPRESS_LIMIT
from policylint.hookspecs import hookimpl
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of


@rule("AGT320", "agent-in-express-workflow", Severity.ERROR,
      summary="Agent task in an Express workflow with no TimeoutSeconds, or one over 300")
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


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
