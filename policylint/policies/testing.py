"""``policylint policies test``: run each organisation policy on its own examples.

A policy lists them under ``examples`` (paths relative to the config file; a folder is every
file policylint reads in it)::

    examples:
      fail: [examples/prod/harness-no-key.json, "examples/prod/template.yaml:12"]
      pass: [examples/prod/harness-with-key.json]

A ``fail`` example must give the policy at least one finding (on line N when written
``path:N``); a ``pass`` example none. Only the policy runs, with the config's environments.
Exit 0 when every example does what it says, 1 otherwise, 2 when no policy has examples.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from policylint.config import ConfigError

if TYPE_CHECKING:
    from policylint.config import Config

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>[0-9]+)$")


def run_examples(engine: Any, config: Config, codes: list[str], out: Callable[[str], None]) -> int:
    from policylint.discover import discover

    wanted = {c.upper() for c in codes}
    policies = [p for p in config.policies if not wanted or p["code"] in wanted]
    unknown = wanted - {p["code"] for p in config.policies}
    if unknown:
        raise ConfigError(f"no policy {sorted(unknown)[0]} in {config.source or 'the config'}")
    failures = examples = 0
    for policy in policies:
        code = policy["code"]
        for expect in ("fail", "pass"):
            for entry in policy.get("examples", {}).get(expect, ()):
                match = _LINE.match(entry)
                name, line = (match["path"], int(match["line"])) if match else (entry, None)
                path = os.path.join(config.root, name)
                if not os.path.exists(path):
                    raise ConfigError(f"policy {code}: example {entry!r}: no such file")
                examples += 1
                outcome = engine.run(list(discover([path])), config._replace(select=(code,)))
                lines = sorted(f.location()[1] for f in outcome.findings
                               if f.code == code and f.suppression is None)
                ok = (bool(lines) and (line is None or line in lines)) if expect == "fail" else not lines
                failures += not ok
                said = f"findings on lines {', '.join(map(str, lines))}" if lines else "no finding"
                out(f"{code} {expect} {entry}: {'ok' if ok else 'MISMATCH'} ({said})\n")
    if not examples:
        out("no policy has examples (examples: {fail: [...], pass: [...]})\n")
        return 2
    out(f"{examples - failures} of {examples} examples as expected\n")
    return 1 if failures else 0
