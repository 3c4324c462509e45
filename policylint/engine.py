"""Load plugins, load documents, run the selected rules, contain their crashes."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from itertools import islice
from types import ModuleType
from typing import Any, NamedTuple

import pluggy

from policylint import hookspecs, problems, suppress, unused_ignores
from policylint.config import Config, ConfigError
from policylint.discover import is_terraform
from policylint.load import MAX_BYTES, load
from policylint.models import ASL, TEMPLATE, Document
from policylint.paths import open_regular
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.project import Context, LocalProject, Project
from policylint.rule import Finding, Rule, Severity

_MARK = f"{hookspecs.PROJECT}_impl"  # the attribute @hookimpl sets on a function


class InternalError(NamedTuple):
    """A rule or loader that raised: named in the report, and the run exits 2."""

    what: str  # the rule code, or "load"
    file: str
    error: str


SKIPPED, UNREADABLE = "skipped", "unreadable"  # what a file with no document of ours was


class Outcome:
    """What the engine hands the report: findings, internal errors, what each file was read
    as (``kinds``: its first document's kind, else ``skipped`` or ``unreadable``), and the
    documents."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[InternalError] = []
        self.kinds: dict[str, str] = {}
        self.documents: list[Document] = []


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, but a module's attributes are read from its namespace: pluggy's own
    careful lookup of every attribute of every plugin module costs a few ms a run."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        if isinstance(plugin, ModuleType) and not hasattr(vars(plugin).get(name), _MARK):
            return None
        return super().parse_hookimpl_opts(plugin, name)


class Engine:
    """The plugin host: rules and formats come from the ``policylint`` entry points."""

    def __init__(self, extra_plugins: Iterable[object] = ()) -> None:
        from policylint.plugins import entry_points

        self.plugins = _PluginManager(hookspecs.PROJECT)
        self.plugins.add_hookspecs(hookspecs)
        self.plugins.register(problems, name="problems")  # PL0xx: the engine's own
        # What pluggy's load_setuptools_entrypoints does, without importlib.metadata.
        for entry_point in entry_points(hookspecs.PROJECT):
            if self.plugins.get_plugin(entry_point.name) is None:
                try:
                    module = entry_point.load()
                except Exception as error:  # a broken plugin is a setup error, not a crash
                    raise ConfigError(f"plugin {entry_point.name!r} ({entry_point.value}) failed "
                                      f"to load: {_describe(error)}") from None
                self.plugins.register(module, name=entry_point.name)
        for plugin in extra_plugins:
            self.plugins.register(plugin)

    @cached_property
    def rules(self) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        for contributed in self.plugins.hook.policylint_rules():
            for rule in contributed:
                if rule.code in rules:
                    raise ConfigError(f"two plugins define rule {rule.code}")
                rules[rule.code] = rule
        return dict(sorted(rules.items()))

    @cached_property
    def formats(self) -> dict[str, Callable]:
        formats: dict[str, Callable] = {}
        for contributed in self.plugins.hook.policylint_formats():
            formats.update(contributed)
        return formats

    def find_rule(self, code_or_name: str) -> Rule | None:
        wanted = code_or_name.strip()
        for rule in self.rules.values():
            if wanted.upper() == rule.code or wanted.lower() == rule.name:
                return rule
        return None

    def check_selection(self, config: Config) -> None:
        """Raise ConfigError for a rule code or name in the config that matches no rule."""
        prefixes = [*config.select, *config.ignore, *config.unsuppressible,
                    *(code for _, codes in config.per_file_ignores for code in codes)]
        for entry in prefixes:
            if not any(Config(select=(entry,)).selects(r.code, r.name)
                       for r in self.rules.values()):
                raise ConfigError(f"unknown rule code or name {entry!r} (see `policylint rules`)")
        for entry, _ in config.severity:
            if self.find_rule(entry) is None:
                raise ConfigError(f"severity: unknown rule code or name {entry!r} (see `policylint rules`)")

    def run(self, files: Iterable[str], config: Config, jobs: int = 1,
            texts: dict[str, str] | None = None, named: frozenset[str] = frozenset(),
            root: str | None = None) -> Outcome:
        """Lint ``files``. With ``jobs`` > 1, files are read and parsed, the rules that read
        one document at a time run, and their findings are located, in that many processes;
        the cross-file rules then run here, over every document. ``texts`` gives the content
        of files that are not to be read from disk (an editor's buffers); ``named`` the files
        the user named (reported when they cannot be read, whatever they are); links may not
        lead out of ``root``."""
        outcome = Outcome()
        files = list(files)
        texts = texts or {}
        audited = unused_ignores.audited(config, self.rules)
        selected = [r for r in self.rules.values() if config.selects(r.code, r.name) or r.code in audited]
        local = [r for r in selected if r.check is not None and r.scope == "document" and not r.cross_file]
        parallel = jobs > 1 and len(files) >= 2 * jobs and not texts
        load_here = partial(_load_files, texts=texts, named=named, root=root, max_bytes=config.max_file_size)
        if parallel:
            # Templates that name definition files, and those files, are read here, so that a
            # definition file is linted once, with its template's substitutions; so are
            # Terraform files, whose module is read as one. The other files are read and
            # linted by one-document rules in worker processes.
            referrers = [f for f in files if _may_name_definition_files(f)]
            here = load_here(referrers)
            claimed = _claimed(here)
            first = set(referrers)
            others = [f for f in files if f not in first and _key(f) not in claimed]
            work = partial(_lint_files, config=config, codes=tuple(r.code for r in local),
                           named=named, root=root)
            chunks = [(here, [], []), *_in_processes(work, others, jobs)]
            files_here = {_key(f): f for f in files if _key(f) in claimed}
        else:
            chunks = [(load_here(files), [], [])]
            files_here = {_key(f): f for f in files}
        documents: list[Document] = []
        for loaded, found, errors in chunks:
            _record(loaded, documents, outcome)
            outcome.findings.extend(found)
            outcome.errors.extend(errors)
        if any(is_terraform(f) for f in files):
            from policylint.frontends.terraform import link_modules

            outcome.findings.extend(link_modules(documents))
        linked = _link_definition_files(documents, outcome, files_here, load_here)
        documents.extend(linked)
        project = Project(documents, config)
        if parallel:  # the documents read here still need the one-document rules
            mine = {id(d) for d in linked} | {id(d) for _, docs, _, _ in chunks[0][0] for d in docs}
            self._run_rules(local, [d for d in documents if id(d) in mine], project, outcome)
        if any(r.code == UNRESOLVED_REFERENCE.code for r in selected):
            try:
                outcome.findings.extend(project.index.unresolved())
            except Exception as error:  # an index bug must not take the run down
                outcome.errors.append(InternalError("index", "", _describe(error)))
        rest = [r for r in selected if r.check is not None and not (parallel and r in local)]
        self._run_rules(rest, documents, project, outcome)
        selected_codes = {r.code for r in selected} - audited
        outcome.findings, unused = unused_ignores.apply(outcome.findings, config, self.rules, selected_codes)
        for finding in outcome.findings:
            level = config.level_of(finding.code, self.rules[finding.code].name) if config.severity else None
            if level is not None:
                finding.severity = Severity.parse(level)
        outcome.findings = capped(outcome.findings)
        if parallel:
            _locate_in_processes(outcome.findings, jobs)
        try:
            about = suppress.apply(outcome.findings, documents, self.rules, selected_codes, config)
        except Exception as error:  # a suppression bug must not take the run down
            outcome.errors.append(InternalError("suppressions", "", _describe(error)))
            about = []
        outcome.findings.extend(f for f in about if f.code in selected_codes)
        outcome.findings.extend(unused)
        outcome.documents = documents
        return outcome

    def _run_rules(self, rules: list[Rule], documents: list[Document], project: Project,
                   outcome: Outcome) -> None:
        # A rule that is not cross_file sees a project without the index, as in a worker.
        local = LocalProject(project.documents, project.config)
        by_kind: dict[tuple[str, bool], list[Context]] = {}
        for document in documents:
            if document.data is not None:
                by_kind.setdefault((document.kind, True), []).append(Context(document, project))
                by_kind.setdefault((document.kind, False), []).append(Context(document, local))
        too_deep: dict[Document, list[str]] = {}
        for rule in rules:
            if rule.scope == "project":
                self._apply(rule, project, "", outcome)
                continue
            for kind in rule.kinds:
                for ctx in by_kind.get((kind, rule.cross_file), ()):
                    if not self._apply(rule, ctx, ctx.document.source.path, outcome):
                        too_deep.setdefault(ctx.document, []).append(rule.code)
        for document, codes in too_deep.items():
            outcome.findings.append(Finding(
                document, (), f"this document nests too deeply for {', '.join(codes)} to check it; "
                "the other rules ran", code=UNRESOLVED_REFERENCE.code))

    @staticmethod
    def _apply(rule: Rule, ctx: object, file: str, outcome: Outcome) -> bool:
        """Run ``rule``; False when the document nests too deeply for it (a RecursionError)."""
        try:
            found = list(islice(rule(ctx), MAX_ASKED))
        except RecursionError:
            if isinstance(ctx, Context):
                return False
            outcome.errors.append(InternalError(rule.code, file, "the input nests too deeply"))
            return True
        except Exception as error:  # contain the rule: report it, run the others
            outcome.errors.append(InternalError(rule.code, file, _describe(error)))
            return True
        for finding in found:
            # what a rule could not check, said as the engine says it
            if finding.code == UNRESOLVED_REFERENCE.code:
                continue
            finding.code = rule.code
            if finding.severity is None:
                finding.severity = rule.severity
        outcome.findings.extend(found)
        return True


_WORKER_ENGINE: list[Engine] = []


def _lint_files(files: list[str], config: Config, codes: tuple[str, ...], named: frozenset[str],
                root: str | None) -> list[tuple]:
    """In a worker process: load ``files``, run the one-document rules ``codes`` on them and
    locate their findings. Their project sees only these files, so it has no index."""
    if not _WORKER_ENGINE:
        _WORKER_ENGINE.append(Engine())
    engine = _WORKER_ENGINE[0]
    loaded = _load_files(files, {}, named, root, config.max_file_size)
    documents = [d for _, docs, _, _ in loaded for d in docs]
    outcome = Outcome()
    engine._run_rules([engine.rules[c] for c in codes], documents, LocalProject(documents, config), outcome)
    outcome.findings = capped(outcome.findings)
    for finding in outcome.findings:
        finding.location()
    for document in documents:  # what positions were worked out with need not travel back
        document.source.release()
    return [(loaded, outcome.findings, outcome.errors)]


def _load_files(files: list[str], texts: dict[str, str], named: frozenset[str], root: str | None,
                max_bytes: int | None = None, expect: str | None = None,
                ) -> list[tuple[str, list[Document], list[Finding], str | None]]:
    loaded: list[tuple[str, list[Document], list[Finding], str | None]] = []
    for file in files:
        try:
            loaded.append((file, *load(file, expect=expect, text=texts.get(file), named=file in named,
                                       root=root, max_bytes=max_bytes), None))
        except Exception as error:
            loaded.append((file, [], [], _describe(error)))
    return loaded


def _in_processes(function: Callable[[list], list], items: list, jobs: int) -> list:
    """``function`` over ``items`` in ``jobs`` processes (in this one when ``jobs`` is 1), in order."""
    if jobs <= 1 or len(items) < 2 * jobs:
        return function(items)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, len(items) // (jobs * 8))  # small chunks: a slow file does not stall a worker
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                          else None)
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = [pool.submit(function, chunk) for chunk in chunks]
        return [result for future, chunk in zip(futures, chunks, strict=True)
                for result in _result(future, function, chunk)]


def _result(future: Any, function: Callable[[list], list], chunk: list) -> list:
    """A worker's result; its chunk done again here when the worker failed (a document too
    deep to send back between processes, a worker killed for memory)."""
    try:
        return future.result()
    except Exception:
        return function(chunk)


def _positions(batch: list[tuple[Any, list[tuple[tuple, str]]]]) -> list[list[tuple[int, int]]]:
    return [[source.locate(path, at)[:2] for path, at in wanted] for source, wanted in batch]


def _locate_in_processes(findings: list[Finding], jobs: int) -> None:
    """Work out the line and column of findings, a file per task, in ``jobs`` processes."""
    by_source: dict[int, tuple[Any, list[Finding]]] = {}
    for finding in findings:
        if finding.position is None:
            source = finding.document.source
            by_source.setdefault(id(source), (source, []))[1].append(finding)
    batch = [(source, [((*f.document.root, *f.path), f.at) for f in found])
             for source, found in by_source.values()]
    located = _in_processes(_positions, batch, jobs)
    for (_, found), positions in zip(by_source.values(), located, strict=True):
        for finding, position in zip(found, positions, strict=True):
            finding.position = position


MAX_FINDINGS = 1_000  # of one rule in one file: the one after it says how many more there are
MAX_ASKED = 100 * MAX_FINDINGS  # a rule is not asked for more than this on one document


def capped(findings: list[Finding]) -> list[Finding]:
    """The first MAX_FINDINGS + 1 findings of each code in each file, the last of them
    counting (``omitted``) those left out: repetition (YAML aliases, a generated file) cannot
    multiply the work of locating and reporting, or the size of the report. Findings that
    already count others (a worker's) are merged."""
    kept: list[Finding] = []
    counts: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], Finding] = {}
    omitted: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.code, finding.document.source.path)
        counts[key] = count = counts.get(key, 0) + 1
        if count <= MAX_FINDINGS + 1:
            kept.append(finding)
            last[key] = finding
        if count > MAX_FINDINGS + 1 or finding.omitted:
            omitted[key] = omitted.get(key, 0) + finding.omitted + (count > MAX_FINDINGS + 1)
    for key, more in omitted.items():
        last[key].omitted = more
    return kept


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _record(loaded: list[tuple[str, list[Document], list[Finding], str | None]],
            documents: list[Document], outcome: Outcome) -> None:
    """Keep what loading gave: documents, findings, what each file was read as."""
    for file, docs, at_load, error in loaded:
        outcome.kinds[file] = docs[0].kind if docs else UNREADABLE if at_load else SKIPPED
        if error is not None:  # a loader bug must not take the other files down
            outcome.errors.append(InternalError("load", file, error))
        documents.extend(docs)
        outcome.findings.extend(at_load)


def _key(file: str) -> str:
    return os.path.normpath(os.path.abspath(file))


def _may_name_definition_files(file: str) -> bool:
    """Whether a file may be a template naming a local definition file (a cheap look at its
    bytes: only these are read before the others), or is Terraform (a module's files are
    read together)."""
    if is_terraform(file):
        return True
    try:
        with open_regular(file) as handle:
            head = handle.read(MAX_BYTES + 1)
    except OSError:  # Refused too: the loader says what it is
        return False
    return b"DefinitionUri" in head or b"${file(" in head


def _claimed(loaded: list[tuple[str, list[Document], list[Finding], str | None]]) -> set[str]:
    return {_key(ref.file) for _, docs, _, _ in loaded for d in docs for ref in d.definition_files}


def _link_definition_files(documents: list[Document], outcome: Outcome, files: dict[str, str],
                           load_files: Callable[[list[str]], list]) -> list[Document]:
    """Give each template's DefinitionUri file its state machine, with the template's
    substitutions, workflow type and logical id: the file's own document when it was read
    (``files`` maps a key to the path as discovered), else the file read now, once. A file
    two templates name is one document per template, from one read. Returns the documents
    added."""
    state_machines = {_key(d.source.path): d for d in documents
                      if d.kind == ASL and not d.root and d.template is None}
    read = {_key(file) for file in outcome.kinds}
    added: list[Document] = []
    for template in [d for d in documents if d.kind == TEMPLATE]:
        for ref in template.definition_files:
            key = _key(ref.file)
            document = state_machines.get(key)
            if document is None and (key not in read or outcome.kinds.get(files.get(key, "")) == SKIPPED):
                # not read yet; or read as none of ours, which as a definition it is: read as one
                docs: list[Document] = []
                _record(load_files([files.get(key, ref.file)], expect=ASL), docs, outcome)
                document = next((d for d in docs if d.kind == ASL), None)
                read.add(key)
                if document is not None:
                    state_machines[key] = document
                    added.append(document)
            if document is None:
                continue
            if document.template is not None:  # named by another template too
                document = Document(ASL, document.data, document.source)
                added.append(document)
            document.substitutions, document.template = ref.substitutions, template
            document.logical_id = ref.logical_id
    return added
