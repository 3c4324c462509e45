"""The rule catalog for tooling (``policylint rules --format json``) and each rule's web page."""
from __future__ import annotations

import json
from collections.abc import Iterable

from policylint.rule import Rule

INFORMATION_URI = "https://github.com/policylint/policylint"
RULES_URI = INFORMATION_URI + "/blob/main/docs/rules.md"


def anchor(rule: Rule) -> str:
    """The rule's anchor in docs/rules.md: its code in lower case (``agt301``), never its title."""
    return rule.code.lower()


def help_uri(rule: Rule) -> str:
    """The rule's documentation on the web (docs/rules.md, at the rule's own anchor); an
    organisation policy's own ``url``, else what README says of policies."""
    if "policy" in rule.tags:
        return getattr(rule, "url", None) or INFORMATION_URI + "/blob/main/README.md#organisation-policies"
    return f"{RULES_URI}#{anchor(rule)}"


def rules_json(rules: Iterable[Rule]) -> str:
    """Every rule as a JSON array: code, name, severity, family, tags, summary, help, helpUri."""
    return json.dumps([{
        "code": r.code, "name": r.name, "severity": r.severity.label, "family": r.family,
        "tags": list(r.tags), "summary": r.summary, "help": r.help, "helpUri": help_uri(r),
    } for r in rules], indent=2) + "\n"
