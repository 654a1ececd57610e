"""What every `gzchain` command shares: the settings of this invocation, opening the runtime, and turning
gzchain errors into a one-line message and an exit code a script can branch on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from gzchain.bootstrap import Runtime, open_runtime
from gzchain.domain.errors import (
    ChainUnavailable,
    Conflict,
    ContractReverted,
    GzchainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from gzchain.domain.reasons import ReasonAction, StatedReason
from gzchain.domain.roles import Role
from gzchain.settings import Settings

console = Console()
err_console = Console(stderr=True)

# Exit codes a script can branch on.
EXIT_CODES: dict[type[GzchainError], int] = {
    InvalidInput: 2,
    NotFound: 3,
    PermissionDenied: 4,
    ContractReverted: 5,
    Conflict: 6,
    ChainUnavailable: 7,
}


class _State:
    settings: Settings


state = _State()


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a gzchain error into a one-line message and its exit code, with or without a chain."""
    try:
        yield
    except GzchainError as exc:
        err_console.print(f"[bold red]error:[/] {describe(exc)}")
        raise typer.Exit(EXIT_CODES.get(type(exc), 1)) from None


@contextmanager
def runtime() -> Iterator[Runtime]:
    """Open the chain for one command; errors come out as `reported_errors` says."""
    with reported_errors():
        rt = open_runtime(state.settings)
        try:
            yield rt
        finally:
            rt.close()


def describe(exc: GzchainError) -> str:
    if isinstance(exc, ContractReverted):
        args = ", ".join(f"{k}={show_value(v)}" for k, v in exc.args_by_name.items())
        return f"the contract refused: {exc.error_name}({args})"
    return str(exc)


def show_value(value: object) -> str:
    """A custom error's argument in words: a role by name, a USCC as text, other bytes as hex."""
    if isinstance(value, bytes) and len(value) == 32:
        try:
            return Role.from_id(value).value
        except InvalidInput:
            return "0x" + value.hex()
    if isinstance(value, bytes) and len(value) == 18 and value.isascii() and value.decode().isalnum():
        return value.decode()  # a USCC, as the contracts take it: its 18 ASCII characters
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


AsAgency = Annotated[str, typer.Option("--as", help="the acting agency's id (it signs the transaction)")]


def reason_code_option(actions: tuple[ReasonAction, ...]) -> typer.models.OptionInfo:
    """The `--reason-code` option of commands that must say why; the chain records the code."""
    known = "; ".join(f"{a.value}: " + ", ".join(code.slug for code in a.codes) for a in actions)
    return typer.Option("--reason-code", help=f"why, as a code recorded on chain ({known})")


def describe_reason(reason: StatedReason | None) -> str:
    """A reason in one line: its code, and the store's words marked as verified against the chain or not."""
    if reason is None:
        return "-"
    if reason.words is None:
        return f"{reason.code.label} (words withheld or erased)"
    mark = "[green]✓ verified[/]" if reason.verified else "[red]✗ not verified: altered in the store[/]"
    return f"{reason.code.label}: {reason.words} {mark}"
