"""Speed report: start-up, a one-file pre-commit run, templates against cfn-lint, and a
generated repository of mixed documents (throughput, --jobs scaling, peak memory, and lint
time against the time to merely parse the same files).

Run by hand (or in CI as a report): ``python3 benchmarks/bench.py [--corpus DIR] [--runs N]
[--generated N] [--python PATH]``. It prints a Markdown table; it asserts nothing. Times are wall-clock: the
median and the best of N runs (on a shared machine the best is the least disturbed); ratios
are of medians. Peer tools on the PATH (cfn-lint, asl-validator, statelint) are timed beside.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ONE_FILE = """{
  "StartAt": "Agent",
  "States": {
    "Agent": {
      "Type": "Task",
      "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
      "Parameters": {"HarnessArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/a",
                     "RuntimeSessionId.$": "$$.Execution.Name", "MaxIterations": 10,
                     "Messages": [{"Role": "user", "Content": [{"Text.$": "$.prompt"}]}]},
      "Retry": [{"ErrorEquals": ["BedrockAgentCore.ThrottlingException"]}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
      "End": true
    },
    "Failed": {"Type": "Fail"}
  }
}
"""
ONE_TF = f"""resource "aws_sfn_state_machine" "agent" {{
  name       = "agent"
  role_arn   = aws_iam_role.workflow.arn
  definition = jsonencode({ONE_FILE})
}}
"""
ONE_POLICY = """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"],
  "Resource": "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/a"}]}
"""


class Timing(float):
    """A median run time in seconds, which also knows the best run."""

    best: float


def timed(command: list[str], runs: int) -> Timing:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    timing = Timing(statistics.median(samples))
    timing.best = min(samples)
    return timing


PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
PARSE_ONLY = """import json, os, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(root, name), encoding="utf-8") as handle:
            text = handle.read()
        json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=loader)
"""


def peak_mib(command: list[str]) -> float:
    """Peak resident memory of the largest process ``command`` starts, in MiB."""
    out = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def generated_rows(python: str, policylint: list[str], count: int) -> list[tuple[str, Timing, str]]:
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), count)
        parse = timed([python, "-c", PARSE_ONLY, tmp], 3)
        rows.append((f"parse only (json.loads / yaml C loader), {count:,} generated documents", parse,
                     f"{count / parse:,.0f} docs/s"))
        lint = [*policylint, "check", "--fail-on", "never", "-o", os.devnull, tmp]
        one = timed(lint, 3)
        rows.append((f"policylint, the same {count:,} documents, 1 process", one,
                     f"{count / one:,.0f} docs/s, {one / parse:.1f}x parse, "
                     f"peak {peak_mib(lint):.0f} MiB"))
        for jobs in sorted({2, os.cpu_count() or 1} - {1}):
            parallel = [*lint, "--jobs", str(jobs)]
            many = timed(parallel, 3)
            rows.append((f"policylint, the same documents, --jobs {jobs}", many,
                         f"{one / many:.2f}x faster than 1, peak {peak_mib(parallel):.0f} MiB a process"))
    return rows


def templates(corpus: Path) -> list[str]:
    with open(corpus / "MANIFEST.tsv", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [str(corpus / r["path"]) for r in rows if r["kind"] in ("cfn", "sam")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--generated", type=int, default=10_000, metavar="N",
                        help="documents in the generated repository (0: skip)")
    parser.add_argument("--account-roles", type=int, default=6000, metavar="N",
                        help="roles in the generated account export (0: skip)")
    parser.add_argument("--parliament", metavar="PATH",
                        help="parliament's command (in a scratch venv), to time it on the same export")
    parser.add_argument("--hcl-kb", type=int, default=1024, metavar="KB",
                        help="size of the generated flat .tf and .tf.json read in process")
    parser.add_argument("--python", default=sys.executable, metavar="PATH",
                        help="the interpreter policylint is installed for (default: this one); "
                        "a clean venv's, as pre-commit makes, times what users run")
    args = parser.parse_args()
    args.corpus = args.corpus.resolve()
    python = args.python
    policylint = [python, "-m", "policylint"]
    if python == sys.executable:
        # Byte-compile first, as `pip install` does: a session with PYTHONDONTWRITEBYTECODE
        # would otherwise time the compiler, not policylint.
        subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "policylint")],
                       check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    with tempfile.TemporaryDirectory() as empty:
        # Run from an empty folder: `python -m` puts the working directory first on sys.path,
        # and from the source tree it would import the sources, not the installed package.
        os.chdir(empty)
        try:
            rows = measure(args, python, policylint)
        finally:
            os.chdir(ROOT)
    print(f"policylint benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| what | median s | best s | ratio |\n|---|---|---|---|")
    for what, seconds, ratio in rows:
        print(f"| {what} | {seconds:.3f} | {seconds.best:.3f} | {ratio} |")


def measure(args: argparse.Namespace, python: str, policylint: list[str]) -> list[tuple[str, Timing, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.asl.json"
        one.write_text(ONE_FILE)
        base = timed([python, "-c", "pass"], args.runs)
        rows.append(("python -c pass", base, "1.0x"))
        version = timed([*policylint, "--version"], args.runs)
        rows.append(("policylint --version", version, f"{version / base:.1f}x python"))
        check = timed([*policylint, "check", str(one)], args.runs)
        rows.append(("policylint check one.asl.json (1 finding)", check, f"{check / base:.1f}x python"))
        for peer, *options in (["statelint"], ["asl-validator", "--json-path"]):
            found = shutil.which(peer)
            if found:
                theirs = timed([found, *options, str(one)], args.runs)
                rows.append((f"{peer} on the same file", theirs, f"{theirs / check:.1f}x policylint"))
        policy = Path(tmp) / "policy.json"
        policy.write_text(ONE_POLICY)
        iam = timed([*policylint, "check", str(policy)], args.runs)
        rows.append(("policylint check policy.json (IAM catalog loaded)", iam, f"{iam / base:.1f}x python"))
    if args.corpus.is_dir():
        files = templates(args.corpus)
        ours = timed([*policylint, "check", "--fail-on", "never", *files], 3)
        rows.append((f"policylint, {len(files)} corpus templates, one run", ours,
                     f"{ours / len(files) * 1000:.1f} ms/template"))
        cfn_lint = shutil.which("cfn-lint")
        if cfn_lint:
            theirs = timed([cfn_lint, *files], 1)
            rows.append((f"cfn-lint, the same {len(files)} templates, one run", theirs,
                         f"{theirs / ours:.1f}x policylint"))
    rows.extend(terraform_rows(python, policylint, args.runs, args.hcl_kb))
    if args.generated:
        rows.extend(generated_rows(python, policylint, args.generated))
    if args.account_roles:
        rows.extend(account_rows(policylint, args.account_roles, args.parliament))
    return rows


def terraform_rows(python: str, policylint: list[str], runs: int,
                   parse_kb: int) -> list[tuple[str, Timing, str]]:
    """A one-file run on a ``.tf`` against one on an ``.asl.json``; a Terraform module of 200
    resources; the HCL reader's time a MB (flat ``.tf``, and ``.tf.json`` with ``"${...}"``
    strings); and whether a run with no .tf file imports the HCL parser (it must not: a
    pre-commit run on JSON pays nothing for Terraform)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import terraform_json, terraform_module

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.asl.json"
        one.write_text(ONE_FILE)
        flow_tf = Path(tmp) / "flow" / "main.tf"
        flow_tf.parent.mkdir()
        flow_tf.write_text(ONE_TF)
        stack = Path(tmp) / "stack"
        stack.mkdir()
        main_tf = terraform_module(stack, 6)[0].rename(stack / "main.tf")
        asl = timed([*policylint, "check", "-o", os.devnull, str(one)], runs)
        rows.append(("policylint check one.asl.json (-o /dev/null)", asl, "1.0x"))
        tf = timed([*policylint, "check", "-o", os.devnull, str(flow_tf)], runs)
        rows.append(("policylint check main.tf (the same state machine in an aws_sfn_state_machine)",
                     tf, f"{tf / asl:.2f}x one.asl.json"))
        tf = timed([*policylint, "check", "-o", os.devnull, str(main_tf)], runs)
        lines = len(main_tf.read_text().splitlines())
        rows.append((f"policylint check main.tf (one stack with a harness, {lines} lines)", tf,
                     f"{tf / asl:.2f}x one.asl.json"))
        module_dir = Path(tmp) / "module"
        module_dir.mkdir()
        files = terraform_module(module_dir, 200)
        lines = sum(len(f.read_text().splitlines()) for f in files)
        module = timed([*policylint, "check", "--fail-on", "never", "-o", os.devnull, str(module_dir)],
                       max(3, runs // 3))
        rows.append((f"policylint, a Terraform module of 198 resources ({len(files)} files, {lines:,} lines)",
                     module, f"{module / 198 * 1000:.1f} ms/resource"))
        rows.extend(hcl_rows(python, Path(tmp), parse_kb, terraform_module, terraform_json))
        probe = ("import sys\nfrom policylint.cli import main\ntry:\n    main(['check', sys.argv[1]])\n"
                 "except SystemExit:\n    pass\nprint(sorted(m for m in ('hcl2', 'lark', 'tree_sitter') "
                 "if m in sys.modules))")
        out = subprocess.run([python, "-c", probe, str(one)], capture_output=True, text=True).stdout
        imported = out.strip().splitlines()[-1] if out.strip() else "?"
        rows.append(("a run on one.asl.json imports the HCL parser", Timing(0.0),
                     "no" if imported == "[]" else f"yes ({imported})"))
        rows[-1][1].best = 0.0
    return rows


HCL_PARSE = """import sys, time
from policylint.frontends.terraform import template_view
from policylint.source import Source
text = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
template_view(Source(sys.argv[1], text))
print(time.perf_counter() - start)
"""


def hcl_rows(python: str, tmp: Path, parse_kb: int, module: Any,
             as_json: Any) -> list[tuple[str, Timing, str]]:
    """Reading ``parse_kb`` KB of flat HCL and of ``.tf.json``, in process (parse and view)."""
    rows = []
    for name, make in (("flat.tf", module), ("flat.tf.json", as_json)):
        folder = tmp / name.replace(".", "_")
        folder.mkdir()
        text = "".join(f.read_text() for f in make(folder, 2 * parse_kb))
        path = folder / name
        path.write_text(text)
        samples = []
        for _ in range(3):
            out = subprocess.run([python, "-c", HCL_PARSE, str(path)], capture_output=True, text=True)
            samples.append(float(out.stdout.strip() or "nan"))
        timing = Timing(statistics.median(samples))
        timing.best = min(samples)
        size = len(text.encode()) / 1024 / 1024
        rows.append((f"read {name} of {size:.2f} MB (parse and view, in process)", timing,
                     f"{timing / size:.2f} s/MB"))
    return rows


def account_rows(policylint: list[str], roles: int, parliament: str | None) -> list[tuple[str, Timing, str]]:
    """Whole-account exports of each shape (and 20,000 roles of the benchmark's), against
    parliament (``--auth-details-file``) when given."""
    import json

    sys.path.insert(0, str(Path(__file__).parent))
    from generate import SHAPES, shaped_export

    rows = []
    cases = [(shape, roles) for shape in SHAPES] + [("benchmark", 20_000)]
    with tempfile.TemporaryDirectory() as tmp:
        for shape, count in cases:
            export = Path(tmp) / "account.json"
            export.write_text(json.dumps(shaped_export(shape, count)))
            size = export.stat().st_size / 1e6
            lint = [*policylint, "check", "--fail-on", "never", "-o", os.devnull, str(export)]
            ours = timed(lint, 3)
            rows.append((f"policylint, an account export ({shape}) of {count:,} roles ({size:.1f} MB)", ours,
                         f"peak {peak_mib(lint):.0f} MiB"))
            if parliament:
                command = [parliament, "--auth-details-file", str(export), "--json"]
                theirs = timed(command, 1)
                rows.append((f"parliament, the same export ({shape}, {count:,} roles)", theirs,
                             f"**{theirs / ours:.1f}x** policylint, peak {peak_mib(command):.0f} MiB"))
    return rows


if __name__ == "__main__":
    main()
