"""State machines inside CloudFormation and SAM templates."""
from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from policylint.frontends import Linked, Read, Reader
from policylint.frontends.definitions import definition_string, literal_substitutions
from policylint.models import AGENTCORE, ASL, HARNESS, IAM, TEMPLATE, Document
from policylint.models.agentcore import TYPES as AGENTCORE_TYPES
from policylint.models.iam import in_policy_slot, is_policy
from policylint.paths import Refused, is_within, read_setting_file
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.rule import Finding
from policylint.values import Unknown, is_intrinsic

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
HARNESS_TYPE = "AWS::BedrockAgentCore::Harness"



class DefinitionFile(NamedTuple):
    """A template's ``DefinitionUri`` naming a local file (``file``, normalised): the engine
    links it to that file's state machine, loaded once like every file."""

    file: str
    template: Document
    path: tuple  # where the template names it
    logical_id: str
    substitutions: Mapping[str, str | None]
    linked: bool = False  # its document is made (in the share of files that read the template)


def template_documents(template: Document, root: str | None) -> Read:
    """A template (or a template view) and its documents; the files its DefinitionUris name
    are kept in ``template.definition_files`` for ``link_definition_files``."""
    documents: list[Document] = [template]
    findings: list[Finding] = []
    for item in documents_in(template, root):
        if isinstance(item, DefinitionFile):
            template.definition_files.append(item)
        elif isinstance(item, Document):
            documents.append(item)
        else:
            findings.append(item)
    return documents, findings


def link_definition_files(documents: list[Document], reader: Reader, in_share: bool = False) -> Linked:
    """Each template's DefinitionUri file as a new state machine document with the
    template's substitutions, workflow type and logical id: it stands for the file's own
    document when the file was read, else the file is read now, once (``reader``). A file
    two templates name is a document per template; a file another template linked already
    lends that document's data. Linked ``in_share`` (of the files one process read), the
    templates remember it: a file is not made again by the link of every file; its own
    document, read in another share, is still replaced then."""
    machines: dict[str, Document | None] = {}  # a whole file's state machine: its own, else a linked one
    for document in documents:
        if document.kind == ASL and not document.root:
            key = _key(document.source.path)
            if document.template is None or key not in machines:
                machines[key] = document
    loaded_before = {id(d) for d in machines.values() if d is not None and d.template is None}
    replaced: dict[int, Document] = {}
    added: list[Document] = []
    for template in [d for d in documents if d.kind == TEMPLATE and d.definition_files]:
        for ref in template.definition_files:
            key = _key(ref.file)
            if key not in machines and not ref.linked:
                loaded = reader([ref.file], ASL)
                machines[key] = next((d for r in loaded for d in r.documents if d.kind == ASL), None)
            machine = machines.get(key)
            if machine is None:
                continue
            if id(machine) in loaded_before:
                replaced[id(machine)] = machine
            if not ref.linked:
                added.append(Document(ASL, machine.data, machine.source, substitutions=ref.substitutions,
                                      template=template, logical_id=ref.logical_id))
        if in_share:
            template.definition_files = [ref._replace(linked=True) for ref in template.definition_files]
    return Linked(list(replaced.values()), added, [])


def _key(file: str) -> str:
    return os.path.normpath(os.path.abspath(file))


def is_template(data: Any) -> bool:
    resources = data.get("Resources") if isinstance(data, dict) else None
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith("AWS::")
        for r in resources.values())


def documents_in(template: Document, root: str | None = None,
                 ) -> Iterator[Document | Finding | DefinitionFile]:
    """Every document a template holds (state machines, harnesses, other AgentCore resources,
    IAM policies), the findings (PL001, PL005) met on the way, and the local files its
    ``DefinitionUri``s name (inside ``root``, the linted folder), which it does not load."""
    if template.source.path.endswith(".template.json"):
        template.construct_paths = construct_paths(template, root)
    for name, resource in template.data["Resources"].items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        kind, props = resource.get("Type"), resource["Properties"]
        path = ("Resources", name, "Properties")
        if kind in STATE_MACHINE_TYPES:
            yield from _state_machine(template, name, props, path, root)
        elif kind == HARNESS_TYPE:
            yield Document(HARNESS, props, template.source, path, template=template, logical_id=name)
        elif kind in AGENTCORE_TYPES:
            yield Document(AGENTCORE, props, template.source, path, template=template, logical_id=name)
        for key, value in _policy_documents(props):
            yield Document(IAM, value, template.source, (*path, *key), template=template,
                           logical_id=name)


MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # a cloud assembly manifest; a large app's is a few MB
_LOGICAL_ID = "aws:cdk:logicalId"


def construct_paths(template: Document, root: str | None) -> dict[str, str]:
    """Logical id -> construct path for a ``cdk synth`` template whose resources carry no
    ``aws:cdk:path`` metadata (``--no-path-metadata``, integration test snapshots), from the
    ``manifest.json`` beside it: the stack artifact whose ``templateFile`` it is maps each
    ``/Stack/Construct/Resource`` path to entries ``{"type": "aws:cdk:logicalId", "data":
    id}``, in its ``metadata`` or (newer CDK versions) in the file its
    ``additionalMetadataFile`` names beside it. Each is read only inside ``root`` (the linted
    folder), as a regular file of bounded size; {} when anything is amiss."""
    resources = template.data.get("Resources") if isinstance(template.data, dict) else None
    if not isinstance(resources, dict) or any(
            isinstance(r, dict) and isinstance(r.get("Metadata"), dict) and "aws:cdk:path" in r["Metadata"]
            for r in resources.values()):
        return {}
    folder = os.path.dirname(template.source.path)
    manifest = os.path.join(folder, "manifest.json")
    try:
        status = os.stat(manifest)
        if status.st_size > MAX_MANIFEST_BYTES:
            return {}
        by_template = _manifest_paths(manifest, root, status.st_mtime_ns, status.st_size)
    except (OSError, Refused):
        return {}
    return by_template.get(os.path.basename(template.source.path), {})


@functools.lru_cache(maxsize=8)
def _manifest_paths(manifest: str, root: str | None, _mtime: int, _size: int) -> dict[str, dict[str, str]]:
    """templateFile -> logical id -> construct path, for each stack artifact of a manifest."""
    data = _read_json(manifest, root)
    artifacts = data.get("artifacts") if isinstance(data, dict) else None
    found: dict[str, dict[str, str]] = {}
    for artifact in (artifacts.values() if isinstance(artifacts, dict) else ()):
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties")
        file = properties.get("templateFile") if isinstance(properties, dict) else None
        if not isinstance(file, str):
            continue
        metadata = dict(artifact["metadata"]) if isinstance(artifact.get("metadata"), dict) else {}
        extra = artifact.get("additionalMetadataFile")  # where newer CDK versions write it
        if isinstance(extra, str) and extra and os.path.basename(extra) == extra and extra not in (".", ".."):
            more = _read_json(os.path.join(os.path.dirname(manifest), extra), root)
            metadata.update(more if isinstance(more, dict) else {})
        paths = found.setdefault(os.path.basename(file), {})
        for path, entries in metadata.items():
            for entry in (entries if isinstance(entries, list) else ()):
                if isinstance(entry, dict) and entry.get("type") == _LOGICAL_ID \
                        and isinstance(entry.get("data"), str) and isinstance(path, str):
                    paths.setdefault(entry["data"], path.strip("/"))
    return found


def _read_json(file: str, root: str | None) -> Any:
    """A cloud assembly file's JSON (inside ``root``, regular, bounded), or None."""
    try:
        raw = read_setting_file(file, root, MAX_MANIFEST_BYTES)
        return json.loads(raw) if len(raw) <= MAX_MANIFEST_BYTES else None
    except (OSError, Refused, ValueError, RecursionError):
        return None


def _policy_documents(props: dict) -> Iterator[tuple[tuple, dict]]:
    """(path, policy) of the IAM policy documents in a resource's properties: a role's trust
    and inline policies, a policy resource, a resource policy, SAM ``Policies``."""
    for key in ("AssumeRolePolicyDocument", "PolicyDocument", "KeyPolicy", "ResourcePolicy",
                "RepositoryPolicyText"):
        if in_policy_slot(props.get(key)):
            yield (key,), props[key]
    policies = props.get("Policies")
    if is_policy(policies):
        yield ("Policies",), policies  # type: ignore[misc]
    elif isinstance(policies, list):
        for i, item in enumerate(policies):
            if isinstance(item, dict) and in_policy_slot(item.get("PolicyDocument")):
                yield ("Policies", i, "PolicyDocument"), item["PolicyDocument"]
            elif is_policy(item):
                yield ("Policies", i), item


def _state_machine(template: Document, name: str, props: dict, path: tuple,
                   root: str | None) -> Iterator[Document | Finding | DefinitionFile]:
    known = literal_substitutions(props.get("DefinitionSubstitutions"))
    substitutions = Unknown(known) if template.variables else known
    definition = props.get("Definition")
    if isinstance(definition, dict) and is_intrinsic(definition):
        how = definition.get("Fn::Terraform") or next(iter(definition))  # Terraform: as written
        yield _unresolved(template, (*path, "Definition"), f"Definition is computed by {how}; its "
                          "state machine was not linted")
    elif isinstance(definition, dict):
        yield Document(ASL, definition, template.source, (*path, "Definition"),
                       substitutions, template, name)
    elif isinstance(definition, str):  # a JSON-typed property may be given as a JSON string
        yield from definition_string(template, (*path, "Definition"), definition, name, substitutions)
    elif "DefinitionString" in props:
        yield from definition_string(template, (*path, "DefinitionString"),
                                      props["DefinitionString"], name, substitutions)
    elif "DefinitionUri" in props:
        yield from _definition_uri(template, (*path, "DefinitionUri"), props["DefinitionUri"],
                                   name, substitutions, root)
    elif "DefinitionS3Location" in props:
        yield _unresolved(template, (*path, "DefinitionS3Location"),
                          "the definition is in S3; lint the local file it is built from")


def _unresolved(template: Document, path: tuple, message: str) -> Finding:
    return Finding(template, path, message, code=UNRESOLVED_REFERENCE.code)


def _definition_uri(template: Document, path: tuple, value: Any, name: str,
                    substitutions: Mapping[str, str | None], root: str | None,
                    ) -> Iterator[Finding | DefinitionFile]:
    if not isinstance(value, str) or value.startswith("s3://"):
        yield _unresolved(template, path, "DefinitionUri is not a local file; lint the local file "
                          "the definition is built from")
        return
    file = os.path.normpath(os.path.join(os.path.dirname(template.source.path), value))
    if not is_within(file, root):
        yield _unresolved(template, path, f"DefinitionUri file {value!r} is outside the linted folder; "
                          "it was not read (lint from a folder that holds it)")
        return
    if not os.path.isfile(file):
        yield _unresolved(template, path, f"DefinitionUri file {value!r} was not found")
        return
    yield DefinitionFile(file, template, path, name, substitutions)
