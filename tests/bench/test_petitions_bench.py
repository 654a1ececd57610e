"""The petitions benchmark runs end to end at smoke size and writes its rounds; no timing is judged here."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.benches import run_quick


@pytest.mark.slow
def test_the_petitions_benchmark_runs_at_smoke_size_and_writes_its_rounds(tmp_path: Path):
    results = run_quick("petitions.py", tmp_path)
    enrol, tokens, sent, supporters, anvil = results["rounds"]
    assert enrol["succ"] == 20 and tokens["succ"] == 20 and sent["succ"] == 20
    assert supporters["succ"] == 20 and supporters["unit"] == "supporter"
    assert anvil["succ"] == 1_000 and anvil["unit"] == "vote"
    assert all(r["fail"] == 0 for r in results["rounds"])
    assert all(r["met"] is None for r in results["rounds"])  # smoke sizes judge no goal
    assert results["gas"]["support_one_vote"] > results["gas"]["supportMany_per_vote_of_200"] > 21_000
    assert "authority's RSA-2048 blind signature" in results["supporter_profile_ms"]
