"""The attacker of issue #15, item 2: knows the very words an agency gave for suspending, reinstating and
deregistering a business, revoking a notarisation, releasing and recalling a lot, and reads everything the
chain holds (calldata, log topics and data, every storage slot). Can they find the words, or confirm them by
hashing? Only if some byte string on chain contains them or equals a hash computable without the salt.

The store holds the words and salts; the chain holds only the code and the salted hash, which the attacker's
reader does see (so the reader works), but cannot recompute.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from support.attacker import chain_bytes
from support.records import ARTICLES, USCC, a_record

from gzchain.bootstrap import Runtime
from gzchain.domain.coldchain import TemperatureWindow
from gzchain.domain.keccak import keccak
from gzchain.domain.reasons import REASON_TAG, ReasonAction, reason_hash
from gzchain.domain.registry import DocumentType
from gzchain.services.coldchain import CHINA_STANDARD_TIME
from gzchain.store.reasons import ReasonTextRow

IMPORTER = "nansha-importer"
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)
# What each action was for, with words that name people and circumstances.
WORDS = {
    ReasonAction.SUSPEND: ("unreachable-at-address", "法定代表人林晓峰失联，登记住所无法联系"),
    ReasonAction.REINSTATE: ("reachable-again", "Lin Xiaofeng reachable again at Room 1203, Tower B"),
    ReasonAction.DEREGISTER: ("voluntary-dissolution", "dissolved after Zhou Yalin's death; heirs agreed"),
    ReasonAction.REVOKE_NOTARISATION: ("court-ruling", "annulled by ruling (2026)粤01民终123号 against 陈明"),
    ReasonAction.RELEASE: ("sensor-fault", "driver Wang Lei's logger was outside the carton"),
    ReasonAction.RECALL: ("pathogen-detected", "nucleic-acid positive on sample GZ-CDC-2025-0042"),
}


def record_everything(runtime: Runtime) -> None:
    business = runtime.business()
    business.register("gz-msa", a_record())
    for action in (ReasonAction.SUSPEND, ReasonAction.REINSTATE):
        getattr(business, action.value)("gz-msa", USCC, *WORDS[action])
    filing = business.notarise("gz-notary", USCC, ARTICLES, DocumentType.ARTICLES_OF_ASSOCIATION)
    business.revoke_notarisation("gz-notary", filing.file_hash, *WORDS[ReasonAction.REVOKE_NOTARISATION])
    business.deregister("gz-msa", USCC, *WORDS[ReasonAction.DEREGISTER])
    coldchain = runtime.coldchain()
    for lot in ("BR-1", "BR-2"):
        coldchain.create(IMPORTER, gtin=GTIN, lot=lot, quantity=600, unit="KGM", origin="BR", window=FROZEN)
    coldchain.record_event(IMPORTER, "BR-1", "holding", location=PORT, time=T0, readings=[(T0, "-16.5")])
    coldchain.release("gz-msa", "BR-1", *WORDS[ReasonAction.RELEASE])
    coldchain.recall("gz-msa", "BR-2", *WORDS[ReasonAction.RECALL])


def unsalted_guesses(action: ReasonAction, code: int, words: str) -> dict[str, bytes]:
    """Every hash of the words the attacker can compute without the salt, and the words themselves."""
    text = words.encode()
    tag = REASON_TAG + b"\x00" + action.value.encode() + b"\x00" + bytes([code])
    preimages = {
        "words": text,
        "words, stripped": words.strip().encode(),
        "code + words": bytes([code]) + text,
        "action + words": action.value.encode() + text,
        "action:words": f"{action.value}:{words}".encode(),
        "the scheme's tag + words": tag + text,
        "the scheme with a zero salt": tag + bytes(32) + text,
        "abi-encoded string": len(text).to_bytes(32, "big") + text.ljust(-(-len(text) // 32) * 32, b"\0"),
    }
    guesses: dict[str, bytes] = {}
    for what, preimage in preimages.items():
        guesses[f"sha256({what})"] = hashlib.sha256(preimage).digest()
        guesses[f"keccak({what})"] = keccak(preimage)
        guesses[f"double keccak({what})"] = keccak(keccak(preimage))
        guesses[f"sha3-256({what})"] = hashlib.sha3_256(preimage).digest()
    guesses["reason_hash with a zero salt"] = reason_hash(action, code, bytes(32), words)
    return guesses


def fragments(words: str, size: int = 8) -> list[bytes]:
    """Every `size`-byte window of the words' UTF-8: a string split over storage slots still shows one."""
    text = words.encode()
    return [text[i : i + size] for i in range(len(text) - size + 1)]


def test_nothing_on_chain_holds_the_words_of_any_reason_or_an_unsalted_hash_of_them(runtime: Runtime):
    record_everything(runtime)
    blobs = chain_bytes(runtime)
    everything = b"".join(blobs)
    with runtime.store.session() as session:
        stored = {ReasonAction(row.action): row for row in session.scalars(select(ReasonTextRow))}
    assert set(stored) == set(WORDS), "every action kept its words in the store"

    for action, (_, words) in WORDS.items():
        row = stored[action]
        assert row.words == words
        # The reader really sees what the chain holds of this reason: its salted hash.
        salted = reason_hash(action, row.reason_code, bytes.fromhex(row.salt[2:]), words)
        assert any(salted in blob for blob in blobs), f"the {action.value} hash is on chain"
        found = sorted(
            what
            for what, guess in unsalted_guesses(action, row.reason_code, words).items()
            if guess in everything
        )
        assert found == [], (action, found)
        leaked = [piece for piece in fragments(words) if piece in everything]
        assert leaked == [], (action, leaked[:3])
        assert row.salt[2:] not in everything.hex(), "the salt never leaves the store"
