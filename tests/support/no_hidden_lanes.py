"""Under CI (`CI=true`) a skipped test is a failed one: a lane whose service (PostgreSQL, anvil, chromium,
node, cast) is missing must not pass quietly. Outside CI a missing service still only skips."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

HOW_TO_FIX = "CI runs every lane, so it needs every service: install it (`make setup`, `npm ci`) or start it"


def on_ci() -> bool:
    # Read at each report, not at import: a test of this plugin sets CI for one inner run.
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    # A skip's longrepr is (path, line, "Skipped: <reason>").
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


def _fail(report: pytest.TestReport | pytest.CollectReport) -> None:
    report.outcome = "failed"
    report.longrepr = f"CI=true, so this may not be skipped: {_reason(report)}. {HOW_TO_FIX}."


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and on_ci():
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.skipped and on_ci():
        _fail(report)
