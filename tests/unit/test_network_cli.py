"""`gzchain network init` from the command line: keys kept across runs, the agencies' keystore it creates,
refusals."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzchain.chain.deployment import load_genesis
from gzchain.chain.keys import DemoKeyRing, EncryptedKeyRing, new_master_key, read_master_key
from gzchain.cli import app

AGENCY_NODE = "enode://" + "ab" * 64 + "@10.8.0.5:30303"


@pytest.fixture
def init(isolated_env: Path, monkeypatch):
    monkeypatch.chdir(isolated_env)  # the default keystore folder is relative: never the repository's
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


def test_init_with_demo_keys_writes_four_validators_with_the_demo_agencies_allowed(init, isolated_env):
    output = init("--demo-keys")
    assert "allowed: 4 node(s), 13 account(s); 4 new validator key(s)" in output
    assert "DEMO addresses" in output
    assert not (isolated_env / "deploy").exists() and not (isolated_env / "config").exists()
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
    init("--demo-keys")
    init("--demo-keys", "--allow-node", AGENCY_NODE, "--allow-account", "haizhu-health")
    haizhu = DemoKeyRing().address("haizhu-health").lower()
    assert allowlists(init.out, "validator-2")["nodes-allowlist"][-1] == AGENCY_NODE
    assert allowlists(init.out, "validator-2")["accounts-allowlist"][-1] == haizhu
    init("--demo-keys")  # a later run without the options keeps them
    assert AGENCY_NODE in allowlists(init.out)["nodes-allowlist"]
    assert haizhu in allowlists(init.out)["accounts-allowlist"]
    init("--demo-keys", "--remove-node", AGENCY_NODE, "--remove-account", haizhu)
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


def keystore_addresses(path: Path, master_key_file: Path) -> dict[str, str]:
    ring = EncryptedKeyRing(path, read_master_key(None, master_key_file))
    return {agency: ring.address(agency).lower() for agency in ring.agencies()}


def test_init_creates_a_keystore_of_fresh_keys_whose_addresses_the_allowlist_admits(init, isolated_env):
    output = init()
    keystore = isolated_env / "deploy" / "besu" / "keystore" / "agencies.json"
    master = isolated_env / "config" / "gzchain" / "master-key"
    assert "13 new key(s)" in output and f"master key: {master} (created, mode 600)" in output
    addresses = keystore_addresses(keystore, master)
    agencies = [a.id for a in load_genesis().agencies]
    assert sorted(addresses) == sorted(agencies)
    assert allowlists(init.out)["accounts-allowlist"] == [addresses[a] for a in agencies]
    demo = {DemoKeyRing().address(a).lower() for a in agencies}
    assert demo.isdisjoint(addresses.values())
    summary = json.loads((init.out / "network.json").read_text())
    assert {a["id"]: a["address"].lower() for a in summary["agencies"]} == addresses
    assert {v["address"].lower() for v in summary["validators"]}.isdisjoint(addresses.values())


def test_the_keystore_and_master_key_are_their_owners_only_and_git_ignores_the_keystore(init, isolated_env):
    init()
    folder = isolated_env / "deploy" / "besu" / "keystore"
    master = isolated_env / "config" / "gzchain" / "master-key"
    assert stat.S_IMODE((folder / "agencies.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(master.stat().st_mode) == 0o600
    assert stat.S_IMODE(master.parent.stat().st_mode) == 0o700
    assert len(base64.b64decode(master.read_text().strip())) == 32
    # The folders' own .gitignore files keep both kinds of keys out of any repository around them...
    subprocess.run(["git", "init", "-q", str(isolated_env)], check=True)
    untracked = subprocess.run(
        ["git", "-C", str(isolated_env), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert untracked == "?? config/gzchain/master-key\n"  # this test repository ignores nothing else
    # ...and the project's .gitignore ignores the default folder too.
    root = Path(__file__).resolve().parents[2]
    ignored = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "deploy/besu/keystore/agencies.json"], capture_output=True
    )
    assert ignored.returncode == 0


def test_running_init_again_keeps_the_agency_keys(init, isolated_env):
    init()
    keystore = isolated_env / "deploy" / "besu" / "keystore" / "agencies.json"
    before = keystore.read_bytes()
    output = init()
    assert "0 new key(s)" in output and "(created" not in output
    assert keystore.read_bytes() == before


def test_fresh_keystores_hold_fresh_random_keys(init, isolated_env, monkeypatch):
    init()
    first = keystore_addresses(
        isolated_env / "deploy/besu/keystore/agencies.json", isolated_env / "config/gzchain/master-key"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_env / "other-config"))
    init("--keystore", str(isolated_env / "other" / "agencies.json"))
    second = keystore_addresses(
        isolated_env / "other" / "agencies.json", isolated_env / "other-config/gzchain/master-key"
    )
    assert set(first.values()).isdisjoint(second.values())


def test_an_agency_allowed_later_gets_a_fresh_key_in_the_keystore(init, isolated_env):
    init()
    init("--allow-account", "haizhu-health")
    addresses = keystore_addresses(
        isolated_env / "deploy/besu/keystore/agencies.json", isolated_env / "config/gzchain/master-key"
    )
    assert allowlists(init.out)["accounts-allowlist"][-1] == addresses["haizhu-health"]
    assert addresses["haizhu-health"] != DemoKeyRing().address("haizhu-health").lower()


def test_a_keystore_whose_master_key_file_is_missing_is_refused_and_left_alone(init, isolated_env):
    init()
    keystore = isolated_env / "deploy" / "besu" / "keystore" / "agencies.json"
    before = keystore.read_bytes()
    (isolated_env / "config" / "gzchain" / "master-key").unlink()
    output = init(expect=3)
    assert "exists but its master key file" in output and "restore that file" in output
    assert keystore.read_bytes() == before
    assert not (isolated_env / "config" / "gzchain" / "master-key").exists()


def test_a_master_key_file_inside_the_data_folder_is_refused_unless_allowed(init, isolated_env, monkeypatch):
    inside = isolated_env / "data" / "master-key"
    monkeypatch.setenv("GZCHAIN_MASTER_KEY_FILE", str(inside))
    output = init(expect=2)
    assert f"master key file {inside} is inside the data folder" in output
    assert "GZCHAIN_ALLOW_MASTER_KEY_IN_DATA_DIR" in output
    assert not inside.exists() and not (isolated_env / "deploy" / "besu" / "keystore").exists()
    monkeypatch.setenv("GZCHAIN_ALLOW_MASTER_KEY_IN_DATA_DIR", "true")
    assert f"master key: {inside} (created, mode 600)" in init()


def test_a_master_key_file_beside_the_keystore_is_refused(init, isolated_env, monkeypatch):
    monkeypatch.setenv("GZCHAIN_MASTER_KEY_FILE", str(isolated_env / "keys" / "master-key"))
    output = init("--keystore", str(isolated_env / "keys" / "agencies.json"), expect=2)
    assert "is inside the keystore's folder" in output
