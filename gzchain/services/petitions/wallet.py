"""The resident's side: a credential key and petition receipts in one encrypted wallet file.

The file is sealed with AES-256-GCM under a key stretched from the resident's passphrase (scrypt), mode 0600.
It holds the credential key and, per petition, the token and its unblinded signature: the receipt only its
holder can open. "Was my vote counted" is a look-up of the token's nullifier, which the wallet computes.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from gzchain.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.petitions.blind import TokenPublicKey, blind, new_token, unblind
from gzchain.domain.petitions.fdh import nullifier
from gzchain.domain.petitions.requests import enrolment_message, resident_message

_FORMAT = "gzchain-petition-wallet-1"
_SCRYPT_N = 2**15


@dataclass(frozen=True)
class Receipt:
    petition_id: int
    token: bytes
    signature: bytes

    @property
    def nullifier(self) -> bytes:
        return nullifier(self.petition_id, self.token)


def sign_request(
    account: LocalAccount, action: str, fields: dict[str, Any], now: int | None = None
) -> dict[str, Any]:
    """The credential, time and signature a resident request carries (gzchain.domain.petitions.requests)."""
    issued_at = int(time.time()) if now is None else now
    message = resident_message(action, fields, issued_at)
    signed = account.sign_message(encode_defunct(text=message))
    return {"credential": account.address, "issued_at": issued_at, "signature": "0x" + signed.signature.hex()}


def enrolment_proof(account: LocalAccount) -> str:
    return (
        "0x" + account.sign_message(encode_defunct(text=enrolment_message(account.address))).signature.hex()
    )


class PetitionWallet:
    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise InvalidInput("must not be empty", field="passphrase")
        self.path = path
        self._passphrase = passphrase.encode()
        self._data: dict[str, Any] = {}

    # ---- file ----

    @classmethod
    def create(cls, path: Path, passphrase: str, *, replace: bool = False) -> PetitionWallet:
        """A wallet with a fresh credential key; `replace` starts over after a lost key (re-enrol then)."""
        wallet = cls(path, passphrase)
        if path.exists() and not replace:
            raise Conflict(f"{path} already holds a petition wallet")
        wallet._data = {"key": "0x" + secrets.token_bytes(32).hex(), "receipts": []}
        wallet.save()
        return wallet

    @classmethod
    def open(cls, path: Path, passphrase: str) -> PetitionWallet:
        wallet = cls(path, passphrase)
        if not path.exists():
            raise NotFound(f"no petition wallet at {path}; create one with `gzchain wallet petition-key`")
        try:
            sealed = json.loads(path.read_text(encoding="utf-8"))
            salt, nonce, body = (base64.b64decode(sealed[k]) for k in ("salt", "nonce", "body"))
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("is not a petition wallet file", field=str(path)) from None
        try:
            plain = AESGCM(wallet._stretch(salt)).decrypt(nonce, body, _FORMAT.encode())
        except InvalidTag:
            raise PermissionDenied("the passphrase does not open this petition wallet") from None
        wallet._data = json.loads(plain)
        return wallet

    def save(self) -> None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        body = AESGCM(self._stretch(salt)).encrypt(nonce, json.dumps(self._data).encode(), _FORMAT.encode())
        sealed = {
            "format": _FORMAT,
            **{
                k: base64.b64encode(v).decode() for k, v in (("salt", salt), ("nonce", nonce), ("body", body))
            },
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(sealed) + "\n")
        os.replace(tmp, self.path)

    def _stretch(self, salt: bytes) -> bytes:
        return Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=8, p=1).derive(self._passphrase)

    # ---- the resident's acts ----

    @property
    def account(self) -> LocalAccount:
        return Account.from_key(self._data["key"])

    @property
    def credential(self) -> str:
        return self.account.address

    def sign(self, action: str, fields: dict[str, Any], now: int | None = None) -> dict[str, Any]:
        return sign_request(self.account, action, fields, now)

    def enrolment_proof(self) -> str:
        return enrolment_proof(self.account)

    def token_for(self, petition_id: int, key: TokenPublicKey, sign_blinded: Any) -> Receipt:
        """Get a petition token signed blind (`sign_blinded(blinded) -> blind signature`) and keep it."""
        if self.receipt(petition_id) is not None:
            raise Conflict(f"the wallet already holds a token for petition {petition_id}")
        request = blind(key, petition_id, new_token())
        signature = unblind(key, request, sign_blinded(request.blinded))
        receipt = Receipt(petition_id, request.token, signature)
        self._data["receipts"].append(
            {"petition_id": petition_id, "token": receipt.token.hex(), "signature": signature.hex()}
        )
        self.save()
        return receipt

    def receipt(self, petition_id: int) -> Receipt | None:
        for item in self._data["receipts"]:
            if item["petition_id"] == petition_id:
                return Receipt(petition_id, bytes.fromhex(item["token"]), bytes.fromhex(item["signature"]))
        return None

    def receipts(self) -> list[Receipt]:
        return [r for r in (self.receipt(item["petition_id"]) for item in self._data["receipts"]) if r]
