"""`gzchain network init` from the command line: keys kept across runs, keystore accounts, refusals."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzchain.chain.deployment import load_genesis
from gzchain.chain.keys import DemoKeyRing, EncryptedKeyRing, new_master_key, read_master_key
from gzchain.cli import app

AGENCY_NODE = "enode://" + "ab" * 64 + "@10.8.0.5:30303"


@pytest.fixture
def init(isolated_env: Path):
    runner = CliRunner(env={"COLUMNS": "200"})
    out = isolated_env / "network"

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, ["network", "init", "--out", str(out), *args])
        assert result.exit_code == expect, result.output + repr(result.exception)
        return " ".join(result.output.split())  # rich wraps long messages

    run.out = out  # type: ignore[attr-defined]
    return run


def allowlists(out: Path, node: str = "validator-1") -> dict:
    return tomllib.loads((out / node / "permissions_config.toml").read_text())


def test_init_writes_four_validators_with_the_demo_agencies_allowed(init):
    output = init()
    assert "allowed: 4 node(s), 13 account(s); 4 new validator key(s)" in output
    assert "DEMO addresses" in output
    demo = DemoKeyRing()
    accounts = [demo.address(a.id).lower() for a in load_genesis().agencies]
    assert allowlists(init.out)["accounts-allowlist"] == accounts
    assert [v["name"] for v in json.loads((init.out / "network.json").read_text())["validators"]] == [
        "validator-1",
        "validator-2",
        "validator-3",
        "validator-4",
    ]


def test_running_init_again_keeps_the_keys_and_the_genesis(init):
    init()
    genesis = (init.out / "genesis.json").read_bytes()
    keys = [(init.out / f"validator-{n}" / "key").read_bytes() for n in range(1, 5)]
    assert "0 new validator key(s); 0 file(s) written" in init()
    assert (init.out / "genesis.json").read_bytes() == genesis
    assert [(init.out / f"validator-{n}" / "key").read_bytes() for n in range(1, 5)] == keys


def test_fresh_folders_get_fresh_random_keys(init, tmp_path: Path):
    init()
    CliRunner().invoke(app, ["network", "init", "--out", str(tmp_path / "other")])
    assert (init.out / "validator-1" / "key").read_text() != (
        tmp_path / "other" / "validator-1" / "key"
    ).read_text()


def test_added_nodes_and_accounts_are_remembered_until_removed(init):
    init()
    init("--allow-node", AGENCY_NODE, "--allow-account", "haizhu-health")
    haizhu = DemoKeyRing().address("haizhu-health").lower()
    assert allowlists(init.out, "validator-2")["nodes-allowlist"][-1] == AGENCY_NODE
    assert allowlists(init.out, "validator-2")["accounts-allowlist"][-1] == haizhu
    init()  # a later run without the options keeps them
    assert AGENCY_NODE in allowlists(init.out)["nodes-allowlist"]
    assert haizhu in allowlists(init.out)["accounts-allowlist"]
    init("--remove-node", AGENCY_NODE, "--remove-account", haizhu)
    assert AGENCY_NODE not in allowlists(init.out)["nodes-allowlist"]
    assert haizhu not in allowlists(init.out)["accounts-allowlist"]


def test_the_account_allowlist_follows_the_encrypted_keystore(init, isolated_env: Path, monkeypatch):
    master = new_master_key()
    keystore = EncryptedKeyRing(isolated_env / "keystore.json", read_master_key(master, None))
    real = {a.id: keystore.add(a.id).address.lower() for a in load_genesis().agencies}
    monkeypatch.setenv("GZCHAIN_KEYSTORE_FILE", str(keystore.path))
    monkeypatch.setenv("GZCHAIN_MASTER_KEY", master)
    output = init()
    assert "DEMO" not in output
    assert allowlists(init.out)["accounts-allowlist"] == list(real.values())


def test_init_refuses_to_turn_a_folder_into_another_network(init):
    init()
    assert "Generate a new network into an empty folder" in init("--validators", "5", expect=6)
    assert "another genesis" in init("--chain-id", "2020", expect=6)
    assert not (init.out / "validator-5").exists()


def test_a_validator_key_readable_by_others_is_refused(init):
    init()
    (init.out / "validator-3" / "key").chmod(0o644)
    assert "chmod 600" in init(expect=4)


def test_a_host_name_in_an_enode_is_refused_before_anything_is_written(init):
    assert "not an IPv4 address" in init(
        "--allow-node", "enode://" + "ab" * 64 + "@agency-node:30303", expect=2
    )
    assert not init.out.exists()


def test_a_second_run_keeps_the_folders_chain_id_and_hosts(init):
    hosts = ["10.1.0.1", "10.1.0.2", "10.1.0.3"]
    init("--validators", "3", "--chain-id", "2020", *(f"--host={h}" for h in hosts))
    init("--allow-account", "haizhu-health")
    summary = json.loads((init.out / "network.json").read_text())
    assert summary["chain_id"] == 2020
    assert [v["host"] for v in summary["validators"]] == hosts
    assert json.loads((init.out / "genesis.json").read_text())["config"]["chainId"] == 2020
    assert [n.split("@")[1] for n in allowlists(init.out)["nodes-allowlist"]] == [f"{h}:30303" for h in hosts]
