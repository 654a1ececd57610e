"""Encryption at rest for personal data in the store: AES-256-GCM, bound to the row's identity."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gzchain.domain.errors import PermissionDenied

_NONCE_BYTES = 12
_VERSION = b"\x01"


class PersonalDataCipher:
    """Seals JSON values; `context` (e.g. "business:<uscc>") is authenticated: no swapping ciphertexts."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._fingerprint_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"gzchain store fingerprints"
        ).derive(key)

    def fingerprint(self, data: bytes) -> str:
        """A keyed digest of `data` (HMAC-SHA256): equal inputs match, but without the store's key nobody
        can confirm a guess of what went in (a plain hash of a record with ID numbers can be brute forced)."""
        return hmac.new(self._fingerprint_key, data, hashlib.sha256).hexdigest()

    def seal(self, value: Any, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plaintext = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
        return base64.b64encode(
            _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())
        ).decode()

    def open(self, token: str, context: str) -> Any:
        raw = base64.b64decode(token)
        nonce, ciphertext = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            return json.loads(self._aead.decrypt(nonce, ciphertext, context.encode()))
        except InvalidTag:
            raise PermissionDenied(f"personal data of {context} cannot be decrypted with this key") from None


def derive_store_key(master_key: bytes) -> bytes:
    """A key of its own for the store, so the keystore's and the store's ciphertexts never share a key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gzchain store personal data").derive(
        master_key
    )


def derive_api_key_pepper(master_key: bytes) -> bytes:
    """The key API key digests are made with, of its own like the store's."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gzchain api key pepper").derive(
        master_key
    )


def read_secret_file(path: Path) -> bytes:
    """32 or more random bytes, base64 in a file (e.g. `head -c 32 /dev/urandom | base64`)."""
    secret = base64.b64decode(path.read_text().strip(), validate=True)
    if len(secret) < 32:
        raise PermissionDenied(f"{path} holds {len(secret)} bytes; a secret needs at least 32")
    return secret


def derive_pepper(store_key: bytes) -> bytes:
    """The identity authority's HMAC key for ID numbers: kept nowhere, derived from the store key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"gzchain petitions resident pepper"
    ).derive(store_key)


def local_store_key(data_dir: Path) -> bytes:
    """Without a master key: a random key in the data folder, readable by its owner only."""
    return _local_secret(data_dir / "store.key")


def local_api_key_pepper(data_dir: Path) -> bytes:
    """Without a master key: the API key pepper in the data folder, readable by its owner only."""
    return _local_secret(data_dir / "api-key.pepper")


def _local_secret(path: Path) -> bytes:
    data_dir = path.parent
    if path.exists():
        return base64.b64decode(path.read_text().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another gzchain process made it first
        return base64.b64decode(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode())
    return key
