"""HRN401-HRN407 on harness configs in every shape: CreateHarness JSON and YAML, a saved
GetHarness response, and the CloudFormation resource."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from agentcore import HARNESS_ARN, harness_api, pascal
from helpers import position_of, run, write

Change = Callable[[dict[str, Any]], None]


def create_json(root: Path, api: dict[str, Any]) -> Path:
    return write(root / "harness.json", json.dumps(api, indent=2))


def create_yaml(root: Path, api: dict[str, Any]) -> Path:
    return write(root / "harness.yaml", yaml.safe_dump(api, sort_keys=False, width=1000))


def get_json(root: Path, api: dict[str, Any]) -> Path:
    response = {"harness": {**api, "harnessId": "support-AbCdEf1234", "status": "READY", "arn": HARNESS_ARN}}
    return write(root / "get-harness.json", json.dumps(response, indent=2))


def cfn_yaml(root: Path, api: dict[str, Any]) -> Path:
    template = {"Resources": {"Agent": {"Type": "AWS::BedrockAgentCore::Harness", "Properties": pascal(api)}}}
    return write(root / "template.yaml", yaml.safe_dump(template, sort_keys=False, width=1000))


SHAPES = {"create-json": create_json, "create-yaml": create_yaml, "get-json": get_json, "cfn": cfn_yaml}


def changed(change: Change) -> dict[str, Any]:
    api = harness_api()
    change(api)
    return api


def tool(api: dict[str, Any], **entry: Any) -> None:
    api["tools"].append(entry)


# code -> (change, pattern of the place the finding points at; Q is an optional quote)
Q = r"[\"']?"
CASES: dict[str, tuple[Change, str]] = {
    "HRN401": (lambda a: a.update(timeoutSeconds=1200), rf"[Tt]imeoutSeconds{Q}: (?P<at>1200)"),
    "HRN403": (lambda a: tool(a, type="browser", name="web"), rf"[Tt]ype{Q}: (?P<at>{Q}browser)"),
    "HRN404": (lambda a: a.update(allowedTools=["orders", "*"]), rf"(?P<at>{Q}\*{Q})\n"),
    "HRN405": (lambda a: a.update(environmentVariables={"LOG_LEVEL": "debug",
                                                        "OPENAI_API_KEY": "sk-live-abcdefghijklmnopqrstuv"}),
               rf"OPENAI_API_KEY{Q}: (?P<at>{Q}sk-live)"),
    "HRN406": (lambda a: tool(a, type="remote_mcp", name="crm",
                              config={"remoteMcp": {"url": "http://mcp.example.com/mcp"}}),
               rf"[Uu]rl{Q}: (?P<at>{Q}http:)"),
    "HRN407": (lambda a: a.update(authorizerConfiguration={"customJWTAuthorizer": {
                   "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"}}),
               rf"(?P<at>{Q}[Cc]ustomJWTAuthorizer{Q}):"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_clean_harness_has_no_findings(workdir: Path, shape: str) -> None:
    SHAPES[shape](workdir, harness_api())
    assert run(".") == (0, [])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("code", CASES)
def test_harness_rule_fires_at_the_offending_key_or_value(workdir: Path, shape: str, code: str) -> None:
    change, pattern = CASES[code]
    file = SHAPES[shape](workdir, changed(change))
    findings = [f for f in run(".")[1] if f["code"] == code]
    assert len(findings) == 1, findings
    assert (findings[0]["line"], findings[0]["column"]) == position_of(file.read_text(), pattern)


@pytest.mark.parametrize("shape", SHAPES)
def test_missing_limits_are_named(workdir: Path, shape: str) -> None:
    SHAPES[shape](workdir, changed(lambda a: [a.pop("maxTokens"), a.pop("maxIterations")]))
    (finding,) = run(".", "--select", "HRN402")[1]
    names = ("MaxIterations", "MaxTokens") if shape == "cfn" else ("maxIterations", "maxTokens")
    assert all(n in finding["message"] for n in names) and "imeoutSeconds" not in finding["message"]


def test_update_request_is_not_asked_for_limits(workdir: Path) -> None:
    write(workdir / "update.json", json.dumps({"harnessId": "support-AbCdEf1234", "maxTokens": 2048}))
    assert run(".") == (0, [])


def test_secret_is_masked_and_references_are_fine(workdir: Path) -> None:
    secret = "sk-live-abcdefghijklmnopqrstuv"
    create_json(workdir, changed(lambda a: a.update(environmentVariables={
        "OPENAI_API_KEY": secret, "DB_PASSWORD": "{{resolve:secretsmanager:db:SecretString:password}}",
        "GITHUB_TOKEN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:gh", "LOG_LEVEL": "debug"})))
    (finding,) = run(".", "--select", "HRN405")[1]
    assert "'sk-l…'" in finding["message"] and secret not in finding["message"]


def test_secret_in_remote_mcp_headers(workdir: Path) -> None:
    file = create_json(workdir, changed(lambda a: tool(a, type="remote_mcp", name="crm", config={
        "remoteMcp": {"url": "https://mcp.example.com/mcp",
                      "headers": {"Authorization": "Bearer abcdefghijklmnop1234"}}})))
    (finding,) = run(".", "--select", "HRN405")[1]
    place = position_of(file.read_text(), r"Authorization\": (?P<at>\")")
    assert (finding["line"], finding["column"]) == place


def test_https_mcp_and_constrained_jwt_are_fine(workdir: Path) -> None:
    def secure(api: dict[str, Any]) -> None:
        tool(api, type="remote_mcp", name="crm", config={"remoteMcp": {"url": "https://mcp.example.com"}})
        api["authorizerConfiguration"] = {"customJWTAuthorizer": {
            "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
            "allowedClients": ["support-web"]}}
    create_json(workdir, changed(secure))
    assert run(".", "--select", "HRN406,HRN407") == (0, [])


def test_schema_errors_name_the_field(workdir: Path) -> None:
    create_json(workdir, changed(lambda a: a.update(maxIteration=5, systemPrompt="be nice")))
    messages = sorted(f["message"] for f in run(".", "--select", "HRN403")[1])
    assert messages == ["systemPrompt: 'be nice' is not of type 'array'",
                        "unknown field 'maxIteration' in the harness"]


def test_cloudformation_values_computed_at_deploy_time_are_not_judged(workdir: Path) -> None:
    api = harness_api()
    body = pascal(api)
    body["ExecutionRoleArn"] = {"Fn::GetAtt": ["HarnessRole", "Arn"]}
    body["TimeoutSeconds"] = {"Ref": "Timeout"}
    write(workdir / "template.yaml", yaml.safe_dump({"Resources": {
        "Agent": {"Type": "AWS::BedrockAgentCore::Harness", "Properties": body}}}))
    assert run(".", "--select", "HRN403,HRN401") == (0, [])


def test_cloudformation_schema_requires_model(workdir: Path) -> None:
    cfn_yaml(workdir, changed(lambda a: a.pop("model")))
    (finding,) = run(".", "--select", "HRN403")[1]
    assert finding["message"] == "the harness: 'Model' is a required property"


# AWS defaults and environments (HRN409-HRN414). A finding about a field the harness leaves out
# points at the harness object.
ROOT = {"create-json": r"\A(?P<at>.)", "create-yaml": r"\A(?P<at>.)", "get-json": r'(?P<at>"harness"): \{',
        "cfn": r"\n    (?P<at>Properties):"}


def hook_fails_open(api: dict[str, Any]) -> None:
    api["hooks"][0]["beforeToolCall"]["target"]["lambda"]["failureMode"] = "allow"


MANAGED = {"managedMemoryConfiguration": {"eventExpiryDuration": 90}}
PUBLIC = {"agentCoreRuntimeEnvironment": {"networkConfiguration": {"networkMode": "PUBLIC"}}}
OPENAI = {"openAiModelConfig": {"modelId": "gpt-5", "apiKeyArn": "arn:aws:bedrock-agentcore:us-east-1:"
                                "111122223333:token-vault/default/apikeycredentialprovider/openai"}}
RETENTION = "max-memory-retention-days: 30\n"
LAMBDA = "arn:aws:lambda:us-east-1:111122223333:function"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# (code, change, pattern (None: the harness object), config, folder)
DEFAULT_CASES = {
    "HRN409": ("HRN409", lambda a: a.pop("allowedTools"), None, "", "."),
    "HRN410": ("HRN410", hook_fails_open, rf"[Ff]ailureMode{Q}: (?P<at>{Q}allow)", "", "."),
    "HRN411-default": ("HRN411", lambda a: a.pop("memory"), None, "", "prod"),
    "HRN411-written": ("HRN411", lambda a: a.update(memory=MANAGED),
                       rf"(?P<at>{Q}[Mm]anagedMemoryConfiguration)", "", "prod"),
    "HRN412-default": ("HRN412", lambda a: a.pop("memory"), None, "max-memory-retention-days: 14\n", "."),
    "HRN412-written": ("HRN412", lambda a: a.update(memory=MANAGED),
                       rf"[Ee]ventExpiryDuration{Q}: (?P<at>90)", RETENTION, "."),
    "HRN413": ("HRN413", lambda a: a.update(environment=PUBLIC), rf"[Nn]etworkMode{Q}: (?P<at>{Q}PUBLIC)", "",
               "prod"),
    "HRN414": ("HRN414", lambda a: a.update(model=OPENAI), rf"(?P<at>{Q}[Oo]penAiModelConfig)", "", "."),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", DEFAULT_CASES)
def test_default_and_environment_rules_fire_where_the_value_is(workdir: Path, shape: str, case: str) -> None:
    code, change, pattern, config, folder = DEFAULT_CASES[case]
    write(workdir / ".policylint.yaml", config or "select: [HRN]\n")
    file = SHAPES[shape](workdir / folder, changed(change))
    findings = [f for f in run(".", "--fail-on", "never")[1] if f["code"] == code]
    assert len(findings) == 1, findings
    place = position_of(file.read_text(), pattern or ROOT[shape])
    assert (findings[0]["line"], findings[0]["column"]) == place


# (change, config, folder) that each leave the rule silent
QUIET: dict[str, list[tuple[Change, str, str]]] = {
    "HRN409": [(lambda a: a.update(allowedTools=["orders", "@builtin/file_operations"]), "", ".")],
    "HRN410": [(lambda a: a["hooks"][0]["beforeToolCall"]["target"]["lambda"].pop("failureMode"), "", "."),
               (lambda a: a.update(hooks=[{"afterToolCall": {"name": "audit", "target": {"lambda": {
                   "arn": f"{LAMBDA}:audit", "failureMode": "allow"}}}}]), "", ".")],
    "HRN411": [(lambda a: a.pop("memory"), "", "dev"),
               (lambda a: a.update(memory={"disabled": {}}), "", "prod"),
               (lambda a: a.update(memory={"managedMemoryConfiguration": {"encryptionKeyArn": KEY}}),
                "", "prod")],
    "HRN412": [(lambda a: a.pop("memory"), "", "."),
               (lambda a: a.pop("memory"), RETENTION, "."),
               (lambda a: a.update(memory={"managedMemoryConfiguration": {"eventExpiryDuration": 30}}),
                RETENTION, ".")],
    "HRN413": [(lambda a: a.update(environment=PUBLIC), "", "dev"),
               (lambda a: a.update(environment={"agentCoreRuntimeEnvironment": {"networkConfiguration": {
                   "networkMode": "VPC"}}}), "", "prod")],
    "HRN414": [(lambda a: a.update(model=OPENAI), "allowed-model-providers: [bedrock, openai]\n", ".")],
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("code", "index"), [(c, i) for c, cases in QUIET.items() for i in range(len(cases))])
def test_default_and_environment_rules_stay_quiet(workdir: Path, shape: str, code: str, index: int) -> None:
    change, config, folder = QUIET[code][index]
    write(workdir / ".policylint.yaml", config or "select: [HRN]\n")
    SHAPES[shape](workdir / folder, changed(change))
    assert [f for f in run(".", "--fail-on", "never")[1] if f["code"] == code] == []


def test_an_update_request_keeps_its_tools_and_memory(workdir: Path) -> None:
    update = {"harnessId": "support-AbCdEf1234", "maxTokens": 2048}
    write(workdir / "prod" / "update.json", json.dumps(update))
    write(workdir / ".policylint.yaml", RETENTION.replace("30", "7"))
    assert run(".", "--select", "HRN409,HRN411,HRN412") == (0, [])


def test_a_provider_left_out_of_the_allowlist_is_an_error(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", "allowed-model-providers: [bedrock]\n")
    create_json(workdir, changed(lambda a: a.update(model=OPENAI)))
    (finding,) = run(".", "--select", "HRN414")[1]
    assert finding["severity"] == "error" and "not in allowed-model-providers (bedrock)" in finding["message"]


def test_without_an_allowlist_a_provider_is_a_warning_that_names_no_list(workdir: Path) -> None:
    file = create_json(workdir, changed(lambda a: a.update(model=OPENAI)))
    (finding,) = run(".", "--select", "HRN414")[1]
    assert (finding["code"], finding["severity"]) == ("HRN414", "warning")
    assert finding["message"] == ("openAiModelConfig sends prompts, tool results and memory to OpenAI, "
                                  "outside AWS")
    place = position_of(file.read_text(), r'(?P<at>"openAiModelConfig")')
    assert (finding["line"], finding["column"]) == place


def test_a_plain_http_api_base_is_an_error(workdir: Path) -> None:
    write(workdir / ".policylint.yaml", "allowed-model-providers: [bedrock, litellm]\n")
    file = create_json(workdir, changed(lambda a: a.update(model={"liteLlmModelConfig": {
        "modelId": "llama-4", "apiBase": "http://llm.internal:4000"}})))
    (finding,) = run(".", "--select", "HRN414")[1]
    assert finding["severity"] == "error"
    assert (finding["line"], finding["column"]) == position_of(file.read_text(), r'"apiBase": (?P<at>")')
