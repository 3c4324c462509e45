"""``policylint lsp``: a language server on stdio (pygls).

Diagnostics for the state machines, templates, policies and harness configs an editor
opens, on open, change and save (the unsaved text is what is linted); the rule's help on
hover. Cross-file checks see the file being edited and the files it names (DefinitionUri),
and for Terraform the other files of its module.
A burst of changes is linted once, DEBOUNCE seconds after the last; a change to a document
never opened is ignored.
"""
from __future__ import annotations

import os
import re
from typing import Any

from policylint import __version__
from policylint.config import ConfigError, find_config
from policylint.engine import Engine
from policylint.report import Problem, build_report, shown_message

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s,:}\]]+')
DEBOUNCE = 0.3  # seconds


def serve() -> None:
    import asyncio

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol, lsp_method

    class Protocol(LanguageServerProtocol):
        @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
        def lsp_text_document__did_change(self, params: Any) -> Any:
            from urllib.parse import unquote

            if unquote(params.text_document.uri) not in self.workspace.text_documents:
                return None  # never opened: nothing to apply the change to, nothing to lint
            return (yield from super().lsp_text_document__did_change(params))

    server = LanguageServer("policylint", __version__, protocol_cls=Protocol,
                            text_document_sync_kind=types.TextDocumentSyncKind.Full)
    changes: dict[str, int] = {}  # uri -> how many changes it has had
    engine = Engine()
    problems: dict[str, list[tuple[Problem, Any]]] = {}
    severity = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
                "note": types.DiagnosticSeverity.Information}

    with_policies: dict[str, Engine] = {}  # the policies as written -> an engine with them

    def _engine_for(config: Any) -> Engine:
        """The engine, or one that also has the config's organisation policies (as they are
        now: an edited config gives another)."""
        if not config.policies:
            return engine
        import json

        from policylint.policies import install

        key = json.dumps(config.policies, sort_keys=True, default=str)
        if key not in with_policies:
            with_policies.clear()
            with_policies[key] = Engine()
            install(with_policies[key], config)
        return with_policies[key]

    def lint(ls: Any, uri: str) -> None:
        """Publish the diagnostics of ``uri``; an error is shown as every text goes out (masked
        and escaped), never left to the server's own report, which quotes it raw."""
        try:
            publish(ls, uri)
        except ConfigError as error:
            message = shown_message(str(error))
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
        except Exception as error:
            message = shown_message(f"policylint: internal error: {type(error).__name__}: {error}")
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    def publish(ls: Any, uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        root = _root(ls.workspace, document.path)
        config = find_config(document.path, root)
        here = _engine_for(config)
        outcome = here.run([document.path, *here.companions(document.path)], config,
                           texts={document.path: document.source}, root=root)
        report = build_report(outcome, here.rules)
        lines = document.source.splitlines()
        mine = [p for p in report.problems if _same(p.raw_file, document.path)]
        found = [(p, _range(types, lines, p)) for p in mine]
        problems[uri] = found
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[
            types.Diagnostic(range=r, message=p.message, severity=severity[p.severity.label],
                             code=p.code, source="policylint",
                             code_description=types.CodeDescription(
                                 href=f"https://github.com/policylint/policylint/blob/main/docs/rules.md"
                                      f"#{p.code.lower()}"))
            for p, r in found]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: Any) -> None:
        lint(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: Any, params: Any) -> None:
        uri = params.text_document.uri
        mine = changes[uri] = changes.get(uri, 0) + 1
        await asyncio.sleep(DEBOUNCE)
        if changes.get(uri) == mine and uri in ls.workspace.text_documents:
            lint(ls, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: Any) -> None:
        lint(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: Any) -> None:
        problems.pop(params.text_document.uri, None)
        changes.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: Any, params: Any) -> Any:
        at = params.position
        for problem, where in problems.get(params.text_document.uri, []):
            if where.start.line == at.line and where.start.character <= at.character <= where.end.character:
                rule = engine.rules.get(problem.code) or next(
                    (e.rules[problem.code] for e in with_policies.values() if problem.code in e.rules), None)
                if rule is None:
                    return None
                return types.Hover(contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown,
                    value=f"**{rule.code} {rule.name}** ({rule.severity.label})\n\n{rule.help}"), range=where)
        return None

    server.start_io()


def _root(workspace: Any, path: str) -> str:
    """The linted folder of a file an editor opened: the innermost workspace folder that holds
    it, else its own folder. Its links and references may not lead out of it, as in the CLI."""
    from pygls.uris import to_fs_path

    from policylint.paths import is_within

    folder = os.path.dirname(os.path.abspath(path))
    roots = [to_fs_path(f.uri) for f in workspace.folders.values()] + [workspace.root_path]
    holding = [r for r in roots if r and is_within(folder, r)]
    return max(holding, key=len) if holding else folder


def _same(shown: str, path: str) -> bool:
    return os.path.abspath(shown) == os.path.abspath(path)


def _range(types: Any, lines: list[str], problem: Problem) -> Any:
    """From the reported position to the end of the key or value that starts there."""
    line, start = problem.line - 1, problem.column - 1
    text = lines[line] if 0 <= line < len(lines) else ""
    match = _TOKEN.match(text, start)
    end = match.end() if match and match.end() > start else min(len(text), start + 1)
    return types.Range(start=types.Position(line=line, character=start),
                       end=types.Position(line=line, character=max(end, start + 1)))
