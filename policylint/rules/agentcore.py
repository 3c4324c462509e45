"""ACR6xx: AgentCore gateways, runtimes, memories and policy engines (CreateGateway /
CreateAgentRuntime / CreateMemory JSON or YAML, and the CloudFormation resources
``AWS::BedrockAgentCore::Gateway``, ``::Runtime``, ``::Memory``, ``::PolicyEngine`` in
templates, cdk.out, Serverless ``resources`` and Terraform)."""
from __future__ import annotations

import sys
from collections.abc import Iterator

from policylint.hookspecs import hookimpl
from policylint.models.agentcore import GATEWAY, KEY, RUNTIME, Resource
from policylint.project import Context, is_prod
from policylint.rule import Finding, Severity, rule, rules_of

KINDS = ("agentcore",)


def gateway_without_inbound_auth(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an AgentCore gateway whose authorizerType is `NONE`.

    Why is this bad? The gateway makes no inbound authorization decision: anyone who reaches
    its URL can list and call its tools (Lambda functions, APIs, MCP servers), with the
    gateway role's permissions, unless a REQUEST interceptor or an enforced policy engine
    refuses them (the guide calls this "offloaded" authorization). The AgentCore Gateway
    guide ("Set up inbound authorization for your gateway") says not to use No
    Authorization gateways even for testing or development, only for gateways meant to be
    public once every practice it lists is in place; suppress the finding on such a gateway.

    Example: `AuthorizerType: NONE` on an `AWS::BedrockAgentCore::Gateway`, or
    `"authorizerType": "NONE"` in CreateGateway.

    Use instead: `AWS_IAM` (callers need `bedrock-agentcore:InvokeGateway` on this gateway),
    or `CUSTOM_JWT` with an authorizerConfiguration that names the allowed audiences or
    clients.

    Source: https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-inbound-auth.html"""
    resource = Resource.of(ctx.document)
    kind = resource.text("authorizerType") if resource.type == GATEWAY else None
    if kind is not None and kind.value == "NONE":
        yield Finding(ctx.document, kind.path, f"gateway {resource.name!r} makes no inbound authorization "
                      "decision: anyone who reaches its URL can call its tools unless an interceptor or "
                      "policy engine refuses them; use AWS_IAM or CUSTOM_JWT", "value")


gateway_without_inbound_auth = rule(
    "ACR601", "gateway-without-inbound-auth", Severity.ERROR,
    summary="AgentCore gateway with authorizerType NONE: anyone can call its tools", kinds=KINDS,
    tags=("security",),
)(gateway_without_inbound_auth)


def gateway_policy_not_enforced(ctx: Context) -> Iterator[Finding]:
    """What it does: in a prod environment, flags an AgentCore gateway whose policy engine
    runs in `LOG_ONLY` mode. Environments come from `[tool.policylint.environments]` (path
    globs and account ids); without it, prod is a folder, file or resource name that says
    `prod`/`production`.

    Why is this bad? In LOG_ONLY mode the policy engine evaluates its Cedar policies and
    logs what it would decide, but enforces nothing: every tool call succeeds whatever a
    forbid policy says (AgentCore Policy guide, "Policy enforcement modes"). AWS meant the
    mode for testing policies before enforcing them.

    Example: `PolicyEngineConfiguration: {Arn: ..., Mode: LOG_ONLY}` on a prod gateway.

    Use instead: `Mode: ENFORCE` once the policies are tested (in a non-prod environment).

    Source: https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/policy-enforcement-modes.html"""
    resource = Resource.of(ctx.document)
    mode = resource.text("policyEngineConfiguration", "mode") if resource.type == GATEWAY else None
    if mode is not None and mode.value == "LOG_ONLY" and is_prod(ctx.project.environment(ctx.document)):
        yield Finding(ctx.document, mode.path, f"the policy engine of prod gateway {resource.name!r} only "
                      "logs its decisions: every tool call goes through; set ENFORCE", "value")


gateway_policy_not_enforced = rule(
    "ACR602", "gateway-policy-not-enforced", Severity.WARNING,
    summary="A prod AgentCore gateway's policy engine is in LOG_ONLY mode: its policies never block",
    kinds=KINDS, tags=("security",),
)(gateway_policy_not_enforced)


def runtime_secret_in_environment(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a literal secret (an API key, token, password or private key, by
    its name or its shape) in an AgentCore runtime's environmentVariables, judged as HRN405
    judges a harness's. Secrets Manager / SSM references and `{{resolve:...}}` are fine. The
    message shows at most 4 characters of the value.

    Why is this bad? The value is stored in plain text: in the runtime's configuration
    (environmentVariables is a plain string map), in source control, and in the deployed
    template or Terraform state.

    Example: `EnvironmentVariables: {OPENAI_API_KEY: sk-live-...}` on an
    `AWS::BedrockAgentCore::Runtime`.

    Use instead: an AgentCore Identity credential provider, or the secret's Secrets Manager
    name in the variable and `secretsmanager:GetSecretValue` on the runtime role.

    Source: https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntime.html"""
    from policylint.secrets import looks_secret, mask, named_values  # here: most runs have no runtime

    resource = Resource.of(ctx.document)
    block = resource.get("environmentVariables") if resource.type == RUNTIME else None
    if block is None:
        return
    for path, name, value in named_values(block.value):
        if looks_secret(name, value):
            yield Finding(ctx.document, (*block.path, *path), f"{name or 'a value'} holds a literal secret "
                          f"({mask(str(value))}): keep it in Secrets Manager or an AgentCore Identity "
                          "credential provider", "value")


runtime_secret_in_environment = rule(
    "ACR603", "runtime-secret-in-environment", Severity.ERROR,
    summary="A literal secret in an AgentCore runtime's environment variables", kinds=KINDS,
    tags=("security",),
)(runtime_secret_in_environment)


def agentcore_jwt_unconstrained(ctx: Context) -> Iterator[Finding]:
    """What it does: flags the customJWTAuthorizer of an AgentCore runtime or gateway that
    sets neither allowedAudience nor allowedClients (HRN407's judgement, for a harness).

    Why is this bad? It then accepts any valid token of the issuer, including tokens minted
    for other applications of the same identity provider: a token for one service can be
    replayed against the agent or its tools.

    Example: `CustomJWTAuthorizer: {DiscoveryUrl: https://idp/.well-known/openid-configuration}`.

    Use instead: add `AllowedAudience: [my-agent]` and/or `AllowedClients: [client-id]`.

    Source: https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-inbound-auth.html
    (allowedAudience: the audiences that can handle the JWT; allowedClients: the clients
    allowed to create one)"""
    resource = Resource.of(ctx.document)
    jwt = resource.jwt_authorizer if resource.type in (GATEWAY, RUNTIME) else None
    if jwt is not None and not resource.is_set("allowedAudience", jwt) and not resource.is_set(
            "allowedClients", jwt):
        yield Finding(ctx.document, jwt.path, f"the JWT authorizer of {resource.what} {resource.name!r} "
                      f"accepts any token of its issuer: set {resource.written('allowedAudience')} or "
                      f"{resource.written('allowedClients')}")


agentcore_jwt_unconstrained = rule(
    "ACR604", "agentcore-jwt-unconstrained", Severity.WARNING,
    summary="Runtime or gateway JWT authorizer with neither allowed audiences nor allowed clients",
    kinds=KINDS, tags=("security",),
)(agentcore_jwt_unconstrained)


def agentcore_data_default_key(ctx: Context) -> Iterator[Finding]:
    """What it does: in a prod environment, flags an AgentCore memory, gateway or policy
    engine that names no customer managed KMS key (`EncryptionKeyArn`; a gateway's
    `KmsKeyArn`). Off outside prod.

    Why is this bad? Without one, AgentCore encrypts the data with a key AWS owns and
    manages: you cannot rotate, disable or audit it, nor revoke access to the conversations,
    memory records and policies it protects (AgentCore guide, "Data encryption"; AWS Config
    rule bedrock-agentcore-memory-encryption-enabled). A memory's or a policy engine's key
    can only be set when it is created (resource schema: create-only).

    Example: an `AWS::BedrockAgentCore::Memory` in a prod stack with only Name and
    EventExpiryDuration.

    Use instead: `EncryptionKeyArn: !GetAtt AgentDataKey.Arn` (a gateway: `KmsKeyArn`), a
    key whose policy lets the AgentCore service role use it.

    Source: https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/data-encryption.html,
    gateway-encryption.html and policy-encryption.html there."""
    resource = Resource.of(ctx.document)
    key = KEY.get(resource.type or "")
    if key is None or resource.is_set(key) or not is_prod(ctx.project.environment(ctx.document)):
        return
    yield Finding(ctx.document, (), f"prod {resource.what} {resource.name!r} sets no "
                  f"{resource.written(key)}: its data is encrypted with an AWS owned key you cannot "
                  "control or audit; name a customer managed KMS key")


agentcore_data_default_key = rule(
    "ACR605", "agentcore-data-default-key", Severity.WARNING,
    summary="A prod AgentCore memory, gateway or policy engine with no customer managed KMS key",
    kinds=KINDS, tags=("security",),
)(agentcore_data_default_key)


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
