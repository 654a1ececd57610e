"""The chain, cold-chain and API-load benchmarks run end to end at smoke size and write their rounds; no
timing is judged here."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.benches import run_quick


@pytest.mark.slow
def test_the_registration_benchmark_runs_at_smoke_size_and_writes_its_rounds(tmp_path: Path):
    results = run_quick("registrations.py", tmp_path)
    rounds = {r["name"]: r for r in results["rounds"]}
    assert len(rounds) == 8 and all(r["fail"] == 0 and r["succ"] > 0 for r in rounds.values())
    assert all(r["met"] is None for r in rounds.values())  # smoke sizes judge no goal
    assert rounds["embedded · gateway.transact_many"]["succ"] == 20
    assert rounds["anvil (1 s blocks) · gateway.transact_many, 1 client"]["succ"] == 50
    assert rounds["anvil (1 s blocks) · gateway.transact_many, 2 clients"]["succ"] == 50


@pytest.mark.slow
def test_the_coldchain_benchmark_runs_at_smoke_size_and_writes_its_rounds(tmp_path: Path):
    results = run_quick("coldchain.py", tmp_path)
    ingest, trace = results["rounds"]
    assert ingest["succ"] == 100 and ingest["unit"] == "reading" and ingest["fail"] == 0
    assert trace["succ"] == 3 and trace["fail"] == 0
    assert set(results["ingest_profile_seconds"]) >= {"parse and validate EPCIS", "chain transaction"}


@pytest.mark.slow
def test_the_api_load_benchmark_runs_at_smoke_size_and_samples_the_servers_memory(tmp_path: Path):
    results = run_quick("api_load.py", tmp_path)
    rounds = {r["name"]: r for r in results["rounds"]}
    for name in ("POST /businesses (write, confirmed)", "GET /businesses/{uscc} (read)"):
        assert rounds[name]["succ"] > 0 and rounds[name]["fail"] == 0
    rss = results["rss"]
    assert rss["peak_mib"] >= max(rss["start_mib"], rss["end_mib"]) > 0
    assert len(rss["samples"]) >= 5
