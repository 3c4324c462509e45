"""Linking a Terraform module makes new documents: the loaded ones stay as read."""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, cast

from helpers import position_of, run, write
from test_terraform_values import AGENT_TASK, CHILD, FOR_EACH, ITEMS, MIDDLE, ROOT

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
