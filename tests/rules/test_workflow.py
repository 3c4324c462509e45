"""SFN2xx: positive and negative cases at exact positions.

Rules are tested on standalone JSON (positions in each form are ``tests/test_conformance.py``'s
concern). SFN201 and SFN203 judge a task by its Resource, which forms write differently
(``arn:${AWS::Partition}:...``, CDK ``Fn::Join`` pieces): they fire in every form, and the
resilient workflow is clean in every form."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, across_forms, arn_pattern
from helpers import codes, key, position_of, run

LAMBDA = "arn:aws:states:::lambda:invoke"
RETRY = [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 3, "BackoffRate": 2}]


def flow(**states: dict[str, Any]) -> dict[str, Any]:
    names = list(states)
    for here, nxt in zip(names, names[1:], strict=False):
        states[here].setdefault("Next", nxt)
    states[names[-1]].setdefault("End", True)
    return {"StartAt": names[0], "States": states}


def task(resource: str = LAMBDA, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **fields}


CLEAN = flow(
    Call=task(Retry=RETRY),
    Job=task("arn:aws:states:::glue:startJobRun.sync", TimeoutSeconds=3600, Retry=RETRY),
    Approve=task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", TimeoutSeconds=86400),
    Each={"Type": "Map", "MaxConcurrency": 10, "ItemProcessor": flow(Inner=task(Retry=RETRY))},
)

STATE = r"(?P<at>{}):\s*[{{\n]"
CASES = {
    "SFN201": (flow(Call=task()), STATE.format(key("Call"))),
    "SFN202": (flow(Call=task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 8,
                                       "BackoffRate": 1}])),
               "(?P<at>" + key("BackoffRate") + ")"),
    "SFN203": (flow(Wait=task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", Retry=RETRY)),
               r'(?P<at>\\?"?' + arn_pattern(r"arn:aws:states:::sqs:sendMessage\.waitForTaskToken)")),
    "SFN204": (flow(Job=task("arn:aws:states:::batch:submitJob.sync", Retry=RETRY)),
               STATE.format(key("Job"))),
    "SFN205": (flow(Each={"Type": "Map", "ItemProcessor": flow(Inner=task(Retry=RETRY))}),
               STATE.format(key("Each"))),
    "SFN206": ({"QueryLanguage": "JSONata", **flow(
        Call=task(Retry=RETRY, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover",
                                       "Output": {"failed": "{% $states.result.Payload %}"}}]),
        Recover={"Type": "Pass"})},
               key("failed") + r":\s*(?P<at>\\?[\"']?\{% \$states\.result)"),
}


RESOURCE_RULES = ("SFN201", "SFN203")


@pytest.mark.parametrize(("code", "form"), across_forms([(code, "json") for code in CASES] + [
    (code, form) for code in RESOURCE_RULES for form in FORMS if form != "json"], form_at=1))
def test_rule_fires_at_the_offending_key(workdir: Path, code: str, form: str) -> None:
    machine, pattern = CASES[code]
    file = FORMS[form](workdir, json.loads(json.dumps(machine)))
    _, findings = run(".", "--select", "SFN")
    hits = [f for f in findings if f["code"] == code]
    assert len(hits) == 1, findings
    assert (hits[0]["line"], hits[0]["column"]) == position_of(file.read_text(), pattern)


@pytest.mark.parametrize("form", across_forms([(form,) for form in FORMS], form_at=0))
def test_resilient_workflow_is_clean(workdir: Path, form: str) -> None:
    FORMS[form](workdir, json.loads(json.dumps(CLEAN)))
    assert run(".")[1] == []


@pytest.mark.parametrize("machine, quiet", [
    (flow(Job=task("arn:aws:states:::ecs:runTask.sync", Retry=RETRY)), "SFN201"),  # jobs wait
    (flow(Work=task("arn:aws:states:us-east-1:111122223333:activity:work", TimeoutSeconds=60)),
     "SFN201"),
    (flow(Call=task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3, "BackoffRate": 1}])),
     "SFN202"),  # a few fixed retries are fine
    (flow(Call=task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 20, "BackoffRate": 2,
                            "MaxDelaySeconds": 60}])), "SFN202"),  # capped
    (flow(Wait=task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", HeartbeatSeconds=600)),
     "SFN203"),
    (flow(Call=task(Retry=RETRY)), "SFN204"),  # a request-response call is bounded by its service
    (flow(Each={"Type": "Map", "MaxConcurrencyPath": "$.limit",
                "ItemProcessor": flow(Inner=task(Retry=RETRY))}), "SFN205"),
    (flow(Each={"Type": "Map", "ItemProcessor": flow(Inner={"Type": "Pass"})}), "SFN205"),
    ({"QueryLanguage": "JSONata", **flow(Call=task(
        Retry=RETRY, Output="{% $states.result.Payload %}", Assign={"n": "{% $states.result.n %}"},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover",
                "Output": "{% $exists($states.result) ? $states.result : $states.errorOutput %}"}]),
        Recover={"Type": "Pass"})}, "SFN206"),  # its own Output/Assign, and a guarded read
])
def test_rule_stays_silent(workdir: Path, machine: dict[str, Any], quiet: str) -> None:
    FORMS["json"](workdir, machine)
    assert quiet not in codes(run(".")[1])


def test_long_uncapped_backoff(workdir: Path) -> None:
    machine = flow(Call=task(Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10,
                                     "MaxAttempts": 10, "BackoffRate": 2}]))
    file = FORMS["json"](workdir, machine)
    _, findings = run(".", "--select", "SFN202")
    assert [f["message"] for f in findings] == [
        "the last retry waits 5,120 s: cap the backoff with MaxDelaySeconds"]
    assert (findings[0]["line"], findings[0]["column"]) == position_of(
        file.read_text(), r'"Retry": \[\s*(?P<at>\{)')


def test_waiting_task_without_timeout_is_a_note(workdir: Path) -> None:
    FORMS["json"](workdir, CASES["SFN204"][0])
    code, findings = run(".", "--select", "SFN204")
    assert [f["severity"] for f in findings] == ["note"] and code == 0


# A task judged by what the template deploys as its Resource: an activity (a !Ref of the
# template's AWS::StepFunctions::Activity, Terraform's aws_sfn_activity, a Serverless
# activity) waits for a worker, so SFN204 and not SFN201; a callback integration given by
# DefinitionSubstitutions waits for its token (SFN203); a Lambda function's ARN is a call (SFN201).
SAM_TASKS = """\
Resources:
  Worker:
    Type: AWS::StepFunctions::Activity
    Properties:
      Name: worker
  Fn:
    Type: AWS::Lambda::Function
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions:
        WorkerArn: !Ref Worker
        AskArn: !Sub arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken
        FnArn: !GetAtt Fn.Arn
      Definition:
        StartAt: Work
        States:
          Work: {Type: Task, Resource: "${WorkerArn}", Next: Ask}
          Ask: {Type: Task, Resource: "${AskArn}", Next: Call}
          Call: {Type: Task, Resource: "${FnArn}", End: true}
"""
SERVERLESS_TASKS = """\
service: flows
stepFunctions:
  activities:
    - my-worker
  stateMachines:
    flow:
      definition:
        StartAt: Work
        States:
          Work:
            Type: Task
            Resource:
              Ref: MyDashworkerStepFunctionsActivity
            Next: Call
          Call:
            Type: Task
            Resource:
              Ref: OtherStepFunctionsActivity
            End: true
"""
TERRAFORM_TASKS = """\
resource "aws_sfn_activity" "worker" {
  name = "worker"
}

resource "aws_sfn_state_machine" "flow" {
  name     = "flow"
  role_arn = "arn:aws:iam::111122223333:role/flow"
  definition = templatefile("${path.module}/flow.asl.json", {
    worker = aws_sfn_activity.worker.id
    fn     = aws_lambda_function.fn.arn
  })
}
"""
TERRAFORM_FLOW = flow(Work=task("${worker}"), Call=task("${fn}"))


@pytest.mark.parametrize("name, text, expected", [
    ("template.yaml", SAM_TASKS, [("SFN204", key("Work") + ":"), ("SFN203", r'(?P<at>"\$\{AskArn\}")'),
                                  ("SFN201", key("Call") + ":")]),
    ("serverless.yml", SERVERLESS_TASKS, [("SFN204", r"(?P<at>Work):\n"), ("SFN201", r"(?P<at>Call):\n")]),
    ("main.tf", TERRAFORM_TASKS, [("SFN204", r'(?P<at>"Work"):'), ("SFN201", r'(?P<at>"Call"):')]),
])
def test_task_is_judged_by_the_resource_the_template_gives(workdir: Path, name: str, text: str,
                                                            expected: list[tuple[str, str]]) -> None:
    file = workdir / name
    file.write_text(text)
    if name == "main.tf":
        file = workdir / "flow.asl.json"
        file.write_text(json.dumps(TERRAFORM_FLOW, indent=2))
    _, findings = run(".", "--select", "SFN")
    assert sorted((f["code"], f["line"], f["column"]) for f in findings) == sorted(
        (code, *position_of(file.read_text(), pattern)) for code, pattern in expected)
