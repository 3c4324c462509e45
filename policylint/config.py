"""Config: command-line options merged over a config file, validated by a JSON schema.

The config is ``.policylint.yaml`` (or ``.yml``) or the ``[tool.policylint]`` table of
``pyproject.toml``: the nearest one at or above the first linted path, up to the git root,
wins; ``--config FILE`` names one. Unknown keys and bad values are errors (exit 2).
"""
from __future__ import annotations

import os
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

FAIL_LEVELS = ("error", "warning", "note", "never")
SEVERITIES = ("error", "warning", "note")
MODEL_PROVIDERS = ("bedrock", "openai", "gemini", "litellm")  # a harness's model configurations
FILES = (".policylint.yaml", ".policylint.yml", "pyproject.toml")
_CODES = {"type": "array", "items": {"type": "string", "minLength": 1}}
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_TEXT = {"type": "string"}
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_NODES = 100_000  # a config expanding past this through YAML aliases is a bomb
_CONDITION = {"type": "object"}  # its operators are checked by policylint.policies, naming the policy
POLICY: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "required": ["code", "name", "severity", "message", "kind", "require"],
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{2,5}[0-9]{3}$"},
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"},
        "severity": {"enum": list(SEVERITIES)},
        "message": {"type": "string", "minLength": 1},
        "summary": _TEXT, "help": _TEXT, "url": {"type": "string", "pattern": "^https?://"},
        "kind": {"type": "string"},
        "environments": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "where": _CONDITION, "require": _CONDITION,
        "examples": {"type": "object", "additionalProperties": False,
                     "properties": {"fail": _GLOBS, "pass": _GLOBS}},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "select": _CODES,
        "ignore": _CODES,
        "per-file-ignores": {"type": "object", "additionalProperties": _CODES, "propertyNames": _TEXT,
                             "description": "glob (relative to the config file) -> codes"},
        "severity": {"type": "object", "additionalProperties": {"enum": list(SEVERITIES)},
                     "propertyNames": _TEXT,
                     "description": "code or name -> error, warning or note"},
        "fail-on": {"enum": list(FAIL_LEVELS)},
        "exclude": _GLOBS,
        "require-reason": {"type": "boolean",
                           "description": "a suppression without a reason is PL007 and silences nothing"},
        "unsuppressible": {**_CODES, "description": "codes, prefixes or names no suppression or "
                                                    "baseline may silence"},
        "allowed-models": {"type": "array", "items": {"type": "string"}},
        "max-file-size": {"type": ["integer", "string"], "pattern": "^[0-9]+ ?(?:[KMG]i?B)?$", "minimum": 1,
                          "description": "bytes (or 20MB, 20MiB): files over it are PL002"},
        "approved-harnesses": {"type": "array", "items": {"type": "string"}},
        "allowed-model-providers": {"type": "array", "items": {"enum": list(MODEL_PROVIDERS)},
                                    "description": "HRN414: model providers a harness may use"},
        "max-memory-retention-days": {"type": "integer", "minimum": 1,
                                      "description": "HRN412: the longest an agent memory keeps events"},
        "policies": {"type": "array", "items": POLICY,
                     "description": "organisation policies: rules written as conditions (README)"},
        "environments": {"type": "object", "propertyNames": _TEXT, "additionalProperties": {
            "type": "object", "additionalProperties": False,
            "properties": {"paths": _GLOBS, "accounts": {"type": "array", "items": {
                "type": "string", "pattern": "^[0-9]{12}$"}}}}},
    },
}


class ConfigError(Exception):
    """A bad config file or option: reported as a usage error (exit 2)."""


class Environment(NamedTuple):
    """A deployment environment: the files (globs relative to the config file's folder) and
    the AWS accounts that belong to it."""

    name: str
    paths: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


class Config(NamedTuple):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "warning"
    allowed_models: tuple[str, ...] = ()  # AGT318 runs only when this is set
    approved_harnesses: tuple[str, ...] = ()  # AGT319 runs only when this is set
    allowed_model_providers: tuple[str, ...] = ()  # HRN414 errs on a provider not in it
    max_memory_retention_days: int | None = None  # HRN412 runs only when this is set
    environments: tuple[Environment, ...] = ()
    policies: tuple[dict[str, Any], ...] = ()  # organisation policies as written (policylint.policies)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (code or name, level)
    exclude: tuple[str, ...] = ()
    max_file_size: int | None = None  # bytes; None: 5 MiB, and 200 MiB for an account export
    file_ignore: tuple[str, ...] = ()  # the config file's own ignore (PL004 when it silences nothing)
    require_reason: bool = False  # a suppression without a reason silences nothing (PL007)
    unsuppressible: tuple[str, ...] = ()  # rules no suppression or baseline may silence
    root: str = "."  # the folder of the config file: globs are relative to it
    source: str = ""  # the file it came from

    def selects(self, code: str, name: str) -> bool:
        """Whether a rule runs: ``select``/``ignore`` hold codes, code prefixes or names."""

        def matches(entry: str) -> bool:
            return code.upper().startswith(entry.upper()) or entry.lower() == name

        if self.select and not any(matches(e) for e in self.select):
            return False
        return not any(matches(e) for e in self.ignore)

    def merged(self, **options: Any) -> Config:
        """This config with the options that were given (not None) put over it."""
        return self._replace(**{k: v for k, v in options.items() if v is not None})

    def relative(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def excludes(self, path: str) -> bool:
        if not self.exclude:
            return False
        relative = self.relative(path)
        return any(glob_match(relative, pattern) for pattern in self.exclude)

    def may_silence(self, code: str, name: str) -> bool:
        """Whether a suppression or the baseline may silence rule ``code`` (``unsuppressible``)."""
        return not any(code.upper().startswith(c.upper()) or c.lower() == name for c in self.unsuppressible)

    def level_of(self, code: str, name: str) -> str | None:
        """The severity configured for a rule, if any."""
        for entry, level in self.severity:
            if entry.upper() == code or entry.lower() == name:
                return level
        return None


def glob_match(relative: str, pattern: str) -> bool:
    """``fnmatch`` where a pattern ending in ``/`` or ``/**`` also covers everything below."""
    pattern = pattern.rstrip("/")
    if pattern.endswith("/**"):
        pattern = pattern[:-3]
    return fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern + "/*") or \
        relative.startswith(pattern + "/")


def find_config(start: str, root: str | None = None) -> Config:
    """The config nearest ``start`` (a file or folder), up to the git root. A link out of
    ``root`` (the linted folder), or a config file that is not a regular file, is an error."""
    from policylint.paths import upward

    start = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    for directory in upward(start):
        for name in FILES:
            candidate = os.path.join(directory, name)
            if os.path.lexists(candidate) and not os.path.isdir(candidate):
                table = read_table(candidate, root)
                if table is not None:
                    return from_table(table, candidate)
        if os.path.isdir(os.path.join(directory, ".git")):
            break
    return Config()


def read_table(path: str, root: str | None = None) -> dict[str, Any] | None:
    """The policylint settings in ``path``: a whole ``.policylint.yaml``, or the
    ``[tool.policylint]`` table of a TOML file (None when it has none). What does not parse
    is said by its position, never by quoting the text."""
    text = read_config_text(path, root)
    if not path.endswith(".toml"):
        import yaml

        from policylint.source import TooLarge, check_expansion
        from policylint.yaml_data import yaml_loader

        try:
            data = yaml.load(text, Loader=yaml_loader())
            check_expansion(data, MAX_CONFIG_NODES)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            raise ConfigError(f"{path}{where}: invalid YAML: {error.problem or error.context}") from None
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: invalid YAML ({type(error).__name__})") from None
        except RecursionError:
            raise ConfigError(f"{path}: nests too deeply") from None
        except TooLarge:
            raise ConfigError(f"{path}: YAML aliases expand it past {MAX_CONFIG_NODES:,} values") from None
        return {} if data is None else data
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as error:
        raise ConfigError(f"{path}: {error}") from None
    tool = data.get("tool")
    return tool.get("policylint") if isinstance(tool, dict) else None


def read_config_text(path: str, root: str | None) -> str:
    """A config file's text: UTF-8, at most MAX_CONFIG_BYTES (a config is input like any
    other); a regular file that is not a link out of ``root``."""
    from policylint.paths import Refused, read_setting_file

    try:
        raw = read_setting_file(path, root, MAX_CONFIG_BYTES)
    except Refused as error:
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES:,} bytes; not a policylint config")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start + 1})") from None


def _bytes(size: int | str) -> int:
    """``20MB`` / ``20MiB`` / ``20971520`` as bytes (a K, M or G is 1024 times the one before)."""
    if isinstance(size, int):
        return size
    number = size.rstrip("BiKMG ")
    return int(number) * 1024 ** " KMG".index((size[len(number):].strip() or " ")[0])


def validate(table: Any, path: str) -> None:
    """Raise ConfigError naming the first key or value the schema refuses."""
    import jsonschema

    if not isinstance(table, dict):  # said by its type: the text may be anything at all
        kind = "a list" if isinstance(table, list) else "a string" if isinstance(table, str) else "a value"
        raise ConfigError(f"{path}: the config holds {kind}, not a mapping of settings")
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(table),
                    key=lambda e: [str(p) for p in e.path])
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "the config"
        at = list(error.absolute_path)
        if len(at) >= 2 and at[0] == "policies" and isinstance(table["policies"][at[1]], dict):
            policy = table["policies"][at[1]]
            code = policy.get("code") if isinstance(policy.get("code"), str) else f"#{at[1] + 1}"
            field = ".".join(str(p) for p in at[2:])
            if error.validator == "additionalProperties":
                extra = sorted(str(k) for k in set(error.instance) - set(POLICY["properties"]))
                raise ConfigError(f"{path}: policy {code}: unknown key {extra[0]!r} (known: "
                                  f"{', '.join(POLICY['properties'])})")
            raise ConfigError(f"{path}: policy {code}: {field + ': ' if field else ''}{error.message}")
        if error.validator == "additionalProperties" and not error.absolute_path:
            known = ", ".join(sorted(SCHEMA["properties"]))
            extra = sorted(str(k) for k in set(error.instance) - set(SCHEMA["properties"]))
            raise ConfigError(f"{path}: unknown key {extra[0]!r} (known: {known})")
        raise ConfigError(f"{path}: {where}: {error.message}")


def from_table(table: Any, path: str) -> Config:
    validate(table, path)
    environments = tuple(Environment(name, tuple(spec.get("paths", ())), tuple(spec.get("accounts", ())))
                         for name, spec in table.get("environments", {}).items())
    return Config(
        select=tuple(table.get("select", ())), ignore=tuple(table.get("ignore", ())),
        fail_on=table.get("fail-on", "warning"),
        allowed_models=tuple(table.get("allowed-models", ())),
        approved_harnesses=tuple(table.get("approved-harnesses", ())),
        allowed_model_providers=tuple(table.get("allowed-model-providers", ())),
        max_memory_retention_days=table.get("max-memory-retention-days"),
        environments=environments,
        policies=tuple(table.get("policies", ())),  # checked where they become rules (policies)
        per_file_ignores=tuple((glob, tuple(codes))
                               for glob, codes in table.get("per-file-ignores", {}).items()),
        severity=tuple(table.get("severity", {}).items()),
        exclude=tuple(table.get("exclude", ())),
        max_file_size=_bytes(table["max-file-size"]) if "max-file-size" in table else None,
        file_ignore=tuple(table.get("ignore", ())),
        require_reason=table.get("require-reason", False),
        unsuppressible=tuple(table.get("unsuppressible", ())),
        root=os.path.dirname(os.path.abspath(path)), source=path)

