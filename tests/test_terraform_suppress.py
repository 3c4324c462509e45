"""Suppression comments in Terraform: `#` and `//` in .tf, a `"//"` comment key in .tf.json."""
from __future__ import annotations

import json
from pathlib import Path

from forms import FORMS, find_state, mutated
from helpers import position_of, run, write

SELECT = ("--select", "AGT306,PL003,PL004,PL007")


def no_retry(m: dict, lang: str) -> None:
    find_state(m, "Agent").pop("Retry")


def tf(workdir: Path) -> tuple[Path, str]:
    path = FORMS["terraform-jsonencode"](workdir, mutated("JSONPath", no_retry))
    return path, path.read_text()


def test_tf_finding_as_reported(workdir: Path) -> None:
    path, text = tf(workdir)
    _, findings = run(".", *SELECT)
    assert [(f["file"], f["line"], f["code"]) for f in findings] == [
        ("main.tf", position_of(text, r'"Agent": \{')[0], "AGT306")]


def test_hash_and_slash_comments_on_the_line_above(workdir: Path) -> None:
    for marker in ("#", "//"):
        path, text = tf(workdir)
        comment = f"    {marker} policylint: disable=AGT306 retried by the caller\n"
        path.write_text(text.replace('    "Agent": {', comment + '    "Agent": {'))
        assert run(".", *SELECT) == (0, []), marker


def test_disable_file_and_an_unused_one(workdir: Path) -> None:
    path, text = tf(workdir)
    path.write_text("# policylint: disable-file=agent-missing-retry legacy module\n" + text)
    assert run(".", *SELECT) == (0, [])
    text = "// policylint: disable=AGT306\n" + text
    path.write_text(text)
    _, findings = run(".", *SELECT)
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("PL004", 1, 4), ("AGT306", position_of(text, r'"Agent": \{')[0], 5)]


def test_tf_json_comment_key(workdir: Path) -> None:
    """The definition is one JSON string, on one line: a `"//"` key on the line above it
    covers every finding in it (a finding elsewhere needs its own key above it)."""
    path = FORMS["terraform-json"](workdir, mutated("JSONPath", no_retry))
    data = json.loads(path.read_text())
    _, findings = run(".", *SELECT)
    line = position_of(path.read_text(), '"definition"')[0]
    assert [(f["file"], f["line"], f["code"]) for f in findings] == [("cdk.tf.json", line, "AGT306")]
    machine = data["resource"]["aws_sfn_state_machine"]["support"]
    definition = machine.pop("definition")
    machine.update({"//": "policylint: disable=AGT306 retried by the caller", "definition": definition})
    write(path, json.dumps(data, indent=2))
    assert run(".", *SELECT, "--config", str(write(workdir / "c.yaml", "require-reason: true\n"))) == (0, [])
    machine["//"] = "policylint: disable=AGT306"
    write(path, json.dumps(data, indent=2))
    _, findings = run(".", *SELECT, "--config", str(workdir / "c.yaml"))
    assert sorted(f["code"] for f in findings) == ["AGT306", "PL007"]
