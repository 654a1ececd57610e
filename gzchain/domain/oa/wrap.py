"""Wrapping document data into OpenAttestation v2 documents, one at a time or as a Merkle batch.

Wrapping salts every value, flattens the salted data and hashes each field. Done as three walks
(`salt_data`, `flatten`, `field_hash`) that is most of the cost of issuing a certificate, so here it is one
walk that salts a value and hashes its field at once. It follows the same rules as those functions, and
tests hold it to them: the targetHash is always `target_hash(salt_data(data))` for the salts drawn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa.document import SCHEMA_V2, SIGNATURE_TYPE, JsonObject, WrappedDocument
from gzchain.domain.oa.flatten import PATH_SEPARATOR, join_path
from gzchain.domain.oa.hashing import combine_field_hashes, field_hash
from gzchain.domain.oa.salt import SaltSource, random_salts, salt_value
from gzchain.domain.oa.schema import validate_data


def wrap_document(
    data: JsonObject, *, schema_id: str | None = None, new_salt: SaltSource | None = None
) -> WrappedDocument:
    """Salt, validate and sign `data` as a batch of one: targetHash = merkleRoot, empty proof.

    `schema_id` is an external schema identifier recorded as the document's `schema`; `new_salt`
    supplies one UUID v4 per value (random unless a test needs the output fixed).
    """
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    walk = _SaltingWalk(new_salt)
    salted = walk.salt_object(data, "")
    validate_data(data)
    if walk.dotted_key is not None:
        # A dotted key would collide with the path of a nested field, so OA forbids it outright.
        raise InvalidInput("key names must not contain '.'", field=walk.dotted_key)
    document: WrappedDocument = {"version": SCHEMA_V2, "data": salted}
    if schema_id is not None:
        document["schema"] = schema_id
    digest = combine_field_hashes(walk.hashes)
    document["signature"] = {"type": SIGNATURE_TYPE, "targetHash": digest, "proof": [], "merkleRoot": digest}
    return document


def wrap_documents(
    batch: Sequence[JsonObject], *, schema_id: str | None = None, new_salt: SaltSource | None = None
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
    data: JsonObject, index: int, schema_id: str | None, new_salt: SaltSource | None
) -> WrappedDocument:
    try:
        return wrap_document(data, schema_id=schema_id, new_salt=new_salt)
    except InvalidInput as error:
        field = f"documents.{index}" + (f".{error.field}" if error.field else "")
        raise InvalidInput(error.reason, field=field) from error


class _SaltingWalk:
    """One pass over document data: the salted copy, and the hash of every field of that copy."""

    def __init__(self, new_salt: SaltSource | None) -> None:
        # Salts we draw ourselves are well-formed by construction; a caller's are checked one by one.
        self._drawn: Iterator[str] | None = random_salts() if new_salt is None else None
        self._new_salt = new_salt
        self.hashes: list[str] = []
        self.dotted_key: str | None = None  # the first one met, reported after the schema check

    def salt_object(self, value: dict[str, Any], prefix: str) -> dict[str, Any]:
        salted: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput("object keys must be strings", field=join_path(prefix, str(key)))
            path = f"{prefix}.{key}" if prefix else key
            if PATH_SEPARATOR in key and self.dotted_key is None:
                self.dotted_key = path
            salted[key] = self._salt(item, path)
        return salted

    def _salt(self, value: Any, path: str) -> Any:
        if type(value) is str and self._drawn is not None:
            salted = f"{next(self._drawn)}:string:{value}"
        elif isinstance(value, dict | list):
            if not value:
                # An empty container is not salted, and is a field of its own.
                empty = {} if isinstance(value, dict) else []
                self.hashes.append(field_hash(path, empty))
                return empty
            if isinstance(value, dict):
                return self.salt_object(value, path)
            return [self._salt(item, join_path(path, str(index))) for index, item in enumerate(value)]
        else:
            salt = next(self._drawn) if self._drawn is not None else self._new_salt()  # type: ignore[misc]
            salted = salt_value(value, salt, field=path)
        try:
            # field_hash's own fast path, inlined: this runs for every value of every certificate, and
            # the paths repeat from one certificate of a batch to the next.
            opening = _FIELD_OPENINGS.get(path) or _field_opening(path)
            self.hashes.append(keccak((opening + encode_basestring(salted) + "}").encode()).hex())
        except UnicodeEncodeError:
            # A lone surrogate, which JSON.stringify escapes and the C encoder leaves as it is.
            self.hashes.append(field_hash(path, salted))
        return salted


_FIELD_OPENINGS: dict[str, str] = {}  # path -> '{"path":', the start of its field's JSON


def _field_opening(path: str) -> str:
    if len(_FIELD_OPENINGS) >= 10_000:
        _FIELD_OPENINGS.clear()  # paths of documents gone by; a batch's own few come straight back
    opening = _FIELD_OPENINGS[path] = "{" + encode_basestring(path) + ":"
    return opening
