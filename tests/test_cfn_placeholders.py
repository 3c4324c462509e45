"""ASL112 in every form a template gives its state machine (issue 25): a DefinitionString as
a JSON string, as Fn::Sub (with and without variables), as Fn::Join pieces, and a SAM
DefinitionUri file; each finding at the ``${`` of the undefined placeholder."""
from __future__ import annotations

import json
from pathlib import Path

from helpers import position_of, run, write


def asl112(*args: str) -> list[tuple[str, int, int]]:
    return [(f["file"], f["line"], f["column"]) for f in run(*args)[1] if f["code"] == "ASL112"]


def test_a_json_string_definition_reports_what_substitutions_do_not_define(workdir: Path) -> None:
    text = """Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Fn: arn:aws:lambda:us-east-1:111122223333:function:f}
      DefinitionString: >-
        {"StartAt": "A", "States": {
          "A": {"Type": "Task", "Resource": "${Fn}", "Next": "B"},
          "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "${QueueUrl}", "MessageBody.$": "$"}, "End": true}}}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'"QueueUrl": "(?P<at>\$\{QueueUrl)'))]


def test_a_quoted_json_string_is_placed_through_its_escapes(workdir: Path) -> None:
    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${Missing}", "Comment": "\u00e9 ${Nobody}", "End": True}}}
    text = json.dumps({"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": json.dumps(definition)}}}}, indent=1)
    write(workdir / "template.json", text)
    # the Comment's ${Nobody} is text nobody runs: not reported
    assert asl112(".") == [("template.json", *position_of(text, r'Resource\\": \\"(?P<at>\$\{Missing)'))]


def test_fn_sub_defines_its_variables_parameters_resources_and_pseudo_parameters(workdir: Path) -> None:
    text = """Parameters:
  Stage: {Type: String}
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Table: orders}
      DefinitionString: !Sub
        - |
          {"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${Fn.Arn}", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                  "Parameters": {"TableName": "${!Table}-${Stage}-${AWS::Region}-${Queue}",
                                 "Item": {"k": {"S": "${Unset}"}}},
                  "TimeoutSeconds": ${Timeout}, "End": true}}}
        - {Queue: jobs, Timeout: 30}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'"S": "(?P<at>\$\{Unset)'))]


def test_escaped_placeholders_in_fn_sub_need_definition_substitutions(workdir: Path) -> None:
    text = """Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${!Fn}"}}}'
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'"Resource": "(?P<at>\$\{!Fn)'))]


def test_fn_join_literal_pieces_are_checked_and_intrinsic_pieces_are_not(workdir: Path) -> None:
    text = """Resources:
  Fn: {Type: AWS::Lambda::Function}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join
        - ""
        - - '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "'
          - !GetAtt Fn.Arn
          - '", "Next": "B"}, "B": {"Type": "Pass", "Result": "${AWS::Region}", "End": true}}}'
"""
    write(workdir / "template.yaml", text)
    # outside Fn::Sub even a pseudo-parameter is kept as written
    assert asl112(".") == [("template.yaml", *position_of(text, r'"Result": "(?P<at>\$\{AWS::Region)'))]


def test_a_definition_uri_file_is_checked_against_its_templates_substitutions(workdir: Path) -> None:
    flow = json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "${Fn}", "Next": "B"},
        "B": {"Type": "Task", "Resource": "${Other}", "End": True}}}, indent=2)
    write(workdir / "flows" / "flow.asl.json", flow)
    write(workdir / "template.yaml", """Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flows/flow.asl.json
      DefinitionSubstitutions: {Fn: arn:aws:lambda:us-east-1:111122223333:function:f}
""")
    assert asl112(".") == [("flows/flow.asl.json", *position_of(flow, r'"Resource": "(?P<at>\$\{Other)'))]


def test_a_standalone_definition_and_serverless_variables_are_not_judged(workdir: Path) -> None:
    flow = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": True}}}
    write(workdir / "flow.asl.json", json.dumps(flow))
    write(workdir / "serverless.yml", """service: s
provider: {name: aws}
stepFunctions:
  stateMachines:
    flow:
      definition:
        StartAt: A
        States:
          A: {Type: Task, Resource: "${self:custom.fn}", End: true}
""")
    assert asl112(".") == []


def test_fn_sub_in_sam_may_name_the_resources_the_transform_adds(workdir: Path) -> None:
    text = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/, Events: {Api: {Type: Api}}}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "A", "States": {
          "A": {"Type": "Pass", "Result": {"role": "${FnRole.Arn}", "api": "${ServerlessRestApi}",
                                           "other": "${Elsewhere}"}, "End": true}}}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'"other": "(?P<at>\$\{Elsewhere)'))]


def asl112_messages(*args: str) -> list[tuple[int, int, str]]:
    return [(f["line"], f["column"], f["message"]) for f in run(*args)[1] if f["code"] == "ASL112"]


def test_the_message_quotes_the_value_names_each_placeholder_once_and_who_does_not_define_it(
        workdir: Path) -> None:
    exact = "${Sixty}" + "x" * 52  # 60 characters: quoted whole
    text = """Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Known: k}
      DefinitionString: >-
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Parameters": {
          "Long": "arn:aws:states:::lambda:invoke/${First}/${Second}/${First}/padding-padding/end",
          "Exact": "EXACT", "Items": ["${Known}", "${!Literal}", "${InList}"]}}}}
""".replace("EXACT", exact)
    write(workdir / "template.yaml", text)
    tail = "which DefinitionSubstitutions does not define: CloudFormation deploys it as written"
    assert asl112_messages(".") == [
        (*position_of(text, r'"Long": "arn:aws:states:::lambda:invoke/(?P<at>\$)'),
         "Long 'arn:aws:states:::lambda:invoke/${First}/${Second}/${First}/…' uses ${First}, ${Second}, "
         + tail),
        (*position_of(text, r'"Exact": "(?P<at>\$)'), f"Exact {exact!r} uses ${{Sixty}}, " + tail),
        # a list's items are checked; ${!X} outside Fn::Sub is text no one substitutes
        (*position_of(text, r'(?P<at>\$\{InList)'), "Items '${InList}' uses ${InList}, " + tail)]


def test_fn_sub_names_its_definers_and_a_value_outside_any_key(workdir: Path) -> None:
    text = """Parameters:
  Stage: {Type: String}
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Stack: {Type: AWS::CloudFormation::Stack}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub
        - '["${Stage}", "${Fn.Arn}", "${Stack.Outputs.Url}", "${FnRole.Arn}", "${Var}"]'
        - {Var: v}
"""
    write(workdir / "template.yaml", text)
    # not a SAM template: no FnRole is added for Fn
    assert asl112_messages(".") == [(*position_of(text, r'(?P<at>\$\{FnRole)'), (
        "the value '${FnRole.Arn}' uses ${FnRole.Arn}, which DefinitionSubstitutions, Fn::Sub and the "
        "template do not define: CloudFormation deploys it as written"))]


def test_a_transform_list_makes_the_template_sam_s(workdir: Path) -> None:
    text = """Transform: [AWS::Serverless-2016-10-31]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${FnRole.Arn}",
         "Parameters": {"p": "${Elsewhere}"}, "End": true}}}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'(?P<at>\$\{Elsewhere)'))]


def test_intrinsics_inside_a_definition_object_are_not_read_as_placeholders(workdir: Path) -> None:
    text = """Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Pass, Result: !Sub "arn:${AWS::Partition}:lambda:${Undefined}", End: true,
              Parameters: {Q: "${Q}"}}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'Q: "(?P<at>\$\{Q)'))]


def test_a_fn_sub_text_that_starts_with_blank_lines_is_still_placed_in_fn_sub(workdir: Path) -> None:
    definition = ('\n  {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${Stage}-${Gone}",'
                  ' "End": true}}}')
    text = json.dumps({"Parameters": {"Stage": {"Type": "String"}}, "Resources": {"Flow": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {
            "Fn::Sub": definition}}}}}, indent=1)
    write(workdir / "template.json", text)
    assert asl112(".") == [("template.json", *position_of(text, r'(?P<at>\$\{Gone)'))]


def test_a_placeholder_after_an_intrinsic_piece_of_fn_join_is_checked(workdir: Path) -> None:
    text = """Parameters:
  Stage: {Type: String}
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join
        - ""
        - - '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "'
          - !Ref Stage
          - '-${Later}", "End": true}}}'
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'(?P<at>\$\{Later)'))]


def test_fn_join_places_each_placeholder_in_its_own_piece(workdir: Path) -> None:
    """Which piece a placeholder is written in decides who may define it: a Fn::Sub piece
    fills the template's parameters, a literal piece does not, an intrinsic piece is no
    placeholder at all. Escapes and earlier placeholders in the same string do not blur it."""
    text = r"""Parameters:
  Stage: {Type: String}
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join
        - ""
        - - '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Parameters": {"sub": "'
          - !Sub 'a'
          - '${Stage}", "escaped": "\t'
          - !Ref Stage
          - '", "after": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa${!Lit}-${Far}'
          - !GetAtt SomeResourceWithAVeryLongLogicalIdentifierIndeed.Arn
          - '"}}}}'
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'(?P<at>\$\{Stage\}", "escaped)')),
                           ("template.yaml", *position_of(text, r'(?P<at>\$\{Far)'))]


def test_an_escaped_placeholder_is_not_filled_by_the_fn_sub_variables(workdir: Path) -> None:
    """``${!Var}`` is the text ``${Var}`` once Fn::Sub has run: only DefinitionSubstitutions
    fills it then, not the variables of that Fn::Sub."""
    text = """Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions: {Both: b}
      DefinitionString: !Sub
        - '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${!Both}-${!Var}", "End": true}}}'
        - {Var: v, Both: b}
"""
    write(workdir / "template.yaml", text)
    assert asl112(".") == [("template.yaml", *position_of(text, r'(?P<at>\$\{!Var)'))]


def test_a_bare_placeholder_parses_as_a_number_of_its_length_and_is_put_back() -> None:
    from policylint.frontends.definitions import _pad_bare_placeholders, _restore

    written = '{"TimeoutSeconds": ${Timeout}, "Items": [${A}, "${B}", 5], "Retries": ${Count}}'
    text, bare = _pad_bare_placeholders(written)
    assert len(text) == len(written) and text.index('"Items"') == written.index('"Items"')
    assert _restore(json.loads(text), bare) == {"TimeoutSeconds": "${Timeout}", "Items": ["${A}", "${B}", 5],
                                                "Retries": "${Count}"}
    assert _pad_bare_placeholders('{"A": "${B}"}') == ('{"A": "${B}"}', {})


def test_an_intrinsic_piece_of_a_join_is_the_placeholder_fn_sub_would_write() -> None:
    from policylint.frontends.definitions import _as_placeholder

    assert [_as_placeholder(p) for p in ({"Ref": "AWS::Partition"}, {"Fn::GetAtt": ["H", "Arn"]},
                                         {"Fn::ImportValue": "x"}, {"Ref": ["x"]}, ["x"], {"A": 1, "B": 2})] \
        == ["${AWS::Partition}", "${H.Arn}", "${Fn::ImportValue}", "${Ref}", "${?}", "${?}"]


NOT_TEXT = """Resources:
  Number:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: 5
  Two:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: {"Fn::Sub": "{}", "Other": 1}
  SubOfRef:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: {"Fn::Sub": [{"Ref": "X"}]}
  Empty:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString:
        Fn::Join: ["", []]
  Separator:
    Type: AWS::StepFunctions::StateMachine
    Metadata:
      policylint: {ignore: [PL001], reason: generated elsewhere}
    Properties:
      DefinitionString:
        Fn::Join:
          - ", x "
          - ['{"StartAt": "A"', '"States": {"A": {"Type": "Pass", "End": true}}}']
"""


def test_a_definition_string_not_text_is_a_note_and_not_json_an_error_where_written(workdir: Path) -> None:
    write(workdir / "template.yaml", NOT_TEXT)
    found = [(f["code"], f["line"], f["column"], f["message"]) for f in run(".", "--select", "PL")[1]]
    note = ("DefinitionString is not a string, Fn::Sub or Fn::Join of strings; its state machine was "
            "not linted")
    assert found == [
        *(("PL005", *position_of(NOT_TEXT, rf"{name}:\n.*\n.*\n      (?P<at>DefinitionString)"), note)
          for name in ("Number", "Two", "SubOfRef")),
        # joining nothing is "", at the Fn::Join; Separator's PL001 is silenced by its resource
        ("PL001", *position_of(NOT_TEXT, r'Fn::Join: (?P<at>\[)""'), "DefinitionString is not valid JSON: "
         "Expecting value")]
    silenced = "      policylint: {ignore: [PL001], reason: generated elsewhere}\n"
    write(workdir / "template.yaml", NOT_TEXT.replace(silenced, "      Owner: x\n"))
    # the separator's x is where the JSON breaks
    assert [(f["code"], f["line"], f["column"]) for f in run(".", "--select", "PL001")[1]][1:] == [
        ("PL001", *position_of(NOT_TEXT, r'- ", (?P<at>x) "'))]


def test_the_variables_of_a_fn_sub_definition_are_its_substitutions(workdir: Path) -> None:
    from policylint.load import load

    arn = "arn:aws:lambda:us-east-1:111122223333:function:f"
    definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": True}}}
    write(workdir / "template.json", json.dumps({"Resources": {"Flow": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"DefinitionString": {"Fn::Sub": [json.dumps(definition), {"Fn": arn}]}}}}}))
    machines = [d for d in load("template.json", root=".")[0] if d.kind == "asl"]
    assert [(d.logical_id, d.data, dict(d.substitutions)) for d in machines] == [
        ("Flow", definition, {"Fn": arn})]


def test_a_definition_string_nested_past_the_parsers_depth_is_an_error(workdir: Path) -> None:
    text = '{"StartAt": "A", "States": ' + "[" * 100_000 + "]" * 100_000 + "}"
    template = json.dumps({"Resources": {"Flow": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": text}}}})
    write(workdir / "template.json", template)
    [error] = run(".")[1]
    assert (error["code"], error["line"], error["column"]) == (
        "PL001", *position_of(template, r'"DefinitionString": "(?P<at>\{)'))  # where the text starts
    assert error["message"].startswith("DefinitionString is not valid JSON: maximum recursion depth exceeded")
