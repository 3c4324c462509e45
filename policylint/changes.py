"""``--new-since REF``: keep only the findings on lines changed since a git ref.

The lines changed are those ``git diff --find-renames -U0 REF`` adds (the work tree against
REF, uncommitted edits included) and every line of a file git does not track yet. A renamed
file keeps its unchanged lines unchanged; a line only deleted leaves nothing to report on.
git runs only when the option is given.
"""
from __future__ import annotations

import os
import re
import subprocess

from policylint.config import ConfigError
from policylint.report import Problem, Report

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}
EVERY_LINE = None  # a new file: every line of it has changed


def _git(args: list[str], cwd: str) -> bytes:
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd,
                              capture_output=True, check=False)
    except OSError as error:
        raise ConfigError(f"--new-since needs git, which did not run: {error.strerror or error}") from None
    if done.returncode:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ConfigError(f"--new-since: git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def changed_lines(ref: str, cwd: str = ".") -> dict[str, set[int] | None]:
    """Absolute path -> the line numbers changed since ``ref`` (None: the whole file is new)."""
    if ref.startswith("-"):
        raise ConfigError(f"--new-since: {ref!r} is not a git ref")
    top = _git(["rev-parse", "--show-toplevel"], cwd).decode().rstrip("\n")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except ConfigError:
        raise ConfigError(f"--new-since: {ref!r} is not a commit of the repository at {top}") from None
    diff = _git(["diff", "--find-renames", "-U0", "--no-color", "--no-ext-diff", "--no-textconv",
                 "--src-prefix=a/", "--dst-prefix=b/", ref, "--"], top)
    changed = parse_diff(diff, top)
    for name in _git(["ls-files", "-z", "--others", "--exclude-standard"], top).split(b"\0"):
        if name:
            changed[os.path.realpath(os.path.join(top, os.fsdecode(name)))] = EVERY_LINE
    return changed


def parse_diff(diff: bytes, top: str) -> dict[str, set[int] | None]:
    """The lines each file gains in a unified diff with no context (``-U0``)."""
    changed: dict[str, set[int] | None] = {}
    lines: set[int] | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            name = _unquote(line[4:])
            lines = None if name == b"/dev/null" else changed.setdefault(
                os.path.realpath(os.path.join(top, os.fsdecode(name[2:]))), set())
        elif line.startswith(b"@@") and lines is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
                lines.update(range(start, start + count))
    return changed


def _unquote(name: bytes) -> bytes:
    """A path as git writes it in a diff header: C-quoted when it holds special bytes."""
    if not name.startswith(b'"'):
        return name.rstrip(b"\t")  # git ends a name holding a space with a tab
    out, i, body = bytearray(), 0, name[1:name.rindex(b'"')]
    while i < len(body):
        if body[i:i + 1] == b"\\":
            octal = body[i + 1:i + 4]
            if re.fullmatch(rb"[0-7]{3}", octal):
                out.append(int(octal, 8))
                i += 4
                continue
            out.append(_ESCAPES.get(body[i + 1:i + 2], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return bytes(out)


def keep_changed(report: Report, changed: dict[str, set[int] | None]) -> None:
    """Drop from ``report`` every finding that is not on a changed line."""
    def on_change(problem: Problem) -> bool:
        lines = changed.get(os.path.realpath(problem.raw_file), set())
        return lines is EVERY_LINE or problem.line in lines

    report.problems = [p for p in report.problems if on_change(p)]
    report.suppressed = [p for p in report.suppressed if on_change(p)]
    report.baselined = [p for p in report.baselined if on_change(p)]
