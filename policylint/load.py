"""Files to documents: safe reading and parsing; what a file holds, the front ends say."""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from policylint.frontends import FrontEnd
from policylint.frontends.templating import unless_templated
from policylint.limits import MAX_BYTES, MAX_EXPORT_BYTES, MAX_NODES
from policylint.models import Document
from policylint.paths import Refused, is_within, open_regular
from policylint.problems import (
    PARSE_ERROR,
    UNREADABLE_FILE,
    UNRESOLVED_REFERENCE,
    duplicate_keys,
    file_finding,
)
from policylint.rule import Finding
from policylint.source import Duplicate, Source, TooLarge, check_expansion, json_duplicates

YAML_SUFFIXES = (".yaml", ".yml")


@cache
def _export() -> re.Pattern[bytes]:
    """An account export (get-account-authorization-details) is a JSON object whose first key
    is one of its own (in the CLI's order or sorted); a file that only mentions one further in
    is no export and keeps the usual limit. Asked only of a file over the limit or unreadable."""
    return re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*'
                      rb'"(?:UserDetailList|GroupDetailList|RoleDetailList|Policies|IsTruncated|Marker)"\s*:')


@cache
def _anchor_and_alias() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A YAML anchor and an alias (asked of YAML texts only)."""
    return re.compile(r"&[^\s,\[\]{}]+"), re.compile(r"\*[^\s,\[\]{}\"'/*]+")


def builtin_frontends() -> list[FrontEnd]:
    from policylint.frontends.builtin import BUILTIN

    return BUILTIN


def claimant(path: str, frontends: Sequence[FrontEnd], expect: str | None = None) -> FrontEnd | None:
    """The front end that claims the file by ``expect`` (its name) or by the file's name."""
    for frontend in frontends:
        if frontend.name == expect if expect is not None else frontend.claims_name(path):
            return frontend
    return None


_CHUNK, _OVERLAP = 1 << 20, 64  # the overlap is longer than any marker


def _claims(asked: Sequence[FrontEnd], raw: bytes, handle: Any = None) -> bool:
    """Whether a file that cannot be linted is ours, by anything in it: ``raw`` (what was
    read), then the rest of ``handle`` a chunk at a time, so a marker far in is found
    whatever the file's size. ``asked``: the front ends whose markers count."""
    for chunk in _chunks(raw, handle):
        text = chunk.decode("latin-1")
        if any(frontend.is_ours(text) for frontend in asked):
            return True
    return False


def _chunks(raw: bytes, handle: Any) -> Iterator[bytes]:
    """``raw``, then the rest of ``handle`` a chunk at a time, each after the end of the one before."""
    yield raw
    tail = raw[-_OVERLAP:]
    while handle is not None and (chunk := handle.read(_CHUNK)):
        yield tail + chunk
        tail = chunk[-_OVERLAP:]


def load(path: str, expect: str | None = None, text: str | None = None, named: bool = False,
         root: str | None = None, max_bytes: int | None = None,
         frontends: Sequence[FrontEnd] | None = None) -> tuple[list[Document], list[Finding]]:
    """Documents in the file at ``path`` and the PL findings met reading it.

    Files that are none of ours (package.json, docker-compose.yml, ...) give neither, unless
    they cannot be read and the user ``named`` them. ``expect`` names the front end that
    reads it whatever it holds (a SAM ``DefinitionUri`` is ASL whatever its name); ``text``
    is the file's content when it is not read from disk (an editor's unsaved buffer). A link
    that leads out of ``root`` (the linted folder) is not followed. ``max_bytes`` is the size
    limit the config sets; without one, MAX_BYTES, or MAX_EXPORT_BYTES for an account export.
    ``frontends``: those the engine's plugins contribute (the built-in ones by default).
    """
    frontends = builtin_frontends() if frontends is None else frontends
    claimed = claimant(path, frontends, expect)
    source = Source(path, "")
    if text is None and os.path.islink(path) and not is_within(path, root):
        return [], [file_finding(source, "a link to a file outside the linted folder; it was not followed "
                                 "(lint the file it leads to by its own name)", UNRESOLVED_REFERENCE)]
    if text is not None and len(text) > (max_bytes or MAX_BYTES):
        return [], [file_finding(source, f"the text is {len(text):,} characters, over the "
                                 f"{max_bytes or MAX_BYTES:,} limit; it was not linted")]
    asked = [claimed] if claimed is not None else [f for f in frontends if not f.reads_text]
    # A file claimed by its name is ours whatever it holds, unless its front end reads text
    # (Terraform: a .tf file of only a VPC is none of ours).
    forced = claimed is not None and not claimed.reads_text
    read = _read(source, forced, asked, named, max_bytes) if text is None else text
    if isinstance(read, Finding):
        return [], [read]
    if read is None:
        return [], []
    source.text = read
    if claimed is not None and claimed.reads_text:
        return claimed.read(source, None, root)
    parsed = _parse(source, forced, asked)
    if isinstance(parsed, Finding):
        return unless_templated(source, parsed)
    if parsed is _NOT_OURS:
        return [], []
    data, duplicates = parsed
    reader = claimed if claimed is not None else next(f for f in asked if f.claims(path, data))
    documents, findings = reader.read(source, data, root)
    if documents and duplicates:
        findings = [*duplicate_keys(source, duplicates), *findings]
    return documents, findings


def _unreadable(source: Source, message: str, position: tuple[int, int] = (1, 1)) -> Finding:
    return file_finding(source, message, UNREADABLE_FILE, position)


def _read(source: Source, expect: bool, asked: Sequence[FrontEnd], named: bool = False,
          max_bytes: int | None = None) -> str | Finding | None:
    """The file's text; a PL002 finding when it cannot be read and is (or may be) ours, or
    the user named it and it cannot be opened at all; None when it cannot be read and
    nothing says it is ours (a 10 MB package-lock.json). A file over the size limit that
    starts like an account export is read up to the export's limit."""
    limit = max_bytes or MAX_BYTES

    def ours(handle: Any = None) -> bool:  # asked only of a file that cannot be linted: all of it
        return expect or bool(_export().match(raw)) or _claims(asked, raw, handle)

    try:
        status = os.stat(source.path)
        if stat.S_ISDIR(status.st_mode):  # one the walk could not list
            os.listdir(source.path)
            return None
        with open_regular(source.path) as handle:  # a FIFO or device would block or never end
            raw = handle.read(limit + 1)
            if len(raw) > limit and max_bytes is None and _export().match(raw):
                limit = MAX_EXPORT_BYTES
                raw += handle.read(limit + 1 - len(raw))
            if len(raw) > limit:
                return _unreadable(source, f"file is {status.st_size:,} bytes, over the {limit:,} byte "
                                   "limit; it was not linted (max-file-size in the config raises it)") \
                    if ours(handle) else None
    except Refused:
        return _unreadable(source, "not a regular file (a pipe, socket or device); it was not "
                           "linted") if expect else None
    except OSError as error:
        what = "folder" if os.path.isdir(source.path) else "file"
        return _unreadable(source, f"cannot read the {what}: {error.strerror or error}") \
            if expect or named or what == "folder" else None

    if b"\0" in raw:
        return _unreadable(source, "binary file (it holds NUL bytes); it was not linted") if ours() else None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if not ours():
            return None
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return _unreadable(source, f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file "
                           "as UTF-8", (line, column))


_NOT_OURS = object()


def _parse(source: Source, expect: bool, asked: Sequence[FrontEnd]) -> Any:
    """The data of the file and the keys written twice in it, a PL001/PL002 finding, or
    _NOT_OURS."""
    text, path = source.text, source.path

    def ours() -> bool:  # only a file that does not parse asks (a search of the whole text)
        return expect or any(frontend.is_ours(text) for frontend in asked)

    is_yaml = path.lower().endswith(YAML_SUFFIXES) or (
        not path.lower().endswith(".json") and not text.lstrip().startswith(("{", "[")))
    try:
        if not is_yaml:
            data = json.loads(text)
            return data, json_duplicates(text, data)
        tags = not expect and any(frontend.wants_yaml_tags(path, text) for frontend in asked)
        data, duplicates, source.tree = _load_yaml(text, tags)
        anchor, alias = _anchor_and_alias()
        if anchor.search(text) and alias.search(text):  # aliases: refuse a document they blow up
            check_expansion(data, MAX_NODES)
        return data, duplicates
    except RecursionError:
        return _unreadable(source, "the document nests too deeply to be linted") if ours() else _NOT_OURS
    except json.JSONDecodeError as error:
        if not ours():
            return _NOT_OURS
        return file_finding(source, f"invalid JSON: {error.msg}", PARSE_ERROR, (error.lineno, error.colno))
    except _YamlError as error:
        if not ours():
            return _NOT_OURS
        return file_finding(source, f"invalid YAML: {error.message}", PARSE_ERROR, error.position)
    except TooLarge:
        return _unreadable(source, "YAML aliases expand this document past "
                           f"{MAX_NODES:,} nodes (an alias bomb); it was not linted")


class _YamlError(Exception):
    def __init__(self, message: str, position: tuple[int, int]) -> None:
        super().__init__(message)
        self.message, self.position = message, position


def _load_yaml(text: str, short_forms: bool) -> tuple[Any, list[Duplicate], Any]:
    import yaml

    from policylint.yaml_data import load_yaml

    try:
        return load_yaml(text, short_forms)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):  # libyaml's own limit (PyYAML >= 6.0.4)
            raise RecursionError(str(error.problem)) from None
        mark = error.problem_mark or error.context_mark
        position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _YamlError(f"{error.problem or error.context}", position) from None
    except yaml.YAMLError as error:
        raise _YamlError(str(error).splitlines()[0], (1, 1)) from None
