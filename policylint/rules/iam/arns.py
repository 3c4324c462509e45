"""Which ARNs a policy's Resource pattern can cover, by the resource types of the IAM catalog."""
from __future__ import annotations

import re
from functools import lru_cache

from policylint.catalog import action, resource_types
from policylint.models.iam import variables_as_wildcards
from policylint.values import PLACEHOLDER
from policylint.wildcard import arn_format, wildcard_match


def _filled(pattern: str) -> str:
    """A resource pattern with its policy variables and ``?`` wildcards filled in."""
    return PLACEHOLDER.sub("x", pattern).replace("?", "x")


def _samples(arn: str) -> list[str]:
    """Concrete ARNs a policy's resource pattern matches: variables and ``?`` filled, and ``*``
    as one segment or as several (``*`` in IAM also spans ``/`` and ``:``)."""
    base = _filled(arn)
    if "*" not in base:  # most resources: one sample is the ARN itself
        return [base]
    return [base.replace("*", fill) for fill in ("x", "x/x", "x:x", "x/x/x")]


@lru_cache(maxsize=2048)
def _example(arn_format: str) -> str:
    """A concrete ARN of a catalog format."""
    filled = {"${Partition}": "aws", "${Region}": "us-east-1", "${Account}": "123456789012"}
    return re.sub(r"\$\{[^}]+\}", lambda m: filled.get(m.group(0), "x"), arn_format)


def fits(resource: str, formats: tuple[str, ...]) -> bool:
    """Whether a policy's Resource pattern can match an ARN of one of these formats; formats
    of another service than the one the pattern names are not tried. Matched by the pattern's
    structure, not its names: ``arn:aws:s3:::bucket-17/*`` and ``arn:aws:s3:::bucket-18/*``
    are one question (see ``shape``), so an account whose every ARN is its own costs one
    match a shape of ARN, not one an ARN."""
    resource = _in_a_partition(resource)
    service = _service(resource)
    if service is not None:
        formats = _of_service(formats, service)
    if not formats:
        return False
    literals = _literals(formats)
    if literals is None:  # a format with a variable inside a word (``o-${OrganizationId}``)
        return _cached_fits(resource, formats)
    shaped = shape(resource, literals)
    if shaped == resource:
        return _cached_fits(resource, formats)
    # The examples of the formats hold no NUL: matched as a pattern, the shape fits none, and
    # the last test of _fits (the pattern against an example) is made on the pattern itself.
    return _cached_fits(shaped, formats) or _by_example(resource, formats)


def _in_a_partition(resource: str) -> str:
    """``resource`` with a partition written as a wildcard (``arn:*:``) as ``aws``, one it
    covers: the formats' partitions are real ones, which its filled samples (``x``) are not."""
    parts = resource.split(":", 2)
    if len(parts) == 3 and parts[0] == "arn" and "*" in parts[1] and wildcard_match(parts[1], "aws"):
        return f"arn:aws:{parts[2]}"
    return resource


_NAME_MARKS = frozenset("*?${}")
_COMPONENT = re.compile(r"[^:/]+")


@lru_cache(maxsize=256)  # the actions of a statement ask about the same resources in turn
def shape(resource: str, literals: frozenset[str]) -> str:
    """``resource`` with each name between ``:`` and ``/`` that no format writes out (a bucket,
    table or region; no wildcard or variable in it) as one NUL: ``arn:aws:s3:::<NUL>/*``. The
    partition and service are kept. Exact when every variable of the formats stands between
    separators (``_literals``): such a name is then wholly inside one variable of a format
    and fits it as a NUL does (one character, no separator, never a literal), so the shape
    fits a format when, and only when, the resource does; the samples and the example-tail
    fills of ``_fits`` only touch the names that hold a wildcard, which are kept."""
    parts = resource.split(":", 3)
    if len(parts) < 4:
        return resource
    return ":".join(parts[:3]) + ":" + _COMPONENT.sub(
        lambda m: m.group() if m.group() in literals or not _NAME_MARKS.isdisjoint(m.group()) else "\0",
        parts[3])


@lru_cache(maxsize=4096)
def _of_service(formats: tuple[str, ...], service: str) -> tuple[str, ...]:
    return tuple(f for f in formats if _service(f) == service)


_VARIABLE = re.compile(r"\$\{[^}]+\}")


@lru_cache(maxsize=4096)
def _literals(formats: tuple[str, ...]) -> frozenset[str] | None:
    """The names the formats write out, between separators (``log-group``, ``table``); None
    when a variable of one of them touches a literal character other than ``:`` and ``/``
    (``o-${OrganizationId}``, ``${A}${B}``): its ARNs are matched name by name."""
    names: set[str] = set()
    for described in formats:
        for found in _VARIABLE.finditer(described):
            before = described[found.start() - 1] if found.start() else ":"
            after = described[found.end()] if found.end() < len(described) else ":"
            if before not in ":/" or after not in ":/":
                return None
        names.update(_COMPONENT.findall(_VARIABLE.sub(":", described)))
    return frozenset(names)


@lru_cache(maxsize=8192)
def structure(resource: str, formats: tuple[str, ...]) -> str:
    """A key of ``resource`` such that two resources with the same key get the same answer
    from ``fits`` on these formats and on any of their subsets (its shape; the resource
    itself when its shape does not decide, as for a variable inside a word)."""
    service = _service(resource)
    if service is None:
        return resource
    formats = _of_service(formats, service)
    literals = _literals(formats) if formats else frozenset()
    if literals is None:
        return resource
    shaped = shape(resource, literals)
    return resource if shaped != resource and _by_example(resource, formats) else shaped


def fits_cache_clear() -> None:
    """Forget every answer of ``fits`` (tests: none passes on another's answers)."""
    for cached in (_of_service, _literals, _cached_fits, shape, structure):
        cached.cache_clear()


def _by_example(resource: str, formats: tuple[str, ...]) -> bool:
    wildcard = variables_as_wildcards(resource)
    return any(wildcard_match(wildcard, _example(f), True) for f in formats)


@lru_cache(maxsize=8192)
def _cached_fits(resource: str, formats: tuple[str, ...]) -> bool:
    return _fits(resource, formats)


def _fits(resource: str, formats: tuple[str, ...]) -> bool:
    """``fits`` on formats of the right service: a filled sample of the pattern fits a format
    (the last ``*`` filled with the tail of an example ARN of the format too, as in
    ``log-group:/aws/lambda/f:*``), or it matches an example of a format. The cheap test is
    made on every format before the costly ones."""
    samples = _samples(resource)
    if any(arn_format(f).matches(s) for f in formats for s in samples):
        return True
    head, star, rest = resource.rpartition("*")
    if star:
        base = _filled(head).replace("*", "x")
        for described in formats:
            example, pattern = _example(described), arn_format(described)
            if any(pattern.matches(base + example[k:] + rest) for k in range(len(example))):
                return True
    return _by_example(resource, formats)


def _service(arn: str) -> str | None:
    """The service an ARN or ARN format names, when it is written out (no wildcard or variable)."""
    parts = arn.split(":", 3)
    service = parts[2] if len(parts) > 3 else None
    return service if service and not any(mark in service for mark in "*?$") else None


@lru_cache(maxsize=4096)
def arn_types(name: str) -> tuple[tuple[str, str], ...]:
    """(resource type, ARN format) the action applies to. Names are matched in any case: the
    catalog lists secretsmanager:GetSecretValue on `Secret` and the type as `secret`."""
    prefix = name.split(":", 1)[0]
    found = action(name)
    types = {k.lower(): v for k, v in resource_types(prefix).items()}
    return tuple((t["name"], types[t["name"].lower()]["arn"]) for t in (found or {}).get("resourceTypes", [])
                 if t["name"].lower() in types)


def covers_every(resource: str, action_name: str) -> bool:
    """Whether ``resource`` is `*` in effect for the action: it matches any ARN of every
    resource type the action applies to (`arn:*:cloudtrail:*:*:trail/*` for trails)."""
    if resource == "*":
        return True
    formats = [f for _, f in arn_types(action_name)]
    return bool(formats) and all(wildcard_match(resource, sample, True) for f in formats
                                 for sample in _unlikely(f))


@lru_cache(maxsize=2048)
def _unlikely(arn_format: str) -> tuple[str, ...]:
    """Two ARNs of a catalog format that only a pattern covering every such ARN matches."""
    variables = re.findall(r"\$\{[^}]+\}", arn_format)
    samples = []
    for fill, word in (({"${Partition}": "aws-qz"}, "qz9-x/y"),
                       ({"${Partition}": "aws", "${Region}": "eu-qz-7", "${Account}": "987654321098"}, "q")):
        sample = arn_format
        for variable in variables:
            sample = sample.replace(variable, fill.get(variable, word), 1)
        samples.append(sample)
    return tuple(samples)

