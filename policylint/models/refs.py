"""References inside templates: ``!GetAtt R.Arn``, ``!Ref R``, ``!Sub '${R.Arn}'``, literals."""
from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from policylint.models import Document

_KNOWN_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


@cache
def _sub() -> re.Pattern[str]:
    """A ``${Name}`` of Fn::Sub (compiled when a template's references are first read)."""
    return re.compile(r"\$\{([^}!][^}]*)\}")


@cache
def _role_name() -> re.Pattern[str]:
    return re.compile(r":role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


@cache
def _policy_name() -> re.Pattern[str]:
    return re.compile(r":policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


class Ref(NamedTuple):
    """A resource of a template, by the template's file and the resource's logical id."""

    file: str
    logical_id: str


def template_of(document: Document) -> Document | None:
    """The template a document is part of (itself, for a template)."""
    return document if document.kind == "template" else document.template


def resources_of(document: Document) -> dict:
    """The resources a document's references may name (to resolve them to a ``Ref``): its
    template's, or its Terraform module's."""
    template = template_of(document)
    if template is not None and template.shared_resources is not None:
        return template.shared_resources
    resources = template.data.get("Resources") if template is not None else None
    return resources if isinstance(resources, dict) else {}


def resource_named(name: str, resources: dict) -> str | None:
    """The resource ``name`` refers to: ``Role`` or ``Role.Arn`` in a template, or
    ``aws_iam_role.r.arn`` (a Terraform address and an attribute)."""
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in resources:
            return ".".join(parts[:length])
    return None


def own_resources(document: Document) -> dict:
    """The resources written in the document's own file (its template's; a Terraform
    module's other files are read through ``Project.resource``, by cross-file rules)."""
    template = template_of(document)
    resources = template.data.get("Resources") if template is not None else None
    return resources if isinstance(resources, dict) else {}


def resource_of(document: Document, logical_id: str | None = None) -> dict:
    """A resource of the document's own file (the document's own by default); {} if none."""
    resource = own_resources(document).get(logical_id or document.logical_id)
    return resource if isinstance(resource, dict) else {}


def properties_of(document: Document, logical_id: str | None = None) -> dict:
    """The Properties of ``resource_of(document, logical_id)``; {} if none."""
    props = resource_of(document, logical_id).get("Properties")
    return props if isinstance(props, dict) else {}


def construct_path(template: Document, logical_id: str) -> str | None:
    """The CDK construct a resource of a synthesized template comes from (its ``aws:cdk:path``
    metadata, else what the cloud assembly's ``manifest.json`` maps its logical id to, without
    the trailing ``/Resource`` of an L1 inside its L2), if any."""
    resource = resource_of(template, logical_id)
    metadata = resource.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    if not isinstance(path, str) or not path:
        path = template.construct_paths.get(logical_id)
    if not isinstance(path, str) or not path:
        return None
    return path[:-len("/Resource")] if path.endswith("/Resource") else path


def resource_label(template: Document, logical_id: str) -> str:
    """What the author calls a template resource: its CDK construct, its Serverless key, or
    ``Resources.LogicalId``."""
    return template.names.get(logical_id) or construct_path(template, logical_id) or f"Resources.{logical_id}"


def label_of(document: Document) -> str:
    """What the author calls the resource ``document`` is: a CDK construct path, a Serverless
    key, else ``Resources.LogicalId``; "" outside a template."""
    if not document.logical_id or document.template is None:
        return f"Resources.{document.logical_id}" if document.logical_id else ""
    return resource_label(document.template, document.logical_id)


def resolve(value: Any, document: Document) -> str | Ref | None:
    """``value`` as a string, a template resource, or None when only a deployment knows it.

    Plain strings are taken as written (``${aws:username}`` is a policy variable there)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (function, argument), = value.items()
    resources = resources_of(document)
    template = template_of(document)
    if function in ("Ref", "Fn::GetAtt"):
        name = argument if isinstance(argument, str) else (
            argument[0] if isinstance(argument, list) and argument and isinstance(argument[0], str) else None)
        found = resource_named(name, resources) if name is not None else None
        if template is not None and found is not None:
            return Ref(template.namespace, found)
        return _KNOWN_PSEUDO.get(name) if isinstance(name, str) else None
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else (
            (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2
            and isinstance(argument[0], str) and isinstance(argument[1], dict) else (None, {}))
        if text is None:
            return None
        whole = _sub().fullmatch(text)
        found = resource_named(whole.group(1), resources) if whole else None
        if template is not None and found is not None:
            return Ref(template.namespace, found)
        return _substitute(text, variables, document)
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        pieces = [resolve(p, document) for p in as_list(argument[1])]
        if isinstance(argument[0], str) and all(isinstance(p, str) for p in pieces):
            return argument[0].join(pieces)  # type: ignore[arg-type]
    return None


def _substitute(text: str, variables: dict, document: Document) -> str | None:
    unknown = False

    def sub(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        value = variables.get(name)
        known = resolve(value, document) if value is not None else _KNOWN_PSEUDO.get(name)
        if isinstance(known, str):
            return known
        unknown = True
        return ""

    result = _sub().sub(sub, text).replace("${!", "${")
    return None if unknown else result


def role_name(value: Any) -> str | None:
    """The role name at the end of a role ARN, even when account or partition are computed."""
    return _name_at_end(value, _role_name())


def policy_name(value: Any) -> str | None:
    """The policy name at the end of a managed policy's ARN, even when account or partition
    are computed (``!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/agent-boundary``)."""
    return _name_at_end(value, _policy_name())


def _name_at_end(value: Any, pattern: re.Pattern[str]) -> str | None:
    text = value if isinstance(value, str) else (
        value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None)
    if isinstance(text, list) and text:
        text = text[0]
    if not isinstance(text, str):
        return None
    match = pattern.search(text)
    return match.group(1) if match else None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
