"""Hostile runs, round two: small files that once multiplied the work (YAML aliases, repeated
statements), size gates that once skipped a file in silence. Each test failed before its fix."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import codes, position_of, run, write

from policylint.limits import MAX_FINDINGS

pytestmark = pytest.mark.slow  # inputs that multiply the work, at full size: not in the quick loop

ACTIONS = 9000


def aliased_policy(copies: int) -> str:
    """A policy whose statement (9,000 unknown actions) is repeated ``copies`` times by alias."""
    actions = "".join(f"      - s3:Bogus{i}\n" for i in range(ACTIONS))
    return ("Version: '2012-10-17'\nStatement:\n  - &s\n    Effect: Allow\n    Resource: '*'\n    Action:\n"
            + actions + "  - *s\n" * copies)


def timed(*args: str) -> tuple[float, int, list[dict]]:
    """The run's CPU seconds (in this process: the work done, however busy the machine is with
    other tests), its exit code and findings."""
    start = time.process_time()
    code, findings = run(*args)
    return time.process_time() - start, code, findings


def the_count_note(findings: list[dict]) -> dict:
    notes = [f for f in findings if "more" in f["message"] and "not shown" in f["message"]]
    assert len(notes) == 1, notes
    return notes[0]


def test_an_aliased_statement_past_the_node_limit_is_an_alias_bomb(workdir: Path) -> None:
    write(workdir / "p.yaml", aliased_policy(104))  # 190 KB, 945,000 actions once expanded
    seconds, code, findings = timed("p.yaml")
    assert codes(findings) == ["PL002"] and "alias bomb" in findings[0]["message"]
    assert seconds < 5, seconds


def test_findings_are_capped_per_rule_and_file_with_a_count_of_the_rest(workdir: Path) -> None:
    text = aliased_policy(10)  # 11 statements of 9,000 unknown actions: 99,000 IAM508
    write(workdir / "p.yaml", text)
    seconds, code, findings = timed("p.yaml")
    assert code == 1 and codes(findings) == ["IAM508"] * (MAX_FINDINGS + 1)
    note = the_count_note(findings)
    assert note["message"].endswith(f"[and at least {11 * ACTIONS - MAX_FINDINGS - 1:,} more IAM508 "
                                    "findings in this file from here on, not shown]")
    # the first finding left out is itself shown, where it is written
    assert note["path"] == ["Statement", 0, "Action", MAX_FINDINGS]
    assert (note["line"], note["column"]) == position_of(text, rf"s3:Bogus{MAX_FINDINGS}\n")
    assert seconds < 10, seconds


def test_a_rule_is_not_asked_for_more_than_a_hundred_thousand_findings(workdir: Path) -> None:
    statements = [{}] * 120_000  # 360,000 findings
    write(workdir / "p.json", json.dumps({"Version": "2012-10-17", "Statement": statements}))
    seconds, code, findings = timed("p.json")
    assert codes(findings) == ["IAM509"] * (MAX_FINDINGS + 1)
    assert "[and at least 98,999 more IAM509 findings" in the_count_note(findings)["message"]
    assert seconds < 10, seconds


def test_aliased_parallel_branches_in_serverless_are_capped(workdir: Path) -> None:
    indent = " " * 18
    states = "".join(f"{indent}S{i}:\n{indent}  Type: Pass\n{indent}  Next: S{i + 1}\n" for i in range(499))
    write(workdir / "serverless.yml", (
        "service: x\nprovider:\n  name: aws\nstepFunctions:\n  stateMachines:\n    flow:\n"
        "      definition:\n        StartAt: P\n        States:\n          P:\n            Type: Parallel\n"
        "            End: true\n            Branches:\n              - &b\n                StartAt: S0\n"
        "                States:\n" + states
        + "                  S499:\n                    Type: Pass\n                    End: true\n"
        + "              - *b\n" * 60))
    seconds, code, findings = timed("serverless.yml")
    assert codes(findings) == ["ASL105"] * (MAX_FINDINGS + 1)
    assert "[and at least 28,999 more ASL105" in the_count_note(findings)["message"]
    assert seconds < 10, seconds


def test_the_cap_is_the_same_with_jobs(workdir: Path) -> None:
    for i in range(4):
        write(workdir / f"p{i}.yaml", aliased_policy(1))
    serial = run(".", "--fail-on", "never")
    parallel = run(".", "--fail-on", "never", "--jobs", "2")
    assert serial == parallel
    assert codes(serial[1]) == ["IAM508"] * 4 * (MAX_FINDINGS + 1)


def test_an_oversized_file_whose_marker_comes_late_is_reported(workdir: Path) -> None:
    """Whether a file is ours does not depend on its first 64 KB: an over-limit policy is PL002."""
    padding = "x" * (6 * 1024 * 1024)
    write(workdir / "big.json", json.dumps({"Description": padding, "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}))
    code, findings = run(".")
    assert code == 1 and codes(findings) == ["PL002"] and "over the" in findings[0]["message"]


def test_only_a_real_account_export_gets_the_export_size_limit(workdir: Path) -> None:
    """A file that merely names RoleDetailList early is not read up to 200 MiB."""
    pad = "x" * (6 * 1024 * 1024)
    policy = ('"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
              '"Resource": "*"}]')
    write(workdir / "fake.json", '{"Note": "RoleDetailList", "RoleDetailList": [], ' + policy
          + ', "Pad": "' + pad + '"}')
    write(workdir / "real.json", '{"RoleDetailList": [], "Pad": "' + pad + '"}')
    write(workdir / "sorted.json", '{"IsTruncated": false, "RoleDetailList": [], "Pad": "' + pad + '"}')
    code, findings = run(".", "--fail-on", "never", "--show-files")
    assert [(f["file"], f["code"]) for f in findings] == [("fake.json", "PL002")]
    assert "over the 5,242,880 byte limit" in findings[0]["message"]
