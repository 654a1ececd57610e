"""The generated network folder: allowlists, per-node Besu configs, key files, determinism."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest

from gzchain.chain.deployment import load_genesis
from gzchain.chain.keys import DemoKeyRing
from gzchain.domain.errors import InvalidInput
from gzchain.network.generate import NetworkPlan, agency_accounts, merge_additions, write_network
from gzchain.network.genesis import validators_from_extra_data
from gzchain.network.keys import NodeKey, node_key_from_hex
from gzchain.network.nodes import compose_hosts, validators
from gzchain.network.permissions import normalise_account, normalise_enode

FIXED_KEYS = [NodeKey(bytes([i]) * 32) for i in range(1, 5)]
AGENCY_NODE = "enode://" + "ab" * 64 + "@10.8.0.5:30303"


def plan(keys: list[NodeKey] = FIXED_KEYS, **extra) -> NetworkPlan:
    return NetworkPlan(
        chain_id=1337,
        validators=tuple(validators(keys, compose_hosts(len(keys)))),
        agencies=agency_accounts(load_genesis(), DemoKeyRing()),
        **extra,
    )


@pytest.fixture
def network(tmp_path: Path) -> Path:
    write_network(tmp_path, plan())
    return tmp_path


def toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def permissions(network: Path, node: str = "validator-1") -> dict:
    return toml(network / node / "permissions_config.toml")


def test_the_node_allowlist_is_exactly_the_validators_enodes(network: Path):
    expected = [f"enode://{k.public_key.hex()}@172.16.239.{11 + i}:30303" for i, k in enumerate(FIXED_KEYS)]
    assert permissions(network)["nodes-allowlist"] == expected


def test_the_account_allowlist_is_exactly_the_consortium_agencies_in_lowercase(network: Path):
    keys = DemoKeyRing()
    agencies = [keys.address(a.id).lower() for a in load_genesis().agencies]
    assert len(agencies) == 13
    assert permissions(network)["accounts-allowlist"] == agencies
    validator_accounts = {k.address.lower() for k in FIXED_KEYS}
    assert validator_accounts.isdisjoint(permissions(network)["accounts-allowlist"])


def test_every_node_gets_the_same_permissions_file(network: Path):
    files = {(network / f"validator-{n}" / "permissions_config.toml").read_bytes() for n in range(1, 5)}
    assert len(files) == 1


def test_every_bootnode_and_static_node_is_in_the_node_allowlist_and_none_is_the_node_itself(network: Path):
    allowed = set(permissions(network)["nodes-allowlist"])
    for index, key in enumerate(FIXED_KEYS):
        folder = network / f"validator-{index + 1}"
        bootnodes = toml(folder / "config.toml")["bootnodes"]
        static = json.loads((folder / "static-nodes.json").read_text())
        assert (
            set(bootnodes)
            == set(static)
            == allowed - {f"enode://{key.node_id}@172.16.239.{11 + index}:30303"}
        )


def test_each_node_config_has_free_gas_permissioning_and_rpc(network: Path):
    for index in range(4):
        config = toml(network / f"validator-{index + 1}" / "config.toml")
        assert config["min-gas-price"] == 0
        assert config["permissions-nodes-config-file-enabled"] is True
        assert config["permissions-accounts-config-file-enabled"] is True
        assert config["permissions-nodes-config-file"] == config["permissions-accounts-config-file"]
        assert config["permissions-nodes-config-file"] == "/data/permissions_config.toml"
        assert config["rpc-http-enabled"] is True and config["rpc-http-host"] == "0.0.0.0"
        assert config["rpc-http-api"] == ["ETH", "NET", "WEB3", "QBFT", "ADMIN", "TXPOOL", "PERM"]
        assert config["host-allowlist"] == ["*"]
        assert config["p2p-host"] == f"172.16.239.{11 + index}" and config["p2p-port"] == 30303
        assert config["genesis-file"] == "/config/genesis.json"
        assert config["node-private-key-file"] == "/data/key"
        for option in ("data-path", "node-private-key-file", "genesis-file", "static-nodes-file"):
            assert not config[option].startswith("/opt/besu"), option


def test_each_node_folder_holds_the_genesis_whose_extra_data_names_the_validators(network: Path):
    top = (network / "genesis.json").read_text()
    decoded = validators_from_extra_data(json.loads(top)["extraData"])
    assert [a.lower() for a in decoded] == sorted(k.address.lower() for k in FIXED_KEYS)
    for n in range(1, 5):
        assert (network / f"validator-{n}" / "genesis.json").read_text() == top


def test_each_public_key_file_matches_the_private_key_and_the_enode(network: Path):
    for index in range(4):
        folder = network / f"validator-{index + 1}"
        key = node_key_from_hex((folder / "key").read_text(), "key")
        assert key == FIXED_KEYS[index]
        assert (folder / "key.pub").read_text() == "0x" + key.node_id
        assert permissions(network)["nodes-allowlist"][index].startswith(f"enode://{key.node_id}@")


def test_key_files_are_readable_by_their_owner_only(network: Path):
    for n in range(1, 5):
        mode = stat.S_IMODE((network / f"validator-{n}" / "key").stat().st_mode)
        assert mode == 0o600, oct(mode)
        assert stat.S_IMODE((network / f"validator-{n}" / "config.toml").stat().st_mode) == 0o644


def test_the_same_keys_generate_byte_identical_folders(tmp_path: Path):
    write_network(tmp_path / "a", plan())
    write_network(tmp_path / "b", plan())
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files_a == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert len(files_a) == 3 + 4 * 6
    for relative in files_a:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes(), relative


def test_other_keys_generate_another_genesis(tmp_path: Path):
    other = [NodeKey(bytes([i]) * 32) for i in range(5, 9)]
    assert plan().files()["genesis.json"] != plan(other).files()["genesis.json"]


def test_additions_join_the_allowlists_after_the_validators_and_agencies(network: Path):
    extended = plan(
        extra_nodes=("enode://" + "AB" * 64 + "@10.8.0.5:30303",), extra_accounts=("0x" + "AB" * 20,)
    )
    write_network(network, extended)
    lists = permissions(network, "validator-3")
    assert lists["nodes-allowlist"][4:] == [AGENCY_NODE]
    assert lists["accounts-allowlist"][13:] == ["0x" + "ab" * 20]
    assert len(lists["nodes-allowlist"]) == 5 and len(lists["accounts-allowlist"]) == 14


def test_remembered_additions_are_kept_until_removed():
    kept = merge_additions([AGENCY_NODE], ["enode://" + "cd" * 64 + "@10.8.0.6:30303"], [], normalise_enode)
    assert len(kept) == 2
    assert merge_additions(kept, [], [AGENCY_NODE], normalise_enode) == (kept[1],)
    assert merge_additions(["0x" + "AB" * 20], ["0x" + "ab" * 20], [], normalise_account) == (
        "0x" + "ab" * 20,
    )


@pytest.mark.parametrize(
    ("enode", "message"),
    [
        ("enode://" + "ab" * 64 + "@validator-9:30303", "not an IPv4"),
        ("enode://" + "ab" * 63 + "@10.0.0.1:30303", "not an enode URL"),
        ("enode://" + "ab" * 64 + "@10.0.0.1:70000", "out of range"),
        ("http://10.0.0.1:30303", "not an enode URL"),
    ],
)
def test_an_enode_besu_could_not_use_is_refused(enode: str, message: str):
    with pytest.raises(InvalidInput, match=message):
        normalise_enode(enode)


def test_hosts_must_be_one_distinct_address_per_validator():
    with pytest.raises(InvalidInput, match="3 hosts given for 4 validators"):
        validators(FIXED_KEYS, compose_hosts(3))
    with pytest.raises(InvalidInput, match="share a host"):
        validators(FIXED_KEYS[:2], ["10.0.0.1", "10.0.0.1"])


def test_a_private_key_out_of_the_curves_range_is_refused():
    with pytest.raises(InvalidInput, match="secp256k1"):
        NodeKey(b"\xff" * 32)
    with pytest.raises(InvalidInput, match="31 bytes"):
        node_key_from_hex("0x" + "01" * 31, "key")
