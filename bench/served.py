"""A real `gzchain serve` process (uvicorn) on a data folder, for benchmarks that go over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]


RATES = ("RATE_LIMIT_PUBLIC", "RATE_LIMIT_WRITES", "AUTH_FAILURE_LIMIT")
UNTHROTTLED = {f"GZCHAIN_{name}": "1000000/minute" for name in RATES}


@contextmanager
def gzchain_serve(
    data_dir: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `gzchain serve` on a free loopback port (`env`: more settings, e.g. GZCHAIN_RPC_URL); yields
    (base URL, process) once /healthz answers."""
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gzchain"), "serve", "--port", str(port), "--log-level", "WARNING"],
        # A benchmark is one client sending as fast as it can: the rate limits would measure themselves.
        env={**os.environ, "GZCHAIN_DATA_DIR": str(data_dir), **UNTHROTTLED, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def rss_mib(pid: int) -> float:
    """Resident set size of a process now, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                detail = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(f"gzchain serve exited: {detail}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"gzchain serve did not answer within {seconds:.0f} s")
