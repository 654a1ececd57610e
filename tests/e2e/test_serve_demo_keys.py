"""`gzchain serve` refuses public demo keys on a chain that is not a development one (issue #15): the
compose-style settings (a node with its own chain id, no keystore) must not serve with derivable keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gzchain.chain.keys import (
    DEVELOPMENT_CHAIN_IDS,
    DemoKeyRing,
    EncryptedKeyRing,
    demo_keys_refusal,
    new_master_key,
    read_master_key,
)
from tests.conftest import AnvilNode

GZCHAIN = Path(sys.executable).with_name("gzchain")


def serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GZCHAIN), "serve", "--port", "1", *args],
        env={**os.environ, "COLUMNS": "1000", **env},  # rich wraps at 80 columns otherwise
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production_like_node():
    node = AnvilNode("--chain-id", "1337").start()
    yield node
    node.stop()


def test_serve_refuses_demo_keys_on_a_non_development_chain_with_a_one_line_reason(
    production_like_node, tmp_path: Path
):
    done = serve({"GZCHAIN_RPC_URL": production_like_node.url, "GZCHAIN_DATA_DIR": str(tmp_path)})
    assert done.returncode == 4
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "refusing demo keys on chain 1337" in lines[0]
    assert "--allow-demo-keys" in lines[0]


def test_demo_keys_are_accepted_on_the_embedded_and_anvil_development_chains():
    assert demo_keys_refusal(DemoKeyRing(), 131277322940537) is None
    assert demo_keys_refusal(DemoKeyRing(), 31337) is None
    assert demo_keys_refusal(DemoKeyRing(), 1337) is not None


def test_the_embedded_chain_id_is_a_development_one(gateway):
    assert gateway.chain_id in DEVELOPMENT_CHAIN_IDS


def test_a_real_keystore_is_accepted_on_any_chain(tmp_path: Path):
    master = read_master_key(new_master_key(), None)
    assert demo_keys_refusal(EncryptedKeyRing(tmp_path / "keys.json", master), 1337) is None
