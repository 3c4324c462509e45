"""AgentCore harness configs, in both real shapes, seen through one model.

The control-plane API (CreateHarness / UpdateHarness requests, GetHarness's
``{"harness": {...}}``) is camelCase; the CloudFormation resource
``AWS::BedrockAgentCore::Harness`` is PascalCase. ``Harness`` asks for camelCase names and
reads whichever the document uses; every value comes with its logical path.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Any, NamedTuple

from policylint.documents import Document
from policylint.documents.refs import Ref

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
    path: tuple  # logical path within the harness document
    value: Any


class Tool(NamedTuple):
    path: tuple  # of the tool entry; its type is at (*path, "type") or (*path, "Type")
    type_key: str
    type: str
    name: str

    @property
    def type_path(self) -> tuple:
        return (*self.path, self.type_key)


class Harness:
    """One harness config: limits, tools, memory, model and roles, in either shape."""

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
        """The memory the harness uses (``arn`` of agentCoreMemoryConfiguration), or the
        managed memory block; None when memory is disabled or not configured."""
        return self.get("memory", "agentCoreMemoryConfiguration", "arn") or self.get(
            "memory", "managedMemoryConfiguration")

    @property
    def has_before_tool_call_hook(self) -> bool:
        hooks = self.get("hooks")
        return bool(hooks) and isinstance(hooks.value, list) and any(  # type: ignore[union-attr]
            isinstance(h, dict) and self._key("beforeToolCall") in h for h in hooks.value)  # type: ignore[union-attr]

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
