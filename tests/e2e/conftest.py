"""The `gzchain` command on a deployed chain, for the end-to-end suites of every scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzchain.cli import app

WIDE = {"COLUMNS": "250"}


@pytest.fixture(params=["embedded", "anvil"])
def deployed_cli(request: pytest.FixtureRequest, isolated_env: Path):
    """Runs `gzchain` on a deployed chain: the persistent embedded one, or a fresh deployment on anvil."""
    runner = CliRunner(env=WIDE)
    prefix = ["--rpc-url", request.getfixturevalue("anvil").url] if request.param == "anvil" else []

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, [*prefix, *args])
        assert result.exit_code == expect, result.output + (
            repr(result.exception) if result.exception else ""
        )
        return result.output

    run("deploy")
    return run


SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture
def run_scenario_alone(request: pytest.FixtureRequest, isolated_env: Path):
    """Runs `python scenarios/<name>.py` as a user would: a throwaway embedded chain, or anvil by URL."""

    def run(name: str, lane: str, timeout: int = 600) -> str:
        env = dict(os.environ, COLUMNS="200")
        if lane == "anvil":
            env["GZCHAIN_RPC_URL"] = request.getfixturevalue("anvil").url
        result = subprocess.run(
            [sys.executable, str(SCENARIOS / name)], env=env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    return run
