"""The baseline: the fingerprints of the findings a team has accepted for now.

``policylint baseline FILE`` writes it; ``policylint check --baseline FILE`` then fails only
on findings whose fingerprint (rule, file, logical path, offending value) is not in it, so
moving lines or editing other parts of a file does not bring old findings back."""
from __future__ import annotations

import json

from policylint.config import ConfigError
from policylint.report import Report

FORMAT = 1


def baseline_text(report: Report) -> str:
    """The baseline file of ``report``'s findings (messages as the report masks them)."""
    entries = sorted(({"fingerprint": p.fingerprint, "code": p.code, "file": p.file, "message": p.message}
                      for p in report.problems), key=lambda e: (e["file"], e["code"], e["fingerprint"]))
    return json.dumps({"tool": "policylint", "format": FORMAT, "findings": entries}, indent=2) + "\n"


def read_baseline(path: str, root: str | None = None) -> frozenset[str]:
    """The fingerprints in the baseline at ``path``: a regular file, not a link out of
    ``root`` (the linted folder). What is wrong with it is said without quoting it."""
    from policylint.load import MAX_BYTES
    from policylint.paths import Refused, read_setting_file

    try:
        raw = read_setting_file(path, root, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            raise ValueError(f"over {MAX_BYTES:,} bytes")
        data = json.loads(raw.decode("utf-8"))
        return frozenset(str(entry["fingerprint"]) for entry in data["findings"])
    except Refused as error:
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise ConfigError(f"{path}: not a policylint baseline ({error})") from None
