"""Suppressions in ASL Comments, YAML comments and CloudFormation Metadata; PL003 and PL004."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from forms import FORMS, find_state, mutated
from helpers import position_of, run, write

from policylint.cli import main


def no_retry(comment: str | None = None, where: str = "Agent") -> Any:
    def change(m: dict[str, Any], lang: str) -> None:
        find_state(m, "Agent").pop("Retry")
        if comment is not None:
            (m if where == "machine" else find_state(m, where))["Comment"] = comment
    return mutated("JSONPath", change)


def test_state_comment_suppresses_that_state(workdir: Path) -> None:
    FORMS["json"](workdir, no_retry("Calls a legacy API. policylint: disable=AGT306 retried by the caller"))
    assert run(".", "--select", "AGT306,PL003,PL004") == (0, [])


def test_machine_comment_and_rule_names(workdir: Path) -> None:
    FORMS["json"](workdir, no_retry("policylint: disable=agent-missing-retry", where="machine"))
    assert run(".", "--select", "AGT306,PL003,PL004") == (0, [])


def test_comment_of_another_state_does_not_suppress(workdir: Path) -> None:
    file = FORMS["json"](workdir, no_retry("policylint: disable=AGT306", where="Done"))
    _, findings = run(".", "--select", "AGT306,PL003,PL004")
    assert sorted(f["code"] for f in findings) == ["AGT306", "PL004"]
    pl004 = next(f for f in findings if f["code"] == "PL004")
    assert (pl004["line"], pl004["column"]) == position_of(file.read_text(), r'(?P<at>"policylint: disable)')


def test_unknown_code_is_pl003(workdir: Path) -> None:
    file = FORMS["json"](workdir, no_retry("policylint: disable=AGT3O6"))
    _, findings = run(".", "--select", "AGT306,PL003,PL004")
    assert sorted(f["code"] for f in findings) == ["AGT306", "PL003"]
    pl003 = next(f for f in findings if f["code"] == "PL003")
    assert "'AGT3O6' is not a rule code or name" in pl003["message"]
    assert pl003["line"] == position_of(file.read_text(), r'"policylint: disable')[0]


def test_yaml_comment_on_the_line_or_the_line_above(workdir: Path) -> None:
    text = yaml.safe_dump(no_retry(), sort_keys=False)
    lines = text.splitlines()
    agent = next(i for i, line in enumerate(lines) if line.strip() == "Agent:")
    lines.insert(agent, "  # policylint: disable=AGT306,AGT308 -- reviewed by the platform team")
    write(workdir / "flow.asl.yaml", "\n".join(lines) + "\n")
    code, findings = run(".", "--select", "AGT306,PL003,PL004")
    assert (code, findings) == (0, [])
    write(workdir / "flow.asl.yaml", text.replace("Agent:\n", "Agent:  # policylint: disable=AGT306\n", 1))
    assert run(".", "--select", "AGT306,PL003,PL004") == (0, [])


def test_yaml_disable_file(workdir: Path) -> None:
    text = "# policylint: disable-file=AGT306\n" + yaml.safe_dump(no_retry(), sort_keys=False)
    write(workdir / "flow.asl.yaml", text)
    assert run(".", "--select", "AGT306,PL003,PL004") == (0, [])


def test_cloudformation_metadata(workdir: Path) -> None:
    template = {"Resources": {"Machine": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Metadata": {"policylint": {"ignore": ["AGT306", "SFN203"], "reason": "legacy flow"}},
        "Properties": {"Definition": no_retry()}}}}
    file = write(workdir / "template.json", json.dumps(template, indent=2))
    assert run(".", "--select", "AGT306,PL003,PL004") == (0, [])  # SFN203 did not run: no verdict
    _, findings = run(".", "--select", "AGT306,SFN203,PL003,PL004")
    assert [(f["code"], f["message"]) for f in findings] == [
        ("PL004", "nothing here is reported as SFN203: remove the suppression")]
    assert (findings[0]["line"], findings[0]["column"]) == position_of(file.read_text(), r'(?P<at>"SFN203")')


def test_suppressed_findings_are_in_sarif_with_the_reason(workdir: Path) -> None:
    FORMS["json"](workdir, no_retry("policylint: disable=AGT306 retried by the caller"))
    main(["check", ".", "--select", "AGT306", "--format", "sarif", "--output", "out.sarif"])
    (result,) = json.loads((workdir / "out.sarif").read_text())["runs"][0]["results"]
    assert result["ruleId"] == "AGT306"
    assert result["suppressions"] == [{"kind": "inSource", "justification": "retried by the caller"}]


def test_a_text_without_comments_is_searched_once_and_another_of_its_path_still_is() -> None:
    from policylint.models import IAM, Document
    from policylint.source import Source
    from policylint.suppress import collect

    class Counted(str):
        searched = 0

        def __contains__(self, part: object) -> bool:
            Counted.searched += 1
            return str.__contains__(self, part)

    template = Source("template.yaml", Counted("Resources: {}\n"))
    inner = Source("template.yaml", "# policylint: disable=IAM502 -- an embedded text of the same file\n")
    documents = [Document(IAM, {}, template, ("Resources", name)) for name in ("A", "B", "C")]
    found = collect([*documents, Document(IAM, {}, inner)])
    assert Counted.searched == 1  # the three documents of the text: searched for the first only
    assert [(s.codes, s.line) for s in found] == [(["IAM502"], 1)]
