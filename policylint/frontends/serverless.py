"""Serverless Framework files: a ``serverless.yml`` read as the CloudFormation template that
the Framework and its serverless-step-functions plugin deploy from it.

What is read: ``resources.Resources`` as written; each ``stepFunctions.stateMachines`` entry
as an ``AWS::StepFunctions::StateMachine`` (``definition``, ``type``, ``role``,
``loggingConfig``); each ``stepFunctions.activities`` name as its ``AWS::StepFunctions::Activity``;
the IAM statements of ``provider.iam.role.statements`` (or the older
``provider.iamRoleStatements``) and of a state machine's ``iamRoleStatements``, each as an
``AWS::IAM::Policy``; a function's own ``iamRoleStatements`` (the serverless-iam-roles-per-function
plugin) as the ``AWS::IAM::Role`` it deploys for the function. Every position maps back to the
``serverless.yml`` (``MappedSource``).
Serverless variables (``${self:...}``, ``${sls:...}``, ``${env:...}``, ``${ssm:...}``,
``${opt:...}``, ...) are values only a deployment knows: never guessed, never an error.
"""
from __future__ import annotations

import os
import re
from typing import Any

from policylint.frontends.cloudformation import STATE_MACHINE_TYPES
from policylint.models import TEMPLATE, Document
from policylint.models.asl import ACTIVITY_TYPE
from policylint.problems import UNRESOLVED_REFERENCE
from policylint.rule import Finding
from policylint.source import MappedSource, Source
from policylint.values import PLACEHOLDER

NAMES = ("serverless.yml", "serverless.yaml")
PROVIDER_ROLE = "IamRoleLambdaExecution"  # the logical id the Framework gives the functions' role
_FILE = re.compile(r"\$\{file\(([^)]+)\)\}")  # a whole value ${file(./flow.asl.json)}


def is_serverless(path: str, data: Any) -> bool:
    return os.path.basename(path).lower() in NAMES and isinstance(data, dict) and (
        "service" in data or "provider" in data or "stepFunctions" in data)


def template_view(data: dict, source: Source) -> tuple[Document | None, list[Finding]]:
    """The template the file deploys, as far as policylint reads it, and PL005 notes for
    definitions only a deployment knows; no document when the file declares nothing of ours."""
    resources: dict[str, Any] = {}
    routes: list[tuple[tuple, tuple, bool]] = [(("Resources",), ("resources", "Resources"), False)]
    names: dict[str, str] = {}
    notes: list[tuple[tuple, str]] = []
    own = _get(data, "resources", "Resources")
    if isinstance(own, dict):
        resources.update(own)
    machines = _get(data, "stepFunctions", "stateMachines")
    for key, machine in (machines.items() if isinstance(machines, dict) else ()):
        if not isinstance(machine, dict):
            continue
        here = ("stepFunctions", "stateMachines", key)
        logical = _logical_id(str(key), machine)
        props, machine_routes, note = _state_machine(machine, logical, here)
        resources[logical] = {"Type": STATE_MACHINE_TYPES[0], "Properties": props}
        names[logical] = ".".join(map(str, here))
        routes += machine_routes
        if note:
            notes.append(((*here, "definition"), note))
        statements = machine.get("iamRoleStatements")
        if isinstance(statements, list):
            _policy(resources, routes, f"{logical}Role", statements, (*here, "iamRoleStatements"))
    activities = _get(data, "stepFunctions", "activities")
    for name in activities if isinstance(activities, list) else ():
        if isinstance(name, str) and "${" not in name:  # the plugin's logical id: what !Ref names
            resources[_normalized(name) + "StepFunctionsActivity"] = {"Type": ACTIVITY_TYPE,
                                                                       "Properties": {"Name": name}}
    for where, key, function in _functions(data.get("functions")):
        if isinstance(function, dict) and isinstance(function.get("iamRoleStatements"), list) \
                and function["iamRoleStatements"]:
            logical = _normalized(str(key)) + PROVIDER_ROLE
            _function_role(resources, routes, logical, function, where)
            names[logical] = f"functions.{key}"
    role = _get(data, "provider", "iam", "role")
    statements, where = (role.get("statements"), ("provider", "iam", "role", "statements")) \
        if isinstance(role, dict) else (_get(data, "provider", "iamRoleStatements"),
                                        ("provider", "iamRoleStatements"))
    if isinstance(statements, list):
        _policy(resources, routes, PROVIDER_ROLE, statements, where)
    if not resources:
        return None, []
    view = Document(TEMPLATE, {"Resources": resources}, MappedSource(source.path, source.text, routes))
    view.names, view.variables = names, True
    return view, [Finding(view, path, message, "value", code=UNRESOLVED_REFERENCE.code)
                  for path, message in notes]


def _state_machine(machine: dict, logical: str, here: tuple) -> tuple[dict, list, str]:
    """A state machine entry as CloudFormation properties, the routes back to the file, and a
    note when its definition cannot be read here."""
    base = ("Resources", logical, "Properties")
    props: dict[str, Any] = {}
    routes: list[tuple[tuple, tuple, bool]] = [(("Resources", logical), here, True)]
    note = ""
    for key, name in (("type", "StateMachineType"), ("role", "RoleArn")):
        if key in machine:
            props[name] = machine[key]
            routes.append(((*base, name), (*here, key), False))
    definition = machine.get("definition")
    wanted = _FILE.fullmatch(definition.strip()) if isinstance(definition, str) else None
    if wanted and not PLACEHOLDER.search(wanted.group(1)):
        props["DefinitionUri"] = wanted.group(1).strip().strip("'\"")
        routes.append(((*base, "DefinitionUri"), (*here, "definition"), True))
    elif isinstance(definition, str) and PLACEHOLDER.search(definition):
        note = ("definition is a Serverless variable only a deployment resolves; its state machine "
                "was not linted (write it in the file, or as ${file(./flow.asl.json)})")
    elif definition is not None:
        props["Definition"] = definition
        routes.append(((*base, "Definition"), (*here, "definition"), False))
    logging = machine.get("loggingConfig")
    if isinstance(logging, dict):  # what AGT321 reads: whether execution data goes to which log groups
        destinations = logging.get("destinations")
        props["LoggingConfiguration"] = {
            "IncludeExecutionData": logging.get("includeExecutionData"),
            "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": arn}}
                             for arn in (destinations if isinstance(destinations, list) else [])]}
        routes.append(((*base, "LoggingConfiguration", "IncludeExecutionData"),
                       (*here, "loggingConfig", "includeExecutionData"), False))
    return props, routes, note


def _policy(resources: dict, routes: list, logical: str, statements: list, where: tuple) -> None:
    resources[logical] = {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}
    document = ("Resources", logical, "Properties", "PolicyDocument")
    routes.append(((*document, "Statement"), where, False))
    routes.append((("Resources", logical), where, True))


def _functions(functions: Any) -> list[tuple[tuple, Any, Any]]:
    """(where, name, function) of each function: ``functions`` is a mapping, or a list of
    mappings the Framework merges."""
    found = []
    for i, group in enumerate(functions if isinstance(functions, list) else [functions]):
        for key, function in (group.items() if isinstance(group, dict) else ()):
            where = ("functions", i, key) if isinstance(functions, list) else ("functions", key)
            found.append((where, key, function))
    return found


def _function_role(resources: dict, routes: list, logical: str, function: dict, here: tuple) -> None:
    """A function's own ``iamRoleStatements`` (the serverless-iam-roles-per-function plugin)
    as the role the plugin deploys for it: trusted by Lambda, its statements an inline policy,
    named ``iamRoleStatementsName`` when given. Statements it inherits
    (``iamRoleStatementsInherit``) are judged once, where the provider writes them."""
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"]}]},
        "Policies": [{"PolicyName": "function", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": function["iamRoleStatements"]}}]}
    base = ("Resources", logical, "Properties")
    routes.append((("Resources", logical), (*here, "iamRoleStatements"), True))
    routes.append(((*base, "AssumeRolePolicyDocument"), here, True))
    statements = (*base, "Policies", 0, "PolicyDocument", "Statement")
    routes.append((statements, (*here, "iamRoleStatements"), False))
    if "iamRoleStatementsName" in function:
        props["RoleName"] = function["iamRoleStatementsName"]
        routes.append(((*base, "RoleName"), (*here, "iamRoleStatementsName"), False))
    resources[logical] = {"Type": "AWS::IAM::Role", "Properties": props}


def _logical_id(key: str, machine: dict) -> str:
    """The logical id the plugin gives a state machine: its ``id`` or ``name``, else its key
    followed by StepFunctionsStateMachine, normalized as the Framework does."""
    custom = machine.get("id") or machine.get("name")
    if isinstance(custom, str) and custom and "${" not in custom:
        return _normalized(custom)
    return _normalized(key) + "StepFunctionsStateMachine"


def _normalized(name: str) -> str:
    name = name.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:]


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
