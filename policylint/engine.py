"""The engine: plugins in; then, for a run, the phases load, link, index, rules, filter.

Between phases travel plain records (``Loaded``, ``Batch``, ``Linked``, ``Outcome``); the
engine names no front end and no rule: it asks the front ends and rules the plugins give."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property, partial
from itertools import islice
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy

from policylint import hookspecs, problems, suppress, unused_ignores
from policylint.config import Config, ConfigError
from policylint.discover import JSON_YAML
from policylint.frontends import FrontEnd, Loaded, frontends_of
from policylint.limits import MAX_ASKED, MAX_FINDINGS, MAX_KEPT_TREES
from policylint.load import claimant, load
from policylint.models import Document
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.project import Context, LocalProject, Project
from policylint.records import SKIPPED, UNREADABLE, InternalError, Outcome
from policylint.rule import Finding, Rule, Severity

if TYPE_CHECKING:
    from policylint.secrets import Hidden

_MARK = f"{hookspecs.PROJECT}_impl"  # the attribute @hookimpl sets on a function


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

    @cached_property
    def frontends(self) -> list[FrontEnd]:
        try:
            return frontends_of(self.plugins.hook.policylint_frontends())
        except ValueError as error:
            raise ConfigError(str(error)) from None

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file names a folder walk collects: JSON, YAML, and what the front ends add."""
        return tuple(dict.fromkeys((*JSON_YAML, *(s for f in self.frontends for s in f.suffixes))))

    def companions(self, path: str) -> list[str]:
        """The files to read with ``path`` when it is linted alone (an editor's buffer)."""
        return [c for f in self.frontends for c in f.companions(path)]

    def run(self, files: Iterable[str], config: Config, jobs: int = 1,
            texts: dict[str, str] | None = None, named: frozenset[str] = frozenset(),
            root: str | None = None) -> Outcome:
        """Lint ``files``, in phases: load (and run the one-document rules on what no link
        can change) in ``jobs`` processes; link across files; index; run the other rules
        over every document; filter (suppressions, severities, caps) and locate. ``texts``
        gives the content of files not to be read from disk (an editor's buffers); ``named``
        the files the user named (reported when they cannot be read, whatever they are);
        links may not lead out of ``root``."""
        _HOST[:] = [self, os.getpid()]
        plan = self._plan(config)
        run = tuple(files)
        reading = Reading(texts or {}, named, root, config.max_file_size, Spellings(run))
        outcome = Outcome()
        codes = tuple(r.code for r in plan.local)
        work = partial(_load_and_lint, codes=codes, reading=reading, config=config, apart=jobs > 1)
        for batch in _in_processes(work, sorted(run, key=_alike) if jobs > 1 else list(run), jobs):
            _keep(batch, outcome)
        place = _places(run)  # documents and errors in one order, whichever process loaded which file
        outcome.documents.sort(key=partial(_document_place, place))
        outcome.errors.sort(key=lambda error: place(error.file))
        waiting = self._link(outcome, reading)
        outcome.claimed = self._claimed(f for f, kind in outcome.kinds.items() if kind == SKIPPED)
        project = Project(outcome.documents, config)
        if any(r.code == UNRESOLVED_REFERENCE.code for r in plan.selected):
            try:
                outcome.findings.extend(project.index.unresolved())
            except Exception as error:  # an index bug must not take the run down
                outcome.errors.append(InternalError("index", "", _describe(error)))
        self._run_rules(plan.local, waiting, project, outcome)
        self._run_rules([r for r in plan.selected if r.check is not None and r not in plan.local],
                        outcome.documents, project, outcome)
        self._filter(plan, config, outcome, jobs)
        return outcome

    def _plan(self, config: Config) -> Plan:
        audited = unused_ignores.audited(config, self.rules)
        selected = [r for r in self.rules.values() if config.selects(r.code, r.name) or r.code in audited]
        local = [r for r in selected if r.check is not None and r.scope == "document" and not r.cross_file]
        return Plan(selected, local, audited)

    def _link(self, outcome: Outcome, reading: Reading) -> list[Document]:
        """Let each front end join what files refer to in others; the documents it replaces
        leave the run with their findings. Returns the documents whose one-document rules
        are still to run: those that waited for the link, and those it made."""
        discovered = {_key(file): file for file in outcome.kinds}

        def reader(files: Sequence[str], expect: str) -> list[Loaded]:
            """Read files as ``expect``: those not read yet, or read as none of ours."""
            wanted = [discovered.get(_key(f), f) for f in files]
            wanted = [f for f in wanted if outcome.kinds.get(f, SKIPPED) == SKIPPED]
            discovered.update((_key(f), f) for f in wanted)
            loaded = _load_files(wanted, reading, self.frontends, expect)
            _keep(Batch(loaded, [], [], {}), outcome, documents=False)  # the front end says what they become
            return loaded

        made: list[Document] = []
        for frontend in self.frontends:
            linked = frontend.link(outcome.documents, reader)
            gone = {id(d) for d in linked.replaced}
            for document in [*linked.replaced, *linked.added]:  # their files hold other documents now
                outcome.hidden.pop(document.source.path, None)
            if gone:
                outcome.documents = [d for d in outcome.documents if id(d) not in gone]
                outcome.findings = [f for f in outcome.findings if id(f.document) not in gone]
                made = [d for d in made if id(d) not in gone]
            outcome.documents.extend(linked.added)
            outcome.findings.extend(linked.findings)
            made.extend(linked.added)
        new = {id(d) for d in made}  # each once: what a link makes may wait for links too
        return [d for d in outcome.documents if id(d) in new or self._waits(d)]

    def _claimed(self, files: Iterable[str]) -> dict[str, str]:
        """The title of the front end that claims each file by its name, when one does."""
        found: dict[str, str] = {}
        for file in files:
            frontend = claimant(file, self.frontends)
            if frontend is not None:
                found[file] = frontend.title or frontend.name
        return found

    def _waits(self, document: Document) -> bool:
        return any(f.waits_for_link(document) for f in self._linking)

    @cached_property
    def _linking(self) -> list[FrontEnd]:
        """The front ends whose link may change what a document means (asked of every one)."""
        return [f for f in self.frontends if type(f).waits_for_link is not FrontEnd.waits_for_link]

    def _filter(self, plan: Plan, config: Config, outcome: Outcome, jobs: int) -> None:
        """Config ignores, severities, the cap on findings, positions, suppressions."""
        selected_codes = {r.code for r in plan.selected} - plan.audited
        outcome.findings, unused = unused_ignores.apply(outcome.findings, config, self.rules, selected_codes)
        for finding in outcome.findings:
            level = config.level_of(finding.code, self.rules[finding.code].name) if config.severity else None
            if level is not None:
                finding.severity = Severity.parse(level)
        outcome.findings = capped(outcome.findings)
        _locate(outcome.findings, jobs)
        try:
            about = suppress.apply(outcome.findings, outcome.documents, self.rules, selected_codes, config)
        except Exception as error:  # a suppression bug must not take the run down
            outcome.errors.append(InternalError("suppressions", "", _describe(error)))
            about = []
        outcome.findings.extend(f for f in about if f.code in selected_codes)
        outcome.findings.extend(unused)

    def _run_rules(self, rules: list[Rule], documents: list[Document], project: Project,
                   outcome: Outcome) -> None:
        # A rule that is not cross_file sees a project without the index, as in a worker.
        views = {cross_file: project if cross_file else LocalProject(project.documents, project.config)
                 for cross_file in {r.cross_file for r in rules if r.scope == "document"}}
        by_kind: dict[tuple[str, bool], list[Context]] = {}
        for document in documents:
            if document.data is not None:
                for cross_file, seen in views.items():
                    by_kind.setdefault((document.kind, cross_file), []).append(Context(document, seen))
        too_deep: dict[Document, list[str]] = {}
        for rule in rules:
            if rule.scope == "project":
                self._apply(rule, project, outcome)
                continue
            for kind in rule.kinds:
                for ctx in by_kind.get((kind, rule.cross_file), ()):
                    if not self._apply(rule, ctx, outcome):
                        too_deep.setdefault(ctx.document, []).append(rule.code)
        for document, codes in too_deep.items():
            outcome.findings.append(Finding(
                document, (), f"this document nests too deeply for {', '.join(codes)} to check it; "
                "the other rules ran", code=UNRESOLVED_REFERENCE.code))

    @staticmethod
    def _apply(rule: Rule, ctx: Context | Project, outcome: Outcome) -> bool:
        """Run ``rule``; False when the document nests too deeply for it (a RecursionError).
        Called for every rule on every document: what a rule that finds nothing costs."""
        try:
            found = list(islice(rule.check(ctx), MAX_ASKED))  # type: ignore[misc]
        except RecursionError:
            if isinstance(ctx, Context):
                return False
            outcome.errors.append(InternalError(rule.code, "", "the input nests too deeply"))
            return True
        except Exception as error:  # contain the rule: report it, run the others
            file = ctx.document.source.path if isinstance(ctx, Context) else ""
            outcome.errors.append(InternalError(rule.code, file, _describe(error)))
            return True
        if found:
            for finding in found:
                # what a rule could not check, said as the engine says it
                if finding.code == UNRESOLVED_REFERENCE.code:
                    continue
                finding.code = rule.code
                if finding.severity is None:
                    finding.severity = rule.severity
            outcome.findings.extend(found)
        return True


class Plan(NamedTuple):
    """The rules a run asks: ``selected`` ones, the ``local`` (one-document) ones among them,
    and those run only to find unused config ignores (``audited``)."""

    selected: list[Rule]
    local: list[Rule]
    audited: set[str]


class Spellings:
    """The files of a run by their normalised path, worked out once a process, when a link
    first reads one: a file a link reads is spelled as the run spells it (one file of the
    report)."""

    def __init__(self, files: tuple[str, ...] = ()) -> None:
        self.files = files

    @cached_property
    def by_key(self) -> dict[str, str]:
        return {_key(file): file for file in self.files}


class Reading(NamedTuple):
    """How files are read: editors' buffers (``texts``), the files the user named, the linted
    folder (``root``), the size limit, how the run spells its files."""

    texts: dict[str, str]
    named: frozenset[str]
    root: str | None
    max_bytes: int | None
    spellings: Spellings = Spellings()


class Batch(NamedTuple):
    """What loading a share of the files gave: what each file held, the findings and errors
    of the one-document rules run on what no link can change, and what a report must not
    show of the files with findings (by path; worked out in a run of several processes)."""

    loaded: list[Loaded]
    findings: list[Finding]
    errors: list[InternalError]
    hidden: dict[str, Hidden]


_HOST: list[Any] = []  # the engine of the run and its process (a forked worker inherits them)


def _load_and_lint(files: list[str], codes: tuple[str, ...], reading: Reading, config: Config,
                   apart: bool) -> list[Batch]:
    """Load ``files``, run the one-document rules ``codes`` on the documents no link can
    change, and (``apart``: in a run of several processes, in a worker or in this one) work
    out what the report needs of their findings: positions, and what not to show of their
    files. The project these rules see has no index (they do not ask for it)."""
    engine: Engine = _HOST[0]  # in a worker, the engine it was forked with
    outcome = Outcome()
    loaded = _link_share(_load_files(files, reading, engine.frontends), reading, engine.frontends,
                         outcome.findings)
    documents = [d for record in loaded for d in record.documents if not engine._waits(d)]
    engine._run_rules([engine.rules[c] for c in codes], documents, LocalProject(documents, config), outcome)
    outcome.findings = capped(outcome.findings)
    hidden: dict[str, Hidden] = {}
    if apart:
        hidden = _hidden((d for record in loaded for d in record.documents), outcome.findings)
        for finding in outcome.findings:
            finding.location()
    if _HOST[1] != os.getpid():  # what travels back: not what positions were worked out with
        for record in loaded:
            for document in record.documents:
                document.source.release()
    return [Batch(loaded, outcome.findings, outcome.errors, hidden)]


def _link_share(loaded: list[Loaded], reading: Reading, frontends: list[FrontEnd],
                findings: list[Finding]) -> list[Loaded]:
    """What ``loaded`` (a share of the files) holds once each front end joined what its
    documents name in files of their own (``FrontEnd.link_share``), here, where they were
    read: what a link makes is linted with the share. The files it reads join the share
    (spelled as the run spells them), holding what the link made of them; the documents it
    replaces leave it; its findings go to ``findings``."""
    documents = [d for record in loaded for d in record.documents]
    own = {_key(record.file): record for record in loaded}
    read: list[Loaded] = []

    def reader(files: Sequence[str], expect: str) -> list[Loaded]:
        """Read files as ``expect``: those no process reads, and those read as none of ours.
        A file of the run that another share holds is read as that share reads it first
        (what it is stands; only its own share reports it)."""
        spelled = reading.spellings.by_key
        got: list[Loaded] = []
        wanted = []
        for file in files:
            key = _key(file)
            record = own.get(key)
            if record is None and key in spelled:
                record = _load_files([spelled[key]], reading, frontends)[0]
                if record.documents or record.findings:
                    got.append(record)
                    continue
            if record is None or not (record.documents or record.findings):
                wanted.append(file if record is None else record.file)  # as the run spells it
        expected = _load_files(wanted, reading, frontends, expect)
        read.extend(expected)
        return got + expected

    gone: set[int] = set()
    made: dict[str, list[Document]] = {}
    for frontend in frontends:
        linked = frontend.link_share(documents, reader)
        gone.update(id(d) for d in linked.replaced)
        documents = [*(d for d in documents if id(d) not in gone), *linked.added]
        for document in linked.added:
            made.setdefault(document.source.path, []).append(document)
        findings.extend(linked.findings)
    if not gone and not made:
        return loaded
    again = {r.file for r in read}  # read again as a link expects: that reading stands
    joined = [Loaded(r.file, [*(d for d in r.documents if id(d) not in gone), *made.pop(r.file, [])],
                     r.findings, r.error) for r in loaded if r.file not in again]
    joined += [Loaded(r.file, made.pop(r.file, []), r.findings, r.error) for r in read]
    return joined + [Loaded(file, found, []) for file, found in made.items()]


def _hidden(documents: Iterable[Document], findings: list[Finding]) -> dict[str, Hidden]:
    """What the report must not show of each file with findings, as the report works it out
    (from every document of the file); the link forgets it for a file it changes."""
    from policylint.secrets import hidden_of

    by_file: dict[str, list[Document]] = {}
    for document in documents:
        by_file.setdefault(document.source.path, []).append(document)
    return {file: hidden_of(by_file[file]) for file in {f.source.path for f in findings} if file in by_file}


def _load_files(files: Sequence[str], reading: Reading, frontends: list[FrontEnd],
                expect: str | None = None) -> list[Loaded]:
    loaded: list[Loaded] = []
    kept = 0  # characters of YAML whose node trees are kept for positions
    for file in files:
        try:
            documents, findings = load(file, expect=expect, text=reading.texts.get(file),
                                       named=file in reading.named, root=reading.root,
                                       max_bytes=reading.max_bytes, frontends=frontends)
            loaded.append(Loaded(file, documents, findings))
        except Exception as error:
            loaded.append(Loaded(file, [], [], _describe(error)))
            continue
        for source in {id(d.source): d.source for d in documents if d.source.tree is not None}.values():
            kept += len(source.text)
            if kept > MAX_KEPT_TREES:  # memory stays bounded: composed again if a finding needs it
                source.release()
    return loaded


def _in_processes(function: Callable[[list], list], items: list, jobs: int) -> list:
    """``function`` over ``items`` in ``jobs`` processes, this one among them, in order; in this
    one alone when ``jobs`` is 1 or processes cannot fork. The others are forked: they inherit
    ``function`` and ``items``, and nothing is sent to them. This process takes its chunks from
    the front of the items, the others from the back (``_Ends``): items alike, put together by
    the caller, stay in one process, which alone pays for their first use. The others append
    what they make to a file of their own, read here between this process's own chunks and
    once each is done: it closes a pipe it holds before it ends (letting go of its memory
    takes a while), and a thread waits for it to end. Items whose result is missing (a
    worker killed for memory, a document too deep to send back) are done again here; an error
    here takes the items left, so the others stop after the chunk they are on."""
    if jobs <= 1 or len(items) < 2 * jobs or not hasattr(os, "fork"):
        return function(items)
    import tempfile

    try:
        files = [tempfile.TemporaryFile() for _ in range(jobs - 1)]  # noqa: SIM115 (closed below)
        ends = _Ends(len(items), jobs)
    except OSError:  # no temporary file to be had: this process alone
        return function(items)
    with ends:
        workers: list[tuple[int, int]] = []  # each worker and the end of a pipe it holds open
        try:
            for results in files:
                held, holding = os.pipe()
                try:
                    pid = os.fork()
                except OSError:
                    os.close(held)
                    os.close(holding)
                    raise
                if pid == 0:
                    try:
                        _work(function, items, ends, results)
                    finally:  # whatever happens in a worker, it ends here
                        os.close(holding)  # done: its memory is let go of while this one goes on
                        os._exit(0)
                os.close(holding)
                workers.append((pid, held))
        except OSError:  # no process to be had: the others share the work
            pass
        sent_back = [_Records(results) for results in files]
        done: dict[int, tuple[int, list]] = {}
        try:
            while (chunk := ends.take(front=True)) is not None:
                done[chunk[0]] = (chunk[1], function(items[slice(*chunk)]))
                for records in sent_back:  # what the others finished, while they go on
                    done.update(records.complete())
        finally:
            ends.take_all()  # left by an error here: the others take no more
            _await(workers)
    for records, results in zip(sent_back, files, strict=True):
        with results:
            done.update(records.complete())
    made, at = [], 0
    for start, (stop, result) in sorted(done.items()):
        made += [*(function(items[at:start]) if at < start else ()), *result]
        at = stop
    return made + (function(items[at:]) if at < len(items) else [])


def _await(workers: list[tuple[int, int]]) -> None:
    """Wait until each worker is done (it closes the pipe it holds: the end of the file here,
    also when it is killed); a thread waits for them to end, while the run goes on."""
    import threading

    for _, held in workers:
        os.read(held, 1)  # nothing comes before the end
        os.close(held)
    pids = [pid for pid, _ in workers]
    try:
        threading.Thread(target=_reap, args=(pids,), daemon=True).start()
    except RuntimeError:  # no thread to be had: waited for here
        _reap(pids)


def _reap(pids: list[int]) -> None:
    for pid in pids:
        os.waitpid(pid, 0)


class _Ends:
    """The items no process has taken, shared by forked processes: those from ``first`` to
    before ``end``, kept in a file under a POSIX lock (which the kernel lets go of if its
    holder dies). A chunk is a share of what is left: the large ones go first, and the
    processes end together on small ones (a slow file at the end stalls no process for long)."""

    def __init__(self, count: int, jobs: int) -> None:
        import tempfile

        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.fd, self.jobs = self.file.fileno(), jobs
        self.least = max(1, count // (jobs * 256))
        os.pwrite(self.fd, _ends(0, count), 0)

    def __enter__(self) -> _Ends:
        return self

    def __exit__(self, *_: object) -> None:
        self.file.close()

    def take(self, front: bool) -> tuple[int, int] | None:
        """The next chunk, from the front or the back (where it starts and stops); None when
        no item is left."""
        with self._locked() as (first, end):
            if first >= end:
                return None
            size = min(end - first, max(self.least, (end - first) // (self.jobs * 4)))
            chunk = (first, first + size) if front else (end - size, end)
            os.pwrite(self.fd, _ends(first + size, end) if front else _ends(first, end - size), 0)
            return chunk

    def take_all(self) -> None:
        """Leave no item to take."""
        with self._locked() as (_, end):
            os.pwrite(self.fd, _ends(end, end), 0)

    @contextmanager
    def _locked(self) -> Iterator[tuple[int, int]]:
        import fcntl

        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            state = os.pread(self.fd, 16, 0)
            yield int.from_bytes(state[:8], "little"), int.from_bytes(state[8:], "little")
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)


def _ends(first: int, end: int) -> bytes:
    return first.to_bytes(8, "little") + end.to_bytes(8, "little")


def _work(function: Callable[[list], list], items: list, ends: _Ends, results: Any) -> None:
    """A forked worker: take chunks from the back until none is left (or the process that
    forked it is gone), append each result (its length, where its chunk starts, and the
    pickle of where it stops and the result) to ``results``."""
    import pickle

    parent = os.getppid()
    while (chunk := ends.take(front=False)) is not None:
        if os.getppid() != parent:  # killed: nobody reads what this would make
            return
        try:
            record = pickle.dumps((chunk[0], (chunk[1], function(items[slice(*chunk)]))),
                                  pickle.HIGHEST_PROTOCOL)
        except Exception:  # done again by the process that forked this one
            continue
        results.write(len(record).to_bytes(8, "little") + record)
        results.flush()


class _Records:
    """The (start, (stop, result)) records a worker appends to ``results``, read as they are
    complete; a last one cut short (a worker killed as it wrote) is left out. Read at an
    offset of its own: the file's is the worker's."""

    def __init__(self, results: Any) -> None:
        self.fd, self.offset = results.fileno(), 0

    def complete(self) -> Iterable[tuple[int, tuple[int, list]]]:
        import pickle

        while len(head := os.pread(self.fd, 8, self.offset)) == 8:
            size = int.from_bytes(head, "little")
            record = os.pread(self.fd, size, self.offset + 8)
            if len(record) < size:
                return
            self.offset += 8 + size
            try:
                yield pickle.loads(record)
            except Exception:  # its chunk is done again here
                continue


LOCATE_APART = 256  # files with findings to locate, from which other processes help


def _positions(batch: list[tuple[Any, list[tuple[tuple, str]]]]) -> list[list[tuple[str, int, int]]]:
    return [[source.where(path, at) for path, at in wanted] for source, wanted in batch]


def _locate(findings: list[Finding], jobs: int) -> None:
    """Work out the line and column of findings, a file per task, in ``jobs`` processes."""
    by_source: dict[int, tuple[Any, list[Finding]]] = {}
    for finding in findings:
        if finding.position is None:
            by_source.setdefault(id(finding.source), (finding.source, []))[1].append(finding)
    batch = [(source, [((*f.document.root, *f.path), f.at) for f in found])  # type: ignore[union-attr]
             for source, found in by_source.values()]
    # Worth new processes only for many files (those whose findings all wait for the link, and
    # are located here): else forking this process costs more than what is shared out.
    located = _in_processes(_positions, batch, jobs if len(batch) >= LOCATE_APART else 1)
    for (_, found), positions in zip(by_source.values(), located, strict=True):
        for finding, (file, line, column) in zip(found, positions, strict=True):
            finding.file, finding.position = file, (line, column)


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
        key = (finding.code, finding.source.path)
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


def _keep(batch: Batch, outcome: Outcome, documents: bool = True) -> None:
    """Keep what loading gave: documents (unless a front end makes its own of them),
    findings, errors, what each file was read as (a file read before as none of ours may be
    read as one now), and what not to show of its files. A file that other processes read
    too (a DefinitionUri file two templates name) has documents in several: the report
    works out what not to show of it, from all of them."""
    again = set()
    for file, found, findings, error in batch.loaded:
        kind = found[0].kind if found else UNREADABLE if findings else SKIPPED
        if file in outcome.kinds:
            again.add(file)
        if kind != SKIPPED or file not in outcome.kinds:
            outcome.kinds[file] = kind
        if error is not None:  # a loader bug must not take the other files down
            outcome.errors.append(InternalError("load", file, error))
        if documents:
            outcome.documents.extend(found)
        outcome.findings.extend(findings)
    outcome.findings.extend(batch.findings)
    outcome.errors.extend(batch.errors)
    outcome.hidden.update(batch.hidden)
    for file in again:
        outcome.hidden.pop(file, None)


def _places(run: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    """The place of a file in the run (a file only a link read, after them by name)."""
    rank = {file: number for number, file in enumerate(run)}
    return lambda path: (rank[path], "") if path in rank else (len(rank), path)


def _document_place(place: Callable[[str], tuple[int, str]], document: Document) -> tuple:
    """The place of its file; then, for a document whose names are another file's
    (``namespace``: a link made it there, in that file's share), the place of that file (one
    file two others name is made a document by each)."""
    path, names = document.source.path, document.namespace
    return (*place(path), *((-1, "") if names == path else place(names)))


def _alike(file: str) -> tuple[str, str]:
    """Files of one extension, then of one name but for its numbers, are put together: a
    process that takes them pays alone for their front end's and rules' first use (an HCL
    parser, a JSON schema validator)."""
    name = "".join(c for c in os.path.basename(file).lower() if not c.isdigit())
    return name.rpartition(".")[2], name


def _key(file: str) -> str:
    return os.path.normpath(os.path.abspath(file))
