"""The built-in front ends, contributed by the ``policylint_frontends`` hook as a plugin's are.

Each class only answers the questions of ``FrontEnd``; the reading itself is in the module
of its form (``cloudformation``, ``serverless``, ``terraform``) or in the models (the API
shapes of harnesses, AgentCore resources, IAM policies and account exports).
"""
from __future__ import annotations

import os
import re
from typing import Any

from policylint.frontends import FrontEnd, Linked, Read, Reader
from policylint.hookspecs import hookimpl
from policylint.models import ACCOUNT, AGENTCORE, ASL, HARNESS, IAM, TEMPLATE, Document
from policylint.problems import PARSE_ERROR, file_finding
from policylint.source import Source

ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
TERRAFORM_SUFFIXES = (".tf", ".tf.json")  # HCL, and Terraform's JSON syntax
# A line that starts a Resources key: found at the word (a literal a regex finds fast), then
# the start of its line checked (a search for the whole line's regex tried every character).
_RESOURCES_KEY = re.compile(r"Resources['\"]?[ \t]*:")
_KEY_INDENT = re.compile(r"[ \t]*['\"]?")


def has_resources_key(text: str) -> bool:
    """Whether a line of ``text`` starts with a ``Resources`` key (indented or quoted)."""
    for match in _RESOURCES_KEY.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        if _KEY_INDENT.fullmatch(text, line, match.start()):
            return True
    return False


class AslFiles(FrontEnd):
    """A state machine definition on its own: ``*.asl.json``, or any file with StartAt and
    States (and what a template's DefinitionUri names)."""

    name, order = ASL, 10
    markers = re.compile(r"\bStartAt\b")

    def claims_name(self, path: str) -> bool:
        return path.lower().endswith(ASL_SUFFIXES)

    def claims(self, path: str, data: Any) -> bool:
        return isinstance(data, dict) and isinstance(data.get("States"), dict) and "StartAt" in data

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        if not isinstance(data, dict):
            return [], [file_finding(source, "a state machine is an object with StartAt and States; "
                                     f"this file holds {_what(data)}", PARSE_ERROR)]
        return [Document(ASL, data, source)], []


def _what(data: Any) -> str:
    if data is None:
        return "nothing"
    return {list: "a list", str: "a string", bool: "a boolean"}.get(type(data), "a number")


class CloudFormation(FrontEnd):
    """CloudFormation and SAM templates, and the stacks of ``cdk synth`` (cdk.out). Its link
    gives each ``DefinitionUri`` file (of any template view) its template's substitutions."""

    name, order = "cloudformation", 20
    suffixes = (".template",)
    markers = re.compile(r"\bAWS::(?:StepFunctions|Serverless|IAM|BedrockAgentCore)::")

    def claims(self, path: str, data: Any) -> bool:
        from policylint.frontends.cloudformation import is_template

        return is_template(data)

    def wants_yaml_tags(self, path: str, text: str) -> bool:
        return "AWS::" in text and has_resources_key(text)

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        from policylint.frontends.cloudformation import template_documents

        return template_documents(Document(TEMPLATE, data, source), root)

    def link_share(self, documents: list[Document], reader: Reader) -> Linked:
        return _definition_files(documents, reader, in_share=True)

    def link(self, documents: list[Document], reader: Reader) -> Linked:
        return _definition_files(documents, reader, in_share=False)


def _definition_files(documents: list[Document], reader: Reader, in_share: bool) -> Linked:
    if not any(d.definition_files for d in documents if d.kind == TEMPLATE):
        return Linked([], [], [])
    from policylint.frontends.cloudformation import link_definition_files

    return link_definition_files(documents, reader, in_share)


class Serverless(FrontEnd):
    """serverless.yml, read as the template the Serverless Framework deploys."""

    name, order = "serverless", 30
    markers = re.compile(r"\bstepFunctions\b")

    def claims(self, path: str, data: Any) -> bool:
        from policylint.frontends.serverless import is_serverless

        return is_serverless(path, data)

    def wants_yaml_tags(self, path: str, text: str) -> bool:
        from policylint.frontends.serverless import NAMES

        return os.path.basename(path).lower() in NAMES

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        from policylint.frontends.cloudformation import template_documents
        from policylint.frontends.serverless import template_view

        view, notes = template_view(data, source)
        if view is None:
            return [], []
        documents, findings = template_documents(view, root)
        return documents, [*notes, *findings]


class Terraform(FrontEnd):
    """Terraform configurations (``.tf`` and ``.tf.json``): the files of a folder are one
    module, joined once every file is read."""

    name, order, title = "terraform", 5, "Terraform"
    suffixes = (".tf",)
    reads_text = True

    def claims_name(self, path: str) -> bool:
        return path.lower().endswith(TERRAFORM_SUFFIXES)

    def is_ours(self, text: str) -> bool:
        from policylint.frontends.terraform import OURS

        return OURS.search(text) is not None

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        """The file's view alone: its documents are made when its module is linked."""
        from policylint.frontends.terraform import template_view

        view, notes = template_view(source, root)
        return ([] if view is None else [view]), notes

    def waits_for_link(self, document: Document) -> bool:
        return self.claims_name((document.template or document).source.path)

    def link(self, documents: list[Document], reader: Reader) -> Linked:
        if not any(self.waits_for_link(d) for d in documents):
            return Linked([], [], [])
        from policylint.frontends.terraform_link import link_modules

        return link_modules(documents)

    def companions(self, path: str) -> list[str]:
        """The other files of its module, and those of the local modules it calls (``source =
        "./x"``), through MAX_CALL_DEPTH levels: what their values are reported at may be here."""
        if not self.claims_name(path):
            return []
        from policylint.frontends.terraform_link import MAX_CALL_DEPTH

        here = os.path.normpath(path)
        folder = os.path.dirname(path) or "."
        found: list[str] = []
        seen = {os.path.normpath(os.path.abspath(folder))}
        level = [folder]
        for _ in range(MAX_CALL_DEPTH + 1):
            calls: list[str] = []
            for module in level:
                files = self._files(module)
                found.extend(f for f in files if os.path.normpath(f) != here)
                for file in files:
                    for called in _called_modules(file):
                        child = os.path.normpath(os.path.join(module, called))
                        if os.path.normpath(os.path.abspath(child)) not in seen and len(seen) < MAX_CALLED:
                            seen.add(os.path.normpath(os.path.abspath(child)))
                            calls.append(child)
            level = calls
        return found

    def _files(self, folder: str) -> list[str]:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        return [os.path.join(folder, n) for n in names if self.claims_name(n)]


MAX_CALLED = 64  # module folders an editor's buffer reads with its own at most
_MODULE_SOURCE = re.compile(r'^[ \t]*source[ \t]*=[ \t]*"(\.\.?/[^"$]*)"', re.M)
_MAX_COMPANION = 1 << 20  # bytes of a file read to find the modules it calls


def _called_modules(file: str) -> list[str]:
    """The local folders ``module`` blocks of a ``.tf`` file call (``source = "./x"``)."""
    from policylint.paths import open_regular

    try:
        with open_regular(file) as handle:
            text = handle.read(_MAX_COMPANION).decode("utf-8", "replace")
    except OSError:
        return []
    return _MODULE_SOURCE.findall(text) if "module" in text else []


class ApiDocuments(FrontEnd):
    """What the AWS APIs take and give, saved as files: a harness config, another AgentCore
    resource (a request or response), an IAM policy, an account authorization export."""

    name, order = "api", 90
    markers = re.compile(r"\bexecutionRoleArn\b|\bagentRuntimeName\b|\bauthorizerType\b"
                         r"|\beventExpiryDuration\b")
    _statement, _effect = re.compile(r"\bStatement\b"), re.compile(r"\bEffect\b")

    def is_ours(self, text: str) -> bool:
        if super().is_ours(text):
            return True
        statement = self._statement.search(text)
        return statement is not None and self._effect.search(text, statement.end()) is not None

    def claims(self, path: str, data: Any) -> bool:
        return True  # the last asked: it takes what the others left, and finds what is in it

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        from policylint.models.agentcore import api_root
        from policylint.models.harness import harness_root
        from policylint.models.iam import account_policies, bounds_only, is_account_export, is_policy

        where = harness_root(data)
        if where is not None:
            return [Document(HARNESS, data["harness"] if where else data, source, where)], []
        where = api_root(data)
        if where is not None:
            return [Document(AGENTCORE, data[where[0]] if where else data, source, where)], []
        if is_policy(data):
            return [Document(IAM, data, source)], []
        if is_account_export(data):
            found = [Document(ACCOUNT, data, source)]
            for path, policy in account_policies(data):
                found.append(Document(IAM, policy, source, path))
                found[-1].bounds_only = bounds_only(data, path)
            return found, []
        return [], []


@hookimpl
def policylint_frontends() -> list[FrontEnd]:
    return BUILTIN


BUILTIN: list[FrontEnd] = sorted([AslFiles(), CloudFormation(), Serverless(), Terraform(), ApiDocuments()],
                                 key=lambda f: (f.order, f.name))
