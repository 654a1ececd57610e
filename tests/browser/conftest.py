"""One live `gzchain serve` seeded by the scenarios, and Debian's chromium driven by Playwright, for every
browser test of the citizen portal. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import free_port
from support.served import GZCHAIN, start_serving

ROOT = Path(__file__).resolve().parents[2]
SEED = Path(__file__).with_name("seed.py")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 900}
WAIT_MS = 60_000


def chromium_path() -> str:
    found = os.environ.get("GZCHAIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("the browser tests need Debian's chromium at /usr/bin/chromium: run `make setup`")
    return found


@dataclass
class Portal:
    url: str
    facts: dict[str, Any]
    files: Path


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """Seeds a data folder, prints the labels and QR codes the portal's pages are opened from, then serves."""
    files = tmp_path_factory.mktemp("portal")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GZCHAIN_")}
    # One browser loads every page of the suite from one address, faster than any person would.
    unthrottled = {f"GZCHAIN_{name}": "1000000/minute" for name in ("RATE_LIMIT_PUBLIC", "RATE_LIMIT_WRITES")}
    env = {**clean, "GZCHAIN_DATA_DIR": str(files / "data"), "COLUMNS": "200", **unthrottled}
    facts = json.loads(_run(env, sys.executable, str(SEED), str(files)).strip().splitlines()[-1])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for suffix in ("svg", "png"):
        _run(
            env,
            GZCHAIN,
            "coldchain",
            "label",
            facts["good_lot"],
            "--base-url",
            url,
            "--out",
            f"{files}/label.{suffix}",
        )
    _run(
        env,
        GZCHAIN,
        "cert",
        "qr",
        facts["presented_certificate"],
        "--base-url",
        url,
        "--out",
        f"{files}/cert-qr.png",
    )

    server = start_serving(env, port, "--log-level", "warning", ready="/readyz")
    try:
        yield Portal(url, facts, files)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # A trace asks the chain for a lot's whole history: on a loaded CI machine that takes seconds. Waiting
    # long is not asserting speed; a page that never shows its answer still fails.
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page and what it did: scripts that threw, policy violations, every request it made."""

    page: Any
    portal: Portal
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        self.page.goto(self.portal.url + path)
        return self.page

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def visit(browser: Any, portal: Portal) -> Iterator[Any]:
    """`visit(locale="en-US", phone=False)` → a fresh browser context watching its page.

    After the test: no script error, no Content-Security-Policy violation, and no request to another origin.
    """
    opened: list[tuple[Any, Watched]] = []

    def open_context(locale: str = "en-US", phone: bool = False) -> Watched:
        viewport = PHONE if phone else DESKTOP
        context = browser.new_context(
            locale=locale, viewport=viewport, is_mobile=phone, has_touch=phone, timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        watched = Watched(page, portal)
        page.on("pageerror", lambda error: watched.errors.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                watched.errors.append(f"console: {message.text}")
                if message.type == "error" and "Failed to load resource" not in message.text
                else None
            ),
        )
        page.on("request", lambda request: watched.requests.append(request.url))
        opened.append((context, watched))
        return watched

    yield open_context
    for context, watched in opened:
        context.close()
        assert not watched.errors, watched.errors
        foreign = [
            url
            for url in watched.requests
            if urlsplit(url).scheme in ("http", "https") and not url.startswith(portal.url + "/")
        ]
        assert not foreign, f"requests to another origin: {foreign}"
