"""PL004 for the config's own silencing: per-file-ignores and ignore entries that silence
nothing, reported at the entry in the config file (YAML or pyproject.toml)."""
from __future__ import annotations

from pathlib import Path

from forms import FORMS, find_state, mutated
from helpers import position_of, run, write


def no_retry(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    FORMS["json"](folder, mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry")))


def places(findings: list[dict]) -> list[tuple]:
    return [(f["file"], f["line"], f["column"], f["code"], f["message"]) for f in findings]


def test_per_file_ignores_entries_that_silence_nothing(workdir: Path) -> None:
    no_retry(workdir / "legacy")
    text = "per-file-ignores:\n  'legacy/**': [AGT306, SFN201]\n  'gone/**': [AGT306]\n"
    write(workdir / ".policylint.yaml", text)
    code, findings = run(".")
    assert code == 0 and places(findings) == [
        (".policylint.yaml", *position_of(text, r"AGT306, (?P<at>SFN201)"), "PL004",
         "per-file-ignores 'legacy/**': nothing in its files is reported as SFN201: remove it"),
        (".policylint.yaml", *position_of(text, r"gone/\*\*': \[(?P<at>AGT306)"), "PL004",
         "per-file-ignores 'gone/**': nothing in its files is reported as AGT306: remove it")]


def test_ignore_entries_whose_rules_find_nothing(workdir: Path) -> None:
    no_retry(workdir)
    text = '[tool.policylint]\nselect = ["AGT", "PL"]\nignore = ["agent-missing-retry", "AGT301"]\n'
    write(workdir / "pyproject.toml", text)
    code, findings = run(".")
    assert places(findings) == [("pyproject.toml", *position_of(text, r'(?P<at>AGT301)"\]'), "PL004",
                                 "ignore: no rule AGT301 turns off reports anything here: remove it")]
    assert code == 0  # the ignored rules ran only to tell: what they found is not reported


def test_ignores_given_on_the_command_line_are_not_judged(workdir: Path) -> None:
    no_retry(workdir)
    write(workdir / ".policylint.yaml", "ignore: [AGT301]\n")
    assert run(".", "--ignore", "AGT306,AGT302") == (0, [])
    write(workdir / ".policylint.yaml", "ignore: [AGT301, AGT306, PL004]\n")
    assert run(".") == (0, [])  # without PL004, nothing is audited
