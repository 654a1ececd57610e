"""`gzchain serve` on the embedded chain survives SIGKILL under load; nothing acknowledged is lost.

Consortium proposals, business registrations and cold-chain events with readings are written concurrently;
after the kill and a restart every acknowledged write is there and verifies against the chain, nothing is
left pending or half-written, and `gzchain reindex --check` finds the store in step with the chain.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import free_port
from support.records import a_record

from gzchain.domain.uscc import uscc_from_prefix

GZCHAIN = str(Path(sys.executable).parent / "gzchain")
WRITERS_PER_KIND = 2
ACKS_PER_KIND_BEFORE_KILL = 4
LOAD_DEADLINE_SECONDS = 300
PORT = "urn:epc:id:sgln:6901234.00001.0"
GTIN = "07891234000019"
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=timezone(timedelta(hours=8)))
# Tables whose rows are staged before their transaction is sent: none may be left waiting on one.
STAGED_TABLES = (
    "business_versions",
    "business_filings",
    "coldchain_lots",
    "coldchain_events",
    "coldchain_readings",
)


def run_cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GZCHAIN, *args], env=env, check=check, capture_output=True, text=True)


def api_key(env: dict[str, str], agency: str) -> dict[str, str]:
    token = run_cli(env, "api-keys", "create", "--agency", agency).stdout.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def storing_event(i: int) -> dict:
    """A distinct EPCIS storing event (its time is its own) with two sensor readings."""
    moment = T0 + timedelta(minutes=i)
    return {
        "biz_step": "storing",
        "location": PORT,
        "time": moment.isoformat(),
        "readings": [
            {"time": (moment - timedelta(seconds=30)).isoformat(), "celsius": "-20.5"},
            {"time": moment.isoformat(), "celsius": "-21.0"},
        ],
        "device": "urn:epc:id:giai:6901234.COLD-ROOM-1",
    }


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
    governor, importer = api_key(env, "gz-msa"), api_key(env, "nansha-importer")
    registrar = governor  # the Market Supervision Administration governs and registers
    server = Server(env)
    lots = [f"CR-{n}" for n in range(WRITERS_PER_KIND)]
    for lot in lots:
        booked = httpx.post(
            f"{server.url}/coldchain/batches",
            json={
                "gtin": GTIN,
                "lot": lot,
                "quantity": 600,
                "origin": "BR",
                "min_celsius": "-30",
                "max_celsius": "-18",
            },
            headers=importer,
            timeout=30,
        )
        assert booked.status_code == 201, booked.text

    acknowledged: dict[str, dict[str, dict]] = {"proposal": {}, "business": {}, "event": {}}
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(kind: str, headers: dict[str, str], request: Callable[[int], tuple[str, dict]]) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            i = 0
            while not stop.is_set():
                path, body = request(i)
                key = f"{kind}-{path}-{i}"
                i += 1
                with lock:
                    attempted.append(key)
                try:
                    r = http.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    with lock:
                        acknowledged[kind][key] = {"path": path, "body": body, "response": r.json()}

    threads = []
    for n in range(WRITERS_PER_KIND):
        threads += [
            threading.Thread(
                target=writer,
                args=(
                    "proposal",
                    governor,
                    lambda i: ("/consortium/proposals", {"kind": "change_threshold", "threshold": 2}),
                ),
            ),
            threading.Thread(
                target=writer,
                args=(
                    "business",
                    registrar,
                    lambda i, n=n: ("/businesses", a_record(uscc=uscc_from_prefix(f"91440101MA{n}{i:05d}"))),
                ),
            ),
            threading.Thread(
                target=writer,
                args=(
                    "event",
                    importer,
                    lambda i, n=n: (f"/coldchain/batches/{lots[n]}/events", storing_event(i)),
                ),
            ),
        ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + LOAD_DEADLINE_SECONDS
    while min(len(acks) for acks in acknowledged.values()) < ACKS_PER_KIND_BEFORE_KILL:
        assert time.monotonic() < deadline, {kind: len(acks) for kind, acks in acknowledged.items()}
        time.sleep(0.05)
    server.kill()  # mid-load: other writes are in flight
    stop.set()
    for t in threads:
        t.join()

    server = Server(env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            check_proposals(http, governor, acknowledged["proposal"], attempted)
            for ack in acknowledged["business"].values():
                uscc = ack["body"]["uscc"]
                found = http.get(f"/businesses/{uscc}")
                assert found.status_code == 200, found.text
                lookup = found.json()
                assert lookup["verified"] and len(lookup["versions"]) == 1, lookup
                assert lookup["versions"][0]["proof"]["tx_hash"] == ack["response"]["proof"]["tx_hash"]
            for lot in lots:
                trace = http.get(f"/coldchain/batches/{lot}/trace").json()
                assert trace["verified"] and trace["problems"] == [], trace["problems"]
                traced = {event["event_hash"]: event for event in trace["events"]}
                mine = [
                    ack["response"]["items"][0]["event_hash"]
                    for ack in acknowledged["event"].values()
                    if ack["path"] == f"/coldchain/batches/{lot}/events"
                ]
                for digest in mine:
                    assert digest in traced and traced[digest]["event"] is not None
                    assert traced[digest]["reading_count"] == 2
                assert len(trace["temperatures"]) == 2 * len(traced)
    finally:
        server.kill()

    # Nothing waits on a transaction, and the whole store agrees with the chain.
    with sqlite3.connect(Path(env["GZCHAIN_DATA_DIR"]) / "store.sqlite") as db:
        assert db.execute("SELECT count(*) FROM pending_transactions").fetchone() == (0,)
        for table in STAGED_TABLES:
            assert db.execute(f"SELECT count(*) FROM {table} WHERE block_number IS NULL").fetchone() == (0,)
    checked = run_cli(env, "reindex", "--check", check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def check_proposals(
    http: httpx.Client, headers: dict[str, str], acknowledged: dict[str, dict], attempted: list[str]
) -> None:
    """Every acknowledged proposal is there and replays; one cut off by the kill is complete (replayed) or
    reported as interrupted, never doubled."""
    body = {"kind": "change_threshold", "threshold": 2}
    for key, ack in acknowledged.items():
        first = ack["response"]
        proposal = http.get(f"/consortium/proposals/{first['proposal']['id']}").json()
        assert proposal["state"] == "pending" and proposal["approvals"] == 1
        replay = http.post("/consortium/proposals", json=body, headers={**headers, "Idempotency-Key": key})
        assert replay.status_code == 201 and replay.json() == first
    on_chain = len(http.get("/consortium/proposals").json()["proposals"])
    outcomes = {}
    for key in attempted:
        if not key.startswith("proposal-") or key in acknowledged:
            continue
        retry = http.post("/consortium/proposals", json=body, headers={**headers, "Idempotency-Key": key})
        assert retry.status_code in (201, 409), retry.text
        outcomes[key] = retry.status_code
    assert on_chain >= len(acknowledged)
    retried_fresh = sum(1 for status in outcomes.values() if status == 201)
    after = len(http.get("/consortium/proposals").json()["proposals"])
    assert after <= on_chain + retried_fresh
