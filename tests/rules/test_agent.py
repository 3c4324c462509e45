"""AGT3xx: each rule fires at the exact line and column, and not on clean input.

Rules are tested on standalone JSON; where a key or value is written in each form is
``tests/test_conformance.py``'s concern. Cross-form tests stay where a rule reads what forms
write differently: the task's Resource and the HarnessArn (partition and account as
pseudo-parameters, CDK ``Fn::Join`` pieces, Serverless variables), the SDK integration, and
sessions shared across files of every front end."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, JSONATA, JSONPATH, across_forms, arn_pattern, find_state, machine, mutated, request
from helpers import codes, key, position_of, run, write

Q = r"""(?:\\?"|')?"""  # an optional opening quote: JSON, JSON in a string, or YAML


def set_dynamic(m: dict[str, Any], lang: str, name: str, jsonpath: str, jsonata: str) -> None:
    req = request(m)
    if lang == JSONPATH:
        req[name + ".$"] = jsonpath
    else:
        req[name] = "{% " + jsonata + " %}"


def literal_session(value: str) -> Callable[[dict[str, Any], str], None]:
    def change(m: dict[str, Any], lang: str) -> None:
        req = request(m)
        req.pop("RuntimeSessionId.$", None)
        req["RuntimeSessionId"] = value
    return change


def in_map(m: dict[str, Any], lang: str) -> None:
    inner = {"StartAt": "Agent", "States": m["States"]}
    m["States"] = {"Fanout": {"Type": "Map", "ItemProcessor": inner, "End": True}}
    m["StartAt"] = "Fanout"


def reads_tool_use(m: dict[str, Any], lang: str) -> None:
    done = find_state(m, "Done")
    if lang == JSONPATH:
        done["Parameters"]["tools.$"] = "$.Output.Message.Content[0].ToolUse"
    else:
        done["Output"]["tools"] = "{% $states.input.Output.Message.Content[0].ToolUse %}"


def retry_timeout_without_override(m: dict[str, Any], lang: str) -> None:
    find_state(m, "Agent")["Retry"][0]["ErrorEquals"].append("States.Timeout")
    del request(m)["TimeoutSeconds"]


STATE_KEY = "(?P<at>" + key(r"\bAgent") + r"):\s*[{\n]"

# code -> (change to the clean machine, where the finding must point)
CASES: dict[str, tuple[Callable[[dict[str, Any], str], None], str]] = {
    "AGT301": (lambda m, lang: find_state(m, "Agent").update(TimeoutSeconds=3600),
               key("TimeoutSeconds") + r":\s*(?P<at>3600)"),
    "AGT302": (lambda m, lang: find_state(m, "Agent").pop("TimeoutSeconds"), STATE_KEY),
    "AGT303": (lambda m, lang: find_state(m, "Agent").update(
        Resource="arn:aws:states:::bedrockagentcore:invokeHarness.waitForTaskToken"),
        f"(?P<at>{Q}" + arn_pattern(r"arn:aws:states:::bedrockagentcore:invokeHarness\.waitForTaskToken)")),
    "AGT304": (lambda m, lang: request(m).update(
        HarnessArn="arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"),
        f"(?P<at>{Q}" + arn_pattern(r"arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/\*)")),
    "AGT305": (lambda m, lang: set_dynamic(m, lang, "Tools", "$.tools", "$states.input.tools"),
               "(?P<at>" + key(r"Tools(?:\.\$)?") + "):"),
    "AGT306": (lambda m, lang: find_state(m, "Agent").pop("Retry"), STATE_KEY),
    "AGT307": (retry_timeout_without_override, f"(?P<at>{Q}States\\.Timeout)"),
    "AGT308": (lambda m, lang: find_state(m, "Agent").pop("Catch"), STATE_KEY),
    "AGT309": (lambda m, lang: request(m).pop("MaxIterations"),
               "(?P<at>" + key("(?:Parameters|Arguments)") + r"):\s*\{?\s*" + key("HarnessArn")),
    "AGT310": (lambda m, lang: request(m).update(TimeoutSeconds=1200),
               key("TimeoutSeconds") + r":\s*(?P<at>1200)"),
    "AGT311": (lambda m, lang: request(m).update(TimeoutSeconds=700),
               key("TimeoutSeconds") + r":\s*(?P<at>700)"),
    "AGT312": (literal_session("support-agent-session-0123456789abcdef"),
               f"(?P<at>{Q}support-agent-session-0123456789abcdef)"),
    "AGT314": (reads_tool_use, f"(?P<at>{Q}" + r"(?:\{% )?\$(?:states\.input)?\.Output\.Message"
               r"\.Content\[0\]\.ToolUse)"),
    "AGT315": (lambda m, lang: request(m).update(Tools=[{"Type": "agentcore_browser", "Name": "web"}]),
               "(?P<at>" + key("Tools") + "):"),
    "AGT316": (in_map, "(?P<at>" + key("Fanout") + r"):\s*[{\n]"),
    "AGT317": (literal_session("session-1"), f"(?P<at>{Q}session-1)"),
}


# Rules that read an ARN as each form writes it: they are tested in every form.
ARN_RULES = ("AGT303", "AGT304")
MATRIX = across_forms([(code, "json", lang) for code in CASES for lang in (JSONPATH, JSONATA)] + [
    (code, form, JSONPATH) for code in ARN_RULES for form in FORMS if form != "json"], form_at=1)


@pytest.mark.parametrize(("code", "form", "lang"), MATRIX)
def test_rule_fires_at_the_offending_key_or_value(workdir: Path, code: str, form: str, lang: str) -> None:
    change, pattern = CASES[code]
    file = FORMS[form](workdir, mutated(lang, change))
    _, findings = run(".", "--select", "AGT")
    hits = [f for f in findings if f["code"] == code]
    assert len(hits) == 1, findings
    assert Path(hits[0]["file"]).resolve() == file.resolve()
    assert (hits[0]["line"], hits[0]["column"]) == position_of(file.read_text(), pattern)


@pytest.mark.parametrize(("form", "lang"), across_forms(
    [(form, lang) for form in FORMS for lang in (JSONPATH, JSONATA)], form_at=0))
def test_clean_agent_workflow_has_no_findings(workdir: Path, form: str, lang: str) -> None:
    FORMS[form](workdir, machine(lang))
    code, findings = run(".")
    assert findings == [] and code == 0


def agent_with(lang: str = JSONPATH, **changes: Any) -> dict[str, Any]:
    return mutated(lang, lambda m, _: request(m).update(changes))


@pytest.mark.parametrize("changes, quiet", [
    ({"TimeoutSeconds": 900}, "AGT310"),  # the cap itself is allowed
    ({"HarnessArn": "${HarnessArn}"}, "AGT304"),  # a placeholder is not a wildcard
    ({"HarnessArn": "arn:aws:bedrock-agentcore:${AWS::Region}:${AWS::AccountId}:harness/support"}, "AGT304"),
    ({"Tools": [{"Type": "inline_function", "Name": "lookup"}]}, "AGT315"),  # not a risky tool
    ({"Tools": [{"Type": "agentcore_browser", "Name": "web"}], "AllowedTools": ["lookup"]}, "AGT315"),
    ({"RuntimeSessionId": "x" * 40}, "AGT317"),  # long enough (still AGT312)
])
def test_rule_stays_silent(workdir: Path, changes: dict[str, Any], quiet: str) -> None:
    FORMS["json"](workdir, agent_with(**changes))
    _, findings = run(".", "--select", "AGT")
    assert quiet not in codes(findings)


def test_harness_arn_not_a_harness(workdir: Path) -> None:
    FORMS["json"](workdir, agent_with(HarnessArn="arn:aws:lambda:us-east-1:111122223333:function:f"))
    _, findings = run(".", "--select", "AGT304")
    assert [f["message"] for f in findings] == [
        "HarnessArn names service 'lambda', not bedrock-agentcore; name exactly one harness"]


def test_harness_arn_wildcard_from_substitutions(workdir: Path) -> None:
    FORMS["sam-definition-uri"](workdir, agent_with(HarnessArn="${Harness}"))
    template = workdir / "template.yaml"
    template.write_text(template.read_text() + "      DefinitionSubstitutions:\n"
                        "        Harness: arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*\n")
    _, findings = run(".", "--select", "AGT304")
    assert codes(findings) == ["AGT304"]
    assert "resolves to a wildcard once substituted" in findings[0]["message"]


SUBSTITUTED_AGENT = """\
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions:
        Invoke: !Sub arn:${AWS::Partition}:states:::bedrockagentcore:invokeHarness
        Call: arn:aws:states:::lambda:invoke
      Definition:
        StartAt: Agent
        States:
          Agent:
            Type: Task
            Resource: "${Invoke}"
            Next: Notify
          Notify:
            Type: Task
            Resource: "${Call}"
            End: true
"""


def test_an_agent_task_whose_resource_the_template_substitutes(workdir: Path) -> None:
    """The Resource given by DefinitionSubstitutions makes an agent task: AGT306, not SFN201
    (which never judges an agent task); the Lambda task beside it stays SFN201's."""
    write(workdir / "template.yaml", SUBSTITUTED_AGENT)
    _, findings = run(".", "--select", "AGT306,SFN201")
    assert sorted((f["code"], f["line"], f["column"]) for f in findings) == [
        ("AGT306", *position_of(SUBSTITUTED_AGENT, r"(?P<at>Agent):\n")),
        ("SFN201", *position_of(SUBSTITUTED_AGENT, r"(?P<at>Notify):\n"))]


SUB_MAP_AGENT = """\
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub
        - |
          {"StartAt": "Agent", "States": {
            "Agent": {"Type": "Task", "Resource": "${Invoke}", "Next": "Notify"},
            "Notify": {"Type": "Task", "Resource": "${Call}", "End": true}}}
        - Invoke: arn:aws:states:::bedrockagentcore:invokeHarness
          Call: arn:aws:states:::lambda:invoke
"""


@pytest.mark.parametrize("invoke", ["arn:aws:states:::bedrockagentcore:invokeHarness",
                                    "!Sub arn:${AWS::Partition}:states:::bedrockagentcore:invokeHarness"])
def test_an_agent_task_whose_resource_a_sub_map_gives(workdir: Path, invoke: str) -> None:
    """``Fn::Sub``'s own map, not DefinitionSubstitutions, gives the Resource (a literal, or a
    ``!Sub`` of a pseudo parameter): still an agent task."""
    text = SUB_MAP_AGENT.replace("Invoke: arn:aws:states:::bedrockagentcore:invokeHarness",
                                 f"Invoke: {invoke}")
    write(workdir / "template.yaml", text)
    _, findings = run(".", "--select", "AGT306,SFN201")
    assert sorted((f["code"], f["line"], f["column"]) for f in findings) == [
        ("AGT306", *position_of(text, r'(?P<at>"Agent"): \{')),
        ("SFN201", *position_of(text, r'(?P<at>"Notify"): \{'))]


def test_only_a_task_is_an_agent_task(workdir: Path) -> None:
    """A Pass state with an agent integration's Resource (ASL rejects the field) runs no agent."""
    text = SUBSTITUTED_AGENT.replace("            Type: Task\n            Resource: \"${Invoke}\"",
                                     "            Type: Pass\n            Resource: \"${Invoke}\"")
    write(workdir / "template.yaml", text)
    assert codes(run(".", "--select", "AGT")[1]) == []
    write(workdir / "template.yaml", SUBSTITUTED_AGENT)
    assert "AGT306" in codes(run(".", "--select", "AGT")[1])


def test_override_from_execution_input_only(workdir: Path) -> None:
    """The user's message may come from input; the model and prompt may not."""
    m = machine()
    request(m)["Model"] = {"BedrockModelConfig": {"ModelId.$": "$$.Execution.Input.model"}}
    request(m)["SystemPrompt"] = [{"Text.$": "$.system"}]
    FORMS["json"](workdir, m)
    _, findings = run(".", "--select", "AGT305")
    assert sorted(f["message"].split(" ")[0] for f in findings) == ["Model", "SystemPrompt"]


def test_retry_all_is_fine_when_the_harness_stops_first(workdir: Path) -> None:
    m = machine()
    find_state(m, "Agent")["Retry"][0]["ErrorEquals"] = ["States.ALL"]
    FORMS["json"](workdir, m)  # harness 600 s < task 660 s: no run outlives its task
    assert run(".", "--select", "AGT307")[1] == []


def test_static_session_id_is_an_error_in_prod(workdir: Path) -> None:
    m = mutated(JSONPATH, literal_session("support-agent-session-0123456789abcdef"))
    (workdir / "prod").mkdir()
    FORMS["json"](workdir / "prod", m)
    _, findings = run(".", "--select", "AGT312")
    assert [f["severity"] for f in findings] == ["error"]


# One form of each front end: a session shared between files read by different front ends.
FRONT_ENDS = ("json", "template-sub-block", "sam-definition-uri", "cdk-out", "serverless",
              "terraform-jsonencode", "terraform-json")


@pytest.mark.parametrize(("form", "lang"), across_forms(
    [(form, JSONPATH) for form in FRONT_ENDS] + [("yaml", JSONATA)], form_at=0))
def test_session_shared_between_prod_and_dev(workdir: Path, form: str, lang: str) -> None:
    m = mutated(lang, literal_session("support-agent-session-0123456789abcdef"))
    files = []
    for env in ("prod", "dev", "staging"):
        (workdir / env).mkdir()
        files.append(FORMS[form](workdir / env, m))
    _, findings = run(".", "--select", "AGT313")
    pattern = f"(?P<at>{Q}support-agent-session-0123456789abcdef)"
    assert sorted((f["file"], f["line"], f["column"]) for f in findings) == sorted(
        (str(file.relative_to(workdir)), *position_of(file.read_text(), pattern)) for file in files)
    assert "'supp…'" in findings[0]["message"]  # the session id is masked


def test_session_shared_only_within_non_prod_is_fine(workdir: Path) -> None:
    m = mutated(JSONPATH, literal_session("support-agent-session-0123456789abcdef"))
    for env in ("dev", "staging"):
        (workdir / env).mkdir()
        FORMS["json"](workdir / env, m)
    assert run(".", "--select", "AGT313")[1] == []


def test_approval_after_risky_agent_silences_agt315(workdir: Path) -> None:
    m = agent_with(Tools=[{"Type": "agentcore_code_interpreter", "Name": "python"}])
    find_state(m, "Agent")["Next"] = "Approve"
    m["States"]["Approve"] = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              "TimeoutSeconds": 3600, "Next": "Done"}
    FORMS["json"](workdir, m)
    assert run(".", "--select", "AGT315")[1] == []


def test_bounded_map_silences_agt316(workdir: Path) -> None:
    m = mutated(JSONPATH, in_map)
    m["States"]["Fanout"]["MaxConcurrency"] = 5
    FORMS["json"](workdir, m)
    assert run(".", "--select", "AGT316")[1] == []


@pytest.mark.parametrize(("form", "lang"), [("json", JSONPATH), ("yaml", JSONATA)])
def test_model_allowlist(workdir: Path, form: str, lang: str) -> None:
    write(workdir / "pyproject.toml", '[tool.policylint]\nallowed-models = ["anthropic.claude-*"]\n')
    m = agent_with(lang, Model={"BedrockModelConfig": {"ModelId": "meta.llama3-70b"}})
    file = FORMS[form](workdir, m)
    _, findings = run(".", "--select", "AGT318")
    assert [(f["line"], f["column"]) for f in findings] == [
        position_of(file.read_text(), key("ModelId") + f":\\s*(?P<at>{Q}meta)")]
    FORMS[form](workdir, agent_with(lang, Model={"BedrockModelConfig": {"ModelId": "anthropic.claude-v4"}}))
    assert run(".", "--select", "AGT318")[1] == []


def test_model_allowlist_off_without_config(workdir: Path) -> None:
    FORMS["json"](workdir, agent_with(Model={"BedrockModelConfig": {"ModelId": "meta.llama3-70b"}}))
    assert run(".", "--select", "AGT318")[1] == []


def test_agent_in_a_jsonata_map_of_a_jsonpath_machine_is_read_as_jsonpath(workdir: Path) -> None:
    """A Map's QueryLanguage does not reach the states inside it (they take the machine's),
    so the agent task's Parameters are its request, and their wildcard is found."""
    m = mutated(JSONPATH, in_map)
    m["States"]["Fanout"]["QueryLanguage"] = JSONATA
    m["States"]["Fanout"]["Items"] = "{% $states.input.tickets %}"
    m["States"]["Fanout"]["MaxConcurrency"] = 5
    request(m)["HarnessArn"] = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/*"
    FORMS["json"](workdir, m)
    assert codes(run(".", "--select", "AGT304,ASL")[1]) == ["AGT304"]


# The AWS SDK integration: the same request fields (PascalCase), so the same rules at the same
# places, except those resting on the optimized integration's cap and output.
SDK = "arn:aws:states:::aws-sdk:bedrockagentcore:invokeHarness"
OPTIMIZED_ONLY = ("AGT301", "AGT303", "AGT310", "AGT314")


def through_sdk(change: Callable[[dict[str, Any], str], None]) -> Callable[[dict[str, Any], str], None]:
    def sdk_change(m: dict[str, Any], lang: str) -> None:
        change(m, lang)
        agent = find_state(m, "Agent")
        agent["Resource"] = agent["Resource"].replace(":::bedrockagentcore:", ":::aws-sdk:bedrockagentcore:")
    return sdk_change


@pytest.mark.parametrize(("form", "lang"), across_forms(
    [(form, lang) for form in FORMS for lang in (JSONPATH, JSONATA)], form_at=0))
def test_sdk_integration_is_an_agent_task_in_every_form(workdir: Path, form: str, lang: str) -> None:
    file = FORMS[form](workdir, mutated(lang, through_sdk(lambda m, lang: None)))
    _, findings = run(".")
    assert codes(findings) == ["AGT322"], findings
    pattern = f"(?P<at>{Q}" + arn_pattern(SDK.replace(".", r"\.") + ")")
    assert (findings[0]["line"], findings[0]["column"]) == position_of(file.read_text(), pattern)


@pytest.mark.parametrize("lang", [JSONPATH, JSONATA])
@pytest.mark.parametrize("code", [c for c in CASES if c not in OPTIMIZED_ONLY])
def test_agent_rules_fire_on_sdk_tasks_at_the_same_place(workdir: Path, code: str, lang: str) -> None:
    change, pattern = CASES[code]
    file = FORMS["json"](workdir, mutated(lang, through_sdk(change)))
    hits = [f for f in run(".", "--select", "AGT,SFN")[1] if f["code"] == code]
    assert [(h["line"], h["column"]) for h in hits] == [position_of(file.read_text(), pattern)]


@pytest.mark.parametrize("code", OPTIMIZED_ONLY)
def test_optimized_integration_facts_do_not_judge_sdk_tasks(workdir: Path, code: str) -> None:
    FORMS["json"](workdir, mutated(JSONPATH, through_sdk(CASES[code][0])))
    assert [f for f in run(".")[1] if f["code"] == code] == []


def test_an_agent_runtime_through_the_sdk(workdir: Path) -> None:
    m = machine()
    agent = find_state(m, "Agent")
    agent["Resource"] = "arn:aws:states:::aws-sdk:bedrockagentcore:invokeAgentRuntime"
    agent["Parameters"] = {"AgentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/*",
                           "RuntimeSessionId.$": "$$.Execution.Name", "Payload.$": "$.prompt"}
    file = write(workdir / "flow.asl.json", json.dumps(m, indent=2))
    findings = run(".")[1]
    assert codes(findings) == ["AGT304", "AGT322"]  # no MaxIterations asked of a runtime
    (wildcard,) = [f for f in findings if f["code"] == "AGT304"]
    assert "AgentRuntimeArn has a wildcard" in wildcard["message"]
    place = position_of(file.read_text(), r'"AgentRuntimeArn": (?P<at>")')
    assert (wildcard["line"], wildcard["column"]) == place
