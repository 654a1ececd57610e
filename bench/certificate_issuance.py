"""Issuing a large batch of graduation certificates through the service: check, wrap, write, anchor.

One batch of N records (default 100,000) goes through `CertificateService.issue_batch` exactly as
`gzchain cert issue` sends it, on the embedded chain and (with --anvil) on anvil. Printed per stage: time and
certificates per second; then the gas of anchoring the batch against what one transaction per certificate
would cost, the gas of the revocations, and the time to verify one certificate of the batch.
Run: `.venv/bin/python bench/certificate_issuance.py [--records N] [--workers W] [--anvil]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import AnvilNode  # noqa: E402  (the same anvil launcher the tests use)

from gzchain.bootstrap import open_runtime  # noqa: E402
from gzchain.domain.certificates.revocation import RevocationReason  # noqa: E402
from gzchain.services.certificates.templates import load_template  # noqa: E402
from gzchain.settings import Settings  # noqa: E402


def write_records(path: Path, count: int) -> None:
    surnames, given = "陈李张王刘黄林吴周郑", ["晓明", "嘉怡", "志强", "婉婷", "俊杰", "诗涵", "子轩", "雨桐"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "certificate_number",
                "student_name",
                "student_id",
                "institution",
                "degree",
                "major",
                "admission_date",
                "graduation_date",
            ]
        )
        for n in range(count):
            writer.writerow(
                [
                    f"GZ-2026-{n:06d}",
                    surnames[n % 10] + given[n % 8],
                    f"2022{n:06d}",
                    "South China University of Technology",
                    "Bachelor of Engineering",
                    "Software Engineering",
                    "2022-09-01",
                    "2026-06-30",
                ]
            )


def measure(label: str, settings: Settings, records: int, workers: int | None) -> dict[str, object]:
    runtime = open_runtime(settings)
    runtime.deploy()
    service = runtime.certificates()
    service.create_store("gz-edu")
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as scratch:
        work = Path(scratch)
        write_records(work / "records.csv", records)
        started = time.perf_counter()
        batch = service.issue_batch(
            "gz-edu",
            load_template("graduation-certificate"),
            work / "records.csv",
            work / "issued",
            workers=workers,
        )
        total = time.perf_counter() - started
        picked = sorted((work / "issued").glob("GZ-2026-*.json"))
        pick = random.Random(1).sample(picked, 2)
        documents = [json.loads(path.read_text(encoding="utf-8")) for path in pick]
        started = time.perf_counter()
        valid = service.verify(documents[0]).valid
        verify_ms = (time.perf_counter() - started) * 1000
        one = service.revoke_document("gz-edu", documents[1], RevocationReason.FRAUD, "bench")
        whole = service.revoke_document(
            "gz-edu", documents[0], RevocationReason.WITHDRAWN, "bench", whole_batch=True
        )
    runtime.close()
    return {
        "backend": label,
        "records": records,
        "workers": workers or min(os.cpu_count() or 1, 8),
        "seconds": {stage: round(value, 1) for stage, value in batch.seconds.items()},
        "total_seconds": round(total, 1),
        "certificates_per_s": round(records / total),
        "issue_gas": batch.receipt.gas_used,
        "one_tx_per_certificate_gas": batch.receipt.gas_used * records,
        "revoke_one_certificate_gas": one.receipt.gas_used,
        "revoke_whole_batch_gas": whole.receipt.gas_used,
        "proof_length": len(documents[1]["signature"]["proof"]),
        "verify_one_ms": round(verify_ms, 1),
        "verified": valid,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="wrapping processes; default: CPUs")
    parser.add_argument("--anvil", action="store_true", help="also run against a real anvil node")
    args = parser.parse_args()
    rows = [measure("embedded (eth-tester)", Settings(ephemeral=True), args.records, args.workers)]
    if args.anvil:
        node = AnvilNode().start()
        try:
            with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as data_dir:
                settings = Settings(rpc_url=node.url, data_dir=Path(data_dir))
                rows.append(measure("anvil (JSON-RPC)", settings, args.records, args.workers))
        finally:
            node.stop()

    table = Table(title=f"One batch of {args.records:,} graduation certificates, anchored in one transaction")
    columns = (
        "backend",
        "workers",
        "check s",
        "wrap s",
        "write s",
        "anchor s",
        "total s",
        "cert/s",
        "issue gas",
        "revoke 1 gas",
        "revoke batch gas",
        "verify ms",
        "peak MB",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "backend" else "right")
    for row in rows:
        seconds = row["seconds"]
        table.add_row(
            str(row["backend"]),
            str(row["workers"]),
            str(seconds["check"]),
            str(seconds["wrap"]),
            str(seconds["write"]),
            str(seconds["anchor"]),
            str(row["total_seconds"]),
            f"{row['certificates_per_s']:,}",
            f"{row['issue_gas']:,}",
            f"{row['revoke_one_certificate_gas']:,}",
            f"{row['revoke_whole_batch_gas']:,}",
            str(row["verify_one_ms"]),
            str(row["peak_rss_mb"]),
        )
    console = Console()
    console.print(table)
    console.print(
        f"one transaction per certificate would cost {rows[0]['one_tx_per_certificate_gas']:,} gas "
        f"and {args.records:,} transactions"
    )
    out = ROOT / "bench" / "results" / "certificate_issuance.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
