"""PL0xx: problems with the input itself, reported by the engine (loading, references,
suppressions), never by a rule plugin. The loader and index name them by these objects."""
from __future__ import annotations

import sys

from policylint.hookspecs import hookimpl
from policylint.rule import Finding, Rule, Severity, rules_of
from policylint.source import Duplicate, Source

_ALL = ("asl", "template")  # reported by the engine, so no check of their own

PARSE_ERROR = Rule(
    "PL001", "parse-error", Severity.ERROR,
    "A file that should be linted is not valid JSON or YAML",
    """What it does: reports a state machine definition, template or policy that does not
    parse, at the position of the syntax error (inside a DefinitionString too).

    Why is this bad? Nothing in the file was checked, and the deployment will fail.

    Example: `{"StartAt": "A", "States": {` (unclosed object).

    Use instead: fix the syntax at the reported position; the other files were linted.""",
    kinds=_ALL)

UNREADABLE_FILE = Rule(
    "PL002", "unreadable-file", Severity.ERROR,
    "A file could not be read: not UTF-8, binary, too large, unreadable or an alias bomb",
    """What it does: reports a file that policylint refused or failed to read: not UTF-8
    text, binary content, over the 5 MiB size limit, no permission, nesting too deep, or
    YAML aliases that expand past a million nodes (a "billion laughs" bomb).

    Why is this bad? The file was not linted, so its problems are unknown.

    Use instead: save the file as UTF-8 text, split it, or exclude it from the paths.""",
    kinds=_ALL)

UNKNOWN_SUPPRESSION = Rule(
    "PL003", "unknown-suppression", Severity.WARNING,
    "A suppression names a rule that does not exist",
    """What it does: flags a `policylint: disable=...` comment, or a CloudFormation
    `Metadata: {policylint: {ignore: [...]}}` entry, that names no rule code or name.

    Why is this bad? It silences nothing: usually a typo, so the finding it was meant for
    still fails the build, or a rule was renamed.

    Example: `# policylint: disable=AGT3O6` (a letter O).

    Use instead: a code or name from `policylint rules`: `disable=AGT306` or
    `disable=agent-missing-retry`.""",
    kinds=_ALL)

UNUSED_SUPPRESSION = Rule(
    "PL004", "unused-suppression", Severity.NOTE,
    "A suppression that suppressed nothing",
    """What it does: notes a suppression whose rule reported nothing where it applies.

    Why is this bad? The problem was fixed (or moved), and the stale suppression would
    silently hide the next real one.

    Example: `# policylint: disable=AGT306` above an agent task that now has a Retry.

    Use instead: delete the suppression.""",
    kinds=_ALL)

UNRESOLVED_REFERENCE = Rule(
    "PL005", "unresolved-reference", Severity.NOTE,
    "A reference could not be followed, so the checks that needed it were skipped",
    """What it does: notes a definition file, role or harness that a document refers to but
    policylint cannot follow: a SAM `DefinitionUri` or `DefinitionS3Location` in S3, a
    local file that does not exist, or a `DefinitionString` built by intrinsics it cannot
    evaluate.

    Why is this bad? The state machine behind the reference was not linted: policylint
    stays silent rather than guess.

    Example: `DefinitionUri: s3://bucket/machine.asl.json`.

    Use instead: keep the definition in the repository (`DefinitionUri: statemachine/x.asl.json`)
    or inline (`Definition:`), or lint the file it is built from.""",
    kinds=_ALL)

DUPLICATE_KEY = Rule(
    "PL006", "duplicate-key", Severity.ERROR,
    "A key written twice in one object: only the last value is read",
    """What it does: reports a key written twice in one JSON object or YAML mapping, in any
    file policylint reads (a state machine, a template, a DefinitionString, a policy, a
    harness config), at the second one. The rest of the file is linted as the parser reads
    it: with the last value.

    Why is this bad? JSON and YAML parsers silently keep the last value, so the first one
    (often the one that was reviewed) does nothing; CloudFormation rejects a template with a
    key written twice.

    Example: two `"Next"` keys in one state, or two `Resource:` keys in one statement.

    Use instead: one key with the value meant; merge the two if both were needed.""",
    kinds=_ALL)


SUPPRESSION_NOT_ALLOWED = Rule(
    "PL007", "suppression-not-allowed", Severity.WARNING,
    "A suppression the config does not allow: without a reason, or of an unsuppressible rule",
    """What it does: flags a suppression that silences nothing because the config forbids
    it: one that gives no reason while `require-reason: true` is set, or one that names a
    rule listed in `unsuppressible`.

    Why is this bad? The finding it was meant for still counts, and a reviewer cannot tell
    why the team accepted the risk.

    Example: `# policylint: disable=AGT306` with `require-reason: true`.

    Use instead: say why after the codes (`# policylint: disable=AGT306 retried by the
    caller`), or fix what an unsuppressible rule reports.""",
    kinds=_ALL)


def file_finding(source: Source, message: str, rule: Rule = UNREADABLE_FILE,
                 position: tuple[int, int] = (1, 1)) -> Finding:
    """A finding of ``rule`` about a file as a whole, or a place in it no document holds."""
    return Finding(None, (), message, code=rule.code, position=position, source=source)


def duplicate_keys(source: Source, duplicates: list[Duplicate]) -> list[Finding]:
    """PL006 for each key written twice, at the second one."""
    return [file_finding(source, f"key {key!r} is written twice in this object (first at line {first}); "
                         "only the last value is read", DUPLICATE_KEY, source.position_of_index(index))
            for key, index, first in duplicates]


@hookimpl
def policylint_rules() -> list[Rule]:
    return rules_of(sys.modules[__name__])
