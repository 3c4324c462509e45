"""ASL1xx: the state machine is valid Amazon States Language (JSONPath and JSONata).

One validator walks a definition once (``problems``); each rule reports the problems of
its code. The language's fields and values are in ``asl_spec``; the expression languages
are parsed by ``policylint.expressions``.
"""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from policylint import problems
from policylint.documents import Document
from policylint.expressions import (
    MAX_JSONATA,
    intrinsic_problem,
    jsonata_problem,
    jsonata_reads,
    looks_intrinsic,
    path_problem,
    payload_problem,
)
from policylint.hookspecs import hookimpl
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.rules.asl import spec
from policylint.values import PLACEHOLDER, is_intrinsic, is_jsonata

JSONATA = "JSONata"
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[A-Za-z0-9-]+:[A-Za-z0-9\-_.]+"
                  r"(?::(?:\$LATEST|[A-Za-z0-9\-_.]+))*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$")
MAX_NAME = 80
NOT_CHECKED = problems.UNRESOLVED_REFERENCE.code  # a part this validator could not check

Problem = tuple[str, tuple, str, str]  # (code, path, message, "key" | "value")


class Validator:
    """Collects the ASL problems of one definition."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.data = document.data
        self.problems: list[Problem] = []
        top = self.data.get("QueryLanguage") if isinstance(self.data, dict) else None
        self.top_language = str(top) if top in spec.QUERY_LANGUAGES else "JSONPath"
        self.names: dict[str, tuple] = {}

    def add(self, code: str, path: tuple, message: str, at: str = "key") -> None:
        self.problems.append((code, path, message, at))

    def run(self) -> list[Problem]:
        self.scope(self.data, (), spec.TOP_LEVEL, self.top_language, "state machine")
        return self.problems

    # -- scopes: the machine, Parallel branches, Map processors ------------------------
    def scope(self, scope: Any, path: tuple, allowed: set[str], language: str, what: str) -> None:
        if not isinstance(scope, dict):
            self.add("ASL101", path, f"the {what} must be an object with StartAt and States", "value")
            return
        for key in scope:
            if key not in allowed:
                self.add("ASL101", (*path, key), f"{key!r} is not a field of a {what}")
        if not path:
            self.top_fields(scope)
        if "ProcessorConfig" in scope:
            self.processor_config(scope["ProcessorConfig"], (*path, "ProcessorConfig"))
        states = scope.get("States")
        if "States" not in scope or not isinstance(states, dict) or not states:
            where = (*path, "States") if "States" in scope else path
            self.add("ASL101", where, f"the {what} needs States: an object of one or more states")
            states = states if isinstance(states, dict) else {}
        start = scope.get("StartAt")
        if "StartAt" not in scope:
            self.add("ASL101", path, f"the {what} has no StartAt")
        elif not isinstance(start, str):
            self.add("ASL101", (*path, "StartAt"), "StartAt must be a state name", "value")
        elif start not in states and states:
            self.add("ASL102", (*path, "StartAt"), f"StartAt names {start!r}, which is not a state of "
                     f"this {what}", "value")
        for name, body in states.items():
            self.state(name, body, (*path, "States", name), language, states)
        if states:
            self.reachability(states, start, path)
            if not any(self.terminal(body) for body in states.values()):
                self.add("ASL104", (*path, "States"), f"no state of this {what} ends it: give one state "
                         '"End": true, or add a Succeed or Fail state')

    def top_fields(self, scope: dict) -> None:
        language = scope.get("QueryLanguage")
        if "QueryLanguage" in scope and language not in spec.QUERY_LANGUAGES:
            self.add("ASL101", ("QueryLanguage",), f"QueryLanguage must be JSONPath or JSONata, not "
                     f"{language!r}", "value")
        if "TimeoutSeconds" in scope and not _positive_int(scope["TimeoutSeconds"]):
            self.add("ASL110", ("TimeoutSeconds",), "TimeoutSeconds must be a positive integer", "value")
        for key in ("Comment", "Version"):
            if key in scope and not isinstance(scope[key], str):
                self.add("ASL101", (key,), f"{key} must be a string", "value")

    def processor_config(self, config: Any, path: tuple) -> None:
        if not isinstance(config, dict):
            self.add("ASL101", path, "ProcessorConfig must be an object", "value")
            return
        for key, value in config.items():
            if key == "Mode" and value not in spec.PROCESSOR_MODES:
                self.add("ASL101", (*path, key), "Mode must be INLINE or DISTRIBUTED", "value")
            elif key == "ExecutionType" and value not in spec.EXECUTION_TYPES:
                self.add("ASL101", (*path, key), "ExecutionType must be STANDARD or EXPRESS", "value")
            elif key not in ("Mode", "ExecutionType"):
                self.add("ASL101", (*path, key), f"{key!r} is not a field of ProcessorConfig")
        if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
            self.add("ASL101", path, "a DISTRIBUTED item processor needs ExecutionType: STANDARD or "
                     "EXPRESS (the type of its child workflow executions)")

    @staticmethod
    def terminal(body: Any) -> bool:
        return isinstance(body, dict) and (body.get("End") is True or body.get("Type") in spec.TERMINAL_TYPES)

    def reachability(self, states: dict, start: Any, path: tuple) -> None:
        if not isinstance(start, str) or start not in states:
            return
        seen, stack = {start}, [start]
        while stack:
            for target in _targets(states.get(stack.pop())):
                if target in states and target not in seen:
                    seen.add(target)
                    stack.append(target)
        for name, body in states.items():
            if name not in seen and isinstance(body, dict):
                self.add("ASL103", (*path, "States", name), f"state {name!r} is never reached: no "
                         "StartAt, Next, Default or Catch leads to it")

    # -- states ------------------------------------------------------------------------
    def state(self, name: Any, body: Any, path: tuple, inherited: str, scope: dict) -> None:
        name = str(name)
        if len(name) > MAX_NAME:
            self.add("ASL113", path, f"state names are at most {MAX_NAME} characters; this one has "
                     f"{len(name)}")
        if name in self.names:
            self.add("ASL105", path, f"state name {name!r} is already used (names are unique across "
                     "the whole state machine, nested branches included)")
        self.names.setdefault(name, path)
        if not isinstance(body, dict):
            self.add("ASL101", path, f"state {name!r} must be an object", "value")
            return
        language = self.state_language(body, path, inherited)
        kind = body.get("Type")
        if "Type" not in body:
            self.add("ASL101", path, f"state {name!r} has no Type")
            return
        if not isinstance(kind, str) or kind not in spec.STATE_TYPES:
            self.add("ASL101", (*path, "Type"), f"Type must be one of {', '.join(spec.STATE_TYPES)}, not "
                     f"{kind!r}", "value")
            return
        self.fields(body, path, kind, language)
        self.transition(body, path, kind, scope)
        getattr(self, f"state_{kind.lower()}")(body, path, language, scope)
        if "Assign" in body:
            self.assign(body["Assign"], (*path, "Assign"), language)
        if language == JSONATA:
            self.jsonata_values(body, path)
        else:
            self.jsonpath_values(body, path, kind)

    def state_language(self, body: dict, path: tuple, inherited: str) -> str:
        if "QueryLanguage" not in body:
            return inherited
        language = body["QueryLanguage"]
        if language not in spec.QUERY_LANGUAGES:
            self.add("ASL101", (*path, "QueryLanguage"), f"QueryLanguage must be JSONPath or JSONata, "
                     f"not {language!r}", "value")
            return inherited
        if self.top_language == JSONATA and language != JSONATA:
            self.add("ASL107", (*path, "QueryLanguage"), "the state machine's QueryLanguage is JSONata: "
                     "a state cannot go back to JSONPath", "value")
        return str(language)

    def fields(self, body: dict, path: tuple, kind: str, language: str) -> None:
        allowed = spec.FIELDS[kind]
        for key in body:
            if key in spec.COMMON:
                if key == "Comment" and not isinstance(body[key], str):
                    self.add("ASL101", (*path, key), "Comment must be a string", "value")
                continue
            if key not in allowed:
                self.add("ASL101", (*path, key), f"{key!r} is not a field of a {kind} state")
            elif language == JSONATA and key in spec.JSONPATH_ONLY:
                self.add("ASL107", (*path, key), f"{key} is a JSONPath field; this state uses JSONata "
                         "(use Arguments, Output and {% %} expressions)")
            elif language != JSONATA and key in spec.JSONATA_ONLY:
                self.add("ASL107", (*path, key), f"{key} is a JSONata field; this state uses JSONPath "
                         "(set QueryLanguage to JSONata to use it)")

    def transition(self, body: dict, path: tuple, kind: str, scope: dict) -> None:
        if kind in spec.NO_TRANSITION:
            return
        has_next, end = "Next" in body, body.get("End")
        if "End" in body and end is not True:
            self.add("ASL101", (*path, "End"), "End must be true (or be left out)", "value")
        if has_next and end is True:
            self.add("ASL101", (*path, "End"), "a state has Next or End, not both")
        elif not has_next and end is not True:
            self.add("ASL101", path, f"a {kind} state needs Next, or \"End\": true")
        if has_next:
            self.target(body["Next"], (*path, "Next"), scope)

    def target(self, value: Any, path: tuple, scope: dict) -> None:
        if not isinstance(value, str):
            self.add("ASL101", path, "a transition names a state (a string)", "value")
        elif value not in scope:
            self.add("ASL102", path, f"{value!r} is not a state in this scope", "value")

    # -- state types ---------------------------------------------------------------------
    def state_pass(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        pass

    def state_succeed(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        pass

    def state_task(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        if "Resource" not in body:
            self.add("ASL101", path, "a Task state needs a Resource")
        else:
            self.resource(body["Resource"], (*path, "Resource"))
        self.timeouts(body, path, language)
        self.retry_catch(body, path, language, scope)
        credentials = body.get("Credentials")
        if "Credentials" in body and not isinstance(credentials, dict) and not (
                language == JSONATA and is_jsonata(credentials)):
            self.add("ASL101", (*path, "Credentials"), "Credentials must be an object (RoleArn)", "value")

    def resource(self, value: Any, path: tuple) -> None:
        if is_intrinsic(value):  # a CloudFormation value (!GetAtt, !Ref): known at deploy time
            return
        if not isinstance(value, str):
            self.add("ASL101", path, "Resource must be an ARN string", "value")
            return
        if "${" in value and value.count("${") != len(PLACEHOLDER.findall(value)):
            self.add("ASL101", path, f"Resource {value!r} has an unclosed ${{...}} placeholder", "value")
            return
        missing = self.unsubstituted(value)
        if missing:
            self.add("ASL112", path, f"Resource {value!r} uses ${{{missing}}}, which "
                     "DefinitionSubstitutions does not define", "value")
            return
        literal = self.document.literal(value)
        if literal is not None and not _ARN.match(literal):
            self.add("ASL111", path, f"Resource {literal!r} is not an ARN: write "
                     "arn:aws:states:::SERVICE:ACTION for an integration, or the ARN of a Lambda "
                     "function or activity", "value")

    def unsubstituted(self, value: str) -> str | None:
        """A placeholder a template's plain ``Definition`` leaves undefined (CloudFormation
        would then deploy it as written)."""
        template = self.document.template
        if template is None or self.document.source.path != template.source.path or \
                self.document.root[-1:] != ("Definition",):
            return None
        for name in PLACEHOLDER.findall(value):
            if name not in self.document.substitutions:
                return str(name)
        return None

    def state_choice(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        choices = body.get("Choices")
        if not isinstance(choices, list) or not choices:
            self.add("ASL109", (*path, "Choices") if "Choices" in body else path,
                     "a Choice state needs Choices: a list of one or more rules")
        for i, choice in enumerate(_list(choices)):
            self.choice_rule(choice, (*path, "Choices", i), language, scope, top=True)
        if "Default" in body:
            self.target(body["Default"], (*path, "Default"), scope)

    def choice_rule(self, rule: Any, path: tuple, language: str, scope: dict, top: bool) -> None:
        if not isinstance(rule, dict):
            self.add("ASL109", path, "a Choice rule must be an object", "value")
            return
        for key in rule:
            if key not in spec.CHOICE_RULE_FIELDS and key not in spec.COMPARISONS \
                    and key not in spec.PATH_COMPARISONS:
                self.add("ASL109", (*path, key), f"{key!r} is not a field of a Choice rule")
        if top:
            if "Next" not in rule:
                self.add("ASL109", path, "a Choice rule needs Next")
            else:
                self.target(rule["Next"], (*path, "Next"), scope)
        elif "Next" in rule:
            self.add("ASL109", (*path, "Next"), "only top-level Choice rules have Next")
        if "Assign" in rule:
            self.assign(rule["Assign"], (*path, "Assign"), language)
        if language == JSONATA:
            self.jsonata_rule(rule, path, top)
        else:
            self.jsonpath_rule(rule, path, language, scope)

    def jsonata_rule(self, rule: dict, path: tuple, top: bool) -> None:
        for key in rule:
            if key in spec.COMPARISONS or key in spec.PATH_COMPARISONS or key in ("Variable", "And", "Or",
                                                                                  "Not"):
                self.add("ASL107", (*path, key), f"{key} is a JSONPath Choice rule field; in JSONata "
                         "write a Condition: \"{% ... %}\"")
        if "Condition" not in rule:
            self.add("ASL109", path, "a JSONata Choice rule needs a Condition")
        elif not isinstance(rule["Condition"], bool) and not (
                is_jsonata(rule["Condition"])):
            self.add("ASL109", (*path, "Condition"), "Condition must be a {% %} expression (or true "
                     "or false)", "value")

    def jsonpath_rule(self, rule: dict, path: tuple, language: str, scope: dict) -> None:
        if "Condition" in rule:
            self.add("ASL107", (*path, "Condition"), "Condition is a JSONata field; this Choice uses "
                     "JSONPath (Variable and a comparison)")
        operators = [k for k in rule if k in spec.COMPARISONS or k in spec.PATH_COMPARISONS]
        logic = [k for k in rule if k in ("And", "Or", "Not")]
        if len(operators) + len(logic) != 1:
            found = ", ".join(operators + logic) or "none"
            self.add("ASL109", path, f"a Choice rule has exactly one comparison, And, Or or Not "
                     f"(found: {found})")
        if operators:
            if "Variable" not in rule:
                self.add("ASL109", path, f"the {operators[0]} comparison needs a Variable")
            elif not isinstance(rule["Variable"], str):
                self.add("ASL109", (*path, "Variable"), "Variable must be a path", "value")
            else:
                self.path(rule["Variable"], (*path, "Variable"))
            for operator in operators:
                self.comparison(operator, rule[operator], (*path, operator))
        elif "Variable" in rule:
            self.add("ASL109", (*path, "Variable"), "Variable goes with a comparison operator, not with "
                     "And/Or/Not")
        for key in logic:
            value = rule[key]
            if key == "Not":
                self.choice_rule(value, (*path, key), language, scope, top=False)
            elif not isinstance(value, list) or not value:
                self.add("ASL109", (*path, key), f"{key} must be a list of one or more rules", "value")
            else:
                for i, inner in enumerate(value):
                    self.choice_rule(inner, (*path, key, i), language, scope, top=False)

    def comparison(self, operator: str, value: Any, path: tuple) -> None:
        if operator in spec.PATH_COMPARISONS:
            if not isinstance(value, str):
                self.add("ASL109", path, f"{operator} takes a path", "value")
            else:
                self.path(value, path)
            return
        kind = spec.COMPARISONS[operator]
        ok = {"string": isinstance(value, str),
              "number": isinstance(value, (int, float)) and not isinstance(value, bool),
              "boolean": isinstance(value, bool),
              "timestamp": isinstance(value, str) and bool(_TIMESTAMP.match(value))}[kind]
        if not ok:
            self.add("ASL109", path, f"{operator} compares with a {kind}, not {json.dumps(value)}", "value")

    def state_wait(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        forms = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in body]
        if len(forms) != 1:
            where = (*path, forms[1]) if len(forms) > 1 else path
            self.add("ASL101", where, "a Wait state has exactly one of Seconds, SecondsPath, Timestamp "
                     f"and TimestampPath (found: {', '.join(forms) or 'none'})")
        if "Seconds" in body and not _expression(body["Seconds"], language):
            value = body["Seconds"]
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= spec.MAX_INT):
                self.add("ASL101", (*path, "Seconds"), "Seconds must be a whole number of seconds (0 to "
                         f"{spec.MAX_INT})", "value")
        if "Timestamp" in body and not _expression(body["Timestamp"], language):
            value = body["Timestamp"]
            if not (isinstance(value, str) and _TIMESTAMP.match(value)):
                self.add("ASL101", (*path, "Timestamp"), "Timestamp must be an RFC 3339 timestamp "
                         "(2026-01-01T00:00:00Z)", "value")
        for name in ("SecondsPath", "TimestampPath"):
            if name in body and language != JSONATA:  # in JSONata, *Path is refused as a field
                if isinstance(body[name], str):
                    self.path(body[name], (*path, name), reference=True)
                else:
                    self.add("ASL101", (*path, name), f"{name} must be a reference path (a string)",
                             "value")

    def state_fail(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        for name in ("Error", "Cause"):
            if name in body and f"{name}Path" in body:
                self.add("ASL101", (*path, f"{name}Path"), f"a Fail state has {name} or {name}Path, "
                         "not both")
            if name in body and not isinstance(body[name], str):
                self.add("ASL101", (*path, name), f"{name} must be a string", "value")
            if f"{name}Path" not in body or language == JSONATA:  # in JSONata, *Path is refused
                continue
            value = body[f"{name}Path"]
            if not isinstance(value, str):
                self.add("ASL101", (*path, f"{name}Path"), f"{name}Path must be a path or a "
                         "string-returning intrinsic function (a string)", "value")
                continue
            problem = intrinsic_problem(value, string_only=True) if looks_intrinsic(value) \
                else path_problem(value)
            if problem:
                self.add("ASL106", (*path, f"{name}Path"), problem, "value")

    def state_parallel(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        branches = body.get("Branches")
        if not isinstance(branches, list) or not branches:
            self.add("ASL101", (*path, "Branches") if "Branches" in body else path,
                     "a Parallel state needs Branches: a list of one or more state machines")
        else:
            for i, branch in enumerate(branches):
                self.scope(branch, (*path, "Branches", i), spec.BRANCH, self.top_language, "branch")
        self.retry_catch(body, path, language, scope)

    def state_map(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        processors = [k for k in ("ItemProcessor", "Iterator") if k in body]
        if len(processors) != 1:
            self.add("ASL101", (*path, processors[1]) if len(processors) > 1 else path,
                     "a Map state has exactly one of ItemProcessor and Iterator")
        for key in processors:
            allowed = spec.PROCESSOR if key == "ItemProcessor" else spec.BRANCH
            self.scope(body[key], (*path, key), allowed, self.top_language, "item processor")
        self.static_or_path(body, path, "MaxConcurrency", language, _non_negative_int, "0 or more")
        self.static_or_path(body, path, "ToleratedFailureCount", language, _non_negative_int, "0 or more")
        self.static_or_path(body, path, "ToleratedFailurePercentage", language,
                            lambda v: _number(v) and 0 <= v <= 100, "a percentage (0 to 100)")
        if "ItemsPath" in body and language != JSONATA:
            if isinstance(body["ItemsPath"], str):
                self.path(body["ItemsPath"], (*path, "ItemsPath"), reference=True)
            else:
                self.add("ASL101", (*path, "ItemsPath"), "ItemsPath must be a reference path (a "
                         "string such as \"$.items\")", "value")
        if "ItemReader" in body:
            self.item_reader(body["ItemReader"], (*path, "ItemReader"))
        items = body.get("Items")
        if "Items" in body and language == JSONATA and not isinstance(items, list) and not (
                is_jsonata(items)):
            self.add("ASL101", (*path, "Items"), "Items must be an array or a {% %} expression", "value")
        if "Parameters" in body and "ItemSelector" in body:
            self.add("ASL101", (*path, "ItemSelector"), "a Map state has Parameters or ItemSelector (its "
                     "newer name), not both")
        if "Label" in body and not isinstance(body["Label"], str):
            self.add("ASL101", (*path, "Label"), "Label must be a string (it names the Map Run)", "value")
        if "ItemBatcher" in body and not isinstance(body["ItemBatcher"], dict):
            self.add("ASL101", (*path, "ItemBatcher"), "ItemBatcher must be an object (MaxItemsPerBatch, "
                     "MaxInputBytesPerBatch, BatchInput)", "value")
        elif "ItemBatcher" in body:
            for name in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
                self.static_or_path(body["ItemBatcher"], (*path, "ItemBatcher"), name, language,
                                    _non_negative_int, "0 or more")
        if "ResultWriter" in body:
            self.result_writer(body["ResultWriter"], (*path, "ResultWriter"))
        self.retry_catch(body, path, language, scope)

    def item_reader(self, reader: Any, path: tuple) -> None:
        if not isinstance(reader, dict):
            self.add("ASL101", path, "ItemReader must be an object with a Resource", "value")
            return
        if "Resource" not in reader:
            self.add("ASL101", path, "an ItemReader needs a Resource, e.g. "
                     "\"arn:aws:states:::s3:getObject\" or \"arn:aws:states:::s3:listObjectsV2\"")
        else:
            self.resource(reader["Resource"], (*path, "Resource"))
        self.s3_location(reader, path, "ItemReader", "the bucket and key to read")
        if "ReaderConfig" not in reader:
            return
        config = reader["ReaderConfig"]
        if not isinstance(config, dict):
            self.add("ASL101", (*path, "ReaderConfig"), "ReaderConfig must be an object", "value")
            return
        headers = config.get("CSVHeaders")
        if headers is not None and not (
                isinstance(headers, list) and all(isinstance(h, str) for h in headers)):
            self.add("ASL101", (*path, "ReaderConfig", "CSVHeaders"), "CSVHeaders must be a list of column "
                     "names (strings)", "value")
        for name, choices in spec.READER_CHOICES.items():
            value = config.get(name)
            if name in config and value not in choices and not (
                    is_jsonata(value)):
                self.add("ASL101", (*path, "ReaderConfig", name), f"{name} must be one of "
                         f"{', '.join(choices)}, not {json.dumps(value)}", "value")

    def result_writer(self, writer: Any, path: tuple) -> None:
        if not isinstance(writer, dict):
            self.add("ASL101", path, "ResultWriter must be an object", "value")
            return
        if "Resource" in writer:
            self.resource(writer["Resource"], (*path, "Resource"))
        elif "Parameters" in writer or "Arguments" in writer:
            self.add("ASL101", path, "a ResultWriter that writes to S3 needs a Resource: "
                     "\"arn:aws:states:::s3:putObject\"")
        self.s3_location(writer, path, "ResultWriter", "the bucket and prefix to write to")
        config = writer.get("WriterConfig")
        if "WriterConfig" in writer and not isinstance(config, dict):
            self.add("ASL101", (*path, "WriterConfig"), "WriterConfig must be an object", "value")
        elif isinstance(config, dict):
            where = (*path, "WriterConfig")
            if config.get("OutputType") not in ("JSON", "JSONL"):
                self.add("ASL101", where if "OutputType" not in config else (*where, "OutputType"),
                         "WriterConfig needs OutputType: JSON or JSONL")
            if "Transformation" in config and config["Transformation"] not in ("NONE", "COMPACT", "FLATTEN"):
                self.add("ASL101", (*where, "Transformation"), "Transformation must be NONE, COMPACT or "
                         "FLATTEN", "value")

    def s3_location(self, holder: dict, path: tuple, what: str, purpose: str) -> None:
        """An ItemReader's or ResultWriter's Parameters/Arguments: an object naming S3 places."""
        for name in ("Parameters", "Arguments"):
            value = holder.get(name)
            if name in holder and not isinstance(value, dict) and not (
                    is_jsonata(value)):
                self.add("ASL101", (*path, name), f"the {what}'s {name} must be an object ({purpose})",
                         "value")
            for field in ("Bucket", "Key", "Prefix"):
                if isinstance(value, dict) and field in value and not is_intrinsic(value[field]) and not (
                        isinstance(value[field], str) and value[field]):
                    self.add("ASL101", (*path, name, field), f"{field} must be a non-empty string",
                             "value")

    def static_or_path(self, body: dict, path: tuple, name: str, language: str, valid: Any,
                       needs: str, code: str = "ASL101", context: bool = False) -> None:
        """A field given as a value (``name``) or a reference path (``namePath``), not both.
        The path reads the state input; a Map's numbers cannot come from the context object
        (CreateStateMachine: "Value is not a Reference Path"), ``context`` allows it."""
        if name in body and f"{name}Path" in body:
            self.add(code, (*path, f"{name}Path"), f"{name} and {name}Path cannot both be set")
        if name in body and not _expression(body[name], language) and not valid(body[name]):
            self.add(code, (*path, name), f"{name} must be {needs}, not {json.dumps(body[name])}", "value")
        if f"{name}Path" in body and language != JSONATA:  # in JSONata, *Path is refused above
            value = body[f"{name}Path"]
            if isinstance(value, str):
                self.path(value, (*path, f"{name}Path"), reference=True, context=context)
            else:
                self.add(code, (*path, f"{name}Path"), f"{name}Path must be a reference path (a "
                         f"string such as \"$.{name[0].lower()}{name[1:]}\")", "value")

    # -- timeouts, retries and catchers ----------------------------------------------------
    def timeouts(self, body: dict, path: tuple, language: str) -> None:
        for name in ("TimeoutSeconds", "HeartbeatSeconds"):
            self.static_or_path(body, path, name, language, _positive_int,
                                "a positive whole number of seconds", "ASL110", context=True)
        timeout, heartbeat = body.get("TimeoutSeconds"), body.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and _positive_int(timeout) \
                and _positive_int(heartbeat) and heartbeat >= timeout:
            self.add("ASL110", (*path, "HeartbeatSeconds"), f"HeartbeatSeconds ({heartbeat}) must be "
                     f"smaller than TimeoutSeconds ({timeout})", "value")

    def retry_catch(self, body: dict, path: tuple, language: str, scope: dict) -> None:
        for key, fields in (("Retry", spec.RETRIER_FIELDS), ("Catch", spec.CATCHER_FIELDS)):
            if key not in body:
                continue
            items = body[key]
            if not isinstance(items, list):
                self.add("ASL108", (*path, key), f"{key} must be a list", "value")
                continue
            for i, item in enumerate(items):
                where = (*path, key, i)
                if not isinstance(item, dict):
                    self.add("ASL108", where, f"each {key} entry must be an object", "value")
                    continue
                for field in item:
                    if field not in fields:
                        self.add("ASL108", (*where, field), f"{field!r} is not a field of a "
                                 f"{'retrier' if key == 'Retry' else 'catcher'}")
                if "Comment" in item and not isinstance(item["Comment"], str):
                    self.add("ASL108", (*where, "Comment"), "Comment must be a string", "value")
                self.error_equals(item, where, last=i == len(items) - 1)
                if key == "Retry":
                    self.retrier(item, where)
                else:
                    self.catcher(item, where, language, scope)

    def error_equals(self, item: dict, path: tuple, last: bool) -> None:
        errors = item.get("ErrorEquals")
        if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
            self.add("ASL108", (*path, "ErrorEquals") if "ErrorEquals" in item else path,
                     "ErrorEquals must be a non-empty list of error names")
            return
        if "States.ALL" in errors and (len(errors) > 1 or not last):
            self.add("ASL108", (*path, "ErrorEquals", errors.index("States.ALL")),
                     "States.ALL must be alone in its ErrorEquals, in the last entry", "value")

    def retrier(self, item: dict, path: tuple) -> None:
        checks = {"IntervalSeconds": lambda v: _positive_int(v) and v <= spec.MAX_INT,
                  "MaxAttempts": lambda v: _non_negative_int(v) and v <= spec.MAX_INT,
                  "BackoffRate": lambda v: _number(v) and v >= 1.0,
                  "MaxDelaySeconds": lambda v: _positive_int(v) and v < spec.MAX_DELAY,
                  "JitterStrategy": lambda v: v in spec.JITTER}
        for name, valid in checks.items():
            if name in item and not valid(item[name]):
                self.add("ASL108", (*path, name), f"{name} has an invalid value: "
                         f"{json.dumps(item[name])}", "value")

    def catcher(self, item: dict, path: tuple, language: str, scope: dict) -> None:
        if "Next" not in item:
            self.add("ASL108", path, "a catcher needs Next")
        else:
            self.target(item["Next"], (*path, "Next"), scope)
        if "Assign" in item:
            self.assign(item["Assign"], (*path, "Assign"), language)
        if language == JSONATA:
            if "ResultPath" in item:
                self.add("ASL107", (*path, "ResultPath"), "ResultPath is a JSONPath field; this state "
                         "uses JSONata (use Output)")
        else:
            if "Output" in item:
                self.add("ASL107", (*path, "Output"), "Output is a JSONata field; this state uses JSONPath")
            self.result_path(item, path, "ASL108")

    def result_path(self, body: dict, path: tuple, code: str = "ASL101") -> None:
        """A state's or a catcher's ResultPath: a reference path into the input, or null."""
        value = body.get("ResultPath")
        if isinstance(value, str):
            self.path(value, (*path, "ResultPath"), reference=True, context=False, variables=False)
        elif value is not None:
            self.add(code, (*path, "ResultPath"), "ResultPath must be a path or null", "value")

    # -- expressions -------------------------------------------------------------------------
    def path(self, value: str, path: tuple, reference: bool = False, context: bool = True,
             variables: bool = True) -> None:
        problem = path_problem(value, reference, context, variables)
        if problem:
            self.add("ASL106", path, problem, "value")

    def jsonpath_values(self, body: dict, path: tuple, kind: str) -> None:
        for key in ("InputPath", "OutputPath"):
            value = body.get(key)
            if key in body and value is not None:
                if not isinstance(value, str):
                    self.add("ASL101", (*path, key), f"{key} must be a path or null", "value")
                else:
                    self.path(value, (*path, key))
        self.result_path(body, path)
        for key in ("Parameters", "ResultSelector", "ItemSelector", "Credentials"):
            if key in body:
                if key in ("ResultSelector", "ItemSelector") and body[key] is not None \
                        and not isinstance(body[key], dict):
                    self.add("ASL101", (*path, key), f"{key} must be an object", "value")
                else:  # Parameters may be any JSON value; Credentials is typed by state_task
                    self.payload(body[key], (*path, key))
        reader = body.get("ItemReader")
        if isinstance(reader, dict):
            if isinstance(reader.get("ReaderConfig"), dict):
                self.static_or_path(reader["ReaderConfig"], (*path, "ItemReader", "ReaderConfig"),
                                    "MaxItems", "JSONPath",
                                    lambda v: _non_negative_int(v) and v <= spec.MAX_ITEMS,
                                    f"0 to {spec.MAX_ITEMS}")
            if "Parameters" in reader:
                self.payload(reader["Parameters"], (*path, "ItemReader", "Parameters"))

    def payload(self, value: Any, path: tuple) -> None:
        """A JSONPath payload template: every ``Key.$`` value is a path or intrinsic call."""
        if isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and key.endswith(".$") and key[:-2] in value:
                    self.add("ASL101", (*path, key), f"{key[:-2]!r} is given twice ({key[:-2]} and "
                             f"{key}): the .$ suffix is dropped when the template is evaluated")
            for key, item in value.items():
                if isinstance(key, str) and key.endswith(".$"):
                    if not isinstance(item, str):
                        self.add("ASL106", (*path, key), f"{key!r} ends in .$, so its value must be a "
                                 "path or intrinsic function (a string)", "value")
                    elif problem := payload_problem(item):
                        self.add("ASL106", (*path, key), problem, "value")
                else:
                    self.payload(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.payload(item, (*path, i))

    def assign(self, value: Any, path: tuple, language: str) -> None:
        if not isinstance(value, dict):
            self.add("ASL101", path, "Assign must be an object of variable names and values "
                     "(in JSONata, each value may be a {% %} expression)", "value")
        elif language != JSONATA:
            self.payload(value, path)

    def jsonata_values(self, body: dict, path: tuple) -> None:
        arguments = body.get("Arguments")
        if "Arguments" in body and _integration(body.get("Resource")) and not isinstance(arguments, dict) \
                and not (is_jsonata(arguments)):
            self.add("ASL101", (*path, "Arguments"), "a service integration's Arguments are its API "
                     "request: an object or a {% %} expression", "value")
        skip = {"Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Resource", "Choices",
                "Branches", "ItemProcessor", "Iterator", "Catch"}
        for key, value in body.items():
            if key not in skip:
                self.jsonata(value, (*path, key))
        for i, choice in enumerate(_list(body.get("Choices"))):
            if isinstance(choice, dict):
                for key in ("Condition", "Output", "Assign"):
                    if key in choice:
                        self.jsonata(choice[key], (*path, "Choices", i, key))
        for i, catcher in enumerate(_list(body.get("Catch"))):
            if isinstance(catcher, dict):
                for key in ("Output", "Assign"):
                    if key in catcher:
                        self.jsonata(catcher[key], (*path, "Catch", i, key), catcher=True)

    def jsonata(self, value: Any, path: tuple, catcher: bool = False) -> None:
        """Every ``{% %}`` string in a JSONata state's value parses and reads nothing that
        CreateStateMachine refuses: no input document, and ``$states.errorOutput`` only in a
        ``catcher``'s fields; a ``Key.$`` is JSONPath."""
        if isinstance(value, str):
            if len(value) > MAX_JSONATA + 4:
                self.add(NOT_CHECKED, path, f"this JSONata expression is {len(value):,} characters long, "
                         f"over the {MAX_JSONATA:,} policylint parses: it was not checked", "value")
            elif value.startswith("{%") or value.endswith("%}"):
                problem = jsonata_problem(value) or _unavailable_read(value, catcher)
                if problem:
                    self.add("ASL107", path, problem, "value")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and key.endswith(".$") and path[-1] in ("Arguments", "Output"):
                    self.add("ASL107", (*path, key), f"{key!r}: .$ keys are JSONPath; in JSONata write "
                             "the value as {% expression %}")
                self.jsonata(item, (*path, key), catcher)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.jsonata(item, (*path, i), catcher)


def _unavailable_read(text: str, catcher: bool) -> str | None:
    """Why a parsed JSONata string reads what Step Functions does not offer in its field."""
    reads = jsonata_reads(text)
    if "$$" in reads.top_level:
        return "$$ is not available in Step Functions JSONata: read $states.input or $states.context"
    if reads.top_level:
        name = reads.top_level[0]
        where = "$states.input" + (f".{name}" if name.isidentifier() else "")
        return (f"{name!r} at the top level of the expression reads an input document, which Step "
                f"Functions does not provide: read {where}")
    if "errorOutput" in reads.states and not catcher:
        return "$states.errorOutput is only available in a catcher's Output and Assign"
    return None


def _integration(resource: Any) -> bool:
    """A Task resource that is an AWS service integration (its arguments are an API request)."""
    return isinstance(resource, str) and bool(re.match(r"arn:aws[\w-]*:states:::", resource))


def _targets(body: Any) -> Iterator[str]:
    if not isinstance(body, dict):
        return
    for key in ("Next", "Default"):
        if isinstance(body.get(key), str):
            yield body[key]
    for key in ("Choices", "Catch"):
        for item in _list(body.get(key)):
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                yield item["Next"]


def _list(value: Any) -> list:
    """``value`` if it is a list, else nothing to walk (its type is reported on its own)."""
    return value if isinstance(value, list) else []


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _expression(value: Any, language: str) -> bool:
    """A value only known at run or deploy time: a JSONata expression, or a whole ``${Name}``
    that a template substitutes (``Seconds: ${Timeout}``)."""
    if not isinstance(value, str):
        return False
    return (language == JSONATA and value.startswith("{%")) or bool(PLACEHOLDER.fullmatch(value))


_PROBLEMS: WeakKeyDictionary[Document, list[Problem] | None] = WeakKeyDictionary()


def problems(document: Document) -> list[Problem]:
    """Every ASL problem of a definition, found in one walk (and kept while the document
    lives). A definition too deep to walk raises RecursionError, at once after the first time."""
    if document not in _PROBLEMS:
        try:
            _PROBLEMS[document] = Validator(document).run() if isinstance(document.data, dict) else []
        except RecursionError:
            _PROBLEMS[document] = None
    found = _PROBLEMS[document]
    if found is None:
        raise RecursionError("the definition nests too deeply to be validated")
    return found


def _report(ctx: Context, code: str) -> Iterator[Finding]:
    for problem_code, path, message, at in problems(ctx.document):
        if problem_code == code:
            yield Finding(ctx.document, path, message, at)
        elif problem_code == NOT_CHECKED and code == "ASL107":  # not checked by ASL107
            yield Finding(ctx.document, path, message, at, code=NOT_CHECKED)


@rule("ASL101", "invalid-field", Severity.ERROR, summary="Unknown, missing or mistyped field", kinds=("asl",))
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


@rule("ASL102", "missing-target", Severity.ERROR, summary="StartAt / Next / Default names no state",
      kinds=("asl",))
def missing_target(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a StartAt, Next, Default, Choice rule Next or Catch Next that
    names no state of its scope (a branch or Map processor is a scope of its own).

    Why is this bad? The definition is rejected: there is no state to go to.

    Example: `"Next": "Notify"` when the state is called `"NotifyUser"`.

    Use instead: the exact name of a state in the same States object."""
    yield from _report(ctx, "ASL102")


@rule("ASL103", "unreachable-state", Severity.WARNING, summary="A state no path reaches", kinds=("asl",))
def unreachable_state(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state that no StartAt, Next, Default, Choice rule or Catch
    leads to.

    Why is this bad? Dead code in a workflow: usually a renamed target or a forgotten
    transition, so the path you meant never runs. Step Functions rejects it too.

    Example: a `HandleError` state that no Catch names.

    Use instead: route to it (`"Catch": [{"ErrorEquals": ["States.ALL"], "Next":
    "HandleError"}]`) or delete it."""
    yield from _report(ctx, "ASL103")


@rule("ASL104", "no-terminal-state", Severity.ERROR, summary="A States scope has no End/Succeed/Fail",
      kinds=("asl",))
def no_terminal_state(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state machine, branch or Map processor with no state that ends
    it (`"End": true`, a Succeed or a Fail state).

    Why is this bad? The definition is rejected; if it were not, executions could never end.

    Example: two states that name each other in Next and nothing else.

    Use instead: `"End": true` on the last state, or a Succeed/Fail state."""
    yield from _report(ctx, "ASL104")


@rule("ASL105", "duplicate-state-name", Severity.ERROR, summary="A state name is used twice", kinds=("asl",))
def duplicate_state_name(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state name used twice anywhere in the state machine, nested
    Parallel branches and Map processors included; and, in JSON, a key written twice in one
    object (the parser keeps only the last).

    Why is this bad? State names are unique across the whole state machine: the definition
    is rejected. A duplicated key silently drops the first value.

    Example: a `Process` state at the top and another `Process` inside a Map.

    Use instead: distinct names (`ProcessBatch`, `ProcessItem`)."""
    yield from _report(ctx, "ASL105")
    yield from duplicate_keys(ctx.document)


@rule("ASL106", "invalid-path", Severity.ERROR,
      summary="Bad JSONPath, reference path, context path or intrinsic function", kinds=("asl",))
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


@rule("ASL107", "invalid-jsonata", Severity.ERROR,
      summary="Bad JSONata expression, or fields of the other query language", kinds=("asl",))
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


@rule("ASL108", "invalid-retry-catch", Severity.ERROR, summary="Malformed Retry or Catch", kinds=("asl",))
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


@rule("ASL109", "invalid-choice-rule", Severity.ERROR, summary="Malformed Choice rule or comparison",
      kinds=("asl",))
def invalid_choice_rule(ctx: Context) -> Iterator[Finding]:
    """What it does: checks Choice rules: exactly one comparison (with a Variable), And, Or
    or Not per rule; the value type each operator compares with; paths in *Path operators;
    Next on top-level rules only; Condition in JSONata.

    Why is this bad? The definition is rejected, or the branch is never taken.

    Example: `{"Variable": "$.total", "NumericGreaterThan": "100", "Next": "Big"}`.

    Use instead: `{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Big"}`."""
    yield from _report(ctx, "ASL109")


@rule("ASL110", "invalid-timeout", Severity.ERROR, summary="Bad TimeoutSeconds or HeartbeatSeconds",
      kinds=("asl",))
def invalid_timeout(ctx: Context) -> Iterator[Finding]:
    """What it does: flags TimeoutSeconds or HeartbeatSeconds that are not positive whole
    numbers, a heartbeat not shorter than the timeout, and a static value together with its
    *Path form.

    Why is this bad? The definition is rejected, or the task times out on its first
    heartbeat.

    Example: `"TimeoutSeconds": 60, "HeartbeatSeconds": 60`.

    Use instead: `"TimeoutSeconds": 600, "HeartbeatSeconds": 60`."""
    yield from _report(ctx, "ASL110")


@rule("ASL111", "resource-not-arn", Severity.ERROR, summary="A Task Resource that is not an ARN",
      kinds=("asl",))
def resource_not_arn(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a Task (or Map ItemReader / ResultWriter) Resource whose value,
    with template placeholders substituted, is not an ARN.

    Why is this bad? CreateStateMachine rejects the definition ("Value is not a valid
    resource ARN").

    Example: `"Resource": "invokeHarness"`, `"Resource": "my-function"`.

    Use instead: `arn:aws:states:::bedrockagentcore:invokeHarness` for an integration, or the
    ARN of a Lambda function or activity."""
    yield from _report(ctx, "ASL111")


@rule("ASL112", "undefined-placeholder", Severity.ERROR,
      summary="A ${X} placeholder that no DefinitionSubstitutions or Fn::Sub variable defines",
      kinds=("asl",))
def undefined_placeholder(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a `${X}` placeholder in a template's state machine `Definition`
    that neither DefinitionSubstitutions nor a template variable defines.

    Why is this bad? CloudFormation deploys the text as written: the state calls a resource
    literally named `${X}` and fails, or the definition is rejected.

    Example: `"Resource": "${ProcessFunctionArn}"` with DefinitionSubstitutions naming only
    `ProcessFunction`.

    Use instead: add the name to DefinitionSubstitutions (`ProcessFunctionArn: !GetAtt
    ProcessFunction.Arn`), or fix the spelling."""
    yield from _report(ctx, "ASL112")


@rule("ASL113", "state-name-too-long", Severity.ERROR, summary="A state name over 80 characters",
      kinds=("asl",))
def state_name_too_long(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a state name longer than 80 characters.

    Why is this bad? CreateStateMachine rejects the definition: state names are at most 80
    characters.

    Example: a state named after the sentence that describes it.

    Use instead: a short name; put the description in the state's `Comment`."""
    yield from _report(ctx, "ASL113")


def duplicate_keys(document: Document) -> Iterator[Finding]:
    """Keys written twice in one JSON object of a standalone definition."""
    source = document.source
    if document.root or not source.path.lower().endswith(".json") or not source.text:
        return
    if len(_KEY.findall(source.text)) == _keys(document.data):
        return  # as many keys written as read: none was written twice
    try:
        json.loads(source.text, object_pairs_hook=_refuse_duplicates)
    except _Duplicate:
        pass
    else:
        return
    import yaml

    from policylint.source import yaml_loader

    stack = [yaml.compose(source.text, Loader=yaml_loader())]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    yield Finding(document, (), f"key {key.value!r} is written twice in this object; "
                                  "only the last one counts", position=source.position_of_index(
                                      key.start_mark.index))
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


_KEY = re.compile(r'"\s*:')


def _keys(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


class _Duplicate(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Duplicate()
    return dict(pairs)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
