"""What counts as a secret, and that a report never shows one, whatever rule wrote it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.models import HARNESS, Document
from policylint.records import Outcome
from policylint.report import build_report
from policylint.rule import Finding, Rule, Severity
from policylint.secrets import hidden_forms, hidden_in, hidden_values, looks_secret, mask, named_values
from policylint.source import Source


@pytest.mark.parametrize(("block", "expected"), [
    ({"A": "1"}, [(("A",), "A", "1")]),
    (["A=1", "B: two"], [((0,), "A", "1"), ((1,), "B", "two")]),
    ([{"name": "A", "value": "1"}], [((0, "value"), "A", "1")]),
    ("Authorization: Bearer x", [((), "Authorization", "Bearer x")]),
    ("no-separator", [((), "", "no-separator")]),
    (["KEY=a=b", "Authorization: Bearer a:b", "url=http://x", "x:y=z", "a:b=c:d"],
     [((0,), "KEY", "a=b"), ((1,), "Authorization", "Bearer a:b"), ((2,), "url", "http://x"),
      ((3,), "x", "y=z"), ((4,), "a", "b=c:d")]),
    ([{"Name": "A", "Value": "1"}, {"key": "B", "value": "2"}, {"Key": "C", "Value": "3"},
      {"value": "4"}, {"name": "E"}],
     [((0, "Value"), "A", "1"), ((1, "value"), "B", "2"), ((2, "Value"), "C", "3"), ((3, "value"), "", "4")]),
])
def test_named_values_reads_every_shape(block: object, expected: list) -> None:
    assert list(named_values(block)) == expected


@pytest.mark.parametrize(("name", "value", "secret"), [
    ("DB_PASSWORD", 84736251, True), ("DB_PASSWORD", "short", False), ("X", "AKIA" + "A" * 16, True),
    ("X", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghij", True), ("X", "x-eyJ-eyJ", False),
    ("TOKEN", "{{resolve:secretsmanager:x}}", False), ("TOKEN", True, False),
    ("API_KEY", "arn:aws:secretsmanager:us-east-1:1:secret:x", False),
    ("TOKEN", {"a": "sk-live-abcdefghijklmnopq"}, False),
])
def test_looks_secret(name: str, value: object, secret: bool) -> None:
    assert looks_secret(name, value) is secret


def test_mask_shows_little_of_a_short_secret() -> None:
    assert mask("sk-live-abcdefghijklmnop") == "'sk-l…'"
    assert mask("84736251") == "'84…'"
    assert mask("abc") == "'…'"


def test_hidden_values() -> None:
    data = {"environmentVariables": ["KEY=hunter2hunter2", "N=1"],
            "tools": [{"url": "https://me:pa55word@h.example/x?api_key=zzzz9999&v=1"},
                      {"url": "h.example/x?token=qqqq8888"}],
            "harnessName": "support", "maxTokens": 4096}
    hidden = hidden_values(data)
    assert {"KEY=hunter2hunter2", "hunter2hunter2", "me:pa55word", "zzzz9999", "qqqq8888"} <= hidden
    assert not {"support", "4096", "1", "N=1"} & hidden  # names, numbers and short values stay


@pytest.mark.parametrize(("data", "hidden"), [
    ({"DbPassword": "12345678", "ApiToken": "1234567"}, {"12345678"}),  # by name: 8 characters or more
    ({"DbPassword": 12345678, "Pin": 1234567, "Count": 123456789, "Flag": True}, {"12345678"}),
    ({"maxTokens": 123456789, "max_tokens": "abcdefghi", "DbToken": "abcdefgh1", "tokens": "zyxwvutsr"},
     {"abcdefgh1", "zyxwvutsr"}),  # a count of tokens is none
    ({"Description": "a long and harmless description"}, set()),
    ({"Description": "questions? write to ops@example.com"}, set()),  # not a URL
    ({"k": "AKIAABCDEFGHIJKLMNOP"}, {"AKIAABCDEFGHIJKLMNOP"}),  # by shape, under any name
    ({"url": "https://host.example/plain", "Description": "see https://x.example/docs"}, set()),
    ({"endpoint": "host.example/x?key=abcd9999"}, {"key=abcd9999", "abcd9999"}),
    ({"u": "https://user1@b.example/"}, {"user1"}),
    ({"environmentVariables": {"A": "abcd", "B": "abc", "C": 98765}}, {"abcd", "98765"}),
    ({"Headers": ["Authorization: Bearer tok1"]}, {"Authorization: Bearer tok1", "Bearer tok1"}),
    ({"Environment": {"Variables": {"V": {"Ref": "Version"}, "A": {"Fn::GetAtt": ["Queue", "Arn"]},
                                    "B": {"Fn::Sub": "x-${Stage}-secret"}}}},
     {"x-${Stage}-secret"}),  # names of parameters and resources are no values
    ({"Db": {"Password": "hunter2hunter2"}, "Other": {"Ref": "Version"}}, {"hunter2hunter2"}),  # walked on
    ({"Parameters": {"Environment": {"Type": "String", "Default": "dev"}}}, set()),  # a declaration
    (None, set()),
])
def test_hidden_values_cases(data: object, hidden: set[str]) -> None:
    assert hidden_values(data) == hidden


@pytest.mark.parametrize(("data", "hidden"), [
    ({"Resource": ["https://ab:cd@h.example/x", "arn:aws:s3:::b"], "Name": "https://h.example/p?k=v1234"},
     {"ab:cd", "k=v1234", "v1234"}),  # a string under a name that says nothing: its URL still
    ({"Roles": [{"Password": "p4ssw0rd!!", "Tags": ["abcdefghij"]}]}, {"p4ssw0rd!!"}),
    ({"Headers": ["X-Key: abcd"], "Notes": ["X-Key: abcd"]}, {"X-Key: abcd", "abcd"}),
    ({"Description": "a long and harmless description", "Items": ["https://host.example/plain"]}, set()),
])
def test_hidden_in_a_file_with_no_token(data: dict, hidden: set[str]) -> None:
    """No token in the file's text: most strings get one URL test, and the same is hidden."""
    assert hidden_in([data], [json.dumps(data)]).forms == hidden_forms(frozenset(hidden))
    assert hidden_values(data) == hidden


def test_url_secrets() -> None:
    from policylint.secrets import _url_secrets

    assert list(_url_secrets("https://user@corp:pw@h.example/p?t=1234=5&d=e#frag?x")) == [
        "user@corp:pw", "t=1234=5&d=e", "1234=5", "e"]
    assert list(_url_secrets("https://h.example/?next=https://x.example")) == [
        "next=https://x.example", "https://x.example"]
    assert list(_url_secrets("https://h.example/p@x")) == []  # an @ in the path is no user


def test_redact_replaces_the_longest_first_and_a_whole_text() -> None:
    from policylint.secrets import Hidden, redact

    hidden = Hidden(frozenset({"abcd1234", "abcd1234extra"}))
    assert redact("x abcd1234extra y abcd1234", hidden) == "x … y …"
    assert redact("abcd1234", hidden) == "…"
    assert redact("ab1234567", Hidden(frozenset({"b1234567", "ab1234567"}))) == "…"  # not "a…"


def test_every_message_is_masked_whatever_rule_wrote_it(tmp_path: Path) -> None:
    data = {"harnessName": "h", "executionRoleArn": "arn:aws:iam::1:role/r",
            "environmentVariables": {"PIN": "93817", "KEY": "it's \"quoted\""}}
    document = Document(HARNESS, data, Source(str(tmp_path / "h.json"), ""))
    outcome = Outcome()
    for message in ("pin is 93817", "repr 'it\\'s \"quoted\"'", "json \"it's \\\"quoted\\\"\""):
        outcome.findings.append(Finding(document, ("environmentVariables", "PIN"), message,
                                        code="X001", position=(1, 1)))
    rule = Rule("XS001", "x", Severity.ERROR, "x", "x", check=lambda ctx: [], kinds=("asl",))
    report = build_report(outcome, {"X001": rule})
    assert sorted(p.message for p in report.problems) == ["json \"…\"", "pin is …", "repr '…'"]
    assert all(p.value is None for p in report.problems)  # the fingerprint has no secret


@pytest.mark.parametrize(("text", "hint"), [
    ('{"Environment": {"Variables": {"A": "b"}}}', True), ('{"url": "https://u:p@h"}', True),
    ('{"k": "AKIAAAAAAAAAAAAAAAAA"}', True), ('{"DbPassword": "x"}', True), ('{"k": "s\\u006b"}', True),
    ('{"u": "https://h.example/x?q=zzzz9999"}', True), ('{"u": "h.example/x?q=1"}', False),
    ('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}', False),
    ('{"Resource": "arn:aws:s3:::b/*", "Action": "s3:GetObject"}', False),
    ('{"maxTokens": 4096, "max_tokens": 1, "MAX-TOKENS": 2}', False),  # counts, in every harness
    ('{"maxTokens": 4096, "apiToken": "x"}', True), ('{"tokens": ["x"]}', True),
])
def test_may_hide(text: str, hint: bool) -> None:
    from policylint.secrets import may_hide, shape_starts

    assert may_hide(text) is hint
    assert may_hide(text, shape_starts(text)) is hint  # the starts of token shapes worked out before


@pytest.mark.parametrize("text", [
    "AKIAABCDEFGHIJKLMNOPQR and Bearer abcdefghijklmnop", "ASIAKIAABCDEFGHIJKLMNOPQ", "gho_x ghp_" + "a" * 30,
    "-----BEGIN RSA PRIVATE KEY-----\\nMIIE", "no token here", "",
])
def test_tokens_found_with_the_starts_worked_out_before_are_those_found_without(text: str) -> None:
    from policylint.secrets import shape_starts, tokens

    assert tokens(text, shape_starts(text)) == tokens(text)
    assert tokens(text, frozenset()) == []  # the starts given are believed: no search of their own


@pytest.mark.parametrize(("text", "shown"), [
    ("bad index [Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789] here", "bad index […] here"),
    ("'sk-live-abcdefghijklmnop1234' &", "'…' &"),  # the whole token, not its first 16 characters
    ("key -----BEGIN RSA PRIVATE KEY-----\\nMIIEab+/=\\n-----END RSA PRIVATE KEY----- end", "key … end"),
    ("AKIAABCDEFGHIJKLMNOPQR, ok", "…, ok"),
    ("skip-ahead, Bearer short, eyJ.x", "skip-ahead, Bearer short, eyJ.x"),
])
def test_a_secret_shaped_token_is_masked_whatever_file_it_came_from(text: str, shown: str) -> None:
    from policylint.secrets import redact

    assert redact(text) == shown


def test_runs_of_a_token_are_masked_and_a_value_hidden_by_its_name_is_masked_whole() -> None:
    from policylint.secrets import hidden_in, redact

    hidden = hidden_in([{"Output": "{% $x & sk-live-abcdefghijklmnop1234 %}", "DbPassword": "correcthorse",
                         "Credentials": "arn:aws:iam::111122223333:role/r",
                         "TokenUrl": "https://auth.example.com/t?next=https://x.example"}], [])
    assert redact("Expected ], got abcdefghijklmnop1234", hidden) == "Expected ], got …"
    assert redact("got correcthorse, not correcthor", hidden) == "got …, not correcthor"
    assert redact("'arn:aws:iam::111122223333:role/other' x", hidden) == \
        "'arn:aws:iam::111122223333:role/other' x"  # no run of a value hidden for its name
    assert redact("see https://docs.example.com", hidden) == "see https://docs.example.com"


def test_the_hidden_set_comes_from_the_text_too() -> None:
    from policylint.secrets import hidden_in, redact

    hidden = hidden_in([{"Output": "{% 'x' & %}"}], ["# ci token: gho_abcdefghijklmnopqrstuvwxyz0123\n"])
    assert redact("token gho_abcdefghijklmnopqrstuvwxyz0123", hidden) == "token …"
    assert redact("klmnopqrstuvwxyz0123 (a part)", hidden) == "… (a part)"


def test_what_other_processes_hide_is_what_the_report_would_work_out(workdir: Path) -> None:
    """With --jobs, the processes that read the files work out what not to show of each file
    with findings; for a file whose documents a link then changes (read on its own, then as
    a templatefile of a module, with a variable named as a password) it is worked out again."""
    import os

    from forms import find_state, machine
    from helpers import write

    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine
    from policylint.secrets import hidden_of

    flow = machine()
    find_state(flow, "Agent")["Parameters"]["HarnessArn"] = "${DbPassword}"
    find_state(flow, "Agent").pop("Retry")  # a finding in the file on its own
    write(workdir / "tf" / "flow.asl.json", json.dumps(flow))
    write(workdir / "tf" / "main.tf", 'resource "aws_sfn_state_machine" "flow" {\n  name = "flow"\n'
          '  definition = templatefile("${path.module}/flow.asl.json", {\n'
          '    DbPassword = "arn:aws:states:us-east-1:111122223333:hunter2hunter2"\n  })\n}\n')
    for i in range(4):
        write(workdir / f"f{i}" / "harness.json", json.dumps({"harness": {
            "harnessName": f"h{i}", "environmentVariables": {"PIN": f"9381{i}"}}}))
    engine = Engine()
    outcome = engine.run(discover(["."], engine.suffixes), Config(), jobs=2)
    flow_file = os.path.join("tf", "flow.asl.json")
    assert flow_file not in outcome.hidden and len(outcome.hidden) == 4
    for file, hidden in outcome.hidden.items():
        documents = [d for d in outcome.documents if d.source.path == file]
        assert hidden.forms == hidden_of(documents).forms and f"9381{file[1]}" in hidden.forms
    documents = [d for d in outcome.documents if d.source.path == flow_file]
    assert "arn:aws:states:us-east-1:111122223333:hunter2hunter2" in hidden_of(documents).forms


def test_what_processes_hide_of_a_file_two_templates_name_comes_from_both(workdir: Path) -> None:
    """With --jobs, a template's DefinitionUri file is linted in the share of files that read
    the template. Two templates in two shares name one file, each with its own password as a
    substitution: what not to show of the file is worked out from both of its documents."""
    import os

    from forms import find_state, machine
    from helpers import write

    from policylint.config import Config
    from policylint.discover import discover
    from policylint.engine import Engine
    from policylint.secrets import hidden_of

    flow = machine()
    find_state(flow, "Agent")["Parameters"]["HarnessArn"] = "${DbPassword}"
    find_state(flow, "Agent").pop("Retry")  # a finding in the file, found in each share
    write(workdir / "shared" / "flow.definition", json.dumps(flow))  # no walk finds it: each share reads it
    for folder, password in (("a", "hunter2hunter2"), ("z", "swordfish9swordfish9")):
        write(workdir / folder / "template.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n"
              "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
              "      DefinitionUri: ../shared/flow.definition\n      DefinitionSubstitutions:\n"
              f"        DbPassword: arn:aws:states:us-east-1:111122223333:{password}\n")
    for i in range(40):  # the two templates fall in different chunks
        write(workdir / f"m{i:02}" / "policy.json", json.dumps({"Version": "2012-10-17", "Statement": []}))
    engine = Engine()
    outcome = engine.run(discover(["."], engine.suffixes), Config(), jobs=2)
    flow_file = os.path.join("shared", "flow.definition")
    documents = [d for d in outcome.documents if d.source.path == flow_file]
    assert sorted(d.template.source.path for d in documents if d.template) == [  # type: ignore[misc]
        os.path.join("a", "template.yaml"), os.path.join("z", "template.yaml")]
    assert {f.document.template.source.path for f in outcome.findings  # type: ignore[union-attr]
            if f.source.path == flow_file and f.document and f.document.template} == {
        os.path.join("a", "template.yaml"), os.path.join("z", "template.yaml")}
    whole = hidden_of(documents).forms
    assert {"arn:aws:states:us-east-1:111122223333:hunter2hunter2",
            "arn:aws:states:us-east-1:111122223333:swordfish9swordfish9"} <= set(whole)
    assert outcome.hidden.get(flow_file, hidden_of(documents)).forms == whole


def test_what_a_process_hides_of_a_file_comes_from_every_document_of_it() -> None:
    """A file of several documents (an account export's roles, each a part of the file):
    what is hidden of it is worked out from all of them, not the one with the finding."""
    from policylint.engine import _hidden
    from policylint.models import IAM, Document
    from policylint.rule import Finding
    from policylint.secrets import hidden_of
    from policylint.source import Source

    data = {"Roles": [{"Tags": {"DbPassword": "correcthorse"}},
                      {"RoleName": "r", "Tags": {"ClientSecret": "batterystaple"}}]}
    source = Source("export.json", json.dumps(data))
    first, second = (Document(IAM, data["Roles"][i], source, ("Roles", i)) for i in (0, 1))
    other = Document(IAM, {}, Source("other.json", "{}"))
    found = _hidden([first, second, other], [Finding(second, ("RoleName",), "a finding")])
    assert list(found) == ["export.json"]
    assert {"correcthorse", "batterystaple"} <= set(found["export.json"].forms)
    assert found["export.json"].forms == hidden_of([first, second]).forms


def test_the_substitutions_of_each_document_of_a_file_are_hidden() -> None:
    """A file two templates name is a document per template, each with its substitutions."""
    from policylint.models import ASL, Document
    from policylint.secrets import hidden_of
    from policylint.source import Source

    source = Source("flow.asl.json", '{"Comment": "${DbPassword}"}')
    documents = [Document(ASL, {}, source, substitutions={"DbPassword": secret})
                 for secret in ("first-secret-1", "second-secret-2")]
    assert set(hidden_of(documents).forms) == {"first-secret-1", "second-secret-2"}


def test_what_keys_say_is_kept_across_files_and_forgotten_past_a_bound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from policylint import secrets

    monkeypatch.setattr(secrets, "_REMEMBERED", 3)
    assert hidden_values({"password": "hunter2hunter2", "a": "wxyz", "b": "wxyz", "c": "wxyz"}) \
        == {"hunter2hunter2"}
    assert {"password", "a", "b", "c"} <= set(secrets._BEARERS_SAID)  # kept for the next file
    assert hidden_values({"Password": "another-secret", "a": "wxyz"}) == {"another-secret"}
    assert set(secrets._BEARERS_SAID) == {"Password", "a"}  # past the bound: forgotten first
