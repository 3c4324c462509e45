"""AgentCore resources besides the harness: gateways, runtimes, memories and policy engines.

Two shapes say the same thing: the control-plane API (CreateGateway, CreateAgentRuntime and
CreateMemory requests and their Get responses) is camelCase; the CloudFormation resources
(``AWS::BedrockAgentCore::Gateway``, ``::Runtime``, ``::Memory``, ``::PolicyEngine``) are
PascalCase, and a Terraform view names its arguments as they do. ``Resource`` asks for
camelCase names and reads whichever the document uses; every value comes with its logical path.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Any, NamedTuple

from policylint.models import Document

GATEWAY = "AWS::BedrockAgentCore::Gateway"
RUNTIME = "AWS::BedrockAgentCore::Runtime"
MEMORY = "AWS::BedrockAgentCore::Memory"
POLICY_ENGINE = "AWS::BedrockAgentCore::PolicyEngine"
TYPES = (GATEWAY, RUNTIME, MEMORY, POLICY_ENGINE)
WHAT = {GATEWAY: "gateway", RUNTIME: "runtime", MEMORY: "memory", POLICY_ENGINE: "policy engine"}
# Where each type keeps its customer managed KMS key (resource schemas and API references).
KEY = {GATEWAY: "kmsKeyArn", MEMORY: "encryptionKeyArn", POLICY_ENGINE: "encryptionKeyArn"}
_AUTHORIZER_TYPES = frozenset({"CUSTOM_JWT", "AWS_IAM", "NONE", "AUTHENTICATE_ONLY"})


def api_type(data: Any) -> str | None:
    """Which resource a standalone API document (a request or a Get response) describes, by
    the fields only it has; None when it is none of them."""
    if not isinstance(data, dict):
        return None
    kind = data.get("authorizerType")
    if isinstance(kind, str) and kind in _AUTHORIZER_TYPES and ("roleArn" in data or "gatewayId" in data):
        return GATEWAY
    if "agentRuntimeName" in data and ({"agentRuntimeArtifact", "roleArn", "agentRuntimeArn"} & set(data)):
        return RUNTIME
    if "eventExpiryDuration" in data and ("name" in data or "id" in data):
        return MEMORY
    return None


def api_root(data: Any) -> tuple | None:
    """Where the resource is in a standalone file: ``()``, or ``("memory",)`` for a GetMemory
    response; None when the file holds none of them."""
    if isinstance(data, dict) and len(data) == 1 and api_type(data.get("memory")) == MEMORY:
        return ("memory",)
    return () if api_type(data) else None


class Field(NamedTuple):
    path: tuple  # logical path within the resource document
    value: Any


class Resource:
    """One gateway, runtime, memory or policy engine, in either shape."""

    @classmethod
    def of(cls, document: Document) -> Resource:
        """The AgentCore resource ``document`` is, built once and shared by every rule."""
        return document.view(cls)

    def __init__(self, document: Document) -> None:
        self.document = document
        self.cfn = document.template is not None
        resource = document.template.data["Resources"][document.logical_id] if document.template else {}
        self.type: str | None = resource.get("Type") if self.cfn else api_type(document.data)

    @property
    def what(self) -> str:
        return WHAT.get(self.type or "", "resource")

    def get(self, *names: str, base: Field | None = None) -> Field | None:
        """The field at camelCase ``names`` (from ``base`` when given), or None."""
        value, path = (self.document.data, ()) if base is None else (base.value, base.path)
        for name in names:
            key = name[0].upper() + name[1:] if self.cfn else name
            if not isinstance(value, dict) or key not in value:
                return None
            value, path = value[key], (*path, key)
        return Field(path, value)

    def written(self, name: str) -> str:
        """A camelCase field as its author writes it: as is, PascalCase in CloudFormation,
        snake_case in Terraform (``customJWTAuthorizer`` is ``custom_jwt_authorizer``)."""
        template = self.document.template
        if template is not None and template.snake_case:
            return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
        return name[0].upper() + name[1:] if self.cfn else name

    @cached_property
    def name(self) -> str:
        field = self.get("agentRuntimeName" if self.type == RUNTIME else "name")
        return field.value if field and isinstance(field.value, str) else self.document.logical_id

    def text(self, *names: str) -> Field | None:
        """The field at ``names`` when it is a literal string (not computed at deploy time)."""
        field = self.get(*names)
        return field if field is not None and isinstance(field.value, str) else None

    @property
    def jwt_authorizer(self) -> Field | None:
        """The customJWTAuthorizer block of a gateway or runtime."""
        field = self.get("authorizerConfiguration", "customJWTAuthorizer")
        return field if field is not None and isinstance(field.value, dict) else None

    def is_set(self, name: str, base: Field | None = None) -> bool:
        """Whether ``name`` is given a value (an empty list or string gives none)."""
        field = self.get(name, base=base)
        return field is not None and field.value not in (None, "", [], {})
