"""The one place that wires settings, chain, keys, deployment and services together."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from gzchain.chain.deployment import (
    DeployResult,
    Manifest,
    deploy,
    load_genesis,
    manifest_path,
    read_manifest,
    write_manifest,
)
from gzchain.chain.gateway import ChainGateway, connect
from gzchain.chain.keys import DemoKeyRing, EncryptedKeyRing, KeyRing, read_master_key
from gzchain.domain.consortium import Genesis
from gzchain.domain.errors import NotFound
from gzchain.services.business import BusinessService
from gzchain.services.certificates import CertificateService
from gzchain.services.coldchain import ColdChainService
from gzchain.services.consortium import ConsortiumReads, ConsortiumService
from gzchain.services.outbox import Recovery
from gzchain.services.petitions import PetitionsService, petitions_service
from gzchain.services.reindex import CertificateContracts, ReindexService
from gzchain.settings import Settings
from gzchain.store.crypto import PersonalDataCipher, derive_pepper, derive_store_key, local_store_key
from gzchain.store.db import Store, engine_for


def _master_key(settings: Settings) -> bytes | None:
    if settings.master_key is None and settings.master_key_file is None:
        return None
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    return read_master_key(secret, settings.master_key_file)


def open_keys(settings: Settings) -> KeyRing:
    if settings.keystore_file is None:
        return DemoKeyRing()
    master = _master_key(settings)
    if master is None:
        master = read_master_key(None, None)  # raises: says which setting is missing
    return EncryptedKeyRing(settings.keystore_file, master)


def open_store(settings: Settings) -> tuple[Store, PersonalDataCipher, bytes]:
    """The store, its cipher, and the identity authority's pepper (derived from the same key)."""
    throwaway = settings.ephemeral and settings.rpc_url is None and settings.store_url is None
    store = Store(engine_for(settings.store_url, None if throwaway else settings.data_dir))
    master = _master_key(settings)
    if master is not None:
        key = derive_store_key(master)
    elif throwaway:
        key = os.urandom(32)
    else:
        key = local_store_key(settings.data_dir)
    return store, PersonalDataCipher(key), derive_pepper(key)


@dataclass
class Runtime:
    settings: Settings
    gateway: ChainGateway
    keys: KeyRing
    genesis: Genesis
    manifest: Manifest | None
    manifest_file: Path | None  # None for a throwaway chain: its manifest dies with it
    store: Store
    cipher: PersonalDataCipher
    pepper: bytes  # keys the identity authority's HMAC of ID numbers
    # Consortium answers per chain head, shared by every request's ConsortiumService.
    consortium_reads: ConsortiumReads = field(default_factory=ConsortiumReads)
    # One vote relay at a time, whichever request's service relays.
    petition_relay_lock: threading.Lock = field(default_factory=threading.Lock)

    def deploy(self) -> DeployResult:
        result = deploy(self.gateway, self.keys, self.genesis, self.manifest)
        self.manifest = result.manifest
        if self.manifest_file is not None and result.deployed:
            write_manifest(self.manifest_file, result.manifest)
        return result

    def require_manifest(self) -> Manifest:
        if self.manifest is None:
            raise NotFound("gzchain is not deployed on this chain yet; run `gzchain deploy`")
        return self.manifest

    def consortium(self) -> ConsortiumService:
        address = self.require_manifest().address("Consortium")
        return ConsortiumService(self.gateway, self.keys, self.genesis, address, self.consortium_reads)

    def business(self) -> BusinessService:
        manifest = self.require_manifest()
        address = manifest.address("BusinessRegistry")
        return BusinessService(
            self.gateway,
            self.keys,
            self.store,
            self.cipher,
            self.consortium(),
            address,
            from_block=manifest.contracts["BusinessRegistry"].block,
        )

    def certificates(self) -> CertificateService:
        address = self.require_manifest().address("DocumentStoreFactory")
        return CertificateService(
            self.gateway, self.keys, self.store, self.cipher, self.consortium(), address
        )

    def coldchain(self) -> ColdChainService:
        manifest = self.require_manifest()
        address = manifest.address("ColdChainTrace")
        return ColdChainService(
            self.gateway,
            self.keys,
            self.store,
            self.consortium(),
            address,
            from_block=manifest.contracts["ColdChainTrace"].block,
            limits=self.settings.document_limits,
        )

    def petitions(self) -> PetitionsService:
        manifest = self.require_manifest()
        return petitions_service(
            self.gateway,
            self.keys,
            self.genesis,
            self.store,
            self.cipher,
            self.pepper,
            manifest.address("Petitions"),
            self.petition_relay_lock,
            from_block=manifest.contracts["Petitions"].block,
        )

    def reindexer(self) -> ReindexService:
        manifest = self.require_manifest()
        factory = CertificateContracts(
            manifest.address("DocumentStoreFactory"), manifest.contracts["DocumentStoreFactory"].block
        )
        return ReindexService(
            self.gateway, self.store, self.cipher, self.business(), self.coldchain(), factory
        )

    def recover(self) -> dict[str, Recovery]:
        """Settle the store's writes that a crash left pending, by the chain's word: before serving, and
        before reindexing (gzchain.services.outbox)."""
        if self.manifest is None:
            return {}
        return {"business": self.business().recover(), "coldchain": self.coldchain().recover()}

    def close(self) -> None:
        self.store.close()
        self.gateway.close()


def open_runtime(settings: Settings | None = None, gateway: ChainGateway | None = None) -> Runtime:
    settings = settings or Settings()
    genesis = load_genesis(settings.genesis_file)
    keys = open_keys(settings)
    gateway = gateway or connect(settings)
    persistent = settings.rpc_url is not None or not settings.ephemeral
    manifest_file = manifest_path(settings.data_dir, gateway) if persistent else None
    manifest = read_manifest(manifest_file) if manifest_file else None
    store, cipher, pepper = open_store(settings)
    return Runtime(settings, gateway, keys, genesis, manifest, manifest_file, store, cipher, pepper)
