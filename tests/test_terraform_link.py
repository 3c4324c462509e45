"""Linking a Terraform module makes new documents: the loaded ones stay as read."""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, cast

import pytest
from helpers import position_of, run, write
from test_terraform_values import AGENT_TASK, CHILD, FOR_EACH, ITEMS, MIDDLE, ROOT

from policylint.frontends import hcl
from policylint.frontends import terraform_link as link
from policylint.frontends.builtin import Terraform
from policylint.frontends.terraform import TerraformSource
from policylint.load import load
from policylint.models import Document

ROLE = '''resource "aws_iam_role" "flow" {
  name = "flow"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "states.amazonaws.com" } }]
  })
}
'''
MACHINE = CHILD + AGENT_TASK.replace('role_arn = "arn:aws:iam::111122223333:role/flow"',
                                     "role_arn = aws_iam_role.flow.arn")


def module_tree(root: Path) -> None:
    """A root module calling a module calling one whose state machine takes the root's
    values, with locals, a for_each resource, a dynamic statement a statement an item, and
    a role its state machine names from another file."""
    write(root / "main.tf", ROOT)
    write(root / "modules" / "flow" / "main.tf", MIDDLE)
    write(root / "modules" / "machine" / "main.tf", MACHINE)
    write(root / "modules" / "machine" / "iam.tf", ROLE + FOR_EACH + ITEMS)


def state(documents: list[Document]) -> list[Any]:
    """What a link could change of loaded documents: their data and attributes, and the
    maps of their sources."""
    found: list[Any] = []
    for document in documents:
        found.append((copy.deepcopy(document.data), dict(vars(document)).keys(),
                      document.shared_resources, list(document.definition_files)))
        source = document.source
        if isinstance(source, TerraformSource):
            found.append((dict(source.places), dict(source.heredocs), set(source.unsure),
                          {path: (id(home), at) for path, (home, at) in source.moved.items()}))
    return found


def test_a_link_changes_no_loaded_document_nor_its_source(workdir: Path) -> None:
    module_tree(workdir)
    documents: list[Document] = []
    for folder, _, names in sorted(os.walk(".")):
        for name in sorted(names):
            documents.extend(load(os.path.join(folder, name), root=".")[0])
    before, listed = state(documents), list(documents)
    linked = Terraform().link(documents, lambda files, expect: [])
    assert documents == listed and state(documents) == before
    assert linked.replaced and all(d in listed for d in linked.replaced)
    assert not any(d in listed for d in linked.added)


def test_findings_of_a_linked_module_are_where_its_values_are_written(workdir: Path) -> None:
    module_tree(workdir)
    iam = ROLE + FOR_EACH + ITEMS
    found = run(".")[1]
    assert sorted((f["code"], f["file"], f["line"], f["column"]) for f in found) == sorted([
        ("AGT301", "main.tf", *position_of(ROOT, r"timeout    = (?P<at>3600)")),
        ("AGT304", "main.tf", *position_of(ROOT, r'harness    = (?P<at>")')),
        ("SFN201", "main.tf", *position_of(ROOT, r"(?P<at>Load) = \{")),
        ("IAM504", "modules/machine/main.tf", *position_of(MACHINE, r'"support"\n  (?P<at>role_arn)')),
        ("IAM510", "modules/machine/iam.tf", *position_of(iam, r'Service = (?P<at>")')),
        # the for_each resource: one a key, each judged where its resource writes it
        ("IAM501", "modules/machine/iam.tf", *position_of(iam, r'Resource = (?P<at>"\*")')),
        ("IAM507", "modules/machine/iam.tf", *position_of(iam, r'Resource = (?P<at>"\*")')),
        ("IAM518", "modules/machine/iam.tf", *position_of(iam, r"(?P<at>Action) = each")),
        ("IAM518", "modules/machine/iam.tf", *position_of(iam, r"(?P<at>Action) = each")),
        # the dynamic statement, a statement an item, where its content names the item
        ("IAM507", "modules/machine/iam.tf", *position_of(iam, r"resources     = (?P<at>statement)")),
        ("IAM518", "modules/machine/iam.tf", *position_of(iam, r"actions       = (?P<at>statement)")),
    ])


def test_placing_a_plan_in_its_configuration_changes_no_loaded_document(workdir: Path) -> None:
    from test_terraform_positions import plan_in, planned, tree

    from policylint.frontends.terraform_plan import TerraformPlan

    tree(workdir)
    plan_in(workdir, planned())
    documents = load("plan.json", root=".", frontends=[TerraformPlan()])[0]
    before = state(documents)
    linked = TerraformPlan().link(documents, lambda files, expect: [])
    assert state(documents) == before
    assert linked.replaced == documents
    placed = [d for d in linked.added if d.template is None]
    assert len(placed) == 1 and cast(TerraformSource, placed[0].source).moved  # placed in the .tf files


def scope_of(**values: Any) -> link._Scope:
    """A module ``m`` whose variables are ``values``, known."""
    table = {f"var.{name}": ((value, True, ()), link._Anchor("m")) for name, value in values.items()}
    return link._Scope("m", table, {}, {})


def test_each_puts_in_the_key_and_the_items_values_where_they_are_named() -> None:
    gone = {"Fn::Terraform": "each.value.gone"}
    resource = {"Name": {"Fn::Sub": "agent-${each.key}"}, "Item": "${each.value}",
                "Note": "on ${each.value.on}/${each.key}", "Actions": {"Fn::Terraform": "each.value.actions"},
                "Gone": gone, "Deep": {"Fn::Terraform": "each.value.actions.x"},
                "Other": {"Fn::Sub": "${each.value.other}-x"}, "Kept": [gone, 1]}
    item = {"actions": ["s3:GetObject"], "on": True}
    assert link._each(resource, "Admin", item) == {
        "Name": "agent-Admin", "Item": item, "Note": "on true/Admin", "Actions": ["s3:GetObject"],
        # an attribute of an item that is not an object stays as written; a missing one is left out
        "Deep": {"Fn::Terraform": "each.value.actions.x"}, "Other": {"Fn::Sub": "${each.value.other}-x"},
        "Kept": [1]}
    assert link._names_each({"A": [{"Fn::Terraform": "each.value.x"}]})
    assert link._names_each({"A": "${each.key}"}) and link._names_each({"A": {"Fn::Sub": "${each.key}"}})
    assert not link._names_each({"A": {"Fn::Sub": "${local.each}"}, "B": "each"})


def test_a_copy_on_write_is_the_modules_resource_too() -> None:
    role: dict[str, Any] = {"Type": "aws_iam_role", "Properties": {"Name": "r", "Tags": {}}}
    module = {"aws_iam_role.r": role, "aws_iam_role.s": {}}
    view = Document("template", {"Resources": dict(module)}, cast(Any, None))
    view.shared_resources = module
    copies = link._Copies()
    props = copies.writable(view, ("aws_iam_role.r", "Properties"))
    props["Name"] = "s"
    assert role == {"Type": "aws_iam_role", "Properties": {"Name": "r", "Tags": {}}}  # as read
    assert view.data["Resources"]["aws_iam_role.r"] is module["aws_iam_role.r"] is not role
    assert module["aws_iam_role.r"]["Properties"] == {"Name": "s", "Tags": {}}
    assert copies.writable(view, ("aws_iam_role.r", "Properties")) is props  # copied once
    copies.assign(view, ["aws_iam_role.r", "Properties", "Tags", "k"], "v")
    assert props["Tags"] == {"k": "v"} and role["Properties"]["Tags"] == {}


@pytest.mark.parametrize(("condition", "values", "truth"), [
    ("var.x != null", {"x": "a"}, True), ("var.x != null", {"x": None}, False),
    ("var.x == null", {"x": None}, True), ("var.x == null", {"x": 0}, False),
    ("length(var.x) > 0", {"x": ["a"]}, True), ("length(var.x) > 0", {"x": []}, False),
    ("length(var.x) == 0", {"x": []}, True), ("length(var.x) == 0", {"x": "a"}, False),
    ("length(var.x) != 0", {"x": {"k": 1}}, True), ("!var.x && var.y", {"x": False, "y": True}, True),
    ("var.x || var.y", {"x": False, "y": False}, False),
])
def test_a_condition_on_known_values_is_evaluated(condition: str, values: dict, truth: bool) -> None:
    assert link._truth(condition, scope_of(**values)) == (truth, "")


def test_a_value_shown_in_a_note_is_as_written_cut_after_80_characters() -> None:
    assert link._shown(hcl.Unknown("x" * 80)) == "x" * 80
    assert link._shown(hcl.Unknown("x" * 81)) == "x" * 77 + "..."
    reference = hcl.Reference(("var", "x"), "var.x")
    assert link._shown({"a": [1, "b", reference], "c": None}) == '{a = [1, "b", var.x], c = null}'


def test_a_value_put_in_a_definition_is_at_its_steps() -> None:
    holder = {"definition": {"States": {"A": {"Type": "Task"}}}}
    link._put_in(holder, ["definition", "States", "A", "Resource"], "arn")
    assert holder == {"definition": {"States": {"A": {"Type": "Task", "Resource": "arn"}}}}


def test_a_link_gives_its_views_the_modules_resources_and_followed_definitions(workdir: Path) -> None:
    """Each new view of a module shares its resources (a for_each resource's keys in its
    place), and a definition followed to a caller's value is the state machine's there."""
    module_tree(workdir)
    documents: list[Document] = []
    for folder, _, names in sorted(os.walk(".")):
        for name in sorted(names):
            documents.extend(load(os.path.join(folder, name), root=".")[0])
    added = Terraform().link(documents, lambda files, expect: []).added
    views = {d.source.path: d for d in added if d.kind == "template"}
    module = views["./modules/machine/main.tf"].shared_resources
    assert module is views["./modules/machine/iam.tf"].shared_resources
    assert sorted(cast(dict, module)) == [
        'aws_iam_policy.agent["admin"]', 'aws_iam_policy.agent["support"]', "aws_iam_role.flow",
        "aws_sfn_state_machine.batch", "aws_sfn_state_machine.support", "data.aws_iam_policy_document.agent"]
    # once: the state machine of the view that follows it is the one where the value is written
    [batch] = [d for d in added if d.kind == "asl" and d.logical_id == "aws_sfn_state_machine.batch"]
    assert batch.source.path == "./main.tf"  # the root module's value
    written = views["./modules/machine/main.tf"].data["Resources"]["aws_sfn_state_machine.batch"]
    assert written["Properties"]["Definition"] is batch.data
    # a dynamic statement an item: each key is its statement's Sid, the others after the block's own
    agent = views["./modules/machine/iam.tf"].data["Resources"]["data.aws_iam_policy_document.agent"]
    statements = agent["Properties"]["PolicyDocument"]["Statement"]
    assert [s.get("Sid") for s in statements] == ["Read", None, "Pass"]


def test_a_plan_is_placed_in_the_views_the_run_read(workdir: Path) -> None:
    """The configuration's views loaded in the run are those a plan is placed in: its files
    are not read again (here they are gone once loaded)."""
    from test_terraform_positions import plan_in, planned, tree

    from policylint.frontends.terraform_plan import TerraformPlan

    tree(workdir)
    plan_in(workdir, planned())
    documents = load("plan.json", root=".", frontends=[TerraformPlan()])[0]
    for folder, _, names in sorted(os.walk(".")):
        for name in sorted(n for n in names if n.endswith(".tf")):
            documents.extend(load(os.path.join(folder, name), root=".")[0])
            os.remove(os.path.join(folder, name))
    added = TerraformPlan().link(documents, lambda files, expect: []).added
    placed = [d for d in added if d.template is None]
    assert len(placed) == 1
    moved = cast(TerraformSource, placed[0].source).moved
    assert {home.path for home, _ in moved.values()} == {"./modules/machine/main.tf"}
