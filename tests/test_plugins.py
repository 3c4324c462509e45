"""A third-party plugin, installed as a normal package, is found and its rule runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from forms import FORMS, machine

from policylint.cli import main

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "policylint-example"


@pytest.mark.slow  # builds and installs a wheel
def test_example_plugin_installs_and_runs(workdir: Path, tmp_path_factory) -> None:
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "--target", str(target),
                    str(PLUGIN)], check=True, cwd=workdir)
    env = {**os.environ, "PYTHONPATH": str(target)}

    def policylint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "policylint", *args], capture_output=True,
                              text=True, env=env, cwd=workdir)

    assert "EXA001  agent-task-without-owner" in policylint("rules").stdout
    FORMS["json"](workdir, machine())
    result = policylint("check", ".", "--fail-on", "note")
    assert result.returncode == 1
    assert result.stdout.startswith("flow.asl.json:5:5 EXA001 agent task 'Agent' has no 'owner: TEAM'")
    # Without the plugin on the path, the same file is clean.
    assert subprocess.run([sys.executable, "-m", "policylint", "check", "."], cwd=workdir,
                          capture_output=True).returncode == 0


def test_broken_plugin_is_a_clear_setup_error(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import policylint.plugins

    real = policylint.plugins.entry_points
    broken = policylint.plugins.EntryPoint("broken", "no_such_policylint_plugin")
    monkeypatch.setattr(policylint.plugins, "entry_points", lambda group: [*real(group), broken])
    assert main(["rules"]) == 2
    assert "plugin 'broken' (no_such_policylint_plugin) failed to load" in capsys.readouterr().err


def test_entry_points_are_those_importlib_metadata_finds() -> None:
    import importlib.metadata

    from builtin_plugins import all_entry_points  # the function itself, not the tests' filter

    ours = sorted((e.name, e.value) for e in all_entry_points("policylint"))
    theirs = sorted((e.name, e.value) for e in importlib.metadata.entry_points(group="policylint"))
    assert ours == theirs and ("asl", "policylint.rules.asl.rules") in ours


def test_plugin_modules_register_every_hookimpl_and_nothing_else() -> None:
    """Engine reads a plugin module's namespace (fast) but keeps pluggy's semantics: a hook
    implementation under another name (``specname``) counts, other attributes do not."""
    import types

    from policylint.engine import Engine
    from policylint.hookspecs import hookimpl
    from policylint.rule import Rule, Severity

    module = types.ModuleType("renamed_plugin")
    module.policylint_like_name = lambda: []  # not marked: not a hook implementation
    module.my_rules = hookimpl(specname="policylint_rules")(
        lambda: [Rule("XYZ001", "xyz", Severity.NOTE, "a rule", "its help")])
    engine = Engine(extra_plugins=[module])
    assert "XYZ001" in engine.rules
    assert [impl.function.__name__ for impl in engine.plugins.hook.policylint_rules.get_hookimpls()
            if impl.plugin is module] == ["<lambda>"]


@pytest.mark.parametrize("declaration, problem", [
    (dict(code="X01"), "a code is 2 to 5 capital letters"),
    (dict(name="Bad_Name"), "lower-case words"),
    (dict(kinds=()), "says which kinds it reads"),
    (dict(kinds=("asl", "terraform")), "kinds is a tuple of"),
    (dict(kinds=["asl"]), "kinds is a tuple of"),
    (dict(scope="file"), "scope is one of"),
    (dict(scope="project", kinds=("asl",)), "names no kinds"),
    (dict(scope="project", kinds=(), cross_file=True), "names no kinds"),
])
def test_a_wrong_declaration_fails_where_the_rule_is_defined(declaration: dict, problem: str) -> None:
    from policylint.rule import RuleError, Severity, rule

    arguments = {"code": "XYZ001", "name": "xyz", "kinds": ("asl",), **declaration}
    code, name = arguments.pop("code"), arguments.pop("name")
    with pytest.raises(RuleError, match=problem):
        rule(code, name, Severity.NOTE, summary="s", **arguments)(lambda ctx: iter(()))


def test_a_right_declaration_is_accepted() -> None:
    from policylint.rule import Severity, rule

    made = rule("XYZ001", "xyz-rule", Severity.NOTE, summary="s", scope="project")(lambda project: iter(()))
    assert made.kinds == () and made.scope == "project"


@pytest.mark.parametrize("cross_file", [False, True])
def test_only_a_cross_file_rule_reads_the_index(workdir: Path, cross_file: bool) -> None:
    """Without --jobs too: a document rule that reads the index without saying so fails
    on its first document (an internal error), so its tests catch the wrong declaration."""
    import types

    from policylint.config import Config
    from policylint.engine import Engine
    from policylint.hookspecs import hookimpl
    from policylint.rule import Finding, Severity, rule

    @rule("XYZ002", "reads-index", Severity.NOTE, summary="s", kinds=("asl",), cross_file=cross_file)
    def reads_index(ctx):  # type: ignore[no-untyped-def]
        yield Finding(ctx.document, (), f"{len(ctx.project.index.machines)} machines")

    module = types.ModuleType("index_reader")
    module.policylint_rules = hookimpl(lambda: [reads_index])
    (workdir / "a.asl.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    outcome = Engine(extra_plugins=[module]).run(["a.asl.json"], Config(select=("XYZ002",)))
    if cross_file:
        assert [f.message for f in outcome.findings] == ["1 machines"] and not outcome.errors
    else:
        assert not outcome.findings and "must say cross_file=True" in outcome.errors[0].error


def test_every_built_in_rules_module_is_registered() -> None:
    """A rules module missing from pyproject.toml's entry points would never run."""
    import ast

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    registered = set(project["entry-points"]["policylint"].values())
    package = root / "policylint"
    contributing = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.FunctionDef) and node.name == "policylint_rules" for node in tree.body):
            contributing.add(".".join(path.relative_to(package.parent).with_suffix("").parts))
    contributing -= {"policylint.hookspecs", "policylint.problems"}  # the spec; the engine's own PL codes
    assert len(contributing) > 10 and contributing <= registered, contributing - registered
