"""Documents: what a file holds, typed by kind (ASL, template, ...)."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from policylint.source import Source
from policylint.values import PLACEHOLDER

View = TypeVar("View")

ASL = "asl"
TEMPLATE = "template"
HARNESS = "harness"
IAM = "iam"
ACCOUNT = "account"  # an `aws iam get-account-authorization-details` export
AGENTCORE = "agentcore"  # a gateway, runtime, memory or policy engine (models.agentcore)
# Every kind of document, in the order summaries name them, with what a user calls one and many.
KINDS = {ASL: ("state machine", "state machines"), TEMPLATE: ("template", "templates"),
         IAM: ("policy", "policies"), ACCOUNT: ("account export", "account exports"),
         HARNESS: ("harness config", "harness configs"),
         AGENTCORE: ("AgentCore resource", "AgentCore resources")}


class Document:
    """Data of one kind at ``root`` inside ``source``.

    ``substitutions`` maps ``${Name}`` placeholders (``Fn::Sub`` variables, SAM
    ``DefinitionSubstitutions``) to their literal value, or to None when the value is only
    known at deploy time. ``template`` is the template this document is part of, and
    ``logical_id`` its resource there. A template's ``names`` say what its author calls a
    resource when that is not its logical id (a Serverless key); its ``variables`` say that
    every ``${...}`` in it is a deploy-time variable (Serverless Framework).
    """

    names: Mapping[str, str] = {}
    construct_paths: Mapping[str, str] = {}  # a synthesized template's, from its cloud assembly manifest
    variables = False
    shared_resources: dict | None = None  # the resources of every file its names are shared with (a module)
    local_values: Mapping[str, Any] = {}  # values its file names, which a report masks (Terraform locals)
    snake_case = False  # its author writes max_iterations, not MaxIterations (Terraform's schemas)
    derived = False  # it repeats files in the run (a plan of their configuration): theirs win a tie
    bounds_only = False  # a policy an account export says is a permissions boundary and attached to nothing
    linking: Any = None  # what the front end that made it keeps for its link phase, opaque to the rest

    def __init__(self, kind: str, data: Any, source: Source, root: tuple = (),
                 substitutions: Mapping[str, str | None] | None = None,
                 template: Document | None = None, logical_id: str = "") -> None:
        self.kind, self.data, self.source, self.root = kind, data, source, root
        self.substitutions = substitutions if substitutions is not None else {}
        self.template, self.logical_id = template, logical_id
        self.definition_files: list[Any] = []  # a template's DefinitionUri files (template.DefinitionFile)
        self._namespace: str | None = None
        self._views: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"Document({self.kind}, {self.source.path!r}, {self.root!r})"

    def view(self, make: Callable[[Document], View]) -> View:
        """This document seen through ``make`` (a model's class: ``StateMachine``, ``Policy``,
        ...), built once and shared by every rule; the models' ``of`` ask for it."""
        found = self._views.get(make)
        if found is None:
            found = self._views[make] = make(self)
        return found

    def __getstate__(self) -> dict[str, Any]:
        """What travels between processes: the data, and the views rules built of it whose
        model says they travel (``travels``: what the cross-file rules read again, cheaper
        sent than worked out again in the one process that runs them); the others are built
        again when asked, and may hold what cannot be pickled."""
        return {**self.__dict__, "_views": {make: view for make, view in self._views.items()
                                           if getattr(make, "travels", False)}}

    @property
    def namespace(self) -> str:
        """Where the names of its template's resources are defined: the template's file, or a
        Terraform module's folder (its files share their resources)."""
        if self._namespace is not None:
            return self._namespace
        return self.template.namespace if self.template is not None else self.source.path

    @namespace.setter
    def namespace(self, value: str) -> None:
        self._namespace = value


    def locate(self, path: Sequence[Any], at: str = "key") -> tuple[str, int, int]:
        """(file, line, column) where the key (or value) at ``path`` is written: the source's
        file, or the file the value came from (a Terraform caller's argument)."""
        return self.source.where((*self.root, *path), at)

    def string_position(self, path: Sequence[Any], offset: int) -> tuple[int, int] | None:
        """Line and column of character ``offset`` of the string value at ``path`` (through
        quotes, escapes, block scalars, a DefinitionString's pieces); None when it cannot be
        told (then the value's start is where a finding stands)."""
        from policylint.source import MappedSource, json_locate, walk_escapes

        source, full = self.source, (*self.root, *path)
        try:
            text = source.text
            if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") and not isinstance(source, MappedSource) \
                    and not source.view_paths:
                found = json_locate(text, full, source._json_memo)
                if found is None:
                    return None
                place = found[1]
                raw = walk_escapes(text, place + 1, offset, '"') if text.startswith('"', place) else place
                return source.position_of_index(raw)
            return source.scalar_position(full, offset)
        except Exception:  # positions are best effort: the value's start then
            return None

    def literal(self, value: str) -> str | None:
        """``value`` with every placeholder substituted, or None if one is not known."""
        if "${" not in value:  # nearly every value: nothing to substitute
            return value
        unknown = False

        def sub(match: re.Match[str]) -> str:
            nonlocal unknown
            known = self.substitutions.get(match.group(1))
            if known is None:
                unknown = True
                return ""
            return known

        text = PLACEHOLDER.sub(sub, value)
        return None if unknown else text
