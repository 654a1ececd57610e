"""Validator node keys: secp256k1 keys whose public half is the node's enode id and whose address votes."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from eth_keys import keys
from eth_utils import ValidationError

from gzchain.domain.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class NodeKey:
    private_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        try:
            keys.PrivateKey(self.private_key)
        except ValidationError as exc:
            raise InvalidInput(f"not a secp256k1 private key: {exc}", field="node key") from None

    @property
    def _key(self) -> keys.PrivateKey:
        return keys.PrivateKey(self.private_key)

    @property
    def public_key(self) -> bytes:
        """The 64-byte uncompressed public key without its 0x04 prefix: the node id of its enode URL."""
        return self._key.public_key.to_bytes()

    @property
    def node_id(self) -> str:
        return self.public_key.hex()

    @property
    def address(self) -> str:
        """The validator address that goes into the genesis extraData and signs blocks."""
        return self._key.public_key.to_checksum_address()


def new_node_key() -> NodeKey:
    # A random 32-byte string falls outside [1, n-1] with probability ~2^-128; draw again if it does.
    while True:
        candidate = secrets.token_bytes(32)
        try:
            return NodeKey(candidate)
        except InvalidInput:
            continue


def node_key_from_hex(text: str, source: str) -> NodeKey:
    """A key as Besu writes it: 64 hex digits, with or without 0x."""
    digits = text.strip().removeprefix("0x")
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raise InvalidInput("is not hex", field=source) from None
    if len(raw) != 32:
        raise InvalidInput(f"holds {len(raw)} bytes, a node key has 32", field=source)
    try:
        return NodeKey(raw)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field=source) from None


def read_node_key(path: Path) -> NodeKey:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionDenied(f"node key {path} is readable by others (mode {mode:o}); chmod 600 it")
    return node_key_from_hex(path.read_text(encoding="utf-8"), str(path))


def write_node_key(path: Path, key: NodeKey) -> None:
    """Besu's format (0x + hex), created 0600: never readable by others, not even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("0x" + key.private_key.hex())
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed
