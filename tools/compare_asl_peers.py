"""Side by side: policylint's ASL verdict and those of asl-validator and the AWS ASL language
service, on real state machines (a Markdown report of every file where they differ).

By default the files are the real workflows of ../shared/corpus (MANIFEST kind ``asl``);
paths given on the command line replace them. ``--mutants N`` lints instead N broken copies
of each JSON file (a field deleted, a value replaced by one of the wrong type, a field added,
a string edited), written to a scratch folder; ``--sweep`` lints every field of the two
valid machines in ``tools/asl-sweep`` (JSONPath and JSONata) replaced by each wrong value in
turn. The files where a peer alone says invalid are the checks policylint may lack. A file
is invalid for policylint when it gets an ASL1xx, PL001 or PL002 finding, and for a peer
when the peer reports an error.

The peers are not dependencies: install them in a scratch folder and pass its node_modules::

    npm install --prefix /tmp/peers asl-validator@4 amazon-states-language-service yaml
    python3 tools/compare_asl_peers.py /tmp/peers/node_modules [--mutants 3 | --sweep] [FILE ...]
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import random
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policylint.config import Config
from policylint.engine import Engine
from policylint.models import ASL

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCRIPT = Path(__file__).with_name("asl_peer_verdicts.js")
SWEEP = Path(__file__).with_name("asl-sweep")
PEERS = ("asl-validator", "language-service")
WRONG_VALUES: list[Any] = [None, True, 3, -1, 0, 1.5, "x", "$.", "$$.Nope", "States.Format(", [], {}, "",
                99999999]
ADDED_KEYS = ["Foo", "Next", "End", "Resource", "Retry", "Catch", "TimeoutSeconds", "Parameters",
              "Arguments", "ResultPath", "Default"]


def corpus_workflows() -> list[str]:
    with open(CORPUS / "MANIFEST.tsv", newline="") as handle:
        return [str(CORPUS / row["path"]) for row in csv.DictReader(handle, delimiter="\t")
                if row["kind"] == "asl"]


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, (*prefix, key))


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def mutant(definition: Any, rng: random.Random) -> Any:
    """``definition`` with one random change."""
    result = copy.deepcopy(definition)
    path = rng.choice([p for p in _paths(result) if p])
    parent, key = _at(result, path[:-1]), path[-1]
    change = rng.choice(["delete", "wrong", "add", "edit"])
    if change == "delete":
        del parent[key]
    elif change == "wrong":
        parent[key] = rng.choice(WRONG_VALUES)
    elif change == "add" and isinstance(parent, dict):
        parent[rng.choice(ADDED_KEYS)] = rng.choice(WRONG_VALUES)
    elif change == "edit" and isinstance(parent[key], str):
        text, i = parent[key], rng.randrange(len(parent[key]) + 1)
        parent[key] = rng.choice([text[:i], text[:i] + rng.choice("$.[]()'\",{}% @*") + text[i:],
                                  text[:i] + text[i + 1:], text.upper()])
    return result


def mutants(files: list[str], per_file: int, folder: Path) -> list[str]:
    rng, written = random.Random(7), list[str]()
    for file in files:
        try:
            definition = json.loads(Path(file).read_text())
        except (ValueError, OSError):
            continue
        if not isinstance(definition, dict):
            continue
        for _ in range(per_file):
            out = folder / f"{len(written):05d}-{Path(file).stem}.json"
            out.write_text(json.dumps(mutant(definition, rng), indent=1))
            written.append(str(out))
    return written


def sweep(folder: Path) -> list[str]:
    written = list[str]()
    for base in sorted(SWEEP.glob("*.json")):
        definition = json.loads(base.read_text())
        for path in [p for p in _paths(definition) if p]:
            current = json.dumps(_at(definition, path))
            for value in WRONG_VALUES:
                if json.dumps(value) == current:  # not a change
                    continue
                variant = copy.deepcopy(definition)
                _at(variant, path[:-1])[path[-1]] = value
                out = folder / f"{len(written):05d}-{base.stem}.json"
                out.write_text(json.dumps(variant, indent=1))
                written.append(str(out))
    return written


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


def report(node_modules: str, files: list[str]) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("node_modules", help="the folder where the peers are installed")
    parser.add_argument("files", nargs="*", help="state machines (default: the corpus workflows)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--mutants", type=int, default=0, metavar="N",
                     help="lint N broken copies of each JSON file instead of the files")
    how.add_argument("--sweep", action="store_true",
                     help="lint every field of tools/asl-sweep's machines set to each wrong value")
    args = parser.parse_args()
    files = args.files or corpus_workflows()
    if not args.mutants and not args.sweep:
        report(args.node_modules, files)
        return
    with tempfile.TemporaryDirectory() as folder:
        report(args.node_modules, sweep(Path(folder)) if args.sweep
               else mutants(files, args.mutants, Path(folder)))


if __name__ == "__main__":
    main()
