"""`gzchain serve --supervise`: SIGKILL the server, the supervisor starts it again, it answers again, and a
write acknowledged before the kill is still there (issue #14: "if the process still dies")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import free_port

GZCHAIN = str(Path(sys.executable).parent / "gzchain")
THRESHOLD = {"kind": "change_threshold", "threshold": 2}


def run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([GZCHAIN, *args], env=env, check=True, capture_output=True, text=True).stdout


def child_of(pid: int) -> int | None:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else None


def wait_until_serving(url: str, supervisor: subprocess.Popen, not_pid: int | None = None) -> int:
    """The pid of the child that answers /readyz (another than `not_pid`)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert supervisor.poll() is None, supervisor.stderr.read().decode()[-2000:]
        child = child_of(supervisor.pid)
        try:
            if child and child != not_pid and httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return child
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the supervised server did not answer")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    return {**clean, "GZCHAIN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}


def test_a_killed_server_comes_back_with_every_acknowledged_write(env):
    run_cli(env, "deploy")
    token = run_cli(env, "api-keys", "create", "--agency", "gz-msa").strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "before-the-kill"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor = subprocess.Popen(
        [GZCHAIN, "serve", "--supervise", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        first = wait_until_serving(url, supervisor)
        acknowledged = httpx.post(f"{url}/consortium/proposals", json=THRESHOLD, headers=headers, timeout=30)
        assert acknowledged.status_code == 201, acknowledged.text

        os.kill(first, signal.SIGKILL)
        second = wait_until_serving(url, supervisor, not_pid=first)
        assert second != first

        proposal_id = acknowledged.json()["proposal"]["id"]
        found = httpx.get(f"{url}/consortium/proposals/{proposal_id}", timeout=30)
        assert found.status_code == 200 and found.json()["state"] == "pending"
        replay = httpx.post(f"{url}/consortium/proposals", json=THRESHOLD, headers=headers, timeout=30)
        assert replay.status_code == 201 and replay.json() == acknowledged.json()
    finally:
        supervisor.send_signal(signal.SIGTERM)  # passed on to the child: both end, nothing restarts
        try:
            assert supervisor.wait(timeout=30) == 0
        finally:
            supervisor.kill()
    stderr = supervisor.stderr.read().decode()
    assert "server died (signal SIGKILL)" in stderr, stderr[-2000:]
