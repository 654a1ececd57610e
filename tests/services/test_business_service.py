"""BusinessService: input checked before any transaction, the store written only after the chain accepts,
personal data sealed at rest, and lookups that catch a stored record altered behind the chain's back."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from support.records import ARTICLES, COMPANY, CORPORATE_USCC, LEGAL_REP, SHAREHOLDER, USCC, a_record

from gzchain.bootstrap import Runtime
from gzchain.domain.business import ChangeType, record_from_dict, record_hash
from gzchain.domain.errors import Conflict, ContractReverted, InvalidInput, NotFound
from gzchain.domain.reasons import (
    DeregistrationReason,
    NotarisationRevocationReason,
    ReasonAction,
    ReinstatementReason,
    SuspensionReason,
    reason_hash,
)
from gzchain.domain.registry import BusinessStatus, ChainProof, DocumentType
from gzchain.services.business import BusinessService
from gzchain.store.business import BusinessVersionRow, NotarisedFilingRow
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store, engine_for


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(engine_for(None, tmp_path))  # a file, so tests can read and alter it directly
    yield store
    store.close()


@pytest.fixture
def service(runtime: Runtime, store: Store) -> BusinessService:
    manifest = runtime.require_manifest()
    return BusinessService(
        runtime.gateway,
        runtime.keys,
        store,
        PersonalDataCipher(os.urandom(32)),
        runtime.consortium(),
        manifest.address("BusinessRegistry"),
        from_block=manifest.contracts["BusinessRegistry"].block,
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """The store's SQLite file opened directly, as someone with access to the disk would."""
    connection = sqlite3.connect(tmp_path / "store.sqlite")
    yield connection
    connection.close()


def row_count(store: Store, table: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def head(runtime: Runtime) -> int:
    return runtime.gateway.w3.eth.block_number


# ---- writes ----


def test_a_registered_business_is_looked_up_with_its_record_verified_against_the_chain(
    service: BusinessService,
):
    change = service.register("gz-msa", a_record())
    assert (change.uscc, change.version, change.change_type) == (USCC, 1, ChangeType.REGISTERED)
    # A salted root, never the brute-forceable SHA-256 of the record.
    assert change.record_hash != record_hash(record_from_dict(a_record()))
    lookup = service.lookup(USCC)
    assert lookup.verified, lookup.problems
    assert (lookup.status, lookup.registrar_name) == (
        BusinessStatus.ACTIVE,
        "Guangzhou Market Supervision Administration",
    )
    assert lookup.record == record_from_dict(a_record())
    [version] = lookup.versions
    assert (version.scheme, version.legacy) == ("salted-merkle-v1", False)
    assert version.commitment is not None and version.commitment.root == change.record_hash
    assert version.proof == ChainProof(change.receipt.tx_hash, change.receipt.block_number)
    assert (version.change_type, version.record_hash, version.reason) == (
        ChangeType.REGISTERED,
        change.record_hash,
        None,
    )


def test_an_amendment_gets_its_change_type_from_what_differs_from_the_current_record(
    runtime: Runtime, service: BusinessService
):
    service.register("gz-msa", a_record())
    amended = a_record(
        registered_capital={"amount": "3000000"},
        legal_representative={"name": SHAREHOLDER[0], "id_number": SHAREHOLDER[1]},
    )
    change = service.amend("gz-msa", amended)
    expected = ChangeType.AMENDED_CAPITAL | ChangeType.AMENDED_LEGAL_REPRESENTATIVE
    assert (change.version, change.change_type) == (2, expected)
    [event] = runtime.gateway.events(service.contract, "BusinessAmended", change.receipt)
    assert event["changeType"] == expected
    lookup = service.lookup(USCC)
    assert lookup.verified
    assert [v.change_type for v in lookup.versions] == [ChangeType.REGISTERED, expected]
    assert lookup.record == record_from_dict(amended)
    assert lookup.versions[0].record == record_from_dict(a_record()), "each version keeps its own record"


def test_status_changes_add_versions_that_repeat_the_record_and_record_the_reason(service: BusinessService):
    service.register("gz-msa", a_record())
    service.suspend(
        "gz-msa", USCC, "unreachable-at-address", "  cannot be contacted at the registered address "
    )
    service.reinstate("gz-msa", USCC, "annual-report-filed", "annual report filed")
    service.deregister("gz-msa", USCC, "voluntary-dissolution", "dissolved")
    lookup = service.lookup(USCC)
    assert lookup.verified, lookup.problems
    assert lookup.status is BusinessStatus.DEREGISTERED
    assert lookup.versions[0].reason is None
    assert [
        (v.change_type, v.reason.code, v.reason.words, v.reason.state)
        for v in lookup.versions[1:]
        if v.reason is not None
    ] == [
        (
            ChangeType.SUSPENDED,
            SuspensionReason.UNREACHABLE_AT_ADDRESS,
            "cannot be contacted at the registered address",
            "verified",
        ),
        (ChangeType.REINSTATED, ReinstatementReason.ANNUAL_REPORT_FILED, "annual report filed", "verified"),
        (ChangeType.DEREGISTERED, DeregistrationReason.VOLUNTARY_DISSOLUTION, "dissolved", "verified"),
    ]
    assert {v.record for v in lookup.versions} == {record_from_dict(a_record())}


def test_the_chain_gets_the_reason_code_and_salted_hash_and_the_store_the_words(
    service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    change = service.suspend("gz-msa", USCC, "court-order", "frozen by court order (2026) 粤01执123号")
    entry = service.gateway.call(service.contract.functions.versions(USCC.encode()))[1]
    assert change.reason is not None
    assert (entry[4], entry[5]) == (SuspensionReason.COURT_ORDER, change.reason.digest)
    [(action, code, words, salt)] = db.execute(
        "SELECT action, reason_code, words, salt FROM reason_texts"
    ).fetchall()
    assert (action, code, words) == ("suspend", 4, "frozen by court order (2026) 粤01执123号")
    assert reason_hash(ReasonAction.SUSPEND, 4, bytes.fromhex(salt[2:]), words) == entry[5]


def test_altered_or_missing_reason_words_are_reported_not_verified_or_withheld(
    service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    service.suspend("gz-msa", USCC, "unreachable-at-address", "cannot be contacted")
    db.execute("UPDATE reason_texts SET words = 'paid the registrar'")
    db.commit()
    lookup = service.lookup(USCC)
    reason = lookup.versions[1].reason
    assert reason is not None and (reason.state, reason.words) == ("not verified", "paid the registrar")
    assert not reason.verified and lookup.versions[1].verified, "the record itself still matches"
    assert lookup.problems == (
        "version 2: the store's words for its reason do not match the salted hash on chain: altered",
    )
    db.execute("DELETE FROM reason_texts")
    db.commit()
    lookup = service.lookup(USCC)
    reason = lookup.versions[1].reason
    assert reason is not None and (reason.state, reason.words, reason.code) == (
        "withheld",
        None,
        SuspensionReason.UNREACHABLE_AT_ADDRESS,
    )
    assert lookup.verified, "withheld words contradict nothing"


@pytest.mark.parametrize(
    ("act", "code"),
    [
        (lambda s: s.suspend("gz-msa", USCC, "annual-report-filed", "listed"), "annual-report-filed"),
        (lambda s: s.suspend("gz-msa", USCC, 7, "listed"), "7"),
        (lambda s: s.reinstate("gz-msa", USCC, "court-ordered-dissolution", "back"), "court-ordered"),
        (lambda s: s.deregister("gz-msa", USCC, "", "dissolved"), "''"),
        (lambda s: s.revoke_notarisation("gz-notary", "ab" * 32, "fraud", "forged"), "fraud"),
    ],
)
def test_an_unknown_reason_code_is_refused_before_anything_is_sent(
    service: BusinessService, db: sqlite3.Connection, act: Any, code: str
):
    service.register("gz-msa", a_record())
    with pytest.raises(InvalidInput) as refused:
        act(service)
    assert refused.value.field == "reason_code" and code in str(refused.value)
    assert "known:" in str(refused.value)
    assert db.execute("SELECT count(*) FROM reason_texts").fetchone() == (0,)
    assert len(service.lookup(USCC).versions) == 1


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda s: s.register("gz-msa", a_record(uscc="91440101MA59LU9AX2")), "uscc"),
        (lambda s: s.register("gz-msa", {k: v for k, v in a_record().items() if k != "name"}), "name"),
        (
            lambda s: s.register("gz-msa", a_record(registered_capital={"amount": 1e6})),
            "registered_capital.amount",
        ),
        (lambda s: s.register("gz-msa", a_record(shareholders=[{"kind": "robot"}])), "shareholders[0].name"),
        (lambda s: s.amend("gz-msa", a_record(establishment_date="2021-01-01")), "establishment_date"),
        (lambda s: s.suspend("gz-msa", USCC, "unreachable-at-address", "   "), "reason"),
        (lambda s: s.suspend("gz-msa", "91440101MA59A1B2C3", "unreachable-at-address", "listed"), "uscc"),
        (lambda s: s.deregister("gz-msa", USCC, "voluntary-dissolution", "line one\nline two"), "reason"),
        (lambda s: s.notarise("gz-notary", USCC, b"", DocumentType.OTHER), "file"),
        (lambda s: s.notarise("gz-notary", USCC, ARTICLES, "birth-certificate"), "document_type"),
        (lambda s: s.revoke_notarisation("gz-notary", "0x1234", "court-ruling", "annulled"), "file_hash"),
    ],
)
def test_bad_input_is_rejected_naming_the_field_before_any_transaction(
    runtime: Runtime, service: BusinessService, act, field: str
):
    service.register("gz-msa", a_record())
    before = head(runtime)
    with pytest.raises(InvalidInput) as info:
        act(service)
    assert info.value.field == field
    assert head(runtime) == before
    assert row_count(service.store, BusinessVersionRow) == 1


def test_an_amendment_identical_to_the_current_record_is_rejected_before_any_transaction(
    runtime: Runtime, service: BusinessService
):
    service.register("gz-msa", a_record())
    before = head(runtime)
    with pytest.raises(InvalidInput, match="identical"):
        service.amend("gz-msa", a_record(name=f"  {COMPANY} "))  # normalises to the same record
    assert head(runtime) == before


def test_a_refused_transaction_stores_nothing(service: BusinessService):
    with pytest.raises(ContractReverted) as info:
        service.register("gz-notary", a_record())
    assert info.value.error_name == "ConsortiumMissingRole"
    assert row_count(service.store, BusinessVersionRow) == 0

    service.register("gz-msa", a_record())
    with pytest.raises(ContractReverted, match="BusinessRegistryDocumentTypeNotAllowed"):
        service.notarise("gz-msa", USCC, ARTICLES, DocumentType.ARTICLES_OF_ASSOCIATION)
    assert row_count(service.store, NotarisedFilingRow) == 0

    service.deregister("gz-msa", USCC, "voluntary-dissolution", "dissolved")
    with pytest.raises(ContractReverted, match="BusinessRegistryDeregistered"):
        service.amend("gz-msa", a_record(name="广州示例链信息技术有限公司"))
    assert row_count(service.store, BusinessVersionRow) == 2


def test_a_store_that_cannot_stage_the_version_first_sends_nothing_and_writes_nothing_half(
    runtime: Runtime, service: BusinessService, db: sqlite3.Connection
):
    db.execute(
        "INSERT INTO business_versions (uscc, version, change_type, record_hash, public_record, "
        "personal_data, agency, tx_hash, block_number) "
        "VALUES (?, 1, 1, '0x', '{}', '', '', '0xstale', 0)",
        (USCC,),
    )
    db.commit()
    before = head(runtime)
    with pytest.raises(Conflict, match="version 1 of 91440101MA59LU9AX1 clashes with what the store holds"):
        service.register("gz-msa", a_record())
    assert head(runtime) == before, "nothing was sent"
    with pytest.raises(NotFound):
        service.lookup(USCC)
    assert db.execute("SELECT tx_hash FROM business_versions").fetchall() == [("0xstale",)]
    assert db.execute("SELECT count(*) FROM pending_transactions").fetchone() == (0,)


def test_changing_a_business_whose_stored_record_was_altered_is_refused_before_any_transaction(
    runtime: Runtime, service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    db.execute("UPDATE business_versions SET public_record = json_set(public_record, '$.address', '别处')")
    db.commit()
    before = head(runtime)
    with pytest.raises(Conflict, match="does not match the hash on chain"):
        service.suspend("gz-msa", USCC, "unreachable-at-address", "listed")
    with pytest.raises(Conflict, match="does not match the hash on chain"):
        service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    assert head(runtime) == before


# ---- tampering ----


def test_an_altered_stored_record_is_reported_by_the_lookup(service: BusinessService, db: sqlite3.Connection):
    service.register("gz-msa", a_record())
    service.amend("gz-msa", a_record(registered_capital={"amount": "2000000"}))
    db.execute(
        "UPDATE business_versions SET public_record = "
        "json_set(public_record, '$.registered_capital.amount', '99000000.00') WHERE version = 1"
    )
    db.commit()
    lookup = service.lookup(USCC)
    assert not lookup.verified
    first, second = lookup.versions
    assert first.record is None and "does not match the hash on chain" in (first.problem or "")
    assert second.verified and second.record is not None
    assert lookup.problems == (f"version 1: {first.problem}",)


def test_sealed_personal_data_moved_to_another_version_is_reported(
    service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    service.suspend("gz-msa", USCC, "unreachable-at-address", "listed")
    sealed_v1 = db.execute("SELECT personal_data FROM business_versions WHERE version = 1").fetchone()[0]
    db.execute("UPDATE business_versions SET personal_data = ? WHERE version = 2", (sealed_v1,))
    db.commit()
    lookup = service.lookup(USCC)
    assert lookup.versions[0].verified
    assert "cannot be decrypted" in (lookup.versions[1].problem or "")


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("tx_hash", "0x" + "ab" * 32, "transaction"),
        ("block_number", 1, "transaction"),
        ("reason_code", 3, "reason"),
        ("reason_hash", "0x" + "12" * 32, "reason"),
        ("agency", "0x0000000000000000000000000000000000000001", "agency"),
        ("change_type", 8, "change type"),
        ("record_hash", "0x" + "00" * 32, "record hash"),
    ],
)
def test_an_altered_index_column_is_reported_by_the_lookup(
    service: BusinessService, db: sqlite3.Connection, column: str, value: Any, what: str
):
    service.register("gz-msa", a_record())
    db.execute(f"UPDATE business_versions SET {column} = ?", (value,))
    db.commit()
    [version] = service.lookup(USCC).versions
    assert version.problem == f"the store's {what} differs from the chain's"


def test_a_version_missing_from_the_store_or_unknown_to_the_chain_is_reported(
    service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    service.suspend("gz-msa", USCC, "unreachable-at-address", "listed")
    db.execute("UPDATE business_versions SET version = 7 WHERE version = 2")
    db.commit()
    lookup = service.lookup(USCC)
    assert lookup.versions[1].problem == "the chain has this version, the store has no record of it"
    assert lookup.store_problems == ("the store holds version 7, which the chain does not know",)


def test_personal_data_is_never_in_clear_in_the_database_file(tmp_path: Path, service: BusinessService):
    service.register("gz-msa", a_record())
    service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("store.sqlite*"))

    def forms(text: str) -> list[bytes]:
        return [
            text.encode(),
            text.encode("unicode_escape"),
            text.encode("unicode_escape").replace(b"\\u", b"\\\\u"),
        ]

    for secret in (*LEGAL_REP, *SHAREHOLDER):
        assert not any(form in raw for form in forms(secret)), "personal data found in clear"
    assert any(form in raw for form in forms(COMPANY)), "the public part is stored in clear"
    assert CORPORATE_USCC.encode() in raw, "a legal-person shareholder is public"


# ---- notarised filings ----


def test_a_notarised_file_verifies_and_a_one_byte_change_does_not(service: BusinessService):
    service.register("gz-msa", a_record())
    outcome = service.notarise("gz-notary", USCC, ARTICLES, "articles-of-association")
    verification = service.verify_file(ARTICLES)
    assert verification.valid and verification.business_name == COMPANY
    filing = verification.filing
    assert filing is not None
    assert (filing.uscc, filing.document_type, filing.notary_name) == (
        USCC,
        DocumentType.ARTICLES_OF_ASSOCIATION,
        "Guangzhou Nanyue Notary Office",
    )
    assert filing.proof == ChainProof(outcome.receipt.tx_hash, outcome.receipt.block_number)
    assert filing.problem is None
    altered = bytearray(ARTICLES)
    altered[-1] ^= 0x01
    assert not service.verify_file(bytes(altered)).notarised
    assert service.verify_file_hash(outcome.file_hash.hex()).valid


def test_a_revoked_notarisation_stays_visible_as_revoked(service: BusinessService):
    service.register("gz-msa", a_record())
    notarised = service.notarise("gz-notary", USCC, ARTICLES, DocumentType.ARTICLES_OF_ASSOCIATION)
    revoked = service.revoke_notarisation(
        "gz-notary", "0x" + notarised.file_hash.hex(), "court-ruling", "annulled by court ruling"
    )
    assert revoked.uscc == USCC
    verification = service.verify_file(ARTICLES)
    assert verification.notarised and not verification.valid
    revocation = verification.filing.revocation if verification.filing else None
    assert revocation is not None
    assert revocation.reason is not None and revocation.reason.verified
    assert (revocation.reason.code, revocation.reason.words, revocation.revoked_by_name) == (
        NotarisationRevocationReason.COURT_RULING,
        "annulled by court ruling",
        "Guangzhou Nanyue Notary Office",
    )
    assert revocation.proof == ChainProof(revoked.receipt.tx_hash, revoked.receipt.block_number)
    [filing] = service.lookup(USCC).filings
    assert not filing.in_force and filing.problem is None


def test_an_altered_filing_index_is_reported_by_the_lookup(service: BusinessService, db: sqlite3.Connection):
    service.register("gz-msa", a_record())
    service.notarise("gz-notary", USCC, ARTICLES, DocumentType.ARTICLES_OF_ASSOCIATION)
    db.execute("UPDATE business_filings SET document_type = ?", (int(DocumentType.BUSINESS_LICENCE),))
    db.commit()
    lookup = service.lookup(USCC)
    [filing] = lookup.filings
    assert filing.document_type is DocumentType.ARTICLES_OF_ASSOCIATION, "the chain's word is shown"
    assert filing.problem == "the store's document type differs from the chain's"
    assert not lookup.verified


def test_unknown_businesses_and_files(service: BusinessService):
    with pytest.raises(NotFound, match=USCC):
        service.lookup(USCC)
    verification = service.verify_file(ARTICLES)
    assert not verification.notarised and verification.filing is None


# ---- legacy versions: the plain SHA-256 of the record, recorded before salted commitments ----


def register_the_old_way(service: BusinessService) -> None:
    """What gzchain did before salted commitments: the record's SHA-256 on chain, no commitment stored."""
    record = record_from_dict(a_record())
    fn = service.contract.functions.register(USCC.encode(), record_hash(record))
    service._record_version(fn, service.keys.signer("gz-msa"), record, None, 1, ChangeType.REGISTERED, None)


def test_a_legacy_version_still_reads_and_verifies_flagged_as_legacy(service: BusinessService):
    register_the_old_way(service)
    lookup = service.lookup(USCC)
    assert lookup.verified, lookup.problems
    [version] = lookup.versions
    assert (version.scheme, version.legacy, version.commitment) == ("legacy-sha256", True, None)
    assert version.record_hash == record_hash(record_from_dict(a_record()))
    assert lookup.record == record_from_dict(a_record())


def test_a_status_change_of_a_legacy_business_stays_legacy_and_an_amendment_migrates_it(
    service: BusinessService,
):
    register_the_old_way(service)
    service.suspend("gz-msa", USCC, "unreachable-at-address", "listed")
    service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    versions = service.lookup(USCC).versions
    assert [v.scheme for v in versions] == ["legacy-sha256", "legacy-sha256", "salted-merkle-v1"]
    assert all(v.verified for v in versions)
    assert versions[2].commitment is not None and versions[2].record_hash == versions[2].commitment.root


def test_an_altered_legacy_record_is_reported_as_altered(service: BusinessService, db: sqlite3.Connection):
    register_the_old_way(service)
    db.execute("UPDATE business_versions SET public_record = json_set(public_record, '$.address', '别处')")
    db.commit()
    [version] = service.lookup(USCC).versions
    assert version.problem and "does not match the hash on chain" in version.problem


def test_an_erased_legacy_versions_public_part_is_never_shown_as_verified(
    service: BusinessService, db: sqlite3.Connection
):
    # Its one SHA-256 covered the erased fields too: nothing on chain can check what is left of it.
    register_the_old_way(service)
    service.deregister("gz-msa", USCC, "voluntary-dissolution", "dissolved by its shareholders")
    service.erase_personal_data("gz-msa", USCC)
    db.execute("UPDATE business_versions SET public_record = json_set(public_record, '$.address', '别处')")
    db.commit()
    lookup = service.lookup(USCC)
    assert lookup.verified, lookup.problems  # erased, not tampered
    for version in lookup.versions:
        assert version.erased and version.legacy
        assert version.record is None and version.public_part is None
        assert version.unchecked_public_part is not None  # kept apart, said to be unchecked
        assert version.unchecked_public_part["address"] == "别处"


def test_a_status_change_keeps_the_salts_so_its_version_repeats_the_root(service: BusinessService):
    registered = service.register("gz-msa", a_record())
    suspended = service.suspend("gz-msa", USCC, "unreachable-at-address", "listed")
    assert suspended.record_hash == registered.record_hash
    first, second = service.lookup(USCC).versions
    assert second.verified and first.commitment == second.commitment


def test_an_altered_stored_leaf_is_reported_even_when_the_values_are_intact(
    service: BusinessService, db: sqlite3.Connection
):
    service.register("gz-msa", a_record())
    db.execute(
        "UPDATE business_versions SET commitment = json_set(commitment, '$.leaves.address', ?)", ("00" * 32,)
    )
    db.commit()
    [version] = service.lookup(USCC).versions
    assert version.problem and "does not match the hash on chain" in version.problem
