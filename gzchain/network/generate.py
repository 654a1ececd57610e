"""The folder `gzchain network init` writes: the genesis, and one self-contained folder per validator.

    <out>/genesis.json, network.json (what was generated, and the allowlist additions to keep),
          .gitignore (the folder holds private keys: git ignores all of it, wherever it is generated)
    <out>/validator-N/key (0600), key.pub, genesis.json, config.toml, static-nodes.json,
                      permissions_config.toml (identical in every validator folder)

Running it again on the same folder keeps the validator keys, so the genesis and enodes stay the same and
only the allowlists change; it refuses to turn the folder into a different network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gzchain.chain.keys import KeyRing
from gzchain.domain.consortium import Genesis
from gzchain.domain.errors import Conflict, InvalidInput
from gzchain.network.genesis import qbft_genesis
from gzchain.network.keys import NodeKey, new_node_key, read_node_key, write_node_key
from gzchain.network.nodes import Validator, besu_config, static_nodes, validator_name
from gzchain.network.permissions import normalise_account, normalise_enode, permissions_config

NETWORK_FILE = "network.json"
SUMMARY_KEYS = {"chain_id", "validators", "extra_nodes", "extra_accounts"}
KEY_FILE = "key"
GITIGNORE_TEXT = "# validator private keys, written by `gzchain network init`: never commit this folder\n*\n"


@dataclass(frozen=True)
class AgencyAccount:
    agency_id: str
    address: str


def agency_accounts(genesis: Genesis, keys: KeyRing) -> tuple[AgencyAccount, ...]:
    """The consortium's agencies with the addresses they sign with (demo keys or the keystore)."""
    return tuple(AgencyAccount(a.id, keys.address(a.id)) for a in genesis.agencies)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class NetworkPlan:
    chain_id: int
    validators: tuple[Validator, ...]
    agencies: tuple[AgencyAccount, ...]
    extra_nodes: tuple[str, ...] = ()  # agencies' own (non-validator) nodes, added after genesis
    extra_accounts: tuple[str, ...] = ()  # agencies admitted after genesis

    def __post_init__(self) -> None:
        if not self.validators:
            raise InvalidInput("a QBFT network needs at least one validator", field="validators")
        object.__setattr__(self, "extra_nodes", _unique(normalise_enode(n) for n in self.extra_nodes))
        object.__setattr__(self, "extra_accounts", _unique(normalise_account(a) for a in self.extra_accounts))

    @property
    def node_allowlist(self) -> list[str]:
        return list(_unique([*(v.enode for v in self.validators), *self.extra_nodes]))

    @property
    def account_allowlist(self) -> list[str]:
        # Validators are left out on purpose: they seal blocks with their node keys and never send
        # transactions, so a leaked validator key cannot write through account permissioning either.
        agencies = (normalise_account(a.address) for a in self.agencies)
        return list(_unique([*agencies, *self.extra_accounts]))

    def summary(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "validators": [
                {"name": v.name, "address": v.address, "host": v.host, "enode": v.enode}
                for v in self.validators
            ],
            "agencies": [{"id": a.agency_id, "address": a.address} for a in self.agencies],
            "extra_nodes": list(self.extra_nodes),
            "extra_accounts": list(self.extra_accounts),
        }

    def files(self) -> dict[str, str]:
        """Every generated file but the private keys, by path relative to the network folder."""
        genesis = (
            json.dumps(qbft_genesis([v.address for v in self.validators], self.chain_id), indent=2) + "\n"
        )
        permissions = permissions_config(self.node_allowlist, self.account_allowlist)
        files = {
            ".gitignore": GITIGNORE_TEXT,
            "genesis.json": genesis,
            NETWORK_FILE: json.dumps(self.summary(), indent=2) + "\n",
        }
        for node in self.validators:
            files[f"{node.name}/genesis.json"] = genesis
            files[f"{node.name}/config.toml"] = besu_config(node, self.validators)
            files[f"{node.name}/static-nodes.json"] = static_nodes(node, self.validators)
            files[f"{node.name}/permissions_config.toml"] = permissions
            files[f"{node.name}/key.pub"] = "0x" + node.key.node_id
        return files


def read_summary(out: Path) -> dict[str, Any] | None:
    path = out / NETWORK_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InvalidInput(f"is not JSON: {exc}", field=str(path)) from None
    if not isinstance(data, dict) or not set(data) >= SUMMARY_KEYS:
        raise InvalidInput("is not a gzchain network summary", field=str(path))
    return data


def merge_additions(
    kept: Iterable[str], added: Iterable[str], removed: Iterable[str], normalise: Callable[[str], str]
) -> tuple[str, ...]:
    """Allowlist additions remembered from the last run, plus new ones, minus those to forget."""
    dropped = {normalise(r) for r in removed}
    return tuple(v for v in _unique(normalise(x) for x in (*kept, *added)) if v not in dropped)


def node_keys(out: Path, count: int) -> tuple[list[NodeKey], int]:
    """The keys already in the folder's validator folders, and new ones for the rest; and how many are new."""
    if count < 1:
        raise InvalidInput(f"must be at least 1, got {count}", field="validators")
    keys, created = [], 0
    for index in range(count):
        path = out / validator_name(index) / KEY_FILE
        if path.exists():
            keys.append(read_node_key(path))
        else:
            keys.append(new_node_key())
            created += 1
    return keys, created


def check_same_network(previous: dict[str, Any] | None, plan: NetworkPlan) -> None:
    """Besu refuses a database made from another genesis: never silently regenerate a different one."""
    if previous is None:
        return
    before = [v["address"] for v in previous["validators"]]
    after = [v.address for v in plan.validators]
    if before != after or previous.get("chain_id") != plan.chain_id:
        raise Conflict(
            f"this folder holds chain {previous.get('chain_id')} with {len(before)} validator(s); the "
            f"requested chain {plan.chain_id} with {len(after)} would have another genesis, which the "
            "running nodes' databases do not match. Generate a new network into an empty folder instead."
        )


def write_network(out: Path, plan: NetworkPlan) -> list[Path]:
    """Write what differs from the folder's files; returns the paths written."""
    written = []
    for node in plan.validators:
        folder = out / node.name
        folder.mkdir(parents=True, exist_ok=True)
        # Besu runs as uid 1000 in its container and reads this folder through a bind mount.
        folder.chmod(0o755)
        key_path = folder / KEY_FILE
        if not key_path.exists():
            write_node_key(key_path, node.key)
            written.append(key_path)
    for relative, text in plan.files().items():
        path = out / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        os.replace(tmp, path)
        written.append(path)
    return written
