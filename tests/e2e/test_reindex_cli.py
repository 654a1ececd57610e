"""`gzchain reindex` end to end, embedded and on anvil: check a store against the chain (exit 1 on any
difference, nothing changed), rebuild it, and report data the store lost rather than invent it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
USCC = "91440112MA9Y3K2P2J"
RECORD = {
    "uscc": USCC,
    "name": "广州黄埔示例智能科技有限公司",
    "legal_representative": {"name": "林晓峰", "id_number": "44011219880808123X"},
    "registered_capital": {"amount": "10000000.00"},
    "address": "广州市黄埔区科学大道1号",
    "business_scope": "人工智能应用软件开发",
    "shareholders": [],
    "establishment_date": "2025-03-18",
}


@pytest.fixture
def cli(deployed_cli, isolated_env: Path):
    record = isolated_env / "record.json"
    record.write_text(json.dumps(RECORD, ensure_ascii=False), encoding="utf-8")
    deployed_cli("business", "register", "--as", "gz-msa", str(record))
    deployed_cli(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", GTIN, "--lot", "BR-3",
        "--quantity", "600", "--origin", "BR", "--min", "-30", "--max", "-18",
    )  # fmt: skip
    deployed_cli(
        "coldchain", "event", "--as", "nansha-importer", "BR-3", "arriving", "--location", PORT,
        "--reading", "2025-03-01T06:00:00+08:00=-19.5", "--reading", "2025-03-01T06:10:00+08:00=-20",
    )  # fmt: skip
    return deployed_cli


def store_file(isolated_env: Path) -> sqlite3.Connection:
    return sqlite3.connect(isolated_env / "data" / "store.sqlite")


def test_a_store_in_step_with_the_chain_checks_clean_and_rebuilds_to_the_same(cli):
    out = cli("reindex", "--check")
    assert "Store checked against the chain" in out and "the store agrees with the chain" in out
    assert "business versions" in out and "cold-chain readings" in out
    out = cli("reindex")
    assert "Store rebuilt from the chain" in out and "What the rebuild did" not in out


def test_check_exits_1_on_a_difference_and_changes_nothing_then_a_rebuild_repairs_it(cli, isolated_env: Path):
    with store_file(isolated_env) as db:
        db.execute("DELETE FROM coldchain_readings WHERE position = 1")
        db.execute("UPDATE business_versions SET tx_index = 9")
    out = cli("reindex", "--check", expect=1)
    assert "2 difference(s) from the chain" in out
    assert "restored" in out and "rewritten" in out and f"version 1 of {USCC}" in out
    with store_file(isolated_env) as db:
        assert db.execute("SELECT count(*) FROM coldchain_readings").fetchone() == (1,)
    out = cli("reindex")
    assert "What the rebuild did" in out
    cli("reindex", "--check")
    assert "✓" in cli("coldchain", "trace", "BR-3")


def test_an_on_chain_item_whose_data_is_gone_is_reported_and_the_rebuild_exits_1(cli, isolated_env: Path):
    with store_file(isolated_env) as db:
        db.execute("DELETE FROM coldchain_events")
    out = cli("reindex", expect=1)
    assert "missing payload" in out and "the store holds no copy of its data" in out
    with store_file(isolated_env) as db:
        assert db.execute("SELECT count(*) FROM coldchain_readings").fetchone() == (0,)
    cli("reindex", "--check", expect=1)
