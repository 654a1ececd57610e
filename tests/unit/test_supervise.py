"""The supervisor starts a dying child again with growing delays, and stops on a clean exit or a signal."""

from __future__ import annotations

import sys
from pathlib import Path

from gzchain.supervise import describe, supervise


def dies_then_succeeds(marker: Path, deaths: int) -> list[str]:
    """A child that SIGKILLs itself `deaths` times (counted in `marker`), then exits 0."""
    script = (
        "import os, signal, pathlib, sys\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "n = int(m.read_text()) if m.exists() else 0\n"
        "m.write_text(str(n + 1))\n"
        f"if n < {deaths}: os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.exit(0)\n"
    )
    return [sys.executable, "-c", script]


def test_a_killed_child_is_started_again_with_doubling_delays(tmp_path: Path):
    slept: list[float] = []
    code = supervise(
        dies_then_succeeds(tmp_path / "runs", deaths=3), first_delay=0.2, max_delay=0.6, sleep=slept.append
    )
    assert code == 0
    assert (tmp_path / "runs").read_text() == "4"
    # back-off in 0.2 s steps: 0.2, then 0.4, then capped at 0.6
    assert [round(sum(slept[:1]), 1), round(sum(slept[1:3]), 1), round(sum(slept[3:]), 1)] == [0.2, 0.4, 0.6]


def test_a_clean_exit_is_not_restarted(tmp_path: Path):
    slept: list[float] = []
    assert supervise([sys.executable, "-c", "pass"], sleep=slept.append) == 0
    assert slept == []


def test_exit_statuses_are_described_for_the_log():
    assert describe(-9) == "signal SIGKILL" and describe(139) == "exit code 139"
