"""Documents: what a file holds, typed by kind (ASL, template, ...)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from policylint.source import Source

if TYPE_CHECKING:
    from policylint.documents.asl import StateMachine

ASL = "asl"
TEMPLATE = "template"
HARNESS = "harness"
IAM = "iam"
ACCOUNT = "account"  # an `aws iam get-account-authorization-details` export

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(eq=False)
class Document:
    """Data of one kind at ``root`` inside ``source``.

    ``substitutions`` maps ``${Name}`` placeholders (``Fn::Sub`` variables, SAM
    ``DefinitionSubstitutions``) to their literal value, or to None when the value is only
    known at deploy time.
    """

    kind: str
    data: Any
    source: Source
    root: tuple = ()
    substitutions: Mapping[str, str | None] = field(default_factory=dict)
    template: Document | None = None  # the template this document is part of
    logical_id: str = ""  # its resource in that template

    @property
    def label(self) -> str:
        return f"Resources.{self.logical_id}" if self.logical_id else ""

    @property
    def from_definition_uri(self) -> bool:
        """Loaded through a SAM ``DefinitionUri``: a file of its own, named by a template."""
        return self.template is not None and self.source.path != self.template.source.path

    def locate(self, path: Sequence[Any], at: str = "key") -> tuple[str, int, int]:
        line, column = self.source.locate((*self.root, *path), at)
        return self.source.path, line, column

    def literal(self, value: str) -> str | None:
        """``value`` with every placeholder substituted, or None if one is not known."""
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

    @cached_property
    def state_machine(self) -> StateMachine:
        from policylint.documents.asl import StateMachine

        return StateMachine(self)
