"""One real `gzchain serve` (embedded chain, its own data folder, a free port) for the attack suite of issue
#14, and the checks every attack ends with: another client's /healthz answers within 100 ms, and the
server's peak RSS during the attack stayed under its bound. The figures go to
test-output/hostile/figures-<worker>.json and, without xdist, into the terminal summary."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import free_port
from support.served import GZCHAIN, start_serving

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "test-output" / "hostile"
HEALTHZ_BOUND_MS = 100.0
HEALTHZ_TRIES = 5
STRICT_TIMEOUT_SECONDS = 2
# The idle server holds ~160 MiB (py-evm, web3, SQLAlchemy). The attacks took it to 1.9-3.9 GB;
# every attack here, the largest allowed EPCIS document included, must stay under this peak.
RSS_BOUND_MIB = 640
# One agency per role family: gz-msa governs, registers and regulates; the others as named.
AGENCIES = {
    "governor": "gz-msa",
    "operator": "nansha-importer",
    "issuer": "gz-edu",
    "inspector": "gz-customs",
}


@dataclass
class HostileServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    tokens: dict[str, str]
    key_ids: dict[str, str]
    timeout_seconds: float = 10.0  # the header and body-idle timeouts it was started with
    figures: list[dict] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        """Authorization as the agency holding `role` (see AGENCIES), plus `extra` headers."""
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def _status(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])  # kB
        raise AssertionError(f"no {name} in /proc/{self.pid}/status")

    def rss_mib(self) -> float:
        return self._status("VmRSS") / 1024

    def peak_mib(self) -> float:
        """The resident high-water mark since the last reset_peak()."""
        return self._status("VmHWM") / 1024

    def reset_peak(self) -> None:
        # Linux: writing 5 resets VmHWM to the current RSS, so each attack's peak is its own.
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def healthz_ms(self, tries: int = HEALTHZ_TRIES) -> float:
        """Median time for a fresh client (a new connection each try) to get /healthz's 200."""
        times = []
        for _ in range(tries):
            with httpx.Client(timeout=30) as other:
                started = time.perf_counter()
                answer = other.get(f"{self.url}/healthz")
                times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
        return statistics.median(times)

    def alive(self) -> bool:
        return self.process.poll() is None

    def book_lot(self, gtin: str, lot: str, quantity: int) -> str:
        """A frozen lot booked by the operator; its GS1 Digital Link URI."""
        booked = httpx.post(
            f"{self.url}/coldchain/batches",
            json={
                "gtin": gtin,
                "lot": lot,
                "quantity": quantity,
                "unit": "KGM",
                "origin": "BR",
                "min_celsius": "-30.0",
                "max_celsius": "-18.0",
            },
            headers=self.headers("operator"),
            timeout=60,
        )
        assert booked.status_code == 201, booked.text
        return f"https://id.gs1.org/01/{gtin}/10/{lot}"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`gzchain ARGS` on a scratch data folder of its own (the served one is the server's alone)."""
        return subprocess.run([GZCHAIN, *args], env=self.env, capture_output=True, text=True, timeout=120)


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([GZCHAIN, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"gzchain {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def _serve(env: dict[str, str], scratch: dict[str, str], tokens, key_ids) -> HostileServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_serving(env, port, "--log-level", "warning")
    return HostileServer(url, port, process, scratch, tokens, key_ids)


def _stop(server: HostileServer) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def _deployed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict, dict]:
    """A deployed data folder with one API key per role, and a deployed scratch folder for the CLI."""
    files = tmp_path_factory.mktemp("hostile")
    for stale in FIGURES.glob(f"figures-*-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json"):
        stale.unlink()  # a server this run does not start must not report an earlier run's figures
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    env = {**clean, "GZCHAIN_DATA_DIR": str(files / "data"), "COLUMNS": "200"}
    _cli(env, "deploy")
    tokens, key_ids = {}, {}
    for role, agency in AGENCIES.items():
        token = _cli(env, "api-keys", "create", "--agency", agency).strip().splitlines()[-1]
        tokens[role] = token
        key_ids[role] = token.removeprefix("gzk_").split(".", 1)[0]
    # The strict server's folder is a copy, made before either server opens its chain.
    shutil.copytree(files / "data", files / "strict-data")
    scratch = {**env, "GZCHAIN_DATA_DIR": str(files / "cli-data")}
    _cli(scratch, "deploy")
    return files, env, tokens, key_ids


@pytest.fixture(scope="session")
def hostile_server(_deployed) -> Iterator[HostileServer]:
    """The server most attacks go to. Its rates are raised so that the suite's own requests, all from one
    address, never meet the limiter: the rate limits are attacked on `strict_server`."""
    files, env, tokens, key_ids = _deployed
    roomy = {name: "1000000/minute" for name in ("RATE_LIMIT_PUBLIC", "RATE_LIMIT_WRITES")}
    served = {**env, **{f"GZCHAIN_{name}": value for name, value in roomy.items()}}
    server = _serve(served, {**env, "GZCHAIN_DATA_DIR": str(files / "cli-data")}, tokens, key_ids)
    try:
        yield server
    finally:
        _write_figures(server.figures)
        _stop(server)


@pytest.fixture(scope="session")
def strict_server(_deployed) -> Iterator[HostileServer]:
    """A second server with the default rate limits, authentication back-off and connection bound, and
    the header and body timeouts shortened (STRICT_TIMEOUT_SECONDS) so that waiting them out is quick."""
    files, env, tokens, key_ids = _deployed
    timeouts = {
        "GZCHAIN_HEADER_TIMEOUT_SECONDS": str(STRICT_TIMEOUT_SECONDS),
        "GZCHAIN_BODY_IDLE_TIMEOUT_SECONDS": str(STRICT_TIMEOUT_SECONDS),
    }
    served = {**env, "GZCHAIN_DATA_DIR": str(files / "strict-data"), **timeouts}
    server = _serve(served, env, tokens, key_ids)
    server.timeout_seconds = STRICT_TIMEOUT_SECONDS
    try:
        yield server
    finally:
        _write_figures(server.figures, "strict")
        _stop(server)


@pytest.fixture(autouse=True)
def bounded_after_the_attack(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every attack ends alike: its server is up, /healthz is quick for others, its peak RSS was bounded."""
    name = "strict_server" if "strict_server" in request.fixturenames else "hostile_server"
    server: HostileServer = request.getfixturevalue(name)
    assert server.alive(), "the server died before this attack"
    server.reset_peak()
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    assert server.alive(), f"the server died (exit {server.process.returncode})"
    healthz = server.healthz_ms()
    peak = server.peak_mib()
    server.figures.append(
        {
            "attack": request.node.name,
            "healthz_median_ms": round(healthz, 1),
            "peak_rss_mib": round(peak, 1),
            "rss_after_mib": round(server.rss_mib(), 1),
            "seconds": round(seconds, 2),
        }
    )
    assert healthz < HEALTHZ_BOUND_MS, f"/healthz took {healthz:.0f} ms (median of {HEALTHZ_TRIES})"
    assert peak < RSS_BOUND_MIB, f"the server's RSS peaked at {peak:.0f} MiB (bound {RSS_BOUND_MIB})"


def _write_figures(figures: list[dict], server: str = "hostile") -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (FIGURES / f"figures-{server}-{worker}.json").write_text(json.dumps(figures, indent=2))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rows = [
        row for path in sorted(FIGURES.glob("figures-*-main.json")) for row in json.loads(path.read_text())
    ]
    if not rows:
        return
    terminalreporter.section("hostile: /healthz and peak RSS after each attack")
    for row in rows:
        terminalreporter.write_line(
            f"{row['attack']:<78} healthz {row['healthz_median_ms']:>6.1f} ms  "
            f"peak {row['peak_rss_mib']:>6.1f} MiB  after {row['rss_after_mib']:>6.1f} MiB  "
            f"{row['seconds']:>6.2f} s"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # One pytest-xdist worker runs the whole suite (with --dist loadgroup), so its two servers start once.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("hostile"))
