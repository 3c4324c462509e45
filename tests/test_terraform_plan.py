"""Terraform plan JSON (``terraform show -json``), written by hand from Terraform's documented
format: every module instance and count/for_each instance, values known at plan time."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forms import HARNESS, machine
from helpers import position_of, run, write

FLOW = "aws_sfn_state_machine.flow"


def plan(definition: dict, role: dict | None = None, reference: bool = True) -> dict[str, Any]:
    """A plan of a state machine (its role known after apply), a child module with two
    for_each instances of a role policy, and, when given, the role's own resource."""
    resources: list[dict[str, Any]] = [{
        "address": FLOW, "mode": "managed", "type": "aws_sfn_state_machine", "name": "flow",
        "values": {"name": "support", "type": "STANDARD", "definition": json.dumps(definition)}}]
    if role is not None:
        resources.append({"address": "aws_iam_role.sfn", "mode": "managed", "type": "aws_iam_role",
                          "name": "sfn", "values": role})
    statement = {"Effect": "Allow", "Action": "bedrock-agentcore:*", "Resource": "*"}
    agents = [{"address": f'module.agents[0].aws_iam_role_policy.invoke["{key}"]', "mode": "managed",
               "type": "aws_iam_role_policy", "name": "invoke", "index": key,
               "values": {"name": f"invoke-{key}", "role": "agents",
                          "policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}}
              for key in ("dev", "prod")]
    config = {"address": FLOW, "mode": "managed", "type": "aws_sfn_state_machine", "name": "flow",
              "expressions": {"role_arn": {"references": ["aws_iam_role.sfn.arn", "aws_iam_role.sfn"]}
                              if reference else {"constant_value": None}}}
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": resources, "child_modules": [
            {"address": "module.agents[0]", "resources": agents}]}},
        "resource_changes": [{"address": FLOW, "change": {"actions": ["create"],
                                                          "after_unknown": {"role_arn": True, "arn": True}}}],
        "configuration": {"root_module": {"resources": [config]}},
    }


def long_timeout() -> dict:
    flow = machine()
    flow["States"]["Agent"]["TimeoutSeconds"] = 1800
    return flow


def test_a_value_inside_a_planned_definition_is_reported_where_the_plan_has_it(workdir: Path) -> None:
    text = json.dumps(plan(long_timeout()), indent=2)
    write(workdir / "plan.json", text)
    found = run("plan.json", "--select", "AGT301")[1]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("AGT301", *position_of(text, r'\\"TimeoutSeconds\\": (?P<at>1800)'))]


def test_every_for_each_instance_of_a_child_module_is_judged(workdir: Path) -> None:
    text = json.dumps(plan(machine()), indent=2)
    write(workdir / "plan.json", text)
    found = [f for f in run("plan.json", "--select", "IAM502")[1]]
    assert len(found) == 2
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if "bedrock-agentcore:*" in line]
    assert sorted(f["line"] for f in found) == lines


def test_a_value_known_after_apply_is_the_resource_the_configuration_names(workdir: Path) -> None:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "states.amazonaws.com"}}]}
    role = {"name": "sfn", "assume_role_policy": json.dumps(trust), "inline_policy": []}
    write(workdir / "plan.json", json.dumps(plan(machine(), role), indent=2))
    found = run("plan.json", "--select", "IAM504,PL005")[1]
    assert [f["code"] for f in found] == ["IAM504"]  # the role allows nothing: followed, judged
    assert HARNESS in found[0]["message"]


def test_a_value_only_known_after_apply_is_a_note_not_silence(workdir: Path) -> None:
    text = json.dumps(plan(machine(), reference=False), indent=2)
    write(workdir / "plan.json", text)
    found = run("plan.json", "--select", "IAM504,PL005")[1]
    assert [f["code"] for f in found] == ["PL005"]
    assert (found[0]["line"], found[0]["column"]) == position_of(text, r'"name": "flow",\s*(?P<at>"values")')


def test_json_that_only_looks_like_a_plan_is_not_read_as_one(workdir: Path) -> None:
    write(workdir / "state.json", json.dumps({"format_version": "1.0", "values": {}}))
    assert run("state.json") == (0, [])
