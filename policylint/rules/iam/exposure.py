"""What a policy exposes: resource policies that let anyone in, the first thing IAM Access
Analyzer reports (IAM519); broad AWS managed policies on the roles agents act with (IAM520);
reads of stored data on every resource (IAM521)."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from policylint.catalog import action, matching
from policylint.hookspecs import hookimpl
from policylint.index import Attached, Index
from policylint.models.iam import IDENTITY, STATES_SERVICE, Policy, Statement, Value, aws_managed_name, denied
from policylint.models.refs import own_resources, properties_of, resolve
from policylint.project import Context, Project
from policylint.rule import Finding, Severity, rule, rules_of
from policylint.rules.iam.arns import covers_every
from policylint.wildcard import wildcard_match

# Condition keys that narrow who can use a public grant (compared in lower case): the
# account, organization, source resource or network of the caller.
NARROWING = frozenset(key.lower() for key in (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:PrincipalServiceName", "aws:PrincipalIsAWSService", "aws:SourceVpce", "aws:SourceVpc",
    "aws:SourceIp", "aws:VpcSourceIp",
    "aws:userid", "aws:username", "kms:CallerAccount", "lambda:FunctionUrlAuthType"))
# Lambda permission properties that do the same.
_LAMBDA_NARROWING = ("SourceArn", "SourceAccount", "PrincipalOrgID")


def public_resource_policy(ctx: Context) -> Iterator[Finding]:
    """What it does: flags a resource policy (a bucket, queue, topic, KMS key, secret or ECR
    repository policy, a role's trust policy, any `PolicyDocument` of a resource) whose Allow
    statement names `Principal: "*"` or `{"AWS": "*"}`, and an `AWS::Lambda::Permission`
    for `Principal: "*"`, with no condition on who may use it (on the statement, or on a Deny
    of the same policy that takes its actions from everyone else, as data perimeters do):
    the caller's account or organization (`aws:PrincipalAccount`, `aws:PrincipalOrgID`), the source resource
    (`aws:SourceArn`, `aws:SourceAccount`), or the network (`aws:SourceVpce`, `aws:SourceIp`).

    Why is this bad? Anyone with an AWS account, or anyone at all, can use the resource:
    read the bucket, send to the queue, decrypt with the key, invoke the function, assume
    the role. It is the first finding of IAM Access Analyzer and the most common real breach.

    Example: `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource":
    "arn:aws:s3:::reports/*"}`.

    Use instead: the principals that need access (`{"AWS": "arn:aws:iam::111122223333:root"}`),
    or keep `*` with a condition: `{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`.
    A deliberately public resource (a website bucket) is suppressed with its reason."""
    if ctx.document.kind == "template":
        yield from _public_lambda_permissions(ctx)
        return
    policy = Policy.of(ctx.document)
    if policy.kind == IDENTITY or policy.grants_nothing:
        return
    for statement in policy.statements:
        if not statement.allows or _narrowed(statement) or _fenced(policy, statement):
            continue
        where = _anyone(statement.data.get("Principal"), (*statement.path, "Principal"))
        if where is not None:
            yield Finding(ctx.document, where, "this statement allows anyone (Principal '*') with no "
                          "condition on who: name the principals, or add a condition such as "
                          "aws:PrincipalOrgID or aws:SourceArn", "value")


public_resource_policy = rule(
    "IAM519", "public-resource-policy", Severity.ERROR, kinds=("iam", "template"), tags=("security",),
    summary="A resource policy allows anyone (Principal '*') with no condition that narrows who",
)(public_resource_policy)


def _anyone(principal: Any, path: tuple) -> tuple | None:
    """The path of a `*` principal: ``"*"``, or ``"*"`` among the AWS principals."""
    if principal == "*":
        return path
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        if aws == "*":
            return (*path, "AWS")
        if isinstance(aws, list) and "*" in aws:
            return (*path, "AWS", aws.index("*"))
    return None


def _narrowed(statement: Statement) -> bool:
    condition = statement.data.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(isinstance(block, dict) and any(str(key).lower() in NARROWING for key in block)
               for block in condition.values())


def _fenced(policy: Policy, statement: Statement) -> bool:
    """Whether a Deny of the same policy takes the statement's grant from everyone outside a
    narrowing condition (a data perimeter: Deny * to `Principal: "*"` unless
    aws:PrincipalOrgID is the organization's)."""
    actions = [text for _, text in statement.actions()]
    resources = [v.literal for v in statement.values("Resource")]
    if not actions or not resources or None in resources:
        return False
    return any(deny.effect == "Deny" and _anyone(deny.data.get("Principal"), ()) is not None
               and _narrowed(deny) and all(deny.covers(a, r) for a in actions for r in resources if r)
               for deny in policy.statements)


def _public_lambda_permissions(ctx: Context) -> Iterator[Finding]:
    for name, resource in own_resources(ctx.document).items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        props = properties_of(ctx.document, name)
        if props.get("Principal") == "*" and not any(k in props for k in _LAMBDA_NARROWING) \
                and props.get("FunctionUrlAuthType") != "AWS_IAM":
            yield Finding(ctx.document, ("Resources", name, "Properties", "Principal"), "this permission "
                          "lets anyone invoke the function: name the principal, or set SourceArn, "
                          "SourceAccount or PrincipalOrgID", "value")


# AWS managed policies that grant (nearly) everything, or everything in IAM.
ADMIN_POLICIES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})


def _broad_managed_policy_on_agent_role(project: Project) -> Iterator[Finding]:
    """What it does: flags an AWS managed policy that grants everything
    (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`: an error) or everything in a
    service (any other AWS managed `*FullAccess`: a warning) attached to a role an agent or
    workflow acts with: the role of a state machine, harness, AgentCore runtime or gateway,
    or one that states.amazonaws.com or bedrock-agentcore.amazonaws.com may assume. Read
    from `ManagedPolicyArns` (CloudFormation, Terraform's `managed_policy_arns`), SAM
    `Policies` names, Terraform `aws_iam_role_policy_attachment` and an export's
    `AttachedManagedPolicies`.

    Why is this bad? An agent decides its next call from model output, and a prompt can be
    injected through any document or tool result it reads: whatever its role may do, an
    attacker may make it do. AWS: "AWS managed policies might not grant least-privilege
    permissions for your specific use cases" (AWS Managed Policy Reference, "What are AWS
    managed policies?"); the AgentCore Developer Guide ("IAM permissions for AgentCore
    Runtime") recommends custom policies restricted to the resources an application needs.

    Example: `ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]` on the
    role a harness names in `executionRoleArn`.

    Use instead: an inline or customer managed policy with the actions and resources the
    agent needs (`bedrock:InvokeModel` on its model, its tools' actions)."""
    index = project.index
    workflows = _workflow_uses(index)
    for role in index.roles:
        agent = index.agent_roles.get(id(role))
        use, who = (agent, "an agent acting on model output") if agent else workflows.get(id(role), ("", ""))
        for attached in role.managed if use else []:
            name = _aws_managed(attached)
            if name is None or not (name in ADMIN_POLICIES or name.endswith("FullAccess")):
                continue
            yield Finding(attached.document, attached.path, f"AWS managed policy {name!r} is attached to "
                          f"role {role.name!r} ({use}): {who} can do all it allows; grant only the "
                          "actions it needs", "value",
                          severity=Severity.ERROR if name in ADMIN_POLICIES else Severity.WARNING)


broad_managed_policy_on_agent_role = rule(
    "IAM520", "broad-managed-policy-on-agent-role", Severity.ERROR, scope="project", tags=("security",),
    summary="An AWS managed admin or *FullAccess policy on a role an agent or workflow acts with",
)(_broad_managed_policy_on_agent_role)


def _workflow_uses(index: Index) -> dict[int, tuple[str, str]]:
    """Roles a state machine uses, or that states.amazonaws.com may assume, by id: what uses
    the role, and who can do what it allows (the agents only where the machine invokes one:
    the workflow then acts on their output)."""
    found = {id(r): (f"trusted by {STATES_SERVICE}", "any workflow that uses it")
             for r in index.roles if STATES_SERVICE in r.services}
    for machine in index.machines:
        link = index.machine_role(machine)
        if link is not None and link.target is not None:
            who = "the workflow, acting on its agents' output," if machine.agent_tasks else "the workflow"
            found[id(link.target)] = (f"state machine {machine.document.logical_id!r}", who)
    return found


def _aws_managed(attached: Attached) -> str | None:
    """The name of the AWS managed policy attached (an ARN, or a SAM policy name), or None."""
    raw = attached.raw
    text = raw if isinstance(raw, str) else resolve(raw, attached.document)
    if not isinstance(text, str) and isinstance(raw, dict) and isinstance(raw.get("Fn::Sub"), str):
        text = raw["Fn::Sub"]  # arn:${data.aws_partition.current.partition}:iam::aws:policy/...
    if not isinstance(text, str):
        return None
    if not text.startswith("arn:"):
        return text if re.fullmatch(r"[\w+=,.@-]+", text) else None  # SAM: the policy's name
    return aws_managed_name(text)


# Reads of stored data: objects, secrets, parameters, decryption, table items. Sources: the
# actions checkov's CKV_AWS_108 / CKV_AWS_288 name, each in the Service Authorization Reference.
DATA_READS = ("s3:GetObject*", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
              "ssm:GetParametersByPath", "ssm:GetParameterHistory", "kms:Decrypt", "dynamodb:GetItem",
              "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect")


def data_read_on_any_resource(ctx: Context) -> Iterator[Finding]:
    """What it does: flags an Allow of reads of stored data (`s3:GetObject*`,
    `secretsmanager:GetSecretValue`, `ssm:GetParameter`, `ssm:GetParameters`,
    `ssm:GetParametersByPath`, `ssm:GetParameterHistory`, `kms:Decrypt`,
    `dynamodb:GetItem`/`BatchGetItem`/`Query`/`Scan`/`PartiQLSelect`; named or through a
    wildcard such as `s3:Get*`) on `*`, or on an ARN that is `*` in effect for them
    (`arn:*:s3:::*/*`); an unconditional Deny of the same policy on those resources takes
    them away. One finding per statement, at its first such action. A warning; an error on a
    role an agent acts with (a harness's, an AgentCore runtime's or gateway's, or one
    bedrock-agentcore.amazonaws.com may assume).

    Why is this bad? Every object, secret, parameter and item in the account can be read,
    and every key used to decrypt. For an agent whose prompt can be injected (a web page, a
    ticket, a tool result), that is the exfiltration path: the attacker asks, the agent
    reads. AWS: "grant only the permissions required to perform a task" (IAM User Guide,
    "Security best practices in IAM"); checkov reports the same grants (CKV_AWS_108,
    CKV_AWS_288).

    Example: `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}`.

    Use instead: the ARNs it reads: `"Resource":
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:support/api-key-*"`."""
    policy = Policy.of(ctx.document)
    if policy.kind != IDENTITY or policy.grants_nothing:
        return
    flagged = [(s, found) for s in policy.allow_statements if (found := _broad_reads(policy, s))]
    if not flagged:
        return
    agent = _agent_role(ctx.project.index, policy)
    for _, found in flagged:
        names = [name for _, name in found]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        one = len(names) == 1
        why = f"; role {agent} is an agent's: an injected prompt can read it all" if agent else ""
        yield Finding(ctx.document, found[0][0].path, f"{shown} {'is' if one else 'are'} allowed on every "
                      f"resource: {'it reads' if one else 'they read'} stored data anywhere in the account"
                      f"{why}; scope {'it' if one else 'them'} to the ARNs read", "value",
                      severity=Severity.ERROR if agent else None)


data_read_on_any_resource = rule(
    "IAM521", "data-read-on-any-resource", Severity.WARNING, kinds=("iam",), tags=("security",),
    cross_file=True,
    summary="Reads of stored data (objects, secrets, parameters, decryption, items) on '*'",
)(data_read_on_any_resource)


def _broad_reads(policy: Policy, statement: Statement) -> list[tuple[Value, str]]:
    """(entry, action) of each data read the statement allows on every resource, an action
    written twice once."""
    resources = [r for v in statement.values("Resource") if (r := v.literal) is not None]
    found: list[tuple[Value, str]] = []
    named: set[str] = set()  # what is found, as IAM compares it
    for value, name in statement.actions():
        if name == "*" or name.lower() in named:
            continue  # everything (IAM502, IAM518 say so; not expanded), or named already
        names = matching(name) if ("*" in name or "?" in name) else [name.lower()]
        if any(_is_read(full) and any(covers_every(r, full) and not denied([policy], full, r)
                                      for r in resources) for full in names):
            found.append((value, name))
            named.add(name.lower())
    return found


_READS_OF = {service: tuple(r for r in DATA_READS if r.split(":", 1)[0] == service)  # of each service
             for service in {r.split(":", 1)[0] for r in DATA_READS}}


@lru_cache(maxsize=4096)
def _is_read(name: str) -> bool:
    """A data read of the list that the catalog lets be scoped to a resource."""
    reads = _READS_OF.get(name.split(":", 1)[0].lower(), ())
    if not reads or not any(wildcard_match(read, name) for read in reads):
        return False
    found = action(name)
    return bool(found and found.get("resourceTypes"))


def _agent_role(index: Index, policy: Policy) -> str | None:
    """'name' (what uses it) of an agent's role this policy is attached to, if any."""
    for role in index.policy_roles.get(id(policy), []):
        use = index.agent_roles.get(id(role))
        if use:
            return f"{role.name!r} ({use})"
    return None


@hookimpl
def policylint_rules() -> list:
    return rules_of(sys.modules[__name__])
