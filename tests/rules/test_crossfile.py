"""Rules that need the state machine, its role, the harness and the harness role at once:
all in one CloudFormation template, and spread over files in one directory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agentcore import (
    HARNESS_ARN,
    MEMORY_ARN,
    WORKFLOW_ROLE_ARN,
    harness_api,
    resource,
    separate_files,
    statement,
    whole_template,
)
from forms import find_state
from helpers import position_of, run, write

ROLES = {"workflow": 0, "harness": 1}


def whole_role(template: dict[str, Any], which: str) -> list[dict[str, Any]]:
    name = {"workflow": "WorkflowRole", "harness": "HarnessRole"}[which]
    return resource(template, name)["Policies"][0]["PolicyDocument"]["Statement"]


def export_role(account: dict[str, Any], which: str) -> list[dict[str, Any]]:
    return account["RoleDetailList"][ROLES[which]]["RolePolicyList"][0]["PolicyDocument"]["Statement"]


def whole_harness(template: dict[str, Any]) -> dict[str, Any]:
    return resource(template, "Harness")


def export_harness(parts: dict[str, Any]) -> dict[str, Any]:
    return parts["harness"]["harness"]


def machine_of(template: dict[str, Any]) -> dict[str, Any]:
    return resource(template, "Workflow")["Definition"]


# code -> (change for the whole template, change for separate files, file key, pattern)
CASES: dict[str, tuple[Any, Any, str, str]] = {
    "IAM503": (lambda t: whole_role(t, "workflow").append(
                   statement(["bedrock-agentcore:StartBrowserSession"], "*")),
               lambda p: export_role(p["account"], "workflow").append(
                   statement(["bedrock-agentcore:StartBrowserSession"], "*")),
               "roles", r"(?P<at>\"?bedrock-agentcore:StartBrowserSession)"),
    "IAM504": (lambda t: whole_role(t, "workflow")[0]["Action"].pop(),
               lambda p: export_role(p["account"], "workflow")[0]["Action"].pop(),
               "machine-role", ""),
    "IAM505": (lambda t: whole_harness(t)["Tools"].append({"Type": "agentcore_browser", "Name": "web"}),
               lambda p: export_harness(p)["tools"].append({"type": "agentcore_browser", "name": "web"}),
               "harness", r"[Tt]ype\"?: (?P<at>\"?agentcore_browser)"),
    "IAM506": (lambda t: whole_role(t, "harness").append(
                   statement(["bedrock-agentcore:InvokeCodeInterpreter"], "*")),
               lambda p: export_role(p["account"], "harness").append(
                   statement(["bedrock-agentcore:InvokeCodeInterpreter"], "*")),
               "roles", r"(?P<at>\"?bedrock-agentcore:InvokeCodeInterpreter)"),
    "HRN408": (lambda t: whole_harness(t).update(ExecutionRoleArn={"Fn::GetAtt": ["WorkflowRole", "Arn"]}),
               lambda p: export_harness(p).update(executionRoleArn=WORKFLOW_ROLE_ARN),
               "harness", r"[Ee]xecutionRoleArn\"?:\s+(?P<at>Fn::GetAtt|\"arn)"),
    "AGT311": (lambda t: whole_harness(t).update(TimeoutSeconds=800),
               lambda p: export_harness(p).update(timeoutSeconds=800),
               "machine", r"\n {0,12}\"?TimeoutSeconds\"?: (?P<at>660)"),
    "AGT309": (lambda t: whole_harness(t).pop("MaxIterations"),
               lambda p: export_harness(p).pop("maxIterations"),
               "machine", r"(?P<at>\"?Parameters\"?):\s*\{?\s*\"?HarnessArn"),
    "AGT315": (lambda t: whole_harness(t).pop("Hooks"),
               lambda p: export_harness(p).pop("hooks"),
               "machine", r"(?P<at>\"?Agent\"?):"),
}


def build(workdir: Path, layout: str, code: str) -> dict[str, Path]:
    whole, separate, _, _ = CASES[code]
    if layout == "template":
        path = whole_template(workdir / "template.yaml", whole)
        return {"roles": path, "harness": path, "machine": path, "machine-role": path}
    files = separate_files(workdir, separate)
    return {"roles": files["account"], "harness": files["harness"], "machine": files["asl"],
            "machine-role": files["template"]}


@pytest.mark.parametrize("layout", ["template", "files"])
def test_clean_project_has_no_findings(workdir: Path, layout: str) -> None:
    if layout == "template":
        whole_template(workdir / "template.yaml")
    else:
        separate_files(workdir)
    assert run(".") == (0, [])


@pytest.mark.parametrize("layout", ["template", "files"])
@pytest.mark.parametrize("code", CASES)
def test_cross_file_rule_fires_at_the_offending_place(workdir: Path, layout: str, code: str) -> None:
    files = build(workdir, layout, code)
    _, findings = run(".", "--select", code)
    assert len(findings) == 1, findings
    where = files[CASES[code][2]]
    assert Path(findings[0]["file"]).resolve() == where.resolve()
    pattern = CASES[code][3] or (r"\n\s+(?P<at>RoleArn):" if layout == "template" else r"(?P<at>Role):")
    assert (findings[0]["line"], findings[0]["column"]) == position_of(where.read_text(), pattern)


def test_iam504_names_the_missing_action(workdir: Path) -> None:
    build(workdir, "files", "IAM504")
    (finding,) = run(".", "--select", "IAM504")[1]
    assert "InvokeAgentRuntime" in finding["message"] and "InvokeHarness" not in finding["message"]
    assert HARNESS_ARN in finding["message"]


def test_deny_wins_over_allow(workdir: Path) -> None:
    deny = {"Effect": "Deny", "Action": "bedrock-agentcore:Invoke*", "Resource": "*"}
    separate_files(workdir, lambda p: export_role(p["account"], "workflow").append(deny))
    assert [f["code"] for f in run(".", "--select", "IAM504")[1]] == ["IAM504"]


@pytest.mark.parametrize(("not_action", "codes"), [("s3:*", ["IAM504"]), ("bedrock-agentcore:*", [])])
def test_a_deny_of_not_action_denies_every_other_action(workdir: Path, not_action: str,
                                                       codes: list[str]) -> None:
    deny = {"Effect": "Deny", "NotAction": not_action, "Resource": "*"}
    separate_files(workdir, lambda p: export_role(p["account"], "workflow").append(deny))
    assert [f["code"] for f in run(".", "--select", "IAM504")[1]] == codes


def test_wildcard_statements_count_as_allowed(workdir: Path) -> None:
    def wildcard(parts: dict[str, Any]) -> None:
        export_role(parts["account"], "workflow")[0].update(
            Action="bedrock-agentcore:Invoke*",
            Resource="arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/support-*")
    separate_files(workdir, wildcard)
    codes = [f["code"] for f in run(".")[1]]
    assert "IAM504" not in codes and codes.count("IAM501") == 1 and "IAM502" in codes


def test_role_with_unknown_managed_policy_is_not_judged(workdir: Path) -> None:
    def managed(parts: dict[str, Any]) -> None:
        role = parts["account"]["RoleDetailList"][0]
        role["RolePolicyList"] = []
        role["AttachedManagedPolicies"] = [{"PolicyArn": "arn:aws:iam::aws:policy/SomethingManaged"}]
    separate_files(workdir, managed)
    assert run(".", "--select", "IAM504") == (0, [])


def test_harness_timeout_within_the_task_is_fine(workdir: Path) -> None:
    whole_template(workdir / "template.yaml", lambda t: whole_harness(t).update(TimeoutSeconds=600))
    assert run(".", "--select", "AGT311,AGT307") == (0, [])


def test_harness_that_outlives_the_task_makes_timeout_retries_duplicate_runs(workdir: Path) -> None:
    def retry_timeouts(template: dict[str, Any]) -> None:
        whole_harness(template).update(TimeoutSeconds=800)
        find_state(machine_of(template), "Agent")["Retry"][0]["ErrorEquals"].append("States.Timeout")
    whole_template(workdir / "template.yaml", retry_timeouts)
    assert sorted(f["code"] for f in run(".", "--select", "AGT307,AGT311")[1]) == ["AGT307", "AGT311"]


def test_harness_model_outside_allowlist(workdir: Path) -> None:
    files = separate_files(workdir)
    write(workdir / "pyproject.toml", '[tool.policylint]\nallowed-models = ["amazon.nova-*"]\n')
    (finding,) = run(".", "--select", "AGT318")[1]
    assert finding["file"] == "harness.json"
    assert (finding["line"], finding["column"]) == position_of(
        files["harness"].read_text(), r"\"modelId\": (?P<at>\"anthropic)")


def test_memory_shared_by_prod_and_dev_harnesses(workdir: Path) -> None:
    for env in ("prod", "dev"):
        write(workdir / env / "harness.json", __import__("json").dumps(harness_api(), indent=2))
    findings = run(".", "--select", "AGT313")[1]
    assert sorted(f["file"] for f in findings) == ["dev/harness.json", "prod/harness.json"]
    assert all(MEMORY_ARN not in f["message"] and "'support-AbCdEf1234'" in f["message"] for f in findings)


def test_configured_environments_decide_what_is_prod(workdir: Path) -> None:
    for env in ("blue", "green"):
        write(workdir / env / "harness.json", __import__("json").dumps(harness_api(), indent=2))
    assert run(".", "--select", "AGT313")[1] == []  # neither folder says prod
    write(workdir / "pyproject.toml", '[tool.policylint.environments]\n'
          'production = {paths = ["blue/**"]}\nstaging = {paths = ["green/**"]}\n')
    assert len(run(".", "--select", "AGT313")[1]) == 2


def test_unfollowable_references_are_pl005_notes(workdir: Path) -> None:
    def unresolvable(template: dict[str, Any]) -> None:
        resource(template, "Workflow")["RoleArn"] = {"Fn::ImportValue": "shared-role"}
        resource(template, "Workflow")["DefinitionSubstitutions"]["HarnessArn"] = {
            "Fn::ImportValue": "shared-harness"}
    path = whole_template(workdir / "template.yaml", unresolvable)
    _, findings = run(".")
    # Without the harness config, the task is judged on its own: it sets no MaxIterations.
    assert sorted(f["code"] for f in findings) == ["AGT309", "PL005", "PL005"]
    findings = [f for f in findings if f["code"] == "PL005"]
    assert {f["severity"] for f in findings} == {"note"}
    text = path.read_text()
    assert sorted((f["line"], f["column"]) for f in findings) == sorted(
        [position_of(text, r"\n\s+(?P<at>RoleArn):"), position_of(text, r"HarnessArn: (?P<at>\$\{)")])


def test_policy_resource_attached_by_reference(workdir: Path) -> None:
    def detach(template: dict[str, Any], actions: list[str]) -> None:
        resource(template, "WorkflowRole").pop("Policies")
        template["Resources"]["InvokePolicy"] = {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "invoke", "Roles": [{"Ref": "WorkflowRole"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                statement(actions, {"Fn::GetAtt": ["Harness", "Arn"]})]}}}
    both = ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"]
    whole_template(workdir / "template.yaml", lambda t: detach(t, both))
    assert run(".", "--select", "IAM504") == (0, [])
    whole_template(workdir / "template.yaml", lambda t: detach(t, both[:1]))
    assert [f["code"] for f in run(".", "--select", "IAM504")[1]] == ["IAM504"]


def test_definition_string_sub_names_the_harness_resource(workdir: Path) -> None:
    def as_sub(template: dict[str, Any]) -> None:
        props = resource(template, "Workflow")
        definition = props.pop("Definition")
        props.pop("DefinitionSubstitutions")
        find_state(definition, "Agent")["Parameters"]["HarnessArn"] = "${Harness.Arn}"
        props["DefinitionString"] = {"Fn::Sub": __import__("json").dumps(definition, indent=2)}
        whole_harness(template).update(TimeoutSeconds=800)
    whole_template(workdir / "template.yaml", as_sub)
    assert [f["code"] for f in run(".", "--select", "AGT311,PL005")[1]] == ["AGT311"]


def test_literal_role_arn_finds_the_role_in_another_template(workdir: Path) -> None:
    def split(template: dict[str, Any]) -> None:
        role = template["Resources"].pop("WorkflowRole")
        role["Properties"]["RoleName"] = "support-workflow"
        role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"].pop()
        write(workdir / "iam" / "roles.yaml", __import__("yaml").safe_dump(
            {"Resources": {"WorkflowRole": role}}))
        resource(template, "Workflow")["RoleArn"] = WORKFLOW_ROLE_ARN
    path = whole_template(workdir / "app" / "template.yaml", split)
    (finding,) = run(".", "--select", "IAM504")[1]
    assert finding["file"] == "app/template.yaml"
    assert (finding["line"], finding["column"]) == position_of(path.read_text(), r"\n\s+(?P<at>RoleArn):")


def test_sam_policy_templates_are_given_the_benefit_of_the_doubt(workdir: Path) -> None:
    def policy_template(parts: dict[str, Any]) -> None:
        props = parts["template"]["Resources"]["Workflow"]["Properties"]
        props.pop("Role")
        props["Policies"] = [{"LambdaInvokePolicy": {"FunctionName": "f"}}]
    separate_files(workdir, policy_template)
    assert run(".", "--select", "IAM504") == (0, [])


def test_project_root_lets_one_named_file_see_the_others(workdir: Path) -> None:
    def split(template: dict[str, Any]) -> None:
        role = template["Resources"].pop("WorkflowRole")
        role["Properties"]["RoleName"] = "support-workflow"
        role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"].pop()
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")  # IAM510 there
        roles = {"Resources": {"WorkflowRole": role}}
        write(workdir / "iam" / "roles.yaml", __import__("yaml").safe_dump(roles))
        resource(template, "Workflow")["RoleArn"] = WORKFLOW_ROLE_ARN
    whole_template(workdir / "app" / "template.yaml", split)
    assert run("app/template.yaml", "--select", "IAM504,IAM510") == (0, [])  # the role is not seen
    code, findings = run("app/template.yaml", "--project-root", ".", "--select", "IAM504,IAM510")
    # the role file is read for context, but only the named file is reported on
    assert code == 1 and [(f["file"], f["code"]) for f in findings] == [("app/template.yaml", "IAM504")]


@pytest.mark.parametrize("layout", ["template", "files"])
def test_a_hook_that_fails_open_is_no_guard(workdir: Path, layout: str) -> None:
    if layout == "template":
        machine = whole_template(workdir / "template.yaml", lambda t: whole_harness(t)["Hooks"][0][
            "BeforeToolCall"]["Target"]["Lambda"].update(FailureMode="allow"))
    else:
        machine = separate_files(workdir, lambda p: export_harness(p)["hooks"][0][
            "beforeToolCall"]["target"]["lambda"].update(failureMode="allow"))["asl"]
    (finding,) = run(".", "--select", "AGT315")[1]
    assert (finding["line"], finding["column"]) == position_of(machine.read_text(), r"(?P<at>\"?Agent\"?):")
