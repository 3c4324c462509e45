"""PL004 for the config's own silencing: a ``per-file-ignores`` code that silenced no finding
in the files its glob matches, and an ``ignore`` entry of the config file whose rules found
nothing. To know that, the rules the config file's ``ignore`` turns off still run (only
when PL004 is selected), and what they find is dropped.
"""
from __future__ import annotations

from collections.abc import Iterable

from policylint.config import Config, glob_match, read_config_text
from policylint.problems import UNUSED_SUPPRESSION, file_finding
from policylint.rule import Finding, Rule
from policylint.source import Source


def _names(entry: str, code: str, name: str) -> bool:
    return code.upper().startswith(entry.upper()) or entry.lower() == name


def _file_ignores(config: Config) -> list[str]:
    """The ``ignore`` entries of the config file still in force (not replaced by --ignore)."""
    return [e for e in config.ignore if e in config.file_ignore]


def audited(config: Config, rules: dict[str, Rule]) -> set[str]:
    """The codes to run only to tell whether the config file's ``ignore`` silences anything."""
    if UNUSED_SUPPRESSION.code not in {c for c, r in rules.items() if config.selects(c, r.name)}:
        return set()
    entries, unignored = _file_ignores(config), config._replace(ignore=())
    return {c for c, r in rules.items() if any(_names(e, c, r.name) for e in entries)
            and unignored.selects(c, r.name)}


def apply(findings: list[Finding], config: Config, rules: dict[str, Rule],
          reported: set[str]) -> tuple[list[Finding], list[Finding]]:
    """The findings that count (of ``reported`` rules, not silenced by ``per-file-ignores``),
    and the PL004 findings about config entries that silenced nothing."""
    used: set[tuple[str, ...]] = set()
    kept = []
    for finding in findings:
        name = rules[finding.code].name
        if finding.code not in reported:
            used.update(("ignore", e) for e in _file_ignores(config) if _names(e, finding.code, name))
            continue
        relative = config.relative(finding.reported_file()) if config.per_file_ignores else ""
        hits = {("per-file-ignores", glob, e) for glob, codes in config.per_file_ignores
                if glob_match(relative, glob) for e in codes if _names(e, finding.code, name)}
        used |= hits
        if not hits:
            kept.append(finding)
    if UNUSED_SUPPRESSION.code not in reported or not config.source:
        return kept, []
    return kept, list(_unused(config, used, rules, reported))


def _unused(config: Config, used: set[tuple[str, ...]], rules: dict[str, Rule],
            reported: set[str]) -> Iterable[Finding]:
    source = Source(config.source, read_config_text(config.source, None))  # as accepted when read

    def finding(needles: tuple[str, ...], message: str) -> Finding:
        index = 0
        for needle in needles:
            found = source.text.find(needle, index)
            index = found if found >= 0 else index
        return file_finding(source, message, UNUSED_SUPPRESSION, source.position_of_index(index))

    for glob, codes in config.per_file_ignores:
        for entry in codes:
            ran = any(_names(entry, c, rules[c].name) for c in reported)
            if ran and ("per-file-ignores", glob, entry) not in used:
                yield finding(("per-file-ignores", glob, entry),
                              f"per-file-ignores {glob!r}: nothing in its files is reported as "
                              f"{entry}: remove it")
    for entry in _file_ignores(config):
        if ("ignore", entry) not in used:
            yield finding(("\nignore", entry), f"ignore: no rule {entry} turns off reports anything "
                          "here: remove it")
