"""Suppressions written next to the code they silence, and the baseline.

- In a state machine: ``policylint: disable=CODE[,CODE] [reason]`` in a state's ``Comment``
  (that state, nested states included) or in the machine's top-level ``Comment``.
- In YAML: ``# policylint: disable=CODE [reason]`` on the finding's line or the line above;
  ``# policylint: disable-file=CODE [reason]`` anywhere, for the whole file. The same in
  Terraform, after ``#`` or ``//``, and in ``.tf.json`` as a ``"//"`` comment key's value.
- In CloudFormation: ``Metadata: {policylint: {ignore: [CODE], reason: ...}}`` on a resource.

Codes and rule names are interchangeable. A suppression naming no known rule is PL003; one
that silenced nothing is PL004; one the config forbids (no reason under ``require-reason``,
or a rule in ``unsuppressible``) is PL007 and silences nothing. Suppressed findings are kept
(SARIF shows them as suppressed).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from policylint.config import Config
from policylint.models import ASL, TEMPLATE, Document
from policylint.problems import SUPPRESSION_NOT_ALLOWED, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION
from policylint.rule import SAFE, Edit, Finding, Fix, Rule


@cache
def directive() -> re.Pattern[str]:
    """A ``policylint: disable=CODES reason`` comment (compiled when a comment is first met)."""
    return re.compile(r"policylint:\s*(?P<kind>disable-file|disable)\s*=\s*(?P<codes>[\w,-]+)"
                      r"[ \t]*(?:[:-]+[ \t]*)?(?P<reason>[^\n]*)")


# What starts a line comment, by file suffix ("//" is Terraform JSON's comment key).
_LINE_COMMENTS = {".yaml": ("#",), ".yml": ("#",), ".template": ("#",), ".tf": ("#", "//"),
                  ".tf.json": ('"//"',)}


class Suppression:
    """One ``disable`` (or Metadata ``ignore``): what it silences, where it is written.

    ``document`` is what PL003/PL004 are reported against; ``path`` is where it is written
    (logical), when not a YAML comment, ``position`` where a YAML comment is written. A YAML
    comment silences its ``line`` and the next; ``scope`` is the subtree of ``document`` it
    covers (``()`` is all of it); ``resource`` is a template resource it covers, with every
    document made from it. ``used`` collects the codes it silenced."""

    def __init__(self, codes: list[str], reason: str, file: str, document: Document, *,
                 path: tuple = (), position: tuple[int, int] | None = None, line: int | None = None,
                 scope: tuple | None = None, resource: str = "", whole_file: bool = False) -> None:
        self.codes, self.reason, self.file, self.document = codes, reason, file, document
        self.path, self.position, self.line, self.scope = path, position, line, scope
        self.resource, self.whole_file = resource, whole_file
        self.used: set[str] = set()
        self.borrowed = False  # in a file not linted, where a finding is reported: it only silences

    def covers(self, finding: Finding, line: int) -> bool:
        if self.whole_file:
            return True
        if self.line is not None:
            return line in (self.line, self.line + 1)
        document = finding.document
        if document is None:  # a finding on the file as a whole: only a line or the file says
            return False
        if self.resource:
            return (document.template is self.document and document.logical_id == self.resource) or (
                document is self.document and finding.path[:2] == ("Resources", self.resource))
        return document is self.document and self.scope is not None and \
            finding.path[:len(self.scope)] == self.scope


def collect(documents: Iterable[Document]) -> list[Suppression]:
    found: list[Suppression] = []
    seen_files: set[str] = set()
    unmarked: set[int] = set()  # sources whose text has no comment (a template's many documents share one)
    for document in documents:
        source = document.source
        if id(source) not in unmarked and source.path not in seen_files:
            markers = comment_markers(source.path)
            if markers and "policylint:" in source.text:
                seen_files.add(source.path)
                found.extend(_line_comments(document, markers))
            else:
                unmarked.add(id(source))
        if document.kind == ASL and isinstance(document.data, dict):
            found.extend(_state_comments(document))
        elif document.kind == TEMPLATE:
            found.extend(_metadata(document))
    found.extend(_borrowed(documents, seen_files))
    return found


def _borrowed(documents: Iterable[Document], seen_files: set[str]) -> Iterable[Suppression]:
    """The line comments of the files findings may be reported in that are no document of
    the run (the ``.tf`` files a plan was made from, when only the plan is linted)."""
    seen: set[int] = set()
    stack = [s for d in documents for s in d.source.elsewhere()]
    while stack:
        source = stack.pop()
        if id(source) in seen:
            continue
        seen.add(id(source))
        stack.extend(source.elsewhere())
        markers = comment_markers(source.path)
        if markers and source.path not in seen_files and "policylint:" in source.text:
            seen_files.add(source.path)
            for suppression in _line_comments(Document(TEMPLATE, None, source), markers):
                suppression.borrowed = True
                yield suppression


def comment_markers(path: str) -> tuple[str, ...]:
    lower = path.lower()
    return next((markers for suffix, markers in _LINE_COMMENTS.items() if lower.endswith(suffix)), ())


def _line_comments(document: Document, markers: tuple[str, ...]) -> Iterable[Suppression]:
    text = document.source.text
    for number, line in enumerate(text.splitlines(), 1):
        starts = [at for at in (line.find(m) for m in markers) if at >= 0]
        match = directive().search(line, min(starts)) if starts else None
        if match:
            reason = match["reason"].strip()
            if markers == ('"//"',):  # the rest of a JSON string: `reason",`
                reason = reason.rstrip(" ,").removesuffix('"').strip()
            yield Suppression(match["codes"].split(","), reason, document.source.path,
                              document, position=(number, match.start() + 1), line=number,
                              whole_file=match["kind"] == "disable-file")


def _state_comments(document: Document) -> Iterable[Suppression]:
    from policylint.models.asl import StateMachine

    for state in (None, *StateMachine.of(document).states):  # the machine, then each state
        comment = (document.data if state is None else state.body).get("Comment")
        match = directive().search(comment) if isinstance(comment, str) and "policylint:" in comment else None
        if match:
            path = () if state is None else state.path
            yield Suppression(match["codes"].split(","), match["reason"].strip(), document.source.path,
                              document, path=(*path, "Comment"), scope=path)


def _metadata(template: Document) -> Iterable[Suppression]:
    for name, resource in template.data["Resources"].items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        settings = metadata.get("policylint") if isinstance(metadata, dict) else None
        ignore = settings.get("ignore") if isinstance(settings, dict) else None
        if isinstance(settings, dict) and isinstance(ignore, list):
            reason = str(settings.get("reason") or "")
            yield Suppression([str(c) for c in ignore], reason, template.source.path, template,
                              path=("Resources", name, "Metadata", "policylint", "ignore"),
                              resource=name)


def apply(findings: list[Finding], documents: list[Document], rules: dict[str, Rule],
          ran: set[str], config: Config | None = None) -> list[Finding]:
    """Mark the findings a suppression covers, as far as ``config`` allows; return the
    PL003/PL004/PL007 findings about the suppressions themselves (PL004 only for rules that
    ran)."""
    suppressions = collect(documents)
    if not suppressions:
        return []
    config = config or Config()
    by_name = {r.name: r.code for r in rules.values()}

    def code_of(entry: str) -> str | None:
        entry = entry.strip()
        return entry.upper() if entry.upper() in rules else by_name.get(entry.lower())

    by_file: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        by_file.setdefault(os.path.normpath(suppression.file), []).append(suppression)
    for finding in findings:  # the comments of the file the finding is reported in
        candidates = by_file.get(os.path.normpath(finding.reported_file()))
        if not candidates:
            continue
        line = finding.location()[1] if any(s.line is not None for s in candidates) else 0
        for suppression in candidates:
            hits = [c for c in suppression.codes if code_of(c) == finding.code]
            if hits and suppression.covers(finding, line):
                if _refused(suppression, config) or not config.may_silence(
                        finding.code, rules[finding.code].name):
                    continue
                suppression.used.update(hits)
                finding.suppression = suppression.reason or "suppressed in the source"
                break
    return list(_about(suppressions, code_of, ran, rules, config))


def _refused(suppression: Suppression, config: Config) -> bool:
    return config.require_reason and not suppression.reason


def _about(suppressions: list[Suppression], code_of: Any, ran: set[str], rules: dict[str, Rule],
           config: Config) -> Iterable[Finding]:
    for suppression in suppressions:
        if suppression.borrowed:  # its file is not linted: what it silences there is not known
            continue
        if _refused(suppression, config):
            how = "a `reason:` next to `ignore:`" if suppression.resource else "the reason after the codes"
            yield Finding(suppression.document, suppression.path,
                          f"this suppression gives no reason, and the config sets require-reason: it "
                          f"silences nothing (write {how})", "value",
                          code=SUPPRESSION_NOT_ALLOWED.code, position=suppression.position)
        for i, entry in enumerate(suppression.codes):
            path = (*suppression.path, i) if suppression.path[-1:] == ("ignore",) else suppression.path
            code = code_of(entry)
            if code is None:
                yield Finding(suppression.document, path,
                              f"{entry!r} is not a rule code or name: this suppression silences "
                              "nothing (see `policylint rules`)", "value", code=UNKNOWN_SUPPRESSION.code,
                              position=suppression.position)
            elif not config.may_silence(code, rules[code].name):
                yield Finding(suppression.document, path,
                              f"{code} is unsuppressible (in the config): this suppression "
                              "silences nothing (fix what it reports)", "value",
                              code=SUPPRESSION_NOT_ALLOWED.code, position=suppression.position)
            elif _refused(suppression, config):
                continue
            elif entry not in suppression.used and code in ran:
                found = Finding(suppression.document, path,
                                f"nothing here is reported as {entry}: remove the suppression",
                                "value", code=UNUSED_SUPPRESSION.code, position=suppression.position)
                found.fix = Fix(SAFE, f"remove the suppression of {entry}",
                                Edit("unsuppress", path, suppression, entry))
                yield found

