"""Random and adversarial input, in every report format, under a memory cap of 1 GiB and a
time cap of 10 s a run: exit 0, 1 or 2, never a traceback. Runs in a child process, so that
the cap (``resource.setrlimit``) binds the linter and not the test runner."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # random input under a memory cap: not in the quick loop

pytest.importorskip("hypothesis")
resource = pytest.importorskip("resource")  # POSIX only

CHILD = textwrap.dedent(r'''
    import contextlib, io, os, resource, sys, tempfile, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from hypothesis import HealthCheck, given, settings, strategies as st
    from policylint.cli import main

    FORMATS = ("text", "json", "sarif", "github", "gcc", "junit")
    NAMES = ("x.json", "x.yaml", "flow.asl.json", "flow.asl.yaml", "template.yaml", "serverless.yml",
             "main.tf", "main.tf.json", "policy.json")
    size = st.integers(1, 5000)

    def nested(n, open_, close):
        return open_ * n + close * n

    def laughs(levels):
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
        return "\n".join(lines) + "\nStartAt: A\nStates: {}\n"

    ADVERSARIAL = st.one_of(
        size.map(lambda n: ("deep.json", nested(n, "[", "]"))),
        size.map(lambda n: ("deep.asl.json", '{"StartAt": "A", "States": ' + nested(n, '{"a":', "}")
                            + "}")),
        size.map(lambda n: ("deep.yaml", "StartAt: A\nStates:\n" + nested(n, "[", "]"))),
        st.integers(1, 9).map(lambda n: ("bomb.asl.yaml", laughs(n))),
        size.map(lambda n: ("p.json", '{"Version": "2012-10-17", "Statement": ['
                            + ",".join(["{}"] * n) + "]}")),
        size.map(lambda n: ("main.tf", 'locals {\n  x = <<EOF\n' + "\n" * (n * 10))),
        size.map(lambda n: ("main.tf", "locals {\n  x = " + "[" * n + "\n}\n")),
        size.map(lambda n: ("main.tf.json", '{"locals": ' + nested(n, '{"a":', "}") + "}")),
        st.just(("main.tf.json", '{"locals": {"x": "\\uZZZZ"}}')),
        size.map(lambda n: ("main.tf", "locals {\n  l = [" + ",".join(['"x"'] * 100) + "]\n}\n"
                            + "".join(f'locals {{\n  v{i} = local.l\n}}\n' for i in range(n)))),
    )
    RANDOM = st.tuples(st.sampled_from(NAMES), st.text(max_size=2000))
    MUTATED = st.tuples(st.sampled_from(NAMES), st.sampled_from((
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "End": true, '
        '"Resource": "arn:aws:states:::bedrockagentcore:invokeHarness"}}}',
        'Resources:\n  F:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n'
        '      DefinitionString: !Sub "{}"\n',
        'resource "aws_sfn_state_machine" "f" {\n  definition = jsonencode({StartAt = "A"})\n}\n',
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}',
    )), st.integers(0, 200), st.text(max_size=20)).map(lambda t: (t[0], t[1][:t[2]] + t[3] + t[1][t[2]:]))

    @settings(max_examples=int(sys.argv[1]), deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(ADVERSARIAL, RANDOM, MUTATED), form=st.sampled_from(FORMATS))
    def check(case, form):
        name, text = case
        with tempfile.TemporaryDirectory() as folder:
            os.chdir(folder)
            os.mkdir(".git")
            with open(name, "w", encoding="utf-8", errors="surrogatepass") as handle:
                handle.write(text)
            errors = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stderr(errors):
                code = main(["check", ".", "--format", form, "--output", "report.out"])
            took = time.perf_counter() - start
            os.chdir("/")
        assert code in (0, 1, 2), (name, code)
        assert "Traceback" not in errors.getvalue() and "internal error" not in errors.getvalue(), \
            (name, text[:200], errors.getvalue()[-2000:])
        assert took < 10, (name, len(text), took)

    check()
''')


def test_random_and_adversarial_input_within_a_gigabyte_and_ten_seconds(tmp_path: Path) -> None:
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    result = subprocess.run([sys.executable, str(child), "100"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
