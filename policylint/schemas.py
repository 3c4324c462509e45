"""Resource schemas: the CloudFormation resource schemas shipped with cfn-lint (the harness's,
and those Terraform's AgentCore arguments are named by), and the harness's API shape derived
from botocore (``policylint/data/harness-api.schema.json``). Loaded lazily."""
from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from policylint.models.harness import CFN, Harness
from policylint.values import is_intrinsic

_API_SCHEMA = Path(__file__).with_name("data") / "harness-api.schema.json"
CFN_TYPE = "AWS::BedrockAgentCore::Harness"


@lru_cache(maxsize=8)
def cloudformation_schema(type_name: str = CFN_TYPE) -> dict[str, Any]:
    """The resource provider schema of ``type_name`` (the harness unless told), as cfn-lint
    ships it."""
    from policylint.catalog import cfn_lint_data

    folder = Path(cfn_lint_data()) / "schemas"
    names = json.loads((folder / "providers" / "us-east-1.json").read_text(encoding="utf-8"))
    return json.loads((folder / "resources" / f"{names[type_name]}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=3)
def _validator(operation: str) -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(inlined(schema(operation)))


def schema(operation: str) -> dict[str, Any]:
    """The JSON schema a harness of ``operation`` (see ``operation``) is validated against."""
    if operation == CFN_TYPE:
        found = dict(cloudformation_schema())
        read_only = {p.split("/")[-1] for p in found.get("readOnlyProperties", ()) if p.count("/") == 2}
        found["properties"] = {k: v for k, v in found["properties"].items() if k not in read_only}
        return found
    api = json.loads(_API_SCHEMA.read_text(encoding="utf-8"))
    return {**api["roots"][operation], "definitions": api["definitions"]}


_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})  # hold values, not schemas


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each ``$ref`` to one of its ``definitions`` replaced by that definition
    (a recursive one stays a ``$ref``): jsonschema descends without resolving references, a
    quarter faster, and finds the same errors (Draft 7 ignores a ``$ref``'s siblings)."""
    definitions = schema.get("definitions", {})

    def inline(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/definitions/")
            if name != ref and name in definitions and name not in seen and not {"/", "~", "%"} & set(name):
                return inline(definitions[name], seen | {name})
            return node
        return {key: value if key in _DATA_KEYWORDS else inline(value, seen) for key, value in node.items()}

    return {key: value if key == "definitions" else inline(value, frozenset())
            for key, value in schema.items()}


def operation(harness: Harness) -> str:
    """Which shape the document has: the CloudFormation resource, or an API call's."""
    if harness.form == CFN:
        return CFN_TYPE
    if harness.document.root == ("harness",):
        return "GetHarness"
    return "UpdateHarness" if "harnessId" in harness.document.data else "CreateHarness"


def violations(harness: Harness) -> Iterator[tuple[tuple, str, str]]:
    """(path, at, message) for each way the harness breaks its schema. Values computed by
    CloudFormation (``!Ref``, ``!GetAtt``, ``{{resolve:...}}``) are not judged."""
    shape = operation(harness)
    for error in _validator(shape).iter_errors(harness.document.data):
        path = tuple(error.absolute_path)
        if _computed(harness.document.data, path) or _computed_value(error.instance):
            continue
        if shape == "GetHarness" and error.validator == "required" and not path:
            continue  # a saved response may leave out what the service fills in
        where = _dotted(path) or "the harness"
        if error.validator == "additionalProperties":
            extras = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for extra in extras:
                yield (*path, extra), "key", f"unknown field {extra!r} in {where}"
        elif error.validator == "required":
            yield path, "key", f"{where}: {error.message}"
        elif error.validator in ("minProperties", "maxProperties", "oneOf"):
            options = ", ".join(sorted(error.schema.get("properties", {}))) or "the documented variants"
            yield path, "key", f"{where} must set exactly one of: {options}"
        else:
            yield path, "value", f"{where}: {_message(error)}"


def _message(error: Any) -> str:
    """jsonschema's message, with a list or object it starts with (a block of variables,
    headers) named instead of printed whole."""
    shown = repr(error.instance)
    if isinstance(error.instance, (dict, list)) and error.message.startswith(shown):
        return f"the {'list' if isinstance(error.instance, list) else 'object'}{error.message[len(shown):]}"
    return error.message


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _computed_value(value: Any) -> bool:
    return is_intrinsic(value) or (isinstance(value, str) and "{{resolve:" in value)


def _computed(data: Any, path: tuple) -> bool:
    for key in path:
        if _computed_value(data):
            return True
        data = data[key]
    return _computed_value(data)
