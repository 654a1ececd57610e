"""`gzchain serve --supervise`: the server runs as a child process and is started again whenever it dies
abnormally (killed by the kernel's OOM killer, a fault in a C extension), with back-off between attempts.

Nothing acknowledged is lost by a restart: the embedded chain and the store are on disk, and what a crash
left pending is settled before the new server answers (see `Runtime.recover`). In production the same job
belongs to the service manager (systemd `Restart=on-failure`, compose `restart: unless-stopped`); this is for
a plain machine or a demo.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

log = logging.getLogger("gzchain.supervise")

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A child that ran this long was healthy: its death starts the back-off from the first delay again.
STABLE_AFTER_SECONDS = 60.0


def describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def supervise(
    command: Sequence[str],
    *,
    first_delay: float = FIRST_DELAY_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
    stable_after: float = STABLE_AFTER_SECONDS,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run `command` until it exits cleanly or this process is told to stop; the exit code to end with.

    SIGTERM and SIGINT are passed on to the child, which shuts down gracefully; then no restart follows.
    """
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    delay = first_delay
    try:
        while True:
            started = time.monotonic()
            child = subprocess.Popen(list(command), env=env)
            log.info("server started (pid %d)", child.pid)
            returncode = child.wait()
            if stopping:
                return 0
            if returncode == 0:
                log.info("server exited cleanly")
                return 0
            if time.monotonic() - started >= stable_after:
                delay = first_delay
            log.warning("server died (%s); starting it again in %g s", describe(returncode), delay)
            waited = 0.0
            while waited < delay and not stopping:  # a stop during the back-off ends it at once
                sleep(min(0.2, delay - waited))
                waited += 0.2
            if stopping:
                return 0
            delay = min(delay * 2, max_delay)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
