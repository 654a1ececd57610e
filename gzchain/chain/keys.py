"""Agencies' signing keys: derived demo keys, or an AES-GCM encrypted keystore for real ones."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_account.signers.local import LocalAccount

from gzchain.domain.errors import InvalidInput, NotFound, PermissionDenied
from gzchain.domain.keccak import keccak

DEMO_KEY_LABEL = b"gzchain DEMO key, never for production: "
# Chains where public demo keys are fine: eth-tester's embedded chain (py-evm's default chain id, which
# gzchain's embedded backend keeps) and anvil's default. Anything else (Besu QBFT, anvil started with another
# --chain-id) is treated as a network whose accounts guard something, so demo keys are refused there.
DEVELOPMENT_CHAIN_IDS: frozenset[int] = frozenset({131277322940537, 31337})


def demo_keys_refusal(keys: KeyRing, chain_id: int) -> str | None:
    """Why `keys` must not sign on chain `chain_id` (demo keys off a development chain), or None."""
    if not keys.is_demo or chain_id in DEVELOPMENT_CHAIN_IDS:
        return None
    return (
        f"refusing demo keys on chain {chain_id}, which is not a development chain (embedded or anvil "
        "31337): anyone can derive their private keys; set GZCHAIN_KEYSTORE_FILE and "
        "GZCHAIN_MASTER_KEY_FILE, or pass --allow-demo-keys"
    )


class KeyRing(ABC):
    """Gives the signing account of an agency by its id (e.g. `gz-msa`)."""

    is_demo: bool = False

    @abstractmethod
    def signer(self, agency_id: str) -> LocalAccount: ...

    def address(self, agency_id: str) -> str:
        return self.signer(agency_id).address


class DemoKeyRing(KeyRing):
    """Keys derived from the agency id: the same on every machine, so demos and tests agree. Public!"""

    is_demo = True

    def signer(self, agency_id: str) -> LocalAccount:
        return Account.from_key(keccak(DEMO_KEY_LABEL + agency_id.encode()))


class EncryptedKeyRing(KeyRing):
    """Private keys sealed with AES-256-GCM under a master key; the agency id is bound as associated data."""

    def __init__(self, path: Path, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise InvalidInput("master key must be 32 bytes (base64 of 32 random bytes)", field="master_key")
        self.path = path
        self._aead = AESGCM(master_key)

    def _entries(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))["keys"]
        except (ValueError, KeyError) as exc:
            raise InvalidInput(
                f"keystore {self.path} is not a gzchain keystore", field="keystore_file"
            ) from exc

    def agencies(self) -> list[str]:
        return sorted(self._entries())

    def signer(self, agency_id: str) -> LocalAccount:
        entry = self._entries().get(agency_id)
        if entry is None:
            raise NotFound(f"keystore {self.path} holds no key for agency {agency_id!r}")
        try:
            key = self._aead.decrypt(
                base64.b64decode(entry["nonce"]), base64.b64decode(entry["ciphertext"]), agency_id.encode()
            )
        except InvalidTag:
            raise PermissionDenied(f"the master key does not open the key of agency {agency_id!r}") from None
        return Account.from_key(key)

    def add(self, agency_id: str, private_key: bytes | None = None) -> LocalAccount:
        """Store a key (a fresh random one unless given) for `agency_id`; refuses to overwrite one."""
        entries = self._entries()
        if agency_id in entries:
            raise InvalidInput(f"keystore already holds a key for agency {agency_id!r}", field="agency")
        key = private_key or secrets.token_bytes(32)
        nonce = secrets.token_bytes(12)
        entries[agency_id] = {
            "address": Account.from_key(key).address,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(self._aead.encrypt(nonce, key, agency_id.encode())).decode(),
        }
        _write_private(self.path, json.dumps({"version": 1, "keys": entries}, indent=2, sort_keys=True))
        return Account.from_key(key)


def new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def write_master_key(path: Path) -> None:
    """A fresh master key in a new file, 0600; never overwrites one, which a keystore needs."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(new_master_key() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def master_key_location_refusal(key_file: Path, protected: Mapping[str, Path]) -> str | None:
    """Why `key_file` must not hold the master key (it sits in a folder whose data it protects), or None.

    A key kept beside its ciphertexts is lost with them: one copied folder or backup then holds both.
    """
    where = key_file.expanduser().resolve()
    for what, folder in protected.items():
        if where.is_relative_to(folder.expanduser().resolve()):
            return (
                f"master key file {key_file} is inside {what} {folder}, whose data it protects: keep it "
                "elsewhere (default ~/.config/gzchain/master-key) or set "
                "GZCHAIN_ALLOW_MASTER_KEY_IN_DATA_DIR=true"
            )
    return None


def read_master_key(value: str | None, key_file: Path | None) -> bytes:
    """The master key from a setting, or from a file nobody else may read."""
    if value:
        return _decode_master_key(value, "master_key")
    if key_file is None:
        raise InvalidInput(
            "an encrypted keystore needs GZCHAIN_MASTER_KEY or GZCHAIN_MASTER_KEY_FILE", field="master_key"
        )
    try:
        mode = stat.S_IMODE(key_file.stat().st_mode)
    except FileNotFoundError:
        raise NotFound(
            f"master key file {key_file} does not exist: `gzchain network init` creates one, or set "
            "GZCHAIN_MASTER_KEY_FILE"
        ) from None
    if mode & 0o077:
        raise PermissionDenied(
            f"master key file {key_file} is readable by others (mode {mode:o}); chmod 600 it"
        )
    return _decode_master_key(key_file.read_text(encoding="utf-8").strip(), "master_key_file")


def _decode_master_key(text: str, field: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        raise InvalidInput("master key is not valid base64", field=field) from None
    if len(key) != 32:
        raise InvalidInput(f"master key decodes to {len(key)} bytes, expected 32", field=field)
    return key


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
