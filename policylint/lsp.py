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
    linted: dict[str, str] = {}  # uri -> the text its problems were found in (for quick fixes)
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
        outcome = here.run([document.path, *_companions(here, document.path, root)], config,
                           texts={document.path: document.source}, root=root)
        report = build_report(outcome, here.rules)
        lines = document.source.splitlines()
        mine = [p for p in report.problems if _same(p.raw_file, document.path)]
        found = [(p, _range(types, lines, p)) for p in mine]
        problems[uri] = found
        linted[uri] = document.source
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
        linted.pop(params.text_document.uri, None)
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

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: Any, params: Any) -> Any:
        """Each fix of a problem in the range as a quick fix (unsafe ones say so), and "fix
        all safe" for the file; nothing when the buffer changed since it was linted."""
        uri = params.text_document.uri
        document = ls.workspace.get_text_document(uri)
        if linted.get(uri) != document.source:
            return []
        return _code_actions(types, uri, document.source, problems.get(uri, []), params,
                             lambda text: _fix_all(engine, ls, document.path, text))

    server.start_io()


FIX_ALL = "source.fixAll.policylint"


def _code_actions(types: Any, uri: str, text: str, found: list[tuple[Problem, Any]], params: Any,
                  fix_all: Any) -> list[Any]:
    from policylint.fix import plan

    only = params.context.only if params.context is not None else None
    actions = []
    wanted = params.range
    for problem, where in found:
        if problem.fix is None or (only and types.CodeActionKind.QuickFix not in only):
            continue
        if where.end.line < wanted.start.line or where.start.line > wanted.end.line:
            continue
        planned = plan(problem.fix.finding)
        if not planned.edits:
            continue
        safe = problem.fix.applicability == "safe"
        title = f"{problem.code}: {problem.fix.title}" + ("" if safe else " (unsafe: changes behaviour)")
        edits = [types.TextEdit(range=_lsp_range(types, text, e.start, e.end), new_text=e.new)
                 for e in planned.edits]
        actions.append(types.CodeAction(
            title=title, kind=types.CodeActionKind.QuickFix, is_preferred=safe,
            diagnostics=[d for d in (params.context.diagnostics if params.context else [])
                         if d.code == problem.code and d.range.start == where.start] or None,
            edit=types.WorkspaceEdit(changes={uri: edits})))
    if any(p.fix is not None and p.fix.applicability == "safe" for p, _ in found) and \
            (not only or any(FIX_ALL.startswith(k) or k == types.CodeActionKind.SourceFixAll for k in only)):
        fixed = fix_all(text)
        if fixed != text:
            actions.append(types.CodeAction(
                title="policylint: fix all safe problems in this file", kind=FIX_ALL,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(
                    range=_lsp_range(types, text, 0, len(text)), new_text=fixed)]})))
    return actions


def _fix_all(engine: Engine, ls: Any, path: str, text: str) -> str:
    """``text`` with every safe fix applied, in passes as ``--fix`` does."""
    from policylint.fix import MAX_PASSES, applicable, file_source, fix_pass

    root = _root(ls.workspace, path)
    config = find_config(path, root)
    for _ in range(MAX_PASSES):
        outcome = engine.run([path, *_companions(engine, path, root)], config, texts={path: text}, root=root)
        report = build_report(outcome, engine.rules)
        findings = [p.fix.finding for p in report.problems if p.fix is not None and applicable(p.fix, False)]
        findings = [f for f in findings if _same(file_source(f.source).path, path)]
        new, _, _ = fix_pass(findings, {file_source(f.source).path: text for f in findings[:1]})
        changed = next(iter(new.values()), text)
        if changed == text:
            break
        text = changed
    return text


def _lsp_range(types: Any, text: str, start: int, end: int) -> Any:
    return types.Range(start=_lsp_position(types, text, start), end=_lsp_position(types, text, end))


def _lsp_position(types: Any, text: str, index: int) -> Any:
    """An LSP position (line, UTF-16 code units) of a character index of ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=len(text[line_start:index].encode("utf-16-le")) // 2)


def _root(workspace: Any, path: str) -> str:
    """The linted folder of a file an editor opened: the innermost workspace folder that holds
    it, else its own folder. Its links and references may not lead out of it, as in the CLI."""
    from pygls.uris import to_fs_path

    from policylint.paths import is_within

    folder = os.path.dirname(os.path.abspath(path))
    roots = [to_fs_path(f.uri) for f in workspace.folders.values()] + [workspace.root_path]
    holding = [r for r in roots if r and is_within(folder, r)]
    return max(holding, key=len) if holding else folder


def _companions(engine: Engine, path: str, root: str) -> list[str]:
    """The files to lint with a buffer, those in its workspace only."""
    from policylint.paths import is_within

    return [c for c in engine.companions(path) if is_within(c, root)]


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
