"""The pre-commit hook, run by the real pre-commit tool against a throwaway repository: a bad
file fails the commit check, a good one passes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from forms import find_state, machine, mutated

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow,  # a real pre-commit install: seconds; `-m "not slow"` skips it
              pytest.mark.skipif(shutil.which("pre-commit") is None or not (ROOT / ".git").exists(),
                                 reason="needs the pre-commit tool and this repository's git history")]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_hook_fails_a_bad_file_and_passes_a_good_one(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "CI")
    (repo / "bad.asl.json").write_text(json.dumps(
        mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry")), indent=2))
    (repo / "good.asl.json").write_text(json.dumps(machine(), indent=2))
    (repo / "package.json").write_text('{"name": "app"}')
    git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "try-repo", str(ROOT), "policylint", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    failed = hook("bad.asl.json", "package.json")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.asl.json:" in failed.stdout and "AGT306" in failed.stdout
    passed = hook("good.asl.json", "package.json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
