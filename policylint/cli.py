"""The command line: argv -> Config -> run -> report -> exit code.

Exit codes: 0 no finding at or above the fail level; 1 findings at or above it;
2 usage or config error, or an internal error (a rule or loader crashed). With ``--fix``
the findings that remain decide; ``--diff`` is 1 when there is something to change.
"""
from __future__ import annotations

import os
import sys
from functools import cache  # loaded at start-up already (by site): no cost

from policylint import __version__

TYPE_CHECKING = False  # not typing's: importing typing alone would slow `policylint --version`
if TYPE_CHECKING:  # the rest is imported where used
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from policylint.config import Config
    from policylint.engine import Engine

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
AUTO_BYTES = 512 * 1024  # files of this much in all are read in several processes unless told
AUTO_JOBS = 8


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


COMMANDS = ("check", "baseline", "rules", "lsp", "rule", "policies")


@cache
def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. ``only``: the command being run, when the arguments name it
    first; the other commands' parsers are then not built (argparse looks for translations at
    every parser it makes: a tenth of a one-file run went in building them all). Built once a
    process: parsing leaves a parser as it was, and a process that runs ``main`` again and
    again (the tests, 2,000 times) would build it each time."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="policylint",
        description="Lint AWS Step Functions agent workflows, IAM policies and AgentCore harness "
                    "configs, standalone or inside CloudFormation/SAM templates.",
        epilog="Exit codes: 0 clean (nothing at or above --fail-on), 1 findings at or above "
               "--fail-on, 2 usage, config or internal error.")
    parser.add_argument("--version", action="store_true", help="print the version and the IAM "
                        "catalog's, then exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only in (None, "check"):
        _check_parser(commands.add_parser("check", help="lint files and directories"))
    if only in (None, "baseline"):
        baseline = commands.add_parser("baseline", help="record today's findings in FILE, so that "
                                       "`check --baseline FILE` fails only on new ones")
        baseline.add_argument("file", metavar="FILE", help="the baseline file to write")
        keep = baseline.add_mutually_exclusive_group()
        keep.add_argument("--update", action="store_true",
                          help="add today's new findings to FILE and keep every entry it has")
        keep.add_argument("--prune", action="store_true",
                          help="drop the entries of FILE that are fixed (of the files and rules linted), "
                               "add nothing")
        _lint_arguments(baseline)
    if only in (None, "rules"):
        rules = commands.add_parser("rules", help="list every rule")
        rules.add_argument("--markdown", action="store_true",
                           help="print the full rule reference as Markdown (docs/rules.md)")
        rules.add_argument("--format", choices=("text", "json"), default="text",
                           help="text (default), or json: every rule with its help and helpUri, for tooling")
        _policies_config(rules)
    if only in (None, "lsp"):
        commands.add_parser("lsp", help="run the language server on stdin/stdout (for editors)")
    if only in (None, "rule"):
        rule = commands.add_parser("rule", help="explain one rule")
        rule.add_argument("code", metavar="CODE", help="a rule code or name, e.g. AGT301")
        _policies_config(rule)
    if only in (None, "policies"):
        policies = commands.add_parser("policies", help="organisation policies (`policies:` in the config)")
        test = policies.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
            "test", help="run each policy on its examples (fail: must give it a finding, at the line after "
                         "':' when given; pass: none) and exit 1 on a mismatch")
        test.add_argument("--config", metavar="FILE", help="the config holding the policies (default: the "
                          "config of the current directory)")
        test.add_argument("codes", nargs="*", metavar="CODE", help="only these policies")
    return parser


def _lint_arguments(command: argparse.ArgumentParser) -> None:
    """The arguments of the commands that lint (check, baseline)."""
    command.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                         help="files or directories (default: the current directory)")
    command.add_argument("--select", type=_codes, metavar="CODES",
                         help="comma-separated rule codes, prefixes or names to run (default: all)")
    command.add_argument("--ignore", type=_codes, metavar="CODES",
                         help="comma-separated rule codes, prefixes or names not to run")
    command.add_argument("--config", metavar="FILE",
                         help="a .policylint.yaml, or a pyproject.toml with [tool.policylint]")
    command.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                         help="read files and run the one-document rules in N processes (0: one per "
                         f"CPU; default: one per CPU, at most {AUTO_JOBS}, for files of "
                         f"{AUTO_BYTES // 1024} KB or more in all, else 1)")


def _check_parser(check: argparse.ArgumentParser) -> None:
    from policylint.config import FAIL_LEVELS

    _lint_arguments(check)
    check.add_argument("--format", default="text",
                       help="text (default), json, sarif, github (Actions annotations), gcc (one "
                            "path:line:col: line per problem, for editors) or junit")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (never over "
                       "a linted file; a symbolic link there is replaced, not written through)")
    check.add_argument("--show-files", action="store_true",
                       help="list each file and what it was read as (state machine, template, "
                            "policy, harness config, skipped), to see why a file was or was not linted")
    check.add_argument("--fail-on", choices=FAIL_LEVELS,
                       help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--baseline", metavar="FILE",
                       help="a file written by `policylint baseline`: its findings do not count")
    check.add_argument("--new-since", metavar="REF",
                       help="report only findings on lines changed since the git ref REF (the "
                            "work tree against it; renamed lines count as unchanged), for pull requests")
    check.add_argument("--project-root", metavar="DIR",
                       help="also read the files under DIR, so that cross-file checks of the "
                            "named files see the roles, harnesses and templates they refer to; "
                            "report only on the named files (for pre-commit)")

    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes (they keep what the deployed system does) to the "
                            "files, then report what remains")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, also apply the fixes that change behaviour")
    check.add_argument("--diff", action="store_true",
                       help="print what --fix would change as a unified diff; write nothing")


def _policies_config(command: argparse.ArgumentParser) -> None:
    """``--config`` of the commands that list rules (rules, rule)."""
    command.add_argument("--config", metavar="FILE", help="also list the organisation policies of "
                         "this config (default: the config of the current directory)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a crash of policylint itself exits 2, never 1 (findings)."""
    try:
        return _main(argv)
    except Exception as error:
        import traceback

        trace = traceback.format_exc().splitlines()
        _error([*trace, f"internal error: {type(error).__name__}: {error} (please report it)"])
        return EXIT_ERROR


def command() -> None:
    """The ``policylint`` command (and ``python -m policylint``): ``main``, its output flushed,
    then the process ends without the interpreter's teardown. What a run built is garbage by
    then, and much of it cyclic (a document caches views that point back at it): collecting
    it took a sixth of a large run."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:  # closed by the caller (``>&-``), or by the LSP's exit
            continue
        try:
            stream.flush()
        except OSError as error:  # a reader that went away (``| head``) ends it quietly
            code = code if isinstance(error, BrokenPipeError) else EXIT_ERROR
    os._exit(code)


def _error(lines: list[str]) -> None:
    """Lines on standard error as a report shows text: secrets masked, nothing that could
    forge a line (the last one says ``policylint:``)."""
    from policylint.report import shown_message

    for line in lines[:-1]:
        print(shown_message(line), file=sys.stderr)
    print(f"policylint: {shown_message(lines[-1])}", file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets \\u...
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    arguments = list(sys.argv[1:] if argv is None else argv)
    from policylint.config import ConfigError

    try:
        if arguments == ["--version"]:
            from policylint.catalog import version

            _out(f"policylint {__version__} (IAM catalog: {version()})\n")
            return EXIT_OK
        args = _parser(arguments[0] if arguments and arguments[0] in COMMANDS else None).parse_args(arguments)
        from policylint.engine import Engine

        engine = Engine()
        if args.command in ("rules", "rule", "policies"):
            config = _load_config(_bare_args(args), os.path.abspath("."))
            _install_policies(engine, config)
        if args.command == "policies":
            from policylint.policies.testing import run_examples

            return run_examples(engine, config, args.codes, _out)
        if args.command == "rules":
            if args.format == "json":
                from policylint.report.rules_format import rules_json

                _out(rules_json(engine.rules.values()))
                return EXIT_OK
            return _rules_markdown(engine) if args.markdown else _list_rules(engine)
        if args.command == "rule":
            return _explain(engine, args.code)
        if args.command == "baseline":
            return _baseline(engine, args)
        if args.command == "lsp":
            from policylint.lsp import serve

            serve()
            return EXIT_OK
        return _check(engine, args)
    except ConfigError as error:
        _error([f"error: {error}"])
        return EXIT_ERROR


def _bare_args(args: argparse.Namespace) -> argparse.Namespace:
    """What ``_load_config`` reads, for a command that lints nothing (rules, rule, policies)."""
    import argparse

    return argparse.Namespace(config=getattr(args, "config", None), paths=["."], select=None, ignore=None)


def _install_policies(engine: Engine, config: Config) -> None:
    """The config's organisation policies, as rules of ``engine`` (only when it has some)."""
    if config.policies:
        from policylint.policies import install

        install(engine, config)


def _root(args: argparse.Namespace) -> str:
    """The linted folder: what links, definition files, configs and baselines may not leave."""
    from policylint.paths import lint_root

    project_root = getattr(args, "project_root", None)
    return lint_root([*args.paths, *([project_root] if project_root else [])])


def _load_config(args: argparse.Namespace, root: str) -> Config:
    from policylint.config import ConfigError, find_config, from_table, read_table

    if args.config:
        table = read_table(args.config, root) if os.path.lexists(args.config) \
            and not os.path.isdir(args.config) else None
        if table is None:
            raise ConfigError(f"{args.config}: no policylint settings (a .policylint.yaml, or a "
                              "pyproject.toml with [tool.policylint])")
        base = from_table(table, args.config)
    else:
        base = find_config(args.paths[0] if args.paths else ".", root)
    return base.merged(select=args.select, ignore=args.ignore, fail_on=getattr(args, "fail_on", None))


def _lint(engine: Engine, args: argparse.Namespace, texts: dict[str, str] | None = None) -> tuple:
    """(config, report, every file read) of linting the paths ``args`` names: the named and
    discovered files, the definition files they led to, the config and the baseline."""
    from policylint.config import ConfigError
    from policylint.discover import discover
    from policylint.report import build_report
    from policylint.report.baseline import read_baseline

    root = _root(args)
    baseline_file = getattr(args, "baseline", None)
    baseline = read_baseline(baseline_file, root) if baseline_file else frozenset()
    config = _load_config(args, root)
    _install_policies(engine, config)
    engine.check_selection(config)
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise ConfigError(f"no such file or directory: {', '.join(missing)}")
    files = [f for f in discover(args.paths, engine.suffixes) if not config.excludes(f)]
    context: list[str] = []
    if getattr(args, "project_root", None):
        given = {os.path.normpath(os.path.abspath(f)) for f in files}
        context = [f for f in discover([args.project_root], engine.suffixes) if not config.excludes(f)
                   and os.path.normpath(os.path.abspath(f)) not in given]
    import gc

    # A one-shot run keeps what it loads to the end: the collector would only rescan it, again
    # and again (a third of the time on a large repository). It is off for the run; then what
    # the run made joins the oldest generation (the youngest's next pass would scan it all).
    enabled = gc.isenabled()
    gc.disable()
    try:
        named = frozenset(os.path.normpath(p) for p in args.paths if not os.path.isdir(p))
        linted = files + context
        outcome = engine.run(linted, config, _jobs(args.jobs, linted), named=named, root=root,
                             texts=texts or None)
        read = [*files, *context, *outcome.kinds, *(f for f in (config.source, baseline_file) if f)]
        if context:
            outcome.findings = _on_files(outcome.findings, files)
            outcome.kinds = {f: outcome.kinds[f] for f in files if f in outcome.kinds}
        return config, build_report(outcome, engine.rules, baseline), read
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def _jobs(asked: int | None, files: list[str]) -> int:
    """The processes of the run: as ``asked`` (0: one per CPU); unasked, one per CPU (at most
    AUTO_JOBS) for files of AUTO_BYTES or more in all where processes start by forking (else
    starting them costs more than they share out), else one; one under pre-commit, which
    runs a hook on shares of the files at once already."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if asked is not None:
        return asked if asked > 0 else cpus
    if cpus < 2 or not hasattr(os, "fork") or os.environ.get("PRE_COMMIT"):
        return 1
    total = 0
    for file in files:
        try:
            total += os.path.getsize(file)
        except OSError:
            continue
        if total >= AUTO_BYTES:
            return min(cpus, AUTO_JOBS)
    return 1


def _on_files(findings: list, files: list[str]) -> list:
    """The findings in ``files``, or in a definition file that one of them names."""
    named = {os.path.normpath(os.path.abspath(f)) for f in files}

    def mine(finding: Any) -> bool:
        template = finding.document.template if finding.document is not None else None
        places = [finding.source.path, finding.reported_file(),
                  *([template.source.path] if template is not None else [])]
        return any(os.path.normpath(os.path.abspath(p)) in named for p in places)

    return [f for f in findings if mine(f)]


def _baseline(engine: Engine, args: argparse.Namespace) -> int:
    from policylint.report.baseline import baseline_text, entries_of, pruned, read_entries, unique

    keep = args.prune or (args.update and os.path.exists(args.file))
    old = read_entries(args.file, _root(args)) if keep else []
    config, report, files = _lint(engine, args)
    entries = unique(pruned(old, report, config, engine.rules) if args.prune else [*old, *entries_of(report)])
    if old or _is_baseline(args.file):  # a baseline may be rewritten, though it is in the linted folder
        files = [f for f in files if not os.path.samefile(f, args.file)]
    _write_file(args.file, baseline_text(entries), files)
    was = f" (was {len(old)})" if args.update or args.prune else ""
    _out(f"{len(entries)} finding{'s' * (len(entries) != 1)} recorded in {args.file}{was}\n")
    return EXIT_ERROR if report.errors else EXIT_OK


def _is_baseline(path: str) -> bool:
    from policylint.config import ConfigError
    from policylint.report.baseline import read_entries

    try:
        return os.path.isfile(path) and read_entries(path) is not None
    except ConfigError:
        return False


def _check(engine: Engine, args: argparse.Namespace) -> int:
    from policylint.config import ConfigError
    from policylint.rule import Severity

    if args.format not in engine.formats:
        raise ConfigError(f"unknown format {args.format!r} (known: {', '.join(engine.formats)})")
    if args.new_since is not None:
        from policylint.changes import changed_lines, keep_changed

        changed = changed_lines(args.new_since)
    def lint(texts: dict[str, str] | None = None) -> tuple:
        config, report, files = _lint(engine, args, texts)
        if config.unsuppressible and report.baselined:
            from policylint.report.baseline import unsuppressible_back

            unsuppressible_back(report, config, engine.rules)
        if args.new_since is not None:
            keep_changed(report, changed)
        return config, report, files

    config, report, files = lint()
    if args.fix or args.diff:
        from policylint.fix import fix_files

        report, diff = fix_files(report, lambda texts: lint(texts)[1], unsafe=args.unsafe_fixes,
                                 write=args.fix and not args.diff, root=_root(args))
        for problem, why in report.by_hand_list:  # listed, so that the user can make the change
            _error([f"fix by hand: {problem.file}:{problem.line}:{problem.column} {problem.code} "
                    f"{problem.fix.title} ({why})"])
        if args.diff:
            _out(diff)
            sys.stderr.write(f"policylint: would fix {report.fixed} problem{'s' * (report.fixed != 1)}"
                             f"{f'; {report.by_hand} to fix by hand' if report.by_hand else ''}\n")
            return EXIT_ERROR if report.errors else EXIT_FINDINGS if diff else EXIT_OK
    report.show_files = args.show_files
    if args.show_files and args.format != "text":
        from policylint.report.text_format import file_list

        sys.stderr.write(file_list(report))
    if args.output:
        _write_file(args.output, engine.formats[args.format](report), files)
    elif args.format == "text" and _use_color():
        from policylint.report.text_format import print_rich

        try:
            print_rich(report)
        except BrokenPipeError:
            _silence_stdout()
    else:
        _out(engine.formats[args.format](report))
    if report.errors:
        return EXIT_ERROR
    if config.fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(config.fail_on)
    return EXIT_FINDINGS if any(p.severity >= threshold for p in report.problems) else EXIT_OK


def _out(text: str) -> None:
    """Write to standard output; a reader that went away (``| head``) ends the output quietly,
    a write that fails otherwise is an error (exit 2)."""
    from policylint.config import ConfigError

    if sys.stdout is None:  # closed by the caller (``>&-``)
        raise ConfigError("cannot write to standard output: it is closed")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:  # a full disk, a device that refuses it
        _silence_stdout()
        raise ConfigError(f"cannot write to standard output: {error.strerror or error}") from None


def _silence_stdout() -> None:
    """Send what is left (and the interpreter's last flush) nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _write_file(path: str, text: str, read: list[str]) -> None:
    """Write ``text`` to ``path``, never over a file that was read (linted, a definition file,
    the config, the baseline). A regular file (or a new one) is written whole or not at all,
    through a new file that then takes the name: a symbolic link there is replaced, never
    written through. Anything else (``/dev/null``, ``/dev/stdout``, a pipe) is written to as
    it is."""
    import stat

    from policylint.config import ConfigError
    from policylint.paths import overwrites

    if overwrites(path, read):
        raise ConfigError(f"{path} is one of the files this run read (linted, a definition file, the "
                          "config or the baseline): write the report elsewhere")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f"cannot write {path}: no folder {folder}")
    try:
        mode = os.stat(path).st_mode if os.path.exists(path) and not os.path.islink(path) else None
        if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe: never replaced
            with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
            return
        import tempfile

        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".policylint-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror or error}") from None


def _use_color() -> bool:
    return not os.environ.get("NO_COLOR") and sys.stdout is not None and sys.stdout.isatty()


def _list_rules(engine: Engine) -> int:
    width = max(len(r.name) for r in engine.rules.values())
    for rule in engine.rules.values():
        _out(f"{rule.code:<6}  {rule.name:<{width}}  {rule.severity.label:<7}  {rule.summary}\n")
    return EXIT_OK


def _rules_markdown(engine: Engine) -> int:
    from policylint.report.rules_format import anchor

    _out("# policylint rules\n\nGenerated by `policylint rules --markdown`; "
         "`policylint rule CODE` prints one of them.\n\n")
    for rule in engine.rules.values():
        tags = ", ".join([rule.family, *rule.tags])
        _out(f'<a id="{anchor(rule)}"></a>\n\n## {rule.code} {rule.name}\n\n'
             f"**{rule.severity.label}** ({tags}): {rule.summary}\n\n{rule.help}\n\n")
    return EXIT_OK


def _explain(engine: Engine, code: str) -> int:
    rule = engine.find_rule(code)
    if rule is None:
        print(f"policylint: error: unknown rule {code!r} (see `policylint rules`)", file=sys.stderr)
        return EXIT_ERROR
    _out(f"{rule.code} {rule.name} ({rule.severity.label})\n\n{rule.summary}\n\n{rule.help}\n")
    return EXIT_OK
