"""What a run hands the report: findings, internal errors, what each file was read as."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from policylint.models import Document
    from policylint.rule import Finding
    from policylint.secrets import Hidden


class InternalError(NamedTuple):
    """A rule or loader that raised: named in the report, and the run exits 2."""

    what: str  # the rule code, or "load"
    file: str
    error: str


SKIPPED, UNREADABLE = "skipped", "unreadable"  # what a file with no document of ours was
TEMPLATED = "templated"  # a file for a templating language (Jinja, Helm), not YAML until rendered


class Outcome:
    """What the engine hands the report: findings, internal errors, what each file was read
    as (``kinds``: its first document's kind, else ``skipped`` or ``unreadable``), the
    documents, what each skipped file is by its name (``claimed``: the title of the front
    end that claims it, ``Terraform``), and what must not be shown of a file when the
    processes of the run worked it out (``hidden``, by path)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[InternalError] = []
        self.kinds: dict[str, str] = {}
        self.documents: list[Document] = []
        self.claimed: dict[str, str] = {}
        self.hidden: dict[str, Hidden] = {}  # what a report must not show of a file, worked out already
