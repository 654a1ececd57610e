"""What the chain holds of a business record version: a Merkle root over per-field salted leaves.

The plain SHA-256 of a record (the legacy scheme) can be brute-forced: knowing the public fields, an ID
number's dozen hidden digits leave a few million candidates. Here every field gets its own 256-bit random
salt, as OpenAttestation v2 salts each field of a document (OA's UUID v4 salts carry 122 random bits; the
project asks for at least 128), so no hash on chain can be recomputed without the salts.

A field is the record flattened to a path and a string value (`field_values`). Its leaf is

    leaf = keccak256(keccak256(salt ‖ utf8(path) ‖ 0x00 ‖ utf8(value)))

with a 32-byte salt. Paths never contain NUL, so the preimage splits one way only; hashing twice (as
OpenZeppelin's StandardMerkleTree does) keeps a leaf from ever being mistaken for an inner node. The root
is gzchain.domain.merkle's sorted-pair tree over all leaves, which OpenZeppelin's MerkleProof.verify
checks, so any client proves one field with its value, salt and proof, nothing else.

Who can prove what: public fields' salts are published with the lookup, so anyone can prove them. The
salts of private fields stay sealed in the store; only whoever holds the value and
its salt (the data subject, given them at registration, or the registrar) can prove such a field, and
nobody can test a guess against the chain without the salt (`private_paths`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from gzchain.domain.business import BusinessRecord, ShareholderKind
from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import build_tree, merkle_root, verify

SCHEME_SALTED: Final = "salted-merkle-v1"
SCHEME_LEGACY: Final = "legacy-sha256"  # versions recorded before salted commitments: brute-forceable
SALT_BYTES: Final = 32


def field_values(record: BusinessRecord) -> dict[str, str]:
    """The record flattened to one string per provable field, keyed by path.

    ``shareholders.count`` is a field of its own so that a lookup cannot leave a shareholder out unnoticed.
    """
    values = {
        "uscc": record.uscc,
        "name": record.name,
        "legal_representative.name": record.legal_representative.name,
        "legal_representative.id_number": record.legal_representative.id_number,
        "registered_capital.amount": record.registered_capital.amount,
        "registered_capital.currency": record.registered_capital.currency,
        "address": record.address,
        "business_scope": record.business_scope,
        "establishment_date": record.establishment_date.isoformat(),
        "shareholders.count": str(len(record.shareholders)),
    }
    for index, holder in enumerate(record.shareholders):
        prefix = f"shareholders[{index}]"
        values[f"{prefix}.name"] = holder.name
        values[f"{prefix}.kind"] = holder.kind.value
        values[f"{prefix}.identifier"] = holder.identifier
        values[f"{prefix}.contribution.amount"] = holder.contribution.amount
        values[f"{prefix}.contribution.currency"] = holder.contribution.currency
    return values


def public_field_values(public: Mapping[str, Any]) -> dict[str, str]:
    """The fields of a record's public part (`split_personal_data`), as `field_values` names them: what
    is left to prove of a version whose personal data was erased."""
    try:
        values = {
            "uscc": public["uscc"],
            "name": public["name"],
            "registered_capital.amount": public["registered_capital"]["amount"],
            "registered_capital.currency": public["registered_capital"]["currency"],
            "address": public["address"],
            "business_scope": public["business_scope"],
            "establishment_date": public["establishment_date"],
            "shareholders.count": str(len(public["shareholders"])),
        }
        for index, holder in enumerate(public["shareholders"]):
            prefix = f"shareholders[{index}]"
            values[f"{prefix}.kind"] = holder["kind"]
            values[f"{prefix}.contribution.amount"] = holder["contribution"]["amount"]
            values[f"{prefix}.contribution.currency"] = holder["contribution"]["currency"]
            if holder["kind"] != ShareholderKind.NATURAL_PERSON:
                values[f"{prefix}.name"] = holder["name"]
                values[f"{prefix}.identifier"] = holder["identifier"]
    except (KeyError, TypeError):
        raise InvalidInput("the stored public part of the record is malformed") from None
    if not all(isinstance(value, str) for value in values.values()):
        raise InvalidInput("the stored public part of the record is malformed")
    return values


def personal_paths(record: BusinessRecord) -> frozenset[str]:
    """Paths of the fields holding a natural person's data: sealed in the store, erased on request.

    The legal representative's name is among them although the lookup shows it (see `private_paths`):
    it is a natural person's data, so it is encrypted at rest like the rest.
    """
    paths = {"legal_representative.name", "legal_representative.id_number"}
    for index, holder in enumerate(record.shareholders):
        if holder.kind is ShareholderKind.NATURAL_PERSON:
            paths |= {f"shareholders[{index}].name", f"shareholders[{index}].identifier"}
    return frozenset(paths)


def private_paths(record: BusinessRecord) -> frozenset[str]:
    """The personal fields withheld from the public lookup (shown masked, their salts never given).

    ID numbers always are. Natural-person shareholders' names are too: the National Enterprise Credit
    Information Publicity System publishes a company's legal representative by name with its registration
    information (企业信息公示暂行条例), so that name is public and provable by anyone; a natural person
    who merely holds shares is arguably not a public figure of the register, so their name is private.
    """
    return personal_paths(record) - {"legal_representative.name"}


def leaf(salt: bytes, path: str, value: str) -> bytes:
    """The leaf of one field; see the module docstring for its preimage."""
    if len(salt) != SALT_BYTES:
        raise InvalidInput(f"must be {SALT_BYTES} bytes", field=f"salts.{path}")
    return keccak(keccak(salt + path.encode("utf-8") + b"\x00" + value.encode("utf-8")))


@dataclass(frozen=True)
class Commitment:
    """A record version's salts, leaves and root; `root` is the bytes32 the chain stores."""

    salts: Mapping[str, bytes]
    leaves: Mapping[str, bytes]

    @property
    def root(self) -> bytes:
        return root_of(self.leaves)

    def proof(self, path: str) -> list[bytes]:
        return proof_of(self.leaves, path)


def fresh_salts(paths: Sequence[str] | Mapping[str, str]) -> dict[str, bytes]:
    """A new random salt for every path, from the operating system's CSPRNG."""
    return {path: secrets.token_bytes(SALT_BYTES) for path in paths}


def commit(record: BusinessRecord, salts: Mapping[str, bytes] | None = None) -> Commitment:
    """The commitment to `record`, with fresh salts unless given the salts of an earlier commitment."""
    values = field_values(record)
    salts = fresh_salts(values) if salts is None else dict(salts)
    if set(salts) != set(values):
        raise InvalidInput("the salts do not cover exactly the record's fields", field="salts")
    return Commitment(salts=salts, leaves={path: leaf(salts[path], path, values[path]) for path in values})


def root_of(leaves: Mapping[str, bytes]) -> bytes:
    # The tree sorts its leaves, so the root depends only on which leaves there are.
    return merkle_root(list(leaves.values()))


def proof_of(leaves: Mapping[str, bytes], path: str) -> list[bytes]:
    """The sibling hashes that lead from the leaf at `path` to the root."""
    paths = list(leaves)
    if path not in leaves:
        raise InvalidInput("is not a field of this record version", field=path)
    return build_tree([leaves[p] for p in paths]).proof(paths.index(path))


def verify_field(path: str, value: str, salt: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether `value` is the field at `path` of the version whose commitment is `root`."""
    if len(salt) != SALT_BYTES:
        return False
    return verify(proof, root, leaf(salt, path, value))
