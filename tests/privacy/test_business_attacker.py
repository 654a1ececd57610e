"""The attacker of issue #15: knows every field of a registered business record, the ID numbers included,
and reads everything the chain holds (every transaction's calldata, every event's topics and data, every
storage slot of every contract). Can they confirm the record? Only if some byte string on chain equals a
hash they can compute without the salts, or a value itself.

The same attacker run against a version recorded the old way (plain SHA-256 of the record) confirms it at
once: that test is what shows this one would have caught the old design.

Runs on the embedded chain (storage read from py-evm's state trie) and on anvil (`anvil_dumpState`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import rlp
from support.chain import Agencies
from support.records import CORPORATE_USCC, LEGAL_REP, SHAREHOLDER, USCC, a_record
from trie import HexaryTrie
from trie.iter import NodeIterator

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


def chain_bytes(runtime: Runtime) -> list[bytes]:
    """Everything the chain exposes, as raw byte strings: calldata, log topics and data, storage values."""
    w3 = runtime.gateway.w3
    blobs: list[bytes] = []
    for number in range(w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            blobs.append(bytes(tx.get("input", tx.get("data", b""))))  # eth-tester says "data"
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            for log in receipt["logs"]:
                blobs += [bytes(topic) for topic in log["topics"]]
                blobs.append(bytes(log["data"]))
    blobs += list(storage_values(runtime))
    return blobs


def storage_values(runtime: Runtime) -> Iterator[bytes]:
    """Every non-empty storage slot of every contract the manifest deployed, left-padded to 32 bytes."""
    addresses = [deployed.address for deployed in runtime.require_manifest().contracts.values()]
    backend = runtime.gateway.backend
    if hasattr(backend, "chain"):
        state = backend.chain().get_vm().state
        db = state._account_db._raw_store_db  # the state database the storage tries live in
        for address in addresses:
            root = state._account_db._get_account(bytes.fromhex(address[2:])).storage_root
            for value in NodeIterator(HexaryTrie(db, root)).values():
                yield rlp.decode(value).rjust(32, b"\0")
        return
    dump = runtime.gateway.w3.provider.make_request("anvil_dumpState", [])["result"]
    state = json.loads(gzip.decompress(bytes.fromhex(dump.removeprefix("0x"))))
    wanted = {address.lower() for address in addresses}
    for address, account in state["accounts"].items():
        if address.lower() in wanted:
            for value in account.get("storage", {}).values():
                yield bytes.fromhex(value.removeprefix("0x").rjust(64, "0"))


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
