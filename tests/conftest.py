"""Fixtures shared by every test, and the order the tests start in."""
from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

# The longest tests, longest first (`pytest --durations=30`, 2026-12-05): each worker of
# pytest-xdist starts with its share of them (pytest_collection_modifyitems), so the suite
# does not end waiting for one. Not here: a test whose module fixture its neighbours share
# (test_corpus.py's lint of the corpus), which would be made again for them.
LONGEST = (
    "test_the_install_step_installs_the_actions_own_policylint",  # pip installs the action
    "test_all_fixes_on_the_corpus",
    "test_hook_fails_a_bad_file_and_passes_a_good_one",  # pre-commit installs the hook
    "test_mypy_finds_nothing",  # seconds when its cache is cold
    "test_mutated_documents",
    "test_every_yaml_file_of_the_corpus_and_the_tests_loads_the_same_both_ways",
    "test_random_file_names_and_contents_in_every_format",
    "test_every_value_of_every_wrong_type",
    "test_the_cap_is_the_same_with_jobs",
    "test_a_rule_is_not_asked_for_more_than_a_hundred_thousand_findings",
    "test_random_and_adversarial_input_within_a_gigabyte_and_ten_seconds",
    "test_the_sweep_machines_are_valid_and_their_variants_mostly_are_not",
    "test_example_plugin_installs_and_runs",
    "test_findings_are_capped_per_rule_and_file_with_a_count_of_the_rest",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The package and the tests byte-compiled once, before the workers start: the workers
    and the processes tests start (the command, the language server) then read them compiled,
    where PYTHONDONTWRITEBYTECODE would have each of them compile what it imports again. Lints
    in a worker run in one process."""
    from policylint import cli

    # The suite's workers share out the CPUs already: a test's lint stays in its process
    # unless it asks for --jobs (the default's own test sets AUTO_JOBS back).
    cli.AUTO_JOBS = 1
    # A full pass of the garbage collector scans all a worker holds (the IAM catalog read so
    # far, the corpus's reports, each lint's documents, which `policylint check` sends to the
    # oldest generation); after every 10th pass of the middle one, the default, that was 9 s
    # of a suite's CPU. Every 100th: 3 s, and a worker holds 0.15 GB more at most.
    gc.set_threshold(*gc.get_threshold()[:2], 100)
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without workers)
        import compileall

        root = Path(__file__).resolve().parents[1]
        for folder in ("policylint", "tests"):
            compileall.compile_dir(str(root / folder), quiet=1, workers=0)  # 0: one per CPU


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """The test modules, as pytest rewrites their asserts, kept compiled (``__pycache__``) even
    under PYTHONDONTWRITEBYTECODE: else each worker of each run rewrites them all again (a
    second of CPU each)."""
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = dont_write


def pytest_sessionfinish(session: pytest.Session) -> None:
    """What the tests left collected in one full pass, then the rest frozen (out of the
    collector's reach): pytest's last check for exceptions raised in finalizers makes five
    passes after this one, each over all a worker still holds (2 s of CPU a worker), where
    one finds what they would. An exception a finalizer raises in this pass is reported."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The LONGEST tests dealt in turn to each worker's share, at its front; the others as
    collected. pytest-xdist (worksteal) sends each worker an equal share of the tests, in
    order, to start with: all the LONGEST at the front of the first share would leave the
    other worker to take the last of them from its queue near the end."""
    rank = {name: i for i, name in enumerate(LONGEST)}
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    longest = sorted((i for i in items if _name(i) in rank), key=lambda item: rank[_name(item)])
    rest = iter([i for i in items if _name(i) not in rank])
    ordered: list[pytest.Item] = []
    for worker in range(workers):
        size = (len(items) - len(ordered)) // (workers - worker)  # as xdist shares them out
        share = longest[worker::workers]
        ordered += share + [next(rest) for _ in range(size - len(share))]
    ordered += rest
    items[:] = ordered


def _name(item: pytest.Item) -> str:
    return getattr(item, "originalname", item.name)


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new empty folder for the test in the session's temporary folder, named after the test
    as pytest's own fixture names it, but not numbered: to number one, pytest lists every
    folder the worker made before it (a millisecond a test by the thousandth)."""
    import re
    import tempfile

    name = re.sub(r"\W", "_", request.node.name)[:30]
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp_path_factory.getbasetemp()))


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
    from policylint.catalog import matching
    from policylint.rules.iam.agentcore import _tool_families
    from policylint.rules.iam.arns import fits_cache_clear
    from policylint.rules.iam.grammar import _expected, _services_like, _unknown_action
    from policylint.rules.iam.privilege import _path_formats, _wildcard_on_a_path
    from policylint.wildcard import arn_format, iam_pattern

    iam_pattern.cache_clear()
    arn_format.cache_clear()
    fits_cache_clear()  # what a pattern fits: else the warm-up's answers hide _service, _samples, _filled
    _unknown_action.cache_clear()  # else they hide _other_service and _services_like
    _services_like.cache_clear()
    _expected.cache_clear()  # what IAM512 expects of an action
    matching.cache_clear()  # the actions a pattern names: else they hide iam_pattern and its fast path
    _tool_families.cache_clear()  # the AgentCore tools an Action entry names: else they hide matching
    _path_formats.cache_clear()  # IAM517's formats and paths a pattern grants: else they hide wildcard_match
    _wildcard_on_a_path.cache_clear()


@pytest.fixture(autouse=True)
def builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine of a test is built from policylint's own entry points: a plugin installed
    beside it (the example plugin, as its README says) cannot change what a test sees."""
    from builtin_plugins import builtin_entry_points

    import policylint.plugins

    monkeypatch.setattr(policylint.plugins, "entry_points", builtin_entry_points)
