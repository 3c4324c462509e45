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


def test_a_plan_of_nothing_policylint_reads_is_no_document(workdir: Path) -> None:
    vpc = {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
           "values": {"cidr_block": "10.0.0.0/16"}}
    write(workdir / "plan.json", json.dumps({"format_version": "1.2", "terraform_version": "1.9.0",
                                             "planned_values": {"root_module": {"resources": [vpc]}},
                                             "configuration": {"root_module": {}}}))
    assert run("plan.json") == (0, [])


TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "states.amazonaws.com"}}]}
ROLE = {"name": "sfn", "assume_role_policy": json.dumps(TRUST), "inline_policy": []}
DENIED = "IAM504"  # the role followed: it allows nothing the harness task needs


def found(workdir: Path, the_plan: dict,
          select: str = "IAM504,PL005") -> tuple[str, list[tuple[str, int, int]]]:
    text = json.dumps(the_plan, indent=2)
    write(workdir / "plan.json", text)
    return text, [(f["code"], f["line"], f["column"]) for f in run("plan.json", "--select", select)[1]]


def test_a_count_instance_is_matched_to_the_configuration_of_its_resource(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    flow = the_plan["planned_values"]["root_module"]["resources"][0]
    flow["address"], flow["index"] = f"{FLOW}[0]", 0
    the_plan["resource_changes"][0]["address"] = f"{FLOW}[0]"
    text, codes = found(workdir, the_plan)
    assert codes == [(DENIED, *position_of(text, r'"name": "flow",\s*(?P<at>"values")'))]


def test_an_attribute_the_plan_knows_is_not_replaced_by_the_reference(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    the_plan["resource_changes"][0]["change"]["after_unknown"]["role_arn"] = False
    assert found(workdir, the_plan)[1] == []  # no role: nothing to follow, nothing unknown


def test_a_policy_the_plan_holds_as_text_that_is_not_json_is_a_note(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    the_plan["planned_values"]["root_module"]["child_modules"][0]["resources"][0]["values"]["policy"] = "{no"
    text = json.dumps(the_plan, indent=2)
    write(workdir / "plan.json", text)
    notes = [(f["code"], f["line"], f["column"], f["message"])
             for f in run("plan.json", "--select", "PL005")[1]]
    assert notes == [("PL005", *position_of(text, r'"policy": (?P<at>"\{no")'),
                      "policy is not JSON policylint can read; it was not checked")]


def test_values_nested_too_deep_refuse_that_resource_and_no_other(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    deep: Any = "x"
    for _ in range(120):
        deep = [deep]
    the_plan["planned_values"]["root_module"]["resources"].insert(0, {
        "address": "aws_iam_role.deep", "mode": "managed", "type": "aws_iam_role", "name": "deep",
        "values": {"name": "deep", "tags": {"t": deep}}})
    text = json.dumps(the_plan, indent=2)
    write(workdir / "plan.json", text)
    findings = run("plan.json", "--select", "IAM504,PL002")[1]
    assert [(f["code"], f["message"]) for f in findings] == [
        ("PL002", "aws_iam_role.deep: values nest more than 100 deep; it was not linted"),
        (DENIED, findings[1]["message"])]
    at = text.index('"t": ')
    for _ in range(100):  # the list past the 100th level is where reading stops
        at = text.index("[", at + 1)
    line = text.count("\n", 0, at) + 1
    assert (findings[0]["line"], findings[0]["column"]) == (line, at - text.rfind("\n", 0, at))


def test_a_policy_document_data_source_is_judged_where_the_plan_has_it(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    the_plan["planned_values"]["root_module"]["resources"].append({
        "address": "data.aws_iam_policy_document.doc", "mode": "data", "type": "aws_iam_policy_document",
        "name": "doc", "values": {"statement": [{"effect": "Allow", "actions": ["bedrock-agentcore:*"],
                                                 "resources": ["*"]}]}})
    text = json.dumps(the_plan, indent=2)
    write(workdir / "plan.json", text)
    findings = run("plan.json", "--select", "IAM502")[1]
    assert [(f["line"], f["column"], f["path"][1]) for f in findings] == [
        (*position_of(text, r'"actions": \[\s*(?P<at>"bedrock-agentcore:\*")'),
         "data.aws_iam_policy_document.doc"),
        # each resource of a child module instance has a name of its own, one a reference can name
        (*position_of(text, r'"invoke-dev",\s*"role": "agents",\s*"policy": .*?(?P<at>\\"bedrock-agent)'),
         'aws_iam_role_policy.invoke["dev"]--module_agents_0_'),
        (*position_of(text, r'"invoke-prod",\s*"role": "agents",\s*"policy": .*?(?P<at>\\"bedrock-agent)'),
         'aws_iam_role_policy.invoke["prod"]--module_agents_0_')]


def test_entries_the_plan_format_does_not_describe_are_skipped(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    root = the_plan["planned_values"]["root_module"]
    root["resources"][:0] = [
        "junk",
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "values": {}},
        {"address": "aws_iam_role.odd", "mode": "managed", "type": "aws_iam_role", "name": "odd",
         "values": "not an object"},
        {"address": 7, "mode": "managed", "type": "aws_iam_role", "name": "odd", "values": {}}]
    the_plan["resource_changes"][:0] = ["junk", {"change": {"after_unknown": {"role_arn": True}}}]
    config = the_plan["configuration"]["root_module"]
    config["resources"][:0] = ["junk", {"address": "aws_iam_role.sfn"},
                               {"address": FLOW, "expressions": {"name": {"references": "aws_iam_role"}}}]
    text, codes = found(workdir, the_plan)
    assert codes == [(DENIED, *position_of(text, r'"name": "flow",\s*(?P<at>"values")'))]


def test_a_value_known_after_apply_in_a_child_module_is_the_resource_its_configuration_names(
        workdir: Path) -> None:
    flow = {"address": f"module.app.{FLOW}", "mode": "managed", "type": "aws_sfn_state_machine",
            "name": "flow",
            "values": {"name": "f", "type": "STANDARD", "definition": json.dumps(machine())}}
    role = {"address": "module.app.aws_iam_role.sfn", "mode": "managed", "type": "aws_iam_role",
            "name": "sfn", "values": ROLE}
    the_plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [
            {"address": "module.app", "resources": [flow, role]}]}},
        "resource_changes": [{"address": flow["address"], "change": {"after_unknown": {"role_arn": True}}}],
        "configuration": {"root_module": {"module_calls": {"app": {"module": {"resources": [
            {"address": FLOW, "expressions": {"role_arn": {"references": ["aws_iam_role.sfn.arn"]}}}]}}}}}}
    text, codes = found(workdir, the_plan)
    assert codes == [(DENIED, *position_of(text, r'"name": "flow",\s*(?P<at>"values")'))]


def test_a_policy_known_after_apply_is_the_policy_document_its_configuration_names(workdir: Path) -> None:
    the_plan = plan(machine(), ROLE)
    actions = ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"]
    the_plan["planned_values"]["root_module"]["resources"] += [
        {"address": "aws_iam_role_policy.allow", "mode": "managed", "type": "aws_iam_role_policy",
         "name": "allow", "values": {"name": "allow"}},
        {"address": "data.aws_iam_policy_document.allow", "mode": "data", "type": "aws_iam_policy_document",
         "name": "allow", "values": {"statement": [{"effect": "Allow", "actions": actions,
                                                    "resources": [HARNESS]}]}}]
    the_plan["resource_changes"].append({"address": "aws_iam_role_policy.allow",
                                         "change": {"after_unknown": {"policy": True, "role": True}}})
    the_plan["configuration"]["root_module"]["resources"].append({
        "address": "aws_iam_role_policy.allow", "expressions": {
            "policy": {"references": ["data.aws_iam_policy_document.allow.json",
                                      "data.aws_iam_policy_document.allow"]},
            "role": {"references": ["aws_iam_role.sfn.name", "aws_iam_role.sfn"]}}})
    assert found(workdir, the_plan)[1] == []  # the role's policy is followed: it allows the task


CONFIGURED = '''resource "aws_sfn_state_machine" "flow" {
  name       = "support"
  role_arn   = aws_iam_role.sfn.arn
  definition = file("flow.json")
}

resource "aws_iam_role" "sfn" {
  name               = "sfn"
  assume_role_policy = "{}"
}
'''


def test_a_placed_state_machine_is_judged_with_the_role_of_its_resource(workdir: Path) -> None:
    """Placed in its configuration, the plan's state machine is still its resource's: the
    role it runs as is followed (its planned definition is the one judged)."""
    write(workdir / "plan.json", json.dumps(plan(machine(), ROLE), indent=2))
    write(workdir / "main.tf", CONFIGURED)
    found = run(".", "--select", DENIED)[1]
    assert [(f["code"], f["file"], f["line"], f["column"]) for f in found] == [
        (DENIED, "main.tf", *position_of(CONFIGURED, r"(?P<at>role_arn)"))]
