"""The one place the vendored SARIF 2.1.0 schema is read: tests validate every SARIF log with
``validate_sarif``. A plain module, not a package (pytest puts ``sarif/`` on the import path,
``pythonpath`` in pyproject.toml); policylint itself never reads the schema."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("sarif-schema-2.1.0.json")


@lru_cache(maxsize=1)
def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema (JSON Schema draft-04)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft4Validator(sarif_schema())


def validate_sarif(log: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``log`` is a valid SARIF 2.1.0 log."""
    _validator().validate(log)
