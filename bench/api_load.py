"""The service API under load (issue #9): 50 concurrent clients mixing reads and writes; the server's memory.

A real `gzchain serve` process (uvicorn, embedded chain saved in a data folder) is driven for `--duration`
seconds by `--clients` threads, each with its own keep-alive HTTP client, looping over a fixed mix:

- write: `POST /businesses` — register a new business as the registrar (gz-msa), confirmed on chain;
- read:  `GET /businesses/{uscc}` — look a registered business up, checked against the chain;
- read:  `GET /consortium/members` — the member agencies and their roles.

One Caliper row per operation type. The server's resident set size is sampled every second; the goal is a
flat line: start, end, peak and the slope (least squares after the first tenth of the run, MiB per minute).
The server's CPU time per request is reported too: on a shared machine it varies less than latency.

Run: `.venv/bin/python bench/api_load.py [--quick] [--duration S] [--clients N]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
from caliper import Report, Round
from served import cpu_seconds, gzchain_serve, rss_mib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.records import a_record  # noqa: E402

from gzchain.bootstrap import api_key_service, open_runtime  # noqa: E402
from gzchain.domain.uscc import uscc_from_prefix  # noqa: E402
from gzchain.settings import Settings  # noqa: E402

# Of every ten operations a client runs: two writes, four lookups, four member lists.
MIX = (
    "register",
    "lookup",
    "members",
    "lookup",
    "members",
    "register",
    "lookup",
    "members",
    "lookup",
    "members",
)
SEEDED = 20  # businesses registered before the load, so lookups have something to find
MAX_SLOPE_MIB_PER_MIN = 1.0


class Codes:
    """Fresh, valid USCCs, shared by every client thread."""

    def __init__(self) -> None:
        self._next = int.from_bytes(os.urandom(4), "big") % 10**7
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            self._next += 1
            return uscc_from_prefix(f"914401019{self._next % 10**7:07d}")


class Tally:
    """Latencies and failures per operation type, from many threads."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {op: [] for op in set(MIX)}
        self.failures: dict[str, int] = dict.fromkeys(MIX, 0)
        self.errors: dict[str, str] = {}
        self._lock = threading.Lock()

    def record(self, op: str, started: float, error: str | None) -> None:
        with self._lock:
            if error is None:
                self.latencies[op].append((time.perf_counter() - started) * 1000)
            else:
                self.failures[op] += 1
                self.errors.setdefault(op, error)


def prepare(data_dir: Path, codes: Codes) -> tuple[str, list[str]]:
    """A deployed chain with some businesses, and an API key for the registrar."""
    runtime = open_runtime(Settings(data_dir=data_dir))
    runtime.deploy()
    seeded = [codes.take() for _ in range(SEEDED)]
    service = runtime.business()
    for code in seeded:
        service.register("gz-msa", a_record(uscc=code))
    token = api_key_service(runtime).create("gz-msa").token
    runtime.close()
    return token, seeded


def client_loop(url: str, token: str, seeded: list[str], codes: Codes, tally: Tally, until: float) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=120) as client:
        operations: dict[str, Callable[[int], httpx.Response]] = {
            "register": lambda _: client.post("/businesses", json=a_record(uscc=codes.take()), headers=auth),
            "lookup": lambda n: client.get(f"/businesses/{seeded[n % len(seeded)]}"),
            "members": lambda _: client.get("/consortium/members"),
        }
        n = 0
        while time.monotonic() < until:
            op = MIX[n % len(MIX)]
            started = time.perf_counter()
            try:
                response = operations[op](n)
                ok = response.status_code < 300
                tally.record(op, started, None if ok else f"{response.status_code} {response.text[:200]}")
            except httpx.HTTPError as exc:
                tally.record(op, started, f"{type(exc).__name__}: {exc}")
            n += 1


def sample_rss(pid: int, until: float, samples: list[tuple[float, float]], every: float = 1.0) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - started, rss_mib(pid)))
        time.sleep(every)
    samples.append((time.monotonic() - started, rss_mib(pid)))


def slope_mib_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time, after the first tenth of the run (imports, caches, pools)."""
    settled = [s for s in samples if s[0] >= samples[-1][0] / 10] or samples
    if len(settled) < 2:
        return 0.0
    mean_t = sum(t for t, _ in settled) / len(settled)
    mean_m = sum(m for _, m in settled) / len(settled)
    var = sum((t - mean_t) ** 2 for t, _ in settled)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in settled)
    return 60 * cov / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run, goals not judged")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default 600)")
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    duration = args.duration or (10.0 if args.quick else 600.0)
    clients = 5 if args.quick and args.clients == 50 else args.clients
    codes, tally = Codes(), Tally()
    report = Report("api_load")
    with tempfile.TemporaryDirectory(prefix="gzchain-bench-") as scratch:
        data_dir = Path(scratch)
        token, seeded = prepare(data_dir, codes)
        with gzchain_serve(data_dir) as (url, server):
            samples: list[tuple[float, float]] = []
            until = time.monotonic() + duration
            threads = [
                threading.Thread(target=client_loop, args=(url, token, seeded, codes, tally, until))
                for _ in range(clients)
            ]
            sampler = threading.Thread(target=sample_rss, args=(server.pid, until, samples))
            started, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
            for thread in [sampler, *threads]:
                thread.start()
            for thread in [sampler, *threads]:
                thread.join()
            seconds = time.perf_counter() - started
            server_cpu = cpu_seconds(server.pid) - cpu_before
    requests = sum(len(latencies) + tally.failures[op] for op, latencies in tally.latencies.items())
    cpu_ms_per_request = 1000 * server_cpu / max(requests, 1)
    for op in ("register", "lookup", "members"):
        unit = "tx" if op == "register" else "req"
        name = {
            "register": "POST /businesses (write, confirmed)",
            "lookup": "GET /businesses/{uscc} (read)",
            "members": "GET /consortium/members (read)",
        }[op]
        notes = f"first error: {tally.errors[op]}" if op in tally.errors else ""
        report.add(
            Round(name, len(tally.latencies[op]), tally.failures[op], seconds, tally.latencies[op], unit),
            notes=notes,
        )
    start, end = samples[0][1], samples[-1][1]
    peak, slope = max(m for _, m in samples), slope_mib_per_min(samples)
    memory = bulk_memory_round(seconds, len(samples))
    report.add(
        memory,
        goal=f"RSS flat (slope <= {MAX_SLOPE_MIB_PER_MIN:g} MiB/min)",
        met=slope <= MAX_SLOPE_MIB_PER_MIN,
        notes=f"server RSS start {start:.0f} MiB, end {end:.0f} MiB, peak {peak:.0f} MiB, "
        f"slope {slope:+.2f} MiB/min over {seconds:.0f} s with {clients} clients; "
        f"server CPU {cpu_ms_per_request:.1f} ms per request",
    )
    report.extra["rss"] = {
        "start_mib": round(start, 1),
        "end_mib": round(end, 1),
        "peak_mib": round(peak, 1),
        "slope_mib_per_min": round(slope, 3),
        "clients": clients,
        "duration_s": round(seconds, 1),
        "samples": [[round(t, 1), round(m, 1)] for t, m in samples],
    }
    report.extra["server_cpu"] = {
        "seconds": round(server_cpu, 2),
        "requests": requests,
        "ms_per_request": round(cpu_ms_per_request, 2),
    }
    report.finish(judged=not args.quick)


def bulk_memory_round(seconds: float, samples: int) -> Round:
    """The memory row: its 'operations' are the RSS samples taken."""
    return Round("server RSS under load", samples, 0, seconds, [], "sample")


if __name__ == "__main__":
    main()
