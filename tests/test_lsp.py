"""The language server, driven the way an editor does: LSP messages over stdio."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from forms import find_state, machine, mutated

pytestmark = pytest.mark.slow  # a language server process per test: not in the quick loop


class Client:
    def __init__(self, cwd: Path) -> None:
        tests = str(Path(__file__).parent)  # `policylint lsp` with policylint's own plugins only
        path = os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        self.process = subprocess.Popen([sys.executable, "-m", "builtin_plugins", "lsp"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, method: str, params: Any, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return message.get("id")

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            assert line, "the server closed its output"
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def wait_for(self, method: str | None = None, id: int | None = None) -> dict[str, Any]:
        for _ in range(50):
            message = self.receive()
            if (method and message.get("method") == method) or (id is not None and message.get("id") == id):
                return message
        raise AssertionError(f"no {method or id}")


def test_diagnostics_hover_and_fix(workdir: Path) -> None:
    file = workdir / "flow.asl.json"
    broken = json.dumps(mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry")), indent=2)
    file.write_text(broken)
    uri = file.resolve().as_uri()
    client = Client(workdir)
    try:
        started = client.send("initialize", {"processId": None, "rootUri": workdir.resolve().as_uri(),
                                             "capabilities": {}}, request=True)
        assert client.wait_for(id=started)["result"]["capabilities"]["hoverProvider"]
        client.send("initialized", {})
        # the editor's buffer, not the file on disk, is what is linted
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "json", "version": 1, "text": broken}})
        published = client.wait_for("textDocument/publishDiagnostics")["params"]
        assert published["uri"] == uri
        (diagnostic,) = published["diagnostics"]
        assert diagnostic["code"] == "AGT306" and diagnostic["severity"] == 2
        assert diagnostic["source"] == "policylint"
        start = diagnostic["range"]["start"]
        assert broken.splitlines()[start["line"]][start["character"]:].startswith('"Agent"')

        asked = client.send("textDocument/hover", {"textDocument": {"uri": uri}, "position": start},
                            request=True)
        hover = client.wait_for(id=asked)["result"]
        assert "AGT306 agent-missing-retry" in hover["contents"]["value"]
        assert "What it does" in hover["contents"]["value"]

        fixed = json.dumps(machine(), indent=2)
        client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                               "contentChanges": [{"text": fixed}]})
        assert client.wait_for("textDocument/publishDiagnostics")["params"]["diagnostics"] == []
        assert file.read_text() == broken  # the server never writes files

        done = client.send("shutdown", None, request=True)
        client.wait_for(id=done)
        client.send("exit", None)
        assert client.process.wait(timeout=10) == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def start(workdir: Path) -> Client:
    client = Client(workdir)
    started = client.send("initialize", {"processId": None, "rootUri": workdir.resolve().as_uri(),
                                         "capabilities": {}}, request=True)
    client.wait_for(id=started)
    client.send("initialized", {})
    return client


def until(client: Client, id: int | None) -> list[dict[str, Any]]:
    """Every message up to and including the reply to request ``id``."""
    messages = [client.receive()]
    while messages[-1].get("id") != id:
        messages.append(client.receive())
    return messages


def stop(client: Client) -> None:
    done = client.send("shutdown", None, request=True)
    client.wait_for(id=done)
    client.send("exit", None)
    assert client.process.wait(timeout=10) == 0


def test_a_change_to_a_document_never_opened_is_ignored(workdir: Path) -> None:
    uri = (workdir / "never.asl.json").resolve().as_uri()
    client = start(workdir)
    try:
        client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                               "contentChanges": [{"text": "{}"}]})
        asked = client.send("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": 0}}, request=True)
        *before, reply = until(client, asked)
        assert before == []  # no error shown (it was a KeyError in a window/showMessage)
        assert reply["result"] is None and "error" not in reply
        stop(client)
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_burst_of_changes_is_linted_once_with_the_last_text(workdir: Path) -> None:
    file = workdir / "flow.asl.json"
    clean = json.dumps(machine(), indent=2)
    file.write_text(clean)
    uri = file.resolve().as_uri()
    client = start(workdir)
    try:
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "json", "version": 1, "text": clean}})
        assert client.wait_for("textDocument/publishDiagnostics")["params"]["diagnostics"] == []
        broken = json.dumps(mutated("JSONPath", lambda m, _: find_state(m, "Agent").pop("Retry")), indent=2)
        for version in range(2, 12):
            text = broken if version == 11 else clean.replace("Support agent", f"edit {version}")
            client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                   "contentChanges": [{"text": text}]})
        published = client.wait_for("textDocument/publishDiagnostics")["params"]["diagnostics"]
        assert [d["code"] for d in published] == ["AGT306"]  # the first lint after the burst: the last text
        asked = client.send("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": 0}}, request=True)
        *before, _ = until(client, asked)
        assert before == []  # nothing else was published: the burst was linted once
        stop(client)
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_terraform_file_sees_the_rest_of_its_module(workdir: Path) -> None:
    """The harness's role is in another file of the module: followed, so its timeout is the
    only finding, and nothing from the other file is published for this one."""
    (workdir / "iam.tf").write_text('resource "aws_iam_role" "h" {\n  name = "h"\n'
                                    '  assume_role_policy = "{}"\n}\n')
    text = ('resource "aws_bedrockagentcore_harness" "h" {\n  harness_name       = "h"\n'
            "  execution_role_arn = aws_iam_role.h.arn\n  max_iterations     = 5\n"
            '  model {\n    bedrock_model_config {\n      model_id = "anthropic.claude-sonnet-4"\n'
            "    }\n  }\n"
            "  memory {\n    disabled {}\n  }\n  allowed_tools      = [\"@builtin/file_operations\"]\n"
            "  max_tokens         = 100\n  timeout_seconds    = 1200\n}\n")
    file = workdir / "harness.tf"
    file.write_text(text)
    client = start(workdir)
    try:
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": file.resolve().as_uri(), "languageId": "terraform", "version": 1, "text": text}})
        published = client.wait_for("textDocument/publishDiagnostics")["params"]
        assert [d["code"] for d in published["diagnostics"]] == ["HRN401"]
        stop(client)
    finally:
        if client.process.poll() is None:
            client.process.kill()


def diagnostics_of(workdir: Path, root: Path, file: Path) -> list[dict[str, Any]]:
    """What the server publishes for ``file`` opened in an editor whose workspace is ``root``."""
    client = Client(workdir)
    try:
        started = client.send("initialize", {"processId": None, "rootUri": root.resolve().as_uri(),
                                             "capabilities": {}}, request=True)
        client.wait_for(id=started)
        client.send("initialized", {})
        client.send("textDocument/didOpen", {"textDocument": {
            "uri": file.resolve().as_uri(), "languageId": "yaml", "version": 1, "text": file.read_text()}})
        published = client.wait_for("textDocument/publishDiagnostics")["params"]["diagnostics"]
        stop(client)
        return published
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_buffer_reads_nothing_out_of_its_workspace(workdir: Path) -> None:
    """A DefinitionUri out of the workspace is not read: before, the outside definition was
    linted and its agent task's name came back in the template's IAM504."""
    flow = mutated("JSONPath", lambda m, _: None)
    flow["States"]["LeakedStateName"] = flow["States"].pop("Agent")
    flow["StartAt"] = "LeakedStateName"
    (workdir / "outside").mkdir()
    (workdir / "outside" / "flow.asl.json").write_text(json.dumps(flow))
    (workdir / "ws").mkdir()
    template = workdir / "ws" / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Machine:\n"
                        "    Type: AWS::Serverless::StateMachine\n    Properties:\n"
                        "      DefinitionUri: ../outside/flow.asl.json\n      Policies:\n"
                        "        - Version: '2012-10-17'\n          Statement:\n"
                        "            - {Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::b/*'}\n")
    published = diagnostics_of(workdir, workdir / "ws", template)
    assert [d["code"] for d in published] == ["PL005"]
    assert "outside the linted folder" in published[0]["message"]
    assert not any("LeakedStateName" in d["message"] for d in published)


def test_diagnostics_mask_every_part_of_a_secret(workdir: Path) -> None:
    file = workdir / "flow.asl.yaml"
    file.write_text("QueryLanguage: JSONata\nStartAt: A\nStates:\n  A:\n    Type: Pass\n"
                    "    Output: \"{% 'Bearer qrstuvwxyz0123456789' & %}\"\n    End: true\n")
    published = diagnostics_of(workdir, workdir, file)
    assert [d["code"] for d in published] == ["ASL107"]
    assert "z0123456789" not in published[0]["message"]


def test_a_terraform_finding_is_published_for_the_file_it_is_reported_in(workdir: Path) -> None:
    """A value the root passes to a module it calls is reported at the root's argument: the
    root's buffer shows it (the modules it calls are read with it), the module's does not;
    a local of another file of the module is shown in that file's buffer only."""
    from helpers import position_of
    from test_terraform_positions import LEAF, ROOT, tree

    tree(workdir, leaf=LEAF.replace("TimeoutSeconds = var.timeout", "TimeoutSeconds = local.timeout"))
    (workdir / "modules" / "machine" / "locals.tf").write_text("locals {\n  timeout = 2400\n}\n")
    client = start(workdir)
    try:
        published = {}
        for name in ("main.tf", "modules/flow/main.tf", "modules/machine/main.tf",
                     "modules/machine/locals.tf"):
            file = workdir / name
            client.send("textDocument/didOpen", {"textDocument": {
                "uri": file.resolve().as_uri(), "languageId": "terraform", "version": 1,
                "text": file.read_text()}})
            params = client.wait_for("textDocument/publishDiagnostics")["params"]
            assert params["uri"] == file.resolve().as_uri()
            published[name] = [(d["code"], d["range"]["start"]["line"] + 1,
                                d["range"]["start"]["character"] + 1)
                               for d in params["diagnostics"] if d["code"] in ("AGT301", "AGT304", "IAM507")]
        stop(client)
    finally:
        if client.process.poll() is None:
            client.process.kill()
    harness = position_of(ROOT, r'harness   = (?P<at>"arn)')
    star = position_of(ROOT, r'resources = \[(?P<at>"\*")')
    assert sorted(published["main.tf"]) == [("AGT304", *harness), ("IAM507", *star)]
    assert published["modules/flow/main.tf"] == []  # its callers' values: unknown, not guessed
    assert published["modules/machine/main.tf"] == []  # the local is in the other file
    assert published["modules/machine/locals.tf"] == [("AGT301", 2, 13)]
