"""An example third-party policylint plugin.

A plugin is a normal package: it names a module in the ``policylint`` entry-point group
(see pyproject.toml) and implements the hooks of ``policylint.hookspecs`` there, importing
only from ``policylint.api`` (the stable surface). Its code prefix (here EXA) is its identity.
"""
from __future__ import annotations

from collections.abc import Iterator

from policylint.api import Context, Finding, Rule, Severity, hookimpl, rule


@rule("EXA001", "agent-task-without-owner", Severity.NOTE,
      summary="Agent task has no Comment naming its owner", kinds=("asl",))
def agent_task_without_owner(ctx: Context) -> Iterator[Finding]:
    """What it does: notes an agent task whose Comment does not name an owner
    (`owner: team-name`), a house rule of the example organisation.

    Why is this bad? When an agent misbehaves at 3 a.m., on-call needs to know whom to wake.

    Example: an InvokeHarness Task with no Comment.

    Use instead: `"Comment": "Drafts replies. owner: support-platform"`."""
    for task in ctx.machine.agent_tasks:
        if "owner:" not in str(task.body.get("Comment", "")):
            yield task.finding((), f"agent task {task.name!r} has no 'owner: TEAM' in its Comment")


@hookimpl
def policylint_rules() -> list[Rule]:
    return [agent_task_without_owner]
