"""ACR601-ACR605 on AgentCore gateways, runtimes, memories and policy engines, in every form
that has them: CloudFormation YAML and JSON, cdk.out, Serverless ``resources``, Terraform and
the API JSON of CreateGateway / CreateAgentRuntime / CreateMemory."""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from agentcore import ACCOUNT, pascal
from helpers import position_of, run, write

from policylint.cli import main

ROLE = f"arn:aws:iam::{ACCOUNT}:role/support-agentcore"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENGINE = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:policy-engine/support_engine-abcdefghij"
DISCOVERY = "https://idp.example.com/.well-known/openid-configuration"
SECRET = "sk-live-0123456789abcdef0123"
GATEWAY, RUNTIME, MEMORY, ENGINE_TYPE = "Gateway", "Runtime", "Memory", "PolicyEngine"
TERRAFORM = {GATEWAY: "gateway", RUNTIME: "agent_runtime", MEMORY: "memory", ENGINE_TYPE: "policy_engine"}
API_FILES = {GATEWAY: "create-gateway.json", RUNTIME: "create-agent-runtime.json",
             MEMORY: "create-memory.json"}
_MAPS = {"environmentVariables", "tags"}  # their keys are the user's


def clean(kind: str) -> dict[str, Any]:
    """A clean resource of ``kind``, shaped as its Create API request."""
    return copy.deepcopy({
        GATEWAY: {"name": "support-gw", "roleArn": ROLE, "authorizerType": "CUSTOM_JWT",
                  "protocolType": "MCP",
                  "authorizerConfiguration": {"customJWTAuthorizer": {
                      "discoveryUrl": DISCOVERY, "allowedClients": ["support-client"]}},
                  "policyEngineConfiguration": {"arn": ENGINE, "mode": "ENFORCE"}, "kmsKeyArn": KEY},
        RUNTIME: {"agentRuntimeName": "support", "roleArn": ROLE,
                  "agentRuntimeArtifact": {"containerConfiguration": {
                      "containerUri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/support:v1"}},
                  "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": {
                      "securityGroups": ["sg-0123456789abcdef0"], "subnets": ["subnet-0123456789abcdef0"]}},
                  "environmentVariables": {"LOG_LEVEL": "info"},
                  "authorizerConfiguration": {"customJWTAuthorizer": {
                      "discoveryUrl": DISCOVERY, "allowedAudience": ["support"]}}},
        MEMORY: {"name": "support_memory", "eventExpiryDuration": 30, "encryptionKeyArn": KEY},
        ENGINE_TYPE: {"name": "support_engine", "encryptionKeyArn": KEY},
    }[kind])


# -- the forms ---------------------------------------------------------------------------

def _template(kind: str, api: dict[str, Any], cdk: bool = False) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": f"AWS::BedrockAgentCore::{kind}", "Properties": pascal(api)}
    if cdk:
        resource["Metadata"] = {"aws:cdk:path": f"SupportStack/{kind}/Resource"}
    return {"Resources": {f"Support{kind}": resource}}


def cfn_yaml(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / "template.yaml", yaml.safe_dump(_template(kind, api), sort_keys=False, width=1000))


def cfn_json(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / "template.json", json.dumps(_template(kind, api), indent=2))


def cdk_out(root: Path, kind: str, api: dict[str, Any]) -> Path:
    write(root / "cdk.out" / "manifest.json", '{"version": "36.0.0"}')
    text = json.dumps(_template(kind, api, cdk=True), indent=1)
    return write(root / "cdk.out" / "SupportStack.template.json", text)


def serverless(root: Path, kind: str, api: dict[str, Any]) -> Path:
    file = {"service": "support", "provider": {"name": "aws"}, "resources": _template(kind, api)}
    text = yaml.safe_dump(file, sort_keys=False, width=1000)
    return write(root / "serverless.yml", text)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _hcl(value: dict[str, Any], depth: int = 1) -> str:
    """A Create request as the body of the Terraform resource: objects as nested blocks,
    lists of objects as repeated blocks, maps as HCL maps."""
    pad, lines = "  " * depth, []
    for key, item in value.items():
        name = _snake(key)
        if key in _MAPS:
            entries = "".join(f"{pad}  {k} = {json.dumps(v)}\n" for k, v in item.items())
            lines.append(f"{pad}{name} = {{\n{entries}{pad}}}")
        elif isinstance(item, dict):
            lines.append(f"{pad}{name} {{\n{_hcl(item, depth + 1)}\n{pad}}}")
        else:
            lines.append(f"{pad}{name} = {json.dumps(item)}")
    return "\n".join(lines)


def terraform(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / "main.tf", f'resource "aws_bedrockagentcore_{TERRAFORM[kind]}" "support" {{\n'
                 f"{_hcl(api)}\n}}\n")


def _snake_keys(value: Any, in_map: bool = False) -> Any:
    if isinstance(value, dict):
        return {(k if in_map else _snake(k)): _snake_keys(v, k in _MAPS) for k, v in value.items()}
    return value


def terraform_json(root: Path, kind: str, api: dict[str, Any]) -> Path:
    """Terraform's JSON syntax, as CDK for Terraform writes it."""
    body = {"resource": {f"aws_bedrockagentcore_{TERRAFORM[kind]}": {"support": _snake_keys(api)}}}
    return write(root / "main.tf.json", json.dumps(body, indent=2))


def api_json(root: Path, kind: str, api: dict[str, Any]) -> Path:
    return write(root / API_FILES[kind], json.dumps(api, indent=2))


FORMS: dict[str, Callable[[Path, str, dict[str, Any]], Path]] = {
    "cfn-yaml": cfn_yaml, "cfn-json": cfn_json, "cdk": cdk_out, "serverless": serverless,
    "terraform": terraform, "terraform-json": terraform_json, "api-json": api_json}


# -- the cases ---------------------------------------------------------------------------

Q = r"[\"']?"
AT_RESOURCE = ""  # the finding is about the whole resource: its Properties, block or file start


def _unset(api: dict[str, Any], *path: str) -> None:
    for key in path[:-1]:
        api = api[key]
    del api[path[-1]]


CASES: dict[str, tuple[str, Callable[[dict[str, Any]], None], str]] = {
    "ACR601": (GATEWAY, lambda a: (a.update(authorizerType="NONE"), a.pop("authorizerConfiguration")),
               rf"[Aa]uthorizer_?[Tt]ype{Q}\s*[:=]\s*(?P<at>{Q}NONE)"),
    "ACR602": (GATEWAY, lambda a: a["policyEngineConfiguration"].update(mode="LOG_ONLY"),
               rf"[Mm]ode{Q}\s*[:=]\s*(?P<at>{Q}LOG_ONLY)"),
    "ACR603": (RUNTIME, lambda a: a["environmentVariables"].update(OPENAI_API_KEY=SECRET),
               rf"OPENAI_API_KEY{Q}\s*[:=]\s*(?P<at>{Q}sk-live)"),
    "ACR604": (RUNTIME, lambda a: _unset(a, "authorizerConfiguration", "customJWTAuthorizer",
                                         "allowedAudience"),
               rf"(?P<at>{Q}(?:CustomJWTAuthorizer|customJWTAuthorizer|custom_jwt_authorizer){Q})\s*[:{{]"),
    "ACR605": (MEMORY, lambda a: a.pop("encryptionKeyArn"), AT_RESOURCE),
}


def resource_at(form: str, text: str) -> tuple[int, int]:
    """Where a finding about the whole resource points in ``form``."""
    if form == "terraform":
        return position_of(text, r"^(?P<at>resource) ")
    if form == "terraform-json":
        return position_of(text, r'(?P<at>"support"):')
    if form == "api-json":
        return 1, 1
    return position_of(text, rf"(?P<at>{Q}Properties{Q}):")


@pytest.mark.parametrize(("form", "kind"), [(form, kind) for form in FORMS for kind in TERRAFORM
                                             if form != "api-json" or kind in API_FILES])
def test_a_clean_resource_has_no_findings(workdir: Path, form: str, kind: str) -> None:
    FORMS[form](workdir / "prod", kind, clean(kind))
    assert run(".") == (0, [])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("code", CASES)
def test_rule_fires_at_the_offending_key_or_value(workdir: Path, form: str, code: str) -> None:
    kind, change, pattern = CASES[code]
    api = clean(kind)
    change(api)
    file = FORMS[form](workdir / "prod", kind, api)
    found = [f for f in run(".")[1] if f["code"] == code]
    text = file.read_text()
    at = position_of(text, pattern) if pattern else resource_at(form, text)
    assert [(f["file"], f["line"], f["column"]) for f in found] == [(str(file.relative_to(workdir)), *at)]
    assert SECRET not in json.dumps(found)  # ACR603 shows at most 4 characters of the value


@pytest.mark.parametrize("form", ["cfn-yaml", "terraform", "api-json"])
@pytest.mark.parametrize("code", ["ACR602", "ACR605"])
def test_prod_rules_are_off_elsewhere(workdir: Path, form: str, code: str) -> None:
    kind, change, _ = CASES[code]
    api = clean(kind)
    change(api)
    FORMS[form](workdir / "dev", kind, api)
    assert [f for f in run(".")[1] if f["code"] == code] == []


def test_gateway_jwt_without_audience_or_clients(workdir: Path) -> None:
    api = clean(GATEWAY)
    _unset(api, "authorizerConfiguration", "customJWTAuthorizer", "allowedClients")
    text = cfn_yaml(workdir, GATEWAY, api).read_text()
    found = [(f["line"], f["column"], f["message"]) for f in run(".")[1] if f["code"] == "ACR604"]
    assert found == [(*position_of(text, r"(?P<at>CustomJWTAuthorizer):"), "the JWT authorizer of gateway "
                      "'support-gw' accepts any token of its issuer: set AllowedAudience or AllowedClients")]


@pytest.mark.parametrize("allowed", [{"allowedAudience": []}, {"allowedClients": []}, {}])
def test_an_empty_allowlist_constrains_nothing(workdir: Path, allowed: dict[str, Any]) -> None:
    api = clean(RUNTIME)
    api["authorizerConfiguration"]["customJWTAuthorizer"] = {"discoveryUrl": DISCOVERY, **allowed}
    api_json(workdir, RUNTIME, api)
    assert [f["code"] for f in run(".")[1]] == ["ACR604"]


@pytest.mark.parametrize("value", ["{{resolve:secretsmanager:support/openai:SecretString:key}}",
                                   f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:openai-AbCdEf",
                                   {"Ref": "OpenAiKeyParameter"}])
def test_secret_references_are_not_secrets(workdir: Path, value: Any) -> None:
    api = clean(RUNTIME)
    api["environmentVariables"] = {"OPENAI_API_KEY": value}
    cfn_yaml(workdir, RUNTIME, api)
    assert [f for f in run(".")[1] if f["code"] == "ACR603"] == []


def test_values_known_only_at_deploy_time_are_not_judged(workdir: Path) -> None:
    gateway = clean(GATEWAY)
    gateway.pop("kmsKeyArn")
    text = terraform(workdir / "prod", GATEWAY, gateway).read_text()
    text = text.replace('"ENFORCE"', "var.policy_mode").replace('authorizer_type = "CUSTOM_JWT"',
                                                                  "authorizer_type = var.auth")
    text = text.replace("\n}\n", '\n  kms_key_arn = aws_kms_key.agent.arn\n}\n')
    write(workdir / "prod" / "main.tf", text)
    assert run(".") == (0, [])


def test_an_unknown_json_with_the_same_words_is_not_a_resource(workdir: Path) -> None:
    write(workdir / "settings.json", json.dumps({"name": "x", "roleArn": ROLE, "authorizerType": "CUSTOM"}))
    write(workdir / "odd.json", json.dumps({"name": "x", "roleArn": ROLE, "authorizerType": ["NONE"]}))
    write(workdir / "memory-note.json", json.dumps({"eventExpiryDuration": 30}))
    assert run(".", "--show-files") == (0, [])


def test_a_get_memory_response_is_read(workdir: Path) -> None:
    api = clean(MEMORY)
    api.pop("encryptionKeyArn")
    text = json.dumps({"memory": {**api, "id": "support_memory-AbCdEf1234", "status": "ACTIVE"}}, indent=2)
    write(workdir / "prod" / "get-memory.json", text)
    found = [(f["code"], f["line"], f["column"]) for f in run(".")[1]]
    assert found == [("ACR605", *position_of(text, rf"(?P<at>{Q}memory{Q}):"))]


@pytest.mark.parametrize("fmt", ["sarif", "github", "text"])
def test_a_runtime_secret_is_masked_in_every_format(workdir: Path, fmt: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    api = clean(RUNTIME)
    api["environmentVariables"]["OPENAI_API_KEY"] = SECRET
    terraform(workdir, RUNTIME, api)
    main(["check", ".", "--format", fmt, "--fail-on", "never"])
    out = capsys.readouterr().out
    assert "ACR603" in out and SECRET not in out


def test_the_configured_environments_say_which_account_is_prod(workdir: Path) -> None:
    """A gateway in a folder that names no environment is prod by the account of its role."""
    write(workdir / ".policylint.yaml", f"environments:\n  live:\n    accounts: ['{ACCOUNT}']\n"
          "  production:\n    accounts: ['444455556666']\n")
    api = clean(GATEWAY)
    api["policyEngineConfiguration"]["mode"] = "LOG_ONLY"
    api_json(workdir / "gateways", GATEWAY, api)
    assert [f["code"] for f in run(".")[1]] == []  # "live" is not a prod environment
    api_json(workdir / "gateways", GATEWAY, json.loads(json.dumps(api).replace(ACCOUNT, "444455556666")))
    assert [f["code"] for f in run(".")[1]] == ["ACR602"]
