"""Derive the JSON schema of the AgentCore harness API shape from botocore's service model.

Run by hand when botocore's ``bedrock-agentcore-control`` model changes (botocore is a
development tool here, not a dependency; the vendored file names the version it came from)::

    pip install 'botocore>=1.44.8'
    python tools/derive_harness_schema.py > policylint/data/harness-api.schema.json
"""
from __future__ import annotations

import json
import sys
from typing import Any

import botocore
import botocore.session

SERVICE = "bedrock-agentcore-control"
# The fields a harness config file holds; clientToken and tags are request plumbing.
ENTRY_POINTS = {"CreateHarness": "input", "UpdateHarness": "input", "GetHarness": "output"}


def schema_of(shape: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if meta.get("document"):
            return {}
        if shape.name not in definitions:
            definitions[shape.name] = {}  # placeholder: recursive shapes
            body: dict[str, Any] = {
                "type": "object",
                "properties": {n: schema_of(m, definitions) for n, m in shape.members.items()},
                "additionalProperties": False,
            }
            if shape.required_members:
                body["required"] = sorted(shape.required_members)
            if meta.get("union"):
                body["minProperties"] = body["maxProperties"] = 1
            definitions[shape.name] = body
        return {"$ref": f"#/definitions/{shape.name}"}
    if kind == "list":
        return _bounded({"type": "array", "items": schema_of(shape.member, definitions)}, meta,
                        "minItems", "maxItems")
    if kind == "map":
        return _bounded({"type": "object", "additionalProperties": schema_of(shape.value, definitions)},
                        meta, None, "maxProperties")
    if kind == "string":
        out: dict[str, Any] = {"type": "string"}
        if shape.enum:
            out["enum"] = list(shape.enum)
        if meta.get("pattern"):
            out["pattern"] = f"^(?:{meta['pattern']})$"
        return _bounded(out, meta, "minLength", "maxLength")
    if kind in ("integer", "long", "float", "double"):
        return _bounded({"type": "integer" if kind in ("integer", "long") else "number"}, meta,
                        "minimum", "maximum")
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "timestamp":
        return {"type": ["string", "number"]}
    return {}


def _bounded(out: dict[str, Any], meta: dict[str, Any], low: str | None, high: str) -> dict[str, Any]:
    """``out`` with the shape's min/max under the JSON-schema keywords for its type."""
    if low and "min" in meta:
        out[low] = meta["min"]
    if "max" in meta:
        out[high] = meta["max"]
    return out


def main() -> None:
    model = botocore.session.get_session().get_service_model(SERVICE)
    definitions: dict[str, Any] = {}
    roots = {}
    for operation, side in ENTRY_POINTS.items():
        op = model.operation_model(operation)
        shape = op.input_shape if side == "input" else op.output_shape.members["harness"]
        roots[operation] = schema_of(shape, definitions)
    json.dump({"$schema": "http://json-schema.org/draft-07/schema#",
               "description": f"AgentCore harness API shapes, derived from botocore {botocore.__version__} "
                              f"({SERVICE} {model.api_version})",
               "botocore": botocore.__version__,
               "roots": roots, "definitions": definitions}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
