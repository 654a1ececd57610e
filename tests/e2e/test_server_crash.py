"""`gzchain serve` on the embedded chain survives SIGKILL under load; nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import free_port

GZCHAIN = str(Path(sys.executable).parent / "gzchain")
WRITERS = 6
ACKS_BEFORE_KILL = 12


def run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([GZCHAIN, *args], env=env, check=True, capture_output=True, text=True).stdout


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [GZCHAIN, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.process.kill()
        pytest.fail(f"server did not become ready: {self.process.stderr.read().decode()[-2000:]}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    return {**clean, "GZCHAIN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}


def test_every_write_acknowledged_before_a_sigkill_is_there_after_restart(env):
    run_cli(env, "deploy")
    token = run_cli(env, "api-keys", "create", "--agency", "gz-msa").strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    server = Server(env)

    acknowledged: dict[str, dict] = {}
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            i = 0
            while not stop.is_set():
                key = f"writer-{n}-{i}"
                i += 1
                with lock:
                    attempted.append(key)
                try:
                    r = http.post(
                        "/consortium/proposals",
                        json={"kind": "change_threshold", "threshold": 2},
                        headers={"Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    with lock:
                        acknowledged[key] = r.json()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    while len(acknowledged) < ACKS_BEFORE_KILL:
        time.sleep(0.05)
    server.kill()  # mid-load: other writes are in flight
    stop.set()
    for t in threads:
        t.join()

    server = Server(env)
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            for key, first in acknowledged.items():
                proposal = http.get(f"/consortium/proposals/{first['proposal']['id']}").json()
                assert proposal["state"] == "pending" and proposal["approvals"] == 1
                replay = http.post(
                    "/consortium/proposals",
                    json={"kind": "change_threshold", "threshold": 2},
                    headers={"Idempotency-Key": key},
                )
                assert replay.status_code == 201 and replay.json() == first
            # A write cut off by the kill is complete (replayed) or reported as interrupted, never doubled.
            on_chain = len(http.get("/consortium/proposals").json()["proposals"])
            outcomes = {}
            for key in attempted:
                if key in acknowledged:
                    continue
                retry = http.post(
                    "/consortium/proposals",
                    json={"kind": "change_threshold", "threshold": 2},
                    headers={"Idempotency-Key": key},
                )
                assert retry.status_code in (201, 409), retry.text
                outcomes[key] = retry.status_code
            assert on_chain >= len(acknowledged)
            retried_fresh = sum(1 for status in outcomes.values() if status == 201)
            after = len(http.get("/consortium/proposals").json()["proposals"])
            assert after <= on_chain + retried_fresh
    finally:
        server.kill()
