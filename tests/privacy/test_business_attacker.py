"""The attacker of issue #15: knows every field of a registered business record, the ID numbers included,
and reads everything the chain holds (every transaction's calldata, every event's topics and data, every
storage slot of every contract). Can they confirm the record? Only if some byte string on chain equals a
hash they can compute without the salts, or a value itself.

The same attacker run against a version recorded the old way (plain SHA-256 of the record) confirms it at
once: that test is what shows this one would have caught the old design.

Runs on the embedded chain (storage read from py-evm's state trie) and on anvil (`anvil_dumpState`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from support.attacker import chain_bytes, storage_values
from support.chain import Agencies
from support.records import CORPORATE_USCC, LEGAL_REP, SHAREHOLDER, USCC, a_record

from gzchain.bootstrap import Runtime
from gzchain.domain.business import (
    canonical_bytes,
    record_from_dict,
    record_hash,
    record_to_dict,
    split_personal_data,
)
from gzchain.domain.business_commitment import field_values
from gzchain.domain.keccak import keccak


def attacker_guesses(record: dict[str, Any]) -> dict[str, bytes]:
    """Every hash the attacker can compute from the record without salts, and every value itself."""
    parsed = record_from_dict(record)
    full = record_to_dict(parsed)
    public, personal = split_personal_data(parsed)
    preimages: dict[str, bytes] = {
        "canonical record": canonical_bytes(parsed),
        "record, spaced JSON": json.dumps(full, ensure_ascii=False).encode(),
        "record, ASCII JSON": json.dumps(full, sort_keys=True, separators=(",", ":")).encode(),
        "public part": json.dumps(public, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
        "personal part": json.dumps(personal, sort_keys=True, ensure_ascii=False).encode(),
    }
    for path, value in field_values(parsed).items():
        preimages[f"value of {path}"] = value.encode()
        preimages[f"{path}:{value}"] = f"{path}:{value}".encode()
        preimages[f"{path}=0x00 {value}"] = path.encode() + b"\0" + value.encode()
        preimages[f"json of {path}"] = json.dumps({path: value}, ensure_ascii=False).encode()
    guesses: dict[str, bytes] = {}
    for what, preimage in preimages.items():
        guesses[f"sha256({what})"] = hashlib.sha256(preimage).digest()
        guesses[f"keccak({what})"] = keccak(preimage)
        guesses[f"double keccak({what})"] = keccak(keccak(preimage))
        guesses[f"sha3-256({what})"] = hashlib.sha3_256(preimage).digest()
        if what.startswith("value of ") and len(preimage) >= 6:
            guesses[what] = preimage  # the value in clear
    return guesses


def confirmed(guesses: dict[str, bytes], blobs: list[bytes]) -> list[str]:
    """Which guesses appear anywhere on chain, at any offset of any byte string."""
    return sorted(what for what, guess in guesses.items() if any(guess in blob for blob in blobs))


def test_an_attacker_knowing_every_field_cannot_confirm_a_salted_record_from_anything_on_chain(
    runtime: Runtime,
):
    service = runtime.business()
    service.register("gz-msa", a_record())
    amended = a_record(registered_capital={"amount": "2000000"})
    change = service.amend("gz-msa", amended)
    # The storage reader works: it sees the root the registry keeps for the current version.
    assert change.record_hash in set(storage_values(runtime))
    service.suspend("gz-msa", USCC, "unreachable-at-address", "cannot be contacted at the registered address")
    blobs = chain_bytes(runtime)
    assert len(blobs) > 50  # the attacker really read the chain: deployments, writes, storage

    found = confirmed({**attacker_guesses(a_record()), **attacker_guesses(amended)}, blobs)

    # The USCC is the registry's key and public by law; nothing else of the record may be confirmable.
    assert found == ["value of uscc"], found
    for secret in (LEGAL_REP[1], SHAREHOLDER[1], LEGAL_REP[0], SHAREHOLDER[0]):
        assert not any(secret.encode() in blob for blob in blobs)


def test_the_same_attacker_confirms_a_record_recorded_the_old_way_from_its_plain_hash(
    runtime: Runtime,
):
    registry = runtime.gateway.contract(
        "BusinessRegistry", runtime.require_manifest().address("BusinessRegistry")
    )
    legacy = a_record(uscc=CORPORATE_USCC, shareholders=a_record()["shareholders"][:1])
    digest = record_hash(record_from_dict(legacy))
    Agencies(runtime).send("gz-msa", registry.functions.register(CORPORATE_USCC.encode(), digest))

    found = confirmed(attacker_guesses(legacy), chain_bytes(runtime))

    assert "sha256(canonical record)" in found
