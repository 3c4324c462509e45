"""Suppressions a security team can govern: `require-reason`, `unsuppressible` (inline and
baseline), PL007 at the suppression that the config refuses."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from forms import FORMS, find_state, mutated
from helpers import position_of, run, write

from policylint.cli import main

SELECT = ("--select", "AGT301,AGT306,PL003,PL004,PL007")


def flow(comment: str, timeout: int = 660) -> Any:
    def change(m: dict[str, Any], lang: str) -> None:
        agent = find_state(m, "Agent")
        agent.pop("Retry")
        agent["TimeoutSeconds"] = timeout
        agent["Comment"] = comment
    return mutated("JSONPath", change)


def config(workdir: Path, text: str) -> None:
    write(workdir / ".policylint.yaml", text)


def test_require_reason_refuses_a_bare_suppression_at_its_place(workdir: Path) -> None:
    config(workdir, "require-reason: true\n")
    file = FORMS["json"](workdir, flow("policylint: disable=AGT306"))
    code, findings = run(".", *SELECT)
    at = position_of(file.read_text(), r'(?P<at>"policylint: disable=AGT306")')
    refused = [(f["code"], f["line"], f["column"]) for f in findings if f["code"] != "AGT306"]
    assert code == 1 and refused == [("PL007", *at)]
    assert [f["code"] for f in findings].count("AGT306") == 1  # not silenced
    pl007 = next(f for f in findings if f["code"] == "PL007")
    assert "gives no reason, and the config sets require-reason" in pl007["message"]


def test_require_reason_accepts_a_reason_in_every_syntax(workdir: Path) -> None:
    config(workdir, "require-reason: true\n")
    reason = "policylint: disable=AGT306 retried by the caller"
    FORMS["json"](workdir, flow(reason))
    write(workdir / "m.asl.yaml", "# policylint: disable-file=AGT306 - legacy, owned by team X\n"
          + (workdir / "flow.asl.json").read_text().replace(reason, ""))
    assert run(".", *SELECT) == (0, [])


def test_without_require_reason_a_bare_suppression_still_works(workdir: Path) -> None:
    FORMS["json"](workdir, flow("policylint: disable=AGT306"))
    assert run(".", *SELECT) == (0, [])


def test_yaml_and_metadata_without_reason(workdir: Path) -> None:
    config(workdir, "require-reason: true\n")
    text = ("# policylint: disable-file=AGT306\n" + "\n".join(
        ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:", "  Flow:",
         "    Type: AWS::StepFunctions::StateMachine",
         "    Metadata: {policylint: {ignore: [AGT306]}}", "    Properties:", "      Definition:",
         "        StartAt: Agent", "        States:", "          Agent:", "            Type: Task",
         "            Resource: arn:aws:states:::bedrockagentcore:invokeHarness",
         "            Parameters: {HarnessArn: 'arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/a',"
         " MaxIterations: 3, RuntimeSessionId.$: $$.Execution.Name}",
         "            TimeoutSeconds: 600", "            Catch: [{ErrorEquals: [States.ALL], Next: F}]",
         "            End: true", "          F: {Type: Fail}", ""]))
    write(workdir / "template.yaml", text)
    _, findings = run("template.yaml", *SELECT)
    assert sorted((f["code"], f["line"]) for f in findings) == [("AGT306", 11), ("PL007", 1), ("PL007", 6)]
    metadata = next(f for f in findings if f["code"] == "PL007" and f["line"] == 6)
    assert "write a `reason:` next to `ignore:`" in metadata["message"]


def test_unsuppressible_rules_ignore_suppressions_and_the_baseline(workdir: Path) -> None:
    FORMS["json"](workdir, flow("policylint: disable=AGT301,AGT306 accepted by security", timeout=1200))
    assert run(".", *SELECT) == (0, [])
    assert main(["baseline", "baseline.json", ".", "--select", "AGT301,AGT306", "--ignore", "AGT306"]) == 0
    config(workdir, "unsuppressible: [agent-timeout-over-limit]\n")
    text = (workdir / "flow.asl.json").read_text()
    code, findings = run(".", *SELECT)
    timeout = position_of(text, r'"TimeoutSeconds": (?P<at>1200)')
    comment = position_of(text, r'(?P<at>"policylint: disable=AGT301)')
    assert code == 1 and [(f["code"], f["line"], f["column"]) for f in findings] == sorted(
        [("AGT301", *timeout), ("PL007", *comment)], key=lambda f: f[1:])
    pl007 = next(f for f in findings if f["code"] == "PL007")
    assert pl007["message"].startswith("AGT301 is unsuppressible (in the config)")
    # the baseline cannot silence it either (AGT306 is still silenced in the source)
    code, findings = run(".", *SELECT, "--baseline", "baseline.json")
    assert code == 1 and sorted(f["code"] for f in findings) == ["AGT301", "PL007"]


def test_unknown_unsuppressible_code_is_a_usage_error(workdir: Path, capsys: Any) -> None:
    config(workdir, "unsuppressible: [AGT3O1]\n")
    write(workdir / "x.json", "{}")
    assert main(["check", "."]) == 2
    assert "unknown rule code or name 'AGT3O1'" in capsys.readouterr().err
    config(workdir, "require-reason: yes please\n")
    assert main(["check", "."]) == 2
    assert "require-reason: 'yes please' is not of type 'boolean'" in capsys.readouterr().err
