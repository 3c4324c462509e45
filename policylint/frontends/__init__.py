"""Front ends: the ways of writing documents, each one turning its files into models.

A front end says which files it claims (by name, and by what a parsed file holds), how it
reads them into documents, and what it joins across files once every file is read (a
Terraform module, a SAM ``DefinitionUri``). The built-in ones are contributed by the
``policylint_frontends`` hook exactly as a plugin's are (see ``builtin``); the loader and the
engine only ever ask these questions, in ``order``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from policylint.models import Document
    from policylint.rule import Finding
    from policylint.source import Source

Read = tuple["list[Document]", "list[Finding]"]  # the documents of a file, and the findings met reading it


class Loaded(NamedTuple):
    """What loading one file gave: its documents, the findings met reading it, and the
    loader's own error (a bug) when it raised."""

    file: str
    documents: list[Document]
    findings: list[Finding]
    error: str | None = None


Reader = Callable[[Sequence[str], str], "list[Loaded]"]  # read files as the named front end claims them


class Linked(NamedTuple):
    """What joining files gave: documents that replace loaded ones (``replaced``: the loaded
    ones they stand for), documents added, and findings."""

    replaced: list[Document]
    added: list[Document]
    findings: list[Finding]


class FrontEnd:
    """One way of writing documents. Subclass it and override what applies."""

    name = ""  # what ``expect`` names (a SAM DefinitionUri is read by the ``asl`` front end)
    title = ""  # what the report calls its files ("other Terraform files skipped"); else its name
    order = 50  # a lower order is asked first
    suffixes: tuple[str, ...] = ()  # file names (ends) a folder walk collects for it, beyond JSON/YAML
    reads_text = False  # it parses the text of the files it claims by name itself
    markers: re.Pattern[str] | None = None  # text that says a file is its own when it cannot be read

    def claims_name(self, path: str) -> bool:
        """Whether a file of this name is this front end's, whatever it holds."""
        return False

    def claims(self, path: str, data: Any) -> bool:
        """Whether parsed JSON or YAML ``data`` is written this way."""
        return False

    def is_ours(self, text: str) -> bool:
        """Whether the text of a file that cannot be linted says it is this front end's."""
        return self.markers is not None and self.markers.search(text) is not None

    def wants_yaml_tags(self, path: str, text: str) -> bool:
        """Whether YAML of this kind uses CloudFormation's short forms (``!Ref``)."""
        return False

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        """The documents of a claimed file: ``data`` is what JSON/YAML parsing gave, or None
        when ``reads_text``. ``root`` is the linted folder (no reading out of it)."""
        raise NotImplementedError

    def waits_for_link(self, document: Document) -> bool:
        """Whether ``link`` may change what this document means: rules then wait for it."""
        return False

    def link_share(self, documents: list[Document], reader: Reader) -> Linked:
        """Join what the documents of one share of the files name in files of their own (a
        template's DefinitionUri file), in the process that read them, so that what it makes
        is linted there too; ``reader`` reads the named files. ``link`` sees the rest."""
        return Linked([], [], [])

    def link(self, documents: list[Document], reader: Reader) -> Linked:
        """Join what files refer to in others, once every file is read; ``reader`` reads a
        file no walk found. Loaded documents are not changed: new ones stand for them."""
        return Linked([], [], [])

    def companions(self, path: str) -> list[str]:
        """Other files to read with this one when it is linted alone (an editor's buffer)."""
        return []


def frontends_of(contributed: Sequence[Sequence[FrontEnd]]) -> list[FrontEnd]:
    """Every contributed front end once, in order; two of one name are a setup error."""
    found: dict[str, FrontEnd] = {}
    for group in contributed:
        for frontend in group:
            if frontend.name in found:
                raise ValueError(f"two plugins define front end {frontend.name!r}")
            found[frontend.name] = frontend
    return sorted(found.values(), key=lambda f: (f.order, f.name))
