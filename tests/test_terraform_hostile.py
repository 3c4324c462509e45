"""Terraform files written to hang, exhaust memory or slip through: each ends quickly with a
clear finding, and the rest of the run goes on."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import run, write

pytestmark = pytest.mark.slow  # megabytes of hostile HCL: not in the quick loop

ROLE = 'resource "aws_iam_role" "r" {\n  name = "r"\n'
NEIGHBOUR = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Nxt": "B"}}}'  # ASL101


def timed_run(*args: str) -> tuple[float, int, list[dict]]:
    start = time.perf_counter()
    code, found = run(*args)
    return time.perf_counter() - start, code, found


def codes_in(found: list[dict], name: str) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in found if f["file"] == name]


def test_an_unterminated_heredoc_of_blank_lines_is_a_quick_pl001(workdir: Path) -> None:
    write(workdir / "main.tf", ROLE + "  assume_role_policy = <<EOF\n" + "\n" * 64_000)
    write(workdir / "flow.asl.json", NEIGHBOUR)
    seconds, code, found = timed_run(".")
    assert seconds < 3, f"{seconds:.1f} s"
    assert codes_in(found, "main.tf") == [("PL001", 3, 24)]  # at the <<EOF
    assert "heredoc" in next(f["message"] for f in found if f["file"] == "main.tf")
    assert "ASL101" in {f["code"] for f in found} and code == 1


def test_locals_referenced_thousands_of_times_are_shared_and_capped(workdir: Path) -> None:
    actions = ", ".join(f'"s3:Get{i}"' for i in range(1200))
    statements = ",\n".join('    { Effect = "Allow", Action = local.actions, Resource = "*" }'
                            for _ in range(1200))
    text = (f"locals {{\n  actions = [{actions}]\n}}\n\n" + ROLE
            + f"  inline_policy {{\n    name = \"p\"\n    policy = jsonencode({{ Version = \"2012-10-17\", "
            f"Statement = [\n{statements}\n    ] }})\n  }}\n}}\n")
    assert len(text) < 100_000
    write(workdir / "main.tf", text)
    seconds, _, found = timed_run(".")
    assert seconds < 5, f"{seconds:.1f} s"
    notes = [f for f in found if f["code"] == "PL005" and "locals" in f["message"]]
    assert len(notes) == 1 and "1,200 references" in notes[0]["message"]


def test_a_few_references_to_a_local_list_are_still_put_in(workdir: Path) -> None:
    text = ('locals {\n  actions = ["iam:PassRole"]\n}\n' + ROLE + '  inline_policy {\n    name = "p"\n'
            '    policy = jsonencode({ Version = "2012-10-17", Statement = [\n'
            '      { Effect = "Allow", Action = local.actions, Resource = "*" },\n'
            '      { Effect = "Allow", Action = local.actions, Resource = "*" }] })\n  }\n}\n')
    write(workdir / "main.tf", text)
    found = run(".")[1]
    assert not [f for f in found if "locals" in f["message"]]
    assert [f["line"] for f in found if f["code"] == "IAM507"] == [9, 10]  # iam:PassRole on *


def flat_hcl(size: int) -> str:
    """A role, then ``size`` bytes of buckets: what costs is reading the HCL, not the rules."""
    block = ('resource "aws_s3_bucket" "b{n}" {{\n  bucket = "bucket-{n}"\n  force_destroy = true\n'
             '  tags = {{ team = "data", cost_center = {n}, owner = var.owner }}\n}}\n\n')
    return ROLE + "}\n" + "".join(block.format(n=n) for n in range(size // len(block.format(n=0))))


def test_a_megabyte_of_flat_hcl_is_read_in_seconds(workdir: Path) -> None:
    write(workdir / "main.tf", flat_hcl(1_000_000))
    seconds, code, found = timed_run(".")
    assert seconds < 8, f"{seconds:.1f} s"
    assert (code, found) == (0, [])


def test_a_megabyte_of_tf_json_expressions_is_read_in_seconds(workdir: Path) -> None:
    roles = {f"r{n}": {"name": f"${{var.prefix}}-{n}", "assume_role_policy":
                       f"${{data.aws_iam_policy_document.trust{n % 10}.json}}",
                       "tags": {f"t{i}": f"${{local.tags[{i}]}}" for i in range(10)}
                       | {"env": "${upper(var.env)}", "if": "${var.a ? 1 : 2}"}}
             for n in range(2500)}
    text = json.dumps({"resource": {"aws_iam_role": roles}}, indent=2)
    assert len(text) > 1_000_000
    write(workdir / "main.tf.json", text)
    seconds, code, found = timed_run(".")
    assert seconds < 8, f"{seconds:.1f} s"
    assert code == 0 and not [f for f in found if f["code"] != "PL005"]


@pytest.mark.parametrize(("name", "text", "code", "position"), [
    ("brackets.tf", ROLE + "  tags = " + "[" * 500 + "\n}\n", "PL001", (1, 1)),  # the error node: the block
    ("nested.tf", ROLE + "  tags = " + "[" * 500 + "]" * 500 + "\n}\n", "PL002", (3, 109)),
    ("blocks.tf", ROLE + "".join(f"{'  ' * i}b {{\n" for i in range(200)) + "}\n" * 201, "PL002", (102, 199)),
    ("escape.tf", ROLE + '  description = "\\uZZZZ"\n}\n', "PL001", (3, 18)),
    ("surrogate.tf", ROLE + '  description = "\\ud800"\n}\n', "PL001", (3, 18)),
    ("deep.tf.json", json.dumps({"resource": {"aws_iam_role": {"r": {"tags": "x"}}}}).replace(
        '"x"', "[" * 400 + "]" * 400), "PL002", None),
], ids=["brackets", "nested", "blocks", "escape", "surrogate", "deep-json"])
def test_deep_or_broken_terraform_is_a_finding_and_the_run_goes_on(
        workdir: Path, name: str, text: str, code: str, position: tuple | None) -> None:
    write(workdir / name, text)
    write(workdir / "flow.asl.json", NEIGHBOUR)
    seconds, exit_code, found = timed_run(".")
    assert seconds < 3, f"{seconds:.1f} s"
    mine = codes_in(found, name)
    assert [c for c, *_ in mine] == [code], found
    if position is not None:
        assert tuple(mine[0][1:]) == position
    assert "ASL101" in {f["code"] for f in found} and exit_code == 1


def test_a_tf_file_over_the_size_limit_is_pl002_wherever_it_names_a_resource(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", "max-file-size: 100000\n")
    padding = "# a long comment\n" * 8_000  # 136 KB, nothing of ours in the first 64 KB
    write(workdir / "big.tf", padding + ROLE + '  inline_policy {\n    name = "p"\n    policy = jsonencode({'
          'Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "iam:PassRole", '
          'Resource = "*"}]})\n  }\n}\n')
    write(workdir / "network.tf", padding + 'resource "aws_vpc" "v" {}\n')  # over the limit, not ours
    code, found = run(".")
    assert [(f["file"], f["code"]) for f in found] == [("big.tf", "PL002")] and code == 1


def test_a_tf_file_with_a_nul_byte_is_pl002(workdir: Path) -> None:
    (workdir / "main.tf").write_bytes(b"# \0\n" * 20_000 + ROLE.encode() + b"}\n")
    assert [f["code"] for f in run(".")[1]] == ["PL002"]


def noise(size: int) -> str:
    """Printable noise, with a resource name that makes the file ours."""
    return ROLE + "".join(chr(33 + (i * 7919) % 90) for i in range(size))


def test_slow_error_recovery_is_cut_at_the_time_guard(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint.frontends import hcl_tree

    monkeypatch.setattr(hcl_tree, "MAX_SECONDS", 0.2)
    write(workdir / "noise.tf", noise(400_000))
    seconds, _, found = timed_run(".")
    assert seconds < 4, f"{seconds:.1f} s"
    assert [(f["code"], f["line"]) for f in found] == [("PL001", 2)]  # the first error


def test_a_valid_file_cut_short_is_pl002_never_half_read(workdir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint.frontends import hcl_tree

    monkeypatch.setattr(hcl_tree, "MAX_SECONDS", -1.0)
    write(workdir / "main.tf", ROLE + "}\n")
    assert [(f["code"], f["line"]) for f in run(".")[1]] == [("PL002", 1)]


CALLED = ('variable "definition" {\n  type = any\n}\n'
          'resource "aws_sfn_state_machine" "m" {\n  name = "m"\n'
          '  role_arn = "arn:aws:iam::111122223333:role/r"\n  definition = jsonencode(var.definition)\n}\n')
BIG = "{\n    StartAt = \"S0\"\n    States = {\n" + "".join(
    f'      S{i} = {{ Type = "Pass", Next = "S{i + 1}" }}\n' for i in range(2000)) + \
    '      S2000 = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke", End = true }\n    }\n  }'


def test_a_long_chain_of_module_calls_ends_and_stays_quick(workdir: Path) -> None:
    for i in range(300):
        call = f'module "next" {{\n  source = "../m{i + 1}"\n  definition = var.definition\n}}\n' \
            if i < 299 else ""
        write(workdir / f"m{i}" / "main.tf", CALLED + call)
    write(workdir / "main.tf", f'locals {{\n  definition = {BIG}\n}}\nmodule "first" {{\n'
          '  source = "./m0"\n  definition = local.definition\n}\n')
    seconds, _, found = timed_run(".")
    assert seconds < 10, f"{seconds:.1f} s"
    retry = [f for f in found if f["code"] == "SFN201"]
    assert {f["file"] for f in retry} == {"main.tf"}  # where the root writes it, 10 calls deep
    assert len(retry) == 1


def test_modules_called_by_every_module_of_the_layer_above_are_capped(workdir: Path) -> None:
    for layer in range(6):
        for j in range(6):
            calls = "".join(f'module "n{k}" {{\n  source = "../l{layer + 1}m{k}"\n'
                            '  definition = var.definition\n}\n' for k in range(6)) if layer < 5 else ""
            write(workdir / f"l{layer}m{j}" / "main.tf", CALLED + calls)
    write(workdir / "main.tf", f'locals {{\n  definition = {BIG}\n}}\n' + "".join(
        f'module "a{k}" {{\n  source = "./l0m{k}"\n  definition = local.definition\n}}\n' for k in range(6)))
    seconds, _, found = timed_run(".")
    assert seconds < 10, f"{seconds:.1f} s"
    assert {f["file"] for f in found if f["code"] == "SFN201"} <= {"main.tf"}


def test_a_for_each_over_a_large_resource_is_read_once(workdir: Path) -> None:
    statements = ",\n".join(f'    {{ Effect = "Allow", Action = "s3:Get{i}", Resource = each.value }}'
                            for i in range(10_000))
    keys = "".join(f'    k{i} = "arn:aws:s3:::b{i}/*"\n' for i in range(30))
    write(workdir / "main.tf", f"locals {{\n  buckets = {{\n{keys}  }}\n}}\n"
          'resource "aws_iam_policy" "p" {\n  for_each = local.buckets\n  name = "p"\n'
          f'  policy = jsonencode({{ Version = "2012-10-17", Statement = [\n{statements}\n  ] }})\n}}\n')
    seconds, _, found = timed_run(".")
    assert seconds < 10, f"{seconds:.1f} s"
    assert [f["code"] for f in found if "for_each keys" in f["message"]] == ["PL005"]
