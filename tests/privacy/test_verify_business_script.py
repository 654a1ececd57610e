"""scripts/verify_business.py proves a lookup's public fields against a real node with web3 alone, and
fails a lookup whose server altered a value, a salt or a proof."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AnvilNode
from support.records import USCC, a_record

from gzchain.api.schemas.business import BusinessPublic
from gzchain.bootstrap import Runtime, open_runtime
from gzchain.settings import Settings

SCRIPT = Path(__file__).parents[2] / "scripts" / "verify_business.py"


@pytest.fixture
def on_anvil(anvil: AnvilNode, tmp_path: Path):
    runtime = open_runtime(Settings(data_dir=tmp_path / "data", rpc_url=anvil.url))
    try:
        runtime.deploy()
        yield runtime
    finally:
        runtime.close()


def verify(runtime: Runtime, url: str, lookup: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "lookup.json"
    path.write_text(json.dumps(lookup, ensure_ascii=False), encoding="utf-8")
    registry = runtime.require_manifest().address("BusinessRegistry")
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--node", url, "--registry", registry, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def a_lookup(runtime: Runtime) -> dict:
    service = runtime.business()
    service.register("gz-msa", a_record())
    service.amend("gz-msa", a_record(address="广州市黄埔区科学大道18号"))
    return BusinessPublic.of(service.lookup(USCC)).model_dump(mode="json")


def test_the_script_imports_nothing_of_gzchain():
    assert "gzchain" not in "".join(
        line for line in SCRIPT.read_text().splitlines() if line.startswith(("import", "from"))
    )


def test_the_script_verifies_every_public_field_of_every_version_against_anvil(
    on_anvil: Runtime, anvil: AnvilNode, tmp_path: Path
):
    lookup = a_lookup(on_anvil)
    result = verify(on_anvil, anvil.url, lookup, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   version 2 address = '广州市黄埔区科学大道18号'" in result.stdout
    assert "ok   version 1 legal_representative.name" in result.stdout
    assert "FAILED" not in result.stdout and "VERIFIED: 0 of" in result.stdout
    # Personal fields never travel with a salt, so the script cannot (and need not) prove them.
    assert "id_number" not in result.stdout


@pytest.mark.parametrize(
    "alter",
    [
        lambda field: field.update(value="1.00"),
        lambda field: field.update(salt="0x" + "00" * 32),
        lambda field: field.update(proof=field["proof"][:-1]),
    ],
    ids=["value", "salt", "proof"],
)
def test_the_script_fails_a_lookup_whose_server_altered_a_field(
    on_anvil: Runtime, anvil: AnvilNode, tmp_path: Path, alter
):
    lookup = a_lookup(on_anvil)
    [capital] = [f for f in lookup["versions"][-1]["fields"] if f["path"] == "registered_capital.amount"]
    alter(capital)
    result = verify(on_anvil, anvil.url, lookup, tmp_path)
    assert result.returncode == 1
    assert "FAIL version 2 registered_capital.amount" in result.stdout


def test_the_script_verifies_a_status_change_reason_from_its_words_and_salt_and_fails_altered_words(
    on_anvil: Runtime, anvil: AnvilNode, tmp_path: Path
):
    on_anvil.business().register("gz-msa", a_record())
    on_anvil.business().suspend("gz-msa", USCC, "unreachable-at-address", "cannot be contacted")
    lookup = BusinessPublic.of(on_anvil.business().lookup(USCC)).model_dump(mode="json")
    result = verify(on_anvil, anvil.url, lookup, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   version 2 reason = 'cannot be contacted'" in result.stdout
    lookup["versions"][1]["reason"]["words"] = "paid a fine"
    result = verify(on_anvil, anvil.url, lookup, tmp_path)
    assert result.returncode == 1
    assert "FAIL version 2 reason = 'paid a fine'" in result.stdout
