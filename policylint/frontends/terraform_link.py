"""Terraform modules joined, once every ``.tf`` file is read (``link_modules``).

The files of one folder are one module: each view sees every resource of the module. Values
are followed as Terraform evaluates them, never guessed: literal locals wherever named; a
variable's default, or what a module call passes, where a whole value is asked
(``jsonencode(var.x)``, a dynamic block's ``for_each``, merged policy documents, a
``for_each`` of resources); ``cond ? a : b`` when the condition's variables are known. Local
module calls (``source = "./x"``) are followed up to MAX_CALL_DEPTH deep, each call a scope of
its own. What stays unknown (module outputs, other data sources, function calls, a caller's
computed value) is one PL005 note where a whole value was needed, saying why.

The loaded views stay as read: new views stand for them, what the link changes copied first.
"""
from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any, NamedTuple, cast

from policylint.frontends import Linked, hcl, hcl_tree
from policylint.frontends.definitions import definition_string, literal_substitutions
from policylint.frontends.terraform import (
    ORGANIZATION_POLICY,
    POLICY_DOCUMENT,
    Builder,
    Followed,
    TerraformSource,
    is_literal,
    paths_in,
    statement_of,
)
from policylint.limits import MAX_NODES
from policylint.models import ASL, TEMPLATE, Document
from policylint.paths import is_within
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.rule import Finding
from policylint.source import Source
from policylint.values import PLACEHOLDER, is_intrinsic


def link_modules(documents: list[Document]) -> Linked:
    """The files of one folder are one Terraform module: each view sees every resource of
    the module, so ``aws_iam_role.workflow.arn`` in one file finds the role in another; and a
    ``local.NAME`` whose value is a literal, wherever the module defines it, is that value.

    A module called from another linted module (``module "x" { source = "./modules/x" }``)
    takes the values its callers give: a variable every caller gives the same value (a
    literal, or a local, variable or conditional the caller knows) is that value, followed
    up to MAX_CALL_DEPTH calls deep; a variable a caller computes stays unknown.

    The loaded views stay as read: each is replaced by a new view (``_successor``) with the
    documents it holds, and the state machines the module's values make known. The notes:
    those met reading each file; a view that its locals would expand past MAX_NODES values;
    what stayed unknown where a whole value was asked (a definition, a for_each, merged
    documents)."""
    from policylint.frontends.cloudformation import template_documents

    loaded = [d for d in documents if d.kind == TEMPLATE and isinstance(d.linking, Followed)]
    modules: dict[str, dict] = {}  # every resource of each module, by address
    for view in loaded:
        modules.setdefault(view.namespace, {}).update(view.data["Resources"])
    views = [_successor(view, modules[view.namespace]) for view in loaded]
    copies = _Copies()
    locals_: dict[str, dict] = {}
    origins = _Origins()
    for view in views:
        locals_.setdefault(view.namespace, {}).update(view.local_values)
        for name in view.local_values:
            _, block, hcl_path = view.linking.values[name]
            origins.add(view.namespace, name, (cast(TerraformSource, view.source), block, hcl_path))
    retyped = {namespace: _organization_documents(resources) for namespace, resources in modules.items()}
    for view in views:
        for address in retyped[view.namespace]:
            if view.data["Resources"].get(address) is modules[view.namespace][address]:
                copies.writable(view, (address,))["Type"] = ORGANIZATION_POLICY
    tables: dict[str, dict[str, tuple[tuple, Any]]] = {}
    for view in views:
        table = tables.setdefault(view.namespace, {})
        for name, entry in view.linking.values.items():
            table[name] = (entry, view)
    base: dict[str, _Scope] = {}
    for namespace, table in tables.items():
        base[namespace] = _Scope(namespace, table, modules, base)
    instances = _instances_of(views, base)
    # Files are found from a root module only inside the folder every linted module is in
    # (the linted folder holds it): never outside what was linted.
    bound = os.path.commonpath(list(base)) if base else None
    for namespace, scopes in instances.items():
        _known_inputs(namespace, scopes, locals_, origins)
    sizes: dict[tuple[str, str], int] = {}
    notes: list[Finding] = []
    made: list[Document] = []  # the state machines of definitions the module's values give
    written: set = set()  # the definitions linted, by where they are written: each once
    for view in views:
        notes.extend(Finding(view, path, message, "value", code=UNRESOLVED_REFERENCE.code)
                     for path, message in view.linking.notes)
        scopes = instances.get(view.namespace, [base[view.namespace]])
        notes.extend(_put_known(view, scopes, base[view.namespace], locals_[view.namespace], sizes, origins,
                                partial(copies.assign, view)))
        seen: set = set()
        for address, name, path in view.linking.pending:
            for scope in scopes:
                if scope is not base[view.namespace] and _absent(view.linking.counts.get(address), scope):
                    continue  # a call that makes none of the resource: nothing of it to lint
                for found in _definition(view, address, name, path, scope, locals_, sizes, written, origins,
                                         copies):
                    key = found.message if isinstance(found, Finding) else None
                    if key in seen:
                        continue
                    seen.add(key)
                    if isinstance(found, Document):
                        made.append(found)
                    else:
                        notes.append(found)
        notes.extend(_root_files(view, scopes, base, bound))
        notes.extend(_dynamics(view, scopes, copies))
        for address, where, merges in view.linking.merges:
            notes.extend(_merge(view, address, where, merges, scopes, copies))
        for address in view.linking.for_each:
            notes.extend(_instances(view, address, scopes))
            if address not in view.data["Resources"]:  # one resource a key: their documents stand for it
                made = [d for d in made if not (d.template is view and d.logical_id == address)]
    followed = {id(d.data) for d in made}  # a followed definition is a document where it is written
    added: list[Document] = []
    for view in views:
        held, said = template_documents(view, view.linking.root)
        added.extend(d for d in held if not (d.kind == ASL and id(d.data) in followed))
        notes.extend(said)
    gone = {id(view) for view in loaded}
    replaced = [*loaded, *(d for d in documents if id(d.template) in gone)]
    return Linked(replaced, [*added, *made], notes)


def _successor(view: Document, module: dict) -> Document:
    """What stands for a loaded view in its link: a view of its resources and its source's
    maps, each a table of its own (the link adds to them), which shares the resources of its
    ``module``; their values are the loaded view's until the link changes them (``_Copies``)."""
    source = cast(TerraformSource, view.source).copy()
    new = Document(TEMPLATE, {**view.data, "Resources": dict(view.data["Resources"])}, source)
    new.names, new.variables, new.namespace = view.names, view.variables, view.namespace
    new.local_values, new.linking, new.snake_case = view.local_values, view.linking, view.snake_case
    new.shared_resources = module
    return new


class _Copies:
    """Copy on write for one link: a part of a view's data it changes is copied first, with
    each container on the way to it, so the loaded documents' data stays as read; what it
    copied is then its own to change in place. A resource copied is the module's too."""

    def __init__(self) -> None:
        self.own: dict[int, Any] = {}  # the copies, by id (kept here: an id is not reused)

    def writable(self, view: Document, steps: tuple) -> Any:
        """The container at ``steps`` of the view's resources, the link's own to change."""
        resources = node = view.data["Resources"]
        for step in steps:
            child = node[step]
            if id(child) not in self.own:
                copied = copy.copy(child)
                self.own[id(copied)] = copied
                node[step] = copied
                shared = view.shared_resources
                if node is resources and shared is not None and shared.get(step) is child:
                    shared[step] = copied
                child = copied
            node = child
        return node

    def assign(self, view: Document, steps: list, value: Any) -> None:
        """Put ``value`` at ``steps`` of the view's resources."""
        self.writable(view, tuple(steps[:-1]))[steps[-1]] = value


MAX_KEYS = 32  # a for_each of more keys is read once, its each.* unknown


def _instances(view: Document, address: str, scopes: list[_Scope]) -> Iterator[Finding]:
    """A resource whose ``for_each`` the module knows (a literal map or set, in every call the
    same) and whose arguments name ``each.key`` or ``each.value``: one resource a key, named
    ``address["key"]``, in the view's and the module's resources in its place, ``each.*`` put
    in where it is named (found where the resource uses it); else it stays one resource with
    ``each.*`` unknown."""
    resources = view.data["Resources"]
    resource = resources.get(address)
    if resource is None or not _names_each(resource):
        return
    found = [_follow(view.linking.counts[address], scope) for scope in scopes]
    value, why = found[0]
    if why is not None or any(f != found[0] for f in found):
        return
    if isinstance(value, hcl.Call) and value.name == "toset" and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = {v: v for v in value}
    if not isinstance(value, dict) or not value or len(value) > MAX_KEYS or not is_literal(value):
        return
    if len(value) * sum(1 for _ in hcl.walk(resource)) > MAX_NODES:
        yield Finding(view, ("Resources", address), f"its {len(value)} for_each keys would make this "
                      f"resource more than {MAX_NODES:,} values; it was read once, each.* unknown", "key",
                      code=UNRESOLVED_REFERENCE.code)
        return
    del resources[address]  # the link's own table (``_successor``), as the module's is
    shared = view.shared_resources if view.shared_resources is not None else {}
    shared.pop(address, None)
    clones: dict[str, Any] = {}
    prefix = ("Resources", address)
    source = cast(TerraformSource, view.source)
    places = [(p, v) for p, v in source.places.items() if p[:2] == prefix]
    heredocs = [(p, v) for p, v in source.heredocs.items() if p[:2] == prefix]
    moved = [(p, v) for p, v in source.moved.items() if p[:2] == prefix]
    for key, item in value.items():
        name = f'{address}["{key}"]'
        clones[name] = _each(resource, key, item)
        for path, place in places:
            source.places[("Resources", name, *path[2:])] = place
        for path, heredoc in heredocs:
            source.heredocs[("Resources", name, *path[2:])] = heredoc
        for path, target in moved:
            source.moved[("Resources", name, *path[2:])] = target
    resources.update(clones)
    shared.update(clones)


def _iterator(name: str) -> re.Pattern:
    return re.compile(rf"\$\{{({re.escape(name)}\.(?:key|value(?:\.[\w-]+)*))\}}")


_EACH = _iterator("each")
_DROP = object()  # an attribute an item does not have: null, which Terraform leaves out


def _names_each(value: Any) -> bool:
    for item in hcl.walk(value):
        text = item.get("Fn::Terraform") if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(item, dict) and isinstance(item.get("Fn::Sub"), str):
            text = item["Fn::Sub"]
        if isinstance(text, str) and "each." in text:
            return True
    return False


def _each(value: Any, key: str, item: Any, name: str = "each") -> Any:
    """``value`` (a resource, as the view has it) with ``each.key`` and ``each.value...``
    of one key put in (``name`` another iterator: a dynamic block's); what names another part
    of it stays as it is. An attribute an item (an object) lacks, or has null, is left out."""
    pattern = _EACH if name == "each" else _iterator(name)
    prefix = f"{name}."

    def lookup(text: str) -> tuple[bool, Any]:
        if text == f"{name}.key":
            return True, key
        found: Any = item
        for step in text.split(".")[2:]:
            if not isinstance(found, dict):
                return False, None
            if found.get(step) is None:
                return True, _DROP
            found = found[step]
        return True, found

    def put(node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (put(v) for v in node) if v is not _DROP]
        if isinstance(node, dict):
            if len(node) == 1 and isinstance(node.get("Fn::Terraform"), str):
                known, found = lookup(node["Fn::Terraform"]) if node["Fn::Terraform"].startswith(prefix) \
                    else (False, None)
                return found if known else node
            if len(node) == 1 and isinstance(node.get("Fn::Sub"), str):
                text = pattern.sub(lambda m: _scalar(lookup(m.group(1)), m.group(0)), node["Fn::Sub"])
                return text if "${" not in text else {"Fn::Sub": text}
            return {k: v for k, v in ((k, put(v)) for k, v in node.items()) if v is not _DROP}
        if isinstance(node, str) and "${" + prefix in node:
            whole = pattern.fullmatch(node)
            if whole:
                known, found = lookup(whole.group(1))
                return found if known else node
            return pattern.sub(lambda m: _scalar(lookup(m.group(1)), m.group(0)), node)
        return node

    return put(value)


def _scalar(found: tuple[bool, Any], written: str) -> str:
    known, value = found
    if not known or isinstance(value, (dict, list)) or value is None or value is _DROP:
        return written
    return str(value).lower() if isinstance(value, bool) else str(value)


MAX_CALL_DEPTH = 10  # module calls followed at most so deep (a chain, or a cycle, stops there)
MAX_INSTANCES = 64  # calls of one module evaluated at most (through every chain of callers)


class _Scope:
    """The names one module, as one call makes it, can read: its locals and variables
    (``table``: name -> ((value, block, path), where it is written)); and every module's
    resources and uncalled scope (``base``), to follow a value into the module it is from."""

    def __init__(self, namespace: str, table: dict, modules: dict, base: dict, root: str = "") -> None:
        self.namespace, self.table, self.modules, self.base = namespace, table, modules, base
        self.root = root or namespace  # the root module's folder (path.root) as this call makes it

    def get(self, name: str) -> tuple[tuple, Any] | None:
        return self.table.get(name)

    def of(self, owner: Any) -> _Scope:
        """The scope of the module ``owner`` (a view, or a caller's argument) is written in."""
        scope = getattr(owner, "scope", None)
        if isinstance(scope, _Scope):
            return scope
        return self if owner.namespace == self.namespace else self.base[owner.namespace]


class _Given(NamedTuple):
    """A module call's argument: written in the caller's file, read in the caller's scope."""

    namespace: str
    source: Source
    scope: _Scope


def _instances_of(views: list[Document], base: dict[str, _Scope]) -> dict[str, list[_Scope]]:
    """The scopes each called module is evaluated in: one a call (``module`` blocks whose
    ``source`` is a folder of the linted modules), its variables what the call passes, the
    caller's own names read as the caller's calls make them; callers first."""
    calls: dict[str, list[tuple[Document, hcl.Block]]] = {}
    for view in views:
        for block in view.linking.modules:
            source = block.attributes.get("source")
            if isinstance(source, str) and source.startswith(("./", "../")):
                child = os.path.normpath(os.path.join(view.namespace, source))
                if child in base and child != view.namespace:
                    calls.setdefault(child, []).append((view, block))
    memo: dict[str, list[_Scope]] = {}

    def instances(namespace: str, depth: int) -> list[_Scope]:
        if namespace in memo:
            return memo[namespace]
        if namespace not in calls or depth > MAX_CALL_DEPTH:
            return [base[namespace]]
        memo[namespace] = [base[namespace]]  # a cycle of calls meets the module uncalled
        found: list[_Scope] = []
        own = base[namespace]
        for caller, block in calls[namespace]:
            for outer in instances(caller.namespace, depth + 1):
                if len(found) >= MAX_INSTANCES:
                    break
                if _absent(block.attributes.get("count", block.attributes.get("for_each")), outer):
                    continue  # a call of no instance (a wrapper's for_each over nothing)
                table = dict(own.table)
                given = _Given(caller.namespace, caller.source, outer)
                for name in table:
                    if name.startswith("var.") and name[4:] in block.attributes:
                        table[name] = ((block.attributes[name[4:]], block, (name[4:],)), given)
                found.append(_Scope(namespace, table, own.modules, own.base, outer.root))
        memo[namespace] = found or [own]
        return memo[namespace]

    return {namespace: instances(namespace, 0) for namespace in calls}


def _known_inputs(namespace: str, scopes: list[_Scope], locals_: dict[str, dict],
                  origins: _Origins) -> None:
    """A called module's variable that every call makes the same literal is put in wherever
    the module names it, like a literal local; it is written where the first call's value is
    (the caller's argument, through every level of calls; else the variable's default)."""
    for name in scopes[0].table:
        if not name.startswith("var."):
            continue
        found = [_follow(hcl.Reference(("var", name[4:]), name), scope) for scope in scopes]
        value, why = found[0]
        # null is "not set": its resource is usually counted out (count = var.x != null ? 1 : 0)
        if why is None and value is not None and is_literal(value) and all(f == found[0] for f in found):
            locals_.setdefault(namespace, {})[name] = value
            origin = _origin(hcl.Reference(("var", name[4:]), name), scopes[0])
            if origin is not None:
                origins.add(namespace, name, origin)


Origin = tuple["TerraformSource", hcl.Block, tuple]  # where a value is written: file, block, path there


class _Origins:
    """Where the value put in for each ``local.X`` / ``var.X`` of a module is written; a value
    put in is moved there (``TerraformSource.moved``), its places worked out once."""

    def __init__(self) -> None:
        self.by_module: dict[str, dict[str, Origin]] = {}
        self.placed: set[tuple[int, tuple]] = set()

    def add(self, namespace: str, name: str, origin: Origin) -> None:
        self.by_module.setdefault(namespace, {})[name] = origin

    def move(self, namespace: str, name: str, source: TerraformSource, path: tuple) -> None:
        """The value of ``name`` put in at ``path`` of ``source`` is where it is written."""
        origin = self.by_module.get(namespace, {}).get(name)
        if origin is None:
            return
        home, block, hcl_path = origin
        root = ("Terraform", block.type, *block.labels, *hcl_path)
        if (id(home), root) not in self.placed:
            self.placed.add((id(home), root))
            Builder(home).value(block, hcl_path, root)  # the places of its parts, there
        source.moved[path] = (home, root)


def _origin(raw: Any, scope: _Scope) -> Origin | None:
    """Where the value ``raw`` (a ``var.X``) is followed to is written: the last place along
    the way with a position (a conditional's branch is at the conditional)."""
    trail: list = []
    _evaluate(((raw, True, ()), _Anchor(scope.namespace)), scope, "", trail=trail)
    for (_, block, hcl_path), owner in reversed(trail):
        source = getattr(owner, "source", None)
        if isinstance(block, hcl.Block) and hcl_path in block.positions \
                and isinstance(source, TerraformSource):
            return source, block, hcl_path
    return None


def _evaluate(entry: tuple[tuple, Any], scope: _Scope, name: str,
              depth: int = 0, trail: list | None = None) -> tuple[tuple, Any]:
    """``entry`` followed through whole locals, variables and known conditionals to the value
    written; an unknown value ((None, None, (why,)), view) when it cannot be known. ``trail``
    collects each entry met on the way."""
    for _ in range(_FOLLOWED if depth < _FOLLOWED else 0):
        if trail is not None:
            trail.append(entry)
        (raw, block, _), owner = entry
        if block is None:
            return entry
        scope = scope.of(owner)
        choice = raw.branches if isinstance(raw, hcl.Unknown) else None
        if choice is not None:
            flag, why = _truth(choice[0], scope, depth + 1)
            if flag is None:
                return (None, None, (why,)), owner
            entry = ((_expression(choice[1] if flag else choice[2]), block, ()), owner)
            continue
        if isinstance(raw, hcl.Reference) and len(raw.parts) == 2 and raw.parts[0] in ("local", "var"):
            found = scope.get(raw.text)
            if found is None:
                return (None, None, (f"{raw.text} is not declared in this module",)), owner
            (_, known, why), _ = found
            if known is None:
                return (None, None, (why[0] if why else f"{raw.text} has no default: its value is the "
                                     "caller's",)), owner
            entry, name = found, raw.text
            continue
        return entry
    cut = name or getattr(entry[0][0], "text", "") or "a value"  # what was asked when the depth ran out
    return (None, None, (f"{cut}: its locals name each other too deeply",)), entry[1]


def _organization_documents(resources: dict) -> list[str]:
    """The policy document data sources that are an Organizations policy's content, and so
    that policy (it grants nothing): those nothing else uses."""
    named: dict[str, set[bool]] = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        inline = [p.get("PolicyDocument") for p in props.get("Policies", ()) if isinstance(p, dict)]
        for target in (props.get("PolicyDocument"), props.get("AssumeRolePolicyDocument"), *inline):
            if isinstance(target, dict) and isinstance(target.get("Ref"), str):
                named.setdefault(target["Ref"], set()).add(resource.get("Type") == ORGANIZATION_POLICY)
    return [address for address, uses in named.items()
            if uses == {True} and resources.get(address, {}).get("Type") == POLICY_DOCUMENT]


_FOLLOWED = 10  # at most so many locals naming each other are followed
# The branches of conditionals, read once a run (the same "[1]" and "[]" in every module); the
# values are only read, never changed.
_expression = lru_cache(maxsize=4096)(hcl_tree.expression)
_NAME = r"(?:var|local)\.[\w-]+"
_TEST = re.compile(rf"(?P<not>!?)(?P<name>{_NAME})|(?P<null>{_NAME})\s*(?P<op>[!=]=)\s*null"
                   rf"|length\((?P<sized>{_NAME})\)\s*(?P<cmp>>|==|!=)\s*0")


def _truth(text: str, scope: _Scope, depth: int = 0) -> tuple[bool | None, str]:
    """A condition of ``&&`` or ``||`` of tests (``var.x``, ``!var.x``, ``var.x != null``,
    ``length(var.x) > 0``) on variables and locals the module knows; None and why when not."""
    mixed = "&&" in text and "||" in text
    parts = re.split(r"\s*(?:&&|\|\|)\s*", text.strip())
    results = []
    for part in parts:
        test = None if mixed else _TEST.fullmatch(part)
        if test is None:
            return None, f"the condition {text.strip()} is not one policylint evaluates"
        name = test["name"] or test["null"] or test["sized"]
        value, why, _ = _follow_in(hcl.Reference(tuple(name.split(".")), name), scope, depth)
        if why is not None:
            return None, why
        if test["name"]:
            if not isinstance(value, bool):
                return None, f"{name} is {_shown(value)}, not a known bool"
            results.append(value != bool(test["not"]))
        elif test["null"]:
            results.append((value is None) == (test["op"] == "=="))
        else:
            if not isinstance(value, (list, dict, str)):
                return None, f"{name} is {_shown(value)}, not a known list"
            size = len(value)
            results.append(size > 0 if test["cmp"] == ">" else (size == 0) == (test["cmp"] == "=="))
    return (all(results) if "&&" in text else any(results)), ""


def _root_files(view: Document, scopes: list[_Scope], base: dict[str, _Scope],
                bound: str | None) -> Iterator[Finding]:
    """The definition files a module names from the root module (``${path.root}/x``, a
    relative path) or by what its callers give (``${path.module}/${var.definition}``): found
    as each call makes the path (from its root module; uncalled, the module is its own root);
    a note when none has it."""
    from policylint.frontends.cloudformation import DefinitionFile
    from policylint.values import Unknown

    for address, written, path in view.linking.root_files:
        calls = _calls_making(view, address, scopes, base[view.namespace])
        if not calls:
            continue  # no call makes the state machine: it reads no file
        roots = sorted({scope.root for scope in calls})
        files = {_file_named(written, view, scope) for scope in calls}
        props = view.data["Resources"][address]["Properties"]
        found = False
        for file in sorted(f for f in files if f is not None):
            if bound is not None and is_within(file, bound) and os.path.isfile(file):
                substitutions = Unknown(literal_substitutions(props.get("DefinitionSubstitutions")))
                view.definition_files.append(DefinitionFile(file, view, path, address, substitutions))
                found = True
        if not found and None in files:
            yield Finding(view, path, f"the definition file {written!r} is computed; its state machine "
                          "was not linted", "value", code=UNRESOLVED_REFERENCE.code)
        elif not found:
            where = ", ".join(os.path.relpath(r, view.namespace) for r in roots)
            hint = "; lint it with the root module that calls it" if roots == [view.namespace] else ""
            yield Finding(view, path, f"DefinitionUri file {written!r} was not found from the root "
                          f"module ({where}){hint}", "value", code=UNRESOLVED_REFERENCE.code)


def _file_named(written: str, view: Document, scope: _Scope) -> str | None:
    """The file a path (``${path.module}/${var.definition}``, ``flows/x.asl.json``) names in
    one call of the module: relative paths from its root module; None when a variable or
    local it names is not a literal string in that call."""
    unknown = False

    def put(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        if name.startswith("path."):
            return view.namespace if name == "path.module" else scope.root
        value, why = _follow(hcl.Reference(tuple(name.split(".", 1)), name), scope)
        if why is not None or not isinstance(value, str) or "${" in value:
            unknown = True
        return value if isinstance(value, str) else ""

    file = PLACEHOLDER.sub(put, written)
    return None if unknown else os.path.normpath(os.path.join(scope.root, file))


def _calls_making(view: Document, address: str, scopes: list[_Scope], uncalled: _Scope) -> list[_Scope]:
    """The calls of the module (its ``scopes``) that make resource ``address`` (its count or
    for_each not known to make none); the module uncalled makes it."""
    count = view.linking.counts.get(address)
    return [scope for scope in scopes if scope is uncalled or not _absent(count, scope)]


def _absent(count: Any, scope: _Scope) -> bool:
    """Whether a resource's count (or for_each) is known to make none of it in ``scope``."""
    if count is None:
        return False
    value, why = _follow(count, scope)
    return why is None and value in (0, [], {}, False)


def _shown(value: Any) -> str:
    text = " ".join(_written(value).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _written(value: Any) -> str:
    """``value`` as HCL writes it: an expression as its text, inside lists and objects too."""
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(value, list):
        return "[" + ", ".join(_written(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_written(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, default=str)


def _follow(raw: Any, scope: _Scope) -> tuple[Any, str | None]:
    """``raw`` with a whole ``local.X`` or ``var.X`` replaced by what the module (or its
    caller) gives it, as written (references inside stay); else None and why it is unknown."""
    value, why, _ = _follow_in(raw, scope)
    return value, why


def _follow_in(raw: Any, scope: _Scope, depth: int = 0) -> tuple[Any, str | None, _Scope]:
    """``_follow``, and the module whose names the value is written in."""
    (value, block, why), owner = _evaluate(((raw, True, ()), _Anchor(scope.namespace)), scope, "", depth)
    if block is None:
        return None, why[0] if why else "its value is unknown", scope
    return value, None, scope.of(owner)


class _Anchor(NamedTuple):
    """Where a value being followed is written: the module's folder (all ``_Scope.of`` needs)."""

    namespace: str


def _dynamics(view: Document, scopes: list[_Scope], copies: _Copies) -> Iterator[Finding]:
    """Each dynamic statement block: none when its for_each is known to be empty in every
    call of the module; its content, judged where it is written, when known to be some items
    and the content does not name the iterator; else unknown: one note for the blocks of a
    document unknown for one reason, at the first."""
    unknown: dict[tuple[str, str], list[tuple]] = {}
    for at, for_each, block in view.linking.dynamics:
        content = block.children("content")
        expand, why, each = False, None, None
        for scope in scopes:
            value, not_known = _follow(for_each, scope)
            if not_known is not None:
                why = why or not_known
            elif value not in ([], {}):
                if isinstance(value, (list, dict)) and content and not _iterates(block, content[0]):
                    expand = True
                elif each is not None or _itemised(block, content, value, scopes, for_each):
                    each = value
                elif isinstance(value, (list, dict)):
                    because = "its content has dynamic blocks of its own" if content and \
                        content[0].children("dynamic") else "its items are computed or too many" \
                        if content else "it has no content"
                    why = why or (f"each item of its for_each ({_shown(for_each)}) makes a statement of its "
                                  f"own, which policylint does not build ({because})")
                else:
                    why = why or (f"its statements are made from for_each = {_shown(for_each)} when "
                                  "Terraform plans")
        if expand or each is not None:
            statements = copies.writable(view, (at[1], "Properties", "PolicyDocument", "Statement"))
        if expand:  # the same statement for each item
            statements[at[-1]] = statement_of(Builder(cast(TerraformSource, view.source)), content[0], at)
        elif each is not None:  # a statement an item, the item put in where the content names it
            name = _iterator_name(block)
            items = list(each.items()) if isinstance(each, dict) else list(enumerate(each))
            for i, (key, item) in enumerate(items):
                where = at if i == 0 else (*at[:-1], len(statements))
                if i:
                    statements.append(None)
                built = statement_of(Builder(cast(TerraformSource, view.source)), content[0], where)
                statements[where[-1]] = _each(built, str(key), item, name)
                _place_within(cast(TerraformSource, view.source), statements[where[-1]], where)
        if why is not None:
            some = "some of " if expand else ""
            unknown.setdefault((at[1], f"{why}; {some}its statements were not checked"), []).append(at)
    for (_, why), places in unknown.items():
        many = f"{len(places)} dynamic statement blocks (this one and those after it)" if len(places) > 1 \
            else "a dynamic statement block"
        yield Finding(view, places[0], f"{many}: {why}", "key", code=UNRESOLVED_REFERENCE.code)


def _place_within(source: TerraformSource, value: Any, prefix: tuple) -> None:
    """A value put in from elsewhere (an item of for_each) is at the expression it replaces:
    each of its parts unplaced takes the place of its nearest placed parent's value."""
    for path in paths_in(value, prefix):
        if path not in source.places:
            parent = source.places.get(path[:-1])
            if parent is not None:
                source.places[path] = (parent[1], parent[1])


def _itemised(block: hcl.Block, content: list[hcl.Block], value: Any, scopes: list[_Scope],
              for_each: Any) -> bool:
    """Whether a dynamic statement block is built a statement an item: its for_each a literal
    list or map of at most MAX_KEYS items, the same in every call, and its content without
    dynamic blocks of its own (whose items policylint does not build)."""
    if not content or content[0].children("dynamic") or not isinstance(value, (list, dict)) \
            or not 0 < len(value) <= MAX_KEYS or not is_literal(value):
        return False
    size = sum(1 for _ in hcl.walk(value)) \
        + sum(1 for v in content[0].attributes.values() for _ in hcl.walk(v))
    if len(value) * size > MAX_NODES:
        return False
    return all(_follow(for_each, scope) == (value, None) for scope in scopes)


def _iterator_name(dynamic: hcl.Block) -> str:
    """What a dynamic block's content calls its item: ``iterator = x`` (a bare name), else the
    block's label (``statement``: the view keeps only those)."""
    name = dynamic.attributes.get("iterator", dynamic.labels[0])
    return str(getattr(name, "text", name))


def _iterates(dynamic: hcl.Block, content: hcl.Block) -> bool:
    """Whether the content of a dynamic block names its iterator (each statement differs)."""
    word = re.compile(rf"\b{re.escape(_iterator_name(dynamic))}\.")
    stack = [content]
    while stack:
        block = stack.pop()
        stack.extend(block.blocks)
        for value in block.attributes.values():
            for item in hcl.walk(value):
                text = getattr(item, "text", None)
                if isinstance(text, str) and not isinstance(item, hcl.Heredoc) and word.search(text):
                    return True
    return False


def _merge(view: Document, address: str, where: tuple, merges: list,
           scopes: list[_Scope], copies: _Copies) -> Iterator[Finding]:
    """Merge the documents a policy document names as Terraform does: the statements of
    ``source_policy_documents`` first, then its own (replacing a source statement of the same
    Sid), then those of ``override_policy_documents`` (replacing any earlier statement of the
    same Sid). A document of the module is judged where it is written: here its statements are
    one unknown statement each, and its Sids replace the same Sids here; a document not known
    (a variable without default, a computed value) is a note, and when it overrides, every
    statement here with a Sid is unknown (it may be replaced)."""
    statements = copies.writable(view, (address, "Properties", "PolicyDocument", "Statement"))
    own = len(statements)
    overriding: set[str] = set()
    unknown_override = False
    values = scopes[0]
    for name, raw, at in merges:
        override = name.startswith("override")
        value, why = _follow(raw, values)
        if any(_follow(raw, other) != (value, why) for other in scopes[1:]):
            value, why = None, "the calls of this module give it different values"
        items = value if why is None and isinstance(value, list) and name.endswith("documents") else [value]
        if why is not None:
            items = []
            yield Finding(view, at, f"{name} is {getattr(raw, 'text', raw)}, and {why}; the statements it "
                          "adds were not checked", "value", code=UNRESOLVED_REFERENCE.code)
            statements.append({"Fn::Terraform": f"statements of {name}"})
            unknown_override = unknown_override or override
        for item in items:
            item, why, home = _follow_in(item, values)
            other = _document_named(home, item)
            if other is None:
                text = getattr(item, "text", None) or json.dumps(item, default=str)[:80]
                yield Finding(view, at, f"{name} holds {text}, {why or 'a document policylint cannot read'}"
                              "; the statements it adds were not checked", "value",
                              code=UNRESOLVED_REFERENCE.code)
                unknown_override = unknown_override or override
            elif override:
                for statement in other.get("Statement", []):
                    sid = statement.get("Sid", "") if isinstance(statement, dict) else None
                    if isinstance(sid, str) and not is_intrinsic(statement):
                        overriding.add(sid)
                    else:
                        unknown_override = True
            statements.append({"Fn::Terraform": f"statements of {getattr(item, 'text', name)}"})
    for i in range(own):
        sid = statements[i].get("Sid") if isinstance(statements[i], dict) else None
        if sid not in (None, "") and (unknown_override or (isinstance(sid, str) and sid in overriding)):
            statements[i] = {"Fn::Terraform": f"statement {sid}, overridden by override_policy_documents"}


def _document_named(scope: _Scope, value: Any) -> dict | None:
    """The policy document ``data.aws_iam_policy_document.X.json`` names in the module."""
    if not (isinstance(value, hcl.Reference) and len(value.parts) == 4
            and value.parts[:2] == ("data", "aws_iam_policy_document") and value.parts[3] == "json"):
        return None
    resource = scope.modules[scope.namespace].get(f"data.aws_iam_policy_document.{value.parts[2]}")
    document = resource["Properties"]["PolicyDocument"] if isinstance(resource, dict) else None
    return document if isinstance(document, dict) else None


def _definition(view: Document, address: str, name: str, path: tuple, scope: _Scope,
                locals_: dict[str, dict], sizes: dict, seen: set,
                origins: _Origins, copies: _Copies) -> Iterator[Document | Finding]:
    """The state machine of ``jsonencode(NAME)`` or of ``NAME`` (a string of JSON), NAME a
    local or a variable of the module, or what the module's caller gives it: a document where
    the value is written, with the positions there (the caller's argument, or its local);
    else a note of why not."""
    from policylint.values import Unknown

    (raw, block, hcl_path), owner = _evaluate(((hcl.Reference(tuple(name.split(".")), name), True, ()),
                                                _Anchor(view.namespace)), scope, name)
    string = path[-1] == "DefinitionString"
    why = hcl_path[0] if block is None and hcl_path else None
    if block is None:
        why = why or f"{name} has no default: its value is the caller's"
    elif not isinstance(raw, (hcl.Heredoc, str) if string else dict) or (string and not str(raw).strip()):
        why = f"{name} is {_shown(raw) or 'empty'}"
    if why is not None:
        written = name if string else f"jsonencode({name})"
        yield Finding(view, path, f"the definition is {written}, and {why}; its state machine was not "
                      "linted", "value", code=UNRESOLVED_REFERENCE.code)
        return
    source = cast(TerraformSource, owner.source)
    root = ("Terraform", block.type, *block.labels, *hcl_path)  # where the value is written
    _move_once(cast(TerraformSource, view.source), path, source, root)  # the view's definition is there
    if (id(source), root) in seen:
        return  # another call, or module, passes the same value: linted once, with the first
    seen.add((id(source), root))
    data = Builder(source).value(block, hcl_path, root, in_asl=True)
    props = view.data["Resources"][address]["Properties"]
    found = Unknown(literal_substitutions(props.get("DefinitionSubstitutions")))
    if string:
        home = Document(TEMPLATE, view.data, source)
        home.variables = True
        for item in definition_string(home, root, data, address, found):
            if isinstance(item, Document):
                item.template = view
            yield item
        return
    holder = {"definition": data}
    known = locals_.get(owner.namespace)
    if known:
        _put_locals(owner, holder, known, sizes, origins, partial(_put_in, holder), top=root)
    copies.writable(view, (address, "Properties"))["Definition"] = holder["definition"]
    yield Document(ASL, holder["definition"], source, root, found, view, address)


def _move_once(source: TerraformSource, path: tuple, home: TerraformSource, root: tuple) -> None:
    """``path`` of ``source`` is written at ``root`` of ``home``; unless another value is put
    in there too (calls that give different values): then it stays where it is named."""
    if path in source.unsure:
        return
    if source.moved.setdefault(path, (home, root)) != (home, root):
        del source.moved[path]
        source.unsure.add(path)


_LOCAL = re.compile(r"\$\{((?:local|var)\.[\w-]+)\}")


def _put_known(view: Document, scopes: list[_Scope], uncalled: _Scope, known: dict[str, Any],
               sizes: dict[tuple[str, str], int], origins: _Origins,
               put: Callable[[list, Any], None]) -> Iterator[Finding]:
    """The module's known locals and inputs put into the view's resources; a resource that no
    call makes (``count = length(var.x) > 0 ? 1 : 0`` with ``x = []``) takes its locals only:
    what the callers give it does not exist, and is not judged."""
    resources = view.data["Resources"]
    none = {address for address in resources if not _calls_making(view, address, scopes, uncalled)}
    own = {name: value for name, value in known.items() if not name.startswith("var.")}
    for part, values in (({a: r for a, r in resources.items() if a not in none}, known),
                         ({a: resources[a] for a in none}, own)):
        note = _put_locals(view, part, values, sizes, origins, put, ("Resources",)) \
            if part and values else None
        if note is not None:
            yield note


def _put_locals(view: Any, data: Any, locals_: dict[str, Any], sizes: dict[tuple[str, str], int],
                origins: _Origins, put: Callable[[list, Any], None], at: tuple = (),
                top: tuple | None = None) -> Finding | None:
    """Replace (through ``put``: the steps from ``data``, the value) each whole ``local.NAME``
    the module gives a literal value with that value, shared, not copied; unless the view,
    walked, would then hold more than MAX_NODES values (thousands of references to a long
    list): then the locals stay unknown, and a note says so. ``sizes`` counts the values of
    each local, once for the run. Each value put in is moved to where it is written
    (``origins``): ``data`` is at path ``at`` of ``view``'s source (a view, or a module
    call's argument), or is a holder whose one key stands for ``top``."""
    sites, total, stack = [], 0, [(data, -1)]
    parents: list[tuple[int, Any]] = []  # each value walked: its parent's index here, its key there
    while stack:
        item, index = stack.pop()
        total += 1
        for key, inner in (item.items() if isinstance(item, dict) else enumerate(item)
                           if isinstance(item, list) else ()):
            name = _local_name(inner)
            if name is not None and name in locals_:
                sites.append((key, name, index))
                size = sizes.get((view.namespace, name))
                if size is None:
                    size = sizes[(view.namespace, name)] = sum(1 for _ in hcl.walk(locals_[name]))
                total += size
            else:
                parents.append((index, key))
                stack.append((inner, len(parents) - 1))
    if total > MAX_NODES:
        return Finding(view, (), f"the module's locals, put in at their {len(sites):,} references, would "
                       f"make this file more than {MAX_NODES:,} values; they were left unknown",
                       code=UNRESOLVED_REFERENCE.code)
    for key, name, index in sites:
        steps = [key]
        while index >= 0:
            index, step = parents[index]
            steps.append(step)
        steps.reverse()
        put(steps, locals_[name])
        path = (*at, *steps) if top is None else (*top, *steps[1:])
        origins.move(view.namespace, name, cast(TerraformSource, view.source), path)
    return None


def _put_in(data: Any, steps: list, value: Any) -> None:
    """Put ``value`` at ``steps`` of ``data`` (what the link made: changed in place)."""
    for step in steps[:-1]:
        data = data[step]
    data[steps[-1]] = value


def _local_name(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Terraform"), str):
        text = value["Fn::Terraform"]
        return text if re.fullmatch(r"(?:local|var)\.[\w-]+", text) else None
    match = _LOCAL.fullmatch(value) if isinstance(value, str) else None
    return match.group(1) if match else None
