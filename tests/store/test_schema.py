"""The store's schema version: a store file made by an earlier gzchain is migrated in place, keeping its
rows; a new one starts at the current version; a store from a newer gzchain is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from gzchain.store.business import BusinessVersionRow
from gzchain.store.coldchain import ColdChainLotRow
from gzchain.store.db import Store, StoreUnavailable, engine_for
from gzchain.store.schema import SCHEMA_VERSION, StoreMetaRow

# The chain-derived tables as gzchain 0.1 created them (SQLite), before pending-first writes.
VERSION_1 = """
CREATE TABLE business_versions (
    id INTEGER NOT NULL, uscc VARCHAR(18) NOT NULL, version INTEGER NOT NULL, change_type INTEGER NOT NULL,
    record_hash VARCHAR(66) NOT NULL, public_record JSON NOT NULL, personal_data TEXT NOT NULL,
    agency VARCHAR(42) NOT NULL, reason TEXT NOT NULL, tx_hash VARCHAR(66) NOT NULL,
    block_number BIGINT NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_business_version UNIQUE (uscc, version), UNIQUE (tx_hash));
CREATE INDEX ix_business_versions_uscc ON business_versions (uscc);
CREATE TABLE business_filings (
    file_hash VARCHAR(66) NOT NULL, uscc VARCHAR(18) NOT NULL, document_type INTEGER NOT NULL,
    notary VARCHAR(42) NOT NULL, tx_hash VARCHAR(66) NOT NULL, block_number BIGINT NOT NULL,
    revoked_by VARCHAR(42), revocation_reason TEXT, revocation_tx_hash VARCHAR(66),
    revocation_block_number BIGINT, PRIMARY KEY (file_hash), UNIQUE (tx_hash));
CREATE INDEX ix_business_filings_uscc ON business_filings (uscc);
CREATE TABLE coldchain_lots (
    batch_id VARCHAR(66) NOT NULL, lot_uri TEXT NOT NULL, gtin VARCHAR(14) NOT NULL,
    lot_number VARCHAR(20) NOT NULL, parent_id VARCHAR(66), tx_hash VARCHAR(66) NOT NULL,
    block_number BIGINT NOT NULL, PRIMARY KEY (batch_id), UNIQUE (lot_uri));
CREATE INDEX ix_coldchain_lots_lot_number ON coldchain_lots (lot_number);
CREATE TABLE coldchain_events (
    id INTEGER NOT NULL, batch_id VARCHAR(66) NOT NULL, event_hash VARCHAR(66) NOT NULL, event JSON NOT NULL,
    context JSON NOT NULL, biz_step VARCHAR(32), event_time_ms BIGINT NOT NULL, agency VARCHAR(42) NOT NULL,
    tx_hash VARCHAR(66) NOT NULL, block_number BIGINT NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_coldchain_event UNIQUE (batch_id, event_hash));
CREATE INDEX ix_coldchain_events_batch_id ON coldchain_events (batch_id);
CREATE TABLE coldchain_readings (
    id INTEGER NOT NULL, batch_id VARCHAR(66) NOT NULL, event_hash VARCHAR(66) NOT NULL,
    position INTEGER NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, device TEXT NOT NULL,
    low_tenths SMALLINT NOT NULL, high_tenths SMALLINT NOT NULL, value VARCHAR(64), report JSON NOT NULL,
    tx_hash VARCHAR(66) NOT NULL, block_number BIGINT NOT NULL, PRIMARY KEY (id),
    CONSTRAINT uq_coldchain_reading UNIQUE (batch_id, event_hash, position));
CREATE INDEX ix_coldchain_readings_batch_id ON coldchain_readings (batch_id);
INSERT INTO coldchain_lots VALUES ('0xab', 'https://id.gs1.org/01/07891234000019/10/BR-1', '07891234000019',
    'BR-1', NULL, '0xcd', 42);
"""


def open_store(folder: Path) -> Store:
    return Store(engine_for(None, folder))


def test_a_version_1_store_file_is_migrated_in_place_and_keeps_its_rows(tmp_path: Path):
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.executescript(VERSION_1)
    store = open_store(tmp_path)
    try:
        columns = {c["name"]: c for c in inspect(store.engine).get_columns("coldchain_lots")}
        assert columns["block_number"]["nullable"] and "tx_index" in columns
        filings = {c["name"] for c in inspect(store.engine).get_columns("business_filings")}
        assert {"tx_index", "revocation_tx_index"} <= filings
        assert "pending_transactions" in inspect(store.engine).get_table_names()
        with store.session() as session:
            [lot] = session.scalars(select(ColdChainLotRow)).all()
            assert (lot.lot_number, lot.tx_hash, lot.block_number, lot.tx_index) == ("BR-1", "0xcd", 42, None)
            assert session.get(StoreMetaRow, "schema").value == str(SCHEMA_VERSION)
            # The migrated table takes pending rows, and its constraints hold as before.
            session.add(
                ColdChainLotRow(
                    batch_id="0xef",
                    lot_uri="https://id.gs1.org/01/07891234000019/10/BR-2",
                    gtin="07891234000019",
                    lot_number="BR-2",
                    tx_hash="0x12",
                    block_number=None,
                )
            )
        with pytest.raises(StoreUnavailable, match="IntegrityError"), store.session() as session:
            session.add(
                ColdChainLotRow(
                    batch_id="0x99",
                    lot_uri="https://id.gs1.org/01/07891234000019/10/BR-1",
                    gtin="07891234000019",
                    lot_number="BR-1",
                    tx_hash="0x13",
                    block_number=None,
                )
            )
    finally:
        store.close()
    open_store(tmp_path).close()  # opening a current store again changes nothing


def test_a_new_store_starts_at_the_current_version(tmp_path: Path):
    store = open_store(tmp_path)
    with store.session() as session:
        assert session.get(StoreMetaRow, "schema").value == str(SCHEMA_VERSION)
    store.close()


def test_a_store_from_a_newer_gzchain_is_refused(tmp_path: Path):
    open_store(tmp_path).close()
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute("UPDATE store_meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreUnavailable, match=f"schema version {SCHEMA_VERSION + 1}"):
        open_store(tmp_path)


def test_a_current_store_whose_schema_row_was_deleted_is_not_migrated_twice(tmp_path: Path):
    open_store(tmp_path).close()
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute("DELETE FROM store_meta")
    store = open_store(tmp_path)
    with store.session() as session:
        assert session.get(StoreMetaRow, "schema").value == str(SCHEMA_VERSION)
    store.close()


def test_a_store_whose_reasons_were_on_chain_gets_reason_codes_hashes_and_a_reason_texts_table(
    tmp_path: Path,
):
    """4: the words a version-3 store kept of each reason were the old contracts' clear text; those
    deployments are refused (tests/e2e/test_legacy_reasons.py), so the words go and codes and hashes come."""
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.executescript(VERSION_1)
        db.execute(
            "INSERT INTO business_versions VALUES (1, '91440101MA59LU9AX1', 2, 128, '0xaa', '{}', 'sealed', "
            "'0xbb', 'cannot be contacted', '0xcc', 7)"
        )
    store = open_store(tmp_path)
    try:
        inspector = inspect(store.engine)
        versions = {c["name"] for c in inspector.get_columns("business_versions")}
        filings = {c["name"] for c in inspector.get_columns("business_filings")}
        assert {"reason_code", "reason_hash"} <= versions and "reason" not in versions
        assert {"revocation_reason_code", "revocation_reason_hash"} <= filings
        assert "revocation_reason" not in filings
        assert "reason_texts" in inspector.get_table_names()
        with store.session() as session:
            [row] = session.scalars(select(BusinessVersionRow)).all()
            assert (row.version, row.tx_hash, row.reason_code, row.reason_hash) == (2, "0xcc", None, None)
    finally:
        store.close()
