"""Residents are anonymous to the API except by a signature of their credential key over each request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from sqlalchemy.exc import IntegrityError
from web3 import Web3

from gzchain.domain.errors import Conflict, InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.petitions.requests import check_fresh, enrolment_message, resident_message
from gzchain.store.db import Store, StoreUnavailable
from gzchain.store.petitions import ResidentSignatureRow


def credential_address(value: object, *, field: str = "credential") -> str:
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InvalidInput("must be a 0x address (the resident key's)", field=field)
    return Web3.to_checksum_address(value)


def signer_of(message: str, signature: str, *, field: str = "signature") -> str:
    try:
        return Account.recover_message(encode_defunct(text=message), signature=signature)
    except Exception:  # eth_account raises several types for a malformed signature
        raise InvalidInput("is not a valid EIP-191 signature", field=field) from None


def check_resident_request(
    store: Store,
    action: str,
    fields: dict[str, Any],
    credential: str,
    issued_at: int,
    signature: str,
    now: int,
) -> str:
    """The credential, if `signature` is its key's over this very request, fresh and never used before."""
    credential = credential_address(credential)
    check_fresh(issued_at, now)
    if signer_of(resident_message(action, fields, issued_at), signature) != credential:
        raise InvalidInput("was not made by the credential's key over this request", field="signature")
    digest = "0x" + keccak(signature.lower().removeprefix("0x").encode()).hex()
    try:
        with store.session() as session:
            session.add(ResidentSignatureRow(digest=digest, used_at=datetime.now(UTC)))
    except StoreUnavailable as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise Conflict("this signed request was already used; sign a new one") from None
        raise
    return credential


def check_enrolment_proof(credential: str, proof: str) -> str:
    credential = credential_address(credential)
    if signer_of(enrolment_message(credential), proof, field="proof") != credential:
        raise InvalidInput("was not made by the key of the credential being enrolled", field="proof")
    return credential
