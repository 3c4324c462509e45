"""Config files: .policylint.yaml or [tool.policylint], validated by a JSON schema; every key."""
from __future__ import annotations

from pathlib import Path

import pytest
from forms import FORMS, find_state, machine, mutated
from helpers import codes, run, write

from policylint.cli import main


def in_folder(root: Path, name: str) -> Path:
    (root / name).mkdir(parents=True, exist_ok=True)
    return root / name


def no_retry() -> dict:
    return mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry"))


def test_policylint_yaml_is_found_and_wins_over_pyproject(workdir: Path) -> None:
    FORMS["json"](workdir, no_retry())
    write(workdir / "pyproject.toml", '[tool.policylint]\nfail-on = "error"\n')
    assert codes(run(".")[1]) == ["AGT306"]
    write(workdir / ".policylint.yaml", "ignore: [AGT306]\n")
    assert run(".") == (0, [])


def test_nearest_config_to_the_linted_path(workdir: Path) -> None:
    FORMS["json"](in_folder(workdir, "svc"), no_retry())
    write(workdir / ".policylint.yaml", "fail-on: error\n")
    write(workdir / "svc" / ".policylint.yaml", "ignore: [AGT306]\n")
    assert codes(run("svc")[1]) == []
    assert codes(run(".")[1]) == ["AGT306"]


@pytest.mark.parametrize("text, error", [
    ("selct: [AGT]\n", "unknown key 'selct'"),
    ("fail-on: sometimes\n", "fail-on: 'sometimes' is not one of"),
    ("severity: {AGT306: critical}\n", "severity.AGT306: 'critical' is not one of"),
    ("severity: {AGT999: error}\n", "unknown rule code or name 'AGT999'"),
    ("per-file-ignores: {'legacy/**': [NOPE1]}\n", "unknown rule code or name 'NOPE1'"),
    ("environments: {prod: {accounts: ['12']}}\n", "environments.prod.accounts.0: '12' does not match"),
    ("ignore: AGT306\n", "ignore: 'AGT306' is not of type 'array'"),
    ("allowed-model-providers: [anthropic]\n", "allowed-model-providers.0: 'anthropic' is not one of"),
    ("max-memory-retention-days: 0\n", "max-memory-retention-days: 0 is less than the minimum of 1"),
    ("max-memory-retention-days: 30 days\n", "max-memory-retention-days: '30 days' is not of type 'integer'"),
])
def test_bad_config_is_a_clear_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str],
                                           text: str, error: str) -> None:
    FORMS["json"](workdir, machine())
    write(workdir / ".policylint.yaml", text)
    assert main(["check", "."]) == 2
    assert error in capsys.readouterr().err


def test_per_file_ignores_severity_and_exclude(workdir: Path) -> None:
    for folder in ("legacy", "new", "vendor"):
        FORMS["json"](in_folder(workdir, folder), no_retry())
    write(workdir / ".policylint.yaml", "per-file-ignores: {'legacy/**': [AGT306]}\n"
          "severity: {agent-missing-retry: error}\nexclude: [vendor/]\n")
    code, findings = run(".")
    found = [(f["file"], f["code"], f["severity"]) for f in findings]
    assert found == [("new/flow.asl.json", "AGT306", "error")]
    assert code == 1


def test_approved_harnesses(workdir: Path) -> None:
    FORMS["json"](workdir, machine())
    write(workdir / ".policylint.yaml",
          "approved-harnesses: ['arn:aws:bedrock-agentcore:*:111122223333:harness/billing-*']\n")
    (finding,) = [f for f in run(".")[1] if f["code"] == "AGT319"]
    assert "harness/support" in finding["message"]
    write(workdir / ".policylint.yaml",
          "approved-harnesses: ['arn:aws:bedrock-agentcore:*:*:harness/sup*']\n")
    assert "AGT319" not in codes(run(".")[1])


def test_config_option_takes_a_yaml_file(workdir: Path) -> None:
    FORMS["json"](workdir, no_retry())
    write(workdir / "ci.yaml", "select: [AGT306]\n")
    assert codes(run(".", "--config", "ci.yaml")[1]) == ["AGT306"]
