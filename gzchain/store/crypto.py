"""Encryption at rest for personal data in the store: AES-256-GCM, bound to the row's identity."""

from __future__ import annotations

import base64
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


def derive_pepper(store_key: bytes) -> bytes:
    """The identity authority's HMAC key for ID numbers: kept nowhere, derived from the store key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"gzchain petitions resident pepper"
    ).derive(store_key)


def local_store_key(data_dir: Path) -> bytes:
    """Without a master key: a random key in the data folder, readable by its owner only."""
    path = data_dir / "store.key"
    if path.exists():
        return base64.b64decode(path.read_text().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode())
    return key
