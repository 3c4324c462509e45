"""Terraform: a ``.tf`` file read as the CloudFormation template it amounts to.

Each resource policylint knows becomes a template resource named by its Terraform address
(``aws_iam_role.workflow``), with the properties the rules read, so every rule and the
cross-file index work on Terraform unchanged:

- ``aws_sfn_state_machine``: ``definition`` as ``jsonencode({...})`` (a ``Definition``), a
  heredoc or string (a ``DefinitionString``), or ``file()`` / ``templatefile()`` of a local
  file (a ``DefinitionUri``: the file is linted, its ``${var}`` unknown); ``role_arn``,
  ``type`` and ``logging_configuration``;
- IAM: ``aws_iam_role`` (``assume_role_policy``, ``inline_policy``, ``managed_policy_arns``),
  ``aws_iam_role_policy``, ``aws_iam_policy`` and ``aws_iam_role_policy_attachment``,
  ``aws_iam_policy_document`` data sources, and the resource policies of S3 buckets, SQS
  queues and Lambda permissions, and VPC endpoint policies (``aws_vpc_endpoint``,
  ``aws_vpc_endpoint_policy``);
- ``aws_bedrockagentcore_harness``, ``_gateway``, ``_agent_runtime``, ``_memory`` and
  ``_policy_engine``, their arguments named as in the CloudFormation resource schema
  (``AWS::BedrockAgentCore::Harness``, ``::Gateway``, ...; from cfn-lint);
- ``aws_cloudwatch_log_group`` (the retention AGT321 reads).

- ``aws_organizations_policy``: an SCP's or RCP's ``content`` (a policy that grants nothing).

References become what CloudFormation would write: ``aws_iam_role.r.arn`` a
``Fn::GetAtt``, ``.name`` or ``.id`` a ``Ref``, ``data.aws_iam_policy_document.d.json`` a
``Ref`` to the policy document. Inside a state machine, a reference is the ``${...}`` a
heredoc would hold. The files of one folder are one module: ``namespace`` is the folder, and
``terraform_link`` joins them once every file is read (what each file cannot know alone,
``Followed``, waits for it).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from policylint.frontends import hcl, hcl_tree
from policylint.models import TEMPLATE, Document
from policylint.models.agentcore import GATEWAY, MEMORY, POLICY_ENGINE, RUNTIME
from policylint.models.iam import ROLE_POLICY_ATTACHMENT
from policylint.problems import PARSE_ERROR, UNREADABLE_FILE, file_finding
from policylint.rule import Finding
from policylint.source import Position, Source, json_locate, walk_escapes

HARNESS_TYPE = "AWS::BedrockAgentCore::Harness"
POLICY_DOCUMENT = "Terraform::IAM::PolicyDocument"  # an aws_iam_policy_document data source
# Terraform's data sources for what CloudFormation calls pseudo-parameters.
_PSEUDO = {"aws_partition": "AWS::Partition", "aws_region": "AWS::Region",
           "aws_caller_identity": "AWS::AccountId"}
_ATTRIBUTE = {"arn": "Arn", "name": None, "id": None}  # None: what a CloudFormation Ref gives


class TerraformSource(Source):
    """A ``.tf`` file: the view's paths and where each was written, worked out as the view
    is built (``places``); heredocs, whose text has positions of its own (``heredocs``); values
    written in another place (``moved``: a module caller's argument, a variable's default, a
    local put in where the module names it; a planned resource's block in the configuration),
    each at its path in the source written in."""

    view_paths = True

    def __init__(self, path: str, text: str) -> None:
        super().__init__(path, text)
        self.places: dict[tuple, tuple[Position, Position]] = {}
        self.heredocs: dict[tuple, hcl.Heredoc] = {}
        self.moved: dict[tuple, tuple[TerraformSource, tuple]] = {}
        # A plan's: what it moves is the configuration the plan was made from, where a value
        # the plan knows may be written as an expression (``var.x``): a part of it is there.
        self.planned = False
        self.unsure: set[tuple] = set()  # paths several values are put in at: not moved

    def written(self, path: Any, at: str = "key") -> tuple[TerraformSource, tuple, bool]:
        """The source, and the path there, where the key (or value) at ``path`` is written:
        a value put in from elsewhere is where that value is written (its key stays here);
        and whether it came through a plan (a part of a value may be at its expression)."""
        source, path, planned = self, tuple(path), False
        for _ in range(MAX_MOVES):
            if not source.moved:
                break
            for length in range(len(path), 0, -1):
                target = source.moved.get(path[:length])
                if target is not None and (length < len(path) or at == "value"):
                    planned = planned or source.planned
                    source, path = target[0], (*target[1], *path[length:])
                    break
            else:
                break
        return source, path, planned

    def where(self, path: Any, at: str = "key") -> tuple[str, int, int]:
        source, path, planned = self.written(path, at)
        return (source.path, *source._here(path, at, planned))

    def file_of(self, path: Any, at: str = "key") -> str:
        return self.written(path, at)[0].path

    def elsewhere(self) -> list[Source]:
        return list({id(target): target for target, _ in self.moved.values() if target is not self}.values())

    def locate(self, path: Any, at: str = "key") -> Position:
        """Line and column in the file ``file_of`` names (a value from elsewhere: there)."""
        return self.where(path, at)[1:]

    def _here(self, path: tuple, at: str, planned: bool = False) -> Position:
        """The place of ``path`` in this file, or of its nearest ancestor: the ancestor's key,
        or, reached from a plan, its value (the expression that makes the part)."""
        return self._find(path, at, planned)[0]

    def _find(self, path: tuple, at: str, planned: bool) -> tuple[Position, bool]:
        """``_here``, and whether the place is the path's own (not an ancestor's)."""
        for length in range(len(path), -1, -1):
            head = path[:length]
            heredoc = self.heredocs.get(head)
            if heredoc is not None and length < len(path):  # inside a policy written as JSON
                found = json_locate(heredoc.text, path[length:])
                if found is not None:
                    key, value = found
                    exact = json_locate(heredoc.text, path[length:-1]) != found  # else the parent's
                    return heredoc.position(key if at == "key" and key is not None else value), exact
            if head in self.places:
                key_pos, value_pos = self.places[head]
                if length < len(path):
                    return (value_pos if planned else key_pos), False
                return (key_pos if at == "key" else value_pos), True
        return (1, 1), False

    def scalar_position(self, path: Any, offset: int) -> Position:
        source, path, planned = self.written(path, "value")
        heredoc = source.heredocs.get(path)
        if heredoc is not None:
            return heredoc.position(0 if planned else offset)
        (line, column), exact = source._find(path, "value", planned)
        start = source.index_of((line, column))
        if planned or not exact or not source.text.startswith('"', start):
            return line, column  # a plan's text may differ from the .tf's; a part, or no string: the start
        return source.position_of_index(walk_escapes(source.text, start + 1, offset, '"'))

    def release(self) -> None:
        pass  # the places are the positions: nothing to rebuild

    def copy(self) -> TerraformSource:
        """The same file with maps of its own, for a link to add to (this one's stay as read)."""
        other = TerraformSource(self.path, self.text)
        other.places, other.heredocs, other.moved = dict(self.places), dict(self.heredocs), dict(self.moved)
        other.planned, other.unsure = self.planned, set(self.unsure)
        return other


MAX_MOVES = 16  # a value followed through at most so many places it was put in from


def template_view(source: Source, root: str | None = None) -> tuple[Document | None, list[Finding]]:
    """The template a ``.tf`` file amounts to, and the findings that stop reading it; no view
    when the file declares nothing of ours. What it cannot follow alone is said, and its
    documents are made, when its module is linked (``link_modules``); ``root`` is the linted
    folder, out of which no DefinitionUri is read."""
    if not OURS.search(source.text):
        return None, []
    tf = TerraformSource(source.path, source.text)
    try:
        body, builder = _build(source, tf)
    except hcl.HclError as error:  # refused (too deep, too costly): PL002; any other: PL001
        refused = isinstance(error, hcl.Refused)
        message = f"{error.message}; it was not linted" if refused else f"invalid Terraform: {error.message}"
        return None, [file_finding(tf, message, UNREADABLE_FILE if refused else PARSE_ERROR, error.position)]
    values = _module_values(body)
    # literal locals are put in wherever they are named; a variable's default only where a
    # whole value is asked (a definition, a for_each, merged documents): a caller may give another
    locals_ = {name: raw for name, (raw, block, _) in values.items()
               if name.startswith("local.") and block is not None and is_literal(raw)}
    if not builder.resources and not values and not any(b.type == "module" for b in body.blocks):
        return None, []
    view = Document(TEMPLATE, {"Resources": builder.resources}, tf)
    view.names = {name: name for name in builder.resources}
    view.variables = True  # every ${...} is Terraform's to fill
    view.namespace = os.path.dirname(os.path.abspath(source.path))
    view.local_values = locals_
    view.linking = Followed(values, builder, [b for b in body.blocks
                                                if b.type == "module" and len(b.labels) == 1], root)
    view.snake_case = True
    return view, []


class Followed:
    """What of a file ``link_modules`` follows once its module is known: the module's values
    (``local.X``, ``var.X``), definitions named by a local or variable, dynamic statements,
    merged documents, module calls, counts and for_each, files named from the root module;
    the notes met reading it (view path, message), and the linted folder (``root``)."""

    def __init__(self, values: dict, builder: Builder, modules: list[hcl.Block], root: str | None) -> None:
        self.values, self.modules, self.notes, self.root = values, modules, builder.notes, root
        self.pending, self.counts, self.for_each = builder.pending, builder.counts, builder.for_each
        self.root_files, self.dynamics, self.merges = builder.root_files, builder.dynamics, builder.merges


def _module_values(body: hcl.Block) -> dict[str, tuple[Any, hcl.Block | None, tuple]]:
    """The values a module names: ``local.NAME`` (as written) and ``var.NAME`` (its default;
    None, with no block, when it has none), each with its block and its path there."""
    values: dict[str, tuple[Any, hcl.Block | None, tuple]] = {}
    for block in body.blocks:
        if block.type == "locals":
            for name, value in block.attributes.items():
                values[f"local.{name}"] = (value, block, (name,))
        elif block.type == "variable" and len(block.labels) == 1:
            name = f"var.{block.labels[0]}"
            known = "default" in block.attributes  # null too: the value when no caller gives one
            values[name] = (block.attributes["default"], block, ("default",)) if known else (None, None, ())
    return values


def _build(source: Source, tf: TerraformSource) -> tuple[hcl.Block, Builder]:
    """The file's blocks, and the builder that made resources of them."""
    try:
        body = _json_syntax(source) if source.path.lower().endswith(".json") else hcl_tree.parse(source.text)
        builder = Builder(tf)
        builder.template_files = {b.labels[1]: b for b in body.blocks if b.type == "data"
                                  and len(b.labels) == 2 and b.labels[0] == "template_file"}
        for block in body.blocks:
            builder.add(block)
    except RecursionError:  # a policy or definition of JSON in a string, nested past what Python walks
        raise hcl.Refused("the file nests too deeply to be read", (1, 1)) from None
    return body, builder


# Arguments whose object values are maps, not nested blocks, in Terraform's JSON syntax.
_MAPS = frozenset({"tags", "tags_all", "environment_variables", "vars", "variables", "headers"})


def _json_syntax(source: Source) -> hcl.Block:
    """A ``.tf.json`` file (Terraform's JSON syntax, as CDK for Terraform writes it) as the
    blocks its HCL would be: an object argument is a nested block (a list of them, several),
    and ``"${...}"`` strings are expressions."""
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as error:
        raise hcl.HclError(f"not valid JSON: {error.msg}", (error.lineno, error.colno)) from None
    root = hcl.Block("", (), (1, 1))
    if not isinstance(data, dict):
        return root
    for kind in ("resource", "data"):
        groups = data.get(kind)
        for i, group in enumerate(groups if isinstance(groups, list) else [groups]):
            at = (kind, i) if isinstance(groups, list) else (kind,)
            for type_, named in (group.items() if isinstance(group, dict) else ()):
                if type_ not in (RESOURCES if kind == "resource" else DATA_SOURCES) \
                        and type_ != "template_file":  # not read: no positions to work out
                    continue
                for name, body in (named.items() if isinstance(named, dict) else ()):
                    for j, one in enumerate(body if isinstance(body, list) else [body]):
                        where = (*at, type_, name, *((j,) if isinstance(body, list) else ()))
                        if isinstance(one, dict):
                            root.blocks.append(json_block(source, kind, (type_, name), one, where))
    return root


def json_block(source: Source, type_: str, labels: tuple[str, ...], body: dict, where: tuple) -> hcl.Block:
    """The block a JSON object (at ``where`` in ``source``) stands for: objects of objects are
    nested blocks (unless a map, ``_MAPS``), the rest attributes."""
    block = hcl.Block(type_, labels, source.locate(where, "key"))
    for key, value in body.items():
        inner = (*where, key)
        items = value if isinstance(value, list) else [value]
        nested = isinstance(value, (dict, list)) and bool(items) and all(isinstance(v, dict) for v in items)
        if nested and key not in _MAPS:
            for j, item in enumerate(items):
                at = (*inner, j) if isinstance(value, list) else inner
                block.blocks.append(json_block(source, key, (), item, at))
            continue
        block.attributes[key] = _json_value(source, block, value, (key,), inner)
    return block


def _json_value(source: Source, block: hcl.Block, value: Any, path: tuple, where: tuple) -> Any:
    block.positions[path] = (source.locate(where, "key"), source.locate(where, "value"))
    if len(path) > hcl.MAX_DEPTH:
        raise hcl.Refused(f"values nest more than {hcl.MAX_DEPTH} deep", block.positions[path][1])
    if isinstance(value, dict):
        return {k: _json_value(source, block, v, (*path, k), (*where, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(source, block, v, (*path, i), (*where, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        whole = re.fullmatch(r"\$\{(.*)\}", value, re.S)
        if whole and "${" not in whole.group(1):
            return hcl_tree.expression(whole.group(1))
        return hcl.Template(value)
    if isinstance(value, str):
        block.strings[path] = _JsonString(value, source, where)
    return value


class _JsonString(NamedTuple):
    """A string of a JSON file, whose characters' positions account for its escapes."""

    text: str
    source: Source
    path: tuple

    def position(self, offset: int) -> Position:
        return self.source.scalar_position(self.path, offset)


def is_literal(value: Any) -> bool:
    """A value Terraform needs nothing to know: no reference, call, template or operator."""
    return all(not isinstance(v, (hcl.Reference, hcl.Call, hcl.Template, hcl.Unknown, hcl.Heredoc))
               for v in hcl.walk(value))


class Builder:
    """Turns blocks into template resources, recording where each value was written."""

    def __init__(self, source: TerraformSource) -> None:
        self.source = source
        self.resources: dict[str, dict] = {}
        self.notes: list[tuple[tuple, str]] = []
        self.template_files: dict[str, hcl.Block] = {}  # data "template_file" blocks, by name
        # State machines whose definition is jsonencode(local.X) or jsonencode(var.X): the
        # module's value is put in when its files are linked (address, name, view path).
        self.pending: list[tuple[str, str, tuple]] = []
        self.counts: dict[str, Any] = {}  # a resource's count or for_each, by address
        self.for_each: list[str] = []  # the resources with a for_each
        # Definition files named from the root module (path.root, path.cwd, a relative path)
        # that are not in this module's folder, or by the callers' values (var.X, local.X):
        # (address, path as written, view path).
        self.root_files: list[tuple[str, str, tuple]] = []
        # Policy documents' dynamic statements (view path, for_each, its place) and merged
        # documents (address, view path, [(source or override, value, place)]).
        self.dynamics: list[tuple[tuple, Any, hcl.Block]] = []
        self.merges: list[tuple[str, tuple, list[tuple[str, Any, tuple]]]] = []

    def add(self, block: hcl.Block) -> None:
        if len(block.labels) != 2 or block.type not in ("resource", "data"):
            return
        kind, name = block.labels
        address = f"{kind}.{name}" if block.type == "resource" else f"data.{kind}.{name}"
        build = (RESOURCES if block.type == "resource" else DATA_SOURCES).get(kind)
        if build is None:
            return
        base = ("Resources", address)
        self.source.places[base] = (block.pos, block.pos)
        self.source.places[(*base, "Properties")] = (block.pos, block.pos)
        resource_type, props = build(self, block, (*base, "Properties"))
        self.resources[address] = {"Type": resource_type, "Properties": props}
        for meta in ("count", "for_each"):
            if meta in block.attributes:
                self.counts[address] = block.attributes[meta]
        if "for_each" in block.attributes:
            self.for_each.append(address)

    # -- values ---------------------------------------------------------------------------
    def value(self, block: hcl.Block, hcl_path: tuple, view_path: tuple, in_asl: bool = False) -> Any:
        """The value written at ``hcl_path`` of ``block``, as a template value at ``view_path``."""
        return self._inner(_at(block.attributes, hcl_path), block, hcl_path, view_path, in_asl)

    def convert(self, raw: Any, block: hcl.Block, hcl_path: tuple, view_path: tuple, in_asl: bool) -> Any:
        if isinstance(raw, dict):
            return {key: self._inner(item, block, (*hcl_path, key), (*view_path, key), in_asl)
                    for key, item in raw.items()}
        if isinstance(raw, list):
            return [self._inner(item, block, (*hcl_path, i), (*view_path, i), in_asl)
                    for i, item in enumerate(raw)]
        if isinstance(raw, hcl.Call) and raw.name == "jsonencode" and len(raw.args) == 1:
            return self.convert(raw.args[0], block, (*hcl_path, "(", 0), view_path, in_asl)
        if isinstance(raw, hcl.Heredoc):
            self.source.heredocs[view_path] = raw
            return raw.text
        if isinstance(raw, str) and hcl_path in block.strings:
            self.source.heredocs[view_path] = block.strings[hcl_path]
        if isinstance(raw, hcl.Template):  # interpolation: Terraform's values, not IAM policy variables
            return raw.text if in_asl else {"Fn::Sub": raw.text}
        if isinstance(raw, hcl.Reference):
            return f"${{{raw.text}}}" if in_asl else _reference(raw)
        if isinstance(raw, (hcl.Call, hcl.Unknown)):
            return f"${{{raw.text}}}" if in_asl else {"Fn::Terraform": raw.text}
        return raw

    def _inner(self, item: Any, block: hcl.Block, hcl_path: tuple, view_path: tuple, in_asl: bool) -> Any:
        place = block.positions.get(hcl_path)
        if place is not None:
            self.source.places[view_path] = place
        if item is None or isinstance(item, (int, float)) or isinstance(item, str) and not block.strings:
            return item  # a literal (most values): as it is
        return self.convert(item, block, hcl_path, view_path, in_asl)

    def attributes(self, block: hcl.Block, view_path: tuple, names: dict[str, str]) -> dict[str, Any]:
        """The block's attributes ``names`` maps (Terraform name -> property), as properties."""
        return {prop: self.value(block, (name,), (*view_path, prop))
                for name, prop in names.items() if name in block.attributes}

    def nested(self, block: hcl.Block, view_path: tuple) -> None:
        """``view_path`` is written where ``block`` (a nested block) is."""
        self.source.places[view_path] = (block.pos, block.pos)

    def policy(self, block: hcl.Block, name: str, view_path: tuple) -> Any:
        """A policy argument (``policy``, ``assume_role_policy``): ``jsonencode`` (an object),
        a heredoc or string of JSON (parsed; positions inside it), or a reference."""
        raw = block.attributes.get(name)
        value = self.value(block, (name,), view_path)
        if isinstance(raw, (hcl.Heredoc, str)):
            text = raw.text if isinstance(raw, hcl.Heredoc) else raw
            try:
                parsed = json.loads(text)
            except ValueError:
                self.notes.append((view_path, f"{name} is not JSON policylint can read; it was not checked"))
                return {"Fn::Terraform": name}
            if isinstance(raw, str) and view_path not in self.source.heredocs:
                # a quoted HCL string: findings point at the string
                self._place_all(parsed, view_path, self.source.places[view_path])
            return parsed
        if isinstance(raw, hcl.Template):
            self.notes.append((view_path, f"{name} is built by string interpolation; it was not checked"))
            return {"Fn::Terraform": name}
        if isinstance(raw, hcl.Call) and raw.name != "jsonencode":
            self.notes.append((view_path, self._computed(name, raw)))
        return value

    def _computed(self, name: str, call: hcl.Call) -> str:
        """What a PL005 note says of a policy a function computes: a JSON file that ``file()``
        reads in the module's folder (which is linted) is linted as a policy of its own, just not
        as this one; a file elsewhere (``../x.json``, ``${path.root}/x.json``) may not be."""
        written = call.args[0] if call.name == "file" and call.args else None
        text = written.text if isinstance(written, hcl.Template) else written
        local = _local_path(written) if isinstance(text, str) and not text.startswith(
            ("${path.root}", "${path.cwd}")) else None
        module = os.path.dirname(os.path.abspath(self.source.path))
        file = os.path.join(module, local) if local is not None else ""
        if local is not None and local.lower().endswith(".json") and os.path.isfile(file) \
                and os.path.commonpath([module, os.path.normpath(file)]) == module:
            return (f"{name} is read from {local!r} by file(): that file is linted as a policy of its own, "
                    "not as this resource's (the checks across a role's policies do not see it)")
        return f"{name} is computed by {call.name}(); it was not checked"

    def _place_all(self, value: Any, view_path: tuple, place: tuple[Position, Position]) -> None:
        for path in paths_in(value, view_path):
            self.source.places.setdefault(path, place)


def _at(attributes: dict, path: tuple) -> Any:
    value: Any = attributes
    for step in path:
        if isinstance(value, hcl.Call) and step == "(":
            continue
        value = value.args[step] if isinstance(value, hcl.Call) else value[step]
    return value


def paths_in(value: Any, prefix: tuple) -> Iterator[tuple]:
    """``prefix`` and the path of every part of ``value`` below it."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths_in(item, (*prefix, i))


def _reference(ref: hcl.Reference) -> Any:
    """A Terraform reference as CloudFormation writes it; unknown values as a function no
    template has (``Fn::Terraform``), which every reader takes as computed."""
    parts = ref.parts
    if len(parts) >= 3 and parts[0] == "data" and parts[1] in _PSEUDO:
        return {"Ref": _PSEUDO[parts[1]]}
    if len(parts) >= 4 and parts[:2] == ("data", "aws_iam_policy_document") and parts[3] == "json":
        return {"Ref": f"data.{parts[1]}.{parts[2]}"}
    if len(parts) >= 3 and parts[0].startswith("aws_") and not parts[2].startswith("["):
        address, attribute = f"{parts[0]}.{parts[1]}", parts[2]
        cfn = _ATTRIBUTE.get(attribute, attribute)
        return {"Ref": address} if cfn is None else {"Fn::GetAtt": [address, cfn]}
    return {"Fn::Terraform": ref.text}


# -- resources ---------------------------------------------------------------------------

def _state_machine(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    props = b.attributes(block, path, {"role_arn": "RoleArn", "type": "StateMachineType", "name": "Name"})
    definition = block.attributes.get("definition")
    rendered = _rendered(b, definition)
    named = definition.args[0] if isinstance(definition, hcl.Call) and definition.name == "jsonencode" \
        and len(definition.args) == 1 else None
    if isinstance(definition, hcl.Reference) and len(definition.parts) == 2 \
            and definition.parts[0] in ("local", "var"):  # a string of JSON the module or its caller gives
        b.source.places[(*path, "DefinitionString")] = block.positions[("definition",)]
        b.pending.append((path[1], definition.text, (*path, "DefinitionString")))
    elif isinstance(named, hcl.Reference) and len(named.parts) == 2 and named.parts[0] in ("local", "var"):
        b.source.places[(*path, "Definition")] = block.positions[("definition",)]
        b.pending.append((path[1], named.text, (*path, "Definition")))
    elif rendered is not None:  # data.template_file.X.rendered: its template file and vars
        template, where = rendered
        local = _local_path(template.attributes["template"].args[0])
        given = _given_path(template.attributes["template"].args[0])
        b.source.places[(*path, "DefinitionUri")] = block.positions[("definition",)]
        if local is not None or given is not None:
            if given is not None:  # each call of the module names its file
                b.root_files.append((path[1], given, (*path, "DefinitionUri")))
            else:
                props["DefinitionUri"] = local
            if isinstance(template.attributes.get("vars"), dict):
                where_vars = (*path, "DefinitionSubstitutions")
                props["DefinitionSubstitutions"] = b.value(template, ("vars",), where_vars)
        else:
            b.notes.append(((*path, "DefinitionUri"), f"the template of {where} is computed; its state "
                            "machine was not linted"))
    elif isinstance(definition, hcl.Call) and definition.name == "jsonencode":
        props["Definition"] = b.value(block, ("definition",), (*path, "Definition"), in_asl=True)
    elif isinstance(definition, hcl.Call) and definition.name in ("file", "templatefile") and definition.args:
        b.source.places[(*path, "DefinitionUri")] = block.positions[("definition",)]
        named, variables = definition.args[0], definition.args[1] if len(definition.args) > 1 else None
        local, given = _local_path(named), _given_path(named)
        if local is None and given is None:
            b.notes.append(((*path, "DefinitionUri"), f"the definition file of {definition.text} is "
                            "computed; its state machine was not linted"))
        elif isinstance(variables, dict):
            props["DefinitionSubstitutions"] = b.value(block, ("definition", "(", 1),
                                                       (*path, "DefinitionSubstitutions"))
        if given is not None:  # each call of the module names its file
            b.root_files.append((path[1], given, (*path, "DefinitionUri")))
        elif local is not None:
            text = named.text if isinstance(named, hcl.Template) else named
            from_root = not text.startswith("${path.module}/")  # path.root, path.cwd, or relative
            here = os.path.join(os.path.dirname(os.path.abspath(b.source.path)), local)
            if from_root and not os.path.isfile(here):  # found from the root module: when linked
                b.root_files.append((path[1], local, (*path, "DefinitionUri")))
            else:
                props["DefinitionUri"] = local
    elif isinstance(definition, (hcl.Heredoc, hcl.Template, str)):
        props["DefinitionString"] = b.value(block, ("definition",), (*path, "DefinitionString"))
    elif "definition" in block.attributes:
        props["Definition"] = b.value(block, ("definition",), (*path, "Definition"))
    for logging in block.children("logging_configuration")[:1]:
        logged = (*path, "LoggingConfiguration")
        b.nested(logging, logged)
        config = b.attributes(logging, logged, {"include_execution_data": "IncludeExecutionData",
                                               "level": "Level"})
        destination = logging.attributes.get("log_destination")
        group = _log_group(destination)
        if group is not None:
            b.source.places[(*logged, "Destinations")] = logging.positions[("log_destination",)]
            arn = {"Fn::GetAtt": [group, "Arn"]}
            config["Destinations"] = [{"CloudWatchLogsLogGroup": {"LogGroupArn": arn}}]
        props["LoggingConfiguration"] = config
    return "AWS::StepFunctions::StateMachine", props


def _rendered(b: Builder, definition: Any) -> tuple[hcl.Block, str] | None:
    """The ``data "template_file"`` block (of this file) whose ``rendered`` text is the
    definition, when its template is a ``file()``."""
    if not isinstance(definition, hcl.Reference) or definition.parts[:2] != ("data", "template_file") \
            or definition.parts[3:] != ("rendered",):
        return None
    template = b.template_files.get(definition.parts[2])
    source = template.attributes.get("template") if template is not None else None
    if template is None or not (isinstance(source, hcl.Call) and source.name == "file" and source.args):
        return None
    return template, definition.text


def _local_path(value: Any) -> str | None:
    """``file("${path.module}/flow.asl.json")``'s file, relative to the module; None when it
    is computed."""
    text = value.text if isinstance(value, hcl.Template) else value
    if not isinstance(text, str):
        return None
    text = re.sub(r"^\$\{path\.(?:module|root|cwd)\}/", "", text)
    return None if "${" in text else text


# What a module may build a file's path of and still be followed: its folders, and the
# variables and locals its callers give (terraform_link works each call's path out).
_GIVEN_PATH = re.compile(r"\$\{(?:path\.(?:module|root|cwd)|(?:var|local)\.[\w-]+)\}")


def _given_path(value: Any) -> str | None:
    """``file("${path.module}/${var.definition}")``'s path as written, when it names a
    variable or local and nothing else computed; None otherwise."""
    text = value.text if isinstance(value, hcl.Template) else None
    if text is None or not re.search(r"\$\{(?:var|local)\.", text) or "${" in _GIVEN_PATH.sub("", text):
        return None
    return text


def _log_group(value: Any) -> str | None:
    text = value.text if isinstance(value, hcl.Template) else None
    match = re.fullmatch(r"\$\{(aws_cloudwatch_log_group\.[\w-]+)\.arn\}(?::\*)?", text or "")
    return match.group(1) if match else None


def _role(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    props = b.attributes(block, path, {"name": "RoleName", "managed_policy_arns": "ManagedPolicyArns",
                                       "max_session_duration": "MaxSessionDuration",
                                       "permissions_boundary": "PermissionsBoundary", "path": "Path",
                                       "description": "Description"})
    if "assume_role_policy" in block.attributes:
        props["AssumeRolePolicyDocument"] = b.policy(block, "assume_role_policy",
                                                     (*path, "AssumeRolePolicyDocument"))
    inline = []
    for i, policy in enumerate(block.children("inline_policy")):
        where = (*path, "Policies", i)
        b.nested(policy, where)
        entry = b.attributes(policy, where, {"name": "PolicyName"})
        if "policy" in policy.attributes:
            entry["PolicyDocument"] = b.policy(policy, "policy", (*where, "PolicyDocument"))
        inline.append(entry)
    if inline:
        props["Policies"] = inline
    return "AWS::IAM::Role", props


def _role_policy(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    props = b.attributes(block, path, {"name": "PolicyName"})
    if "role" in block.attributes:
        props["Roles"] = [b.value(block, ("role",), (*path, "Roles", 0))]
    if "policy" in block.attributes:
        props["PolicyDocument"] = b.policy(block, "policy", (*path, "PolicyDocument"))
    return "AWS::IAM::Policy", props


def _managed_policy(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    props = b.attributes(block, path, {"name": "ManagedPolicyName"})
    if "policy" in block.attributes:
        props["PolicyDocument"] = b.policy(block, "policy", (*path, "PolicyDocument"))
    return "AWS::IAM::ManagedPolicy", props


def _attachment(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    return ROLE_POLICY_ATTACHMENT, b.attributes(block, path, {"role": "Role", "policy_arn": "PolicyArn"})


def _resource_policy(resource_type: str, names: dict[str, str]) -> Any:
    def build(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
        props = b.attributes(block, path, names)
        if "policy" in block.attributes:
            props["PolicyDocument"] = b.policy(block, "policy", (*path, "PolicyDocument"))
        return resource_type, props
    return build


ORGANIZATION_POLICY = "AWS::Organizations::Policy"
# The Organizations policies written in the IAM policy language; tag, backup and other
# management policies have a grammar of their own and are not read.
_IAM_ORGANIZATION_POLICIES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")


def _organization_policy(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    """``aws_organizations_policy``: an SCP (the default type) or an RCP, whose ``content``
    is its policy document."""
    props = b.attributes(block, path, {"name": "Name", "type": "Type"})
    if block.attributes.get("type", "SERVICE_CONTROL_POLICY") in _IAM_ORGANIZATION_POLICIES \
            and "content" in block.attributes:
        props["PolicyDocument"] = b.policy(block, "content", (*path, "PolicyDocument"))
    return ORGANIZATION_POLICY, props


def _lambda_permission(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    return "AWS::Lambda::Permission", b.attributes(block, path, {
        "action": "Action", "function_name": "FunctionName", "principal": "Principal",
        "source_arn": "SourceArn", "source_account": "SourceAccount", "principal_org_id": "PrincipalOrgID"})


def _log_group_resource(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    return "AWS::Logs::LogGroup", b.attributes(block, path, {"retention_in_days": "RetentionInDays"})


def _activity(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    """An ``aws_sfn_activity``: what a task whose Resource is its ``id`` (its ARN) runs."""
    return "AWS::StepFunctions::Activity", b.attributes(block, path, {"name": "Name"})


def _policy_document(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
    """An ``aws_iam_policy_document`` data source as the JSON policy it renders. A ``dynamic
    "statement"`` block is one unknown statement (an intrinsic, which rules pass over) in its
    place; the documents it merges (``source_policy_documents``, ``override_policy_documents``)
    are merged when the module's files are linked (``terraform_link``)."""
    where = (*path, "PolicyDocument")
    b.nested(block, where)
    document: dict[str, Any] = {"Version": "2012-10-17"}
    b.source.places[(*where, "Version")] = (block.pos, block.pos)
    if "version" in block.attributes:
        document["Version"] = b.value(block, ("version",), (*where, "Version"))
    statements: list[Any] = []
    for child in block.blocks:
        at = (*where, "Statement", len(statements))
        if child.type == "dynamic" and child.labels[:1] == ("statement",):
            b.nested(child, at)
            statements.append({"Fn::Terraform": "dynamic statement"})
            b.dynamics.append((at, child.attributes.get("for_each"), child))
        elif child.type == "statement":
            statements.append(statement_of(b, child, at))
    document["Statement"] = statements
    merges: list[tuple[str, Any, tuple]] = [(name, block.attributes[name], (*where, name))
              for name in ("source_policy_documents", "source_json", "override_policy_documents",
                           "override_json") if name in block.attributes]
    for name, _, at in merges:
        b.source.places[at] = block.positions[(name,)]
    if merges:
        b.merges.append((path[1], where, merges))
    return POLICY_DOCUMENT, {"PolicyDocument": document}


def statement_of(b: Builder, statement: hcl.Block, at: tuple) -> dict:
    """A policy document's ``statement`` block as the IAM statement at view path ``at``."""
    b.nested(statement, at)
    entry = b.attributes(statement, at, {"sid": "Sid", "effect": "Effect", "actions": "Action",
                                         "not_actions": "NotAction", "resources": "Resource",
                                         "not_resources": "NotResource"})
    if "effect" not in statement.attributes:
        entry["Effect"] = "Allow"
        b.source.places[(*at, "Effect")] = (statement.pos, statement.pos)
    for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, Any] = {}
        for principal in statement.children(kind):
            b.nested(principal, (*at, key))
            ptype = principal.attributes.get("type")
            if not isinstance(ptype, str) or "identifiers" not in principal.attributes:
                continue
            principals[ptype] = b.value(principal, ("identifiers",), (*at, key, ptype))
        if principals:
            entry[key] = "*" if principals == {"*": ["*"]} else principals
    conditions: dict[str, dict] = {}
    for condition in statement.children("condition"):
        test, variable = condition.attributes.get("test"), condition.attributes.get("variable")
        if isinstance(test, str) and isinstance(variable, str) and "values" in condition.attributes:
            # The operator and the key are written as the values of test and variable.
            operator, named = (*at, "Condition", test), (*at, "Condition", test, variable)
            if operator not in b.source.places:
                test_at = condition.positions[("test",)][1]
                b.source.places[operator] = (test_at, test_at)
            conditions.setdefault(test, {})[variable] = b.value(condition, ("values",), named)
            key_at = condition.positions[("variable",)][1]
            b.source.places[named] = (key_at, b.source.places.get(named, (key_at, key_at))[1])
    if conditions:
        entry["Condition"] = conditions
        b.source.places.setdefault((*at, "Condition"), (statement.pos, statement.pos))
    return entry


def _agentcore(resource_type: str) -> Any:
    """A builder of an AgentCore resource: its arguments named as the CloudFormation resource
    schema of ``resource_type`` names them."""
    def build(b: Builder, block: hcl.Block, path: tuple) -> tuple[str, dict]:
        from policylint.schemas import cloudformation_schema

        schema = cloudformation_schema(resource_type)
        return resource_type, _schema_object(b, block, path, schema, schema)
    return build


def _schema_object(b: Builder, block: hcl.Block, path: tuple, schema: dict, root: dict) -> dict:
    properties = _properties(schema, root)
    found: dict[str, Any] = {}
    for name in block.attributes:
        prop = _property(name, properties)
        if prop is not None:
            found[prop] = b.value(block, (name,), (*path, prop))
    children: dict[str, list[hcl.Block]] = {}
    for child in block.blocks:
        children.setdefault(child.type, []).append(child)
    for name, blocks in children.items():
        prop = _property(name, properties)
        if prop is None:
            continue
        spec = _resolve(properties[prop], root)
        if spec.get("type") == "array":
            item = _resolve(spec.get("items", {}), root)
            found[prop] = []
            for i, child in enumerate(blocks):
                b.nested(child, (*path, prop, i))
                found[prop].append(_schema_object(b, child, (*path, prop, i), item, root))
            b.source.places[(*path, prop)] = (blocks[0].pos, blocks[0].pos)
        else:
            b.nested(blocks[0], (*path, prop))
            found[prop] = _schema_object(b, blocks[0], (*path, prop), spec, root)
    for child in block.children("dynamic"):  # its content is known only at plan time
        prop = _property(child.labels[0], properties) if child.labels else None
        if prop is not None:
            found[prop] = {"Fn::Terraform": f"dynamic {child.labels[0]}"}
            b.source.places[(*path, prop)] = (child.pos, child.pos)
    return found


def _property(name: str, properties: dict) -> str | None:
    """The schema property a Terraform argument or block is: the same words (``tool`` is
    ``Tools``, ``agentcore_memory_configuration`` is ``AgentCoreMemoryConfiguration``)."""
    wanted = name.replace("_", "").lower()
    for prop in properties:
        if prop.lower() in (wanted, wanted + "s"):
            return prop
    return None


def _properties(schema: dict, root: dict) -> dict:
    """An object's properties, with those of each variant it may be (``oneOf``, ``anyOf``:
    a gateway's AuthorizerConfiguration is one of them)."""
    properties = dict(schema.get("properties", {}))
    for variant in (*schema.get("oneOf", ()), *schema.get("anyOf", ())):
        properties.update(_resolve(variant, root).get("properties", {}))
    return properties


def _resolve(spec: dict, root: dict) -> dict:
    ref = spec.get("$ref") if isinstance(spec, dict) else None
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return root.get("definitions", {}).get(ref.rsplit("/", 1)[-1], {})
    return spec if isinstance(spec, dict) else {}


RESOURCES = {
    "aws_sfn_state_machine": _state_machine,
    "aws_sfn_activity": _activity,
    "aws_iam_role": _role,
    "aws_iam_role_policy": _role_policy,
    "aws_iam_policy": _managed_policy,
    "aws_iam_role_policy_attachment": _attachment,
    "aws_bedrockagentcore_harness": _agentcore(HARNESS_TYPE),
    "aws_bedrockagentcore_gateway": _agentcore(GATEWAY),
    "aws_bedrockagentcore_agent_runtime": _agentcore(RUNTIME),
    "aws_bedrockagentcore_memory": _agentcore(MEMORY),
    "aws_bedrockagentcore_policy_engine": _agentcore(POLICY_ENGINE),
    "aws_s3_bucket_policy": _resource_policy("AWS::S3::BucketPolicy", {"bucket": "Bucket"}),
    "aws_sqs_queue_policy": _resource_policy("AWS::SQS::QueuePolicy", {"queue_url": "Queues"}),
    "aws_vpc_endpoint": _resource_policy("AWS::EC2::VPCEndpoint", {"service_name": "ServiceName"}),
    "aws_vpc_endpoint_policy": _resource_policy("AWS::EC2::VPCEndpoint",
                                                {"vpc_endpoint_id": "VpcEndpointId"}),
    "aws_lambda_permission": _lambda_permission,
    "aws_organizations_policy": _organization_policy,
    "aws_cloudwatch_log_group": _log_group_resource,
}
DATA_SOURCES = {"aws_iam_policy_document": _policy_document}
# A .tf file holds something of ours when it names a resource or data source of the tables
# above, or has locals (which the module's other files may read); any other is not parsed.
_NAMES = "|".join(sorted({*RESOURCES, *DATA_SOURCES, "locals", "variable", "module"}))
OURS = re.compile(rf"\b(?:{_NAMES})\b")
OURS_BYTES = re.compile(rf"\b(?:{_NAMES})\b".encode())
