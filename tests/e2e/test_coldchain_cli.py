"""`gzchain coldchain` end to end, and the cold-chain scenario, embedded and on anvil."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gzchain.cli import app
from gzchain.domain.epcis.validate import STANDARD_CONTEXT

WIDE = {"COLUMNS": "250"}
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
DEPOT = "urn:epc:id:sgln:6901234.00002.0"


@pytest.fixture
def cli(deployed_cli):
    return deployed_cli


@pytest.fixture
def files(tmp_path: Path):
    def write(name: str, content: bytes | dict[str, Any]) -> str:
        path = tmp_path / name
        path.write_bytes(json.dumps(content).encode() if isinstance(content, dict) else content)
        return str(path)

    return write


def telematics(lot: str, *values: float) -> dict[str, Any]:
    """The carrier's EPCIS document: a leg's readings, then the hand-over to the supermarket."""
    lot_class = {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lot}", "quantity": 8000, "uom": "KGM"}
    return {
        "@context": [STANDARD_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-02T12:00:00+08:00",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "bizStep": "transporting",
                    "eventTime": "2025-03-02T10:00:00.000+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "readPoint": {"id": "geo:23.05,113.45"},
                    "quantityList": [lot_class],
                    "sensorElementList": [
                        {
                            "sensorMetadata": {"deviceID": "urn:epc:id:giai:6901234.TRUCK-02"},
                            "sensorReport": [
                                {
                                    "type": "Temperature",
                                    "time": f"2025-03-02T09:{10 * i:02d}:00.000+08:00",
                                    "value": v,
                                    "uom": "CEL",
                                }
                                for i, v in enumerate(values)
                            ],
                        }
                    ],
                },
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "eventTime": "2025-03-02T10:30:00.000+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "readPoint": {"id": "urn:epc:id:sgln:6901234.00011.0"},
                    "quantityList": [lot_class],
                    "destinationList": [
                        {"type": "possessing_party", "destination": "https://tianhe-fresh.example.cn"}
                    ],
                },
            ]
        },
    }


def book_and_clear(cli, files) -> None:
    cli("coldchain", "entitle", "--as", "gz-msa", "gz-customs", "customs-declaration,inspection-quarantine")
    cli("coldchain", "entitle", "--as", "gz-msa", "gz-cdc", "nucleic-acid-test")
    out = cli("coldchain", "entitle", "--as", "gz-msa", "gz-cold-warehouse", "disinfection,warehouse-release")
    assert "may attach: disinfection voucher, supervised-warehouse release certificate" in out
    out = cli(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", GTIN, "--lot", "BR-1",
        "--quantity", "24000", "--origin", "BR", "--min", "-30.0", "--max", "-18.0",
    )  # fmt: skip
    assert "batch BR-1 booked, window -30.0 °C to -18.0 °C" in out
    assert f"https://id.gs1.org/01/{GTIN}/10/BR-1" in out
    out = cli(
        "coldchain", "event", "--as", "nansha-importer", "BR-1", "arriving", "--location", PORT,
        "--time", "2025-03-01T06:00:00+08:00", "--device", "urn:epc:id:giai:6901234.REEFER-1",
        "--reading", "2025-03-01T05:30:00+08:00=-21.4", "--reading", "2025-03-01T05:45:00+08:00=-20.9",
    )  # fmt: skip
    assert "eventList[0] arriving of BR-1" in out and "flagged" not in out
    cli(
        "coldchain",
        "certify",
        "--as",
        "gz-customs",
        "BR-1",
        "customs-declaration",
        files("decl.pdf", b"%PDF decl"),
    )
    out = cli(
        "coldchain",
        "event",
        "--as",
        "nansha-importer",
        "BR-1",
        "retail_selling",
        "--location",
        PORT,
        expect=5,
    )
    assert "ColdChainBatchNotCleared" in out
    cli(
        "coldchain",
        "certify",
        "--as",
        "gz-customs",
        "BR-1",
        "inspection-quarantine",
        files("q.pdf", b"%PDF q"),
    )
    cli(
        "coldchain",
        "certify",
        "--as",
        "gz-cdc",
        "BR-1",
        "nucleic-acid-test",
        files("nat.pdf", b"%PDF negative"),
    )
    out = cli(
        "coldchain", "event", "--as", "nansha-importer", "BR-1", "shipping", "--location", PORT,
        "--to", "gz-cold-warehouse", "--time", "2025-03-01T08:00:00+08:00",
    )  # fmt: skip
    assert "custody offered to 0x" in out
    cli(
        "coldchain", "event", "--as", "gz-cold-warehouse", "BR-1", "receiving", "--location", DEPOT,
        "--time", "2025-03-01T09:00:00+08:00",
    )  # fmt: skip
    cli(
        "coldchain", "certify", "--as", "gz-cold-warehouse", "BR-1", "disinfection", files("d.pdf", b"%PDF d")
    )
    out = cli(
        "coldchain", "certify", "--as", "gz-cold-warehouse", "BR-1", "warehouse-release", files("r.pdf", b"r")
    )
    assert "the batch is cleared for sale" in out


def test_a_batch_is_booked_certified_split_shipped_flagged_recalled_and_traced(cli, files):
    book_and_clear(cli, files)
    out = cli(
        "coldchain", "split", "--as", "gz-cold-warehouse", "BR-1", "--into", "BR-1-A=16000",
        "--into", "BR-1-B=8000", "--location", DEPOT, "--time", "2025-03-02T08:00:00+08:00",
    )  # fmt: skip
    assert "repackaging of BR-1 → BR-1-A, BR-1-B" in out
    for agency, step, extra in (
        ("gz-cold-warehouse", "shipping", ["--to", "lingnan-logistics"]),
        ("lingnan-logistics", "receiving", []),
    ):
        cli("coldchain", "event", "--as", agency, "BR-1-B", step, "--location", DEPOT, *extra)
    out = cli(
        "coldchain",
        "ingest",
        "--as",
        "lingnan-logistics",
        files("leg.jsonld", telematics("BR-1-B", -19.5, -16.2)),
    )
    assert "eventList[0] transporting of BR-1-B" in out and "eventList[1] shipping of BR-1-B" in out
    assert "BR-1-B flagged: readings -19.5 °C to -16.2 °C outside its window" in out

    out = cli("coldchain", "trace", "BR-1-B", "--reading", "4")
    assert "status on hold: a temperature reading broke the window" in out
    assert "split from BR-1 (24,000 KGM, split into child lots)" in out
    for holder in ("Nansha Port Frozen Food Import Co.", "Lingnan Cold-Chain Logistics Co."):
        assert holder in out
    assert out.count("✓ matches") == 8  # 4 events of BR-1, 4 of BR-1-B
    assert "OUTSIDE" in out and "Guangzhou Center for Disease Control and Prevention" in out
    assert "✓ proven: reading 4 (-16.2 °C) of lot BR-1-B" in out

    cli(
        "coldchain", "recall", "--as", "gz-msa", "BR-1-B",
        "--reason-code", "temperature-abuse", "--reason", "truck 2 reefer failure",
    )  # fmt: skip
    out = cli("coldchain", "trace", f"https://id.gs1.org/01/{GTIN}/10/BR-1-B")
    assert (
        "recalled with lot BR-1-B by Guangzhou Market Supervision Administration: "
        "temperature abuse: truck 2 reefer failure ✓ verified" in " ".join(out.split())
    )
    out = cli("coldchain", "trace", "BR-1")
    assert "BR-1-A: 16,000 KGM, cleared for sale" in out and "BR-1-B: 8,000 KGM, recalled" in out


def test_a_regulator_releases_a_flagged_batch(cli, files):
    cli(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", "7891234000019", "--lot", "BR-2",
        "--quantity", "600", "--origin", "BR", "--min=-30", "--max=-18",
    )  # fmt: skip
    out = cli(
        "coldchain", "event", "--as", "nansha-importer", "BR-2", "holding", "--location", PORT,
        "--reading", "2025-03-01T06:00:00+08:00=-17.5",
    )  # fmt: skip
    assert "BR-2 flagged" in out
    out = cli(
        "coldchain", "release", "--as", "gz-msa", "BR-2",
        "--reason-code", "sensor-fault", "--reason", "probe outside the carton",
    )  # fmt: skip
    assert "released" in out and "probe outside the carton" in out
    assert "status awaiting clearance" in cli("coldchain", "trace", "BR-2")


def test_refusals_and_bad_input_exit_with_the_documented_codes(cli, files):
    out = cli(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", "07891234000018", "--lot", "X",
        "--quantity", "1", "--origin", "BR", "--min", "-30", "--max", "-18", expect=2,
    )  # fmt: skip
    assert "gtin: check digit is 8" in out
    out = cli(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", GTIN, "--lot", "X",
        "--quantity", "1", "--origin", "BR", "--min", "-30", "--max", "-18.05", expect=2,
    )  # fmt: skip
    assert "max_celsius: -18.05 °C: window limits are whole tenths" in out
    assert "no lot numbered 'NOPE'" in cli("coldchain", "trace", "NOPE", expect=3)
    out = cli(
        "coldchain", "create", "--as", "gz-customs", "--gtin", GTIN, "--lot", "X",
        "--quantity", "1", "--origin", "BR", "--min", "-30", "--max", "-18", expect=5,
    )  # fmt: skip
    assert "ConsortiumMissingRole" in out and "role=COLDCHAIN_OPERATOR" in out
    bad = telematics("X", -20.0)
    bad["epcisBody"]["eventList"][0]["bizStep"] = "teleporting"
    out = cli("coldchain", "ingest", "--as", "lingnan-logistics", files("bad.jsonld", bad), expect=2)
    assert "eventList[0].bizStep: 'teleporting' is not a CBV 2.0 bizStep" in out
    out = cli(
        "coldchain", "certify", "--as", "gz-customs", "X", "vaccination", files("v.pdf", b"v"), expect=2
    )
    assert "unknown certificate kind 'vaccination'" in out


def test_trace_exits_1_when_a_stored_event_was_altered(isolated_env: Path, files):
    runner = CliRunner(env=WIDE)

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == expect, result.output
        return result.output

    run("deploy")
    run(
        "coldchain", "create", "--as", "nansha-importer", "--gtin", GTIN, "--lot", "BR-3",
        "--quantity", "600", "--origin", "BR", "--min", "-30", "--max", "-18",
    )  # fmt: skip
    run(
        "coldchain", "event", "--as", "nansha-importer", "BR-3", "arriving", "--location", PORT,
        "--reading", "2025-03-01T06:00:00+08:00=-17.5",
    )  # fmt: skip
    with sqlite3.connect(isolated_env / "data" / "store.sqlite") as db:
        db.execute(
            "UPDATE coldchain_events SET event = "
            "json_set(event, '$.sensorElementList[0].sensorReport[0].value', -19.5)"
        )
    out = run("coldchain", "trace", "BR-3", expect=1)
    assert "✗ the store disagrees with the chain (1)" in out
    assert "it was altered after it was anchored" in out


@pytest.mark.parametrize("lane", ["embedded", "anvil"])
def test_the_scenario_runs_green_on_its_own(lane: str, run_scenario_alone):
    stdout = run_scenario_alone("cold_chain.py", lane)
    assert "✓ Cold-chain traceability" in stdout
    for refusal in ("ColdChainBatchNotCleared", "ColdChainBatchOnHold", "ColdChainBatchRecalled"):
        assert f"refused: {refusal}" in stdout
    assert "is flagged automatically, the others are not" in stdout
    assert "the recall reaches both shelf packs split from the lot" in stdout


def test_the_demo_runs_the_cold_chain_scenario_green(isolated_env: Path):
    output = CliRunner(env=WIDE).invoke(app, ["demo"]).output
    assert "✓ Cold-chain traceability" in output
    assert "✗ Cold-chain traceability" not in output
