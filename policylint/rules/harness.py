"""HRN4xx: AgentCore harness configs (CreateHarness / GetHarness JSON or YAML, and the
CloudFormation resource ``AWS::BedrockAgentCore::Harness``)."""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.documents.harness import Field, Harness
from policylint.hookspecs import hookimpl
from policylint.project import Context
from policylint.rule import Finding, Severity, rule, rules_of

CAP = 900  # seconds: the longest an agent task waits for a harness
LIMITS = ("timeoutSeconds", "maxIterations", "maxTokens")


def harness_timeout_over_limit(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a harness whose timeoutSeconds is over 900.

    Why is this bad? A Step Functions agent task waits at most 900 s. A harness allowed to
    run longer keeps spending tokens and calling tools after the workflow has given up.

    Example: `"timeoutSeconds": 3600` in CreateHarness, or `TimeoutSeconds: 3600` on an
    `AWS::BedrockAgentCore::Harness`.

    Use instead: `"timeoutSeconds": 600`, below the agent task's TimeoutSeconds."""
    timeout = ctx.document.harness.number("timeoutSeconds")
    if timeout is not None and timeout.value > CAP:
        yield Finding(ctx.document, timeout.path, f"the harness may run {timeout.value} s; an agent "
                      f"task waits at most {CAP} s: set {CAP} or less", "value")


harness_timeout_over_limit = rule(
    "HRN401", "harness-timeout-over-limit", Severity.ERROR,
    summary="Harness timeoutSeconds is over 900 s: it outlives any workflow task", kinds=("harness",),
)(harness_timeout_over_limit)


def harness_limits_missing(ctx: Context) -> Iterator[Finding]:
    """What it does: names each of timeoutSeconds, maxIterations and maxTokens that a
    harness (CreateHarness, GetHarness or the CloudFormation resource) does not set.

    Why is this bad? These are the guardrails on cost and abuse: without them the agent
    loop runs on the service defaults, which nobody reviewed for this agent.

    Example: a CreateHarness request with only harnessName, executionRoleArn and model.

    Use instead: `"timeoutSeconds": 600, "maxIterations": 25, "maxTokens": 4096`."""
    h = ctx.document.harness
    if h.is_update:
        return
    missing = [h.written(name) for name in LIMITS if h.get(name) is None]
    if missing:
        yield Finding(ctx.document, (), f"harness {h.name!r} sets no {', '.join(missing)}: set "
                      "explicit limits instead of relying on service defaults")


harness_limits_missing = rule(
    "HRN402", "harness-limits-missing", Severity.WARNING,
    summary="Harness has no timeoutSeconds, maxIterations or maxTokens", kinds=("harness",),
)(harness_limits_missing)


def harness_invalid_config(ctx: Context) -> Iterator[Finding]:
    """What it does: validates a harness against its schema: the CloudFormation resource
    schema of `AWS::BedrockAgentCore::Harness` (shipped with cfn-lint), or the API shape of
    CreateHarness / UpdateHarness / GetHarness (derived from the botocore service model).

    Why is this bad? The deployment or API call fails, or a misspelt field is ignored and
    the agent runs without the setting you meant.

    Example: `"tools": [{"type": "browser"}]` (the type is `agentcore_browser`), or
    `"systemPrompt": "You are..."` (it is a list of `{"text": ...}` blocks).

    Use instead: the field names, types and values of the CreateHarness API reference or
    the CloudFormation resource reference."""
    from policylint.schemas import violations

    for path, at, message in violations(ctx.document.harness):
        yield Finding(ctx.document, path, message, at)


harness_invalid_config = rule(
    "HRN403", "harness-invalid-config", Severity.ERROR,
    summary="Harness config violates its schema", kinds=("harness",),
)(harness_invalid_config)


def harness_allowed_tools_wildcard(ctx: Context) -> Iterator[Finding]:
    """What it does: flags `*` in a harness's allowedTools.

    Why is this bad? allowedTools is the allowlist that filters which tools the agent may
    call; `*` turns it off, so every tool a gateway or MCP server adds later is allowed too.

    Example: `"allowedTools": ["*"]`.

    Use instead: the names of the tools this agent needs: `["search_orders", "refund"]`."""
    allowed = ctx.document.harness.get("allowedTools")
    if allowed is None or not isinstance(allowed.value, list):
        return
    for i, name in enumerate(allowed.value):
        if name == "*":
            yield Finding(ctx.document, (*allowed.path, i), "allowedTools '*' allows every tool, "
                          "including tools added later: list the tools this agent needs", "value")


harness_allowed_tools_wildcard = rule(
    "HRN404", "harness-allowed-tools-wildcard", Severity.WARNING,
    summary="Harness allowedTools contains '*'", kinds=("harness",),
)(harness_allowed_tools_wildcard)


def _secrets(h: Harness) -> Iterator[tuple[Field, str]]:
    """(field, name) of the literal values in environmentVariables and remote MCP headers,
    in whatever shape they are written (a map, ``NAME=value`` strings, ``{name, value}``)."""
    from policylint.secrets import named_values  # here: most runs lint no harness
    blocks = [h.get("environmentVariables")]
    blocks += [h.get("headers", base=config) for t in h.tools if t.type == "remote_mcp"
               and (config := h.tool_config(t, "remoteMcp")) is not None]
    for block in blocks:
        if block is not None:
            for path, name, value in named_values(block.value):
                yield Field((*block.path, *path), value), name


def harness_secret_in_config(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a literal secret (an API key, token, password or private key,
    by its name or its shape) in a harness's environmentVariables or in the headers of a
    remote MCP tool. Secrets Manager / SSM references and `{{resolve:...}}` are fine. The
    message shows at most 4 characters of the value.

    Why is this bad? The value is stored in plain text in the harness config, in source
    control, in CloudFormation, and in every GetHarness response.

    Example: `"environmentVariables": {"OPENAI_API_KEY": "sk-live-..."}`.

    Use instead: an AgentCore Identity credential provider (apiKeyArn, gateway outbound
    auth) or a Secrets Manager reference."""
    from policylint.secrets import looks_secret, mask

    for field, name in _secrets(ctx.document.harness):
        if looks_secret(name, field.value):
            yield Finding(ctx.document, field.path, f"{name or 'a value'} holds a literal secret "
                          f"({mask(str(field.value))}): keep it in Secrets Manager or an AgentCore "
                          "Identity credential provider", "value")


harness_secret_in_config = rule(
    "HRN405", "harness-secret-in-config", Severity.ERROR,
    summary="A literal secret in environmentVariables or remote MCP headers", kinds=("harness",),
    tags=("security",),
)(harness_secret_in_config)


def harness_insecure_remote_mcp(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a remote_mcp tool whose url does not start with `https://`.

    Why is this bad? Tool calls, their results and any auth headers cross the network in
    clear text, where they can be read or changed.

    Example: `{"type": "remote_mcp", "config": {"remoteMcp": {"url": "http://mcp.example.com"}}}`.

    Use instead: `"url": "https://mcp.example.com/mcp"`."""
    h = ctx.document.harness
    for tool in h.tools:
        config = h.tool_config(tool, "remoteMcp") if tool.type == "remote_mcp" else None
        url = h.get("url", base=config) if config else None
        if url is not None and isinstance(url.value, str) and not url.value.lower().startswith("https://"):
            scheme = url.value.split("://", 1)[0] if "://" in url.value else None
            uses = f"{scheme!r}" if scheme and scheme.isalnum() else "a URL with no scheme"
            yield Finding(ctx.document, url.path, f"remote MCP tool {tool.name!r} uses {uses}, not "
                          "https: use TLS", "value")


harness_insecure_remote_mcp = rule(
    "HRN406", "harness-insecure-remote-mcp", Severity.ERROR,
    summary="A remote MCP tool URL is not https", kinds=("harness",), tags=("security",),
)(harness_insecure_remote_mcp)


def harness_jwt_unconstrained(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a customJWTAuthorizer that sets neither allowedAudience nor
    allowedClients.

    Why is this bad? It then accepts any valid token from the issuer, including tokens
    minted for other applications: a token for one service can be replayed against the agent.

    Example: `"customJWTAuthorizer": {"discoveryUrl": "https://idp/.well-known/openid-configuration"}`.

    Use instead: add `"allowedAudience": ["my-agent"]` and/or `"allowedClients": ["client-id"]`."""
    h = ctx.document.harness
    jwt = h.get("authorizerConfiguration", "customJWTAuthorizer")
    if jwt is not None and isinstance(jwt.value, dict) and h.get("allowedAudience", base=jwt) is None \
            and h.get("allowedClients", base=jwt) is None:
        yield Finding(ctx.document, jwt.path, "the JWT authorizer accepts any token of its issuer: "
                      "set allowedAudience or allowedClients")


harness_jwt_unconstrained = rule(
    "HRN407", "harness-jwt-unconstrained", Severity.WARNING,
    summary="JWT authorizer with neither allowedAudience nor allowedClients", kinds=("harness",),
    tags=("security",),
)(harness_jwt_unconstrained)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
