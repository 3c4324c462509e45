"""HRN4xx: AgentCore harness configs (CreateHarness / GetHarness JSON or YAML, and the
CloudFormation resource ``AWS::BedrockAgentCore::Harness``)."""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.hookspecs import hookimpl
from policylint.models import AGENTCORE
from policylint.models.agentcore import MEMORY, RUNTIME, Resource
from policylint.models.harness import MANAGED_MEMORY_EXPIRY_DAYS, Field, Harness
from policylint.project import Context, is_prod
from policylint.rule import UNSAFE, Edit, Finding, Fix, Severity, rule, rules_of

CAP = 900  # seconds: the longest an agent task waits for a harness
LIMITS = ("timeoutSeconds", "maxIterations", "maxTokens")


def harness_timeout_over_limit(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a harness whose timeoutSeconds is over 900.

    Why is this bad? A Step Functions agent task waits at most 900 s. A harness allowed to
    run longer keeps spending tokens and calling tools after the workflow has given up.

    Example: `"timeoutSeconds": 3600` in CreateHarness, or `TimeoutSeconds: 3600` on an
    `AWS::BedrockAgentCore::Harness`.

    Use instead: `"timeoutSeconds": 600`, below the agent task's TimeoutSeconds."""
    timeout = Harness.of(ctx.document).number("timeoutSeconds")
    if timeout is not None and timeout.value > CAP:
        found = Finding(ctx.document, timeout.path, f"the harness may run {timeout.value} s; an agent "
                        f"task waits at most {CAP} s: set {CAP} or less", "value")
        found.fix = Fix.replace(UNSAFE, timeout.path, CAP)
        yield found


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
    h = Harness.of(ctx.document)
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

    for path, at, message in violations(Harness.of(ctx.document)):
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
    allowed = Harness.of(ctx.document).get("allowedTools")
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

    for field, name in _secrets(Harness.of(ctx.document)):
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
    h = Harness.of(ctx.document)
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
    h = Harness.of(ctx.document)
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


def harness_tools_unrestricted(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a harness that sets no allowedTools.

    Why is this bad? Without allowedTools every tool is allowed, including the built-in
    `shell` (runs bash commands) and `file_operations` that every session has, and every
    tool a gateway or MCP server adds later.

    Example: a CreateHarness request with `tools` but no `allowedTools`.

    Use instead: `"allowedTools": ["search_orders", "@builtin/file_operations"]`: the tools
    this agent needs, built-in ones by name.

    Source: AgentCore Developer Guide, harness "Connect to tools": "Default tools shell and
    file_operations are available in every session unless you restrict them with
    allowedTools ... If omitted, all tools are allowed"."""
    h = Harness.of(ctx.document)
    allowed = h.allowed_tools
    if allowed is not None and allowed.default:
        name = h.written("allowedTools")
        found = Finding(ctx.document, allowed.path, f"harness {h.name!r} sets no {name}: "
                        "the agent may use every tool, including the built-in shell (bash) and "
                        "file_operations; list the tools it needs")
        found.fix = Fix(UNSAFE, f"add {name}: [] (no tool; then list those it needs)",
                        Edit("insert", allowed.path, [], name))
        yield found


harness_tools_unrestricted = rule(
    "HRN409", "harness-tools-unrestricted", Severity.WARNING,
    summary="Harness sets no allowedTools: every tool is allowed, the built-in shell included",
    kinds=("harness",), tags=("security",),
)(harness_tools_unrestricted)


GUARD_PHASES = ("beforeToolCall", "beforeInvocation")


def harness_hook_fail_open(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a BeforeToolCall or BeforeInvocation hook whose Lambda target says
    `failureMode: allow`. (Without failureMode a Lambda hook fails closed.)

    Why is this bad? The hook is the guard in front of the agent's calls. When its function
    errors, is throttled or times out, `allow` lets the call through unchecked: the guard is
    off exactly when something is wrong. AGT315 does not count such a hook as a guard.

    Example: `{"beforeToolCall": {"name": "approve", "target": {"lambda": {"arn": "...",
    "failureMode": "allow"}}}}`.

    Use instead: `"failureMode": "deny"` (or leave it out), and a hook that answers in time.

    Source: the `AWS::BedrockAgentCore::Harness` resource schema, HarnessHookLambdaTarget
    FailureMode: "Whether the agent loop continues or stops when the Lambda invocation fails.
    Defaults to deny"."""
    h = Harness.of(ctx.document)
    for hook in h.hooks:
        if hook.phase in GUARD_PHASES and hook.fails_open and hook.failure_mode is not None:
            yield Finding(ctx.document, hook.failure_mode.path, f"the {h.written(hook.phase)} hook "
                          "lets the call through when its function fails or times out: set "
                          f"{h.written('failureMode')} to deny", "value")


harness_hook_fail_open = rule(
    "HRN410", "harness-hook-fail-open", Severity.WARNING,
    summary="A guard hook (BeforeToolCall/BeforeInvocation) fails open", kinds=("harness",),
    tags=("security",),
)(harness_hook_fail_open)


def _memory_words(h: Harness, managed: Field) -> str:
    return "managed memory (the default when memory is omitted)" if managed.default else \
        f"managed memory ({h.written('managedMemoryConfiguration')})"


def harness_memory_default_key(ctx: Context) -> Iterator[Finding]:
    """What it does: in a prod environment (see `environments`), flags managed memory, written
    or the default when `memory` is omitted, with no encryptionKeyArn. Off elsewhere.

    Why is this bad? The conversations and what the agent learns of its users are then
    encrypted with an AWS-owned key: no key policy of yours, no CloudTrail record of its use,
    no way to revoke it. A customer key cannot be added after the harness is created.

    Example: a prod harness with no `memory`, or `"memory": {"managedMemoryConfiguration":
    {"eventExpiryDuration": 30}}`.

    Use instead: `"memory": {"managedMemoryConfiguration": {"encryptionKeyArn":
    "arn:aws:kms:REGION:ACCOUNT:key/..."}}`.

    Source: the `AWS::BedrockAgentCore::Harness` resource schema, ManagedMemoryConfiguration
    EncryptionKeyArn: "Defaults to AWS-owned key. Not updatable after creation"."""
    h = Harness.of(ctx.document)
    managed = h.managed_memory
    if managed is None or not is_prod(ctx.project.environment(ctx.document)):
        return
    if h.setting("encryptionKeyArn", managed, None).default:
        yield Finding(ctx.document, managed.path, f"harness {h.name!r} in prod keeps its "
                      f"{_memory_words(h, managed)} under an AWS-owned key, and a customer key "
                      f"cannot be added later: set {h.written('encryptionKeyArn')}")


harness_memory_default_key = rule(
    "HRN411", "harness-memory-default-key", Severity.WARNING,
    summary="Managed memory in prod with no customer-managed KMS key", kinds=("harness",),
    tags=("security",),
)(harness_memory_default_key)


def agent_memory_retention_over_limit(ctx: Context) -> Iterator[Finding]:
    """What it does: when `max-memory-retention-days` is configured, flags a harness whose
    managed memory (written, or the default when `memory` is omitted) keeps events longer:
    its eventExpiryDuration, 30 days when not set.

    Why is this bad? Memory events are the raw conversations, customer data included; a
    data-retention policy says how long they may be kept.

    Example: `max-memory-retention-days: 14` and a harness with no `memory` (30 days).

    Use instead: `"memory": {"managedMemoryConfiguration": {"eventExpiryDuration": 14}}`.

    Source: the `AWS::BedrockAgentCore::Harness` resource schema, EventExpiryDuration:
    "Event retention in days. Defaults to 30"; for an `AWS::BedrockAgentCore::Memory` (or a
    CreateMemory request), its own required EventExpiryDuration."""
    limit = ctx.config.max_memory_retention_days
    if limit is not None and ctx.document.kind == AGENTCORE:
        yield from _memory_resource_retention(ctx, limit)
        return
    h = Harness.of(ctx.document)
    managed = h.managed_memory
    if limit is None or managed is None:
        return
    days = h.setting("eventExpiryDuration", managed, MANAGED_MEMORY_EXPIRY_DAYS)
    if isinstance(days.value, int) and not isinstance(days.value, bool) and days.value > limit:
        what = f"{_memory_words(h, managed)} keeps events {days.value} days (no " \
            f"{h.written('eventExpiryDuration')})" if days.default else \
            f"{h.written('eventExpiryDuration')} keeps memory events {days.value} days"
        yield Finding(ctx.document, days.path, f"{what}, over max-memory-retention-days ({limit})",
                      "key" if days.default else "value")


agent_memory_retention_over_limit = rule(
    "HRN412", "agent-memory-retention-over-limit", Severity.WARNING,
    summary="Agent memory keeps events longer than max-memory-retention-days", kinds=("harness", AGENTCORE),
)(agent_memory_retention_over_limit)


def _memory_resource_retention(ctx: Context, limit: int) -> Iterator[Finding]:
    """HRN412 on an AgentCore memory resource."""
    memory = Resource.of(ctx.document)
    days = memory.get("eventExpiryDuration") if memory.type == MEMORY else None
    if days is not None and isinstance(days.value, int) and not isinstance(days.value, bool) \
            and days.value > limit:
        yield Finding(ctx.document, days.path, f"memory {memory.name!r} keeps events {days.value} days, "
                      f"over max-memory-retention-days ({limit})", "value")


def agent_public_network_in_prod(ctx: Context) -> Iterator[Finding]:
    """What it does: in a prod environment (see `environments`), flags a harness environment
    with `networkMode: PUBLIC`.

    Why is this bad? The agent's microVM, which runs its shell, code and tools, then reaches
    the internet directly: nothing of yours (VPC endpoints, egress filtering, flow logs)
    stands between a prompt-injected agent and any host.

    Example: `"environment": {"agentCoreRuntimeEnvironment": {"networkConfiguration":
    {"networkMode": "PUBLIC"}}}`.

    Use instead: `"networkMode": "VPC"` with `networkModeConfig` (subnets, security groups).

    The same for an AgentCore runtime (`AWS::BedrockAgentCore::Runtime`, CreateAgentRuntime,
    `aws_bedrockagentcore_agent_runtime`) whose networkConfiguration says PUBLIC.

    Source: the CreateHarness and CreateAgentRuntime APIs and the `AWS::BedrockAgentCore::Harness`
    and `::Runtime` resource schemas, NetworkConfiguration NetworkMode (PUBLIC | VPC)."""
    if ctx.document.kind == AGENTCORE:
        runtime = Resource.of(ctx.document)
        found = runtime.text("networkConfiguration", "networkMode") if runtime.type == RUNTIME else None
        mode, what = (found.value, found.path) if found is not None else None, f"runtime {runtime.name!r}"
    else:
        said = Harness.of(ctx.document).network_mode
        mode, what = (said.value, said.path) if said is not None else None, "the agent's environment"
    if mode is not None and mode[0] == "PUBLIC" and is_prod(ctx.project.environment(ctx.document)):
        yield Finding(ctx.document, mode[1], f"{what} in prod uses the public network: run it in your "
                      "VPC (VPC mode with subnets and security groups)", "value")


agent_public_network_in_prod = rule(
    "HRN413", "agent-public-network-in-prod", Severity.WARNING,
    summary="A harness environment or AgentCore runtime in prod on the public network",
    kinds=("harness", AGENTCORE), tags=("security",),
)(agent_public_network_in_prod)


PROVIDER_NAMES = {"openai": "OpenAI", "gemini": "Google Gemini", "litellm": "a LiteLLM endpoint"}


def harness_model_outside_aws(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a harness whose model is an OpenAI, Gemini or LiteLLM configuration
    (a warning; an error when `allowed-model-providers` is configured and leaves it out, and
    nothing when it lists it), and an `apiBase` that is not https (an error).

    Why is this bad? Prompts, tool results and what memory recalls leave AWS for another
    provider, under its terms and data residency; over plain http anyone on the path reads
    and changes them.

    Example: `"model": {"openAiModelConfig": {"modelId": "gpt-5", "apiKeyArn": "..."}}`.

    Use instead: a `bedrockModelConfig` model, or list the provider in
    `allowed-model-providers` once it is approved; `https://` for apiBase.

    Source: the CreateHarness API, HarnessModelConfiguration (bedrockModelConfig,
    openAiModelConfig, geminiModelConfig, liteLlmModelConfig)."""
    h = Harness.of(ctx.document)
    found = h.model_provider
    if found is None or found[0] == "bedrock":
        return
    provider, block = found
    allowed = ctx.config.allowed_model_providers
    if provider not in allowed:
        excluded = f", and {provider} is not in allowed-model-providers ({', '.join(allowed)})" \
            if allowed else ""
        variant = block.path[-1][0].lower() + block.path[-1][1:]  # camelCase, as written() asks
        yield Finding(ctx.document, block.path, f"{h.written(variant)} "
                      f"sends prompts, tool results and memory to {PROVIDER_NAMES[provider]}, outside "
                      f"AWS{excluded}", severity=Severity.ERROR if allowed else None)
    base = h.get("apiBase", base=block)
    if base is not None and isinstance(base.value, str) and not base.value.lower().startswith("https://"):
        yield Finding(ctx.document, base.path, f"{h.written('apiBase')} is not https: prompts and "
                      "answers cross the network in clear text", "value", Severity.ERROR)


harness_model_outside_aws = rule(
    "HRN414", "harness-model-outside-aws", Severity.WARNING,
    summary="The harness's model runs outside AWS (OpenAI, Gemini, LiteLLM)", kinds=("harness",),
    tags=("security",),
)(harness_model_outside_aws)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
