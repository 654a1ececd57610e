"""`gzchain serve` and `gzchain api-keys`: the service API and the agencies' credentials for it."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gzchain.bootstrap import Runtime, api_key_service
from gzchain.chain.keys import demo_keys_refusal
from gzchain.cli_support import runtime
from gzchain.domain.errors import PermissionDenied
from gzchain.services.api_keys import ApiKeyService

api_keys_app = typer.Typer(help="Agency credentials for the service API.", no_args_is_help=True)
console = Console()


def _service(rt: Runtime) -> ApiKeyService:
    return api_key_service(rt)


@api_keys_app.command("create")
def create(agency: Annotated[str, typer.Option(help="the agency the key acts as, e.g. gz-msa")]) -> None:
    """Issue an API key for an agency. It is shown once; only a keyed digest of it is kept."""
    with runtime() as rt:
        issued = _service(rt).create(agency)
    console.print(f"API key {issued.key_id} for {issued.agency_id} (shown once, store it safely):")
    typer.echo(issued.token)


@api_keys_app.command("list")
def list_keys() -> None:
    """List API keys (ids and agencies, never the secrets)."""
    with runtime() as rt:
        keys = _service(rt).list()
    table = Table(title="API keys")
    for column in ("key id", "agency", "created (UTC)", "revoked"):
        table.add_column(column)
    for k in keys:
        revoked = k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else ""
        table.add_row(k.key_id, k.agency_id, k.created_at.strftime("%Y-%m-%d %H:%M"), revoked)
    console.print(table)


@api_keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key id from `api-keys list`")]) -> None:
    """Revoke an API key at once."""
    with runtime() as rt:
        _service(rt).revoke(key_id)
    console.print(f"revoked {key_id}")


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    deploy: Annotated[bool, typer.Option(help="deploy the contracts first if they are not deployed")] = False,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "INFO",
    allow_demo_keys: Annotated[
        bool, typer.Option(help="sign with public demo keys even on a chain that is not a development one")
    ] = False,
) -> None:
    """Serve the API (and the citizen portal) over HTTP; the embedded chain persists in the data folder."""
    import uvicorn

    from gzchain.api.app import create_app
    from gzchain.api.observability import configure_logging
    from gzchain.api.server import server_config

    configure_logging(log_level.upper())
    with runtime() as rt:
        refusal = None if allow_demo_keys else demo_keys_refusal(rt.keys, rt.gateway.chain_id)
        if refusal is not None:
            raise PermissionDenied(refusal)
        if deploy:
            rt.deploy()
        # What a crash left pending is settled before any request is served.
        for owner, settled in rt.recover().items():
            if settled.confirmed or settled.removed or settled.pending:
                logging.getLogger("gzchain").info(
                    "recovered %s writes: %d confirmed, %d removed, %d still pending",
                    owner,
                    len(settled.confirmed),
                    len(settled.removed),
                    len(settled.pending),
                )
        # One process: the embedded chain lives in it, and the gateway serialises its writes.
        uvicorn.Server(server_config(create_app(rt), rt.settings, host, port)).run()
