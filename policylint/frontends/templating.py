"""Files written for a templating language (Jinja, cookiecutter, Helm, Copier): a
``template.yaml`` with ``{{ cookiecutter.project }}`` or ``{% if x %}`` is no YAML or JSON
until it is rendered. One that does not parse is skipped, and said so (``--show-files``),
instead of being a PL001 error that fails the run; one that parses (its ``{{ }}`` only
inside strings) is linted as usual."""
from __future__ import annotations

import re
from functools import cache

from policylint.models import Document
from policylint.problems import PARSE_ERROR
from policylint.records import TEMPLATED
from policylint.rule import Finding
from policylint.source import Source


@cache
def _syntax() -> re.Pattern[str]:
    """``{{ expression }}`` on one line, a ``{% statement %}`` of Jinja's (not a JSONata
    ``{% $x %}``, which Step Functions reads), or a ``{# comment #}``. Each alternative is
    bounded by a line: none can backtrack far. Compiled when first asked: only a file that
    does not parse is."""
    return re.compile(
        r"\{\{[^{}\n]{0,200}\}\}"
        r"|\{%-?[ \t]*(?:if|elif|else|endif|for|endfor|set|endset|raw|endraw|include|import|from|macro"
        r"|endmacro|block|endblock|extends|call|endcall|filter|endfilter|with|endwith|autoescape"
        r"|endautoescape|define|end|range|template|comment|endcomment)\b[^\n]{0,200}?%\}"
        r"|\{#[^\n]{0,200}?#\}")


def is_templated(text: str) -> bool:
    """Whether ``text`` holds templating syntax (Jinja, cookiecutter, Helm)."""
    return _syntax().search(text) is not None


def unless_templated(source: Source, finding: Finding) -> tuple[list[Document], list[Finding]]:
    """What loading a file gives when reading it found ``finding``: a PL001 in a file with
    templating syntax is no finding, and the file is read as TEMPLATED (a document of no
    data: no rule sees it); anything else stays the finding."""
    if finding.code == PARSE_ERROR.code and is_templated(source.text):
        return [Document(TEMPLATED, None, source)], []
    return [], [finding]
