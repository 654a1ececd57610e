"""ReindexService: the store's chain-derived tables rebuilt from the chain's events, off-chain data
re-attached by hash, nothing invented; `check` compares and changes nothing. Runs on the embedded chain (and
on anvil, `--lane anvil`) over SQLite (and PostgreSQL, `--store postgres`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from support.certificates import graduate, write_csv
from support.records import USCC, a_record

from gzchain.bootstrap import Runtime
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.coldchain import Lot, TemperatureWindow
from gzchain.domain.registry import DocumentType
from gzchain.services.certificates.templates import load_template
from gzchain.services.coldchain import CHINA_STANDARD_TIME
from gzchain.services.reindex import ReindexReport
from gzchain.store.business import BusinessVersionRow, NotarisedFilingRow
from gzchain.store.certificates import CertificateBatchRow, CertificateRevocationRow
from gzchain.store.coldchain import ColdChainEventRow, ColdChainLotRow, ColdChainReadingRow
from gzchain.store.reasons import ReasonTextRow

IMPORTER = "nansha-importer"
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)
FILING = b"articles of association, 2025 edition"


@pytest.fixture
def history(runtime: Runtime, tmp_path: Path) -> dict[str, Any]:
    """A little of everything the store indexes: versions, filings, lots, events with readings, a split,
    a certificate batch and a revocation."""
    business = runtime.business()
    business.register("gz-msa", a_record())
    business.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    business.suspend("gz-msa", USCC, "unreachable-at-address", "listed for abnormal operations")
    filing = business.notarise("gz-notary", USCC, FILING, DocumentType.ARTICLES_OF_ASSOCIATION)
    business.revoke_notarisation(
        "gz-notary", filing.file_hash, "court-ruling", "superseded by the 2026 edition"
    )
    coldchain = runtime.coldchain()
    coldchain.create(IMPORTER, gtin=GTIN, lot="BR-1", quantity=24000, unit="KGM", origin="BR", window=FROZEN)
    readings = [(T0 + timedelta(minutes=10 * i), value) for i, value in enumerate(("-20.5", "-21", "-19.8"))]
    coldchain.record_event(
        IMPORTER, "BR-1", "storing", location=PORT, time=T0, readings=readings, device="urn:dev:truck-1"
    )
    coldchain.split(
        IMPORTER, "BR-1", [("BR-1A", 12000), ("BR-1B", 12000)], location=PORT, time=T0 + timedelta(hours=1)
    )
    coldchain.record_event(IMPORTER, "BR-1A", "storing", location=PORT, time=T0 + timedelta(hours=2))
    coldchain.recall("gz-msa", "BR-1B", "pathogen-detected", "nucleic-acid test positive on a sample")
    certificates = runtime.certificates()
    records = write_csv(tmp_path / "records.csv", [graduate(1), graduate(2)])
    batch = certificates.issue_batch(
        "gz-edu", load_template("graduation-certificate"), records, tmp_path / "out"
    )
    certificates.revoke_hash("gz-edu", batch.merkle_root, RevocationReason.ISSUED_IN_ERROR, "printed twice")
    return {"batch": batch}


def views(runtime: Runtime) -> tuple[Any, ...]:
    """What the API reads from the store: a business lookup, traces, the certificate index."""
    coldchain = runtime.coldchain()
    return (
        runtime.business().lookup(USCC),
        runtime.business().verify_file(FILING),
        coldchain.trace("BR-1"),
        coldchain.trace("BR-1A"),
        runtime.certificates().batches(),
    )


def reindex(runtime: Runtime, *, check: bool = False) -> ReindexReport:
    return runtime.reindexer().run(check=check)


def kinds(report: ReindexReport) -> dict[tuple[str, str], int]:
    counted: dict[tuple[str, str], int] = {}
    for finding in report.findings:
        counted[(finding.table, finding.kind)] = counted.get((finding.table, finding.kind), 0) + 1
    return counted


def count(runtime: Runtime, model: type) -> int:
    with runtime.store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_store_written_by_the_services_agrees_with_the_chain_and_a_rebuild_changes_nothing(
    runtime: Runtime, history
):
    before = views(runtime)
    checked = reindex(runtime, check=True)
    assert checked.findings == []
    assert {summary.name: summary.on_chain for summary in checked.tables} == {
        "business versions": 3,
        "business filings": 1,
        "cold-chain lots": 3,
        "cold-chain events": 3,
        "cold-chain readings": 3,
        "certificate batches": 1,
        "certificate revocations": 1,
        "reason texts": 3,
    }
    assert all(summary.agreeing == summary.on_chain for summary in checked.tables)
    assert reindex(runtime).findings == []
    assert views(runtime) == before


def test_wiped_and_scrambled_index_rows_are_rebuilt_from_the_chain_and_read_back_identical(
    runtime: Runtime, history
):
    before = views(runtime)
    with runtime.store.session() as session:
        # Rows that are the chain's word alone go entirely; rows carrying off-chain data lose their index.
        for model in (NotarisedFilingRow, ColdChainLotRow, ColdChainReadingRow):
            session.execute(delete(model))
        for model in (BusinessVersionRow, ColdChainEventRow):
            session.execute(update(model).values(block_number=7, tx_index=3))
        session.execute(update(CertificateBatchRow).values(tx_hash="0x" + "ab" * 32, block_number=1))
    checked = reindex(runtime, check=True)
    assert kinds(checked) == {
        ("business versions", "rewritten"): 3,
        ("business filings", "restored"): 1,
        ("cold-chain lots", "restored"): 3,
        ("cold-chain events", "rewritten"): 3,
        ("cold-chain readings", "restored"): 3,
        ("certificate batches", "rewritten"): 1,
    }
    assert count(runtime, ColdChainLotRow) == 0, "a check changes nothing"

    rebuilt = reindex(runtime)
    assert kinds(rebuilt) == kinds(checked)
    after = views(runtime)
    assert after == before
    lookup, verification, trace, child_trace, _ = after
    assert lookup.verified and verification.filing is not None and verification.filing.problem is None
    assert trace.verified and child_trace.verified and len(trace.temperatures) == 3
    assert reindex(runtime, check=True).findings == [], "idempotent"


def test_a_tampered_row_is_reported_by_the_check_and_replaced_from_a_copy_the_chain_vouches_for(
    runtime: Runtime, history
):
    with runtime.store.session() as session:
        row = session.scalars(select(BusinessVersionRow).where(BusinessVersionRow.version == 3)).one()
        row.public_record = {**row.public_record, "name": "A Different Name Ltd"}
        session.execute(
            update(ColdChainReadingRow).where(ColdChainReadingRow.position == 1).values(low_tenths=-300)
        )
    checked = reindex(runtime, check=True)
    assert kinds(checked) == {
        ("business versions", "rewritten"): 1,
        ("cold-chain readings", "rewritten"): 1,
    }
    [version] = [f for f in checked.findings if f.table == "business versions"]
    assert version.item == f"version 3 of {USCC}" and "payload" in version.detail
    assert not runtime.business().lookup(USCC).verified
    # Version 3 repeats version 2's record (a suspension): the copy of version 2 restores it.
    reindex(runtime)
    assert runtime.business().lookup(USCC).verified
    assert runtime.coldchain().trace("BR-1").verified


def test_an_on_chain_item_whose_data_the_store_lost_is_reported_and_never_invented(runtime: Runtime, history):
    with runtime.store.session() as session:
        session.execute(delete(BusinessVersionRow).where(BusinessVersionRow.version == 1))
        session.execute(delete(CertificateRevocationRow))
        first_event = select(ColdChainEventRow.event_hash).where(ColdChainEventRow.biz_step == "storing")
        digest = session.scalars(first_event.order_by(ColdChainEventRow.event_time_ms)).first()
        session.execute(delete(ColdChainEventRow).where(ColdChainEventRow.event_hash == digest))
        session.execute(delete(ColdChainReadingRow))
    for check in (True, False):
        report = reindex(runtime, check=check)
        missing = {(f.table, f.item) for f in report.findings if f.kind == "missing payload"}
        assert missing == {
            ("business versions", f"version 1 of {USCC}"),
            ("cold-chain events", f"event {digest} of batch 0x{Lot(GTIN, 'BR-1').batch_id.hex()}"),
            (
                "certificate revocations",
                f"revocation of 0x{history['batch'].merkle_root.hex()} in store "
                f"{history['batch'].document_store}",
            ),
        }
    assert count(runtime, BusinessVersionRow) == 2
    assert count(runtime, ColdChainReadingRow) == 0, "readings of a lost event are not made up"
    assert count(runtime, CertificateRevocationRow) == 0


def test_a_store_row_the_chain_does_not_confirm_is_reported_and_dropped(runtime: Runtime, history):
    with runtime.store.session() as session:
        session.add(
            ColdChainLotRow(
                batch_id="0x" + Lot(GTIN, "GHOST").batch_id.hex(),
                lot_uri=Lot(GTIN, "GHOST").uri,
                gtin=GTIN,
                lot_number="GHOST",
                parent_id=None,
                tx_hash="0x" + "cd" * 32,
                block_number=5,
                tx_index=0,
            )
        )
    checked = reindex(runtime, check=True)
    assert kinds(checked) == {("cold-chain lots", "not on chain"): 1}
    reindex(runtime)
    assert count(runtime, ColdChainLotRow) == 3
    assert reindex(runtime, check=True).findings == []


def test_altered_reason_words_are_reported_as_tampered_and_kept_as_evidence(runtime: Runtime, history):
    with runtime.store.session() as session:
        session.execute(
            update(ReasonTextRow)
            .where(ReasonTextRow.action == "recall")
            .values(words="nothing wrong with it after all")
        )
    for check in (True, False):
        report = reindex(runtime, check=check)
        assert kinds(report) == {("reason texts", "tampered"): 1}
        [finding] = report.differences
        assert (
            finding.item.startswith("0x") and "no longer hash to the reason hash on chain" in finding.detail
        )
    with runtime.store.session() as session:
        words = session.scalars(select(ReasonTextRow.words).where(ReasonTextRow.action == "recall")).one()
    assert words == "nothing wrong with it after all", "evidence is not overwritten"
    recall = runtime.coldchain().trace("BR-1B").recall
    assert recall is not None and recall.reason_detail is not None
    assert recall.reason_detail.state == "not verified"


def test_missing_reason_words_are_reported_as_missing_and_a_drifted_index_is_rewritten(
    runtime: Runtime, history
):
    with runtime.store.session() as session:
        session.execute(delete(ReasonTextRow).where(ReasonTextRow.action == "suspend"))
        session.execute(update(ReasonTextRow).values(block_number=1, tx_index=9))
    for check in (True, False):
        report = reindex(runtime, check=check)
        assert kinds(report) == {("reason texts", "missing payload"): 1, ("reason texts", "rewritten"): 2}
    assert count(runtime, ReasonTextRow) == 2, "no words are made up"
    assert kinds(reindex(runtime, check=True)) == {("reason texts", "missing payload"): 1}
    lookup = runtime.business().lookup(USCC)
    suspension = lookup.versions[2].reason
    assert suspension is not None and suspension.state == "withheld"
    revocation = lookup.filings[0].revocation
    assert revocation is not None and revocation.reason is not None and revocation.reason.verified
