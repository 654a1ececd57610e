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
    require_current_code,
    write_manifest,
)
from gzchain.chain.gateway import ChainGateway, connect
from gzchain.chain.keys import (
    DemoKeyRing,
    EncryptedKeyRing,
    KeyRing,
    master_key_location_refusal,
    read_master_key,
)
from gzchain.domain.consortium import Genesis
from gzchain.domain.errors import InvalidInput, NotFound
from gzchain.services.api_keys import ApiKeyService
from gzchain.services.business import BusinessService
from gzchain.services.certificates import CertificateService
from gzchain.services.coldchain import ColdChainService
from gzchain.services.consortium import ConsortiumReads, ConsortiumService
from gzchain.services.outbox import Recovery
from gzchain.services.petitions import PetitionsService, petitions_service
from gzchain.services.reindex import CertificateContracts, ReindexService
from gzchain.settings import Settings, default_master_key_file
from gzchain.store.crypto import (
    PersonalDataCipher,
    derive_api_key_pepper,
    derive_pepper,
    derive_store_key,
    local_api_key_pepper,
    local_store_key,
    read_secret_file,
)
from gzchain.store.db import Store, engine_for


def master_key_file(settings: Settings) -> Path | None:
    """The file to read the master key from: as set, or the default one when a keystore needs a key."""
    if settings.master_key_file is not None:
        return settings.master_key_file
    if settings.keystore_file is not None and settings.master_key is None:
        return default_master_key_file()
    return None


def check_master_key_location(settings: Settings, key_file: Path) -> None:
    """Refuse a master key file inside the folders whose data it protects, unless told it is meant."""
    if settings.allow_master_key_in_data_dir:
        return
    protected = {"the data folder": settings.data_dir}
    if settings.keystore_file is not None:
        protected["the keystore's folder"] = settings.keystore_file.parent
    refusal = master_key_location_refusal(key_file, protected)
    if refusal is not None:
        raise InvalidInput(refusal, field="master_key_file")


def _master_key(settings: Settings) -> bytes | None:
    if settings.master_key is not None:
        return read_master_key(settings.master_key.get_secret_value(), None)
    key_file = master_key_file(settings)
    if key_file is None:
        return None
    check_master_key_location(settings, key_file)
    return read_master_key(None, key_file)


def open_keys(settings: Settings) -> KeyRing:
    if settings.keystore_file is None:
        return DemoKeyRing()
    # With a keystore there is always a file to read (the default one at least); the fallback only types.
    master = _master_key(settings) or read_master_key(None, None)
    return EncryptedKeyRing(settings.keystore_file, master)


def open_store(settings: Settings) -> tuple[Store, PersonalDataCipher, bytes]:
    """The store, its cipher, and the identity authority's pepper (derived from the same key)."""
    throwaway = settings.ephemeral and settings.rpc_url is None and settings.store_url is None
    engine = engine_for(settings.store_url, None if throwaway else settings.data_dir)
    master = _master_key(settings)
    if master is not None:
        key = derive_store_key(master)
    elif throwaway:
        key = os.urandom(32)
    else:
        key = local_store_key(settings.data_dir)
    cipher = PersonalDataCipher(key)
    return Store(engine, cipher), cipher, derive_pepper(key)


def open_api_key_pepper(settings: Settings) -> bytes:
    """The secret API key digests are keyed with: never stored beside them, the same for every process."""
    if settings.api_key_pepper_file is not None:
        return read_secret_file(settings.api_key_pepper_file)
    master = _master_key(settings)
    if master is not None:
        return derive_api_key_pepper(master)
    if settings.ephemeral and settings.store_url is None and settings.rpc_url is None:
        return os.urandom(32)  # a throwaway store's keys die with this process
    return local_api_key_pepper(settings.data_dir)


def api_key_service(runtime: Runtime) -> ApiKeyService:
    return ApiKeyService(
        runtime.store,
        {a.id for a in runtime.genesis.agencies},
        pepper=runtime.api_key_pepper,
        failure_limit=runtime.settings.auth_failure_limit,
    )


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
    api_key_pepper: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
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
        address = require_current_code(manifest, "BusinessRegistry").address
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
        address = require_current_code(manifest, "ColdChainTrace").address
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
    return Runtime(
        settings,
        gateway,
        keys,
        genesis,
        manifest,
        manifest_file,
        store,
        cipher,
        pepper,
        api_key_pepper=open_api_key_pepper(settings),
    )
