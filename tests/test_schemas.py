"""policylint.schemas: the harness schemas with their references inlined find the same errors."""
from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from policylint import schemas

OPERATIONS = [schemas.CFN_TYPE, "GetHarness", "CreateHarness", "UpdateHarness"]


def _wrong(schema: dict[str, Any], definitions: dict[str, Any], depth: int = 0) -> Any:
    """An instance that breaks ``schema`` everywhere it can: each property written, each
    leaf of the wrong type, an unknown key in each object."""
    if "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    if depth > 8:
        return None
    if "properties" in schema or schema.get("type") == "object":
        found = {name: _wrong(sub, definitions, depth + 1)
                 for name, sub in schema.get("properties", {}).items()}
        return {**found, "NotAField": 1}
    if schema.get("type") == "array":
        return [_wrong(schema.get("items", {}), definitions, depth + 1)]
    variants = schema.get("oneOf") or schema.get("anyOf")
    if variants:
        return _wrong(variants[0], definitions, depth + 1)
    return 12 if schema.get("type") == "string" else "twelve"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_inlined_schema_finds_the_same_errors(operation: str) -> None:
    written = schemas.schema(operation)
    instance = _wrong(written, written["definitions"])

    def errors(validator: Any) -> list[tuple]:
        return [(list(e.absolute_path), e.validator, e.message) for e in validator.iter_errors(instance)]

    expected = errors(jsonschema.Draft7Validator(written))
    assert len(expected) > 20
    assert errors(schemas._validator(operation)) == expected


def test_inlined_replaces_references_and_keeps_a_recursive_one() -> None:
    node = {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}}
    schema = {"properties": {"head": {"$ref": "#/definitions/node"},
                             "kind": {"enum": [{"$ref": "#/definitions/node"}]}},
              "definitions": {"node": node}}
    assert schemas.inlined(schema) == {
        "properties": {"head": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}},
                       "kind": {"enum": [{"$ref": "#/definitions/node"}]}},
        "definitions": {"node": node}}
