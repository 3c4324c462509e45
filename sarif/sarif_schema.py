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


_VALID_RULES: set[str] = set()  # rule lists (as JSON) already found valid in a driver's "rules"


def validate_sarif(log: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``log`` is a valid SARIF 2.1.0 log.

    A driver's rules (every rule policylint has: most of what a small log asks of the
    validator) are checked the first time a list is seen; after that the log is checked with
    that list left empty. The schema checks each item of ``rules`` on its own and nothing else
    against them, so the answer is the same."""
    rules = _driver_rules(log)
    if rules is None or not _VALID_RULES.issuperset(rules):
        _validator().validate(log)
        _VALID_RULES.update(rules or ())
        return
    runs = [{**run, "tool": {**run["tool"], "driver": {**run["tool"]["driver"], "rules": []}}}
            for run in log["runs"]]
    _validator().validate({**log, "runs": runs})


def _driver_rules(log: Any) -> list[str] | None:
    """Each run's driver's rules as JSON, or None when a run has none or the log is not of
    that shape (it is then checked whole)."""
    try:
        lists = [run["tool"]["driver"]["rules"] for run in log["runs"]]
    except (KeyError, TypeError):
        return None
    return [json.dumps(rules, sort_keys=True) for rules in lists]
