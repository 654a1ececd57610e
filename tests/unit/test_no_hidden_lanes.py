"""Under CI a test skipped for a missing service fails, saying what is missing; outside CI it skips."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

@pytest.fixture(scope="session")
def postgres():
    pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")

def test_reads_the_store(postgres):
    pass

@pytest.mark.skipif(True, reason="needs npm ci's cast")
def test_reads_with_cast():
    pass

def test_runs_everywhere():
    pass

@pytest.mark.xfail(reason="a known gap", strict=True)
def test_known_gap():
    assert False
"""

MODULE_SKIP = """
import pytest

pytest.skip("needs node on PATH", allow_module_level=True)

def test_never_collected():
    pass
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "support.no_hidden_lanes", "-p", "no:randomly", "-p", "no:xdist", *args)


def test_outside_ci_a_missing_service_only_skips(inner: pytest.Pytester):
    run(inner).assert_outcomes(passed=1, skipped=2, xfailed=1)


@pytest.mark.parametrize("value", ["true", "1", "TRUE", "yes"])
def test_under_ci_a_missing_service_fails_the_test(inner: pytest.Pytester, monkeypatch, value: str):
    monkeypatch.setenv("CI", value)
    # Skips happen while a test is set up, so pytest reports the failure as an error at setup.
    run(inner).assert_outcomes(passed=1, errors=2, xfailed=1)


def test_under_ci_the_failure_says_what_was_missing_and_why_it_fails(inner: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    output = run(inner, "-rfE").stdout.str()
    assert "CI=true, so this may not be skipped: PostgreSQL is not reachable at 127.0.0.1:5432" in output
    assert "CI=true, so this may not be skipped: needs npm ci's cast" in output
    assert "CI runs every lane, so it needs every service" in output


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_a_ci_variable_that_is_not_true_leaves_skips_alone(inner: pytest.Pytester, monkeypatch, value: str):
    monkeypatch.setenv("CI", value)
    run(inner).assert_outcomes(passed=1, skipped=2, xfailed=1)


def test_under_ci_a_module_skipped_at_import_fails_its_collection(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(test_node=MODULE_SKIP)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert "CI=true, so this may not be skipped: needs node on PATH" in result.stdout.str()


def test_outside_ci_a_module_skipped_at_import_is_skipped(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_node=MODULE_SKIP)
    run(pytester).assert_outcomes(skipped=1)
