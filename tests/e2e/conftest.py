"""The `gzchain` command on a deployed chain, for the end-to-end suites of every scenario."""

from __future__ import annotations

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
