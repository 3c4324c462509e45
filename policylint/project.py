"""The project: every document of a run, and what rules need to know across them."""
from __future__ import annotations

import json
import os
import re
from fnmatch import fnmatchcase
from functools import cached_property
from typing import TYPE_CHECKING

from policylint.config import Config
from policylint.models import ASL, TEMPLATE, Document
from policylint.models.asl import StateMachine
from policylint.models.refs import label_of

if TYPE_CHECKING:
    from policylint.index import Index
    from policylint.models.refs import Ref

PROD = "prod"
NON_PROD = "non-prod"
_PROD_WORD = re.compile(r"(?:^|[^a-z0-9])prod(?:uction)?(?:$|[^a-z0-9])", re.I)


_NOT_PROD = re.compile(r"(?:non|pre)[-_ ]?prod", re.I)


def is_prod(name: str) -> bool:
    """Whether an environment, folder or resource name says prod (not non-prod/pre-prod)."""
    return bool(_PROD_WORD.search(_NOT_PROD.sub("", name)))


class Project:
    """Every document of a run, and the config it runs with."""

    def __init__(self, documents: list[Document], config: Config | None = None) -> None:
        self.documents = documents
        self.config = config if config is not None else Config()

    def environment(self, document: Document) -> str:
        """The configured environment whose path globs or account ids match the document;
        else ``prod`` when a folder or file name, or the resource name, says prod."""
        if self.config.environments:
            relative = os.path.relpath(os.path.abspath(document.source.path),
                                       self.config.root).replace(os.sep, "/")
            accounts = set(re.findall(r"arn:aws[\w-]*:[\w-]*:[\w-]*:(\d{12}):",  # compiled when asked
                                      json.dumps(document.data, default=str)))
            for environment in self.config.environments:
                if any(fnmatchcase(relative, glob) for glob in environment.paths) or (
                        accounts & set(environment.accounts)):
                    return environment.name
        parts = os.path.normpath(document.source.path).split(os.sep)
        label = label_of(document)
        if label:
            parts.append(label)
        return PROD if any(is_prod(part) for part in parts) else NON_PROD

    @cached_property
    def state_machines(self) -> list[StateMachine]:
        return [StateMachine.of(d) for d in self.documents if d.kind == ASL]

    @cached_property
    def index(self) -> Index:
        from policylint.index import Index

        return Index(self.documents)

    def resource(self, ref: Ref) -> dict:
        """The resource ``ref`` names, in whatever file of its template or Terraform module it
        is written; {} if none."""
        resource = self._resources.get(ref.file, {}).get(ref.logical_id)
        return resource if isinstance(resource, dict) else {}

    @cached_property
    def _resources(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for document in self.documents:
            resources = document.data.get("Resources") if document.kind == TEMPLATE else None
            if isinstance(resources, dict):
                found.setdefault(document.namespace, {}).update(resources)
        return found


class LocalProject(Project):
    """The project as a worker process sees it: only its own files, so no index."""

    @property
    def index(self) -> Index:  # type: ignore[override]
        raise RuntimeError("a rule that reads the project index must say cross_file=True")

    def resource(self, ref: Ref) -> dict:
        raise RuntimeError("a rule that reads another file's resource must say cross_file=True")


class Context:
    """What a document rule sees: its document, and the project around it."""

    def __init__(self, document: Document, project: Project) -> None:
        self.document, self.project = document, project

    @property
    def machine(self) -> StateMachine:
        return StateMachine.of(self.document)

    @property
    def config(self) -> Config:
        return self.project.config
