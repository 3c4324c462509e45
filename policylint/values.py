"""The small tests on a value that every layer asks, each written once: a CloudFormation
intrinsic, a template's ``${Name}`` placeholder, a Step Functions JSONata string."""
from __future__ import annotations

import re
from typing import Any

# A ${Name}: a Fn::Sub variable, a DefinitionSubstitutions key, an IAM policy variable, a
# Serverless variable. Group 1 is the name.
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def is_intrinsic_key(key: Any) -> bool:
    """``Ref`` or ``Fn::...``: the key of a CloudFormation intrinsic function."""
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def is_intrinsic(value: Any) -> bool:
    """A CloudFormation value computed at deployment: ``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``."""
    return isinstance(value, dict) and len(value) == 1 and is_intrinsic_key(next(iter(value)))


def is_jsonata(value: Any) -> bool:
    """A JSONata expression as Step Functions reads one: a string that starts with ``{%`` and
    ends with ``%}``, with nothing before or after (anything else is a literal string)."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


class Unknown(dict):
    """Substitutions where every ``${...}`` is a variable known at deploy time (Serverless,
    Terraform), except those given (a Terraform ``templatefile``'s literal variables)."""

    def __contains__(self, key: object) -> bool:
        return True

    def get(self, key: Any, default: Any = None) -> Any:
        return dict.get(self, key)
