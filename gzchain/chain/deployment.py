"""Deploys gzchain's contracts in dependency order and records them in a deployment manifest.

Deploying again against a chain that already has them recognises the manifest and changes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from gzchain import __version__
from gzchain.chain.artifacts import artifact_digest
from gzchain.chain.gateway import ChainGateway
from gzchain.chain.keys import KeyRing
from gzchain.domain.consortium import Genesis, genesis_from_dict
from gzchain.domain.errors import Conflict, InvalidInput, NotFound
from gzchain.domain.petitions.rules import DEFAULT_RULES

MANIFEST_VERSION = 1
# artifact_digest of each BusinessRegistry and ColdChainTrace gzchain shipped before reasons left the chain
# (issue #15): those contracts took and published the words of every reason in clear, and their ABI is not
# this gzchain's, so a deployment of one is legacy and refused by name (`require_current_code`).
PLAIN_TEXT_REASON_ARTIFACTS: Final = frozenset(
    {
        "0x249c61f6b8ce665e9092c9bb631dfdd1444d853b55f7df67fc019ee48e6405ba",
        "0x3ddc707d5c8694584d76e1215a747dd2e00ac9b8c424c630d3b08fd115ca56a7",
        "0x4c79a9d29a20e58b6aa0cf130298066c7e424a88feaddd682e883c46d39fc3a0",
        "0x51cb68b1796769b86f3794e0a14cbd55034b5e29d914b9e0da1cf28fd00877a2",
        "0x9f523d251e6d9cc846abe1aee7bd3cb033896f8669521fe3ab9995759e4867d4",
        "0x77cc35ab9227f39cc5a3d0a672dce98513bbb9c5434ffdd3da50ed0f25a029b2",
        "0xd2aa3bbba51ee3bc5e1607c1be463846682d1cdfecc932657a3075026fb9ebf0",
    }
)


@dataclass(frozen=True)
class DeployedContract:
    address: str
    block: int
    tx_hash: str
    artifact: str  # artifact_digest of the code deployed


@dataclass
class Manifest:
    chain_id: int
    genesis_hash: str
    deployer: str
    contracts: dict[str, DeployedContract] = field(default_factory=dict)
    gzchain_version: str = __version__
    version: int = MANIFEST_VERSION

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError:
            raise NotFound(f"contract {name} is not deployed on this chain; run `gzchain deploy`") from None

    @property
    def deploy_block(self) -> int:
        return min((c.block for c in self.contracts.values()), default=0)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> Manifest:
        try:
            data = json.loads(text)
            contracts = {name: DeployedContract(**c) for name, c in data.pop("contracts").items()}
            return cls(contracts=contracts, **data)
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput(f"deployment manifest is unreadable: {exc}", field=source) from exc


def load_genesis(path: Path | None = None) -> Genesis:
    """The genesis consortium from a YAML file (the Guangzhou one shipped with gzchain by default)."""
    if path is None:
        text = resources.files("gzchain.data").joinpath("genesis-consortium.yaml").read_text(encoding="utf-8")
        source = "genesis-consortium.yaml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read genesis file: {exc.strerror}", field=str(path)) from exc
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"genesis file is not valid YAML: {exc}", field=source) from exc
    if not isinstance(data, dict):
        raise InvalidInput("genesis file must be a mapping", field=source)
    return genesis_from_dict(data)


def manifest_path(data_dir: Path, gateway: ChainGateway) -> Path:
    """One manifest per chain, told apart by chain id and genesis block."""
    return data_dir / "deployments" / f"{gateway.chain_id}-{gateway.genesis_hash()[2:14]}.json"


def read_manifest(path: Path) -> Manifest | None:
    if not path.exists():
        return None
    return Manifest.from_json(path.read_text(encoding="utf-8"), str(path))


def write_manifest(path: Path, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, path)


# Each contract's constructor arguments, given the genesis, the keys and what is deployed before it.
ConstructorArgs = Callable[[Genesis, KeyRing, Manifest], tuple[Any, ...]]


def _consortium_args(genesis: Genesis, keys: KeyRing, _: Manifest) -> tuple[Any, ...]:
    members = [
        (keys.address(a.id), a.name, a.domain, [role.id for role in a.roles]) for a in genesis.agencies
    ]
    return members, genesis.threshold, genesis.proposal_lifetime_seconds


def _gated_args(_: Genesis, __: KeyRing, manifest: Manifest) -> tuple[Any, ...]:
    """Contracts gated by the consortium take its address and nothing else."""
    return (manifest.address("Consortium"),)


def _petitions_args(_: Genesis, __: KeyRing, manifest: Manifest) -> tuple[Any, ...]:
    return manifest.address("Consortium"), DEFAULT_RULES.as_tuple()


DEPLOYMENT_ORDER: list[tuple[str, ConstructorArgs]] = [
    ("Consortium", _consortium_args),
    ("BusinessRegistry", _gated_args),
    ("DocumentStoreFactory", _gated_args),
    ("ColdChainTrace", _gated_args),
    ("Petitions", _petitions_args),
]


@dataclass(frozen=True)
class DeployResult:
    manifest: Manifest
    deployed: tuple[str, ...]  # contracts deployed by this run; empty when all were there already


def deploy(gateway: ChainGateway, keys: KeyRing, genesis: Genesis, existing: Manifest | None) -> DeployResult:
    """Deploy whatever of DEPLOYMENT_ORDER the chain lacks; verify what the manifest says is there."""
    deployer = keys.signer(genesis.governors[0].id)
    manifest = existing or Manifest(gateway.chain_id, gateway.genesis_hash(), deployer.address)
    _check_manifest_matches_chain(gateway, manifest)
    for agency in genesis.agencies:
        gateway.fund(keys.address(agency.id))
    deployed: list[str] = []
    for name, args in DEPLOYMENT_ORDER:
        if name in manifest.contracts:
            continue
        address, receipt = gateway.deploy(name, deployer, *args(genesis, keys, manifest))
        manifest.contracts[name] = DeployedContract(
            address, receipt.block_number, receipt.tx_hash, artifact_digest(name)
        )
        deployed.append(name)
    return DeployResult(manifest, tuple(deployed))


def require_current_code(manifest: Manifest, name: str) -> DeployedContract:
    """The deployment of `name`, refused unless it runs the code this gzchain ships (its ABI is the one
    this gzchain reads with); a contract from before reason codes is named as such."""
    address = manifest.address(name)
    contract = manifest.contracts[name]
    if contract.artifact == artifact_digest(name):
        return contract
    if contract.artifact in PLAIN_TEXT_REASON_ARTIFACTS:
        raise Conflict(
            f"{name} at {address} is a legacy deployment: the gzchain that deployed it wrote the words of "
            "every reason on chain in clear, where this one records a reason code and a salted hash, so it "
            "cannot read that contract; keep that data folder with the gzchain that made it (its reasons "
            "stay public on that chain), and deploy this one to a fresh data folder or chain"
        )
    raise Conflict(
        f"{name} at {address} was deployed from other compiled code than this gzchain ships; "
        "deploy to a fresh chain or data folder"
    )


def _check_manifest_matches_chain(gateway: ChainGateway, manifest: Manifest) -> None:
    if manifest.chain_id != gateway.chain_id or manifest.genesis_hash != gateway.genesis_hash():
        raise Conflict(
            f"the deployment manifest is for chain {manifest.chain_id} ({manifest.genesis_hash[:12]}…), "
            f"not this chain {gateway.chain_id} ({gateway.genesis_hash()[:12]}…)"
        )
    for name, contract in manifest.contracts.items():
        if not gateway.code_at(contract.address):
            raise Conflict(
                f"the manifest puts {name} at {contract.address}, but this chain has no code there"
            )
        if contract.artifact != artifact_digest(name):
            raise Conflict(
                f"{name} at {contract.address} was deployed from other compiled code than this gzchain "
                "ships; "
                "deploy to a fresh chain or data folder"
            )
