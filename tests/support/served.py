"""`gzchain serve` as a subprocess, for the suites that test what a client of the real server sees."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

GZCHAIN = str(Path(sys.executable).parent / "gzchain")


def start_serving(
    env: dict[str, str], port: int, *args: str, ready: str = "/healthz", seconds: float = 120
) -> subprocess.Popen[bytes]:
    """`gzchain serve --port PORT ARGS` under `env`, returned once `ready` answers 200. The test fails,
    with the end of the server's stderr, if it exits first or does not answer within `seconds`."""
    process = subprocess.Popen(
        [GZCHAIN, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}{ready}"
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"gzchain serve did not answer {ready}: {stderr[-2000:]}")
        time.sleep(0.2)
