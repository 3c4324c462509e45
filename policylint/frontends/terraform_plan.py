"""Terraform plan JSON (``terraform show -json plan.out``): the values Terraform knew at plan
time, for every module instance and every ``count`` / ``for_each`` instance.

Each resource of ``planned_values`` is read as its ``.tf.json`` block would be (the Terraform
front end's tables build the template view), at its place in the plan file. What the plan
knows only after apply (``resource_changes[].change.after_unknown``) is the reference the
configuration wrote when there is one (``role_arn = aws_iam_role.x.arn`` still names the
role), else unknown. Fields relied on, from Terraform's documented JSON output format:
``format_version``, ``planned_values.root_module`` (``resources`` with ``address``, ``mode``,
``type``, ``name``, ``index``, ``values``; ``child_modules`` with ``address``),
``resource_changes`` (``address``, ``change.after_unknown``) and ``configuration`` (its
modules' ``resources[].expressions.*.references`` and ``module_calls`` with ``source``).

When the configuration is in the linted folder (the root module in the plan's folder or a
folder above it, the modules it calls at their local ``source``), a finding is reported where
the ``.tf`` writes it (``configure``): the planned resource is its ``resource "TYPE" "NAME"``
block (every count / for_each instance the one block), and a path is the same path of the
Terraform front end's view of that block; a part the ``.tf`` writes as an expression is at
the expression (or, followed, at a module caller's argument), a part it does not write (a
default) at the block. Else the finding stays in the plan file.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from policylint.frontends import FrontEnd, Linked, Read, Reader
from policylint.hookspecs import hookimpl
from policylint.models import ASL, TEMPLATE, Document
from policylint.problems import UNREADABLE_FILE, UNRESOLVED_REFERENCE, file_finding
from policylint.rule import Finding
from policylint.source import EmbeddedSource, Position, Source

if TYPE_CHECKING:
    from policylint.frontends.terraform import TerraformSource

AFTER_APPLY = "${known after apply}"  # read as an expression only Terraform can evaluate


class TerraformPlan(FrontEnd):
    """A plan in Terraform's JSON output format."""

    name, order = "terraform-plan", 15
    markers = re.compile(r'"planned_values"')

    def claims(self, path: str, data: Any) -> bool:
        return isinstance(data, dict) and "format_version" in data \
            and isinstance(data.get("planned_values"), dict)

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        """The plan's view alone: its documents are made when it is placed (``configure``)."""
        view, notes = plan_view(source, data)
        if view is not None:
            view.linking.root = root
        return ([] if view is None else [view]), notes

    def waits_for_link(self, document: Document) -> bool:
        """A plan's documents are placed in the configuration once every file is read."""
        return isinstance((document.template or document).linking, Planned)

    def link(self, documents: list[Document], reader: Reader) -> Linked:
        if not any(self.waits_for_link(d) for d in documents):
            return Linked([], [], [])
        return configure(documents)


def plan_view(source: Source, plan: dict) -> tuple[Document | None, list[Finding]]:
    """The template the plan amounts to, and the resources it could not read; no view when
    it plans nothing of ours. What else reading it met is said when it is placed."""
    from policylint.frontends import hcl
    from policylint.frontends.terraform import (
        DATA_SOURCES,
        RESOURCES,
        Builder,
        TerraformSource,
        json_block,
    )

    unknown = _after_unknown(plan.get("resource_changes"))
    references = dict(_references(_get(plan, "configuration", "root_module"), ""))
    tf = TerraformSource(source.path, source.text)
    builder = Builder(tf)
    names: dict[str, str] = {}
    refused: list[Finding] = []
    planned = Planned({}, dict(_calls(_get(plan, "configuration", "root_module"), ())))
    for where, module, resource in _resources(_get(plan, "planned_values", "root_module"), ("planned_values",
                                                                                         "root_module")):
        kind = "resource" if resource.get("mode") == "managed" else "data"
        type_, values, address = resource.get("type"), resource.get("values"), resource.get("address")
        table = RESOURCES if kind == "resource" else DATA_SOURCES
        if not isinstance(type_, str) or type_ not in table or not isinstance(values, dict) \
                or not isinstance(address, str):
            continue
        configured = references.get(_config_address(address))
        values = _with_unknowns(values, unknown.get(address), configured, module)
        label = _in_module(address.removeprefix(f"{module}.").removeprefix("data.").removeprefix(f"{type_}."),
                           module)
        try:
            block = json_block(source, kind, (type_, label), values, (*where, "values"))
        except hcl.HclError as error:  # values nested past what is walked
            refused.append(file_finding(source, f"{address}: {error.message}; it was not linted",
                                        UNREADABLE_FILE, error.position))
            continue
        builder.add(block)
        name = f"{type_}.{label}" if kind == "resource" else f"data.{type_}.{label}"
        names[name] = address
        configured_name = resource.get("name")
        if isinstance(configured_name, str):
            prefix = "" if kind == "resource" else "data."
            planned.resources[name] = (_module_path(module), f"{prefix}{type_}.{configured_name}")
    if not builder.resources:
        return None, refused
    view = Document(TEMPLATE, {"Resources": builder.resources}, tf)
    view.names, view.variables, view.snake_case, view.derived = names, True, True, True
    planned.notes = builder.notes
    view.linking = planned
    return view, refused


class Planned:
    """What places a plan's view in its configuration: each resource of the view (its name
    there) as (the module calls it is in, its configuration address); each module call's
    ``source``; the linted folder (nothing is read outside it); the notes met reading it
    (view path, message)."""

    def __init__(self, resources: dict[str, tuple[tuple[str, ...], str]],
                 calls: dict[tuple[str, ...], str]) -> None:
        self.resources, self.calls = resources, calls
        self.root: str | None = None
        self.notes: list[tuple[tuple, str]] = []


_MODULE = re.compile(r'module\.([A-Za-z_][\w-]*)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?')


def _module_path(address: str) -> tuple[str, ...]:
    """The module calls of a module instance's address (``module.a[0].module.b["x"]``: a, b)."""
    return tuple(_MODULE.findall(address))


def _calls(module: Any, at: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """(module calls, ``source``) of each call the configuration's modules make."""
    calls = module.get("module_calls") if isinstance(module, dict) else None
    for name, call in (calls.items() if isinstance(calls, dict) else ()):
        if isinstance(call, dict) and isinstance(name, str):
            if isinstance(call.get("source"), str):
                yield (*at, name), call["source"]
            yield from _calls(call.get("module"), (*at, name))


def configure(documents: list[Document]) -> Linked:
    """Each plan's view placed in the configuration it was planned from, when that is in the
    linted folder: a new view whose resources are moved to their blocks in the ``.tf`` files
    (the views the run read, or read here), its state machines to their definitions (their
    positions are the ``.tf``'s), with the documents it holds; the loaded view stays as read."""
    from policylint.frontends.cloudformation import template_documents
    from policylint.frontends.terraform import Followed

    modules: dict[str, list[Document]] = {}
    for document in documents:
        if document.kind == TEMPLATE and isinstance(document.linking, Followed):
            modules.setdefault(document.namespace, []).append(document)
    read: dict[str, list[Document]] = {}  # the views of the folders read here
    linked: set[str] = set()  # the folders read here whose modules were linked
    added: list[Document] = []
    notes: list[Finding] = []
    plans = [d for d in documents if d.kind == TEMPLATE and isinstance(d.linking, Planned)]
    for loaded in plans:
        plan = _successor(loaded)
        moved = _place(plan, modules, read, linked)
        notes.extend(Finding(plan, path, message, "value", code=UNRESOLVED_REFERENCE.code)
                     for path, message in plan.linking.notes)
        held, said = template_documents(plan, plan.linking.root)
        notes.extend(said)
        for document in held:
            if document.kind == ASL and document.data is not None \
                    and isinstance(document.source, EmbeddedSource) and document.logical_id in moved:
                source = Configured(document.source, *moved[document.logical_id])
                document = Document(ASL, document.data, source, document.root, document.substitutions,
                                    plan, document.logical_id)
            added.append(document)
    return Linked(list(plans), added, notes)  # a loaded plan is its view alone (``read``)


def _successor(plan: Document) -> Document:
    """What stands for a loaded plan's view once placed: the same data, and a source whose
    maps are its own (placing it adds to them)."""
    from policylint.frontends.terraform import TerraformSource

    source = plan.source
    assert isinstance(source, TerraformSource)
    new = Document(TEMPLATE, plan.data, source.copy())
    new.names, new.variables, new.snake_case, new.derived = plan.names, plan.variables, plan.snake_case, True
    new.linking = plan.linking
    return new


def _place(plan: Document, modules: dict[str, list[Document]], read: dict[str, list[Document]],
           linked: set[str]) -> dict[str, tuple[TerraformSource, tuple]]:
    """Move the plan view's resources to their blocks; returns, for each state machine, where
    its definition is written in the configuration."""
    from policylint.frontends.terraform import TerraformSource

    planned: Planned = plan.linking
    source = plan.source
    assert isinstance(source, TerraformSource)
    folders = _folders(plan, modules, read)
    unlinked = [folder for folder in folders.values() if folder in read and folder not in linked]
    if unlinked:  # the modules read here: their values followed, callers' arguments found
        from policylint.frontends.terraform_link import link_modules

        linked.update(unlinked)
        made = link_modules([view for folder in unlinked for view in read[folder]]).added
        for done in unlinked:  # the linked views stand for those read
            read[done] = [d for d in made if d.kind == TEMPLATE and d.template is None
                          and d.namespace == done]
    definitions: dict[str, tuple[TerraformSource, tuple]] = {}
    blocks: dict[str, dict[str, tuple[Document, str]]] = {}  # by folder
    for name, (calls, address) in planned.resources.items():
        folder = folders.get(calls)
        if folder is not None and folder not in blocks:
            blocks[folder] = _blocks(modules.get(folder) or read.get(folder) or [])
        found = blocks[folder].get(address) if folder is not None else None
        if found is None:
            continue
        view, configured = found
        home = view.source
        assert isinstance(home, TerraformSource)
        source.moved[("Resources", name)] = (home, ("Resources", configured))
        properties = plan.data["Resources"][name].get("Properties", {})
        if "DefinitionString" in properties:
            written = view.data["Resources"][configured].get("Properties", {})
            key = next((k for k in ("Definition", "DefinitionString", "DefinitionUri")
                        if k in written or ("Resources", configured, "Properties", k) in home.places), None)
            if key is not None:
                target = ("Resources", configured, "Properties", key)
                source.moved[("Resources", name, "Properties", "DefinitionString")] = (home, target)
                definitions[name] = (home, target)
    source.planned = True
    return definitions


def _blocks(views: Sequence[Document]) -> dict[str, tuple[Document, str]]:
    """Each address of a module's blocks: the view (a file of the module) that has it, and
    its name there (a for_each resource is one a key there: the first)."""
    found: dict[str, tuple[Document, str]] = {}
    for view in views:
        for name in view.data["Resources"]:
            found.setdefault(name.split("[", 1)[0] if name.endswith("]") else name, (view, name))
    return found


def _folders(plan: Document, modules: dict[str, list[Document]],
             read: dict[str, list[Document]]) -> dict[tuple[str, ...], str]:
    """The folder of each module of the plan (by its calls): the root module's is the plan's
    folder or one above it (in the linted folder) whose ``.tf`` files hold the most of its
    resources and calls; a call's is its local ``source`` from its caller's folder."""
    planned: Planned = plan.linking
    root = planned.root or os.path.dirname(os.path.abspath(plan.source.path))  # no bound said: its own
    top = [address for calls, address in planned.resources.values() if not calls]
    names = {calls[0] for calls in planned.calls if len(calls) == 1}
    best, score = None, 0
    folder = os.path.dirname(os.path.abspath(plan.source.path))
    for _ in range(MAX_UP):
        views = _views(folder, modules, read, root)
        blocks = _blocks(views)
        found = sum(1 for a in top if a in blocks) + len(names & _called(views))
        if found > score:
            best, score = folder, found
        parent = os.path.dirname(folder)
        if parent == folder or (root is not None and not _inside(parent, root)):
            break
        folder = parent
    if best is None:
        return {}
    folders: dict[tuple[str, ...], str] = {(): best}
    for calls in sorted(planned.calls, key=len):
        source, caller = planned.calls[calls], folders.get(calls[:-1])
        if caller is None or not source.startswith(("./", "../")):
            continue
        child = os.path.normpath(os.path.join(caller, source))
        if (root is None or _inside(child, root)) and _views(child, modules, read, root):
            folders[calls] = child
    return folders


MAX_UP = 8  # folders above the plan's looked at for its root module at most


def _called(views: Sequence[Document]) -> set[str]:
    return {block.labels[0] for view in views for block in view.linking.modules}


def _inside(path: str, root: str) -> bool:
    from policylint.paths import is_within

    return is_within(path, root)


def _views(folder: str, modules: dict[str, list[Document]], read: dict[str, list[Document]],
           root: str | None) -> list[Document]:
    """The Terraform views of a folder's files: those the run read, else read here (in the
    linted folder only), once; the modules read here linked among themselves."""
    if folder in modules:
        return modules[folder]
    if folder not in read:
        read[folder] = _read_module(folder, root)
    return read[folder]


def _read_module(folder: str, root: str | None) -> list[Document]:
    """The views of the ``.tf`` files of ``folder``, its module's values followed."""
    from policylint.frontends.terraform import template_view
    from policylint.limits import MAX_BYTES
    from policylint.paths import read_setting_file

    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    views: list[Document] = []
    for name in names:
        if not name.lower().endswith((".tf", ".tf.json")):
            continue
        path = os.path.join(folder, name)
        try:
            raw = read_setting_file(path, root, MAX_BYTES)  # in the linted folder, regular, bounded
            if len(raw) > MAX_BYTES or b"\0" in raw:
                continue
            view, _ = template_view(Source(path, raw.decode("utf-8-sig")), root)
        except Exception:  # a file the run would report as unreadable: no place from it
            continue
        if view is not None:
            views.append(view)
    return views


class Configured(EmbeddedSource):
    """A plan's definition string whose state machine is written in the configuration: a
    path of the machine is that path of the definition there (``home`` at ``at``)."""

    view_paths = True

    def __init__(self, embedded: EmbeddedSource, home: TerraformSource, at: tuple) -> None:
        super().__init__(embedded.parent, embedded.text, embedded.segments)
        self.home, self.at = home, at

    def where(self, path: Any, at: str = "key") -> tuple[str, int, int]:
        source, found, _ = self.home.written((*self.at, *path), at)
        return (source.path, *source._here(found, at, True))

    def file_of(self, path: Any, at: str = "key") -> str:
        return self.home.written((*self.at, *path), at)[0].path

    def elsewhere(self) -> list[Source]:
        return [self.home]

    def locate(self, path: Any, at: str = "key") -> Position:
        return self.where(path, at)[1:]

    def scalar_position(self, path: Any, offset: int) -> Position:
        source, found, _ = self.home.written((*self.at, *path), "value")
        if found in source.places or found in source.heredocs:
            return source.scalar_position(found, offset)
        return source._here(found, "value", True)


def _resources(module: Any, where: tuple) -> Iterator[tuple[tuple, str, dict]]:
    """(path in the plan, module address, resource) of a module and its children, depth first."""
    if not isinstance(module, dict):
        return
    address = module.get("address")
    address = address if isinstance(address, str) else ""
    for i, resource in enumerate(module.get("resources") or ()):
        if isinstance(resource, dict):
            yield (*where, "resources", i), address, resource
    for i, child in enumerate(module.get("child_modules") or ()):
        yield from _resources(child, (*where, "child_modules", i))


def _after_unknown(changes: Any) -> dict[str, Any]:
    return {c["address"]: _get(c, "change", "after_unknown") for c in changes or ()
            if isinstance(c, dict) and isinstance(c.get("address"), str)}


def _references(module: Any, prefix: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(resource address without instance keys, attribute -> the first reference its
    expression makes) for the configuration's modules."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or ():
        expressions = resource.get("expressions") if isinstance(resource, dict) else None
        if isinstance(expressions, dict) and isinstance(resource.get("address"), str):
            yield f"{prefix}{resource['address']}", {
                name: refs[0] for name, e in expressions.items() if isinstance(e, dict)
                for refs in [e.get("references")]
                if isinstance(refs, list) and refs and isinstance(refs[0], str)}
    calls = module.get("module_calls")
    for name, call in (calls.items() if isinstance(calls, dict) else ()):
        if isinstance(call, dict):
            yield from _references(call.get("module"), f"{prefix}module.{name}.")


_INSTANCE = re.compile(r"\[[^\]]*\]")


def _config_address(address: str) -> str:
    return _INSTANCE.sub("", address)


def _with_unknowns(values: dict, unknown: Any, references: dict[str, str] | None, module: str) -> dict:
    """``values`` with each attribute only known after apply set to the resource the
    configuration referred to (in the view's names), else to an unknown expression."""
    if not isinstance(unknown, dict):
        return values
    values = dict(values)
    for name, flag in unknown.items():
        if flag is True and values.get(name) is None:
            reference = _in_view((references or {}).get(name), module)
            values[name] = f"${{{reference}}}" if reference else AFTER_APPLY
    return values


_NOT_WORD = re.compile(r"[^\w-]")


def _in_module(name: str, module: str) -> str:
    """The name the view gives a resource ``name`` of ``module`` (its address is what
    findings show): one a reference can name, word characters only after the name
    (``sfn`` of ``module.app[0]`` is ``sfn--module_app_0_``)."""
    return f"{name}--{_NOT_WORD.sub('_', module)}" if module else name


def _in_view(reference: str | None, module: str) -> str | None:
    """A configuration's reference to a resource of its module, as the view names it
    (``aws_iam_role.x.arn`` in ``module.a`` is ``aws_iam_role.x--module_a.arn``); None for
    variables, locals and module outputs, which the plan does not say."""
    if reference is None or reference.startswith(("var.", "local.", "module.", "each.", "count.", "path.")):
        return None
    head, _, rest = reference.partition(".")
    prefix = head
    if head == "data":
        type_, _, rest = rest.partition(".")
        prefix = f"data.{type_}"
    name, dot, attribute = rest.partition(".")
    return f"{prefix}.{_in_module(name, module)}{dot}{attribute}"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


@hookimpl
def policylint_frontends() -> list[FrontEnd]:
    return [TerraformPlan()]
