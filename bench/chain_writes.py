"""Chain write throughput and latency through the gateway: embedded vs anvil, serial vs concurrent.

Each write is a Consortium proposal (a real governed write: role check, storage, two events), signed
locally and confirmed before it counts. Run: `.venv/bin/python bench/chain_writes.py [--writes N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import AnvilNode  # noqa: E402  (the same anvil launcher the tests use)

from gzchain.bootstrap import open_runtime  # noqa: E402
from gzchain.settings import Settings  # noqa: E402


def measure(label: str, settings: Settings, writes: int, workers: int) -> dict[str, object]:
    runtime = open_runtime(settings)
    runtime.deploy()
    consortium = runtime.consortium()
    latencies: list[float] = []

    def one_write(_: int) -> None:
        started = time.perf_counter()
        consortium.propose_threshold("gz-msa", 2)
        latencies.append(time.perf_counter() - started)

    one_write(0)  # warm up: caches, funding, first nonce read
    latencies.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one_write, range(writes)))
    elapsed = time.perf_counter() - started
    runtime.close()
    return {
        "backend": label,
        "workers": workers,
        "writes": writes,
        "seconds": round(elapsed, 3),
        "tx_per_s": round(writes / elapsed, 1),
        "latency_avg_ms": round(statistics.mean(latencies) * 1000, 1),
        "latency_max_ms": round(max(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    rows = [measure("embedded (eth-tester)", Settings(ephemeral=True), args.writes, 1)]
    node = AnvilNode().start()
    try:
        for workers in (1, 4):
            with_tmp = Settings(rpc_url=node.url, data_dir=Path(f"/tmp/gzchain-bench-{node.port}-{workers}"))
            rows.append(measure("anvil (JSON-RPC)", with_tmp, args.writes, workers))
    finally:
        node.stop()

    table = Table(title=f"Consortium writes through the gateway ({args.writes} per row, each confirmed)")
    for column in ("backend", "workers", "tx/s", "avg latency ms", "max latency ms"):
        table.add_column(column, justify="right" if column != "backend" else "left")
    for row in rows:
        table.add_row(
            str(row["backend"]),
            str(row["workers"]),
            str(row["tx_per_s"]),
            str(row["latency_avg_ms"]),
            str(row["latency_max_ms"]),
        )
    Console().print(table)
    out = ROOT / "bench" / "results" / "chain_writes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
