"""Side by side: what parliament and policylint report on the policies in
``tools/parliament-cases`` (a Markdown table).

parliament is not a dependency: install it in a scratch environment and pass its command::

    python3 -m venv /tmp/parl && /tmp/parl/bin/pip install parliament
    python3 tools/compare_parliament.py /tmp/parl/bin/parliament
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = Path(__file__).with_name("parliament-cases")


def parliament(command: str, file: Path) -> list[str]:
    # --string: parliament refuses --file when its standard input is not a terminal
    out = subprocess.run([command, "--string", file.read_text(), "--json", "--minimum_severity", "INFO",
                          "--include-community-auditors"], capture_output=True, text=True)
    if out.returncode not in (0, 1) and not out.stdout:
        return [f"error: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}"]
    return sorted({json.loads(line)["issue"] for line in out.stdout.splitlines() if line.strip()})


def policylint(file: Path) -> list[str]:
    # An empty config: the repository's own excludes these deliberately broken policies.
    with tempfile.NamedTemporaryFile("w", suffix=".policylint.yaml") as config:
        out = subprocess.run([sys.executable, "-m", "policylint", "check", str(file), "--format", "json",
                              "--fail-on", "never", "--config", config.name], capture_output=True, text=True)
    return sorted({f["code"] for f in json.loads(out.stdout)["findings"]})


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "parliament"
    print("| policy | parliament | policylint |\n|---|---|---|")
    for file in sorted(CASES.glob("*.json")):
        theirs = ", ".join(parliament(command, file)) or "-"
        ours = ", ".join(policylint(file)) or "-"
        print(f"| {file.stem} | {theirs} | {ours} |")


if __name__ == "__main__":
    main()
