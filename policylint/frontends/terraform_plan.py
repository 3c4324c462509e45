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
modules' ``resources[].expressions.*.references`` and ``module_calls``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from policylint.frontends import FrontEnd, Read
from policylint.hookspecs import hookimpl
from policylint.models import TEMPLATE, Document
from policylint.problems import UNREADABLE_FILE, UNRESOLVED_REFERENCE, file_finding
from policylint.rule import Finding
from policylint.source import Source

AFTER_APPLY = "${known after apply}"  # read as an expression only Terraform can evaluate


class TerraformPlan(FrontEnd):
    """A plan in Terraform's JSON output format."""

    name, order = "terraform-plan", 15
    markers = re.compile(r'"planned_values"')

    def claims(self, path: str, data: Any) -> bool:
        return isinstance(data, dict) and "format_version" in data \
            and isinstance(data.get("planned_values"), dict)

    def read(self, source: Source, data: Any, root: str | None) -> Read:
        from policylint.frontends.cloudformation import template_documents

        view, notes = plan_view(source, data)
        if view is None:
            return [], notes
        documents, findings = template_documents(view, root)
        return documents, [*notes, *findings]


def plan_view(source: Source, plan: dict) -> tuple[Document | None, list[Finding]]:
    """The template the plan amounts to; no view when it plans nothing of ours."""
    from policylint.frontends import hcl
    from policylint.frontends.terraform import (
        _DATA_SOURCES,
        _RESOURCES,
        TerraformSource,
        _Builder,
        _json_block,
    )

    unknown = _after_unknown(plan.get("resource_changes"))
    references = dict(_references(_get(plan, "configuration", "root_module"), ""))
    tf = TerraformSource(source.path, source.text)
    builder = _Builder(tf)
    names: dict[str, str] = {}
    refused: list[Finding] = []
    for where, module, resource in _resources(_get(plan, "planned_values", "root_module"), ("planned_values",
                                                                                         "root_module")):
        kind = "resource" if resource.get("mode") == "managed" else "data"
        type_, values, address = resource.get("type"), resource.get("values"), resource.get("address")
        table = _RESOURCES if kind == "resource" else _DATA_SOURCES
        if not isinstance(type_, str) or type_ not in table or not isinstance(values, dict) \
                or not isinstance(address, str):
            continue
        configured = references.get(_config_address(address))
        values = _with_unknowns(values, unknown.get(address), configured, module)
        label = _in_module(address.removeprefix(f"{module}.").removeprefix("data.").removeprefix(f"{type_}."),
                           module)
        try:
            block = _json_block(source, kind, (type_, label), values, (*where, "values"))
        except hcl.HclError as error:  # values nested past what is walked
            refused.append(file_finding(source, f"{address}: {error.message}; it was not linted",
                                        UNREADABLE_FILE, error.position))
            continue
        builder.add(block)
        names[f"{type_}.{label}" if kind == "resource" else f"data.{type_}.{label}"] = address
    if not builder.resources:
        return None, refused
    view = Document(TEMPLATE, {"Resources": builder.resources}, tf)
    view.names, view.variables, view.snake_case = names, True, True
    return view, [*refused, *(Finding(view, path, message, "value", code=UNRESOLVED_REFERENCE.code)
                              for path, message in builder.notes)]


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
