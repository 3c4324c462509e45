"""Policy conditions, operator by operator: what holds, what fails and where, what is unknown
(never a finding), and the words a finding says (``{value}``, ``{detail}``, defaults)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import position_of, run, write
from test_policies import api_json, harness, key_at, value_at

from policylint.cli import main


def policy(require: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"code": "ORG401", "name": "cond", "severity": "error", "message": "m", "kind": "harness",
            "require": require, **extra}


def check(root: Path, *policies: dict[str, Any], **fields: Any) -> tuple[Path, list[tuple]]:
    """The findings of ``policies`` over a harness with ``fields``: (line, column, message)."""
    write(root / ".policylint.yaml", yaml.safe_dump({"policies": list(policies)}))
    file = api_json(root, "harness", harness(**fields))
    findings = [f for f in run(".", "--select", "ORG")[1]]
    return file, [(f["line"], f["column"], f["message"]) for f in findings]


# -- present --------------------------------------------------------------------------------------

def test_present_false_fails_where_the_field_is_written(workdir: Path) -> None:
    require = {"field": "maxTokens", "present": False}
    file, got = check(workdir, policy(require))
    assert got == [(*key_at(file, "maxTokens"), "m (maxTokens is set)")]
    _, got = check(workdir, policy(require), maxTokens=None)
    assert got == []


def test_present_true_fails_at_the_object(workdir: Path) -> None:
    require = {"field": "maxTokens", "present": True}
    _, got = check(workdir, policy(require), maxTokens=None)
    assert got == [(1, 1, "m (maxTokens is not set)")]
    _, got = check(workdir, policy(require))
    assert got == []


def test_not_present_says_where_it_is_set(workdir: Path) -> None:
    require = {"not": {"field": "maxTokens", "present": True}}
    file, got = check(workdir, policy(require))
    assert got == [(*value_at(file, "maxTokens", "4096"), "m (maxTokens is set)")]
    _, got = check(workdir, policy(require), maxTokens=None)
    assert got == []


def test_present_false_on_a_default_is_set(workdir: Path) -> None:
    """A default counts as written: allowedTools left out is ["*"]."""
    _, got = check(workdir, policy({"field": "allowedTools", "present": False}), allowedTools=None)
    assert got == [(1, 1, "m (allowedTools is set)")]


# -- equals, min / max ---------------------------------------------------------------------------

def test_equals_holds_and_fails(workdir: Path) -> None:
    require = {"field": "timeoutSeconds", "equals": 600}
    _, got = check(workdir, policy(require))
    assert got == []
    file, got = check(workdir, policy(require), timeoutSeconds=601)
    assert got == [(*value_at(file, "timeoutSeconds", "601"), "m (timeoutSeconds is 601, not 600)")]
    # a field not there holds a comparison
    _, got = check(workdir, policy(require), timeoutSeconds=None)
    assert got == []


def test_equals_a_default_says_so(workdir: Path) -> None:
    require = {"field": "memory.managedMemoryConfiguration.eventExpiryDuration", "equals": 7}
    file, got = check(workdir, policy(require), memory=None)
    assert got == [(1, 1, "m (memory.managedMemoryConfiguration.eventExpiryDuration is not set: "
                          "30 by default, not 7)")]


@pytest.mark.parametrize(("value", "said"), [
    (10, None), (20, None), (9, "maxIterations is 9, under 10"), (21, "maxIterations is 21, over 20")])
def test_min_and_max_are_inclusive(workdir: Path, value: int, said: str | None) -> None:
    file, got = check(workdir, policy({"field": "maxIterations", "min": 10, "max": 20}), maxIterations=value)
    assert got == ([] if said is None else [(*value_at(file, "maxIterations", str(value)), f"m ({said})")])


@pytest.mark.parametrize(("bound", "value", "fails"), [
    ({"min": 10}, 10, False), ({"min": 10}, 9, True), ({"min": 10}, 10**6, False),
    ({"max": 10}, 10, False), ({"max": 10}, 11, True), ({"max": 10}, -5, False)])
def test_one_bound_alone(workdir: Path, bound: dict[str, int], value: int, fails: bool) -> None:
    _, got = check(workdir, policy({"field": "maxIterations", **bound}), maxIterations=value)
    assert len(got) == int(fails)


@pytest.mark.parametrize("value", ["ten", True, [1, 2]])
def test_bounds_on_a_non_number_are_unknown(workdir: Path, value: Any) -> None:
    _, got = check(workdir, policy({"field": "maxIterations", "max": 10}), maxIterations=value)
    assert got == []


def test_bounds_read_a_number_written_as_text(workdir: Path) -> None:
    file, got = check(workdir, policy({"field": "maxIterations", "max": 10}), maxIterations="12")
    assert got == [(*value_at(file, "maxIterations", '"12"'), "m (maxIterations is '12', over 10)")]
    _, got = check(workdir, policy({"field": "maxIterations", "max": 10}), maxIterations="10")
    assert got == []


# -- in / not-in ---------------------------------------------------------------------------------

MODEL = "model.bedrockModelConfig.modelId"


@pytest.mark.parametrize(("patterns", "fails"), [
    (["anthropic.*"], False), (["anthropic"], True), (["anthropic.claude-sonnet-4-v1:0"], False),
    (["anthropic.claude-sonnet-4-v?:0"], False), (["meta.*", "anthropic.claude-*"], False),
    (["ANTHROPIC.*"], True), (["*sonnet"], True), (["x", "y"], True)])
def test_in_wildcards_and_exact(workdir: Path, patterns: list[str], fails: bool) -> None:
    file, got = check(workdir, policy({"field": MODEL, "in": patterns}))
    said = f"m ({MODEL} 'anthropic.claude-sonnet-4-v1:0' is not in {json.dumps(patterns)})"
    assert got == ([(*value_at(file, "modelId", "anthropic"), said)] if fails else [])


@pytest.mark.parametrize(("patterns", "fails"), [(["meta.*"], False), (["anthropic.*"], True),
                                                 (["anthropic"], False)])
def test_not_in(workdir: Path, patterns: list[str], fails: bool) -> None:
    file, got = check(workdir, policy({"field": MODEL, "not-in": patterns}))
    said = f"m ({MODEL} 'anthropic.claude-sonnet-4-v1:0' is in {json.dumps(patterns)})"
    assert got == ([(*value_at(file, "modelId", "anthropic"), said)] if fails else [])


def test_in_judges_each_item_of_a_list(workdir: Path) -> None:
    require = {"field": "allowedTools", "in": ["agentcore_*"]}
    tools = ["agentcore_gateway", "shell", "web", "agentcore_x"]
    file, got = check(workdir, policy(require), allowedTools=tools)
    text = file.read_text()
    said = "m (allowedTools '{}' is not in [\"agentcore_*\"])"
    assert got == [(*position_of(text, f'(?P<at>"{tool}")'), said.format(tool)) for tool in ("shell", "web")]
    _, got = check(workdir, policy(require), allowedTools=["agentcore_gateway"])
    assert got == []


def test_in_over_a_default_list_says_by_default(workdir: Path) -> None:
    require = {"field": "allowedTools", "in": ["agentcore_*"]}
    _, got = check(workdir, policy(require), allowedTools=None)
    assert got == [(1, 1, """m (allowedTools '*' is not in ["agentcore_*"] (by default))""")]


def test_in_over_numbers_and_odd_items(workdir: Path) -> None:
    require = {"field": "maxIterations", "in": [10, 2]}
    _, got = check(workdir, policy(require), maxIterations=10)
    assert got == []
    file, got = check(workdir, policy(require), maxIterations=20)
    assert got == [(*value_at(file, "maxIterations", "20"), "m (maxIterations 20 is not in [10, 2])")]
    # a boolean or an object is not judged; a null item fails
    _, got = check(workdir, policy({"field": "allowedTools", "in": ["x"]}), allowedTools=[True, {"a": 1}])
    assert got == []
    _, got = check(workdir, policy({"field": "allowedTools", "not-in": ["x"]}), allowedTools=[None])
    assert len(got) == 1


def test_in_on_a_placeholder_item_is_unknown(workdir: Path) -> None:
    _, got = check(workdir, policy({"field": "allowedTools", "in": ["agentcore_*"]}),
                   allowedTools=["${tools}", "{% $tool %}"])
    assert got == []


# -- all / any / not -----------------------------------------------------------------------------

LOW = {"field": "maxIterations", "max": 10}     # the harness has 20: fails
HIGH = {"field": "maxTokens", "max": 8000}      # 4096: holds
UNKNOWN = {"field": "timeoutSeconds", "max": 10}  # written as a deploy-time value below
DEPLOY = {"timeoutSeconds": "${timeout}"}


def test_all_says_each_failure(workdir: Path) -> None:
    tokens = {"field": "maxTokens", "max": 100}
    file, got = check(workdir, policy({"all": [LOW, HIGH, tokens]}))
    assert got == [(*value_at(file, "maxIterations", "20"), "m (maxIterations is 20, over 10)"),
                   (*value_at(file, "maxTokens", "4096"), "m (maxTokens is 4096, over 100)")]
    _, got = check(workdir, policy({"all": [HIGH, HIGH]}))
    assert got == []


def test_any_fails_where_its_last_alternative_failed(workdir: Path) -> None:
    tokens = {"field": "maxTokens", "max": 100}
    file, got = check(workdir, policy({"any": [LOW, tokens]}))
    assert got == [(*value_at(file, "maxTokens", "4096"), "m (maxTokens is 4096, over 100)")]
    _, got = check(workdir, policy({"any": [LOW, HIGH]}))
    assert got == []
    _, got = check(workdir, policy({"any": [HIGH, LOW]}))
    assert got == []


def test_any_of_absent_fields_fails_at_the_object(workdir: Path) -> None:
    present = {"field": "maxTokens", "present": True}
    _, got = check(workdir, policy({"any": [LOW, present]}), maxTokens=None)
    assert got == [(1, 1, "m (maxTokens is not set)")]


@pytest.mark.parametrize(("require", "fails"), [
    ({"all": [UNKNOWN, LOW]}, True), ({"all": [UNKNOWN, HIGH]}, False), ({"all": [HIGH, UNKNOWN]}, False),
    ({"any": [UNKNOWN, LOW]}, False), ({"any": [LOW, UNKNOWN]}, False), ({"any": [UNKNOWN, HIGH]}, False),
    ({"not": UNKNOWN}, False), ({"not": {"all": [UNKNOWN, HIGH]}}, False),
    ({"not": {"any": [UNKNOWN, LOW]}}, False), ({"not": {"any": [UNKNOWN, HIGH]}}, True)])
def test_unknown_children(workdir: Path, require: dict[str, Any], fails: bool) -> None:
    _, got = check(workdir, policy(require), **DEPLOY)
    assert bool(got) is fails


def test_not_of_a_held_comparison_says_the_value(workdir: Path) -> None:
    file, got = check(workdir, policy({"not": HIGH}))
    assert got == [(*value_at(file, "maxTokens", "4096"), "m (maxTokens is 4096)")]
    _, got = check(workdir, policy({"not": LOW}))
    assert got == []


def test_not_of_all_says_every_part(workdir: Path) -> None:
    iterations = {"field": "maxIterations", "min": 5}
    file, got = check(workdir, policy({"not": {"all": [HIGH, iterations]}}))
    assert got == [(*value_at(file, "maxIterations", "20"), "m (maxIterations is 20)"),
                   (*value_at(file, "maxTokens", "4096"), "m (maxTokens is 4096)")]
    _, got = check(workdir, policy({"not": {"all": [HIGH, LOW]}}))
    assert got == []


def test_not_of_any_says_where_one_held(workdir: Path) -> None:
    file, got = check(workdir, policy({"not": {"any": [LOW, HIGH]}}))
    assert got == [(*value_at(file, "maxTokens", "4096"), "m (maxTokens is 4096)")]


def test_not_of_in_says_each_item(workdir: Path) -> None:
    file, got = check(workdir, policy({"not": {"field": "allowedTools", "in": ["agentcore_*"]}}))
    assert got == [(*position_of(file.read_text(), r'(?P<at>"agentcore_gateway")'),
                    """m (allowedTools 'agentcore_gateway' is in ["agentcore_*"])""")]


def test_not_not(workdir: Path) -> None:
    file, got = check(workdir, policy({"not": {"not": LOW}}))
    assert got == [(*value_at(file, "maxIterations", "20"), "m (maxIterations is 20, over 10)")]
    _, got = check(workdir, policy({"not": {"not": HIGH}}))
    assert got == []


# -- where, messages -----------------------------------------------------------------------------

def test_where_unknown_or_false_skips(workdir: Path) -> None:
    where_true = {"field": "maxTokens", "min": 1}
    _, got = check(workdir, policy(LOW, where=where_true))
    assert len(got) == 1
    _, got = check(workdir, policy(LOW, where={"not": where_true}))
    assert got == []
    _, got = check(workdir, policy(LOW, where=UNKNOWN), **DEPLOY)
    assert got == []


@pytest.mark.parametrize(("message", "fields", "said"), [
    ("{value} iterations; {detail}", {}, "20 iterations; maxIterations is 20, over 10"),
    ("just {detail}", {}, "just maxIterations is 20, over 10"),
    ("has {value}", {"maxIterations": None, "maxTokens": None}, "has missing"),
    ("plain", {}, "plain (maxIterations is 20, over 10)")])
def test_message_placeholders(workdir: Path, message: str, fields: dict[str, Any], said: str) -> None:
    require = {"all": [LOW, {"field": "maxTokens", "present": True}]} if fields else LOW
    _, got = check(workdir, policy(require, message=message), **fields)
    assert [m for _, _, m in got] == [said]


# -- the rule it compiles to ---------------------------------------------------------------------

def test_rule_text(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = policy(LOW, environments=["prod", "live"], where={"field": "maxTokens", "min": 1},
                  message="iterations capped")
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [spec]}))
    assert main(["rule", "ORG401"]) == 0
    assert capsys.readouterr().out == (
        "ORG401 cond (error)\n\niterations capped\n\n"
        f"What it does: the organisation policy ORG401 of {workdir / '.policylint.yaml'}: "
        "every harness in prod, live "
        'must satisfy {"field": "maxIterations", "max": 10}.\n\n'
        'Applies to: {"field": "maxTokens", "min": 1}\n\nWhy: iterations capped\n')
    spec = policy(LOW, help="Our own words.", summary="short")
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [spec]}))
    assert main(["rule", "ORG401"]) == 0
    assert capsys.readouterr().out == "ORG401 cond (error)\n\nshort\n\nOur own words.\n"


def test_two_policies_with_one_code_or_name(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for other, said in (({"name": "other"}, "policy ORG401: 'ORG401' is also policy ORG401's"),
                        ({"code": "ORG402"}, "policy ORG402: 'cond' is also policy ORG401's")):
        write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [policy(LOW), policy(LOW, **other)]}))
        api_json(workdir, "harness", harness())
        assert main(["check", "."]) == 2
        err = capsys.readouterr().err
        assert ".policylint.yaml: " + said in err


def test_a_policy_named_as_a_built_in_rule(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = policy(LOW, name="agent-timeout-over-limit")
    write(workdir / ".policylint.yaml", yaml.safe_dump({"policies": [spec]}))
    api_json(workdir, "harness", harness())
    assert main(["check", "."]) == 2
    assert "policy ORG401: AGT301 agent-timeout-over-limit is a built-in rule" in capsys.readouterr().err


def test_equals_says_lists_and_booleans_as_json(workdir: Path) -> None:
    file, got = check(workdir, policy({"field": "allowedTools", "equals": ["x"]}))
    assert got == [(*position_of(file.read_text(), r'"allowedTools": (?P<at>\[)'),
                    'm (allowedTools is ["agentcore_gateway"], not ["x"])')]
    _, got = check(workdir, policy({"field": "allowedTools", "equals": ["agentcore_gateway"]}))
    assert got == []


@pytest.mark.parametrize(("environments", "judged"), [
    (["non-prod"], ["dev", "staging"]), (["prod"], ["prod"]), (["stag*"], ["staging"]),
    (["dev", "prod"], ["dev", "prod"]), (["qa"], []), (["production"], ["prod"])])
def test_environments_by_name_glob_and_prod(workdir: Path, environments: list[str],
                                            judged: list[str]) -> None:
    """Configured environments dev, staging and production (which says prod)."""
    configured = {"dev": {"paths": ["dev/**"]}, "staging": {"paths": ["staging/**"]},
                  "production": {"paths": ["prod/**"]}}
    table = {"environments": configured, "policies": [policy(LOW, environments=environments)]}
    write(workdir / ".policylint.yaml", yaml.safe_dump(table))
    for folder in ("dev", "staging", "prod"):
        api_json(workdir / folder, "harness", harness())
    files = sorted(f["file"] for f in run(".", "--select", "ORG")[1])
    assert files == [f"{folder}/create-harness.json" for folder in sorted(judged)]


def test_a_failure_with_nowhere_to_say_is_at_the_object(workdir: Path) -> None:
    """not over a comparison that holds because the field is absent: at the object, no detail."""
    _, got = check(workdir, policy({"not": {"field": "maxTokens", "max": 10}}), maxTokens=None)
    assert got == [(1, 1, "m")]
    _, got = check(workdir, policy({"not": {"field": "maxTokens", "max": 10}}, message="m {detail}|{value}"),
                   maxTokens=None)
    assert got == [(1, 1, "m |missing")]


@pytest.mark.parametrize(("require", "fields", "said"), [
    ({"field": "maxIterations", "min": 10}, {"maxIterations": 9}, "9|maxIterations is 9, under 10"),
    ({"field": "maxIterations", "max": 10}, {"maxIterations": 11}, "11|maxIterations is 11, over 10"),
    ({"field": "timeoutSeconds", "equals": 300}, {}, "600|timeoutSeconds is 600, not 300"),
    ({"not": {"field": "timeoutSeconds", "equals": 600}}, {}, "600|timeoutSeconds is 600"),
    ({"not": {"field": "maxTokens", "max": 8000}}, {}, "4096|maxTokens is 4096"),
    ({"field": "allowedTools", "not-in": ["*_browser"]}, {"allowedTools": ["agentcore_browser"]},
     """agentcore_browser|allowedTools 'agentcore_browser' is in ["*_browser"]"""),
    ({"field": "allowedTools", "in": ["a*"]}, {"allowedTools": [None]}, "missing|"),
    ({"not": {"field": "maxTokens", "present": False}}, {"maxTokens": None}, "missing|maxTokens is not set"),
])
def test_value_and_detail_of_each_spot(workdir: Path, require: dict[str, Any], fields: dict[str, Any],
                                       said: str) -> None:
    _, got = check(workdir, policy(require, message="{value}|{detail}"), **fields)
    assert [m for _, _, m in got] == [said]


@pytest.mark.parametrize("require", [
    {"field": "timeoutSeconds", "present": False}, {"not": {"not": UNKNOWN}},
    {"not": {"field": "timeoutSeconds", "present": False}}])
def test_unknown_present_and_double_not(workdir: Path, require: dict[str, Any]) -> None:
    _, got = check(workdir, policy(require), **DEPLOY)
    assert got == []


def test_not_absent_is_at_the_object_key(workdir: Path) -> None:
    _, got = check(workdir, policy({"not": {"field": "maxTokens", "present": False}}), maxTokens=None)
    assert got == [(1, 1, "m (maxTokens is not set)")]
    _, got = check(workdir, policy(LOW, where={"not": UNKNOWN}), **DEPLOY)
    assert got == []


# -- parse / check_all / to_rule, called directly ------------------------------------------------

def test_parse_errors_without_and_with_a_source() -> None:
    from policylint.config import ConfigError
    from policylint.policies import check_all, parse

    bad_where = policy(LOW, where={"field": "nope", "equals": 1})
    with pytest.raises(ConfigError) as error:
        parse(bad_where)
    assert str(error.value).startswith("policy ORG401: where: field 'nope' is not a field of a harness")
    with pytest.raises(ConfigError) as error:
        parse({k: v for k, v in bad_where.items() if k != "code"}, "org.yaml")
    assert str(error.value).startswith("org.yaml: policy ?: where: field 'nope'")
    with pytest.raises(ConfigError) as error:
        check_all([policy(LOW), policy(LOW, name="other")])
    assert str(error.value) == "policy ORG401: 'ORG401' is also policy ORG401's"
    with pytest.raises(ConfigError) as error:
        check_all([bad_where], "org.yaml")
    assert str(error.value).startswith("org.yaml: policy ORG401: where:")


def test_to_rule_without_source_environments_or_where() -> None:
    from policylint.policies import parse, to_rule

    rule = to_rule(parse(policy(LOW, message="capped")))
    assert (rule.code, rule.name, rule.summary, rule.scope, rule.tags, rule.url) == (
        "ORG401", "cond", "capped", "project", ("policy",), None)
    assert rule.help == ("What it does: the organisation policy ORG401: every harness must satisfy "
                         '{"field": "maxIterations", "max": 10}.\n\nWhy: capped')
    rule = to_rule(parse(policy(LOW, url="https://example.com/org401")), "org.yaml")
    assert rule.url == "https://example.com/org401" and " ORG401 of org.yaml: " in rule.help


def test_a_key_is_known_as_matching_each_catalog_key_in_turn_says() -> None:
    from policylint.catalog import condition_keys
    from policylint.rules.iam.conditions import GLOBAL_KEYS, _key_pattern, _known

    catalog = {k.lower() for k in [*condition_keys("s3"), *condition_keys("iam"), *GLOBAL_KEYS]}
    catalog |= {"aws:requesttag/${tagkey}", "ec2:resourcetag/<key>", "aws:principaltag/tag-key"}
    asked = ["s3:prefix", "S3:Prefix", "s3:prefixx", "s3:prefi", "aws:requesttag/team", "aws:requesttag/",
             "ec2:resourcetag/x", "aws:principaltag/a/b", "aws:ſourcearn", "aws:sourcearn", ""]
    for key in asked:
        assert _known(key.lower(), catalog) == any(k == key.lower() or _key_pattern(k).fullmatch(key.lower())
                                                   for k in catalog), key
    assert _known("s3:prefix", catalog) and not _known("s3:prefixx", catalog)
