"""Integrity of a wrapped document: its data hashes to its targetHash, and its proof leads to its root."""

from __future__ import annotations

import re
from typing import Any

from gzchain.domain import merkle
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.document import SIGNATURE_TYPE, WrappedDocument
from gzchain.domain.oa.hashing import digest_document

# OA reads proof nodes and roots as hex bytes, so either case is the same hash there (and here).
_HEX_BYTES32 = re.compile(r"[0-9a-fA-F]{64}")


def check_signature(document: WrappedDocument) -> None:
    """Raise InvalidInput naming the part that fails, unless `document` is intact.

    Intact means the targetHash is what the visible and obfuscated data hash to, and folding the proof
    into it yields the merkleRoot. Whether that root is issued on chain is a separate question.
    """
    if not isinstance(document, dict):
        raise InvalidInput("a wrapped document must be a JSON object")
    signature = document.get("signature")
    if not isinstance(signature, dict):
        raise InvalidInput("is missing", field="signature")
    if signature.get("type") != SIGNATURE_TYPE:
        raise InvalidInput(f"must be {SIGNATURE_TYPE!r}", field="signature.type")
    target = _hash_field(signature, "targetHash")
    root = _hash_field(signature, "merkleRoot")
    proof = signature.get("proof", [])
    if not isinstance(proof, list):
        raise InvalidInput("must be a list of hashes", field="signature.proof")
    nodes = [_hex_bytes(node, f"signature.proof.{index}") for index, node in enumerate(proof)]
    if digest_document(document) != target:
        raise InvalidInput("does not match the document's data", field="signature.targetHash")
    if not merkle.verify(nodes, _hex_bytes(root, "signature.merkleRoot"), bytes.fromhex(target)):
        raise InvalidInput("the proof does not lead from targetHash to merkleRoot", field="signature.proof")


def verify_signature(document: WrappedDocument) -> bool:
    """True when `document` is intact (see check_signature); never raises."""
    try:
        check_signature(document)
    except InvalidInput:
        return False
    return True


def _hash_field(signature: dict[str, Any], name: str) -> str:
    value = signature.get(name)
    if not isinstance(value, str):
        raise InvalidInput("must be a hex Keccak-256 hash", field=f"signature.{name}")
    return value


def _hex_bytes(value: Any, field: str) -> bytes:
    if not isinstance(value, str) or not _HEX_BYTES32.fullmatch(value):
        raise InvalidInput("must be 64 hex digits without 0x", field=field)
    return bytes.fromhex(value)
