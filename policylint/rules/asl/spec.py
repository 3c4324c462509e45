"""The Amazon States Language, as data: which fields each state type allows in each query
language, and the values some of them take. Read by the ASL1xx checks beside this module.

cfn-lint ships a state machine schema (``cfnlint/data/schemas/other/step_functions``); it is
not used here because it disagrees with the Step Functions Developer Guide on the fields of
six state types (``tests/rules/test_asl_spec.py`` pins the differences, so a cfn-lint that
fixes them is noticed). It allows ``Next``/``End`` on Choice (the guide: a Choice state has
no End, its rules carry Next); ``Arguments`` on Pass, Wait, Choice, Fail and Map (the guide and
CDK's *JsonataProps give them Output and Assign, Map Items and ItemSelector; Fail neither);
``InputPath``/``OutputPath``/``Output`` on Fail (it takes no input or output fields). It
refuses ``InputPath``/``OutputPath`` and ``QueryLanguage`` on Succeed and ``Parameters`` on
Parallel, which the guide documents.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any, TypeGuard

from policylint.models.asl import JSONATA, QUERY_LANGUAGES  # noqa: F401  (the language's names)
from policylint.values import PLACEHOLDER

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
COMMON = {"Type", "Comment", "QueryLanguage"}
FLOW = {"Next", "End"}
IO = {"InputPath", "OutputPath"}
# Fields only JSONPath states have, and fields only JSONata states have.
JSONPATH_ONLY = {"InputPath", "OutputPath", "Parameters", "ResultPath", "ResultSelector", "ItemsPath",
                 "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath",
                 "ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailurePercentagePath",
                 "ToleratedFailureCountPath"}
JSONATA_ONLY = {"Arguments", "Output", "Items"}

FIELDS: dict[str, set[str]] = {
    "Pass": FLOW | IO | {"Parameters", "Result", "ResultPath", "Assign", "Output"},
    "Task": FLOW | IO | {"Resource", "Parameters", "Arguments", "ResultPath", "ResultSelector", "Output",
                         "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                         "HeartbeatSecondsPath", "Credentials", "Assign"},
    "Choice": IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": FLOW | IO | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
    "Succeed": IO | {"Output"},
    "Fail": {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": FLOW | IO | {"Branches", "Parameters", "Arguments", "ResultPath", "ResultSelector", "Output",
                             "Retry", "Catch", "Assign"},
    "Map": FLOW | IO | {"ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters",
                        "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
                        "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
                        "ToleratedFailureCount", "ToleratedFailureCountPath", "ResultPath",
                        "ResultSelector", "Output", "Retry", "Catch", "Label", "Assign"},
}
TOP_LEVEL = {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
BRANCH = {"Comment", "StartAt", "States"}
PROCESSOR = {"Comment", "StartAt", "States", "ProcessorConfig"}
PROCESSOR_MODES = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES = ("STANDARD", "EXPRESS")
# ItemReader.ReaderConfig values with a fixed set (Step Functions guide, "ItemReader (Map)")
READER_CHOICES = {"InputType": ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"),
                  "CSVHeaderLocation": ("FIRST_ROW", "GIVEN")}
TERMINAL_TYPES = ("Succeed", "Fail")
NO_TRANSITION = ("Choice", "Succeed", "Fail")  # neither Next nor End

RETRIER_FIELDS = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                  "JitterStrategy", "Comment"}
CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment"}
JITTER = ("FULL", "NONE")
MAX_INT = 99999999
MAX_ITEMS = 100_000_000  # ItemReader.ReaderConfig.MaxItems
MAX_DELAY = 31622400

# Choice rules (JSONPath): the comparison operators and the JSON type each compares with.
COMPARISONS: dict[str, str] = {
    **{f"String{op}": "string" for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals",
                                           "GreaterThanEquals", "Matches")},
    **{f"Numeric{op}": "number" for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals",
                                            "GreaterThanEquals")},
    "BooleanEquals": "boolean",
    **{f"Timestamp{op}": "timestamp" for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals",
                                                 "GreaterThanEquals")},
    **{f"Is{kind}": "boolean" for kind in ("Null", "Present", "Numeric", "String", "Boolean", "Timestamp")},
}
PATH_COMPARISONS = {f"{name}Path" for name in COMPARISONS
                    if not name.startswith("Is") and name != "StringMatches"}
CHOICE_RULE_FIELDS = {"Variable", "Next", "And", "Or", "Not", "Comment", "Assign", "Output", "Condition"}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_positive_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def is_non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@cache
def _timestamp() -> re.Pattern[str]:
    return re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$")


def is_timestamp(value: Any) -> bool:
    """An RFC 3339 timestamp, as Wait's Timestamp and the Timestamp comparisons take."""
    return isinstance(value, str) and bool(_timestamp().match(value))


def is_dynamic(value: Any, language: str) -> bool:
    """A value only known at run or deploy time: a JSONata expression, or a whole ``${Name}``
    that a template substitutes (``Seconds: ${Timeout}``)."""
    if not isinstance(value, str):
        return False
    return (language == JSONATA and value.startswith("{%")) or bool(PLACEHOLDER.fullmatch(value))


def as_list(value: Any) -> list:
    """``value`` if it is a list, else nothing to walk (its type is reported on its own)."""
    return value if isinstance(value, list) else []
