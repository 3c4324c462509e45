"""Config: command-line options merged over ``[tool.policylint]`` in pyproject.toml."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

FAIL_LEVELS = ("error", "warning", "note", "never")
_LIST_KEYS = {"select": "select", "ignore": "ignore", "allowed-models": "allowed_models"}


class ConfigError(Exception):
    """A bad config file or option: reported as a usage error (exit 2)."""


@dataclass(frozen=True)
class Environment:
    """A deployment environment: the files (globs relative to the config file's folder) and
    the AWS accounts that belong to it."""

    name: str
    paths: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "warning"
    allowed_models: tuple[str, ...] = ()  # AGT318 runs only when this is set
    environments: tuple[Environment, ...] = ()
    root: str = "."  # the folder of the config file: environment globs are relative to it

    def selects(self, code: str, name: str) -> bool:
        """Whether a rule runs: ``select``/``ignore`` hold codes, code prefixes or names."""

        def matches(entry: str) -> bool:
            return code.upper().startswith(entry.upper()) or entry.lower() == name

        if self.select and not any(matches(e) for e in self.select):
            return False
        return not any(matches(e) for e in self.ignore)

    def merged(self, **options: Any) -> Config:
        """This config with the options that were given (not None) put over it."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def find_config(start: str) -> Config:
    """The ``[tool.policylint]`` table of the nearest pyproject.toml at or above ``start``."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            table = read_table(candidate)
            if table is not None:
                return from_table(table, candidate)
        if os.path.isdir(os.path.join(directory, ".git")):
            return Config()
        parent = os.path.dirname(directory)
        if parent == directory:
            return Config()
        directory = parent


def read_table(path: str) -> dict[str, Any] | None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    table = data.get("tool", {}).get("policylint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.policylint] must be a table")
    return table


def from_table(table: dict[str, Any], path: str) -> Config:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _LIST_KEYS:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{path}: {key} must be a list of strings")
            values[_LIST_KEYS[key]] = tuple(value)
        elif key == "environments":
            values["environments"] = _environments(value, path)
        elif key == "fail-on":
            if value not in FAIL_LEVELS:
                raise ConfigError(f"{path}: fail-on must be one of {', '.join(FAIL_LEVELS)}")
            values["fail_on"] = value
        else:
            known = ", ".join(sorted([*_LIST_KEYS, "environments", "fail-on"]))
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.policylint] (known: {known})")
    return Config(**values, root=os.path.dirname(os.path.abspath(path)))


def _environments(table: Any, path: str) -> tuple[Environment, ...]:
    """``[tool.policylint.environments]``: ``prod = {paths = ["deploy/prod/**"],
    accounts = ["111122223333"]}``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: environments must be a table of name = {{paths, accounts}}")
    environments = []
    for name, spec in table.items():
        if not isinstance(spec, dict) or not set(spec) <= {"paths", "accounts"} or not all(
                isinstance(v, list) and all(isinstance(i, str) for i in v) for v in spec.values()):
            raise ConfigError(f"{path}: environments.{name} must be {{paths = [globs], "
                              "accounts = [account ids]}}")
        environments.append(Environment(name, tuple(spec.get("paths", ())),
                                        tuple(spec.get("accounts", ()))))
    return tuple(environments)
