"""Speed report: start-up, a one-file pre-commit run, templates against cfn-lint, and a
generated repository of mixed documents (throughput, --jobs scaling, peak memory, and lint
time against the time to merely parse the same files); then issue 29's targets, each
policylint run against its peer on the same files: account exports of every shape against
parliament, a 2,000-resource Terraform module against checkov, the corpus templates against
cfn-lint.

Run by hand (or in CI as a report): ``python3 benchmarks/bench.py [--corpus DIR] [--runs N]
[--generated N] [--python PATH] [--peer-runs N] [--targets-only] [--markdown]
[--update-readme]``. It prints Markdown tables; it asserts nothing. Times are wall-clock: the
median and the best of N runs (on a shared machine the best is the least disturbed); ratios
are of medians, policylint and its peer run in turn (interleaved), so that a neighbour's load
falls on both. Peak memory is the largest resident set of the run's processes (``wait4``).
Peer tools are found on the PATH (cfn-lint, checkov, parliament, asl-validator, statelint) or
given by option; one not found is reported as "not installed". ``--update-readme`` writes the
targets table into README.md between its ``speed-table`` markers.
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
from typing import Any, NamedTuple

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


class Run(NamedTuple):
    """The median and best wall-clock seconds of a command's runs, the median CPU seconds
    (user and system, of it and the processes it waited for: what a neighbour's load
    changes least), and its peak resident memory (MiB)."""

    median: float
    best: float
    cpu: float
    peak: float


TIME = "/usr/bin/time"  # GNU time: forks the command from a small process, reports its peak


def _once(command: list[str]) -> tuple[float, float, float]:
    """One run of ``command``: wall-clock seconds, CPU seconds and peak resident MiB (of it
    and the processes it waited for). Linux counts in a child's peak the resident size its
    parent had when it forked (kept across exec): a child of this script, which holds the
    generated exports, would show this script's peak. So the command is started by GNU
    time, a small process, which reports the peak; without it, by this script (an upper
    bound)."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        wrapped = [TIME, "-f", "%M", "-o", peak.name, *command] if os.access(TIME, os.X_OK) else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        lines = peak.read().split()
        kib = int(lines[-1]) if wrapped is not command and lines and lines[-1].isdigit() else usage.ru_maxrss
    return seconds, usage.ru_utime + usage.ru_stime, kib / 1024


def interleaved(ours: list[str], theirs: list[str] | None, runs: int) -> tuple[Run, Run | None]:
    """``ours`` and ``theirs`` run in turn ``runs`` times each (ours first)."""
    mine: list[tuple[float, float, float]] = []
    peer: list[tuple[float, float, float]] = []
    for _ in range(runs):
        mine.append(_once(ours))
        if theirs is not None:
            peer.append(_once(theirs))

    def summary(samples: list[tuple[float, float, float]]) -> Run:
        times = [t for t, _, _ in samples]
        return Run(statistics.median(times), min(times), statistics.median(c for _, c, _ in samples),
                   max(m for _, _, m in samples))

    return summary(mine), (summary(peer) if theirs is not None else None)


class Target(NamedTuple):
    what: str
    ours: Run
    peer: str  # the peer's name and version, or "name: not installed"
    theirs: Run | None
    target: float  # the ratio issue 29 asks for

    @property
    def ratio(self) -> float | None:
        return self.theirs.median / self.ours.median if self.theirs else None

    @property
    def cpu_ratio(self) -> float | None:
        return self.theirs.cpu / self.ours.cpu if self.theirs and self.ours.cpu else None


def _peer(name: str, given: str | None) -> str | None:
    return given or shutil.which(name)


def _version(command: str, *flag: str) -> str:
    out = subprocess.run([command, *(flag or ("--version",))], capture_output=True, text=True)
    words = (out.stdout or out.stderr).split()
    return next((w for w in words if w[:1].isdigit()), "?")


def target_rows(args: argparse.Namespace, policylint: list[str]) -> list[Target]:
    """Issue 29's targets: each measured against its peer on the same files, interleaved."""
    import json

    sys.path.insert(0, str(Path(__file__).parent))
    from generate import SHAPES, generate, shaped_export, terraform_module

    runs, rows = args.peer_runs, []
    lint = [*policylint, "check", "--fail-on", "never", "-o", os.devnull]
    parliament = _peer("parliament", args.parliament)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "account.json"
        peer = f"parliament {_version(parliament)}" if parliament else "parliament: not installed"
        cases = [(shape, args.account_roles) for shape in SHAPES] + [("benchmark", args.large_roles)]
        for shape, count in [(shape, count) for shape, count in cases if count]:
            export.write_text(json.dumps(shaped_export(shape, count)))
            size = export.stat().st_size / 1e6
            theirs = [parliament, "--auth-details-file", str(export), "--json"] if parliament else None
            ours, peer_run = interleaved([*lint, str(export)], theirs, runs)
            rows.append(Target(f"account export, {shape}, {count:,} roles ({size:.1f} MB)", ours, peer,
                               peer_run, 5.0))
        module = Path(tmp) / "module"
        module.mkdir()
        files = terraform_module(module, args.terraform_resources)
        checkov = _peer("checkov", args.checkov)
        theirs = [checkov, "-d", str(module), "--framework", "terraform", "--quiet", "-o", "json",
                  "--skip-download"] if checkov else None
        ours, peer_run = interleaved([*lint, str(module)], theirs, runs)
        rows.append(Target(f"Terraform module, {args.terraform_resources:,} resources ({len(files)} files)",
                           ours, f"checkov {_version(checkov)}" if checkov else "checkov: not installed",
                           peer_run, 10.0))
        generated = Path(tmp) / "generated"
        generate(generated, 1000)
        # Two runs of ours, each about a second: more pairs, as for one file (a 2-core
        # machine's other load slows the run of two processes more than the run of one).
        one, two = interleaved([*lint, "--jobs", "2", str(generated)],
                               [*lint, "--jobs", "1", str(generated)], max(runs, 9))
        rows.append(Target("1,000 generated files, `--jobs 2`", one, "policylint `--jobs 1`", two, 1.6))
        asl, tf = Path(tmp) / "one.asl.json", Path(tmp) / "tf" / "main.tf"
        tf.parent.mkdir()
        asl.write_text(ONE_FILE)
        tf.write_text(ONE_TF)
        ours, peer_run = interleaved([*lint, str(tf)], [*lint, str(asl)], max(runs, 15))
        rows.append(Target("one file: the state machine in a `main.tf`", ours,
                           "policylint on the `.asl.json`", peer_run, 1 / 1.3))
    if args.corpus.is_dir():
        files = templates(args.corpus)
        cfn_lint = _peer("cfn-lint", args.cfn_lint)
        ours, peer_run = interleaved([*lint, *files], [cfn_lint, *files] if cfn_lint else None, runs)
        rows.append(Target(f"corpus templates, {len(files)} in one run", ours,
                           f"cfn-lint {_version(cfn_lint)}" if cfn_lint else "cfn-lint: not installed",
                           peer_run, 35.0))
    return rows


def targets_table(rows: list[Target]) -> str:
    """The targets as a Markdown table (README's speed table)."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [f"Measured on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average at the end {load}; "
             "medians of runs of policylint and its peer in turn. Wall-clock ratio (the target's), "
             "and the ratio of CPU seconds, which a busy machine disturbs less.", "",
             "| what | policylint s (CPU s) | peak MiB | peer | peer s (CPU s) | peer peak MiB "
             "| ratio | CPU ratio | target | met |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        theirs, ratio, cpu = row.theirs, row.ratio, row.cpu_ratio
        lines.append(
            f"| {row.what} | {row.ours.median:.2f} ({row.ours.cpu:.2f}) | {row.ours.peak:.0f} | {row.peer} | "
            f"{f'{theirs.median:.2f} ({theirs.cpu:.2f})' if theirs else '-'} | "
            f"{f'{theirs.peak:.0f}' if theirs else '-'} | {f'**{ratio:.1f}x**' if ratio else '-'} | "
            f"{f'{cpu:.1f}x' if cpu else '-'} | {row.target:.2g}x | "
            f"{'-' if ratio is None else 'yes' if ratio >= row.target else 'no'} |")
    return "\n".join(lines)


README_START, README_END = "<!-- speed-table -->", "<!-- /speed-table -->"


def update_readme(table: str, readme: Path = ROOT / "README.md") -> None:
    """Put ``table`` between README's speed-table markers."""
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not (start and end):
        raise SystemExit(f"{readme}: no {README_START} ... {README_END} markers")
    readme.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--generated", type=int, default=10_000, metavar="N",
                        help="documents in the generated repository (0: skip)")
    parser.add_argument("--account-roles", type=int, default=6000, metavar="N",
                        help="roles in the generated account export (0: skip)")
    parser.add_argument("--parliament", metavar="PATH",
                        help="parliament's command (default: on the PATH), to time it on the same exports")
    parser.add_argument("--checkov", metavar="PATH", help="checkov's command (default: on the PATH)")
    parser.add_argument("--cfn-lint", metavar="PATH", help="cfn-lint's command (default: on the PATH)")
    parser.add_argument("--terraform-resources", type=int, default=2000, metavar="N",
                        help="resources of the Terraform module timed against checkov")
    parser.add_argument("--large-roles", type=int, default=20_000, metavar="N",
                        help="roles of the large export (the benchmark's shape) timed against parliament")
    parser.add_argument("--peer-runs", type=int, default=3, metavar="N",
                        help="runs of policylint and of its peer, in turn, for each target")
    parser.add_argument("--targets-only", action="store_true",
                        help="only the targets table (policylint against its peers)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the targets table alone, as README's speed table")
    parser.add_argument("--update-readme", action="store_true",
                        help="write the targets table into README.md between its speed-table markers")
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
            rows = [] if args.targets_only or args.markdown else measure(args, python, policylint)
            targets = target_rows(args, policylint)
        finally:
            os.chdir(ROOT)
    table = targets_table(targets)
    if not args.markdown:
        print(f"policylint benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
        if rows:
            print("| what | median s | best s | ratio |\n|---|---|---|---|")
            for what, seconds, ratio in rows:
                print(f"| {what} | {seconds:.3f} | {seconds.best:.3f} | {ratio} |")
            print()
        print("Issue 29's targets, policylint against its peers:\n")
    print(table)
    if args.update_readme:
        update_readme(table)


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
    resources, and a root module of 200 calling local child modules; the HCL reader's time a
    MB (flat ``.tf``, and ``.tf.json`` with ``"${...}"``
    strings); and whether a run with no .tf file imports the HCL parser (it must not: a
    pre-commit run on JSON pays nothing for Terraform)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import terraform_json, terraform_module, terraform_tree

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
        tree_dir = Path(tmp) / "tree"
        tree_dir.mkdir()
        files = terraform_tree(tree_dir, 200)
        written = sum(f.read_text().count("\nresource ") + f.read_text().count("\ndata ") for f in files)
        tree = timed([*policylint, "check", "--fail-on", "never", "-o", os.devnull, str(tree_dir)],
                     max(3, runs // 3))
        rows.append((f"policylint, a root module of {written} resources with local child modules three "
                     "levels deep (issue 25: under 1 s)", tree, "met" if tree.best < 1.0 else "not met"))
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
