"""IAM wildcards and catalog ARN formats, matched without backtracking: the same answers as
the regex they replace, on every small case."""
from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from policylint import wildcard
from policylint.wildcard import any_match, arn_format, wildcard_match


def reference(pattern: str, text: str, case_sensitive: bool) -> bool:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, text, 0 if case_sensitive else re.I | re.S) is not None


@pytest.mark.slow  # every pattern and text up to four characters
def test_every_short_pattern_agrees_with_the_regex() -> None:
    texts = ["".join(t) for n in range(5) for t in itertools.product("aB:", repeat=n)]
    patterns = ["".join(p) for n in range(5) for p in itertools.product("ab*?:", repeat=n)]
    for pattern in patterns:
        for text in texts:
            for case_sensitive in (True, False):
                expected = reference(pattern, text, case_sensitive)
                assert wildcard_match(pattern, text, case_sensitive) == expected, (pattern, text)


@pytest.mark.parametrize(("arn_format_text", "arn", "fits"), [
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/k/with:colons", True),
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws-cn:s3:::b/", False),  # a name is 1+ chars
    ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:azure:s3:::b/k", False),
    ("arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
     "arn:aws:logs::123456789012:log-group:/aws/x", True),  # region may be empty
    ("arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
     "arn:aws:logs:us-east-1:12:34:log-group:x", False),  # an account is one field
    ("arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:${RecoveryPointId}",
     "arn:aws:backup:us-east-1:*:recovery-point:abc", True),
    ("arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:${RecoveryPointId}",
     "arn:aws:backup:x:us-east-1:*:recovery-point:abc", False),  # a service is one field
])
def test_arn_formats(arn_format_text: str, arn: str, fits: bool) -> None:
    assert arn_format(arn_format_text).matches(arn) is fits


def test_arn_formats_are_case_sensitive_and_may_end_in_a_field() -> None:
    assert not arn_format("arn:${Partition}:s3:::${BucketName}").matches("ARN:aws:s3:::b")
    assert arn_format("arn:${Partition}:svc:${Region}").matches("arn:aws:svc:us-east-1")
    assert not arn_format("arn:${Partition}:svc:${Region}").matches("arn:aws:svc:us:east")


def test_a_question_mark_is_any_character_even_a_newline() -> None:
    assert wildcard_match("a?b", "a\nb")
    assert wildcard_match("*a?b*", "xxa\nbyy")


def test_many_stars_against_a_long_name_answer_at_once() -> None:
    import time

    start = time.perf_counter()
    assert not wildcard_match("iam:" + "*" * 5000 + "Z", "iam:" + "a" * 100_000)
    assert not wildcard_match("*a" * 5000 + "b", "a" * 100_000)
    assert wildcard_match("*a?" * 2000, "ab" * 50_000)
    assert time.perf_counter() - start < 1


def test_a_bucket_name_holds_no_slash() -> None:
    bucket = arn_format("arn:${Partition}:s3:::${BucketName}")
    assert bucket.matches("arn:aws:s3:::reports") and not bucket.matches("arn:aws:s3:::reports/x")
    assert arn_format("arn:${Partition}:s3:::${BucketName}/${ObjectName}").matches("arn:aws:s3:::b/k/k2")


@pytest.mark.parametrize("pattern", ["s3:Get*", "S3:getobject*", "s3:*", "s3:*Object", "s3:Get*Tagging",
                                     "s3:GetObject?cl", "s3:Get?*", "s3:*Get*", "s3:", "nosuch:Get*",
                                     "s3:GetObject", "s3:GetObjectT*", "s3:Get**"])
def test_the_actions_a_pattern_names_are_those_the_wildcard_matches(pattern: str) -> None:
    """The catalog's expansion of an Action entry (its fast path for ``service:Prefix*``
    too) names exactly the service's actions the IAM wildcard matches, in order."""
    from policylint.catalog import actions, matching

    prefix, name = pattern.lower().split(":", 1)
    expected = tuple(f"{prefix}:{a}" for a in sorted(actions(prefix)) if wildcard_match(name, a))
    assert matching(pattern) == expected
    many = ("s3:Get*", "S3:getobject*", "s3:*", "s3:*Object", "s3:Get*Tagging", "s3:Get?*", "s3:*Get*",
            "s3:GetObjectT*", "s3:Get**")
    assert (len(expected) > 1) == (pattern in many)


def test_a_prefix_pattern_compiles_no_wildcard(monkeypatch: pytest.MonkeyPatch) -> None:
    """``service:Prefix*``, the usual shape of an Action entry, is a prefix test: no IAM
    wildcard is compiled for it (one with a ``?`` or an inner ``*`` still is)."""
    from policylint import catalog
    from policylint.wildcard import iam_pattern

    compiled: list[str] = []

    def counted(name: str) -> Any:
        compiled.append(name)
        return iam_pattern(name)

    monkeypatch.setattr(catalog, "iam_pattern", counted)
    assert catalog.matching("s3:GetObjectT*") == ("s3:getobjecttagging", "s3:getobjecttorrent")
    assert catalog.matching("s3:GetObjectT?*") == ("s3:getobjecttagging", "s3:getobjecttorrent")
    assert compiled == ["getobjectt?*"]


ACTION_TEXTS = ["s3:GetObject", "S3:getobject", "s3:Get", "s3:PutObject", "kms:CreateKey", "kms:Decrypt",
                "ec2:CreateRouteTable", "ec2:CreateVpcEndpoint", "ec2:DeleteRoute", "s3", "s3:", "", ":x",
                "s3x:GetObject", "ec2:ModifyVpcAttribute", "iam:PassRole", "s3:a:b"]
ACTION_PATTERNS = ["s3:GetObject", "s3:Get*", "kms:*", "*", "ec2:Create*Route*", "ec2:?odify*", "s3*:Get*",
                   "*:Decrypt", "iam:Pass?ole", "s3:", "S3:PUT*", "ec2:*Vpc*", "?3:*", "s3:a:*"]


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_a_test_of_several_patterns_answers_as_matching_each(count: int) -> None:
    for patterns in itertools.combinations(ACTION_PATTERNS, count):
        test = any_match(patterns)
        for text in ACTION_TEXTS:
            assert test(text) == any(wildcard_match(p, text, False) for p in patterns), (patterns, text)


def test_a_test_of_several_patterns_tells_services_apart() -> None:
    test = any_match(("s3:Get*", "ec2:Create*Route*", "kms:Decrypt"))
    assert test("S3:GETOBJECT") and test("ec2:CreateRouteTable") and test("KMS:decrypt")
    assert not test("ec2:GetConsoleOutput") and not test("s3:CreateRoute") and not test("kms:Encrypt")


def test_a_one_star_pattern_s_head_and_tail_do_not_overlap() -> None:
    test = any_match(("s3:Get*et",))
    assert not test("s3:Get") and not test("s3:Gett") and test("s3:Getet") and test("s3:GetBucket")


def test_a_test_of_several_patterns_tries_few_wildcards(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-star pattern is a head and a tail, and a text meets only its own service's patterns
    (and those whose service is a wildcard): no other pattern is tried as a wildcard."""
    tried: list[str] = []

    def counted(pattern: str, text: str, case_sensitive: bool = False) -> bool:
        tried.append(pattern)
        return wildcard_match(pattern, text, case_sensitive)

    monkeypatch.setattr(wildcard, "wildcard_match", counted)
    test = any_match(("s3:Get*", "kms:*", "ec2:Create*Route*", "sqs:Send?essage", "?3:List*"))
    assert test("s3:GetObject") and test("KMS:Decrypt") and not test("iam:PassRole")
    assert tried == ["?3:List*"]  # iam's patterns: only those of any service
    assert test("ec2:CreateRouteTable") and not test("sqs:DeleteQueue")
    assert tried == ["?3:List*", "ec2:Create*Route*", "sqs:Send?essage", "?3:List*"]
