"""The pre-commit hook, installed by the real pre-commit tool as README tells users to (a
`.pre-commit-config.yaml` naming this repository, a commit and the hook's id) and run in a
throwaway repository: a bad file fails the commit check, a good one passes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from forms import find_state, machine, mutated
from installs import BUILD_REQUIRES, ROOT, checkout, install_env, wheelhouse

pytestmark = [pytest.mark.slow,  # a real pre-commit install: seconds; `-m "not slow"` skips it
              pytest.mark.skipif(shutil.which("pre-commit") is None or not (ROOT / ".git").exists(),
                                 reason="needs the pre-commit tool and this repository's git history")]
GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "CI",
           "GIT_AUTHOR_EMAIL": "ci@example.com", "GIT_COMMITTER_NAME": "CI",
           "GIT_COMMITTER_EMAIL": "ci@example.com"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


def committed(folder: Path) -> str:
    """``folder`` made a git repository of one commit: its SHA."""
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "snapshot")
    return git(folder, "rev-parse", "HEAD")


def test_hook_fails_a_bad_file_and_passes_a_good_one(tmp_path: Path) -> None:
    hook_repo = checkout(tmp_path / "policylint")  # this working tree, uncommitted changes too
    rev = committed(hook_repo)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: policylint\n")
    (repo / "bad.asl.json").write_text(json.dumps(
        mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry")), indent=2))
    (repo / "good.asl.json").write_text(json.dumps(machine(), indent=2))
    (repo / "package.json").write_text('{"name": "app"}')
    committed(repo)
    # One hook install, run twice. Its dependencies come from the Python pre-commit runs on
    # when that has them: installing them into a clean environment is test_action's to prove.
    # What pip's build of the hook installs (setuptools) comes from a wheelhouse, offline.
    env = install_env(wheelhouse(tmp_path / "wheels", *BUILD_REQUIRES),
                      PRE_COMMIT_HOME=str(tmp_path / "cache"), VIRTUALENV_SYSTEM_SITE_PACKAGES="1")

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "run", "policylint", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    failed = hook("bad.asl.json", "package.json")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.asl.json:" in failed.stdout and "AGT306" in failed.stdout
    passed = hook("good.asl.json", "package.json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "policylint" in passed.stdout and "Passed" in passed.stdout
    python, = (tmp_path / "cache").glob("repo*/py_env-*/bin/python")  # the hook's environment
    imported = subprocess.run([str(python), "-c", "import policylint; print(policylint.__file__)"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert Path(imported.stdout.strip()).is_relative_to(python.parents[1])  # its own policylint, not ours
