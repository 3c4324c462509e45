"""`policylint check cdk.out`: what `cdk synth` wrote, the stack templates only, findings
named by their construct (the AGT matrix runs in this form too: forms.cdk_out)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from forms import cdk_out, machine, mutated
from helpers import position_of, run, write

from policylint.cli import main


def lint_text(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    main(["check", *args, "--fail-on", "never", "--show-files"])
    return capsys.readouterr().out


def test_only_the_stack_templates_are_linted(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cdk_out(workdir, machine())
    cdk_out(workdir, machine(), "cdk.out/assembly-Prod")  # a stage: a nested cloud assembly
    out = lint_text("cdk.out", capsys=capsys)
    listed = [line.split(":")[0] for line in out.splitlines() if line.endswith(": template")]
    assert listed == ["cdk.out/SupportStack.template.json",
                      "cdk.out/assembly-Prod/SupportStack.template.json"]
    assert "asset." not in out and "manifest.json" not in out and "tree.json" not in out


def test_a_finding_names_its_construct(workdir: Path) -> None:
    file = cdk_out(workdir, mutated("JSONPath", lambda m, _: m["States"]["Agent"].pop("Retry")))
    found = run("cdk.out", "--select", "AGT306")[1]
    assert [f["file"] for f in found] == [str(file.relative_to(workdir))]
    assert found[0]["message"].endswith("(construct SupportStack/SupportFlow)")


def test_a_role_finding_names_the_role_construct(workdir: Path) -> None:
    file = cdk_out(workdir, machine())
    template = json.loads(file.read_text())
    role = template["Resources"]["SupportFlowRole0A1B2C3D"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    file.write_text(json.dumps(template, indent=1))
    found = run("cdk.out", "--select", "IAM501")[1]
    assert found and all(f["message"].endswith("(construct SupportStack/SupportFlow/Role)") for f in found)


def test_express_stack_in_cdk_form(workdir: Path) -> None:
    """AGT320 on `StateMachineType: EXPRESS`, as the CDK StateMachine construct writes it."""
    file = cdk_out(workdir, machine())
    template = json.loads(file.read_text())
    template["Resources"]["SupportFlow1E2F3A4B"]["Properties"]["StateMachineType"] = "EXPRESS"
    file.write_text(json.dumps(template, indent=1))
    found = run("cdk.out", "--select", "AGT320")[1]
    at = position_of(file.read_text(), r'\\"TimeoutSeconds\\":(?P<at>660)')  # in a Fn::Join piece
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("AGT320", *at)]
    template["Resources"]["SupportFlow1E2F3A4B"]["Properties"]["StateMachineType"] = "STANDARD"
    file.write_text(json.dumps(template, indent=1))
    assert run("cdk.out", "--select", "AGT320")[1] == []


def test_cdk_out_ignored_by_git_is_linted_when_named(workdir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    subprocess.run(["git", "init", "-q"], check=True)
    write(workdir / ".gitignore", "cdk.out\n")
    cdk_out(workdir, mutated("JSONPath", lambda m, _: m["States"]["Agent"].pop("Retry")))
    assert "cdk.out/SupportStack.template.json: template" in lint_text("cdk.out", capsys=capsys)
    assert "Nothing was linted" in lint_text(".", capsys=capsys)  # as git sees the repository


def test_an_assembly_with_no_templates_says_so(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(workdir / "cdk.out" / "cdk.out", '{"version":"36.0.0"}')
    write(workdir / "cdk.out" / "manifest.json", '{"version":"36.0.0","artifacts":{}}')
    write(workdir / "cdk.out" / "asset.0a1b" / "flow.asl.json", '{"StartAt": "X", "States": {}}')
    assert main(["check", "cdk.out"]) == 0
    assert "Nothing was linted" in capsys.readouterr().out


@pytest.mark.parametrize("retention", [None, 30])
def test_execution_data_logged_forever_in_cdk_form(workdir: Path, retention: int | None) -> None:
    """AGT321 on the LoggingConfiguration the CDK StateMachine construct writes."""
    file = cdk_out(workdir, machine())
    template = json.loads(file.read_text())
    template["Resources"]["SupportFlowLogs5D6E7F80"] = {
        "Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": retention} if retention else {},
        "Metadata": {"aws:cdk:path": "SupportStack/SupportFlowLogs/Resource"}}
    template["Resources"]["SupportFlow1E2F3A4B"]["Properties"]["LoggingConfiguration"] = {
        "Destinations": [{"CloudWatchLogsLogGroup": {
            "LogGroupArn": {"Fn::GetAtt": ["SupportFlowLogs5D6E7F80", "Arn"]}}}],
        "IncludeExecutionData": True, "Level": "ALL"}
    file.write_text(json.dumps(template, indent=1))
    found = run("cdk.out", "--select", "AGT321")[1]
    if retention:
        assert found == []
    else:
        at = position_of(file.read_text(), '(?P<at>"IncludeExecutionData"): true')
        assert [(f["line"], f["column"]) for f in found] == [at]
        assert found[0]["message"].endswith("(construct SupportStack/SupportFlow)")


def without_path_metadata(workdir: Path, folder: str = "cdk.out") -> Path:
    """A synth with no aws:cdk:path metadata (an integration snapshot, `--no-path-metadata`):
    only the manifest beside the template names the constructs."""
    file = cdk_out(workdir, machine(), folder)
    template = json.loads(file.read_text())
    for resource in template["Resources"].values():
        resource.pop("Metadata", None)
    role = template["Resources"]["SupportFlowRole0A1B2C3D"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    file.write_text(json.dumps(template, indent=1))
    manifest = json.loads((file.parent / "manifest.json").read_text())
    manifest["artifacts"]["SupportStack"]["metadata"] = {
        "/SupportStack": [{"type": "aws:cdk:stack-tags", "data": []}],
        "/SupportStack/SupportFlow/Role/Resource": [{"type": "aws:cdk:logicalId",
                                                     "data": "SupportFlowRole0A1B2C3D"}],
        "/SupportStack/SupportFlow/Resource": [{"type": "aws:cdk:logicalId", "data": "SupportFlow1E2F3A4B"}]}
    (file.parent / "manifest.json").write_text(json.dumps(manifest))
    return file


def test_constructs_named_by_the_manifest_without_path_metadata(workdir: Path) -> None:
    file = without_path_metadata(workdir, "integ.flow.js.snapshot")
    found = run(".", "--select", "IAM501")[1]
    assert found and all(f["file"] == str(file.relative_to(workdir)) for f in found)
    assert all(f["message"].endswith("(construct SupportStack/SupportFlow/Role)") for f in found)


@pytest.mark.parametrize("manifest", ["not json", "[]", '{"artifacts": {"SupportStack": {"metadata": 1}}}',
                                      "link-out", "folder", "huge"])
def test_a_manifest_that_is_amiss_names_nothing(workdir: Path, manifest: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    file = without_path_metadata(workdir)
    target = file.parent / "manifest.json"
    real = target.read_text()
    target.unlink()
    if manifest == "link-out":
        outside = workdir.parent / f"{workdir.name}-manifest.json"
        outside.write_text(real)
        target.symlink_to(outside)
    elif manifest == "folder":
        target.mkdir()
    elif manifest == "huge":
        from policylint.frontends import cloudformation

        monkeypatch.setattr(cloudformation, "MAX_MANIFEST_BYTES", 10)
        target.write_text(real)
    else:
        target.write_text(manifest)
    code, found = run("cdk.out", "--select", "IAM501")
    assert found and not any("(construct" in f["message"] for f in found)


@pytest.mark.parametrize("name", ["SupportStack.metadata.json", "../SupportStack.metadata.json"])
def test_metadata_in_the_additional_metadata_file(workdir: Path, name: str) -> None:
    """Newer CDK versions write an artifact's metadata to the file its additionalMetadataFile
    names, beside the manifest (a name only: nothing is read elsewhere)."""
    file = without_path_metadata(workdir)
    manifest = json.loads((file.parent / "manifest.json").read_text())
    artifact = manifest["artifacts"]["SupportStack"]
    metadata = json.dumps(artifact.pop("metadata"))
    (file.parent / "SupportStack.metadata.json").write_text(metadata)
    (workdir / "SupportStack.metadata.json").write_text(metadata)  # outside the folder: never read
    artifact["additionalMetadataFile"] = name
    (file.parent / "manifest.json").write_text(json.dumps(manifest))
    found = run("cdk.out", "--select", "IAM501")[1]
    named = [f["message"].endswith("(construct SupportStack/SupportFlow/Role)") for f in found]
    assert found and all(named) if name == "SupportStack.metadata.json" else not any(named)
