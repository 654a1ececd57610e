"""Runs the narrated scenario scripts in scenarios/ and checks each one's claims as it goes."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.errors import ContractReverted, GzchainError, NotFound
from gzchain.settings import Settings

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


class ScenarioFailed(GzchainError):
    """A scenario's claim did not hold."""


class Story:
    """Narrates a scenario and fails it loudly when what happens is not what the story says."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def chapter(self, text: str) -> None:
        self.console.rule(f"[bold]{text}")

    def step(self, text: str) -> None:
        self.console.print(f"[cyan]→[/] {text}")

    def ok(self, text: str) -> None:
        self.console.print(f"  [green]✓[/] {text}")

    def check(self, condition: bool, claim: str) -> None:
        if not condition:
            raise ScenarioFailed(f"scenario claim failed: {claim}")
        self.ok(claim)

    def refused(self, expected_error: str, action: Callable[[], Any], claim: str) -> ContractReverted:
        """Run `action`, which the chain must refuse with `expected_error`."""
        try:
            action()
        except ContractReverted as exc:
            if exc.error_name != expected_error:
                raise ScenarioFailed(
                    f"{claim}: refused with {exc.error_name}, expected {expected_error}"
                ) from exc
            self.console.print(f"  [green]✓[/] {claim} [dim](refused: {exc.error_name})[/]")
            return exc
        raise ScenarioFailed(f"{claim}: the chain accepted what it must refuse")


def scenario_modules() -> list[ModuleType]:
    if not SCENARIO_DIR.is_dir():
        raise NotFound(f"no scenarios at {SCENARIO_DIR}: the demo runs from a gzchain source checkout")
    modules = []
    for path in sorted(SCENARIO_DIR.glob("[!_]*.py")):
        spec = importlib.util.spec_from_file_location(f"gzchain_scenario_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 100))


def run_scenario(module: ModuleType, rt: Runtime, console: Console) -> bool:
    story = Story(console)
    story.chapter(module.TITLE)
    try:
        module.run(rt, story)
    except GzchainError as exc:
        console.print(f"[bold red]✗ {module.TITLE} failed:[/] {exc}")
        return False
    console.print(f"[bold green]✓ {module.TITLE}[/]")
    return True


def run_all(settings: Settings, console: Console) -> int:
    """Deploy (if needed) and run every scenario; returns how many failed."""
    rt = open_runtime(settings)
    try:
        rt.deploy()
        return sum(not run_scenario(module, rt, console) for module in scenario_modules())
    finally:
        rt.close()


def main_for(module_name: str) -> None:
    """Entry point for `python scenarios/<name>.py`: a throwaway chain unless GZCHAIN_RPC_URL is set."""
    settings = Settings()
    if settings.rpc_url is None:
        settings = settings.model_copy(update={"ephemeral": True})
    console = Console()
    rt = open_runtime(settings)
    try:
        rt.deploy()
        ok = run_scenario(sys.modules[module_name], rt, console)
    finally:
        rt.close()
    sys.exit(0 if ok else 1)
