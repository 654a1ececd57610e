"""Shared fixtures: the chain lane (embedded eth-tester or a real anvil node), a deployed runtime."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.chain.backends import EmbeddedBackend, RpcBackend
from gzchain.chain.gateway import ChainGateway
from gzchain.domain.errors import ChainUnavailable
from gzchain.settings import Settings
from gzchain.store.db import Base

ROOT = Path(__file__).resolve().parents[1]
ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"

# Under CI a skip on a missing service fails; pytester runs that plugin's own tests.
pytest_plugins = ["support.no_hidden_lanes", "pytester"]


# pytest-xdist starts its workers with COLUMNS=80. The CLI's rich consoles are built when their module is
# imported and would keep that width for good, so the CLI suites (which widen COLUMNS for each run) would
# see wrapped tables. This conftest is imported before any other, so it drops the inherited value first.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="store behind the runtime: SQLite in memory, or a fresh PostgreSQL database at 127.0.0.1:5432",
    )
    parser.addoption(
        "--lane",
        choices=("embedded", "anvil"),
        default="embedded",
        help="chain the contract suites run on: embedded eth-tester, or a real anvil node started here",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"gzchain lane: {config.getoption('--lane')}, store: {config.getoption('--store')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AnvilNode:
    """A real JSON-RPC node on a free loopback port, on the same Shanghai rules as Besu QBFT."""

    def __init__(self, *extra_args: str) -> None:
        if not ANVIL.exists():
            pytest.fail(f"anvil is missing at {ANVIL}: run `npm ci` (make test does)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._args = [
            str(ANVIL),
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
            "--hardfork",
            "shanghai",
            "--silent",
            *extra_args,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AnvilNode:
        self.process = subprocess.Popen(self._args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                RpcBackend(self.url)
                return self
            except ChainUnavailable:
                time.sleep(0.1)
        self.stop()
        pytest.fail("anvil did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def lane(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--lane")


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    node = AnvilNode().start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def zero_fee_anvil() -> Iterator[AnvilNode]:
    """anvil configured like Besu QBFT: no base fee, free gas, so the zero-fee policy is what runs."""
    node = AnvilNode("--base-fee", "0", "--gas-price", "0", "--no-priority-fee").start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def session_gateway(lane: str, request: pytest.FixtureRequest) -> Iterator[ChainGateway]:
    if lane == "anvil":
        node = request.getfixturevalue("zero_fee_anvil")
        gateway = ChainGateway(RpcBackend(node.url))
    else:
        gateway = ChainGateway(EmbeddedBackend(None))
    yield gateway
    gateway.close()


POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards. If none is reachable the
    lane is skipped, or fails under CI (support/no_hidden_lanes.py)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"gzchain_test_{os.getpid()}_{int(time.time())}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(
            f"PostgreSQL is not reachable at 127.0.0.1:5432 ({type(exc.orig).__name__}): "
            "the --store postgres lane did not run"
        )
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def store_url(request: pytest.FixtureRequest) -> str | None:
    return (
        request.getfixturevalue("postgres_url") if request.config.getoption("--store") == "postgres" else None
    )


UNTHROTTLED = "1000000/minute"


@pytest.fixture(scope="session")
def session_runtime(
    session_gateway: ChainGateway, store_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Runtime:
    data_dir = tmp_path_factory.mktemp("gzchain-data")
    rpc_url = getattr(session_gateway.backend, "url", None)
    settings = Settings(
        data_dir=data_dir,
        ephemeral=rpc_url is None,
        rpc_url=rpc_url,
        store_url=store_url,
        # Suites not about rates send hundreds of requests from one client; the rate tests set their own.
        rate_limit_public=UNTHROTTLED,
        rate_limit_writes=UNTHROTTLED,
        auth_failure_limit=UNTHROTTLED,
    )
    runtime = open_runtime(settings, gateway=session_gateway)
    runtime.deploy()
    return runtime


@pytest.fixture
def runtime(session_runtime: Runtime) -> Iterator[Runtime]:
    """A deployed runtime whose chain is rolled back, and store emptied, after each test."""
    snapshot = session_runtime.gateway.snapshot()
    yield session_runtime
    session_runtime.gateway.revert_to(snapshot)
    with session_runtime.store.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


@pytest.fixture
def gateway(runtime: Runtime) -> ChainGateway:
    return runtime.gateway


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No GZCHAIN_ setting leaks in from the developer's shell; the data folder is a temporary one."""
    for key in list(os.environ):
        if key.startswith("GZCHAIN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("GZCHAIN_DATA_DIR", str(tmp_path / "data"))
    # The default master key file is in the user's configuration folder: never the developer's own.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path
