"""Organisation policies (``policies:`` in the config): every README example, in CloudFormation,
Terraform and standalone JSON, positive and negative, at the exact line and column; bad
policies as config errors; SARIF, suppressions, ``policylint rule``, ``policies test``."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from forms import cdk_out, machine, serverless, standalone_json, template_definition, terraform_jsonencode
from helpers import position_of, run, write

from policylint.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/support-harness"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENGINE = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:policy-engine/support_engine-abcdefghij"
Q = r"[\"']?"


def readme_policies() -> str:
    """The `policies:` example of README, as written there."""
    text = README.read_text()
    start = text.index("```yaml\npolicies:\n") + len("```yaml\n")
    return text[start:text.index("```", start)]


def configure(root: Path, extra: str = "") -> None:
    write(root / ".policylint.yaml", readme_policies() + extra)


# -- forms of a harness, gateway or memory (API shape in, file out) ---------------------------

TYPES = {"harness": ("Harness", "harness", "create-harness.json"),
         "gateway": ("Gateway", "gateway", "create-gateway.json"),
         "memory": ("Memory", "memory", "create-memory.json")}


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[0].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _hcl(value: dict[str, Any], depth: int = 1) -> str:
    pad, lines = "  " * depth, []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{pad}{_snake(key)} {{\n{_hcl(item, depth + 1)}\n{pad}}}")
        else:
            lines.append(f"{pad}{_snake(key)} = {json.dumps(item)}")
    return "\n".join(lines)


def api_json(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / TYPES[kind][2], json.dumps(api, indent=2))


def cfn_yaml(root: Path, kind: str, api: dict[str, Any]) -> Path:
    template = {"Resources": {"Support": {"Type": f"AWS::BedrockAgentCore::{TYPES[kind][0]}",
                                          "Properties": _pascal(api)}}}
    return write(root / "template.yaml", yaml.safe_dump(template, sort_keys=False, width=1000))


def terraform(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / "main.tf", f'resource "aws_bedrockagentcore_{TYPES[kind][1]}" "support" {{\n'
                 f"{_hcl(api)}\n}}\n")


RESOURCE_FORMS: dict[str, Callable[[Path, str, dict[str, Any]], Path]] = {
    "api-json": api_json, "cfn-yaml": cfn_yaml, "terraform": terraform}
MACHINE_FORMS = {"asl-json": standalone_json, "cfn-yaml": template_definition,
                 "terraform": terraform_jsonencode, "cdk": cdk_out, "serverless": serverless}


def harness(**fields: Any) -> dict[str, Any]:
    api = {"harnessName": "support", "executionRoleArn": ROLE,
           "model": {"bedrockModelConfig": {"modelId": "anthropic.claude-sonnet-4-v1:0"}},
           "allowedTools": ["agentcore_gateway"], "maxIterations": 20, "maxTokens": 4096,
           "timeoutSeconds": 600,
           "memory": {"managedMemoryConfiguration": {"eventExpiryDuration": 30, "encryptionKeyArn": KEY}}}
    api.update(fields)
    return {k: v for k, v in api.items() if v is not None}


def gateway(mode: str | None = "ENFORCE") -> dict[str, Any]:
    api: dict[str, Any] = {"name": "support-gw", "roleArn": ROLE, "authorizerType": "AWS_IAM",
                           "protocolType": "MCP"}
    if mode is not None:
        api["policyEngineConfiguration"] = {"arn": ENGINE, "mode": mode}
    return api


def memory(days: int) -> dict[str, Any]:
    return {"name": "support_memory", "eventExpiryDuration": days, "encryptionKeyArn": KEY}


def found(code: str) -> list[tuple[int, int]]:
    return [(f["line"], f["column"]) for f in run(".", "--select", code)[1] if f["code"] == code]


def value_at(file: Path, name: str, value: str) -> tuple[int, int]:
    """Where the value of field ``name`` (any spelling) is written in ``file``."""
    names = f"{name}|{name[0].upper() + name[1:]}|{_snake(name)}"
    pattern = rf"\\?{Q}(?:{names})\\?{Q}\s*[:=]\s*(?P<at>\\?{Q}{value})"
    return position_of(file.read_text(), pattern)


def key_at(file: Path, name: str) -> tuple[int, int]:
    pattern = rf"(?P<at>{Q}(?:{name}|{name[0].upper() + name[1:]}|{_snake(name)}){Q})\s*[:={{]"
    return position_of(file.read_text(), pattern)


# -- the README examples, in every form ---------------------------------------------------------

@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org001_prod_memory_customer_key(workdir: Path, form: str) -> None:
    configure(workdir)
    api = harness(memory={"managedMemoryConfiguration": {"eventExpiryDuration": 30}})
    file = RESOURCE_FORMS[form](workdir / "prod", "harness", api)
    assert found("ORG001") == [key_at(file, "managedMemoryConfiguration")]
    RESOURCE_FORMS[form](workdir / "prod", "harness", harness())
    assert found("ORG001") == []
    # not prod: not judged
    RESOURCE_FORMS[form](workdir / "prod", "harness", harness()).unlink()
    RESOURCE_FORMS[form](workdir / "dev", "harness", api)
    assert found("ORG001") == []


def test_org001_default_memory_is_managed_without_a_key(workdir: Path) -> None:
    configure(workdir)
    api_json(workdir / "prod", "harness", harness(memory=None))
    assert found("ORG001") == [(1, 1)]
    # other memory (not managed) is not this policy's business
    api_json(workdir / "prod", "harness", harness(memory={"agentCoreMemoryConfiguration": {
        "arn": f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:memory/m-abcdefghij"}}))
    assert found("ORG001") == []


def _agent_timeout(m: dict[str, Any], seconds: Any) -> dict[str, Any]:
    agent = m["States"]["Agent"]
    if seconds is None:
        del agent["TimeoutSeconds"]
    else:
        agent["TimeoutSeconds"] = seconds
    return m


@pytest.mark.parametrize("form", MACHINE_FORMS)
def test_org002_prod_agent_wait(workdir: Path, form: str) -> None:
    configure(workdir)
    (workdir / "prod").mkdir()
    file = MACHINE_FORMS[form](workdir / "prod", _agent_timeout(machine(), 800))
    assert found("ORG002") == [value_at(file, "TimeoutSeconds", "800")]
    MACHINE_FORMS[form](workdir / "prod", _agent_timeout(machine(), 600))
    assert found("ORG002") == []


def test_org002_default_wait_is_900_at_the_state(workdir: Path) -> None:
    configure(workdir)
    (workdir / "prod").mkdir()
    file = standalone_json(workdir / "prod", _agent_timeout(machine(), None))
    assert found("ORG002") == [key_at(file, "Agent")]
    m = _agent_timeout(machine(), None)
    m["States"]["Agent"]["TimeoutSecondsPath"] = "$.timeout"  # known only at run time
    standalone_json(workdir / "prod", m)
    assert found("ORG002") == []


@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org003_approved_models(workdir: Path, form: str) -> None:
    configure(workdir)
    file = RESOURCE_FORMS[form](workdir, "harness", harness(model={"bedrockModelConfig": {
        "modelId": "meta.llama3-70b"}}))
    assert found("ORG003") == [value_at(file, "modelId", "meta")]
    RESOURCE_FORMS[form](workdir, "harness", harness())
    assert found("ORG003") == []


@pytest.mark.parametrize("form", ["asl-json", "cfn-yaml", "terraform"])
def test_org004_approved_harnesses(workdir: Path, form: str) -> None:
    configure(workdir)
    m = machine()
    other = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:harness/x"
    m["States"]["Agent"]["Parameters"]["HarnessArn"] = other
    file = MACHINE_FORMS[form](workdir, m)
    assert found("ORG004") == [value_at(file, "HarnessArn", "arn")]
    MACHINE_FORMS[form](workdir, machine())
    assert found("ORG004") == []


@pytest.mark.parametrize("form", ["cdk", "serverless"])
def test_org004_deploy_time_arn_is_not_judged(workdir: Path, form: str) -> None:
    """CDK writes the partition as a Ref, Serverless the region and account as variables: the
    ARN is only known at deploy time, so neither the policy nor AGT319 judges it."""
    configure(workdir, "approved-harnesses: ['arn:aws:bedrock-agentcore:*:*:harness/billing*']\n")
    m = machine()
    other = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:harness/x"
    m["States"]["Agent"]["Parameters"]["HarnessArn"] = other
    MACHINE_FORMS[form](workdir, m)
    assert found("ORG004") == [] and found("AGT319") == []


def test_org004_unknown_harness_is_not_judged(workdir: Path) -> None:
    configure(workdir)
    m = machine()
    del m["States"]["Agent"]["Parameters"]["HarnessArn"]
    m["States"]["Agent"]["Parameters"]["HarnessArn.$"] = "$.harness"
    standalone_json(workdir, m)
    assert found("ORG004") == []


@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org005_approved_tools(workdir: Path, form: str) -> None:
    configure(workdir)
    file = RESOURCE_FORMS[form](workdir, "harness", harness(allowedTools=["agentcore_gateway", "shell"]))
    assert found("ORG005") == [position_of(file.read_text(), r"(?P<at>\"?shell)")]
    RESOURCE_FORMS[form](workdir, "harness", harness())
    assert found("ORG005") == []


def test_org005_no_allowed_tools_allows_every_tool(workdir: Path) -> None:
    configure(workdir)
    api_json(workdir, "harness", harness(allowedTools=None))
    assert found("ORG005") == [(1, 1)]


@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org006_prod_gateway_enforces(workdir: Path, form: str) -> None:
    configure(workdir)
    file = RESOURCE_FORMS[form](workdir / "prod", "gateway", gateway("LOG_ONLY"))
    assert found("ORG006") == [value_at(file, "mode", "LOG_ONLY")]
    RESOURCE_FORMS[form](workdir / "prod", "gateway", gateway())
    assert found("ORG006") == []


def test_org006_prod_gateway_without_policy_engine(workdir: Path) -> None:
    configure(workdir)
    api_json(workdir / "prod", "gateway", gateway(None))
    assert found("ORG006") == [(1, 1)]


@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org007_harness_memory_90_days(workdir: Path, form: str) -> None:
    configure(workdir)
    file = RESOURCE_FORMS[form](workdir, "harness", harness(memory={"managedMemoryConfiguration": {
        "eventExpiryDuration": 120, "encryptionKeyArn": KEY}}))
    assert found("ORG007") == [value_at(file, "eventExpiryDuration", "120")]
    RESOURCE_FORMS[form](workdir, "harness", harness())
    assert found("ORG007") == []


@pytest.mark.parametrize("form", RESOURCE_FORMS)
def test_org008_memory_90_days(workdir: Path, form: str) -> None:
    configure(workdir)
    file = RESOURCE_FORMS[form](workdir, "memory", memory(120))
    assert found("ORG008") == [value_at(file, "eventExpiryDuration", "120")]
    RESOURCE_FORMS[form](workdir, "memory", memory(90))
    assert found("ORG008") == []


def test_unknown_value_is_not_judged(workdir: Path) -> None:
    configure(workdir)
    write(workdir / "main.tf", 'resource "aws_bedrockagentcore_memory" "m" {\n  name = "m"\n'
          "  event_expiry_duration = var.days\n}\n")
    assert found("ORG008") == []


# -- policies are rules ------------------------------------------------------------------------

def test_message_and_severity(workdir: Path) -> None:
    configure(workdir)
    api_json(workdir, "memory", memory(120))
    (finding,) = [f for f in run(".")[1] if f["code"] == "ORG008"]
    assert finding["severity"] == "warning"
    assert finding["message"] == ("agent memory keeps events at most 90 days "
                                  "(eventExpiryDuration is 120, over 90)")


def test_suppressed_by_code(workdir: Path) -> None:
    configure(workdir, "per-file-ignores: {'legacy/**': [ORG008]}\n")
    api_json(workdir / "legacy", "memory", memory(120))
    assert found("ORG008") == []
    write(workdir / "template.yaml", "Resources:\n  Support:\n    Type: AWS::BedrockAgentCore::Memory\n"
          "    Properties:\n      Name: m\n"
          "      EventExpiryDuration: 120  # policylint: disable=ORG008 kept for audits\n")
    assert found("ORG008") == []


def test_sarif_has_the_policy_rule(workdir: Path) -> None:
    configure(workdir)
    api_json(workdir, "memory", memory(120))
    main(["check", ".", "--format", "sarif", "--output", "out.sarif"])
    sarif = json.loads((workdir / "out.sarif").read_text())
    run_ = sarif["runs"][0]
    (entry,) = [r for r in run_["tool"]["driver"]["rules"] if r["id"] == "ORG008"]
    assert entry["name"] == "memory-90-days" and entry["helpUri"].endswith("README.md#organisation-policies")
    assert any(r["ruleId"] == "ORG008" for r in run_["results"])


def test_rules_and_rule_list_policies(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(workdir)
    assert main(["rules"]) == 0
    assert re.search(r"ORG006\s+prod-gateway-enforces\s+error\s+a prod gateway", capsys.readouterr().out)
    assert main(["rule", "ORG002"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ORG002 prod-agent-wait (error)") and '"max": 600' in out


# -- bad policies -------------------------------------------------------------------------------

GOOD = {"code": "ORG101", "name": "x", "severity": "error", "message": "m", "kind": "harness",
        "require": {"field": "timeoutSeconds", "max": 600}}


@pytest.mark.parametrize(("change", "said"), [
    ({"kind": "lambda"}, "policy ORG101: kind: unknown kind 'lambda' (known: harness, agent-task"),
    ({"require": {"field": "timeout", "max": 5}}, "policy ORG101: require: field 'timeout' is not a field "
                                                    "of a harness"),
    ({"require": {"field": "timeoutSeconds", "regex": "x"}}, "policy ORG101: require: field "
                                                             "'timeoutSeconds': unknown operator 'regex'"),
    ({"require": {"all": [{"field": "maxTokens", "max": "ten"}]}}, "policy ORG101: require.all[0]: field "
                                                                   "'maxTokens': max is a number"),
    ({"require": {"any": []}}, "policy ORG101: require.any: a non-empty list"),
    ({"require": {"exec": "rm -rf /"}}, "policy ORG101: require: unknown operator 'exec'"),
    ({"severity": "fatal"}, "policy ORG101: severity: 'fatal' is not one of"),
    ({"extra": 1}, "policy ORG101: unknown key 'extra'"),
    ({"code": "AGT301"}, "policy AGT301: AGT301 agent-timeout-over-limit is a built-in rule"),
    ({"kind": "agent-task", "require": {"field": "Arguments.Modle", "in": ["x"]}},
     "policy ORG101: require: field 'Arguments.Modle': 'modle' is not a field of the InvokeHarness"),
])
def test_bad_policy_is_a_config_error(workdir: Path, capsys: pytest.CaptureFixture[str],
                                      change: dict[str, Any], said: str) -> None:
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [{**GOOD, **change}]}))
    api_json(workdir, "memory", memory(120))
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


# -- AGT318 / AGT319 keep their keys ------------------------------------------------------------

def test_agt318_harness_on_the_policy_machinery(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", "allowed-models: ['anthropic.*']\n")
    file = api_json(workdir, "harness", harness(model={"bedrockModelConfig": {"modelId": "meta.llama3"}}))
    (finding,) = run(".", "--select", "AGT318")[1]
    assert (finding["line"], finding["column"]) == value_at(file, "modelId", "meta")
    assert finding["message"] == "model 'meta.llama3' is not in allowed-models (anthropic.*)"


# -- policies test --------------------------------------------------------------------------------

def test_policies_test_command(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = api_json(workdir / "examples" / "bad", "memory", memory(120))
    api_json(workdir / "examples" / "good", "memory", memory(30))
    line = value_at(bad, "eventExpiryDuration", "120")[0]
    policy = {**GOOD, "kind": "memory", "require": {"field": "eventExpiryDuration", "max": 90},
              "examples": {"fail": [f"examples/bad/create-memory.json:{line}"],
                           "pass": ["examples/good/create-memory.json"]}}
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [policy]}))
    assert main(["policies", "test"]) == 0
    assert "2 of 2 examples as expected" in capsys.readouterr().out
    policy["examples"] = {"fail": ["examples/good/create-memory.json"]}
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [policy]}))
    assert main(["policies", "test"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_not_in_over_statement_actions(workdir: Path) -> None:
    policy = {**GOOD, "kind": "statement", "require": {"field": "Action", "not-in": ["iam:*"]}}
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [policy]}))
    file = write(workdir / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}]}, indent=2))
    assert found("ORG101") == [position_of(file.read_text(), r"(?P<at>\"iam:PassRole\")")]
    write(workdir / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert found("ORG101") == []


MACHINE_TYPE = {**GOOD, "kind": "state-machine", "require": {"field": "type", "equals": "STANDARD"}}


def test_state_machine_type_from_its_template(workdir: Path) -> None:
    """A state machine's settings are its resource's: at the line there, in every form."""
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [MACHINE_TYPE]}))
    sam = write(workdir / "template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  Flow:\n"
                "    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n"
                "      Definition:\n        StartAt: A\n        States:\n"
                "          A: {Type: Pass, End: true}\n")
    assert found("ORG101") == [(6, 13)]
    sam.unlink()
    write(workdir / "main.tf", 'resource "aws_sfn_state_machine" "f" {\n  name = "f"\n  type = "EXPRESS"\n'
          '  definition = jsonencode({ StartAt = "A", States = { A = { Type = "Pass", End = true } } })\n}\n')
    assert found("ORG101") == [(3, 10)]
    (workdir / "main.tf").unlink()
    # on its own, a definition's workflow type is not known: not judged
    standalone_json(workdir, machine())
    assert found("ORG101") == []


def test_where_message_value_toml_and_jobs(workdir: Path) -> None:
    """``where`` picks the objects; ``{value}`` says the value; TOML config; --jobs."""
    write(workdir / "pyproject.toml", """[tool.policylint]
[[tool.policylint.policies]]
code = "ORG201"
name = "support-memory-short"
severity = "note"
message = "support memory keeps {value} days"
kind = "memory"
where = {field = "name", in = ["support*"]}
require = {field = "eventExpiryDuration", max = 7}
""")
    for name in ("support_memory", "billing_memory"):
        api_json(workdir / name, "memory", {**memory(30), "name": name})
    for jobs in ("1", "2"):
        findings = [f for f in run(".", "--jobs", jobs)[1] if f["code"] == "ORG201"]
        assert [(f["file"], f["message"], f["severity"]) for f in findings] == [
            ("support_memory/create-memory.json", "support memory keeps 30 days", "note")]


BOUNDARY = {**GOOD, "kind": "role", "require": {"field": "PermissionsBoundary", "present": True}}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "states.amazonaws.com"}}]}
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/boundary"


def test_role_in_cloudformation_terraform_and_an_account_export(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [BOUNDARY]}))
    props: dict[str, Any] = {"AssumeRolePolicyDocument": TRUST}
    cfn = {"Resources": {"Flow": {"Type": "AWS::IAM::Role", "Properties": props}}}
    file = write(workdir / "template.yaml", yaml.safe_dump(cfn, sort_keys=False))
    assert found("ORG101") == [key_at(file, "Properties")]
    props["PermissionsBoundary"] = BOUNDARY_ARN
    write(workdir / "template.yaml", yaml.safe_dump(cfn, sort_keys=False))
    assert found("ORG101") == []
    (workdir / "template.yaml").unlink()
    tf = write(workdir / "main.tf", 'resource "aws_iam_role" "flow" {\n  name = "flow"\n'
               f"  assume_role_policy = jsonencode({json.dumps(TRUST)})\n}}\n")
    assert found("ORG101") == [(1, 1)]
    tf.write_text(tf.read_text().replace('  name = "flow"\n', f'  name = "flow"\n  permissions_boundary = '
                                                                f'"{BOUNDARY_ARN}"\n'))
    assert found("ORG101") == []
    tf.unlink()
    role = {"RoleName": "flow", "Arn": f"arn:aws:iam::{ACCOUNT}:role/flow", "AssumeRolePolicyDocument": TRUST,
            "RolePolicyList": [], "AttachedManagedPolicies": []}
    page = {"RoleDetailList": [role], "UserDetailList": [], "GroupDetailList": [], "Policies": []}
    export = write(workdir / "account.json", json.dumps(page, indent=2))
    assert found("ORG101") == [position_of(export.read_text(), r'(?P<at>\{)\s*"RoleName"')]
    role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                   "PermissionsBoundaryArn": BOUNDARY_ARN}
    write(workdir / "account.json", json.dumps(page, indent=2))
    assert found("ORG101") == []


def test_serverless_variable_is_not_judged(workdir: Path) -> None:
    """A ${...} a Serverless resource keeps is a deploy-time variable: not judged."""
    configure(workdir)

    def serverless_gateway(mode: str) -> Path:
        props = _pascal(gateway(mode))
        resource = {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": props}
        resources = {"Resources": {"Gateway": resource}}
        text = yaml.safe_dump({"service": "s", "provider": {"name": "aws"}, "resources": resources})
        return write(workdir / "prod" / "serverless.yml", text)

    serverless_gateway("${self:custom.mode}")
    assert found("ORG006") == []
    file = serverless_gateway("LOG_ONLY")
    assert found("ORG006") == [value_at(file, "mode", "LOG_ONLY")]


def test_configured_environments(workdir: Path) -> None:
    """environments: a configured name or glob, or prod / non-prod by what the name says."""
    live = {**GOOD, "code": "ORG301", "name": "live-only", "kind": "memory", "environments": ["live"],
            "require": {"field": "eventExpiryDuration", "max": 7}}
    prod = {**live, "code": "ORG302", "name": "prod-only", "environments": ["prod"]}
    environments = {"live": {"paths": ["deploy/live/**"]}, "production-eu": {"paths": ["deploy/eu/**"]}}
    table = {"environments": environments, "policies": [live, prod]}
    write(workdir / ".policylint.yaml", yaml.safe_dump(table))
    for folder in ("live", "eu", "staging"):
        api_json(workdir / "deploy" / folder, "memory", memory(30))
    findings = sorted((f["code"], f["file"]) for f in run(".")[1] if f["code"].startswith("ORG3"))
    assert findings == [("ORG301", "deploy/live/create-memory.json"),
                        ("ORG302", "deploy/eu/create-memory.json")]


BOUNDS = """policies:
  - {code: ORG101, name: tokens-bounded, severity: error, message: tokens bounded, kind: harness,
     require: {field: maxTokens, min: 5000, max: 8000}}
  - {code: ORG102, name: iterations-capped, severity: error, message: iterations capped, kind: harness,
     require: {field: maxIterations, max: 10}}
  - {code: ORG103, name: exact-timeout, severity: error, message: exact timeout, kind: harness,
     require: {field: timeoutSeconds, equals: 300}}
  - {code: ORG104, name: no-browser, severity: error, message: no browser, kind: harness,
     require: {field: allowedTools, not-in: ["agentcore_browser*"]}}
"""


def test_each_operator_says_how_the_value_misses_it(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", BOUNDS)
    file = api_json(workdir, "harness", harness(maxTokens=4096, maxIterations=11, timeoutSeconds=600,
                                                 allowedTools=["agentcore_gateway", "agentcore_browser_x"]))
    findings = run(".", "--select", "ORG")[1]
    assert sorted((f["code"], f["line"], f["column"], f["message"]) for f in findings) == [
        ("ORG101", *value_at(file, "maxTokens", "4096"), "tokens bounded (maxTokens is 4096, under 5000)"),
        ("ORG102", *value_at(file, "maxIterations", "11"),
         "iterations capped (maxIterations is 11, over 10)"),
        ("ORG103", *value_at(file, "timeoutSeconds", "600"),
         "exact timeout (timeoutSeconds is 600, not 300)"),
        ("ORG104", *position_of(file.read_text(), r'(?P<at>"agentcore_browser_x")'),
         """no browser (allowedTools 'agentcore_browser_x' is in ["agentcore_browser*"])""")]


@pytest.mark.parametrize(("tokens", "codes"), [(5000, []), (8000, []), (8001, ["ORG101"]),
                                               (4999, ["ORG101"])])
def test_bounds_hold_at_their_ends(workdir: Path, tokens: int, codes: list[str]) -> None:
    write(workdir / ".policylint.yaml", BOUNDS)
    api_json(workdir, "harness", harness(maxTokens=tokens, maxIterations=10, timeoutSeconds=300))
    assert [f["code"] for f in run(".", "--select", "ORG")[1]] == codes
