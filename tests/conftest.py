"""Fixtures shared by every test."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, made the current directory (outside any git repository)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path / ".git").mkdir()  # stops the config lookup here
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_patterns() -> None:
    """Compiled wildcard patterns, and which ARN formats a pattern fits, are worked out anew
    for each test: a test never passes on an answer another test got (mutation testing forks
    after a warm-up run)."""
    from policylint.rules.iam.arns import fits_cache_clear
    from policylint.rules.iam.grammar import _expected, _services_like, _unknown_action
    from policylint.wildcard import arn_format, iam_pattern

    iam_pattern.cache_clear()
    arn_format.cache_clear()
    fits_cache_clear()  # what a pattern fits: else the warm-up's answers hide _service, _samples, _filled
    _unknown_action.cache_clear()  # else they hide _other_service and _services_like
    _services_like.cache_clear()
    _expected.cache_clear()  # what IAM512 expects of an action


@pytest.fixture(autouse=True)
def builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine of a test is built from policylint's own entry points: a plugin installed
    beside it (the example plugin, as its README says) cannot change what a test sees."""
    from builtin_plugins import builtin_entry_points

    import policylint.plugins

    monkeypatch.setattr(policylint.plugins, "entry_points", builtin_entry_points)
