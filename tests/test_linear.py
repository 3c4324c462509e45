"""Inputs of a few hundred bytes once hung the linter. Each is linted here at two sizes, ten
times apart: the time must grow about tenfold (linear), not a hundredfold (quadratic), and
stay well under a second."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.config import Config
from policylint.engine import Engine

pytestmark = pytest.mark.slow  # each hostile input grown tenfold: not in the quick loop


def policy(statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def machine(state: dict, jsonata: bool = False) -> str:
    top = {"QueryLanguage": "JSONata"} if jsonata else {}
    return json.dumps({**top, "StartAt": "A", "States": {"A": {**state, "End": True}}})


HARNESS = "arn:aws:bedrock-agentcore:us-east-1:111122223333:harness/"


def workflow(harness: str, allowed: str) -> str:
    """A template whose state machine invokes ``harness`` with a role allowed ``allowed``."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::bedrockagentcore:invokeHarness",
            "Parameters": {"HarnessArn": harness}}
    return json.dumps({"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": allowed, "Action": [
                "bedrock-agentcore:InvokeHarness", "bedrock-agentcore:InvokeAgentRuntime"]}]}}]}},
        "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}, "Definition": json.loads(machine(task))}}}})


ROLE = 'resource "aws_iam_role" "r" {\n  name = "r"\n'
ROLE_POLICY = ('resource "aws_iam_role_policy" "p{i}" {{\n  role = aws_iam_role.r.id\n'
               '  policy = jsonencode({{\n    Version = "2012-10-17"\n'
               '    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"],\n'
               '      Resource = "arn:aws:s3:::bucket-{i}/*" }}]\n  }})\n}}\n')
HEREDOC_POLICY = ('resource "aws_iam_policy" "p{i}" {{\n  policy = <<-EOF\n    {{"Version": "2012-10-17", '
                  '"Statement": [{{"Effect": "Allow",\n      "Action": "s3:GetObject", "Resource": "*"}}]}}\n'
                  '  EOF\n}}\n')


def local_references(n: int) -> str:
    """A local list put in at ``n`` places of a policy."""
    statements = ",\n".join('    { Effect = "Allow", Action = local.read, Resource = "arn:aws:s3:::b/*" }'
                             for _ in range(n))
    return ('locals {\n  read = ["s3:GetObject", "s3:ListBucket", "s3:GetObjectTagging"]\n}\n' + ROLE
            + f'  inline_policy {{\n    name = "p"\n    policy = jsonencode({{ Version = "2012-10-17", '
            f'Statement = [\n{statements}\n    ] }})\n  }}\n}}\n')


def many_actions(n: int) -> str:
    """One statement of ``n`` catalog actions (most of them writes or reads) on every resource."""
    from policylint.catalog import actions, service_prefixes

    names = [f"{s}:{a}" for s in sorted(service_prefixes()) for a in sorted(actions(s))][:n]
    return policy({"Effect": "Allow", "Action": names, "Resource": "*"})


def shared_policy_export(roles: int) -> str:
    """An account export: ``roles`` roles, each attached to one managed policy of 5,000
    catalog actions that together can escalate (iam:PassRole + lambda:CreateFunction +
    lambda:InvokeFunction)."""
    from policylint.catalog import actions, service_prefixes

    names = [f"{s}:{a}" for s in sorted(service_prefixes()) for a in sorted(actions(s))][:4997]
    names += ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
    arn = "arn:aws:iam::111122223333:policy/shared"
    document = json.loads(policy({"Effect": "Allow", "Action": names, "Resource": "*"}))
    return json.dumps({
        "RoleDetailList": [{"RoleName": f"r{i}", "Arn": f"arn:aws:iam::111122223333:role/r{i}",
                            "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyArn": arn}]}
                           for i in range(roles)],
        "Policies": [{"Arn": arn, "PolicyVersionList": [{"IsDefaultVersion": True, "Document": document}]}]})


def unique_arns_export(roles: int) -> str:
    """An account export whose every role has its own bucket, table, log group and function
    ARNs (no ARN repeats), some of them with the actions of an escalation path on their own
    function and role: IAM512 and IAM517 must cost one match a shape of ARN, not one an ARN."""
    account = "111122223333"

    def role(r: int) -> dict:
        statements = [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": f"arn:aws:s3:::b-{r}/*"},
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
             "Resource": f"arn:aws:dynamodb:us-east-1:{account}:table/t-{r}"},
            {"Effect": "Allow", "Action": ["logs:PutLogEvents"],
             "Resource": f"arn:aws:logs:us-east-1:{account}:log-group:/app/{r}:*"}]
        if r % 2:
            statements.append({"Effect": "Allow", "Action": [
                "lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"], "Resource": [
                f"arn:aws:lambda:us-east-1:{account}:function:f-{r}", f"arn:aws:iam::{account}:role/r-{r}"]})
        return {"RoleName": f"r{r}", "Arn": f"arn:aws:iam::{account}:role/r{r}",
                "AttachedManagedPolicies": [], "RolePolicyList": [{"PolicyName": "own", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": statements}}]}

    return json.dumps({"RoleDetailList": [role(r) for r in range(roles)], "Policies": []})


def terraform_roles(n: int) -> str:
    """``n`` roles, each with an inline policy block (the index finds each role's own)."""
    return "".join(f'resource "aws_iam_role" "r{i}" {{\n  name = "r{i}"\n  inline_policy {{\n'
                   f'    name = "p"\n    policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ '
                   f'Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b-{i}/*" }}] }})\n'
                   '  }\n}\n' for i in range(n))


# name -> (file name, text of size n)
INPUTS: dict[str, tuple[str, Callable[[int], str]]] = {
    "IAM action with many wildcards": ("p.json", lambda n: policy(
        {"Effect": "Allow", "Action": ["iam:" + "*" * n + "Z"] * 20, "Resource": "*"})),
    "wildcard-heavy resource against a long harness ARN": ("t.json", lambda n: workflow(
        HARNESS + "a" * (100 * n), HARNESS + "*a" * n + "b")),
    "a word repeated (content sniffing)": ("x.json", lambda n: json.dumps(["Statement"] * (100 * n))),
    "blank lines (template hint)": ("x.yaml", lambda n: "\n" * (50 * n) + "x: 1\n"),
    "JSONPath slice": ("m.asl.json", lambda n: machine(
        {"Type": "Pass", "InputPath": "$.a[1:" + " " * (10 * n) + ":" + " " * (10 * n) + "x]"})),
    "secret pattern": ("h.json", lambda n: json.dumps({
        "harnessName": "h", "executionRoleArn": "arn:aws:iam::1:role/r",
        "environmentVariables": {"X": "eyJ-" * (200 * n)}})),
    "a statement aliased many times (YAML)": ("a.yaml", lambda n: "Version: '2012-10-17'\nStatement:\n"
        "  - &s {Effect: Allow, Resource: '*', Action: [" + ", ".join(f"s3:Bogus{i}" for i in range(20))
        + "]}\n" + "  - *s\n" * n),
    "unknown actions, each once": ("u.json", lambda n: policy(
        {"Effect": "Allow", "Resource": "*", "Action": [f"s3:Bogus{i}" for i in range(10 * n)]})),
    "many findings in YAML": ("p.yaml", lambda n: "Version: '2012-10-17'\nStatement:\n" + "".join(
        f"  - {{Sid: 'bad-{i}', Effect: Allow, Action: s3:GetObject, Resource: '*'}}\n" for i in range(n))),
    "flat HCL": ("main.tf", lambda n: "".join(ROLE_POLICY.format(i=i) for i in range(n // 10))),
    "HCL heredocs": ("main.tf", lambda n: "".join(HEREDOC_POLICY.format(i=i) for i in range(n // 10))),
    "an unterminated HCL heredoc": ("main.tf", lambda n: ROLE + "  p = <<EOF\n" + "\n" * (20 * n)),
    "unclosed HCL brackets": ("main.tf", lambda n: ROLE + "  tags = " + "[" * (5 * n) + "\n}\n"),
    "HCL local referenced many times": ("main.tf", lambda n: local_references(n // 5)),
    "IAM517: one 5,000-action managed policy on many roles": ("account.json", shared_policy_export),
    "IAM518/IAM521: one statement of thousands of actions": ("policy.json", lambda n: many_actions(5 * n)),
    "IAM512/IAM517: every role with ARNs of its own": ("account.json", lambda n: unique_arns_export(n // 4)),
    "Terraform: many roles with inline policies": ("main.tf", lambda n: terraform_roles(n // 10)),
}


def best_time(engine: Engine, file: Path, text: str, enough: float = 0.0) -> float:
    """The best of 3 runs in CPU seconds (a busy machine or another test worker stretches wall
    time, most for the longer run), with the garbage collector off (as a one-shot run nearly has it):
    its passes grow with what is alive and would blur what is measured. (Not collected first:
    a full pass over a test worker's heap costs more than the runs measured.) Stops at the
    first run under ``enough`` seconds: the best of 3 is under it too."""
    import gc

    file.write_text(text)
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            outcome = engine.run([str(file)], Config())
            for finding in outcome.findings:
                finding.location()
            best = min(best, time.process_time() - start)
            assert outcome.errors == []
            if best < enough:
                break
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_hostile_input_grows_linearly(tmp_path: Path, name: str) -> None:
    engine = Engine()
    file_name, make = INPUTS[name]
    small = best_time(engine, tmp_path / file_name, make(100))
    large = best_time(engine, tmp_path / file_name, make(1000), enough=min(1.0, 30 * max(small, 0.002)))
    assert large < 1.0, f"{name}: {large:.3f} s"
    assert large < 30 * max(small, 0.002), f"{name}: {small:.4f} s -> {large:.4f} s"


def test_arn_matching_costs_one_match_a_shape(tmp_path: Path) -> None:
    """Resource matching (IAM512, IAM517) is worked out once a shape of ARN: a thousand roles
    with their own buckets, tables, log groups and functions cost the matches of one."""
    from policylint.rules.iam import arns

    engine = Engine()
    file = tmp_path / "account.json"
    file.write_text(unique_arns_export(1000))
    engine.run([str(file)], Config())
    assert arns._cached_fits.cache_info().misses < 50


OU = "arn:${Partition}:organizations::${Account}:ou/o-${OrganizationId}/ou-${OrganizationalUnitId}"


@pytest.mark.parametrize(("resource", "formats", "expected"), [
    ("arn:aws:s3:::bucket-1/*", ("arn:${Partition}:s3:::${BucketName}/${ObjectName}",), True),
    ("arn:aws:s3:::bucket-1", ("arn:${Partition}:s3:::${BucketName}/${ObjectName}",), False),
    ("arn:aws:logs:us-east-1:1:log-group:/a/b:*",
     ("arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",), True),
    ("arn:aws:dynamodb:us-east-1:1:stream/t-9",
     ("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",), False),
    ("arn:aws:dynamodb:us-east-1:1:table/table",  # a name that is also a word of the format
     ("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",), True),
    ("arn:aws:organizations::1:ou/o-ab/ou-cd",  # a variable inside a word: matched name by name
     (OU,), True),
    ("arn:aws:organizations::1:ou/ab/cd",
     (OU,), False),
])
def test_shapes_answer_as_the_arns_do(resource: str, formats: tuple[str, ...], expected: bool) -> None:
    from policylint.rules.iam.arns import fits

    assert fits(resource, formats) is expected
    assert fits(resource, formats) is expected  # cached: the same answer


BOUNDED_ROLE = ('resource "aws_iam_policy" "b{i}" {{\n  name = "b{i}"\n  policy = jsonencode({{ Version = '
                '"2012-10-17", Statement = [{{ Effect = "Allow", Action = ["s3:PutObject"],\n'
                '    Resource = "*" }}] }})\n'
                '}}\n\nresource "aws_iam_role" "r{i}" {{\n  name = "r{i}"\n  assume_role_policy = "{{}}"\n'
                '  permissions_boundary = aws_iam_policy.b{i}.arn\n}}\n')


def test_a_module_of_many_files_with_boundaries_is_read_once(tmp_path: Path) -> None:
    """Each file of a Terraform module asks which of its policies are permissions boundaries,
    which the module's every file answers: worked out once a module, not once a file."""
    import gc

    def cost(files: int) -> float:
        folder = tmp_path / str(files)
        folder.mkdir()
        names = [str(folder / f"f{i}.tf") for i in range(files)]
        for i, name in enumerate(names):
            Path(name).write_text(BOUNDED_ROLE.format(i=i))
        engine, best = Engine(), float("inf")
        gc.disable()
        try:
            for _ in range(3):
                start = time.process_time()
                outcome = engine.run(names, Config(select=("IAM518",)))
                best = min(best, time.process_time() - start)
                assert outcome.findings == [] and outcome.errors == []  # each policy: a boundary
        finally:
            gc.enable()
        return best

    small, large = cost(60), cost(600)
    assert large < 1.0, f"{large:.3f} s"
    assert large < 30 * max(small, 0.002), f"{small:.4f} s -> {large:.4f} s"
