"""Data folders made before reasons left the chain (issue #15): their BusinessRegistry and ColdChainTrace took
and published every reason's words in clear, with another ABI. gzchain refuses them by name rather than
misreading them; a fresh data folder deploys the current contracts. Embedded chain only: what is refused is
the manifest's record of what was deployed, whatever the chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzchain.chain.deployment import PLAIN_TEXT_REASON_ARTIFACTS
from gzchain.cli import app

# The BusinessRegistry and ColdChainTrace that gzchain shipped last before reason codes.
LAST_PLAIN_TEXT = {
    "BusinessRegistry": "0x51cb68b1796769b86f3794e0a14cbd55034b5e29d914b9e0da1cf28fd00877a2",
    "ColdChainTrace": "0x77cc35ab9227f39cc5a3d0a672dce98513bbb9c5434ffdd3da50ed0f25a029b2",
}


def gzchain(*args: str, expect: int = 0) -> str:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, list(args))
    assert result.exit_code == expect, result.output + (repr(result.exception) if result.exception else "")
    return result.output


def deployed_as_before(isolated_env: Path, contract: str, digest: str) -> None:
    """A data folder whose manifest says `contract` was deployed from the compiled code `digest`."""
    gzchain("deploy")
    [manifest] = (isolated_env / "data" / "deployments").glob("*.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["contracts"][contract]["artifact"] = digest
    manifest.write_text(json.dumps(data), encoding="utf-8")


def test_the_last_plain_text_contracts_are_among_those_refused_as_legacy():
    assert set(LAST_PLAIN_TEXT.values()) <= PLAIN_TEXT_REASON_ARTIFACTS


@pytest.mark.parametrize(
    ("contract", "command"),
    [
        ("BusinessRegistry", ["business", "show", "91440101MA59LU9AX1"]),
        ("ColdChainTrace", ["coldchain", "trace", "BR-1"]),
    ],
)
def test_a_data_folder_that_published_reasons_in_clear_is_refused_as_legacy_with_one_clear_message(
    isolated_env: Path, contract: str, command: list[str]
):
    deployed_as_before(isolated_env, contract, LAST_PLAIN_TEXT[contract])
    out = " ".join(gzchain(*command, expect=6).split())
    assert f"{contract} at 0x" in out and "is a legacy deployment" in out
    assert "wrote the words of every reason on chain in clear" in out
    assert "deploy this one to a fresh data folder or chain" in out
    assert "Traceback" not in out


def test_other_foreign_compiled_code_is_refused_without_being_called_legacy(isolated_env: Path):
    deployed_as_before(isolated_env, "BusinessRegistry", "0x" + "ab" * 32)
    out = " ".join(gzchain("business", "show", "91440101MA59LU9AX1", expect=6).split())
    assert "deployed from other compiled code than this gzchain ships" in out
    assert "legacy" not in out


def test_a_fresh_data_folder_deploys_the_current_contracts_and_records_reasons_by_code(isolated_env: Path):
    gzchain("deploy")
    out = gzchain("coldchain", "--help")
    assert "recall" in out
    refused = " ".join(
        gzchain(
            "coldchain", "recall", "--as", "gz-msa", "NO-SUCH-LOT", "--reason-code", "bribery",
            "--reason", "x", expect=2,
        ).split()
    )  # fmt: skip
    assert "unknown reason code 'bribery' to recall; known: temperature-abuse" in refused
