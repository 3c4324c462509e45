"""--fix, --diff and --unsafe-fixes: each fix in each form places its edit exactly, keeps the
rest of the file byte for byte, removes its finding and no other, and a second run changes
nothing; what cannot be placed with certainty is left alone and counted as by hand."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from forms import FORMS, JSONATA, JSONPATH, find_state, machine, mutated, request
from helpers import write

from policylint.cli import main


def report(*args: str) -> dict[str, Any]:
    out = Path("report.json")
    main(["check", *args, "--format", "json", "--output", str(out)])
    data = json.loads(out.read_text())
    out.unlink()
    assert not data["errors"], data["errors"]
    return data


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def keyed(findings: list[dict[str, Any]]) -> Counter:
    return Counter((f["code"], tuple(f["path"])) for f in findings)


def changed_part(before: bytes, after: bytes) -> tuple[bytes, bytes]:
    """(what was taken out, what was put in): the two texts differ only there."""
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return before[prefix:len(before) - suffix], after[prefix:len(after) - suffix]


# -- each fix in each form ----------------------------------------------------------------------
def timeout_3600(m: dict[str, Any], lang: str) -> None:
    find_state(m, "Agent")["TimeoutSeconds"] = 3600


def override_1800(m: dict[str, Any], lang: str) -> None:
    request(m)["TimeoutSeconds"] = 1800


def sync_pattern(m: dict[str, Any], lang: str) -> None:
    find_state(m, "Agent")["Resource"] += ".sync"


def no_retry(m: dict[str, Any], lang: str) -> None:
    del find_state(m, "Agent")["Retry"]


def lambda_without_retry(m: dict[str, Any], lang: str) -> None:
    m["States"]["Done"] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           ("Parameters" if lang == JSONPATH else "Arguments"): {"FunctionName": "f"},
                           "End": True}


# code, mutation, needs --unsafe-fixes, (what goes out, what comes in) must be inside these
CASES: dict[str, tuple[Callable, bool, tuple[bytes, bytes]]] = {
    "AGT301": (timeout_3600, False, (b"3600", b"900")),
    "AGT310": (override_1800, True, (b"1800", b"900")),
    "AGT303": (sync_pattern, True, (b".sync", b"")),
    "AGT306": (no_retry, True, (b"", b"BedrockAgentCore.ThrottlingException")),
    "SFN201": (lambda_without_retry, True, (b"", b"Lambda.TooManyRequestsException")),
}
BY_HAND: set[tuple[str, str]] = set()  # (code, form) where the place is not certain


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("code", list(CASES))
def test_fix_in_every_form(workdir: Path, form: str, code: str) -> None:
    change, unsafe, (out, into) = CASES[code]
    lang = JSONATA if form == "yaml" and code == "AGT310" else JSONPATH
    FORMS[form](workdir, mutated(lang, change))
    before = report(".")
    files = snapshot(workdir)
    assert code in {f["code"] for f in before["findings"]}
    fixable = [f for f in before["findings"] if f["code"] == code]
    assert fixable[0]["fix"]["applicability"] == ("unsafe" if unsafe else "safe")
    flags = ["--unsafe-fixes"] if unsafe else []
    if unsafe:  # without --unsafe-fixes an unsafe fix is not applied
        main(["check", ".", "--fix", "--select", code, "--output", "o.txt"])
        Path("o.txt").unlink()
        assert snapshot(workdir) == files
    main(["check", ".", "--fix", "--select", code, *flags, "--output", "o.txt"])
    Path("o.txt").unlink()
    after = snapshot(workdir)
    changed = [name for name in files if files[name] != after[name]]
    if (code, form) in BY_HAND:
        assert changed == []
        assert report(".", "--fix", *flags, "--select", code)["summary"]["fixable_by_hand"] == 1
        return
    assert len(changed) == 1, changed
    removed, added = changed_part(files[changed[0]], after[changed[0]])
    assert removed in out and (added in into or into in added), (removed, added)
    fixed = report(".")
    assert not [f for f in fixed["findings"] if f["code"] in ("PL001", "PL002")]
    expected = keyed(before["findings"]) - keyed(fixable)
    assert keyed([f for f in fixed["findings"] if f["code"] != "AGT311"]) == \
        Counter({k: n for k, n in expected.items() if k[0] != "AGT311"})
    main(["check", ".", "--fix", *flags, "--select", code, "--output", "o.txt"])  # a second run
    Path("o.txt").unlink()
    assert snapshot(workdir) == after


@pytest.mark.parametrize("form", ["json", "template-sub-block", "template-json-string", "cdk-out",
                                  "serverless", "terraform-heredoc", "yaml"])
def test_diff_applies_with_git_and_patch(workdir: Path, form: str, capsys: pytest.CaptureFixture,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    def everything(m: dict[str, Any], lang: str) -> None:
        timeout_3600(m, lang)
        override_1800(m, lang)
        sync_pattern(m, lang)
        no_retry(m, lang)

    FORMS[form](workdir, mutated(JSONPATH, everything))
    files = snapshot(workdir)
    capsys.readouterr()
    code = main(["check", ".", "--diff", "--unsafe-fixes"])
    diff = capsys.readouterr().out
    assert code == 1 and diff.startswith("--- a/")
    assert snapshot(workdir) == files  # --diff writes nothing
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    Path("o.txt").unlink()
    fixed = snapshot(workdir)
    for tool in ("git", "patch"):
        if shutil.which(tool) is None:
            continue
        copy = tmp_path_factory.mktemp(tool)
        for name, data in files.items():
            write(copy / name, "").write_bytes(data)
        if tool == "git":
            subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
            subprocess.run(["git", "apply", "-"], cwd=copy, input=diff.encode(), check=True)
        else:
            subprocess.run(["patch", "-p1", "-s"], cwd=copy, input=diff.encode(), check=True)
        assert snapshot(copy) == {n: d for n, d in fixed.items()}


def test_nothing_written_without_fix(workdir: Path) -> None:
    FORMS["yaml"](workdir, mutated(JSONPATH, timeout_3600))
    files = snapshot(workdir)
    for args in ([], ["--unsafe-fixes"], ["--diff"], ["--format", "sarif"]):
        main(["check", ".", *args, "--output", "o.txt"] if args != ["--diff"] else ["check", ".", *args])
        Path("o.txt").unlink(missing_ok=True)
        assert snapshot(workdir) == files


def test_summary_counts_fixed_and_remaining(workdir: Path, capsys: pytest.CaptureFixture) -> None:
    FORMS["json"](workdir, mutated(JSONPATH, lambda m, lang: (timeout_3600(m, lang), no_retry(m, lang))))
    capsys.readouterr()
    main(["check", "."])
    out = capsys.readouterr().out
    assert "AGT301 [*] " in out and "1 fixable with --fix ([*]); 1 more with --fix --unsafe-fixes" in out
    code = main(["check", ".", "--fix"])
    out = capsys.readouterr().out
    assert "Fixed 1 problem; 1 more with --fix --unsafe-fixes." in out and code == 1
    summary = report(".")["summary"]
    assert summary["fixable"] == {"safe": 0, "unsafe": 1}
    assert main(["check", ".", "--fix", "--unsafe-fixes"]) == 0  # what remains decides: nothing
    assert "No problems found." in capsys.readouterr().out
    assert main(["check", ".", "--diff"]) == 0 and capsys.readouterr().out == ""


# -- only what would be reported is fixed ------------------------------------------------------
def test_fix_respects_select_ignore_suppressions_and_baseline(workdir: Path) -> None:
    FORMS["yaml"](workdir, mutated(JSONPATH, timeout_3600))
    path = workdir / "flow.asl.yaml"
    original = path.read_text()
    main(["check", ".", "--fix", "--ignore", "AGT301", "--output", "o.txt"])
    main(["check", ".", "--fix", "--select", "AGT302", "--output", "o.txt"])
    assert path.read_text() == original
    main(["baseline", "base.json", "."])
    main(["check", ".", "--fix", "--baseline", "base.json", "--output", "o.txt"])
    assert path.read_text() == original
    suppressed = original.replace("TimeoutSeconds: 3600",
                                  "TimeoutSeconds: 3600  # policylint: disable=AGT301 ok")
    path.write_text(suppressed)
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_text() == suppressed
    path.write_text(original)
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_text() == original.replace("TimeoutSeconds: 3600", "TimeoutSeconds: 900")


# -- what is not certain is left to the user ---------------------------------------------------
def test_yaml_alias_is_fixed_by_hand(workdir: Path) -> None:
    text = ("Comment: &long 3600\nStartAt: A\nStates:\n  A:\n    Type: Task\n"
            "    Resource: arn:aws:states:::bedrockagentcore:invokeHarness\n"
            "    Parameters: {HarnessArn: 'arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/h'}\n"
            "    TimeoutSeconds: *long\n    End: true\n")
    path = write(workdir / "flow.asl.yaml", text)
    data = report(".", "--fix", "--select", "AGT301")
    assert path.read_text() == text
    assert data["summary"]["fixed"] == 0 and data["summary"]["fixable_by_hand"] == 1


def test_join_spanning_pieces_is_fixed_by_hand(workdir: Path) -> None:
    head = ('{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::bedrockagentcore:'
            'invokeHarness","Parameters":{"HarnessArn":"arn:aws:bedrock-agentcore:us-east-1:'
            '111122223333:harness/h"},"TimeoutSeconds":36')
    definition = {"Fn::Join": ["", [head, "00,", '"End":true}}}']]}
    properties = {"RoleArn": "arn:aws:iam::1:role/r", "DefinitionString": definition}
    text = json.dumps({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
                                           "Properties": properties}}}, indent=1)
    path = write(workdir / "template.json", text)
    before = report(".")
    assert "AGT301" in {f["code"] for f in before["findings"]}
    data = report(".", "--fix", "--select", "AGT301")
    assert path.read_text() == text and data["summary"]["fixable_by_hand"] == 1


# -- PL004: the suppression that silences nothing ------------------------------------------------
@pytest.mark.parametrize(("line", "fixed"), [
    ("    Type: Pass  # policylint: disable=AGT301 not needed\n", "    Type: Pass\n"),
    ("    Type: Pass  # keep this: policylint: disable=AGT301\n", "    Type: Pass  # keep this:\n"),
    ("    # policylint: disable=AGT301\n", ""),
])
def test_unused_suppression_comment_goes(workdir: Path, line: str, fixed: str) -> None:
    head = "StartAt: P\nStates:\n  P:\n"
    tail = "    End: true\n"
    body = line if line.strip().startswith("#") else line
    text = head + (body + "    Type: Pass\n" if line.strip().startswith("#") else body) + tail
    path = write(workdir / "flow.asl.yaml", text)
    assert [f["code"] for f in report(".")["findings"]] == ["PL004"]
    main(["check", ".", "--fix", "--output", "o.txt"])
    expected = head + (fixed + "    Type: Pass\n" if line.strip().startswith("#") else fixed) + tail
    assert path.read_text() == expected
    assert report(".")["findings"] == []


def test_unused_suppression_of_several_codes_keeps_the_used_one(workdir: Path) -> None:
    text = ("StartAt: P\nStates:\n  P:  # policylint: disable=AGT301,SFN201,ASL103 known\n"
            "    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n"
            "    Parameters: {FunctionName: f}\n    End: true\n")
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    path = write(workdir / "flow.asl.yaml", "")
    path.write_bytes(text.encode())
    assert Counter(f["code"] for f in report(".")["findings"]) == {"PL004": 2}
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_bytes() == text.replace("AGT301,SFN201,ASL103", "SFN201").encode()
    assert report(".")["findings"] == []


def test_unused_suppression_in_a_state_comment(workdir: Path) -> None:
    machine = {"Comment": "policylint: disable=AGT301", "StartAt": "P",
               "States": {"P": {"Type": "Pass", "Comment": "policylint: disable=SFN201,ASL103 why",
                                "End": True}}}
    path = write(workdir / "flow.asl.json", json.dumps(machine, indent=2) + "\n")
    main(["check", ".", "--fix", "--output", "o.txt"])
    fixed = json.loads(path.read_text())
    assert fixed["Comment"] == "" and fixed["States"]["P"]["Comment"] == ""
    assert report(".")["findings"] == []


# -- harness and policy fixes --------------------------------------------------------------------
HARNESS = {"harnessName": "support", "executionRoleArn": "arn:aws:iam::111122223333:role/h",
           "model": {"bedrockModelConfig": {"modelId": "anthropic.claude-sonnet-4-5"}},
           "timeoutSeconds": 3600, "maxIterations": 10, "maxTokens": 1000,
           "allowedTools": ["search"]}


@pytest.mark.parametrize("style", ["json", "yaml"])
def test_harness_timeout_and_tools(workdir: Path, style: str) -> None:
    import yaml

    data = dict(HARNESS)
    del data["allowedTools"]
    text = json.dumps(data, indent=2) + "\n" if style == "json" else yaml.safe_dump(data, sort_keys=False)
    path = write(workdir / f"harness.{style}", text)
    before = report(".")
    titles = {f["code"]: f["fix"]["title"] for f in before["findings"] if f["code"] in ("HRN401", "HRN409")}
    assert titles == {"HRN401": "set it to 900",
                      "HRN409": "add allowedTools: [] (no tool; then list those it needs)"}
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_text() == text  # both are unsafe
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    fixed = yaml.safe_load(path.read_text())
    assert fixed["timeoutSeconds"] == 900 and fixed["allowedTools"] == []
    after = report(".")
    assert keyed(after["findings"]) == keyed(before["findings"]) - keyed(
        [f for f in before["findings"] if f["code"] in ("HRN401", "HRN409")])


def test_policy_version_is_added_first(workdir: Path) -> None:
    text = ('{\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:GetObject", '
            '"Resource": "arn:aws:s3:::b/${aws:username}/*"}\n  ]\n}\n')
    path = write(workdir / "policy.json", text)
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    assert path.read_text() == text.replace('{\n  "Statement"',
                                            '{\n  "Version": "2012-10-17",\n  "Statement"')
    yaml_text = ("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                 "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
                 "            Action: s3:GetObject\n"
                 "            Resource: '*'\n")
    template = write(workdir / "template.yaml", yaml_text)
    main(["check", "template.yaml", "--fix", "--unsafe-fixes", "--select", "IAM516", "--output", "o.txt"])
    assert template.read_text() == yaml_text.replace("      PolicyDocument:\n",
                                                     '      PolicyDocument:\n        Version: "2012-10-17"\n')


def test_lambda_task_gets_lambda_retry(workdir: Path) -> None:
    text = ('{\n  "StartAt": "Call",\n  "States": {\n    "Call": {\n      "Type": "Task",\n'
            '      "Resource": "arn:aws:states:::lambda:invoke",\n'
            '      "Parameters": {"FunctionName": "f"},\n      "End": true\n    }\n  }\n}\n')
    path = write(workdir / "flow.asl.json", text)
    main(["check", ".", "--fix", "--unsafe-fixes", "--select", "SFN201", "--output", "o.txt"])
    retry = json.loads(path.read_text())["States"]["Call"]["Retry"]
    assert "Lambda.TooManyRequestsException" in retry[0]["ErrorEquals"]
    assert "SFN201" not in {f["code"] for f in report(".")["findings"]}


@pytest.mark.parametrize(("resource", "fixed"), [
    ("arn:aws:states:::lambda:invoke", True),
    ("arn:aws:lambda:us-east-1:111122223333:function:handler", True),
    ("arn:aws:states:::dynamodb:putItem", False), ("arn:aws:states:us-east-1:111122223333:function:x", False),
    ({"Fn::GetAtt": ["Handler", "Arn"]}, False)])
def test_only_a_lambda_task_gets_the_lambda_retry(workdir: Path, resource: Any, fixed: bool) -> None:
    machine = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource, "End": True}}}
    write(workdir / "template.json", json.dumps({"Resources": {"Flow": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": machine}}}}))
    (finding,) = report(".", "--select", "SFN201")["findings"]
    title = "add a Retry for Lambda's transient errors"
    assert finding["fix"] == ({"applicability": "unsafe", "title": title} if fixed else None)


def test_an_empty_agent_retry_is_reported_and_fixed_by_hand(workdir: Path) -> None:
    """A Retry written empty: a new one cannot be inserted beside it."""
    m = machine()
    find_state(m, "Agent")["Retry"] = []
    write(workdir / "flow.asl.json", json.dumps(m, indent=2))
    (finding,) = report(".", "--select", "AGT306")["findings"]
    assert finding["path"][-1] == "Agent" and finding["fix"] is None


# -- SARIF ---------------------------------------------------------------------------------------
def test_sarif_fixes_are_valid_and_exact(workdir: Path) -> None:
    schema_file = Path(__file__).resolve().parents[1] / "sarif" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_file.read_text())
    FORMS["template-sub-block"](workdir, mutated(JSONPATH, timeout_3600))
    main(["check", ".", "--format", "sarif", "--output", "out.sarif"])
    log = json.loads(Path("out.sarif").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "AGT301")
    assert result["properties"]["fix"] == "safe"
    change = result["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "template.yaml"
    replacement = change["replacements"][0]
    region = replacement["deletedRegion"]
    line = (workdir / "template.yaml").read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "3600"
    assert replacement["insertedContent"]["text"] == "900"


def test_file_mode_kept_and_links_out_not_followed(workdir: Path,
                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    FORMS["json"](workdir, mutated(JSONPATH, timeout_3600))
    path = workdir / "flow.asl.json"
    path.chmod(0o640)
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.stat().st_mode & 0o777 == 0o640 and b"900" in path.read_bytes()
    outside = tmp_path_factory.mktemp("outside") / "flow.asl.json"
    outside.write_text(path.read_text().replace('"TimeoutSeconds": 900', '"TimeoutSeconds": 3600'))
    path.unlink()
    path.symlink_to(outside)
    before = outside.read_text()
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert outside.read_text() == before


# -- the language server: quick fixes and "fix all safe" -------------------------------------------
def test_lsp_offers_quick_fixes_and_fix_all(workdir: Path) -> None:
    from test_lsp import start, stop

    file = workdir / "flow.asl.json"
    both = mutated(JSONPATH, lambda m, lang: (timeout_3600(m, lang), no_retry(m, lang)))
    broken = json.dumps(both, indent=2)
    file.write_text(broken)
    uri = file.resolve().as_uri()
    client = start(workdir)
    try:
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "json", "version": 1, "text": broken}})
        diagnostics = client.wait_for("textDocument/publishDiagnostics")["params"]["diagnostics"]
        assert {d["code"] for d in diagnostics} == {"AGT301", "AGT306"}
        end = {"line": len(broken.splitlines()), "character": 0}
        asked = client.send("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": end},
            "context": {"diagnostics": diagnostics}}, request=True)
        actions = client.wait_for(id=asked)["result"]
        titles = [a["title"] for a in actions]
        assert "AGT301: set it to 900" in titles
        assert any(t.startswith("AGT306: add a Retry") and "unsafe" in t for t in titles)
        quick = next(a for a in actions if a["title"] == "AGT301: set it to 900")
        assert quick["isPreferred"] is True and quick["kind"] == "quickfix"
        (edit,) = quick["edit"]["changes"][uri]
        line = broken.splitlines()[edit["range"]["start"]["line"]]
        assert line[edit["range"]["start"]["character"]:edit["range"]["end"]["character"]] == "3600"
        assert edit["newText"] == "900"
        fix_all = next(a for a in actions if a["kind"] == "source.fixAll.policylint")
        (whole,) = fix_all["edit"]["changes"][uri]
        assert whole["newText"] == broken.replace('"TimeoutSeconds": 3600', '"TimeoutSeconds": 900')
        assert file.read_text() == broken  # the server never writes files
        stop(client)
    finally:
        if client.process.poll() is None:
            client.process.kill()


HCL = """resource "aws_sfn_state_machine" "s" {
  name     = "s"
  role_arn = "arn:aws:iam::111122223333:role/r"
  definition = jsonencode({
    StartAt = "Call"
    States = {
      Call = {
        Type       = "Task"
        Resource   = "arn:aws:states:::lambda:invoke"
        Parameters = { FunctionName = "f" }
        End        = true # the only state
      }
    }
  })
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject",
                   Resource = "arn:aws:s3:::b/$${aws:username}/*" }]
  })
}
"""


def test_terraform_objects_written_in_hcl_get_new_members(workdir: Path) -> None:
    path = write(workdir / "main.tf", HCL)
    before = report(".")
    assert {f["code"] for f in before["findings"]} == {"SFN201", "IAM516"}
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    text = path.read_text()
    assert text.startswith(HCL.split("        End        = true # the only state\n")[0])
    assert '        End        = true # the only state\n        Retry = [\n          {\n' in text
    assert '  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [' in text
    assert report(".")["findings"] == []
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    assert path.read_text() == text


def test_harness_fixes_in_a_template_and_in_terraform(workdir: Path) -> None:
    import agentcore

    def longer(template: dict[str, Any]) -> None:
        props = template["Resources"]["Harness"]["Properties"]
        props["TimeoutSeconds"] = 3600
        props.pop("AllowedTools", None)

    template = agentcore.whole_template(workdir / "cfn" / "template.yaml", longer)
    tf = write(workdir / "tf" / "harness.tf", 'resource "aws_bedrockagentcore_harness" "h" {\n'
               '  harness_name       = "support"\n  execution_role_arn = "arn:aws:iam::111122223333:role/h"\n'
               "  timeout_seconds    = 3600 # an hour\n  max_iterations     = 10\n"
               "  max_tokens         = 1000\n}\n")
    texts = {p: p.read_text() for p in (template, tf)}
    before = report(".", "--select", "HRN")
    assert Counter(f["code"] for f in before["findings"] if f["code"] in ("HRN401", "HRN409")) == \
        {"HRN401": 2, "HRN409": 2}
    main(["check", ".", "--fix", "--unsafe-fixes", "--select", "HRN401,HRN409", "--output", "o.txt"])
    assert tf.read_text() == texts[tf].replace("= 3600 # an hour", "= 900 # an hour").replace(
        "max_tokens         = 1000\n", "max_tokens         = 1000\n  allowed_tools = []\n")
    assert template.read_text() == texts[template].replace(
        "      TimeoutSeconds: 3600\n", "      TimeoutSeconds: 900\n      AllowedTools: []\n")
    after = report(".", "--select", "HRN")
    assert keyed(after["findings"]) == keyed(before["findings"]) - keyed(
        [f for f in before["findings"] if f["code"] in ("HRN401", "HRN409")])


def test_unused_suppression_in_terraform(workdir: Path) -> None:
    text = HCL.replace("        End        = true # the only state\n",
                       "        End        = true // policylint: disable=AGT301\n")
    path = write(workdir / "main.tf", text)
    assert "PL004" in {f["code"] for f in report(".")["findings"]}
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_text() == text.replace("        End        = true // policylint: disable=AGT301\n",
                                            "        End        = true\n")


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_unused_suppression_on_the_last_line(workdir: Path, ending: str) -> None:
    newline = "\r\n" if ending == "\r\n" else "\n"
    text = newline.join(["StartAt: P", "States:", "  P:", "    Type: Pass", "    End: true",
                         "# policylint: disable-file=AGT301"]) + ending
    path = write(workdir / "flow.asl.yaml", "")
    path.write_bytes(text.encode())
    main(["check", ".", "--fix", "--output", "o.txt"])
    expected = text.replace(newline + "# policylint: disable-file=AGT301", "") if not ending \
        else text.replace("# policylint: disable-file=AGT301" + ending, "")
    assert path.read_bytes() == expected.encode()
    assert report(".")["findings"] == []


def test_unused_entry_of_a_metadata_ignore_list(workdir: Path) -> None:
    text = ("Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n    Metadata:\n"
            "      policylint:\n        ignore:\n          - AGT301\n          - SFN201   # the lambda\n"
            "        reason: known\n    Properties:\n      RoleArn: arn:aws:iam::111122223333:role/r\n"
            "      Definition:\n        StartAt: Call\n        States:\n          Call:\n"
            "            Type: Task\n            Resource: arn:aws:states:::lambda:invoke\n"
            "            Parameters: {FunctionName: f}\n            End: true\n")
    path = write(workdir / "template.yaml", text)
    flow = text.replace("        ignore:\n          - AGT301\n          - SFN201   # the lambda\n",
                        "        ignore: [AGT306, SFN201, AGT301]\n")
    other = write(workdir / "flow" / "template.yaml", flow)
    main(["check", ".", "--fix", "--output", "o.txt"])
    assert path.read_text() == text.replace("          - AGT301\n", "")
    # two unused of three: one a pass; the last entry is the one used
    assert other.read_text() == flow.replace("[AGT306, SFN201, AGT301]", "[SFN201]")
    assert report(".")["findings"] == []
    only = write(workdir / "only" / "template.yaml", text.replace("          - SFN201   # the lambda\n", ""))
    data = report(".", "--fix")
    assert only.read_text() == text.replace("          - SFN201   # the lambda\n", "")
    assert data["summary"]["fixable_by_hand"] == 1


@pytest.mark.parametrize("indented", [True, False])
def test_a_new_retry_follows_the_yaml_style_of_the_file(workdir: Path, indented: bool) -> None:
    step = "  " if indented else ""
    text = ("StartAt: Call\nStates:\n  Call:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n"
            f"    Parameters:\n      Payload:\n      {step}- a\n    End: true  # done\n")
    path = write(workdir / "flow.asl.yaml", text)
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    errors = "".join(f"    {step}  {step}- Lambda.{e}\n" for e in (
        "ServiceException", "AWSLambdaException", "SdkClientException", "TooManyRequestsException"))
    assert path.read_text() == text + (f"    Retry:\n    {step}- ErrorEquals:\n{errors}"
                                       f"    {step}  IntervalSeconds: 1\n    {step}  MaxAttempts: 3\n"
                                       f"    {step}  BackoffRate: 2\n")


def test_policy_version_in_a_terraform_heredoc(workdir: Path) -> None:
    text = ('resource "aws_iam_policy" "a" {\n  name   = "a"\n  policy = <<-EOT\n    {\n'
            '      "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",\n'
            '                     "Resource": "arn:aws:s3:::b/$${aws:username}/*"}]\n    }\n  EOT\n}\n')
    path = write(workdir / "main.tf", text)
    main(["check", ".", "--fix", "--unsafe-fixes", "--output", "o.txt"])
    assert path.read_text() == text.replace('    {\n      "Statement"',
                                            '    {\n      "Version": "2012-10-17",\n      "Statement"')
    assert "IAM516" not in {f["code"] for f in report(".")["findings"]}
