"""`gzchain network`: generate the Besu QBFT network that docker-compose.yml runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gzchain.bootstrap import check_master_key_location, master_key_file
from gzchain.chain.deployment import load_genesis
from gzchain.chain.keys import DemoKeyRing, KeyRing
from gzchain.cli_support import EXIT_CODES, describe, err_console, state
from gzchain.domain.consortium import Genesis
from gzchain.domain.errors import GzchainError
from gzchain.network import generate
from gzchain.network.keystore import AgencyKeystore, open_agency_keystore
from gzchain.network.nodes import compose_hosts, validators
from gzchain.network.permissions import normalise_account, normalise_enode

network_app = typer.Typer(
    help="The production network: Hyperledger Besu QBFT validators with node and account permissioning.",
    no_args_is_help=True,
)
console = Console()

DEFAULT_OUT = Path("deploy/besu/network")
DEFAULT_KEYSTORE = Path("deploy/besu/keystore/agencies.json")  # docker-compose.yml's keys-init reads it
DEFAULT_VALIDATORS = 4
DEFAULT_CHAIN_ID = 1337

Repeated = list[str] | None


@network_app.command("init")
def init(
    count: Annotated[
        int | None,
        typer.Option("--validators", help="how many QBFT validators; default: the folder's, or 4"),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="folder to write (docker-compose.yml mounts the default)")
    ] = DEFAULT_OUT,
    chain_id: Annotated[
        int | None, typer.Option("--chain-id", help="the network's chain id; default: the folder's, or 1337")
    ] = None,
    genesis_file: Annotated[
        Path | None,
        typer.Option(
            "--genesis-file",
            envvar="GZCHAIN_GENESIS_FILE",
            help="genesis consortium whose agencies may transact; default: the shipped Guangzhou one",
        ),
    ] = None,
    hosts: Annotated[
        Repeated,
        typer.Option(
            "--host",
            help="each validator's IPv4, in order; default: the folder's, or docker-compose's addresses",
        ),
    ] = None,
    allow_nodes: Annotated[
        Repeated,
        typer.Option("--allow-node", help="also allow this enode (an agency's own node); remembered"),
    ] = None,
    allow_accounts: Annotated[
        Repeated, typer.Option("--allow-account", help="also allow this agency id or 0x account; remembered")
    ] = None,
    remove_nodes: Annotated[
        Repeated, typer.Option("--remove-node", help="forget an enode added with --allow-node")
    ] = None,
    remove_accounts: Annotated[
        Repeated, typer.Option("--remove-account", help="forget an account added with --allow-account")
    ] = None,
    keystore: Annotated[
        Path,
        typer.Option(
            "--keystore",
            envvar="GZCHAIN_KEYSTORE_FILE",
            help="the agencies' encrypted keystore, created or completed with fresh random keys",
        ),
    ] = DEFAULT_KEYSTORE,
    demo_keys: Annotated[
        bool,
        typer.Option("--demo-keys", help="allow the agencies' public DEMO addresses instead (trials only)"),
    ] = False,
) -> None:
    """Generate validator keys, the QBFT genesis, each node's Besu config and the permissioning files,
    and the agencies' encrypted keystore whose addresses the account allowlist admits.

    Run it again on the same folder to change the allowlists: the keys, and so the genesis, stay the same.
    """
    agency_keys: AgencyKeystore | None = None
    try:
        genesis = load_genesis(genesis_file or state.settings.genesis_file)
        # Malformed additions are refused before any key is made.
        for enode in [*(allow_nodes or ()), *(remove_nodes or ())]:
            normalise_enode(enode)
        for account in [*(allow_accounts or ()), *(remove_accounts or ())]:
            if account.startswith("0x"):
                normalise_account(account)
        if demo_keys:
            keyring: KeyRing = DemoKeyRing()
        else:
            agency_keys = _agency_keystore(keystore, genesis, allow_accounts or ())
            keyring = agency_keys.keyring
        previous = generate.read_summary(out)
        # Unless told otherwise, a second run describes the network already in the folder.
        if count is None:
            count = len(previous["validators"]) if previous else DEFAULT_VALIDATORS
        if chain_id is None:
            chain_id = previous["chain_id"] if previous else DEFAULT_CHAIN_ID
        if not hosts:
            kept = [v.get("host") for v in previous["validators"]] if previous else []
            hosts = kept if len(kept) == count and all(kept) else compose_hosts(count)
        node_keys, created = generate.node_keys(out, count)
        plan = generate.NetworkPlan(
            chain_id=chain_id,
            validators=tuple(validators(node_keys, hosts)),
            agencies=generate.agency_accounts(genesis, keyring),
            extra_nodes=generate.merge_additions(
                previous["extra_nodes"] if previous else (),
                allow_nodes or (),
                remove_nodes or (),
                normalise_enode,
            ),
            extra_accounts=generate.merge_additions(
                previous["extra_accounts"] if previous else (),
                [_account(keyring, a) for a in allow_accounts or ()],
                [_account(keyring, a) for a in remove_accounts or ()],
                normalise_account,
            ),
        )
        generate.check_same_network(previous, plan)
        written = generate.write_network(out, plan)
    except GzchainError as exc:
        err_console.print(f"[bold red]error:[/] {describe(exc)}")
        raise typer.Exit(EXIT_CODES.get(type(exc), 1)) from None

    table = Table(title=f"QBFT network, chain {plan.chain_id}, in {out}")
    for column in ("validator", "address", "enode"):
        table.add_column(column)
    for node in plan.validators:
        table.add_row(node.name, node.address, f"{node.enode[:20]}…@{node.enode.split('@')[1]}")
    console.print(table)
    console.print(
        f"allowed: {len(plan.node_allowlist)} node(s), {len(plan.account_allowlist)} account(s); "
        f"{created} new validator key(s); {len(written)} file(s) written"
    )
    if agency_keys is None:
        console.print(
            "[yellow]note:[/] the account allowlist holds the agencies' DEMO addresses, whose private keys "
            "anyone can derive; run without --demo-keys to allow keys of their own"
        )
        return
    _report_keystore(keystore, agency_keys)


def _report_keystore(path: Path, agency_keys: AgencyKeystore) -> None:
    master = agency_keys.master_key_file
    created = " (created, mode 600)" if agency_keys.created_master_key else ""
    console.print(f"agency keys: {path}, mode 600, {len(agency_keys.created)} new key(s)")
    console.print(f"master key: {master}{created}" if master else "master key: from GZCHAIN_MASTER_KEY")
    serve_with = f"GZCHAIN_KEYSTORE_FILE={path}" + (f" GZCHAIN_MASTER_KEY_FILE={master}" if master else "")
    console.print(
        f"serve with {serve_with}; keep a copy of the master key apart from the keystore: without it the "
        "keys are lost"
    )


def _agency_keystore(path: Path, genesis: Genesis, allow_accounts: list[str]) -> AgencyKeystore:
    """The keystore at `path`, with a key for every genesis agency and every agency id being allowed."""
    settings = state.settings.model_copy(update={"keystore_file": path})
    key_file = master_key_file(settings)
    if key_file is not None:
        check_master_key_location(settings, key_file)
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    agency_keys = open_agency_keystore(path, secret, key_file)
    agency_keys.ensure([a.id for a in genesis.agencies])
    agency_keys.ensure([a for a in allow_accounts if not a.startswith("0x")])
    return agency_keys


def _account(keyring: KeyRing, who: str) -> str:
    """A 0x address as given, or the address of an agency id in the keyring."""
    return who if who.startswith("0x") else keyring.address(who)
