"""Certificate benchmarks (issue #9): wrapping against OpenAttestation's own library, a million certificates
issued end to end, and verification in process and over HTTP.

Rounds, each against its goal:
1. wrap + Merkle of 10,000 graduation certificates: OA's `wrapDocuments` (npm, timed inside node) and
   gzchain on the same documents in the same run, one core each: `wrap_documents` (any documents) and the
   batch path of `gzchain cert issue` (records checked, wrapped from the template's compiled shape, signed,
   written as JSON Lines; goal: at least 5x OA); also the reference composition of salt, flatten and hash as
   three separate walks, which the one-walk wrap replaced.
2. 1,000,000 certificates issued through `CertificateService.issue_batch` exactly as
   `gzchain cert issue --output-format jsonl` runs it (CSV checked, wrapped in worker processes, spooled,
   then written with their proofs as one JSON Lines file, root anchored in one transaction on the embedded
   chain); goals: under 120 s, peak RSS of the whole process tree <= 2 GiB. `--formats files,jsonl` also
   issues the same records as a file per certificate (the default of `cert issue`), to compare the two.
3. Full verification (integrity, status, issuer identity, validity) of distinct certificates: in process
   with nothing kept between verifications (a call per question, as before) and with answers kept per chain
   head (goal: p50 <= 5 ms); then over HTTP, `POST /certificates/verify` to a real `gzchain serve` process
   (goal: p50 <= 20 ms).

Run: `.venv/bin/python bench/certificates.py [--quick] [--only-issue] [--issue-count N] [--formats ...]`
(--quick: small sizes, a smoke run; see --help).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from caliper import Report, TreeRss, bulk_round, timed_round
from served import gzchain_serve

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.certificates.templates import issuer_entry, with_issuer
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import JsonObject, check_signature, target_hash, wrap_documents
from gzchain.domain.oa.salt import salt_data
from gzchain.services.certificates.bulk import LINES_FILE, BatchSpec, RecordFile, write_lines
from gzchain.services.certificates.chain_answers import ChainAnswers
from gzchain.services.certificates.issuance import OUTPUT_FORMATS
from gzchain.services.certificates.lines import read_line
from gzchain.services.certificates.templates import load_template
from gzchain.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "gz-edu"
TEMPLATE = "graduation-certificate"
GIB = 1024  # MiB


def record(n: int) -> dict[str, str]:
    surnames, given = "陈李张王刘黄林吴周郑", ["晓明", "嘉怡", "志强", "婉婷", "俊杰", "诗涵", "子轩", "雨桐"]
    return {
        "certificate_number": f"GZ-2026-{n:07d}",
        "student_name": surnames[n % 10] + given[n % 8],
        "student_id": f"2022{n:07d}",
        "institution": "South China University of Technology",
        "degree": "Bachelor of Engineering",
        "major": "Software Engineering",
        "admission_date": "2022-09-01",
        "graduation_date": "2026-06-30",
    }


def write_records(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(record(0)))
        writer.writeheader()
        writer.writerows(record(n) for n in range(count))


def certificate_data(count: int, issuer: JsonObject, chain_id: int) -> list[JsonObject]:
    template = load_template(TEMPLATE)
    return [with_issuer(template.document_for(record(n))[0], issuer, chain_id) for n in range(count)]


def bureau_data(runtime: Runtime, count: int) -> list[JsonObject]:
    """Certificate data naming the education bureau, its store (created if needed) and this chain."""
    member = runtime.consortium().member(AGENCY)
    store = runtime.certificates().create_store(AGENCY).address
    return certificate_data(count, issuer_entry(member.name, store, member.domain), runtime.gateway.chain_id)


# ---- 1. wrapping: gzchain against OpenAttestation's own library ----


def wrap_rounds(report: Report, count: int) -> None:
    issuer = issuer_entry("Guangzhou Municipal Education Bureau", "0x" + "ab" * 20, "jyj.gz.gov.cn")
    documents = certificate_data(count, issuer, 1337)
    completed = subprocess.run(
        ["node", str(ROOT / "scenarios" / "oa_npm_wrap.js"), "--timed"],
        input=json.dumps(documents, ensure_ascii=False),
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        check=True,
    )
    oa = json.loads(completed.stdout)
    oa_seconds = oa["ms"] / 1000
    for document in random.Random(1).sample(oa["documents"], 3):
        check_signature(document)  # what OA wrapped is intact to gzchain too
    report.add(bulk_round(f"wrap + Merkle {count:,}: OA wrapDocuments (npm)", count, oa_seconds, unit="doc"))

    started = time.perf_counter()
    hashes = [bytes.fromhex(target_hash(salt_data(data))) for data in documents]
    build_tree(hashes)
    walks = report.add(
        bulk_round(
            f"wrap + Merkle {count:,}: gzchain, salt/flatten/hash as 3 walks",
            count,
            time.perf_counter() - started,
            unit="doc",
        ),
        notes="the reference composition the one-walk wrap is tested against (before: uuid4 per value)",
    )

    started = time.perf_counter()
    wrapped = wrap_documents(documents)
    seconds = time.perf_counter() - started
    for document in random.Random(2).sample(wrapped, 3):
        check_signature(document)
    ratio = oa_seconds / seconds
    report.add(
        bulk_round(f"wrap + Merkle {count:,}: gzchain wrap_documents", count, seconds, unit="doc"),
        notes=f"{ratio:.1f}x OA's wrapDocuments (3 walks: {oa_seconds / walks.seconds:.1f}x); one core each; "
        "any documents, each walked",
    )

    batch_seconds = batch_path_seconds(count, issuer)
    batch_ratio = oa_seconds / batch_seconds
    report.add(
        bulk_round(
            f"wrap + Merkle {count:,}: gzchain batch path (cert issue)", count, batch_seconds, unit="doc"
        ),
        goal=">= 5x OA",
        met=batch_ratio >= 5,
        notes=f"{batch_ratio:.1f}x OA's wrapDocuments, one core each: the same documents from their CSV "
        "records, each record checked, wrapped from the template's compiled shape, signed and written to "
        "one JSON Lines file, as `gzchain cert issue` does before anchoring",
    )
    report.extra["wrap_speedup_vs_oa"] = {
        "wrap_documents": round(ratio, 2),
        "batch_path": round(batch_ratio, 2),
    }


def batch_path_seconds(count: int, issuer: JsonObject) -> float:
    """Seconds `write_lines` takes, in this process alone, to check, wrap, sign and write `count` records."""
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-wrap-") as scratch:
        records = Path(scratch) / "records.csv"
        write_records(records, count)
        spec = BatchSpec(load_template(TEMPLATE), issuer, 1337, Path(scratch) / "issued")
        started = time.perf_counter()
        write_lines(spec, RecordFile(records), count, workers=1)
        seconds = time.perf_counter() - started
        for number in random.Random(3).sample(range(1, count + 1), 3):
            check_signature(read_line(spec.folder / LINES_FILE, number))
    return seconds


# ---- 2. a million certificates, end to end ----


def issue_round(
    report: Report, count: int, workers: int | None, full_size: int, work: Path, output_format: str
) -> None:
    runtime = open_runtime(Settings(ephemeral=True))
    runtime.deploy()
    service = runtime.certificates()
    service.create_store(AGENCY)
    records = work / "records.csv"
    if not records.exists():
        write_records(records, count)
    issued = work / f"issued-{output_format}"
    load = os.getloadavg()
    with TreeRss() as rss:
        cpu_before, started = os.times(), time.perf_counter()
        batch = service.issue_batch(
            AGENCY,
            load_template(TEMPLATE),
            records,
            issued,
            workers=workers,
            output_format=output_format,
        )
        seconds, cpu_after = time.perf_counter() - started, os.times()
    # The workers have exited (and been waited for) by now, so their time is in the children's columns.
    cpu = sum(after - before for before, after in zip(cpu_before[:4], cpu_after[:4], strict=True))
    picked = (0, count // 2, count - 1)
    if output_format == "jsonl":
        documents = [read_line(issued / LINES_FILE, n + 1) for n in picked]
        with (issued / LINES_FILE).open("rb") as handle:
            written = sum(1 for _ in handle)
    else:
        paths = [issued / f"{record(n)['certificate_number']}.json" for n in picked]
        documents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
        written = sum(1 for _ in os.scandir(issued)) - 1  # less batch.json
    verified = all(service.verify(document).valid for document in documents)
    verified = verified and [document["data"]["id"].rsplit(":", 1)[1] for document in documents] == [
        record(n)["certificate_number"] for n in picked
    ]
    runtime.close()
    stages = ", ".join(f"{stage} {value:.1f} s" for stage, value in batch.seconds.items())
    full = count == full_size and output_format == "jsonl"  # the goal is set for the fast format
    shape = f"one {LINES_FILE}" if output_format == "jsonl" else "a file each"
    report.add(
        bulk_round(
            f"issue {count:,} certificates end to end, {shape} (embedded chain)",
            written if verified else 0,
            seconds,
            unit="cert",
            fail=0 if verified else count,
        ),
        goal=f"< 120 s, peak RSS <= 2 GiB{'' if full else ' (at 1,000,000 as JSON Lines)'}",
        met=(seconds < 120 and rss.peak_mib <= 2 * GIB) if full else None,
        notes=f"{stages}; CPU time of the process tree {cpu:,.0f} s ({cpu / count * 1e6:,.0f} µs a "
        f"certificate, so {cpu / (os.cpu_count() or 1):,.0f} s of wall time at best on {os.cpu_count()} idle "
        f"cores); peak RSS of the process tree {rss.peak_mib:,.0f} MiB; anchoring gas "
        f"{batch.receipt.gas_used:,} for the whole batch; 3 certificates verified: {verified}; load "
        f"average at the start {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)",
    )
    shutil.rmtree(issued)  # gigabytes at a million: gone before the next round writes its own
    report.extra[f"issue_{output_format}"] = {
        "count": count,
        "seconds": round(seconds, 1),
        "stages": {stage: round(value, 1) for stage, value in batch.seconds.items()},
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mib": round(rss.peak_mib),
        "anchor_gas": batch.receipt.gas_used,
        "load_average": [round(value, 2) for value in load],
    }


# ---- 3. verification, in process and over HTTP ----


def verify_rounds(report: Report, count: int, naive_count: int) -> None:
    runtime = open_runtime(Settings(ephemeral=True))
    runtime.deploy()
    documents = wrap_documents(bureau_data(runtime, count))
    service = runtime.certificates()
    service.anchor(AGENCY, documents, "bench")
    verifier = service.verifier

    def nothing_kept(index: int) -> None:
        verifier.answers = ChainAnswers(runtime.gateway)  # every question asked again, as before
        assert verifier.verify(documents[index]).valid

    def answers_kept(index: int) -> None:
        assert verifier.verify(documents[index]).valid

    report.add(
        timed_round(
            "verify in process, nothing kept between verifications", nothing_kept, naive_count, unit="doc"
        ),
        notes="every chain question asked for every certificate: the approach before",
    )
    answers_kept(0)  # the batch's and issuer's answers, read once for this head
    kept = timed_round(f"verify {count:,} distinct certificates in process", answers_kept, count, unit="doc")
    p50 = kept.latency("p50")
    report.add(
        kept,
        goal="p50 <= 5 ms",
        met=p50 is not None and p50 <= 5,
        notes="answers kept per chain head; one request (the head) per certificate",
    )
    runtime.close()


def verify_http_round(report: Report, count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        runtime = open_runtime(settings)
        runtime.deploy()
        documents = wrap_documents(bureau_data(runtime, count))
        runtime.certificates().anchor(AGENCY, documents, "bench")
        runtime.close()
        with gzchain_serve(Path(data_dir)) as (url, _), httpx.Client(base_url=url, timeout=30) as client:

            def over_http(index: int) -> None:
                response = client.post("/certificates/verify", json=documents[index])
                assert response.status_code == 200 and response.json()["valid"], response.text

            over_http(0)  # warm: the first request builds what later ones reuse
            round_ = timed_round(f"verify {count:,} over HTTP (gzchain serve)", over_http, count, unit="doc")
    p50 = round_.latency("p50")
    report.add(
        round_,
        goal="p50 <= 20 ms",
        met=p50 is not None and p50 <= 20,
        notes="POST /certificates/verify to a uvicorn server on the embedded chain, one keep-alive client",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, goals not judged")
    parser.add_argument("--workers", type=int, default=None, help="wrapping processes; default: CPUs")
    parser.add_argument("--only-issue", action="store_true", help="run round 2 alone")
    parser.add_argument("--issue-count", type=int, default=None, help="certificates in round 2")
    parser.add_argument(
        "--formats",
        default="jsonl",
        help="round 2's output formats, comma-separated, run in this order: jsonl (default), files",
    )
    args = parser.parse_args()
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    if not formats or not set(formats) <= set(OUTPUT_FORMATS):
        parser.error(f"--formats takes some of {', '.join(OUTPUT_FORMATS)}")
    full = {"wrap": 10_000, "issue": 1_000_000, "verify": 1_000, "naive": 50, "http": 500}
    sizes = (
        {"wrap": 500, "issue": 20_000, "verify": 100, "naive": 10, "http": 50} if args.quick else dict(full)
    )
    if args.issue_count is not None:
        sizes["issue"] = args.issue_count
    # Round 2 alone is saved apart, so it does not replace the results of a whole run.
    report = Report("certificates-issue" if args.only_issue else "certificates")
    report.extra["sizes"] = sizes
    if not args.only_issue:
        wrap_rounds(report, sizes["wrap"])
        verify_rounds(report, sizes["verify"], sizes["naive"])
        verify_http_round(report, sizes["http"])
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as scratch:
        for output_format in formats:
            issue_round(report, sizes["issue"], args.workers, full["issue"], Path(scratch), output_format)
    report.finish(judged=not args.quick)


if __name__ == "__main__":
    main()
