"""Side by side: policylint's ASL verdict and those of asl-validator and the AWS ASL language
service, on real state machines (a Markdown report of every file where they differ).

By default the files are the real workflows of ../shared/corpus (MANIFEST kind ``asl``);
paths given on the command line replace them. A file is invalid for policylint when it gets
an ASL1xx, PL001 or PL002 finding, and for a peer when the peer reports an error.

The peers are not dependencies: install them in a scratch folder and pass its node_modules::

    npm install --prefix /tmp/peers asl-validator@4 amazon-states-language-service yaml
    python3 tools/compare_asl_peers.py /tmp/peers/node_modules [FILE ...]
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from policylint.config import Config
from policylint.documents import ASL
from policylint.engine import Engine

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCRIPT = Path(__file__).with_name("asl_peer_verdicts.js")
PEERS = ("asl-validator", "language-service")


def corpus_workflows() -> list[str]:
    with open(CORPUS / "MANIFEST.tsv", newline="") as handle:
        return [str(CORPUS / row["path"]) for row in csv.DictReader(handle, delimiter="\t")
                if row["kind"] == "asl"]


def peer_verdicts(node_modules: str, files: list[str]) -> dict[str, dict[str, list[str]]]:
    out = subprocess.run(["node", str(SCRIPT)], input="\n".join(files), capture_output=True,
                         text=True, env={**os.environ, "NODE_PATH": node_modules}, check=True)
    verdicts: dict[str, dict[str, list[str]]] = json.loads(out.stdout)
    return verdicts


def policylint_errors(engine: Engine, file: str) -> list[str]:
    """policylint's ASL errors; a file it does not read as a state machine says so, since
    silence there would not be a verdict."""
    outcome = engine.run([file], Config(select=("ASL", "PL001", "PL002")))
    if not outcome.findings and not any(d.kind == ASL for d in outcome.documents):
        return ["not read as a state machine"]
    return [f"{f.code} {':'.join(map(str, f.location()[1:]))} {f.message}" for f in outcome.findings]


def cell(errors: list[str]) -> str:
    return "valid" if not errors else "<br>".join(e.replace("|", "\\|")[:160] for e in errors[:3])


def main() -> None:
    node_modules, files = sys.argv[1], sys.argv[2:] or corpus_workflows()
    theirs = peer_verdicts(node_modules, files)
    engine = Engine()
    ours = {file: policylint_errors(engine, file) for file in files}
    print(f"{len(files)} files.\n\n| peer | agrees with policylint | peer alone says invalid "
          "| policylint alone says invalid |\n|---|---|---|---|")
    for peer in PEERS:
        only_peer = sum(1 for f in files if theirs[f][peer] and not ours[f])
        only_us = sum(1 for f in files if ours[f] and not theirs[f][peer])
        print(f"| {peer} | {len(files) - only_peer - only_us} | {only_peer} | {only_us} |")
    print("\n| file | " + " | ".join(PEERS) + " | policylint |\n|---|---|---|---|")
    for file in files:
        if any(bool(theirs[file][peer]) != bool(ours[file]) for peer in PEERS):
            name = os.path.relpath(file, CORPUS) if file.startswith(str(CORPUS)) else file
            print(f"| {name} | " + " | ".join(cell(theirs[file][p]) for p in PEERS)
                  + f" | {cell(ours[file])} |")


if __name__ == "__main__":
    main()
