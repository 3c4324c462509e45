"""Reports: findings placed at file, line and column, and the built-in output formats.

What a report says is safe to print anywhere: no value of a secret-bearing field (see
``policylint.secrets``), no control character that could forge a line or a workflow command
(escaped, as are bytes of a file name that are not UTF-8), no message longer than a screen.
"""
from __future__ import annotations

import importlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint import __version__
from policylint.hookspecs import hookimpl
from policylint.models import KINDS
from policylint.records import SKIPPED, TEMPLATED, UNREADABLE, InternalError, Outcome
from policylint.rule import Finding, Rule, Severity

if TYPE_CHECKING:
    from policylint.models import Document
    from policylint.secrets import Hidden
    from policylint.source import Source


class Problem(NamedTuple):
    """A finding placed where the user wrote it."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str  # as shown: relative to the current directory, printable
    line: int
    column: int
    logical_path: tuple  # from the root of the file, for fingerprints and baselines
    value: str | None = None  # the offending plain value, for fingerprints (never a secret)
    suppression: str | None = None  # why it is silenced in the source, when it is
    raw_file: str = ""  # the path as the operating system gives it (for URIs and editors)
    fix: FixOf | None = None  # what would fix it (``--fix``, ``--diff``, quick fixes)

    @property
    def fingerprint(self) -> str:
        """Rule, file, logical path and (for a finding on a plain value) that value: a finding
        keeps its fingerprint when lines move or other parts of the file change."""
        key = [self.code, self.file, [str(p) for p in self.logical_path]]
        if self.value is not None:
            key.append(self.value)
        if not self.logical_path:
            key.append(self.message)
        import hashlib  # here: only the formats and baselines that need it pay for OpenSSL

        return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]


class FixOf:
    """A finding's fix, with the finding (its document says where the text is). Equal when
    the fixes say the same, so that a finding reported twice is one problem."""

    __slots__ = ("fix", "finding")

    def __init__(self, fix: Any, finding: Finding) -> None:
        self.fix, self.finding = fix, finding

    @property
    def applicability(self) -> str:
        return self.fix.applicability

    @property
    def title(self) -> str:
        return self.fix.title

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FixOf) and self.fix == other.fix

    def __hash__(self) -> int:
        return hash(self.fix)


class Report:
    """What a run found: the problems that count (not suppressed, not in the baseline), every
    known rule (selected or not), internal errors, what was set aside, and what each file
    was read as (``kinds``: shown path -> a kind of ``KINDS``, ``SKIPPED``, ``TEMPLATED`` (counted
as skipped) or ``UNREADABLE``)."""

    def __init__(self, problems: list[Problem], rules: list[Rule], errors: list[InternalError],
                 kinds: dict[str, str], suppressed: list[Problem] | None = None,
                 baselined: list[Problem] | None = None) -> None:
        self.problems, self.rules, self.errors, self.kinds = problems, rules, errors, kinds
        self.suppressed, self.baselined = suppressed or [], baselined or []
        self.version = __version__
        counts = Counter(kinds.values())
        self.templated = counts.pop(TEMPLATED, 0)  # skipped too: Jinja, cookiecutter, Helm
        self.skipped, self.unreadable = counts.pop(SKIPPED, 0) + self.templated, counts.pop(UNREADABLE, 0)
        self.linted = {kind: counts[kind] for kind in KINDS if counts[kind]}
        self.files = sum(self.linted.values())
        self.claimed: Counter[str] = Counter()  # skipped files a front end claims by name, by its title
        self.show_files = False  # list each file and what it was read as (text format)
        self.fixed: int | None = None  # fixes applied (``--fix``); None when not asked
        self.by_hand: int = 0  # fixable findings whose fix could not be placed with certainty
        self.by_hand_list: list[tuple[Problem, str]] = []  # those findings, and why

    def fixable(self, applicability: str) -> int:
        """How many problems have a fix of this applicability (``safe``, ``unsafe``)."""
        return sum(1 for p in self.problems if p.fix is not None and p.fix.applicability == applicability)

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity == severity)


MAX_MESSAGE = 600  # characters; a longer message keeps its start and its end (what to do)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with what a terminal, a log reader or an XML parser would act on escaped:
    control characters (a newline could forge a line, or a GitHub workflow command),
    bidirectional overrides, and the bytes of a file name that are not UTF-8 (``\\xff``)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(match.group())
    return named or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def shown_message(text: str, hidden: Hidden | None = None) -> str:
    """Text as policylint lets it out (a message, a justification, a config or internal
    error, a diagnostic): secrets masked (``hidden``: what the file it is about hides; a
    secret-shaped token whatever file it came from), printable, not over MAX_MESSAGE."""
    from policylint.secrets import NOTHING, redact  # here: a clean run never needs it

    text = printable(redact(text, hidden or NOTHING))
    if len(text) > MAX_MESSAGE:
        left_out = len(text) - MAX_MESSAGE + 200
        text = f"{text[:MAX_MESSAGE - 300]} …({left_out:,} characters left out)… {text[-100:]}"
    return text


def _construct(document: Any, path: tuple) -> str | None:
    """The CDK construct a finding in a synthesized template is about (``aws:cdk:path``)."""
    template = document if document.kind == "template" else document.template
    if template is None:
        return None
    logical_id = document.logical_id or (path[1] if len(path) > 1 and path[0] == "Resources" else None)
    if not isinstance(logical_id, str):
        return None
    from policylint.models.refs import construct_path

    return construct_path(template, logical_id)


def build_report(outcome: Outcome, rules: dict[str, Rule], baseline: frozenset[str] = frozenset()) -> Report:
    """Resolve every finding's position (only now: clean files never pay for it), and set
    aside what is suppressed in the source or known to the baseline."""
    problems: set[Problem] = set()
    moved: dict[Problem, tuple[int, str]] = {}  # reported in another file than its document's
    hiding = _Hiding(outcome.documents, outcome.hidden)
    here = os.getcwd()
    display = lru_cache(maxsize=None)(lambda file: display_path(file, here))  # a file: its findings, its kind
    errors = list(outcome.errors)
    # A file at a time: once its findings are placed, its position data is let go.
    by_source = sorted(outcome.findings, key=lambda f: id(f.source))
    for i, finding in enumerate(by_source):
        rule = rules[finding.code]
        try:
            file, line, column = finding.location()
        except Exception as error:  # positions are best effort; the finding still counts
            errors.append(InternalError(finding.code, finding.source.path,
                                        f"position: {type(error).__name__}: {error}"))
            file, line, column = finding.source.path, 1, 1
        document = finding.document
        path = (*document.root, *finding.path) if document is not None else finding.path
        shown = display(file)
        hidden = hiding.of(document, file) if document is not None else hiding.of_source(finding.source)

        value = _value(finding)
        if value is not None and hidden.within(value):
            value = None  # a fingerprint is a hash: a short secret would be found by guessing
        construct = _construct(document, path) if document is not None else None
        message = f"{finding.message} (construct {construct})" if construct else finding.message
        if finding.omitted:
            message = (f"{message} [and at least {finding.omitted:,} more {rule.code} findings in this "
                       "file from here on, not shown]")
        problem = Problem(rule.code, rule.name, finding.severity or rule.severity,
                          shown_message(message, hidden), printable(shown), line, column, path, value,
                          finding.suppression and shown_message(finding.suppression, hidden), shown,
                          FixOf(finding.fix, finding) if finding.fix is not None else None)
        problems.add(problem)
        if file != finding.source.path:
            template = (document.template or document) if document is not None else None
            moved[problem] = (2 if template is not None and template.derived else 1, repr(path))
        if i + 1 == len(by_source) or by_source[i + 1].source is not finding.source:
            finding.source.release()
    ordered = sorted(_once(problems, moved), key=lambda p: (p.file, p.line, p.column, p.code, p.message,
                                                            repr(p.logical_path)))
    counted = [p for p in ordered if p.suppression is None]
    known = {p for p in counted if p.fingerprint in baseline} if baseline else set()
    kinds = {printable(display(file)): kind for file, kind in outcome.kinds.items()}
    errors = [InternalError(e.what, e.file and printable(display(e.file)),
                            shown_message(e.error, hiding.of_file(e.file))) for e in errors]
    report = Report([p for p in counted if p not in known], list(rules.values()), errors, kinds,
                    suppressed=[p for p in ordered if p.suppression is not None],
                    baselined=[p for p in counted if p in known])
    # the skipped files of the report (not those read only for context) a front end claims
    report.claimed = Counter(outcome.claimed[f] for f in outcome.kinds if f in outcome.claimed)
    return report


def _once(problems: set[Problem], moved: dict[Problem, tuple[int, str]]) -> set[Problem]:
    """``problems`` without those reported where another says the same at the same place
    and was moved there (a value a module caller passes, used twice; a plan's finding and
    the ``.tf``'s own): the one kept is, in order, one in its own file, one of a ``.tf``, one
    of a plan."""
    if not moved:
        return problems
    places: dict[tuple, list[Problem]] = {}
    for problem in problems:
        places.setdefault((problem.code, problem.file, problem.line, problem.column, problem.message),
                          []).append(problem)
    dropped: set[Problem] = set()
    for same in places.values():
        if len(same) > 1 and any(p in moved for p in same):
            kept = min(same, key=lambda p: moved.get(p, (0, "")))
            dropped.update(p for p in same if p is not kept and p in moved)
    return problems - dropped


class _Hiding:
    """What a report must not show, by file: worked out once a file, from all of it (every
    document in it, their templates, substitutions and Terraform variables, the text of the
    file and of its template); ``known``: those worked out already (by the processes of a
    run with ``--jobs``)."""

    def __init__(self, documents: list[Document], known: dict[str, Hidden]) -> None:
        self.documents: dict[str, list[Document]] = {}
        for document in documents:
            self.documents.setdefault(document.source.path, []).append(document)
        self.memo: dict[str, Hidden] = dict(known)

    def of(self, document: Document, shown: str | None = None) -> Hidden:
        """For a finding on ``document``: its file's documents, and those of the file the
        finding is ``shown`` in when that is another (a Terraform caller's argument)."""
        path = document.source.path
        if shown is not None and shown != path:
            key = f"{path}\0{shown}"
            if key not in self.memo:
                # a file no document of the run is (a plan's configuration): its text
                texts = [] if shown in self.documents else \
                    [s.text for s in _reachable(document.source) if s.path == shown][:1]
                self.memo[key] = _hidden_of([*self.documents.get(path, ()), *self.documents.get(shown, ()),
                                            document], texts)
            return self.memo[key]
        if path not in self.memo:
            self.memo[path] = _hidden_of([*self.documents.get(path, ()), document])
        return self.memo[path]

    def of_source(self, source: Source) -> Hidden:
        """For a finding on a file as a whole: its documents, and its text."""
        if source.path not in self.memo:
            self.memo[source.path] = _hidden_of(self.documents.get(source.path, []), [source.text])
        return self.memo[source.path]

    def of_file(self, path: str) -> Hidden | None:
        documents = self.documents.get(path)
        return self.of(documents[0]) if documents else None


def _hidden_of(documents: list[Document], more_texts: Sequence[str] = ()) -> Hidden:
    from policylint.secrets import hidden_of  # here: a clean run never needs it

    return hidden_of(documents, more_texts)


def _reachable(source: Source) -> list[Source]:
    """The sources a finding on ``source`` may be reported in (``Source.elsewhere``)."""
    found: dict[int, Source] = {}
    stack = list(source.elsewhere())
    while stack:
        other = stack.pop()
        if id(other) not in found:
            found[id(other)] = other
            stack.extend(other.elsewhere())
    return list(found.values())


def _value(finding: Finding) -> str | None:
    """The plain value (string, number, boolean) the finding is on, as text; else None."""
    if finding.document is None:
        return None
    value: Any = finding.document.data
    for step in finding.path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return str(value) if isinstance(value, (str, int, float, bool)) else None


def display_path(path: str, here: str | None = None) -> str:
    """``path`` relative to the current directory (``here``, when known) when it is below
    it, with ``/``."""
    here = here or os.getcwd()
    below = path[len(here) + 1:]  # what relpath gives, without its work, for a plain path under here
    if below and path.startswith(here) and path[len(here)] == os.sep and os.path.normpath(path) == path:
        return below.replace(os.sep, "/")
    try:
        relative = os.path.relpath(path, here)
    except ValueError:  # another drive on Windows
        relative = path
    if relative.startswith(".." + os.sep) and os.path.isabs(path):
        relative = path
    return relative.replace(os.sep, "/")


def _lazy(module: str) -> Callable[[Report], str]:
    def render(report: Report) -> str:
        return importlib.import_module(module).render(report)

    return render


@hookimpl
def policylint_formats() -> dict[str, Callable[[Report], str]]:
    return {name: _lazy(f"policylint.report.{name}_format")
            for name in ("text", "json", "sarif", "github", "gcc", "junit")}
