"""The GitHub Action (action.yml) and README's example workflow, run as a runner would: each
`run:` step's script through bash with its `${{ }}` expressions filled in, against a sample
repository; a `uses:` step (the SARIF upload) is recorded with its inputs, and the SARIF it
would upload is checked against GitHub's upload rules."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from forms import find_state, machine
from installs import BUILD_REQUIRES, DEPENDENCIES, ROOT, checkout, install_env, wheelhouse
from test_github_sarif import upload_problems

pytestmark = pytest.mark.slow  # the action's shell steps, run: not in the quick loop

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
README = (ROOT / "README.md").read_text()
INSTALL = "Install policylint"


def value(expression: str, contexts: dict[str, Any]) -> str:
    """A dotted context reference (``inputs.paths``, ``steps.run.outputs.exit-code``)."""
    found: Any = contexts
    for part in expression.strip().split("."):
        found = found.get(part, "") if isinstance(found, dict) else ""
    return str(found)


def expand(text: str, contexts: dict[str, Any]) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: value(m[1], contexts), str(text))


def holds(condition: str, contexts: dict[str, Any]) -> bool:
    """An ``if:`` of comparisons joined by ``&&`` (all the action uses; anything else fails)."""
    for part in condition.split("&&"):
        match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
        assert match, f"the test cannot evaluate {part!r}"
        if (value(match[1], contexts) == match[3]) != (match[2] == "=="):
            return False
    return True


class Runner:
    """What the runner keeps between steps: the contexts, PATH additions, uploads, output."""

    def __init__(self, repo: Path, inputs: dict[str, str], github: dict[str, str],
                 env: dict[str, str] | None = None) -> None:
        defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        assert set(inputs) <= set(defaults), f"unknown inputs {set(inputs) - set(defaults)}"
        self.repo, self.temp = repo, repo.parent / "runner-temp"
        self.temp.mkdir(exist_ok=True)
        self.contexts: dict[str, Any] = {"inputs": {**defaults, **inputs}, "steps": {},
                                         "github": {"action_path": str(ROOT), **github}}
        self.path: list[str] = []
        self.uploads: list[dict[str, str]] = []
        self.log = ""
        self.env = dict(os.environ) if env is None else env

    def run(self, skip: tuple[str, ...] = ()) -> int:
        """Run the action's steps; the exit code of the step that failed, else 0."""
        for step in ACTION["runs"]["steps"]:
            if step["name"] in skip or ("if" in step and not holds(step["if"], self.contexts)):
                continue
            if "uses" in step:
                self.uploads.append({"uses": step["uses"], **{k: expand(v, self.contexts)
                                                              for k, v in step["with"].items()}})
                continue
            code = self._script(step)
            if code:
                return code
        return 0

    def _script(self, step: dict[str, Any]) -> int:
        output, path_file = self.temp / "output", self.temp / "path"
        output.write_text("")
        path_file.write_text("")
        env = {**self.env, **{k: expand(v, self.contexts) for k, v in step.get("env", {}).items()},
               "GITHUB_OUTPUT": str(output), "GITHUB_PATH": str(path_file), "RUNNER_TEMP": str(self.temp),
               "PATH": os.pathsep.join([*self.path, self.env["PATH"]])}
        assert step["shell"] == "bash"  # as the runner runs it:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               expand(step["run"], self.contexts)],
                              cwd=self.repo, env=env, capture_output=True, text=True, timeout=900)
        self.log += done.stdout + done.stderr
        self.path = [*reversed(path_file.read_text().split()), *self.path]
        if "id" in step:
            outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
            self.contexts["steps"][step["id"]] = {"outputs": outputs}
        return done.returncode


def commit(repo: Path, message: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["add", "."], ["commit", "-q", "-m", message], ["rev-parse", "HEAD"]):
        done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose first commit has a clean workflow, and whose second adds an agent
    step without Retry (AGT306) in infra/flows/new.asl.json: (repository, first commit)."""
    repo = tmp_path / "repo"
    (repo / "infra" / "flows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "infra" / "flows" / "good.asl.json").write_text(json.dumps(machine(), indent=2))
    base = commit(repo, "first")
    bad = machine()
    del find_state(bad, "Agent")["Retry"]
    (repo / "infra" / "flows" / "new.asl.json").write_text(json.dumps(bad, indent=2))
    commit(repo, "second")
    return repo, base


def readme_workflows() -> list[dict[str, Any]]:
    """The workflows of README's CI section that use this action."""
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    workflows = [yaml.safe_load(b) for b in blocks if "uses: policylint/policylint@" in b]
    assert len(workflows) == 2
    return workflows


def action_step(workflow: dict[str, Any]) -> dict[str, str]:
    steps = workflow["jobs"]["policylint"]["steps"]
    return next(s.get("with", {}) for s in steps if s.get("uses", "").startswith("policylint/policylint@"))


def with_installed(runner: Runner) -> Runner:
    """As after the install step: policylint (this checkout, in the test's venv) on PATH."""
    runner.path = [str(Path(sys.executable).parent)]
    return runner


def test_readme_code_scanning_workflow_uploads_what_github_accepts(sample: tuple[Path, str]) -> None:
    repo, _ = sample
    workflow = readme_workflows()[0]
    assert workflow["permissions"]["security-events"] == "write"
    runner = with_installed(Runner(repo, action_step(workflow), {}))
    assert runner.run(skip=(INSTALL,)) == 1, runner.log  # a warning fails the job, after the upload
    assert runner.contexts["steps"]["run"]["outputs"] == {"exit-code": "1", "sarif-file": "policylint.sarif"}
    assert runner.uploads == [{"uses": "github/codeql-action/upload-sarif@v3",
                               "sarif_file": "policylint.sarif", "category": "policylint"}]
    text = (repo / "policylint.sarif").read_text()
    assert upload_problems(text) == []
    results = json.loads(text)["runs"][0]["results"]
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results} == {("AGT306", "infra/flows/new.asl.json")}


def test_readme_pull_request_workflow_annotates_new_findings_only(sample: tuple[Path, str]) -> None:
    repo, base = sample
    workflow = readme_workflows()[1]
    assert workflow.get("on", workflow.get(True)) == "pull_request"  # YAML 1.1 reads `on` as true
    inputs = action_step(workflow)
    pull_request = {"event": {"pull_request": {"base": {"sha": base}}}}
    filled = {k: expand(v, {"github": pull_request}) for k, v in inputs.items()}
    runner = with_installed(Runner(repo, filled, {}))
    assert runner.run(skip=(INSTALL,)) == 1
    assert runner.uploads == []
    annotations = [line for line in runner.log.splitlines() if line.startswith("::")]
    assert len(annotations) == 1 and "title=AGT306 agent-missing-retry" in annotations[0]
    assert annotations[0].startswith("::warning file=infra/flows/new.asl.json,line=")


def test_a_clean_repository_passes_and_errors_stop_the_job(sample: tuple[Path, str]) -> None:
    repo, _ = sample
    clean = with_installed(Runner(repo, {"paths": "infra/flows/good.asl.json"}, {}))
    assert clean.run(skip=(INSTALL,)) == 0
    assert clean.contexts["steps"]["run"]["outputs"]["exit-code"] == "0" and len(clean.uploads) == 1
    broken = with_installed(Runner(repo, {"args": "--select NOPE999"}, {}))
    assert broken.run(skip=(INSTALL,)) == 2 and broken.uploads == []  # no report: nothing to upload
    assert "unknown rule code or name 'NOPE999'" in broken.log
    wrong = with_installed(Runner(repo, {"mode": "both"}, {}))
    assert wrong.run(skip=(INSTALL,)) == 2 and "mode is sarif or annotate" in wrong.log


def test_the_install_step_installs_the_actions_own_policylint(sample: tuple[Path, str],
                                                               tmp_path: Path) -> None:
    """The step builds the action's checkout and installs it, with every package it requires,
    into a venv of its own. The packages come from a wheelhouse of this environment's (what an
    index would give, offline): how pip finds them on an index is pip's to prove."""
    repo, _ = sample
    action = checkout(tmp_path / "action")
    wheels = wheelhouse(tmp_path / "wheels", *BUILD_REQUIRES, *DEPENDENCIES)
    runner = Runner(repo, {"mode": "annotate"}, {"action_repository": "policylint/policylint",
                                                 "action_path": str(action)}, install_env(wheels))
    assert runner.run() == 1, runner.log
    assert runner.path == [str(runner.temp / "policylint-venv" / "bin")]
    assert "title=AGT306" in runner.log


# A runner's python3 whose pip is the one in $FAKE_SITE: it records each call in $CALLS,
# runs the action's version check (`-c`) for real, against that pip, and makes a venv as a
# folder holding this same python; it neither installs nor runs ensurepip.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "$0 $*" >> "$CALLS"
if [ "$1" = -c ]; then PYTHONPATH="$FAKE_SITE" exec "$REAL_PYTHON" "$@"; fi
if [ "$1 $2" = "-m venv" ]; then mkdir -p "${@: -1}/bin" && cp "$0" "${@: -1}/bin/python"; fi
"""
OWN_PIP = ("{python3} -m venv {venv}", "{venv}/bin/python -m pip install")
OUTSIDE = ("{python3} -m venv --without-pip {venv}", "{python3} -m pip --python {venv}/bin/python install")


@pytest.mark.parametrize(("version", "commands"), [("22.0.2", OWN_PIP),  # ubuntu-22.04's
                                                   ("22.2.2", OWN_PIP), ("22.3", OUTSIDE),
                                                   ("22.10.1", OUTSIDE)])  # 10 > 3: numbers compared
def test_with_a_pip_before_22_3_the_install_step_gives_the_venv_its_own(
        sample: tuple[Path, str], tmp_path: Path, version: str, commands: tuple[str, str]) -> None:
    """pip 22.3 and newer installs into the venv from outside it (--python): the venv needs
    no pip. An older one cannot: the venv gets a pip of its own, which installs. (That an
    install works is test_the_install_step_installs_the_actions_own_policylint's to prove.)"""
    repo, _ = sample
    fakes, site = tmp_path / "fakes", tmp_path / "site"
    (site / "pip").mkdir(parents=True)
    (site / "pip" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    fakes.mkdir()
    python3 = fakes / "python3"
    python3.write_text(FAKE_PYTHON)
    python3.chmod(0o755)
    calls = tmp_path / "calls"
    env = {**os.environ, "PATH": os.pathsep.join([str(fakes), os.environ["PATH"]]), "CALLS": str(calls),
           "FAKE_SITE": str(site), "REAL_PYTHON": sys.executable}
    runner = Runner(repo, {}, {"action_path": "/the/action"}, env)
    assert runner.run(skip=tuple(s["name"] for s in ACTION["runs"]["steps"] if s["name"] != INSTALL)) == 0
    venv = runner.temp / "policylint-venv"
    check, *done = calls.read_text().splitlines()
    assert check.startswith(f"{python3} -c ") and "pip.__version__" in check, runner.log
    make, install = (c.format(python3=python3, venv=venv) for c in commands)
    assert done == [make, f"{install} --quiet --disable-pip-version-check /the/action"], runner.log
    assert runner.path == [str(venv / "bin")]
