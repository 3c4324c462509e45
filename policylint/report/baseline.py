"""The baseline: the fingerprints of the findings a team has accepted for now.

``policylint baseline FILE`` writes it; ``policylint check --baseline FILE`` then fails only
on findings whose fingerprint (rule, file, logical path, offending value) is not in it, so
moving lines or editing other parts of a file does not bring old findings back."""
from __future__ import annotations

import json

from policylint.config import Config, ConfigError
from policylint.report import Report
from policylint.rule import Rule

FORMAT = 1


def entries_of(report: Report) -> list[dict]:
    """A baseline entry for each of ``report``'s findings (messages as the report masks them)."""
    return [{"fingerprint": p.fingerprint, "code": p.code, "file": p.file, "message": p.message}
            for p in report.problems]


def pruned(entries: list[dict], report: Report, config: Config, rules: dict[str, Rule]) -> list[dict]:
    """``entries`` without those fixed: in a file that was linted, of a rule that ran, and
    no longer found. Entries of other files and rules are kept."""
    found = {p.fingerprint for p in report.problems}
    ran = {code for code, rule in rules.items() if config.selects(code, rule.name)}
    return [e for e in entries if e["fingerprint"] in found
            or e.get("file") not in report.kinds or e.get("code") not in ran]


def unsuppressible_back(report: Report, config: Config, rules: dict[str, Rule]) -> None:
    """Count again the baselined findings of rules the config makes ``unsuppressible``."""
    back = [p for p in report.baselined if not config.may_silence(p.code, rules[p.code].name)]
    if back:
        report.baselined = [p for p in report.baselined if p not in back]
        report.problems = sorted([*report.problems, *back], key=lambda p: (
            p.file, p.line, p.column, p.code, p.message, repr(p.logical_path)))


def unique(entries: list[dict]) -> list[dict]:
    """``entries``, each fingerprint once (the last), in a stable order."""
    once = {e["fingerprint"]: e for e in entries}.values()
    return sorted(once, key=lambda e: (str(e.get("file", "")), str(e.get("code", "")),
                                                  e["fingerprint"]))


def baseline_text(entries: list[dict]) -> str:
    """The baseline file of ``entries`` (see ``unique``)."""
    return json.dumps({"tool": "policylint", "format": FORMAT, "findings": entries}, indent=2) + "\n"


def read_baseline(path: str, root: str | None = None) -> frozenset[str]:
    return frozenset(str(entry["fingerprint"]) for entry in read_entries(path, root))


def read_entries(path: str, root: str | None = None) -> list[dict]:
    """The entries of the baseline file at ``path``: a regular file, not a link out of ``root``
    (the linted folder); ConfigError, which does not quote it, when it is not one."""
    from policylint.limits import MAX_BYTES
    from policylint.paths import Refused, read_setting_file

    try:
        raw = read_setting_file(path, root, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            raise ValueError(f"over {MAX_BYTES:,} bytes")
        data = json.loads(raw.decode("utf-8"))
        entries = data["findings"]
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
            raise ValueError("findings is not a list of entries with a fingerprint")
        return entries
    except Refused as error:
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise ConfigError(f"{path}: not a policylint baseline ({error})") from None
