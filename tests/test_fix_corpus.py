"""The fixes on real files: every fix policylint can place, applied to a copy of a sample of
the corpus, keeps every file readable, removes only the findings it fixes, adds none, leaves
the files without fixes byte for byte, and a second run changes nothing."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import CORPUS

from policylint.cli import main
from policylint.fix import unified_diff

pytestmark = [pytest.mark.slow,  # a sample of the corpus, linted four times: not in the quick loop
              pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")]
SAMPLE = 3  # every third JSON file and every second other file of the manifest: near 10 s


def findings(root: Path, *options: str) -> list[dict[str, Any]]:
    out = root.parent / "report.json"
    main(["check", str(root), *options, "--format", "json", "--output", str(out)])
    data = json.loads(out.read_text())
    assert not data["errors"], data["errors"][:3]
    return data["findings"]


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def keyed(found: list[dict[str, Any]]) -> Counter:
    return Counter((f["file"], f["code"], tuple(str(s) for s in f["path"])) for f in found)


def test_all_fixes_on_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(CORPUS / "MANIFEST.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    root = tmp_path / "corpus"
    for i, row in enumerate(rows):
        source = CORPUS / row["path"]
        if not source.is_file():
            continue
        keep = i % SAMPLE == 0 or (row["format"] != "json" and i % 2 == 0)
        if keep:
            target = root / row["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    monkeypatch.chdir(tmp_path)
    before = findings(root)
    fixable = [f for f in before if f["fix"]]
    assert len(fixable) >= 20, "the sample should hold fixes of several kinds"
    original = files_of(root)

    main(["check", str(root), "--fix", "--unsafe-fixes", "--output", str(tmp_path / "fix.txt")])
    fixed = files_of(root)
    changed = [name for name in sorted(fixed) if fixed[name] != original[name]]
    if shutil.which("git"):  # --diff's writer on these changes (test_fix.py: --diff shows what --fix does)
        diff = "".join(unified_diff(str(root / name), original[name].decode(), fixed[name].decode())
                       for name in changed)
        copy = tmp_path / "copy"  # the files it changes, as they were
        for name in changed:
            (copy / "corpus" / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / "corpus" / name).write_bytes(original[name])
        subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
        subprocess.run(["git", "apply", "-"], cwd=copy, input=diff.encode(), check=True)
        for name in changed:
            assert (copy / "corpus" / name).read_bytes() == fixed[name], name  # applied, it is the fix
    after = findings(root, "--fix", "--unsafe-fixes")  # what remains, reported by a second --fix
    assert files_of(root) == fixed  # which changes nothing
    new = keyed(after) - keyed(before)
    assert not new, list(new)[:10]  # no finding appears (a file left unreadable would be PL001)
    gone = keyed(before) - keyed(after)
    assert set(gone) <= set(keyed(fixable)), [g for g in gone if g not in keyed(fixable)][:10]
    assert len(gone) > 0
    with_fix = {f["file"] for f in fixable}
    for name, data in original.items():
        shown = str((root / name).relative_to(tmp_path)).replace("\\", "/")
        if shown not in with_fix:
            assert fixed[name] == data, name  # a file without a fix is not touched
