"""Structure and types: every field is one the ASL has there, required fields are present,
values have their type (ASL101); a Task Resource is an ARN (ASL111); state names are unique
(ASL105) and at most 80 characters (ASL113). (An undefined ``${X}`` is ASL112: placeholders.py.)"""
from __future__ import annotations

import json
import re
from typing import Any

from policylint.models.asl import JSONATA, Entry, Scope, State
from policylint.rules.asl import spec
from policylint.values import PLACEHOLDER, is_intrinsic, is_jsonata

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[A-Za-z0-9-]+:[A-Za-z0-9\-_.]+"
                  r"(?::(?:\$LATEST|[A-Za-z0-9\-_.]+))*$")
MAX_NAME = 80
_SCOPE_FIELDS = {None: spec.TOP_LEVEL, "Branches": spec.BRANCH, "Iterator": spec.BRANCH,
                 "ItemProcessor": spec.PROCESSOR}


class Structure:
    """Checks on the shape of the machine, its scopes and its states."""

    add: Any
    document: Any
    names: dict[str, tuple]
    language: Any
    language_fields: Any
    static_or_path: Any
    path: Any
    string_path: Any

    # -- scopes: the machine, Parallel branches, Map processors ------------------------
    def scope(self, scope: Scope) -> None:
        data, path, what = scope.data, scope.path, scope.what
        if not isinstance(data, dict):
            self.add("ASL101", path, f"the {what} must be an object with StartAt and States", "value")
            return
        allowed = _SCOPE_FIELDS[scope.key]
        for key in data:
            if key not in allowed:
                article = "an" if what[0] in "aeiou" else "a"
                self.add("ASL101", (*path, key), f"{key!r} is not a field of {article} {what}")
        if not path:
            self.top_fields(data)
        if "ProcessorConfig" in data:
            self.processor_config(data["ProcessorConfig"], (*path, "ProcessorConfig"))
        states = data.get("States")
        if "States" not in data or not isinstance(states, dict) or not states:
            where = (*path, "States") if "States" in data else path
            self.add("ASL101", where, f"the {what} needs States: an object of one or more states")
        if "StartAt" not in data:
            self.add("ASL101", path, f"the {what} has no StartAt")
        elif not isinstance(data["StartAt"], str):
            self.add("ASL101", (*path, "StartAt"), "StartAt must be a state name", "value")

    def top_fields(self, data: dict) -> None:
        language = data.get("QueryLanguage")
        if "QueryLanguage" in data and language not in spec.QUERY_LANGUAGES:
            self.add("ASL101", ("QueryLanguage",), f"QueryLanguage must be JSONPath or JSONata, not "
                     f"{language!r}", "value")
        if "TimeoutSeconds" in data and not spec.is_positive_int(data["TimeoutSeconds"]):
            self.add("ASL110", ("TimeoutSeconds",), "TimeoutSeconds must be a positive integer", "value")
        for key in ("Comment", "Version"):
            if key in data and not isinstance(data[key], str):
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

    # -- states ------------------------------------------------------------------------
    def entry(self, entry: Entry) -> State | None:
        """A name and its body: the state to check further, or None when it cannot be."""
        name, path = entry.name, entry.path
        if len(name) > MAX_NAME:
            self.add("ASL113", path, f"state names are at most {MAX_NAME} characters; this one has "
                     f"{len(name)}")
        if name in self.names:
            self.add("ASL105", path, f"state name {name!r} is already used (names are unique across "
                     "the whole state machine, nested branches included)")
        self.names.setdefault(name, path)
        state = entry.state
        if state is None:
            self.add("ASL101", path, f"state {name!r} must be an object", "value")
            return None
        self.language(state, path)
        kind = state.type
        if "Type" not in state.body:
            self.add("ASL101", path, f"state {name!r} has no Type")
            return None
        if not isinstance(kind, str) or kind not in spec.STATE_TYPES:
            self.add("ASL101", (*path, "Type"), f"Type must be one of {', '.join(spec.STATE_TYPES)}, "
                     f"not {kind!r}", "value")
            return None
        self.fields(state, kind)
        return state

    def fields(self, state: State, kind: str) -> None:
        allowed = spec.FIELDS[kind]
        for key in state.body:
            if key in spec.COMMON:
                if key == "Comment" and not isinstance(state.body[key], str):
                    self.add("ASL101", (*state.path, key), "Comment must be a string", "value")
            elif key not in allowed:
                self.add("ASL101", (*state.path, key), f"{key!r} is not a field of a {kind} state")
        self.language_fields(state, allowed)

    # -- state types ---------------------------------------------------------------------
    def state_task(self, state: State) -> None:
        body, path = state.body, state.path
        if "Resource" not in body:
            self.add("ASL101", path, "a Task state needs a Resource")
        else:
            self.resource(body["Resource"], (*path, "Resource"))
        credentials = body.get("Credentials")
        if "Credentials" in body and not isinstance(credentials, dict) and not (
                state.query_language == JSONATA and is_jsonata(credentials)):
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
        literal = self.document.literal(value)
        if literal is not None and not _ARN.match(literal):
            self.add("ASL111", path, f"Resource {literal!r} is not an ARN: write "
                     "arn:aws:states:::SERVICE:ACTION for an integration, or the ARN of a Lambda "
                     "function or activity", "value")

    def state_wait(self, state: State) -> None:
        body, path, language = state.body, state.path, state.query_language
        forms = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in body]
        if len(forms) != 1:
            where = (*path, forms[1]) if len(forms) > 1 else path
            self.add("ASL101", where, "a Wait state has exactly one of Seconds, SecondsPath, Timestamp "
                     f"and TimestampPath (found: {', '.join(forms) or 'none'})")
        if "Seconds" in body and not spec.is_dynamic(body["Seconds"], language):
            value = body["Seconds"]
            if not (spec.is_non_negative_int(value) and value <= spec.MAX_INT):
                self.add("ASL101", (*path, "Seconds"), "Seconds must be a whole number of seconds (0 to "
                         f"{spec.MAX_INT})", "value")
        if "Timestamp" in body and not spec.is_dynamic(body["Timestamp"], language) \
                and not spec.is_timestamp(body["Timestamp"]):
            self.add("ASL101", (*path, "Timestamp"), "Timestamp must be an RFC 3339 timestamp "
                     "(2026-01-01T00:00:00Z)", "value")
        for name in ("SecondsPath", "TimestampPath"):
            if name in body and language != JSONATA:  # in JSONata, *Path is refused as a field
                if isinstance(body[name], str):
                    self.path(body[name], (*path, name), reference=True)
                else:
                    self.add("ASL101", (*path, name), f"{name} must be a reference path (a string)",
                             "value")

    def state_fail(self, state: State) -> None:
        body, path = state.body, state.path
        for name in ("Error", "Cause"):
            if name in body and f"{name}Path" in body:
                self.add("ASL101", (*path, f"{name}Path"), f"a Fail state has {name} or {name}Path, "
                         "not both")
            if name in body and not isinstance(body[name], str):
                self.add("ASL101", (*path, name), f"{name} must be a string", "value")
            if f"{name}Path" not in body or state.query_language == JSONATA:  # JSONata refuses *Path
                continue
            value = body[f"{name}Path"]
            if not isinstance(value, str):
                self.add("ASL101", (*path, f"{name}Path"), f"{name}Path must be a path or a "
                         "string-returning intrinsic function (a string)", "value")
            else:
                self.string_path(value, (*path, f"{name}Path"))

    def state_parallel(self, state: State) -> None:
        branches = state.body.get("Branches")
        if not isinstance(branches, list) or not branches:
            self.add("ASL101", (*state.path, "Branches") if "Branches" in state.body else state.path,
                     "a Parallel state needs Branches: a list of one or more state machines")

    def state_map(self, state: State) -> None:
        body, path, language = state.body, state.path, state.query_language
        processors = [k for k in ("ItemProcessor", "Iterator") if k in body]
        if len(processors) != 1:
            self.add("ASL101", (*path, processors[1]) if len(processors) > 1 else path,
                     "a Map state has exactly one of ItemProcessor and Iterator")
        numbers = [("MaxConcurrency", spec.is_non_negative_int, "0 or more"),
                   ("ToleratedFailureCount", spec.is_non_negative_int, "0 or more"),
                   ("ToleratedFailurePercentage", lambda v: spec.is_number(v) and 0 <= v <= 100,
                    "a percentage (0 to 100)")]
        for name, valid, needs in numbers:
            for where, message, at in self.static_or_path(body, path, name, language, valid, needs):
                self.add("ASL101", where, message, at)
        if "ItemsPath" in body and language != JSONATA:
            if isinstance(body["ItemsPath"], str):
                self.path(body["ItemsPath"], (*path, "ItemsPath"), reference=True)
            else:
                self.add("ASL101", (*path, "ItemsPath"), "ItemsPath must be a reference path (a "
                         "string such as \"$.items\")", "value")
        if "ItemReader" in body:
            self.item_reader(body["ItemReader"], (*path, "ItemReader"))
        items = body.get("Items")
        if "Items" in body and language == JSONATA and not isinstance(items, list) and not is_jsonata(items):
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
                for where, message, at in self.static_or_path(body["ItemBatcher"], (*path, "ItemBatcher"),
                                                              name, language, spec.is_non_negative_int,
                                                              "0 or more"):
                    self.add("ASL101", where, message, at)
        if "ResultWriter" in body:
            self.result_writer(body["ResultWriter"], (*path, "ResultWriter"))

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
            if name in config and value not in choices and not is_jsonata(value):
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
            if name in holder and not isinstance(value, dict) and not is_jsonata(value):
                self.add("ASL101", (*path, name), f"the {what}'s {name} must be an object ({purpose})",
                         "value")
            for field in ("Bucket", "Key", "Prefix"):
                if isinstance(value, dict) and field in value and not is_intrinsic(value[field]) and not (
                        isinstance(value[field], str) and value[field]):
                    self.add("ASL101", (*path, name, field), f"{field} must be a non-empty string",
                             "value")
