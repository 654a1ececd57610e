"""Wrapping document data into OpenAttestation v2 documents, one at a time or as a Merkle batch."""

from __future__ import annotations

from collections.abc import Sequence

from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa.document import SCHEMA_V2, SIGNATURE_TYPE, JsonObject, WrappedDocument
from gzchain.domain.oa.hashing import target_hash
from gzchain.domain.oa.salt import SaltSource, random_salt, salt_data
from gzchain.domain.oa.schema import validate_data


def wrap_document(
    data: JsonObject, *, schema_id: str | None = None, new_salt: SaltSource = random_salt
) -> WrappedDocument:
    """Salt, validate and sign `data` as a batch of one: targetHash = merkleRoot, empty proof.

    `schema_id` is an external schema identifier recorded as the document's `schema`; `new_salt`
    supplies one UUID v4 per value (random unless a test needs the output fixed).
    """
    salted = salt_data(data, new_salt)
    validate_data(data)
    document: WrappedDocument = {"version": SCHEMA_V2, "data": salted}
    if schema_id is not None:
        document["schema"] = schema_id
    digest = target_hash(salted)
    document["signature"] = {"type": SIGNATURE_TYPE, "targetHash": digest, "proof": [], "merkleRoot": digest}
    return document


def wrap_documents(
    batch: Sequence[JsonObject], *, schema_id: str | None = None, new_salt: SaltSource = random_salt
) -> list[WrappedDocument]:
    """Wrap every document of `batch` under one Merkle root, each with the proof leading to it."""
    if not batch:
        raise InvalidInput("a batch needs at least one document", field="documents")
    wrapped = [_wrap_member(data, index, schema_id, new_salt) for index, data in enumerate(batch)]
    tree = build_tree([bytes.fromhex(document["signature"]["targetHash"]) for document in wrapped])
    root = tree.root.hex()
    for index, document in enumerate(wrapped):
        proof = [node.hex() for node in tree.proof(index)]
        document["signature"] = {**document["signature"], "proof": proof, "merkleRoot": root}
    return wrapped


def _wrap_member(
    data: JsonObject, index: int, schema_id: str | None, new_salt: SaltSource
) -> WrappedDocument:
    try:
        return wrap_document(data, schema_id=schema_id, new_salt=new_salt)
    except InvalidInput as error:
        field = f"documents.{index}" + (f".{error.field}" if error.field else "")
        raise InvalidInput(error.reason, field=field) from error
