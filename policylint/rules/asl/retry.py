"""Errors and time: Retry and Catch (ASL108), TimeoutSeconds and HeartbeatSeconds (ASL110)."""
from __future__ import annotations

import json
from typing import Any

from policylint.models.asl import JSONATA, State
from policylint.rules.asl import spec


class RetryCatch:
    """Checks on how a state fails, retries and times out."""

    add: Any
    assign: Any
    result_path: Any
    static_or_path: Any
    target: Any

    def timeouts(self, state: State) -> None:
        body, path = state.body, state.path
        for name in ("TimeoutSeconds", "HeartbeatSeconds"):
            for where, message, at in self.static_or_path(body, path, name, state.query_language,
                                                          spec.is_positive_int,
                                                          "a positive whole number of seconds", context=True):
                self.add("ASL110", where, message, at)
        timeout, heartbeat = body.get("TimeoutSeconds"), body.get("HeartbeatSeconds")
        if spec.is_positive_int(timeout) and spec.is_positive_int(heartbeat) and heartbeat >= timeout:
            self.add("ASL110", (*path, "HeartbeatSeconds"), f"HeartbeatSeconds ({heartbeat}) must be "
                     f"smaller than TimeoutSeconds ({timeout})", "value")

    def retry_catch(self, state: State) -> None:
        body, path = state.body, state.path
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
                    self.catcher(item, where, state)

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
        checks = {"IntervalSeconds": lambda v: spec.is_positive_int(v) and v <= spec.MAX_INT,
                  "MaxAttempts": lambda v: spec.is_non_negative_int(v) and v <= spec.MAX_INT,
                  "BackoffRate": lambda v: spec.is_number(v) and v >= 1.0,
                  "MaxDelaySeconds": lambda v: spec.is_positive_int(v) and v < spec.MAX_DELAY,
                  "JitterStrategy": lambda v: v in spec.JITTER}
        for name, valid in checks.items():
            if name in item and not valid(item[name]):
                self.add("ASL108", (*path, name), f"{name} has an invalid value: "
                         f"{json.dumps(item[name])}", "value")

    def catcher(self, item: dict, path: tuple, state: State) -> None:
        if "Next" not in item:
            self.add("ASL108", path, "a catcher needs Next")
        else:
            self.target(item["Next"], (*path, "Next"), state.siblings)
        if "Assign" in item:
            self.assign(item["Assign"], (*path, "Assign"), state.query_language)
        if state.query_language == JSONATA:
            if "ResultPath" in item:
                self.add("ASL107", (*path, "ResultPath"), "ResultPath is a JSONPath field; this state "
                         "uses JSONata (use Output)")
        else:
            if "Output" in item:
                self.add("ASL107", (*path, "Output"), "Output is a JSONata field; this state uses JSONPath")
            if not self.result_path(item, path):
                self.add("ASL108", (*path, "ResultPath"), "ResultPath must be a path or null", "value")
