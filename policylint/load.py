"""Files to documents: safe reading, parsing and recognising what a file holds."""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from typing import Any

from policylint.discover import is_terraform
from policylint.frontends.serverless import NAMES as SERVERLESS_NAMES
from policylint.frontends.templating import unless_templated
from policylint.models import ACCOUNT, AGENTCORE, ASL, HARNESS, IAM, TEMPLATE, Document
from policylint.paths import Refused, is_within, open_regular
from policylint.problems import PARSE_ERROR, UNREADABLE_FILE, UNRESOLVED_REFERENCE, duplicate_keys
from policylint.rule import Finding
from policylint.source import Duplicate, Source, json_duplicates, load_yaml, template_loader, yaml_loader

MAX_BYTES = 5 * 1024 * 1024  # a file's size limit, unless the config's max-file-size says otherwise
MAX_EXPORT_BYTES = 200 * 1024 * 1024  # an account export's: 6,000 roles are about 14 MB
# An account export (get-account-authorization-details) is a JSON object whose first key is one of
# its own (in the CLI's order or sorted); a file that only mentions one further in is no export and
# keeps the usual limit.
_EXPORT = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*'
                     rb'"(?:UserDetailList|GroupDetailList|RoleDetailList|Policies|IsTruncated|Marker)"\s*:')
MAX_NODES = 250_000  # a YAML document expanding past this through aliases is a bomb (real ones: < 3,000)
YAML_SUFFIXES = (".yaml", ".yml")
ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
# Text that says a file is ours even when it does not parse: a state machine, a template
# that declares a resource policylint lints, a harness or another AgentCore resource, or a
# policy (a Statement, then an Effect). Every pattern on file text is searched in one pass:
# none can backtrack.
_OURS = re.compile(r"\bStartAt\b|\bAWS::(?:StepFunctions|Serverless|IAM|BedrockAgentCore)::"
                   r"|\bexecutionRoleArn\b|\bstepFunctions\b|\bagentRuntimeName\b|\bauthorizerType\b"
                   r"|\beventExpiryDuration\b")
_STATEMENT, _EFFECT = re.compile(r"\bStatement\b"), re.compile(r"\bEffect\b")
_ANCHOR, _ALIAS = re.compile(r"&[^\s,\[\]{}]+"), re.compile(r"\*[^\s,\[\]{}\"'/*]+")
_TEMPLATE_HINT = re.compile(r"^[ \t]*['\"]?Resources['\"]?[ \t]*:", re.M)


def _is_ours(text: str) -> bool:
    if _OURS.search(text):
        return True
    statement = _STATEMENT.search(text)
    return statement is not None and _EFFECT.search(text, statement.end()) is not None


_CHUNK, _OVERLAP = 1 << 20, 64  # the overlap is longer than any marker


def _claims(path: str, raw: bytes, handle: Any = None) -> bool:
    """Whether a file that cannot be linted is ours, by anything in it: ``raw`` (what was
    read), then the rest of ``handle`` a chunk at a time, so a marker far in is found
    whatever the file's size."""
    if is_terraform(path):
        from policylint.frontends.terraform import OURS_BYTES

        return any(OURS_BYTES.search(chunk) for chunk in _chunks(raw, handle))
    statement = False
    for chunk in _chunks(raw, handle):
        text = chunk.decode("latin-1")
        if _OURS.search(text):
            return True
        found = _STATEMENT.search(text)
        if (statement or found) and _EFFECT.search(text, found.end() if found and not statement else 0):
            return True
        statement = statement or found is not None
    return False


def _chunks(raw: bytes, handle: Any) -> Iterator[bytes]:
    """``raw``, then the rest of ``handle`` a chunk at a time, each after the end of the one before."""
    yield raw
    tail = raw[-_OVERLAP:]
    while handle is not None and (chunk := handle.read(_CHUNK)):
        yield tail + chunk
        tail = chunk[-_OVERLAP:]


def load(path: str, expect: str | None = None, text: str | None = None, named: bool = False,
         root: str | None = None, max_bytes: int | None = None) -> tuple[list[Document], list[Finding]]:
    """Documents in the file at ``path`` and the PL findings met reading it.

    Files that are none of ours (package.json, docker-compose.yml, ...) give neither, unless
    they cannot be read and the user ``named`` them. ``expect`` forces a kind (a SAM
    ``DefinitionUri`` is ASL whatever its name); ``text`` is the file's content when it is
    not read from disk (an editor's unsaved buffer). A link that leads out of ``root`` (the
    linted folder) is not followed. ``max_bytes`` is the size limit the config sets; without
    one, MAX_BYTES, or MAX_EXPORT_BYTES for an account export.
    """
    if expect is None and path.lower().endswith(ASL_SUFFIXES):
        expect = ASL
    source = Source(path, "")
    if text is None and os.path.islink(path) and not is_within(path, root):
        return [], [Finding(Document(ASL, None, source), (), "a link to a file outside the linted "
                            "folder; it was not followed (lint the file it leads to by its own name)",
                            code=UNRESOLVED_REFERENCE.code, position=(1, 1))]
    if text is not None and len(text) > (max_bytes or MAX_BYTES):
        return [], [_unreadable(source, f"the text is {len(text):,} characters, over the "
                                f"{max_bytes or MAX_BYTES:,} limit; it was not linted")]
    read = _read(source, expect, named, max_bytes) if text is None else text
    if isinstance(read, Finding):
        return [], [read]
    if read is None:
        return [], []
    text = read
    source.text = text
    if expect is None and is_terraform(path):
        return _terraform(source, root)
    parsed = _parse(source, expect)
    if isinstance(parsed, Finding):
        return unless_templated(source, parsed)
    if parsed is _NOT_OURS:
        return [], []
    data, duplicates = parsed
    documents, findings = _documents(data, source, expect, root)
    if documents and duplicates:
        findings = [*duplicate_keys(source, duplicates), *findings]
    return documents, findings


def _documents(data: Any, source: Source, expect: str | None,
               root: str | None) -> tuple[list[Document], list[Finding]]:
    """What the parsed file holds."""
    from policylint.frontends.cloudformation import is_template
    from policylint.frontends.serverless import is_serverless

    if expect == ASL and not isinstance(data, dict):
        return [], [Finding(Document(ASL, None, source), (), "a state machine is an object with "
                            f"StartAt and States; this file holds {_what(data)}", code=PARSE_ERROR.code,
                            position=(1, 1))]
    if expect == ASL or (isinstance(data, dict) and isinstance(data.get("States"), dict)
                         and "StartAt" in data):
        return [Document(ASL, data, source)], []
    if expect is None and is_template(data):
        return _template(Document(TEMPLATE, data, source), root)
    if expect is None and is_serverless(source.path, data):
        return _serverless(data, source, root)
    return _standalone(data, source), []


def _what(data: Any) -> str:
    if data is None:
        return "nothing"
    return {list: "a list", str: "a string", bool: "a boolean"}.get(type(data), "a number")


def _template(template: Document, root: str | None) -> tuple[list[Document], list[Finding]]:
    """A template's documents; the files its DefinitionUris name are kept in
    ``template.definition_files`` for the engine to link."""
    from policylint.frontends.cloudformation import DefinitionFile, documents_in

    docs: list[Document] = [template]
    findings: list[Finding] = []
    for item in documents_in(template, root):
        if isinstance(item, DefinitionFile):
            template.definition_files.append(item)
        else:
            (docs if isinstance(item, Document) else findings).append(item)  # type: ignore[arg-type]
    return docs, findings


def _serverless(data: dict, source: Source, root: str | None) -> tuple[list[Document], list[Finding]]:
    """A serverless.yml read as the template it deploys; nothing when it declares nothing of ours."""
    from policylint.frontends.serverless import template_view

    view, notes = template_view(data, source)
    if view is None:
        return [], []
    docs, findings = _template(view, root)
    return docs, [*notes, *findings]


def _terraform(source: Source, root: str | None) -> tuple[list[Document], list[Finding]]:
    """A .tf file read as the template it amounts to; nothing when it declares nothing of ours
    (and then HCL is not even parsed)."""
    from policylint.frontends.terraform import template_view

    view, notes = template_view(source)
    if view is None:
        return [], notes
    docs, findings = _template(view, root)
    return docs, [*notes, *findings]


def _standalone(data: Any, source: Source) -> list[Document]:
    """A harness config, another AgentCore resource (an API request or response), a policy
    document or an account export; else nothing of ours."""
    from policylint.models.agentcore import api_root
    from policylint.models.harness import harness_root
    from policylint.models.iam import account_policies, is_account_export, is_policy

    root = harness_root(data)
    if root is not None:
        return [Document(HARNESS, data["harness"] if root else data, source, root)]
    root = api_root(data)
    if root is not None:
        return [Document(AGENTCORE, data[root[0]] if root else data, source, root)]
    if is_policy(data):
        return [Document(IAM, data, source)]
    if is_account_export(data):
        return [Document(ACCOUNT, data, source),
                *(Document(IAM, policy, source, path) for path, policy in account_policies(data))]
    return []


def _unreadable(source: Source, message: str, position: tuple[int, int] = (1, 1)) -> Finding:
    return Finding(Document(ASL, None, source), (), message, code=UNREADABLE_FILE.code, position=position)


def _read(source: Source, expect: str | None, named: bool = False,
          max_bytes: int | None = None) -> str | Finding | None:
    """The file's text; a PL002 finding when it cannot be read and is (or may be) ours, or
    the user named it and it cannot be opened at all; None when it cannot be read and
    nothing says it is ours (a 10 MB package-lock.json). A file over the size limit that
    starts like an account export is read up to the export's limit."""
    limit = max_bytes or MAX_BYTES

    def ours(handle: Any = None) -> bool:  # asked only of a file that cannot be linted: all of it
        return expect is not None or bool(_EXPORT.match(raw)) or _claims(source.path, raw, handle)

    try:
        status = os.stat(source.path)
        if stat.S_ISDIR(status.st_mode):  # one the walk could not list
            os.listdir(source.path)
            return None
        with open_regular(source.path) as handle:  # a FIFO or device would block or never end
            raw = handle.read(limit + 1)
            if len(raw) > limit and max_bytes is None and _EXPORT.match(raw):
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


def _parse(source: Source, expect: str | None) -> Any:
    """The data of the file and the keys written twice in it, a PL001/PL002 finding, or
    _NOT_OURS."""
    text, path = source.text, source.path

    def ours() -> bool:  # only a file that does not parse asks (a search of the whole text)
        return expect is not None or _is_ours(text)

    is_yaml = path.lower().endswith(YAML_SUFFIXES) or (
        not path.lower().endswith(".json") and not text.lstrip().startswith(("{", "[")))
    try:
        if not is_yaml:
            data = json.loads(text)
            return data, json_duplicates(text, data)
        template = expect is None and (bool(_TEMPLATE_HINT.search(text)) and "AWS::" in text
                                       or os.path.basename(path).lower() in SERVERLESS_NAMES)
        data, duplicates = _load_yaml(text, template_loader() if template else yaml_loader())
        if _ANCHOR.search(text) and _ALIAS.search(text):  # aliases: refuse a document they blow up
            check_expansion(data)
        return data, duplicates
    except RecursionError:
        return _unreadable(source, "the document nests too deeply to be linted") if ours() else _NOT_OURS
    except json.JSONDecodeError as error:
        if not ours():
            return _NOT_OURS
        return Finding(Document(ASL, None, source), (), f"invalid JSON: {error.msg}", code=PARSE_ERROR.code,
                       position=(error.lineno, error.colno))
    except _YamlError as error:
        if not ours():
            return _NOT_OURS
        return Finding(Document(ASL, None, source), (), f"invalid YAML: {error.message}",
                       code=PARSE_ERROR.code, position=error.position)
    except TooLarge:
        return _unreadable(source, "YAML aliases expand this document past "
                           f"{MAX_NODES:,} nodes (an alias bomb); it was not linted")


class _YamlError(Exception):
    def __init__(self, message: str, position: tuple[int, int]) -> None:
        super().__init__(message)
        self.message, self.position = message, position


class TooLarge(Exception):
    """Shared (aliased) YAML nodes make a document too large when walked."""


def _load_yaml(text: str, loader: Any) -> tuple[Any, list[Duplicate]]:
    import yaml

    try:
        return load_yaml(text, loader)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):  # libyaml's own limit (PyYAML >= 6.0.4)
            raise RecursionError(str(error.problem)) from None
        mark = error.problem_mark or error.context_mark
        position = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _YamlError(f"{error.problem or error.context}", position) from None
    except yaml.YAMLError as error:
        raise _YamlError(str(error).splitlines()[0], (1, 1)) from None


def check_expansion(data: Any, limit: int = MAX_NODES) -> None:
    """Raise TooLarge when shared (aliased) nodes make the document huge when walked."""
    count, stack = 0, [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            raise TooLarge()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
