"""The types a rule author needs: Severity, Finding, Rule and the ``@rule`` decorator."""
from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from policylint.models import KINDS as MODEL_KINDS

if TYPE_CHECKING:
    from policylint.models import Document
    from policylint.source import Source

Path = tuple  # a logical path into a document: keys and list indexes


class Severity(enum.IntEnum):
    """SARIF levels, ordered so that a larger value is more severe."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


AT = ("key", "value")  # where in the document a finding points: the key, or its value
SAFE, UNSAFE = "safe", "unsafe"  # a fix that keeps what the deployed system does, or one that changes it


class Edit:
    """One change a fix makes, said on the document's logical paths (``policylint.fix``
    finds where it is written, only when that is certain):

    - ``replace``: the value at ``path`` becomes ``value`` (a number, a string);
    - ``strip``: the string at ``path`` loses its ending ``value``;
    - ``insert``: the mapping at ``path`` gets ``key: value``, written in the file's style;
    - ``unsuppress``: the suppression ``value`` (a ``suppress.Suppression``) stops naming ``key``.
    """

    __slots__ = ("kind", "path", "value", "key")

    def __init__(self, kind: str, path: Path, value: Any = None, key: str | None = None) -> None:
        self.kind, self.path, self.value, self.key = kind, tuple(path), value, key

    def __repr__(self) -> str:
        return f"Edit({self.kind}, {self.path!r}, {self.value!r}, {self.key!r})"


class Fix:
    """What would fix a finding: ``SAFE`` (keeps what the deployed system does) or ``UNSAFE``
    (changes behaviour), a short ``title`` (an editor's quick fix) and the edits. Two fixes
    are equal when they say the same (a finding reported twice is one)."""

    __slots__ = ("applicability", "edits", "title")

    def __init__(self, applicability: str, title: str, *edits: Edit) -> None:
        if applicability not in (SAFE, UNSAFE):
            raise ValueError(f"a fix is {SAFE!r} or {UNSAFE!r}, not {applicability!r}")
        self.applicability, self.title, self.edits = applicability, title, edits

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fix) and (self.applicability, self.title) == \
            (other.applicability, other.title)

    def __hash__(self) -> int:
        return hash((self.applicability, self.title))

    def __repr__(self) -> str:
        return f"Fix({self.applicability}, {self.title!r})"

    @classmethod
    def replace(cls, applicability: str, path: Path, value: Any, title: str = "") -> Fix:
        return cls(applicability, title or f"set it to {value}", Edit("replace", path, value))


class Finding:
    """One problem at a logical path of a document, or in a file as a whole (a file that
    cannot be read: no ``document``, a ``source`` and a ``position``).

    ``at`` says whether the position is that of the key (default) or of its value. Rules
    leave ``code`` empty: the engine stamps the code of the rule that yielded the finding,
    except on a finding a rule marks ``code="PL005"``: a part it could not check (an
    expression too long to parse), said as the engine says what it could not follow.
    ``position`` is the (line, column), 1-based, once known; ``suppression`` says why the
    finding is silenced in the source, when it is.
    """

    def __init__(self, document: Document | None, path: Path, message: str, at: str = "key",
                 severity: Severity | None = None, code: str = "",
                 position: tuple[int, int] | None = None, source: Source | None = None) -> None:
        if at not in AT:
            raise ValueError(f"a finding is at the 'key' or the 'value', not {at!r}")
        if document is None and (source is None or position is None):
            raise ValueError("a finding without a document names its source and position")
        self.document, self.path, self.message, self.at = document, path, message, at
        self.source: Source = source if document is None else document.source  # type: ignore[assignment]
        self.severity, self.code, self.position = severity, code, position
        self.file: str | None = None  # the file the position is in, once known (``location``)
        self.suppression: str | None = None
        self.fix: Fix | None = None  # what would fix it, when the change is mechanical
        self.omitted = 0  # findings of this code in this file left out of the report after this one

    def __repr__(self) -> str:
        return f"Finding({self.code or '?'}, {self.path!r}, {self.message!r})"

    def location(self) -> tuple[str, int, int]:
        """(file path, line, column) where the user wrote the offending text: the document's
        file, or the file its value came from (a Terraform module caller's argument)."""
        if self.position is None:
            assert self.document is not None
            file, line, column = self.document.locate(self.path, self.at)
            self.file, self.position = file, (line, column)
        return (self.reported_file(), *self.position)

    def reported_file(self) -> str:
        """The file ``location`` names, without working out the line and column."""
        if self.file is None:
            document = self.document
            self.file = self.source.path if document is None else \
                document.source.file_of((*document.root, *self.path), self.at)
        return self.file


KINDS = tuple(MODEL_KINDS)  # what a document can be (models.KINDS)
SCOPES = ("document", "project")
_CODE = re.compile(r"[A-Z]{2,5}[0-9]{3}")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


class RuleError(ValueError):
    """A rule declared wrongly; raised where it is defined, so a plugin fails on import."""


class Rule:
    """A rule's identity and help, plus the function that yields its findings.

    A document rule (``scope="document"``) says which document ``kinds`` it reads (there is
    no default) and runs once per document of those kinds; a ``scope="project"`` rule runs
    once per run and sees every document (it names no kinds). A document rule that reads
    ``ctx.project.index`` (other documents) says ``cross_file=True``; any other that tries
    fails at once, with or without ``--jobs``. A rule without a ``check`` is reported by the
    engine itself (the PL codes).
    """

    def __init__(self, code: str, name: str, severity: Severity, summary: str, help: str,
                 check: Callable[..., Iterable[Finding]] | None = None, kinds: tuple[str, ...] = (),
                 scope: str = "document", tags: tuple[str, ...] = (), cross_file: bool = False) -> None:
        self.code, self.name, self.severity, self.summary = code, name, severity, summary
        self.help = inspect.cleandoc(help)
        self.check, self.kinds, self.scope, self.tags, self.cross_file = check, kinds, scope, tags, cross_file
        problem = self._declaration_problem()
        if problem:
            raise RuleError(f"rule {code!r}: {problem}")

    def _declaration_problem(self) -> str:
        if not _CODE.fullmatch(self.code):
            return "a code is 2 to 5 capital letters and 3 digits (AGT301)"
        if not _NAME.fullmatch(self.name):
            return f"name {self.name!r} is not lower-case words joined by hyphens"
        if not isinstance(self.severity, Severity):
            return "severity is a Severity"
        if self.scope not in SCOPES:
            return f"scope is one of {', '.join(SCOPES)}, not {self.scope!r}"
        if not isinstance(self.kinds, tuple) or set(self.kinds) - set(KINDS):
            return f"kinds is a tuple of {', '.join(KINDS)}"
        if self.scope == "project" and (self.kinds or self.cross_file):
            return "a project rule sees every document: it names no kinds and is not cross_file"
        if self.scope == "document" and self.check is not None and not self.kinds:
            return f"a document rule says which kinds it reads (kinds=({', '.join(KINDS)}))"
        return ""

    def __repr__(self) -> str:
        return f"Rule({self.code}, {self.name})"

    @property
    def family(self) -> str:
        """The code's letters: the plugin or family the rule belongs to (AGT, IAM, ...)."""
        return self.code.rstrip("0123456789")

    def __call__(self, ctx: Any) -> Iterator[Finding]:
        assert self.check is not None
        yield from self.check(ctx)


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    summary: str,
    kinds: tuple[str, ...] = (),
    scope: str = "document",
    tags: tuple[str, ...] = (),
    cross_file: bool = False,
) -> Callable[[Callable[..., Iterable[Finding]]], Rule]:
    """Turn a generator function into a Rule; its docstring is the rule's help text."""

    def wrap(func: Callable[..., Iterable[Finding]]) -> Rule:
        return Rule(code, name, severity, summary, func.__doc__ or summary, func, kinds, scope, tags,
                    cross_file)

    return wrap


def rules_of(module: ModuleType) -> list[Rule]:
    """Every Rule defined at the top level of ``module``, in code order."""
    return sorted((v for v in vars(module).values() if isinstance(v, Rule)), key=lambda r: r.code)
