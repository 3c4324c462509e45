"""AgentCore harness configs, in both real shapes, seen through one model.

The control-plane API (CreateHarness / UpdateHarness requests, GetHarness's
``{"harness": {...}}``) is camelCase; the CloudFormation resource
``AWS::BedrockAgentCore::Harness`` is PascalCase. ``Harness`` asks for camelCase names and
reads whichever the document uses; every value comes with its logical path.

AWS defaults count as written, and are modelled here once: a harness with no ``memory`` has
managed memory (30-day event expiry, an AWS-owned key); with no ``allowedTools`` every tool
is allowed, the built-in ``shell`` and ``file_operations`` included; a Lambda hook with no
``failureMode`` fails closed (``deny``). A defaulted value is a ``Field`` with ``default``
set, at the object that lacks it (sources: the AgentCore harness guide's memory and tools
pages, and the resource schema's descriptions). An UpdateHarness request has no defaults:
what it leaves out keeps its value.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Any, NamedTuple

from policylint.config import MODEL_PROVIDERS
from policylint.models import Document
from policylint.models.refs import Ref

API, CFN = "api", "cfn"
_FIELDS = {"model", "systemPrompt", "tools", "skills", "allowedTools", "memory", "maxIterations",
           "maxTokens", "timeoutSeconds", "environmentVariables", "authorizerConfiguration"}


def harness_root(data: Any) -> tuple | None:
    """Where the harness is in a standalone file: ``()`` for a CreateHarness/UpdateHarness
    request, ``("harness",)`` for a GetHarness response; None when it is not a harness."""
    if isinstance(data, dict) and isinstance(data.get("harness"), dict) and len(data) == 1:
        inner = data["harness"]
        if "harnessName" in inner or "harnessId" in inner:
            return ("harness",)
    if isinstance(data, dict) and "executionRoleArn" in data and "harnessName" in data:
        return ()
    if isinstance(data, dict) and "harnessId" in data and _FIELDS & set(data):
        return ()
    return None


class Field(NamedTuple):
    path: tuple  # logical path within the harness document; of the object lacking it if default
    value: Any
    default: bool = False  # not written: the value AWS uses


MANAGED_MEMORY_EXPIRY_DAYS = 30  # managed memory's eventExpiryDuration when not set
PROVIDERS = dict(zip(("bedrockModelConfig", "openAiModelConfig", "geminiModelConfig",
                      "liteLlmModelConfig"), MODEL_PROVIDERS, strict=True))
HOOK_PHASES = ("beforeInvocation", "afterInvocation", "beforeToolCall", "afterToolCall")


class Tool(NamedTuple):
    path: tuple  # of the tool entry; its type is at (*path, "type") or (*path, "Type")
    type_key: str
    type: str
    name: str

    @property
    def type_path(self) -> tuple:
        return (*self.path, self.type_key)


class Hook(NamedTuple):
    phase: str  # camelCase: beforeToolCall, ...
    failure_mode: Field | None  # a Lambda target's failureMode, written or the default deny

    @property
    def fails_open(self) -> bool:
        """Whether the call goes on when the hook's Lambda function errors or times out."""
        return self.failure_mode is not None and self.failure_mode.value == "allow"


class Harness:
    """One harness config: limits, tools, memory, model and roles, in either shape."""

    @classmethod
    def of(cls, document: Document) -> Harness:
        """The harness config ``document`` is, built once and shared by every rule."""
        return document.view(cls)

    def __init__(self, document: Document) -> None:
        self.document = document
        self.form = CFN if document.template is not None else API

    def _key(self, name: str) -> str:
        return name[0].upper() + name[1:] if self.form == CFN else name

    def written(self, name: str) -> str:
        """A camelCase field as its author writes it: as is, PascalCase in CloudFormation,
        snake_case in Terraform."""
        template = self.document.template
        if template is not None and template.snake_case:
            return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        return self._key(name)

    def get(self, *names: str | int, base: Field | None = None) -> Field | None:
        """The field at camelCase ``names`` (list indexes allowed), or None."""
        value, path = (self.document.data, ()) if base is None else (base.value, base.path)
        for name in names:
            key = self._key(name) if isinstance(name, str) else name
            found = (key in value) if isinstance(value, dict) else (
                isinstance(key, int) and isinstance(value, list) and key < len(value))
            if not found:
                return None
            value = value[key]
            path = (*path, key)
        return Field(path, value)

    @cached_property
    def name(self) -> str:
        field = self.get("harnessName")
        return field.value if field and isinstance(field.value, str) else self.document.logical_id

    @cached_property
    def arn(self) -> str | None:
        field = self.get("arn") if self.form == API else None
        return field.value if field and isinstance(field.value, str) else None

    @cached_property
    def ref(self) -> Ref | None:
        if self.document.template is None:
            return None
        return Ref(self.document.template.namespace, self.document.logical_id)

    @property
    def is_update(self) -> bool:
        """An UpdateHarness request: it changes some fields and keeps the rest."""
        data = self.document.data
        return isinstance(data, dict) and "harnessId" in data and "harnessName" not in data

    def setting(self, name: str, base: Field, default: Any) -> Field:
        """Field ``name`` of ``base`` as written, else ``default`` at ``base``."""
        found = None if base.default else self.get(name, base=base)
        return found if found is not None else Field(base.path, default, default=True)

    def number(self, name: str) -> Field | None:
        field = self.get(name)
        ok = field is not None and isinstance(field.value, (int, float)) and not isinstance(field.value, bool)
        return field if ok else None

    @property
    def tools(self) -> list[Tool]:
        field = self.get("tools")
        if field is None or not isinstance(field.value, list):
            return []
        tools = []
        for i in range(len(field.value)):
            entry = self.get(i, base=field)
            kind = self.get("type", base=entry) if entry else None
            if kind is not None and isinstance(kind.value, str):
                name = self.get("name", base=entry)  # type: ignore[arg-type]
                tools.append(Tool((*field.path, i), kind.path[-1], kind.value,
                                  str(name.value) if name else kind.value))
        return tools

    def tool_config(self, tool: Tool, variant: str) -> Field | None:
        return self.get("config", variant, base=Field(tool.path, _at(self.document.data, tool.path)))

    @property
    def memory(self) -> Field | None:
        """The memory the harness uses (``arn`` of agentCoreMemoryConfiguration), or its
        managed memory (written or default); None when disabled or not known."""
        return self.get("memory", "agentCoreMemoryConfiguration", "arn") or self.managed_memory

    @property
    def managed_memory(self) -> Field | None:
        """The managedMemoryConfiguration block, or the default one (an empty block at the
        harness) when ``memory`` is not written; None for other memory or an update."""
        if self.get("memory") is None:
            return None if self.is_update else Field((), {}, default=True)
        return self.get("memory", "managedMemoryConfiguration")

    @property
    def allowed_tools(self) -> Field | None:
        """allowedTools as written, or the default (None: every tool) at the harness; None
        for an update request that leaves it as it is."""
        written = self.get("allowedTools")
        if written is None and not self.is_update:
            return Field((), None, default=True)
        return written

    @property
    def hooks(self) -> list[Hook]:
        field = self.get("hooks")
        count = len(field.value) if field is not None and isinstance(field.value, list) else 0
        return [self._hook(body, phase) for i in range(count) for phase in HOOK_PHASES
                if (body := self.get(i, phase, base=field)) is not None]

    def _hook(self, body: Field, phase: str) -> Hook:
        function = self.get("target", "lambda", base=body)
        return Hook(phase, self.setting("failureMode", function, "deny") if function is not None else None)

    @property
    def has_tool_call_guard(self) -> bool:
        """Whether a BeforeToolCall hook can stop a tool call: one that does not fail open."""
        return any(h.phase == "beforeToolCall" and not h.fails_open for h in self.hooks)

    @property
    def model_provider(self) -> tuple[str, Field] | None:
        """(provider, its written config block) of the model: bedrock, openai, gemini or
        litellm; None when no model is written (the default is on Amazon Bedrock)."""
        for variant, provider in PROVIDERS.items():
            block = self.get("model", variant)
            if block is not None:
                return provider, block
        return None

    @property
    def network_mode(self) -> Field | None:
        return self.get("environment", "agentCoreRuntimeEnvironment", "networkConfiguration",
                        "networkMode")

    @property
    def model_ids(self) -> list[Field]:
        model = self.get("model")
        if model is None or not isinstance(model.value, dict):
            return []
        return [f for variant in model.value
                if (f := self.get(variant, "modelId", base=model)) is not None]  # type: ignore[arg-type]

    @property
    def execution_role(self) -> Field | None:
        return self.get("executionRoleArn")


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data
