"""Front ends plug in like rules: one module and one registration add a way of writing files."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from forms import machine
from helpers import position_of, write

from policylint.api import Document, FrontEnd, hookimpl  # what a plugin imports
from policylint.config import Config, ConfigError
from policylint.discover import discover
from policylint.engine import Engine
from policylint.models import ASL
from policylint.project import Context, LocalProject
from policylint.source import Source


class Toy(FrontEnd):
    """A made-up form: ``*.toy`` files hold ``{"workflow": <a state machine>}``."""

    name, suffixes = "toy", (".toy",)

    def claims_name(self, path: str) -> bool:
        return path.endswith(".toy")

    def read(self, source: Source, data: Any, root: str | None) -> tuple[list, list]:
        if not isinstance(data, dict) or not isinstance(data.get("workflow"), dict):
            return [], []
        return [Document(ASL, data["workflow"], source, ("workflow",))], []


def toy_plugin(name: str = "toy_frontend") -> ModuleType:
    """The one registration: a module whose hook returns the front end."""
    module = ModuleType(name)

    @hookimpl
    def policylint_frontends() -> list[FrontEnd]:
        return [Toy()]

    module.policylint_frontends = policylint_frontends  # type: ignore[attr-defined]
    return module


def toy_file(workdir: Path) -> tuple[Path, str]:
    flow = machine()
    flow["States"]["Agent"]["TimeoutSeconds"] = 1800
    text = json.dumps({"workflow": flow}, indent=2)
    return write(workdir / "flow.toy", text), text


def test_a_new_front_end_is_one_module_and_one_registration(workdir: Path) -> None:
    path, text = toy_file(workdir)
    engine = Engine(extra_plugins=[toy_plugin()])
    assert ".toy" in engine.suffixes
    files = discover(["."], engine.suffixes)
    assert files == ["flow.toy"]
    outcome = engine.run(files, Config(select=("AGT301",)))
    assert [(f.code, f.location()) for f in outcome.findings] == [
        ("AGT301", ("flow.toy", *position_of(text, r'"TimeoutSeconds": (?P<at>1800)')))]
    assert outcome.kinds == {"flow.toy": ASL}


def test_without_its_registration_the_form_is_not_read(workdir: Path) -> None:
    toy_file(workdir)
    engine = Engine()
    assert ".toy" not in engine.suffixes
    assert discover(["."], engine.suffixes) == []
    assert engine.run(["flow.toy"], Config()).kinds == {"flow.toy": "skipped"}


def test_two_front_ends_of_one_name_are_a_setup_error() -> None:
    with pytest.raises(ConfigError, match="two plugins define front end 'toy'"):
        _ = Engine(extra_plugins=[toy_plugin(), toy_plugin("another")]).frontends


def test_the_engine_names_no_front_end() -> None:
    source = (Path(__file__).parents[1] / "policylint" / "engine.py").read_text()
    for name in ("terraform", "serverless", "cloudformation", "DefinitionUri", "template"):
        assert name not in source.lower().replace("templates", ""), name


def test_skipped_files_are_counted_by_the_front_end_that_claims_their_name(workdir: Path) -> None:
    from policylint.report import build_report
    from policylint.report.text_format import files_read

    write(workdir / "vpc.tf", 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    write(workdir / "notes.toy", '{"no": "workflow"}\n')
    write(workdir / "other.toy", '{"nor": "this"}\n')
    write(workdir / "data.json", '{"name": "x"}\n')
    engine = Engine(extra_plugins=[toy_plugin()])
    outcome = engine.run(discover(["."], engine.suffixes), Config())
    assert outcome.claimed == {"vpc.tf": "Terraform", "notes.toy": "toy", "other.toy": "toy"}
    text = files_read(build_report(outcome, engine.rules))
    assert "; 1 other JSON/YAML file and 1 other Terraform file and 2 other toy files skipped" in text
    report_code = (Path(__file__).parents[1] / "policylint" / "report" / "text_format.py").read_text()
    assert "terraform" not in report_code.lower() and ".tf" not in report_code


def test_the_built_in_front_ends_are_registered_as_a_plugin_is() -> None:
    import policylint.frontends.builtin as builtin

    engine = Engine()
    assert engine.plugins.is_registered(sys.modules[builtin.__name__])
    assert [f.name for f in engine.frontends] == [
        "terraform", "asl", "terraform-plan", "cloudformation", "serverless", "api"]


def test_a_rule_that_is_not_cross_file_cannot_read_another_files_resource(workdir: Path) -> None:
    from policylint.models.refs import Ref

    document = Document(ASL, machine(), Source("flow.asl.json", "{}"))
    ctx = Context(document, LocalProject([document], Config()))
    with pytest.raises(RuntimeError, match="cross_file=True"):
        ctx.project.resource(Ref("main.tf", "aws_cloudwatch_log_group.flow"))
