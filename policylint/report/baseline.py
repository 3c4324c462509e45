"""The baseline: the fingerprints of the findings a team has accepted for now.

``policylint baseline FILE`` writes it; ``policylint check --baseline FILE`` then fails only
on findings whose fingerprint (rule, file, logical path, offending value) is not in it, so
moving lines or editing other parts of a file does not bring old findings back."""
from __future__ import annotations

import json

from policylint.config import ConfigError
from policylint.report import Report

FORMAT = 1


def write_baseline(path: str, report: Report) -> None:
    entries = sorted(({"fingerprint": p.fingerprint, "code": p.code, "file": p.file, "message": p.message}
                      for p in report.problems), key=lambda e: (e["file"], e["code"], e["fingerprint"]))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"tool": "policylint", "format": FORMAT, "findings": entries}, handle, indent=2)
        handle.write("\n")


def read_baseline(path: str) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return frozenset(entry["fingerprint"] for entry in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"{path}: not a policylint baseline ({error})") from None
