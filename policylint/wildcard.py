"""Wildcard patterns matched without backtracking: IAM's ``*`` and ``?``, and the catalog's
ARN formats (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``).

A regex made of ``.*`` pieces backtracks: ``iam:********Z`` took minutes on a short action
name. Here a pattern is literal segments with gaps between them, and each segment is placed
at its leftmost place after the one before: one scan of the text per segment, whatever the
pattern. The leftmost place is always the best one, as gaps have no upper bound and a gap
restricted to some characters (an ARN's colon-free fields) is always followed by a segment
that starts with a character it cannot hold.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache


class Gap:
    """Between two segments: at least ``least`` characters, all of them fitting ``allowed``
    (a regex of the run, or None for any characters). A plain class: a NamedTuple's class
    creation alone would cost a one-file run a fifth of a millisecond."""

    __slots__ = ("least", "allowed")

    def __init__(self, least: int, allowed: re.Pattern[str] | None = None) -> None:
        self.least, self.allowed = least, allowed


class Wildcard:
    """``segments[0] gaps[0] segments[1] ... gaps[-1] segments[-1]``; in a segment, ``?``
    stands for any one character when ``question`` is set."""

    def __init__(self, segments: list[str], gaps: list[Gap], question: bool = False,
                 case_sensitive: bool = True) -> None:
        self.segments, self.gaps, self.case_sensitive = segments, gaps, case_sensitive
        self._regex = {s: re.compile(".".join(re.escape(p) for p in s.split("?")), re.S)
                       for s in segments if question and "?" in s}
        self._least = sum(map(len, segments)) + sum(g.least for g in gaps)

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` fits the pattern."""
        if not self.case_sensitive:
            text = text.lower()
        segments, end = self.segments, len(text)
        if not self.gaps:
            return end == len(segments[0]) and self._at(segments[0], text, 0)
        last = segments[-1]
        if end < self._least or not self._at(segments[0], text, 0) \
                or not self._at(last, text, end - len(last)):
            return False
        position, end = len(segments[0]), end - len(last)
        for gap, segment in zip(self.gaps, segments[1:-1], strict=False):  # the last gap: below
            found = self._find(segment, text, position + gap.least, end)
            if found < 0 or not self._fits(gap, text, position, found):
                return False
            position = found + len(segment)
        return position + self.gaps[-1].least <= end and self._fits(self.gaps[-1], text, position, end)

    def _at(self, segment: str, text: str, index: int) -> bool:
        regex = self._regex.get(segment)
        if regex is None:
            return text.startswith(segment, index)
        return regex.match(text, index, index + len(segment)) is not None

    def _find(self, segment: str, text: str, start: int, end: int) -> int:
        regex = self._regex.get(segment)
        if regex is None:
            return text.find(segment, start, end)
        found = regex.search(text, start, end)
        return -1 if found is None else found.start()

    @staticmethod
    def _fits(gap: Gap, text: str, start: int, end: int) -> bool:
        return gap.allowed is None or gap.allowed.fullmatch(text, start, end) is not None


@lru_cache(maxsize=8192)
def iam_pattern(pattern: str, case_sensitive: bool = False) -> Wildcard:
    """An IAM wildcard pattern: ``*`` any run of characters, ``?`` any one, all else literal."""
    if not case_sensitive:
        pattern = pattern.lower()
    parts = pattern.split("*")
    segments = [parts[0], *(p for p in parts[1:-1] if p), parts[-1]] if len(parts) > 1 else parts
    return Wildcard(segments, [Gap(0)] * (len(segments) - 1), question=True, case_sensitive=case_sensitive)


def wildcard_match(pattern: str, text: str, case_sensitive: bool = False) -> bool:
    """Whether ``text`` fits the IAM wildcard ``pattern``."""
    if "?" not in pattern:  # the common shapes, without building a pattern: s3:Get*, *, iam:*Role
        stars = pattern.count("*")
        if not case_sensitive:
            pattern, text = pattern.lower(), text.lower()
        if stars == 0:
            return pattern == text
        if stars == 1:
            head, _, tail = pattern.partition("*")
            return len(text) >= len(head) + len(tail) and text.startswith(head) and text.endswith(tail)
    return iam_pattern(pattern, case_sensitive).matches(text)


@lru_cache(maxsize=4096)
def any_match(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """A test of whether a text fits any of the IAM wildcard ``patterns`` (as
    ``wildcard_match``, case-insensitive), worked out once for them: a text is lowered once,
    and met only by the patterns of its service (``s3:Get*`` cannot match ``kms:...``). A
    Deny of a dozen patterns is asked about each of hundreds of actions (``ec2:*``)."""
    exact: set[str] = set()
    # by service (None: a wildcard in the service part), a one-star pattern's (head, tail)
    # or, for other shapes, the pattern itself
    tests: dict[str | None, list[tuple[str, str] | str]] = {}
    for pattern in patterns:
        lowered = pattern.lower()
        if "*" not in lowered and "?" not in lowered:
            exact.add(lowered)
            continue
        service, colon, _ = _SERVICE_END.split(lowered, maxsplit=1)[0].partition(":")
        simple = "?" not in lowered and lowered.count("*") == 1
        tests.setdefault(service if colon else None, []).append(
            lowered.partition("*")[::2] if simple else pattern)
    anywhere = tuple(tests.pop(None, ()))
    by_service = {service: (*own, *anywhere) for service, own in tests.items()}

    def matches(text: str) -> bool:
        lowered = text.lower()
        if lowered in exact:
            return True
        for test in by_service.get(lowered.partition(":")[0], anywhere):
            if type(test) is str:
                if wildcard_match(test, text, False):
                    return True
            elif len(lowered) >= len(test[0]) + len(test[1]) and lowered.startswith(test[0]) \
                    and lowered.endswith(test[1]):
                return True
        return False

    return matches


_SERVICE_END = re.compile(r"[*?]")  # a pattern's service is known when a colon comes before


# What the catalog's variables stand for: a partition is aws, aws-cn, aws-us-gov...; a variable
# in the other fields before the resource (service, region, account) stays in its colon-free
# field, a region or account may be empty; one in the resource is one or more characters.
_VARIABLE, _PARTITION, _FIELD, _NAME = r"(\$\{[^}]+\})", r"[\w-]*", r"[^:]*", r"[^/]*"
# Names that can hold no slash (a bucket, queue, topic or function name), unlike a key or path.
_NAMES = frozenset({"${BucketName}", "${QueueName}", "${TopicName}", "${FunctionName}", "${VaultName}"})
_HEADER_COLONS = 5  # arn:partition:service:region:account:resource


@lru_cache(maxsize=2048)
def arn_format(arn_format: str) -> Wildcard:
    """A catalog ARN format as the pattern of the ARNs it describes."""
    segments, gaps, colons = [""], [], 0
    for part in re.split(_VARIABLE, arn_format):
        if part == "${Partition}":
            segments[-1] += "aws"
            gaps.append(Gap(0, re.compile(_PARTITION)))
        elif part.startswith("${") and colons < _HEADER_COLONS:
            gaps.append(Gap(0 if part in ("${Region}", "${Account}") else 1, re.compile(_FIELD)))
        elif part in _NAMES:
            gaps.append(Gap(1, re.compile(_NAME)))
        elif part.startswith("${"):
            gaps.append(Gap(1))
        else:
            segments[-1] += part
            colons += part.count(":")
            continue
        segments.append("")
    # Gaps side by side (``${A}${B}``) are one gap of their least lengths.
    merged_segments = [segments[0]]
    merged_gaps: list[Gap] = []
    for gap, segment in zip(gaps, segments[1:], strict=True):
        if merged_gaps and merged_segments[-1] == "":
            previous = merged_gaps.pop()
            merged_segments.pop()
            allowed = previous.allowed if previous.allowed is gap.allowed else None
            gap = Gap(previous.least + gap.least, allowed)
        merged_gaps.append(gap)
        merged_segments.append(segment)
    return Wildcard(merged_segments, merged_gaps)
