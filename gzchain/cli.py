"""`gzchain`: compile, deploy, govern the consortium, and run the demo, from a terminal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gzchain import __version__
from gzchain.cli_api import api_keys_app, serve
from gzchain.cli_business import business_app
from gzchain.cli_certificates import cert_app, wallet_app
from gzchain.cli_coldchain import coldchain_app
from gzchain.cli_network import network_app
from gzchain.cli_petitions import petition_app
from gzchain.cli_reindex import reindex
from gzchain.cli_support import EXIT_CODES, AsAgency, console, describe, err_console, runtime, state
from gzchain.domain.consortium import Member, Proposal, ProposalState
from gzchain.domain.errors import (
    GzchainError,
)
from gzchain.domain.roles import Role
from gzchain.services.consortium import ProposalOutcome
from gzchain.settings import Settings

app = typer.Typer(
    help="gzchain: a permissioned blockchain for Guangzhou's government services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
consortium_app = typer.Typer(
    help="The consortium of agencies: members, roles, M-of-N proposals.", no_args_is_help=True
)
propose_app = typer.Typer(
    help="Propose a change; it executes once enough governors approve.", no_args_is_help=True
)
consortium_app.add_typer(propose_app, name="propose")
app.add_typer(consortium_app, name="consortium")
app.add_typer(api_keys_app, name="api-keys")
app.command()(serve)
app.add_typer(business_app, name="business")
app.add_typer(cert_app, name="cert")
app.add_typer(wallet_app, name="wallet")
app.add_typer(network_app, name="network")
app.add_typer(coldchain_app, name="coldchain")
app.add_typer(petition_app, name="petition")
app.command()(reindex)


@app.callback()
def main(
    rpc_url: Annotated[
        str | None,
        typer.Option("--rpc-url", envvar="GZCHAIN_RPC_URL", help="JSON-RPC node; default: embedded chain"),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="GZCHAIN_DATA_DIR", help="where the chain and manifest live"),
    ] = None,
    ephemeral: Annotated[
        bool, typer.Option("--ephemeral", help="a throwaway in-memory embedded chain")
    ] = False,
) -> None:
    overrides: dict[str, object] = {}
    if rpc_url:
        overrides["rpc_url"] = rpc_url
    if data_dir:
        overrides["data_dir"] = data_dir
    if ephemeral:
        overrides["ephemeral"] = True
    state.settings = Settings(**overrides)  # type: ignore[arg-type]


@app.command()
def version() -> None:
    """Print gzchain's version and the pinned compiler settings."""
    from gzchain.chain.compiler import EVM_VERSION, SOLC_VERSION

    console.print(
        f"gzchain {__version__} (solc {SOLC_VERSION}, evm {EVM_VERSION}, Python {sys.version.split()[0]})"
    )


@app.command("compile")
def compile_command(
    check: Annotated[
        bool, typer.Option("--check", help="only compare a fresh compile with the committed artifacts")
    ] = False,
    solc: Annotated[
        Path | None, typer.Option("--solc", envvar="GZCHAIN_SOLC_BINARY", help="solc binary to use")
    ] = None,
) -> None:
    """Compile contracts/ into gzchain/artifacts (developers only: running gzchain needs no compiler)."""
    from gzchain.chain import compiler

    try:
        resolved = compiler.resolve_solc(solc)
        console.print(f"solc {compiler.SOLC_VERSION} from {resolved.origin}: {resolved.path}")
        artifacts = compiler.compile_contracts(solc=resolved)
    except GzchainError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if check:
        differing = compiler.diff_artifacts(artifacts)
        if differing:
            err_console.print(f"[bold red]artifacts differ from a fresh compile:[/] {', '.join(differing)}")
            raise typer.Exit(1)
        console.print(f"{len(artifacts)} artifacts match a fresh compile")
        return
    written = compiler.write_artifacts(artifacts)
    console.print(f"wrote {len(written)} artifacts to {compiler.ARTIFACTS_DIR}")


@app.command()
def deploy() -> None:
    """Deploy the contracts from the genesis consortium; a second run recognises them and changes nothing."""
    with runtime() as rt:
        result = rt.deploy()
        manifest = result.manifest
        if result.deployed:
            console.print(f"deployed {', '.join(result.deployed)} on chain {manifest.chain_id}")
        else:
            console.print(f"already deployed on chain {manifest.chain_id}: nothing changed")
        for name, contract in manifest.contracts.items():
            console.print(f"  {name:<12} {contract.address}  block {contract.block}")
        if rt.manifest_file:
            console.print(f"manifest: {rt.manifest_file}")
        if rt.keys.is_demo:
            console.print(
                "[yellow]note:[/] agencies sign with DEMO keys derived from their ids; "
                "never use them for real"
            )


@consortium_app.command("members")
def members() -> None:
    """List member agencies with their status and roles."""
    with runtime() as rt:
        service = rt.consortium()
        table = Table(
            title=f"Consortium members (threshold {service.threshold()} of "
            f"{service.governor_count()} governors)"
        )
        for column in ("agency", "name", "domain", "status", "roles", "address"):
            table.add_column(column)
        for m in service.members():
            table.add_row(*_member_row(m))
        console.print(table)


def _member_row(m: Member) -> tuple[str, ...]:
    status = m.status.name.lower()
    return (m.agency_id or "-", m.name, m.domain, status, ", ".join(r.value for r in m.roles), m.address)


@consortium_app.command("proposals")
def proposals(
    pending: Annotated[
        bool, typer.Option("--pending", help="only proposals still open for approval")
    ] = False,
) -> None:
    """List proposals with their state and approvals."""
    with runtime() as rt:
        service = rt.consortium()
        table = Table(title="Proposals")
        for column in ("id", "kind", "subject", "state", "approvals", "expires (UTC)"):
            table.add_column(column)
        threshold = service.threshold()
        for p in service.proposals(ProposalState.PENDING if pending else None):
            table.add_row(
                str(p.id),
                p.kind.name.lower(),
                _subject(p),
                p.state.name.lower(),
                f"{p.approvals}/{threshold}",
                _time(p.expires_at),
            )
        console.print(table)


def _subject(p: Proposal) -> str:
    if p.threshold is not None:
        return f"threshold → {p.threshold}"
    subject = p.account or ""
    if p.role is not None:
        subject += f" {p.role.value}"
    if p.name:
        subject += f" ({p.name}, {p.domain})"
    return subject


def _time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M")


def _report(outcome: ProposalOutcome) -> None:
    p = outcome.proposal
    verdict = "executed" if outcome.executed else f"pending, {p.approvals} approval(s)"
    console.print(
        f"proposal {p.id} ({p.kind.name.lower()}): {verdict}; tx {outcome.receipt.tx_hash} "
        f"in block {outcome.receipt.block_number}"
    )


@propose_app.command("add-member")
def propose_add_member(
    as_agency: AsAgency,
    account: Annotated[str, typer.Option(help="the new agency's id (keyring) or 0x address")],
    name: Annotated[str, typer.Option(help="the agency's official name")],
    domain: Annotated[str, typer.Option(help="the agency's internet domain")],
) -> None:
    """Propose admitting a new agency."""
    with runtime() as rt:
        _report(rt.consortium().propose_add_member(as_agency, account, name, domain))


@propose_app.command("suspend")
def propose_suspend(
    as_agency: AsAgency, account: Annotated[str, typer.Argument(help="agency id or 0x address")]
) -> None:
    """Propose suspending a member: it keeps its roles but may write nothing."""
    with runtime() as rt:
        _report(rt.consortium().propose_suspend_member(as_agency, account))


@propose_app.command("reinstate")
def propose_reinstate(
    as_agency: AsAgency, account: Annotated[str, typer.Argument(help="agency id or 0x address")]
) -> None:
    """Propose reinstating a suspended member."""
    with runtime() as rt:
        _report(rt.consortium().propose_reinstate_member(as_agency, account))


@propose_app.command("grant-role")
def propose_grant_role(
    as_agency: AsAgency,
    account: Annotated[str, typer.Argument(help="agency id or 0x address")],
    role: Annotated[str, typer.Argument(help="GOVERNOR, REGISTRAR, NOTARY, CERT_ISSUER, INSPECTOR, ...")],
) -> None:
    """Propose granting a role to a member."""
    with runtime() as rt:
        _report(rt.consortium().propose_grant_role(as_agency, account, Role.parse(role)))


@propose_app.command("revoke-role")
def propose_revoke_role(
    as_agency: AsAgency,
    account: Annotated[str, typer.Argument(help="agency id or 0x address")],
    role: Annotated[str, typer.Argument(help="the role to revoke")],
) -> None:
    """Propose revoking a role from a member."""
    with runtime() as rt:
        _report(rt.consortium().propose_revoke_role(as_agency, account, Role.parse(role)))


@propose_app.command("threshold")
def propose_threshold(
    as_agency: AsAgency, threshold: Annotated[int, typer.Argument(help="approvals needed (M)")]
) -> None:
    """Propose a new approval threshold (between a majority of governors and all of them)."""
    with runtime() as rt:
        _report(rt.consortium().propose_threshold(as_agency, threshold))


@consortium_app.command("approve")
def approve(
    as_agency: AsAgency, proposal_id: Annotated[int, typer.Argument(help="the proposal's number")]
) -> None:
    """Approve a pending proposal as a governor; the last needed approval executes it."""
    with runtime() as rt:
        _report(rt.consortium().approve(as_agency, proposal_id))


@app.command()
def demo() -> None:
    """Run every scenario, narrated, on a throwaway embedded chain (or the --rpc-url node)."""
    from gzchain.demo import run_all

    settings = state.settings
    if settings.rpc_url is None:
        settings = settings.model_copy(update={"ephemeral": True})
    try:
        failures = run_all(settings, console)
    except GzchainError as exc:
        err_console.print(f"[bold red]error:[/] {describe(exc)}")
        raise typer.Exit(EXIT_CODES.get(type(exc), 1)) from None
    raise typer.Exit(1 if failures else 0)
