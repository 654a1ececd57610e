"""Caliper-style rounds: run operations, time each one, print the table Hyperledger Caliper prints, keep JSON.

A round is a name, a count of successes and failures, the send rate, per-operation latencies and the
throughput over the wall-clock span of the round. `Report` collects rounds from one benchmark run, prints them
side by side (with the goal each is measured against) and writes them to `bench/results/<name>.json`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# Smoke runs (--quick) write elsewhere, so they never overwrite the results of a full run.
RESULTS = Path(os.environ.get("GZCHAIN_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
console = Console(width=max(Console().width, 150))  # the table is wide; logs are not terminals


@dataclass
class Round:
    """One measured round, in Caliper's columns; `unit` names what one operation is (tx, doc, reading…)."""

    name: str
    succ: int
    fail: int
    seconds: float  # wall clock from the first send to the last completion
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    unit: str = "tx"
    goal: str = ""
    met: bool | None = None  # None: no goal for this round
    notes: str = ""

    @property
    def throughput(self) -> float:
        return self.succ / self.seconds if self.seconds > 0 else 0.0

    @property
    def send_rate(self) -> float:
        return (self.succ + self.fail) / self.seconds if self.seconds > 0 else 0.0

    def latency(self, statistic: str) -> float | None:
        values = sorted(self.latencies_ms)
        if not values:
            return None
        if statistic == "min":
            return values[0]
        if statistic == "max":
            return values[-1]
        if statistic == "avg":
            return statistics.fmean(values)
        return _percentile(values, {"p50": 50, "p99": 99}[statistic])

    def summary(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("latencies_ms")
        row |= {
            "throughput_per_s": round(self.throughput, 1),
            "send_rate_per_s": round(self.send_rate, 1),
            **{
                f"latency_{stat}_ms": _rounded(self.latency(stat))
                for stat in ("min", "avg", "p50", "p99", "max")
            },
        }
        return row


def _percentile(sorted_values: list[float], percent: int) -> float:
    """Nearest-rank percentile, as Caliper reports it."""
    rank = max(1, -(-percent * len(sorted_values) // 100))
    return sorted_values[rank - 1]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def timed_round(
    name: str,
    operation: Callable[[int], Any],
    count: int,
    *,
    workers: int = 1,
    unit: str = "tx",
) -> Round:
    """Run `operation(i)` for i in range(count) on `workers` threads, timing each; failures are counted."""
    latencies: list[float] = []
    failures = 0

    def one(index: int) -> None:
        nonlocal failures
        started = time.perf_counter()
        try:
            operation(index)
        except Exception:  # a failed operation is a Caliper "Fail", not a crash of the benchmark
            failures += 1
            return
        latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    if workers == 1:
        for index in range(count):
            one(index)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    return Round(name, len(latencies), failures, elapsed, latencies, unit)


def bulk_round(name: str, succ: int, seconds: float, *, unit: str, fail: int = 0) -> Round:
    """A round whose operations complete together (one batch, one root): throughput only, no latencies."""
    return Round(name, succ, fail, seconds, [], unit)


@dataclass
class Report:
    """The rounds of one benchmark, printed as one table and kept as JSON for the README."""

    benchmark: str
    rounds: list[Round] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, round_: Round, *, goal: str = "", met: bool | None = None, notes: str = "") -> Round:
        round_.goal, round_.met, round_.notes = goal, met, notes
        self.rounds.append(round_)
        return round_

    def print(self) -> None:
        table = Table(title=f"{self.benchmark} — {machine()['description']}", title_justify="left")
        columns = ("Name", "Succ", "Fail", "Send rate", "Min", "Avg", "p50", "p99", "Max", "Throughput")
        for column in columns:
            table.add_column(column, justify="left" if column == "Name" else "right")
        table.add_column("Goal")
        for r in self.rounds:
            table.add_row(
                r.name,
                str(r.succ),
                str(r.fail),
                f"{r.send_rate:,.1f}/s",
                *(_ms(r.latency(stat)) for stat in ("min", "avg", "p50", "p99", "max")),
                f"{r.throughput:,.1f} {r.unit}/s",
                _goal(r),
            )
        console.print(table)
        for r in self.rounds:
            if r.notes:
                console.print(f"  [dim]{r.name}: {r.notes}[/]")

    def save(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.benchmark}.json"
        body = {
            "benchmark": self.benchmark,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "rounds": [r.summary() for r in self.rounds],
            **self.extra,
        }
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return path

    def finish(self, *, judged: bool = True) -> None:
        """Print and save the report; `judged=False` (a smoke run's small sizes) says nothing of the goals."""
        if not judged:
            for round_ in self.rounds:
                round_.met = None
        self.print()
        console.print(f"[dim]written to {self.save()}[/]")


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f} ms"


def _goal(r: Round) -> str:
    if not r.goal:
        return ""
    mark = {True: "[green]met[/]", False: "[red]NOT met[/]", None: ""}[r.met]
    return f"{r.goal} {mark}".strip()


def machine() -> dict[str, Any]:
    cpu = _cpu_model()
    cores = os.cpu_count() or 0
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
        "description": f"{cores} cores ({cpu}), {memory_gib:.0f} GiB, Python {platform.python_version()}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def peak_rss_mib() -> float:
    """This process's peak resident set size so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeRss:
    """The peak resident set size of this process and all its descendants together, sampled in a thread.

    ru_maxrss knows one process (or the largest child), not a parent and its workers at the same moment.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        page_mib = os.sysconf("SC_PAGE_SIZE") / 2**20
        while True:
            pages = sum(_resident_pages(pid) for pid in _tree(os.getpid()))
            self.peak_mib = max(self.peak_mib, pages * page_mib)
            if self._stop.wait(self.interval):
                return


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the parent pid is the 2nd field after the command name, which may hold spaces
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _resident_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
