"""The certificate benchmark runs end to end at smoke size and writes its rounds; no timing is judged here."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.benches import run_quick


@pytest.mark.slow
def test_the_certificate_benchmark_runs_at_smoke_size_and_writes_its_rounds(tmp_path: Path):
    results = run_quick("certificates.py", tmp_path)
    rounds = {r["name"]: r for r in results["rounds"]}
    assert len(rounds) == 8 and all(r["fail"] == 0 and r["succ"] > 0 for r in rounds.values())
    assert all(r["met"] is None for r in rounds.values())  # smoke sizes judge no goal
    assert rounds["wrap + Merkle 500: gzchain batch path (cert issue)"]["succ"] == 500
    issued = rounds["issue 20,000 certificates end to end, one certificates.jsonl (embedded chain)"]
    assert issued["succ"] == 20_000
