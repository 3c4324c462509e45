"""ASL1xx: each rule fires at the exact line and column, in both query languages where the rule
applies, and not on valid definitions.

Rules are tested on standalone JSON and YAML: where a key or value is written in each form
(template Definition, DefinitionString, SAM DefinitionUri, CDK, Serverless, Terraform) is
``tests/test_conformance.py``'s concern, and the valid workflow is clean in every form
(``tests/rules/test_agent.py::test_clean_agent_workflow_has_no_findings``)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from forms import FORMS, JSONATA, JSONPATH, find_state, mutated
from helpers import codes, key, position_of, run, write

Q = r"""(?:\\?"|')?"""
Change = Callable[[dict[str, Any], str], None]


def no_terminal(m: dict[str, Any], lang: str) -> None:
    find_state(m, "Done").pop("End")
    find_state(m, "Done")["Next"] = "Agent"
    m["States"]["Failed"] = {"Type": "Pass", "Next": "Done"}


def nested_duplicate(m: dict[str, Any], lang: str) -> None:
    m["States"]["Fan"] = {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}}
    find_state(m, "Done")["Next"] = "Fan"
    find_state(m, "Done").pop("End")


def choice(rule: dict[str, Any]) -> Change:
    def change(m: dict[str, Any], lang: str) -> None:
        find_state(m, "Agent")["Next"] = "Route"
        m["States"]["Route"] = {"Type": "Choice", "Choices": [{**rule, "Next": "Done"}], "Default": "Done"}
    return change


def rename(m: dict[str, Any], old: str, new: str) -> None:
    m["States"] = {new if name == old else name: body for name, body in m["States"].items()}
    for body in m["States"].values():
        if body.get("Next") == old:
            body["Next"] = new


def agent(**fields: Any) -> Change:
    return lambda m, lang: find_state(m, "Agent").update(fields)


BOTH = (JSONPATH, JSONATA)
# code -> (change, where the finding points, query languages the case applies to)
CASES: dict[str, tuple[Change, str, tuple[str, ...]]] = {
    "ASL101": (agent(Nxt="Done"), "(?P<at>" + key("Nxt") + "):", BOTH),
    "ASL102": (agent(Next="Dnoe"), f"(?P<at>{Q}Dnoe)", BOTH),
    "ASL103": (lambda m, lang: m["States"].update(Orphan={"Type": "Succeed"}),
               "(?P<at>" + key("Orphan") + "):", BOTH),
    "ASL104": (no_terminal, "(?P<at>" + key("States") + "):", BOTH),
    "ASL105": (nested_duplicate, "(?P<at>" + key("Done") + r"):\s*\{?\s*" + key("Type") + r":\s*"
               + Q + "Succeed", BOTH),
    "ASL106": (lambda m, lang: find_state(m, "Done").update(ResultPath="$.answer[*]"),
               f"(?P<at>{Q}\\$\\.answer\\[\\*\\])", (JSONPATH,)),
    "ASL107": (lambda m, lang: find_state(m, "Done").update(
                   Output={"answer": "{% $states.input.Output + %}"}),
               f"(?P<at>{Q}{{% \\$states\\.input\\.Output \\+ %}})", (JSONATA,)),
    "ASL108": (lambda m, lang: find_state(m, "Agent")["Retry"][0]["ErrorEquals"].insert(0, "States.ALL"),
               f"(?P<at>{Q}States\\.ALL){Q},?\\s*(?:- )?{Q}BedrockAgentCore", BOTH),
    "ASL109": (choice({"Variable": "$.total", "NumericGreaterThan": "100"}),
               key("NumericGreaterThan") + f":\\s*(?P<at>{Q}100)", (JSONPATH,)),
    "ASL110": (agent(HeartbeatSeconds=660), key("HeartbeatSeconds") + r":\s*(?P<at>660)", BOTH),
    "ASL111": (agent(Resource="not-an-arn"), f"(?P<at>{Q}not-an-arn)", BOTH),
    "ASL113": (lambda m, lang: rename(m, "Done", "D" * 81), "(?P<at>" + key("D{81}") + "):", BOTH),
}
# JSONPath cases in JSON, JSONata cases in YAML: both readers, no form twice over.
MATRIX = [(code, lang, "json" if lang == JSONPATH else "yaml")
          for code, (_, _, langs) in CASES.items() for lang in langs]


@pytest.mark.parametrize("code, lang, form", MATRIX)
def test_rule_fires_at_the_offending_key_or_value(workdir: Path, code: str, lang: str, form: str) -> None:
    change, pattern, _ = CASES[code]
    file = FORMS[form](workdir, mutated(lang, change))
    hits = [f for f in run(".", "--select", "ASL")[1] if f["code"] == code]
    assert len(hits) == 1, hits
    assert Path(hits[0]["file"]).resolve() == file.resolve()
    assert (hits[0]["line"], hits[0]["column"]) == position_of(file.read_text(), pattern)


def test_jsonpath_fields_in_jsonata_state_and_back(workdir: Path) -> None:
    FORMS["json"](workdir, mutated(JSONATA, lambda m, lang: find_state(m, "Done").update(
        ResultPath="$.x")))
    (finding,) = run(".", "--select", "ASL")[1]
    assert finding["code"] == "ASL107" and finding["message"].startswith("ResultPath is a JSONPath field")
    FORMS["json"](workdir, mutated(JSONPATH, lambda m, lang: find_state(m, "Done").update(Output="x")))
    assert codes(run(".", "--select", "ASL")[1]) == ["ASL107"]


def test_jsonata_top_level_forbids_jsonpath_states(workdir: Path) -> None:
    FORMS["json"](workdir, mutated(JSONATA, lambda m, lang: find_state(m, "Failed").update(
        QueryLanguage="JSONPath")))
    assert codes(run(".", "--select", "ASL")[1]) == ["ASL107"]


@pytest.mark.parametrize("lang", BOTH)
@pytest.mark.parametrize("field", ["Catch", "Retry"])
def test_retry_and_catch_that_are_not_lists(workdir: Path, lang: str, field: str) -> None:
    FORMS["yaml"](workdir, mutated(lang, agent(**{field: True})))
    assert ("ASL108", f"{field} must be a list") in [
        (f["code"], f["message"]) for f in run(".", "--select", "ASL")[1]]


@pytest.mark.parametrize("value, problem", [
    ("States.Format('{} {}', $.a)", None),
    ("States.Format('{}' $.a)", "expected ',' or ')'"),
    ("States.UUID(1)", "takes 0 arguments"),
    ("States.MathAdd(1, '-1')", "must be a number or a path"),
    ("States.Nope($.a)", "is not an intrinsic function"),
    ("$$.Execution.Input.items[0]", None),
    ("$item.name", None),
    ("$.a..b", None),
    ("prod-v1", "must start with '$'"),
])
def test_payload_values(workdir: Path, value: str, problem: str | None) -> None:
    FORMS["json"](workdir, mutated(JSONPATH, lambda m, lang: find_state(m, "Done")["Parameters"].update(
        {"v.$": value})))
    messages = [f["message"] for f in run(".", "--select", "ASL")[1]]
    assert (messages == []) if problem is None else (len(messages) == 1 and problem in messages[0])


def test_choice_rules(workdir: Path) -> None:
    rules = [{"Not": {"Variable": "$.type", "StringEquals": "Private"}},
             {"And": [{"Variable": "$.v", "NumericGreaterThanEquals": 20},
                      {"Variable": "$.v", "NumericLessThanPath": "$.max"}]},
             {"Variable": "$.when", "TimestampEquals": "2026-01-01T00:00:00Z"},
             {"Variable": "$.x", "IsPresent": True}]
    def routes(m: dict[str, Any], lang: str) -> None:
        choice(rules[0])(m, lang)
        m["States"]["Route"]["Choices"] = [{**r, "Next": "Done"} for r in rules]
    FORMS["json"](workdir, mutated(JSONPATH, routes))
    assert run(".", "--select", "ASL") == (0, [])
    rules.append({"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1})
    FORMS["json"](workdir, mutated(JSONPATH, routes))
    (finding,) = run(".", "--select", "ASL")[1]
    assert finding["code"] == "ASL109" and "exactly one comparison" in finding["message"]


def test_template_placeholders(workdir: Path) -> None:
    text = """Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Fn: !GetAtt Fn.Arn, Wait: 30}
      Definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: "${Fn}", Next: W}
          W: {Type: Wait, Seconds: "${Wait}", Next: B}
          B: {Type: Task, Resource: "${Missing}", End: true}
"""
    write(workdir / "template.yaml", text)
    (finding,) = run(".", "--select", "ASL")[1]
    assert finding["code"] == "ASL112" and "${Missing}" in finding["message"]
    assert (finding["line"], finding["column"]) == position_of(text, r'Resource: "(?P<at>\$\{Missing)')


def test_template_placeholders_in_comments_are_not_judged(workdir: Path) -> None:
    text = """Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        Comment: "calls ${Nope}"
        States:
          A: {Type: Pass, Comment: ["${Nope}", {see: "${Nope}"}], Next: B}
          B: {Type: Pass, Parameters: {Notes: ["${Missing}"]}, End: true}
"""
    write(workdir / "template.yaml", text)
    (finding,) = run(".", "--select", "ASL112")[1]
    assert "${Missing}" in finding["message"]
    assert (finding["line"], finding["column"]) == position_of(text, r'\["(?P<at>\$\{Missing)')


def fan_out(lang: str, **fields: Any) -> Change:
    """The Done state goes to a distributed Map (STANDARD children reading a CSV from S3,
    results written back to S3) with ``fields`` laid over it."""
    def change(m: dict[str, Any], _: str) -> None:
        find_state(m, "Done").pop("End")
        find_state(m, "Done")["Next"] = "Fan"
        m["States"]["Fan"] = {
            "Type": "Map", "End": True, "MaxConcurrency": 10,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           ("Parameters" if lang == JSONPATH else "Arguments"): {
                               "Bucket": "orders", "Key": "today.csv"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "Each", "States": {"Each": {"Type": "Succeed"}}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             ("Parameters" if lang == JSONPATH else "Arguments"): {
                                 "Bucket": "results", "Prefix": "runs"}},
            **fields}
    return change


def without(state: str, *keys: str) -> Change:
    def change(m: dict[str, Any], lang: str) -> None:
        fan_out(lang)(m, lang)
        body = find_state(m, state)
        for name in keys[:-1]:
            body = body[name]
        body.pop(keys[-1])
    return change


def reader(**fields: Any) -> Change:
    def change(m: dict[str, Any], lang: str) -> None:
        fan_out(lang)(m, lang)
        find_state(m, "Fan")["ItemReader"].update(fields)
    return change


def fan(**fields: Any) -> Change:
    return lambda m, lang: fan_out(lang, **fields)(m, lang)


def fan_instead(name: str, **fields: Any) -> Change:
    """The distributed Map without its field ``name``, with ``fields``."""
    def change(m: dict[str, Any], lang: str) -> None:
        fan_out(lang)(m, lang)
        find_state(m, "Fan").pop(name)
        find_state(m, "Fan").update(fields)
    return change


def writer(**fields: Any) -> Change:
    return fan(ResultWriter=fields)


def reader_config(**fields: Any) -> Change:
    def change(m: dict[str, Any], lang: str) -> None:
        fan_out(lang)(m, lang)
        find_state(m, "Fan")["ItemReader"]["ReaderConfig"].update(fields)
    return change


def agent_instead(name: str, **fields: Any) -> Change:
    """The Agent state without its field ``name``, with ``fields``."""
    def change(m: dict[str, Any], lang: str) -> None:
        find_state(m, "Agent").pop(name)
        find_state(m, "Agent").update(fields)
    return change


def done_output(answer: str) -> Change:
    return lambda m, lang: find_state(m, "Done")["Output"].update(answer=answer)


def catcher(**fields: Any) -> Change:
    return lambda m, lang: find_state(m, "Agent")["Catch"][0].update(fields)


@pytest.mark.parametrize("lang", BOTH)
def test_valid_distributed_map(workdir: Path, lang: str) -> None:
    FORMS["yaml"](workdir, mutated(lang, fan_out(lang)))
    assert run(".", "--select", "ASL") == (0, [])


# (query language, change, code, words of the message, where the finding points)
STRUCTURE = [
    (JSONPATH, without("Fan", "ItemProcessor", "ProcessorConfig", "ExecutionType"), "ASL101",
     "needs ExecutionType", "(?P<at>" + key("ProcessorConfig") + "):"),
    (JSONATA, without("Fan", "ItemReader", "Resource"), "ASL101", "needs a Resource",
     "(?P<at>" + key("ItemReader") + "):"),
    (JSONPATH, fan(ItemReader=[]), "ASL101", "must be an object",
     key("ItemReader") + r":\s*(?P<at>\[\])"),
    (JSONATA, reader_config(InputType="XML"), "ASL101", "CSV, JSON, JSONL, PARQUET, MANIFEST",
     key("InputType") + f":\\s*(?P<at>{Q}XML)"),
    (JSONPATH, reader_config(CSVHeaderLocation="GIVEN", CSVHeaders=["id", 7]), "ASL101",
     "list of column names", key("CSVHeaders") + r":\s*(?P<at>- id)"),
    (JSONPATH, agent_instead("TimeoutSeconds", TimeoutSecondsPath=0), "ASL110",
     "TimeoutSecondsPath must be a reference path", key("TimeoutSecondsPath") + r":\s*(?P<at>0)"),
    (JSONPATH, lambda m, lang: m["States"].update(Done={"Type": "Wait", "TimestampPath": "$.due[?(@.a)]",
                                                      "End": True}),
     "ASL106", "not a valid reference path", key("TimestampPath") + f":\\s*(?P<at>{Q}\\$\\.due)"),
    (JSONPATH, lambda m, lang: m["States"].update(Done={"Type": "Wait", "SecondsPath": 30, "End": True}),
     "ASL101", "SecondsPath must be a reference path", key("SecondsPath") + r":\s*(?P<at>30)"),
    (JSONPATH, fan(ItemsPath=7), "ASL101", "reference path",
     key("ItemsPath") + r":\s*(?P<at>7)"),
    (JSONATA, lambda m, lang: find_state(m, "Agent").update(Arguments=-1), "ASL101",
     "object or a {% %} expression", key("Arguments") + r":\s*(?P<at>-1)"),
    (JSONPATH, fan(Label=0), "ASL101", "Label must be a string",
     key("Label") + r":\s*(?P<at>0)"),
    (JSONPATH, reader(Parameters=[]), "ASL101", "must be an object", key("Parameters") + r":\s*(?P<at>\[\])"),
    (JSONATA, catcher(Assign=None), "ASL101", "Assign must be an object",
     key("Assign") + r":\s*(?P<at>null)"),
    (JSONPATH, reader(Parameters=None), "ASL101", "must be an object",
     key("Parameters") + r":\s*(?P<at>null)"),
    (JSONATA, choice({"Condition": "$.total"}), "ASL109", "Condition must be a {% %} expression",
     key("Condition") + f":\\s*(?P<at>{Q}\\$\\.total)"),
    (JSONATA, fan(Items=3), "ASL101", "Items must be an array",
     key("Items") + r":\s*(?P<at>3)"),
    (JSONATA, agent(Assign="{% $states.input %}"), "ASL101", "Assign must be an object",
     key("Assign") + f":\\s*(?P<at>{Q}{{%)"),
    (JSONPATH, reader(ReaderConfig="CSV"), "ASL101", "ReaderConfig must be an object",
     key("ReaderConfig") + f":\\s*(?P<at>{Q}CSV)"),
    (JSONATA, reader(Arguments={"Bucket": 7, "Key": "today.csv"}), "ASL101",
     "Bucket must be a non-empty string", key("Bucket") + r":\s*(?P<at>7)"),
    (JSONPATH, lambda m, lang: find_state(m, "Failed").update(CausePath=5), "ASL101",
     "CausePath must be a path", key("CausePath") + r":\s*(?P<at>5)"),
    (JSONPATH, fan(Parameters={"a.$": "$.a"}, ItemSelector={"a.$": "$.a"}),
     "ASL101", "Parameters or ItemSelector", "(?P<at>" + key("ItemSelector") + "):"),
    (JSONPATH, writer(Parameters={"Bucket": "out", "Prefix": "r"}), "ASL101", "needs a Resource",
     "(?P<at>" + key("ResultWriter") + "):"),
    (JSONATA, writer(Resource="arn:aws:states:::s3:putObject", Arguments={"Bucket": 0, "Prefix": "r"}),
     "ASL101", "Bucket must be a non-empty string", key("Bucket") + r":\s*(?P<at>0)"),
    (JSONATA, fan(ItemBatcher=10), "ASL101", "ItemBatcher must be an object",
     key("ItemBatcher") + r":\s*(?P<at>10)"),
    (JSONATA, done_output("{% total + 1 %}"), "ASL107", "'total' at the top level",
     key("answer") + f":\\s*(?P<at>{Q}{{% total)"),
    (JSONATA, done_output("{% $$.Execution.Id %}"), "ASL107", "$$ is not available",
     key("answer") + f":\\s*(?P<at>{Q}{{% \\$\\$)"),
    (JSONATA, done_output("{% $states.errorOutput %}"), "ASL107", "only available in a catcher",
     key("answer") + f":\\s*(?P<at>{Q}{{% \\$states\\.errorOutput)"),
    (JSONPATH, fan_instead("MaxConcurrency", MaxConcurrencyPath="$$.Execution.Input.n"), "ASL106",
     "context object", key("MaxConcurrencyPath") + f":\\s*(?P<at>{Q}\\$\\$)"),
    (JSONPATH, reader_config(MaxItems=100_000_001), "ASL101", "MaxItems must be 0 to 100000000",
     key("MaxItems") + r":\s*(?P<at>100000001)"),
    (JSONPATH, fan(ItemBatcher={"MaxItemsPerBatch": -1}), "ASL101", "MaxItemsPerBatch must be 0 or more",
     key("MaxItemsPerBatch") + r":\s*(?P<at>-1)"),
    (JSONPATH, agent(Credentials=3), "ASL101", "Credentials must be an object",
     key("Credentials") + r":\s*(?P<at>3)"),
    (JSONPATH, catcher(Comment=5), "ASL108", "Comment must be a string", key("Comment") + r":\s*(?P<at>5)"),
    (JSONPATH, catcher(ResultPath=5), "ASL108", "ResultPath must be a path or null",
     key("ResultPath") + r":\s*(?P<at>5)"),
]


@pytest.mark.parametrize("lang, change, code, words, pattern", STRUCTURE)
def test_field_structure_and_types(workdir: Path, lang: str, change: Change, code: str,
                                          words: str, pattern: str) -> None:
    file = FORMS["yaml"](workdir, mutated(lang, change))
    (finding,) = run(".", "--select", "ASL")[1]
    assert (finding["code"], words in finding["message"]) == (code, True), finding
    assert (finding["line"], finding["column"]) == position_of(file.read_text(), pattern)


def test_reader_bucket_from_an_intrinsic_is_not_judged(workdir: Path) -> None:
    FORMS["template-definition"](workdir, mutated(JSONPATH, reader(
        Parameters={"Bucket": {"Fn::Select": [5, {"Fn::Split": [":", "arn:aws:s3:::b"]}]}, "Key": "k.csv"})))
    assert run(".", "--select", "ASL") == (0, [])


@pytest.mark.parametrize("change", [
    catcher(Output={"error": "{% $states.errorOutput %}", "input": "{% $states.input %}"}),
    done_output("{% $states.input.orders[total > 10].id %}"),
    done_output("{% $map($states.input.xs, function($x) { $x.price * 2 }) %}"),
    done_output("{% ($n := $states.input.n; $n * $n) %}"),
    lambda m, lang: m["States"].update(Done={  # a Parallel's Arguments may be any JSON
        "Type": "Parallel", "End": True, "Arguments": [1, 2],
        "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}),
])
def test_jsonata_reads_that_step_functions_accepts(workdir: Path, change: Change) -> None:
    FORMS["json"](workdir, mutated(JSONATA, change))
    assert run(".", "--select", "ASL") == (0, [])


def test_nested_states_take_the_machines_query_language_not_their_map_or_parallels(workdir: Path) -> None:
    """As CreateStateMachine resolves it: a Map or Parallel's own QueryLanguage does not reach
    the states of its ItemProcessor or branches; they inherit the top level's."""
    def nested(inner: dict[str, Any]) -> Change:
        def change(m: dict[str, Any], lang: str) -> None:
            find_state(m, "Done").pop("End")
            find_state(m, "Done")["Next"] = "Fan"
            m["States"]["Fan"] = {"Type": "Map", "QueryLanguage": "JSONata", "End": True,
                                  "Items": "{% $states.input.items %}",
                                  "ItemProcessor": {"StartAt": "Each", "States": {"Each": inner}}}
        return change
    FORMS["json"](workdir, mutated(JSONPATH, nested({"Type": "Pass", "Parameters": {"a.$": "$.a"},
                                                     "End": True})))
    assert run(".", "--select", "ASL") == (0, [])
    file = FORMS["json"](workdir, mutated(JSONPATH, nested({"Type": "Pass", "Output": "{% 1 %}",
                                                            "End": True})))
    (finding,) = run(".", "--select", "ASL")[1]
    assert finding["code"] == "ASL107" and finding["message"].startswith("Output is a JSONata field")
    assert (finding["line"], finding["column"]) == position_of(
        file.read_text(), r'"Each": \{\s*"Type": "Pass",\s*(?P<at>"Output")')
