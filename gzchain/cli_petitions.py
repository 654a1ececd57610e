"""`gzchain petition` (the agencies' side and public reads) and the resident's `gzchain wallet petition-…`
commands (a credential key and receipts in an encrypted wallet file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gzchain.cli_certificates import wallet_app, wallet_state
from gzchain.cli_support import AsAgency, console, reported_errors, runtime
from gzchain.domain.errors import Conflict, InvalidInput, NotFound
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.rules import DAY, Rules
from gzchain.domain.petitions.states import PetitionState
from gzchain.services.petitions import PetitionsService
from gzchain.services.petitions.queries import PetitionView
from gzchain.services.petitions.relay import Vote
from gzchain.services.petitions.wallet import PetitionWallet

petition_app = typer.Typer(
    help="Residents' e-petitions: read them; enrol, publish, reject, respond as the agency with the role.",
    no_args_is_help=True,
)
PetitionId = Annotated[int, typer.Argument(help="the petition's number", min=1)]
Passphrase = Annotated[
    str,
    typer.Option(
        "--passphrase",
        envvar="GZCHAIN_WALLET_PASSPHRASE",
        prompt="wallet passphrase",
        hide_input=True,
        help="opens the petition wallet (or GZCHAIN_WALLET_PASSPHRASE)",
    ),
]


def _time(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC") if timestamp else "—"


def _show(view: PetitionView) -> None:
    c = view.chain
    console.rule(f"[bold]#{c.id} {view.title or '(words not in this store)'}[/] — {c.state.slug}")
    if view.text.text is not None:
        console.print(view.text.text)
    console.print(
        f"words {'[green]verified against the chain[/]' if view.text.verified else '[red]NOT verified[/]'}"
    )
    if c.threshold:
        console.print(
            f"supporters {c.supporters:,} of {c.threshold:,}; support until {_time(c.support_ends_at)}"
        )
    if c.response_due_at:
        console.print(f"response due {_time(c.response_due_at)}")
    if view.rejection is not None:
        reason = view.rejection_reason.slug if view.rejection_reason else c.rejection_code
        console.print(f"rejected ({reason}): {view.rejection.text} [{_mark(view.rejection.verified)}]")
    if view.response is not None:
        late = " (late)" if view.late else ""
        console.print(f"response{late}: {view.response.text} [{_mark(view.response.verified)}]")


def _mark(verified: bool) -> str:
    return "verified" if verified else "NOT verified"


def _table(views: list[PetitionView], title: str) -> None:
    table = Table(title=title)
    for column in ("#", "title", "state", "supporters", "support until", "response due"):
        table.add_column(column)
    for v in views:
        c = v.chain
        supporters = f"{c.supporters:,}/{c.threshold:,}" if c.threshold else "—"
        table.add_row(
            str(c.id),
            v.title or "?",
            c.state.slug,
            supporters,
            _time(c.support_ends_at),
            _time(c.response_due_at),
        )
    console.print(table)


# ---- public reads ----


@petition_app.command("list")
def list_petitions(
    state: Annotated[str | None, typer.Option(help="open, overdue, responded, …")] = None,
) -> None:
    """List petitions, newest first."""
    with runtime() as rt:
        wanted = PetitionState.parse(state) if state else None
        _table(rt.petitions().queries.petitions(wanted), "Petitions")


@petition_app.command("overdue")
def overdue() -> None:
    """Petitions that reached the threshold and passed their response deadline unanswered."""
    with runtime() as rt:
        _table(rt.petitions().queries.overdue(), "Overdue petitions")


@petition_app.command("show")
def show(petition_id: PetitionId) -> None:
    """One petition: its words checked against the chain, its progress and its answer."""
    with runtime() as rt:
        _show(rt.petitions().queries.petition(petition_id))


@petition_app.command("rules")
def rules() -> None:
    """The rules new petitions are published under."""
    with runtime() as rt:
        current = rt.petitions().queries.rules()
    console.print(
        f"threshold {current.threshold:,} supporters; support {current.support_period_s // DAY} days; "
        f"response within {current.response_period_s // DAY} days"
    )


# ---- agencies ----


@petition_app.command("enrol")
def enrol(
    as_agency: AsAgency,
    name: Annotated[str, typer.Option(help="the resident's real name (checked, not kept)")],
    id_number: Annotated[
        str, typer.Option("--id-number", help="GB 11643 ID number (checked, kept only as HMAC)")
    ],
    credential: Annotated[str, typer.Option(help="the resident's credential (from `wallet petition-key`)")],
    proof: Annotated[str, typer.Option(help="the resident's proof of holding the key (same place)")],
) -> None:
    """Enrol a resident after the real-name check (IDENTITY_AUTHORITY); the same person again re-enrols."""
    with runtime() as rt:
        done = _as(rt.petitions(), as_agency).authority.enrol(name, id_number, credential, proof)
    replaced = f"; their old credential {done.replaced} is revoked" if done.replaced else ""
    console.print(f"[green]✓[/] enrolled {done.credential}{replaced}")


@petition_app.command("revoke")
def revoke(as_agency: AsAgency, credential: Annotated[str, typer.Argument(help="0x credential")]) -> None:
    """Revoke a credential (IDENTITY_AUTHORITY)."""
    with runtime() as rt:
        _as(rt.petitions(), as_agency).authority.revoke(credential)
    console.print(f"[green]✓[/] revoked {credential}")


@petition_app.command("publish")
def publish(as_agency: AsAgency, petition_id: PetitionId) -> None:
    """Open a proposed petition for support (PETITIONS_OFFICE)."""
    with runtime() as rt:
        service = rt.petitions()
        service.office.publish(as_agency, petition_id)
        _show(service.queries.petition(petition_id))


@petition_app.command("reject")
def reject(
    as_agency: AsAgency,
    petition_id: PetitionId,
    reason_code: Annotated[
        str, typer.Option("--reason-code", help=", ".join(r.slug for r in RejectionReason))
    ],
    reason: Annotated[str, typer.Option(help="the office's words (kept off chain, hashed on chain)")],
) -> None:
    """Reject a proposed petition with a reason (PETITIONS_OFFICE)."""
    with runtime() as rt:
        service = rt.petitions()
        service.office.reject(as_agency, petition_id, RejectionReason.parse(reason_code), reason)
        _show(service.queries.petition(petition_id))


@petition_app.command("respond")
def respond(
    as_agency: AsAgency,
    petition_id: PetitionId,
    text: Annotated[str, typer.Option(help="the answer (kept off chain, hashed on chain)")],
) -> None:
    """Answer a petition that reached its threshold (MAYOR_OFFICE)."""
    with runtime() as rt:
        service = rt.petitions()
        service.office.respond(as_agency, petition_id, text)
        _show(service.queries.petition(petition_id))


@petition_app.command("propose-rules")
def propose_rules(
    as_agency: AsAgency,
    threshold: Annotated[int, typer.Option(help="supporters that oblige an answer")],
    support_days: Annotated[int, typer.Option("--support-days")] = 30,
    response_days: Annotated[int, typer.Option("--response-days")] = 30,
) -> None:
    """Propose new petition rules (GOVERNOR); they apply once enough governors approve (M of N)."""
    with runtime() as rt:
        outcome = rt.petitions().rules.propose(
            as_agency, Rules(threshold, support_days * DAY, response_days * DAY)
        )
    console.print(
        f"[green]✓[/] rules change {outcome.change_id}: {outcome.approvals} approval(s), "
        f"executed={outcome.executed}"
    )


@petition_app.command("approve-rules")
def approve_rules(as_agency: AsAgency, change_id: Annotated[int, typer.Argument(min=1)]) -> None:
    """Approve a pending rules change (GOVERNOR)."""
    with runtime() as rt:
        outcome = rt.petitions().rules.approve(as_agency, change_id)
    console.print(
        f"[green]✓[/] rules change {change_id}: {outcome.approvals} approval(s), executed={outcome.executed}"
    )


def _as(service: PetitionsService, agency: str) -> PetitionsService:
    """The authority acts with the key of the agency named by --as (which the contract checks)."""
    service.authority.agency_id = agency
    return service


# ---- the resident's wallet ----


def _wallet_file() -> Path:
    return wallet_state.folder / "petitions.wallet"


@wallet_app.command("petition-key")
def wallet_petition_key(
    passphrase: Passphrase,
    new: Annotated[
        bool, typer.Option("--new", help="replace a lost or compromised key (then re-enrol)")
    ] = False,
) -> None:
    """Make (or show) the resident's credential key; prints what the identity authority needs to enrol it."""
    with reported_errors():
        path = _wallet_file()
        if new or not path.exists():
            wallet = PetitionWallet.create(path, passphrase, replace=new)
        else:
            wallet = PetitionWallet.open(path, passphrase)
    console.print(f"credential {wallet.credential}")
    console.print(f"proof      {wallet.enrolment_proof()}")
    console.print("Take both, with your ID card, to the identity authority to enrol.")


@wallet_app.command("petition-propose")
def wallet_petition_propose(
    passphrase: Passphrase,
    title: Annotated[str, typer.Option(help="a one-line title")],
    text_file: Annotated[Path, typer.Option("--text-file", help="the proposal's text (UTF-8)")],
) -> None:
    """Propose a petition, signed by your enrolled credential."""
    with runtime() as rt:
        wallet = PetitionWallet.open(_wallet_file(), passphrase)
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read: {exc}", field=str(text_file)) from None
        service = rt.petitions()
        signed = wallet.sign("propose", {"title": title, "text": text}, service.chain.now())
        petition_id = service.resident_propose(title, text, **signed)
    console.print(f"[green]✓[/] proposed petition #{petition_id}; the petitions office reviews it")


@wallet_app.command("petition-vote")
def wallet_petition_vote(
    passphrase: Passphrase,
    petitions: Annotated[list[int], typer.Argument(help="petitions to support")],
    tokens_for_all: Annotated[
        bool,
        typer.Option(
            "--tokens-for-all/--tokens-only-for-these",
            help="ask for a token for every open petition, so the authority cannot tell which you support",
        ),
    ] = True,
) -> None:
    """Support petitions: a blind-signed token for each (once), sent anonymously through the relay."""
    with runtime() as rt:
        wallet = PetitionWallet.open(_wallet_file(), passphrase)
        service = rt.petitions()
        wanted = set(petitions)
        asked = wanted | (
            {v.chain.id for v in service.queries.petitions(PetitionState.OPEN)} if tokens_for_all else set()
        )
        for petition_id in sorted(asked):
            if wallet.receipt(petition_id) is None:
                _fetch_token(service, wallet, petition_id)
        for petition_id in sorted(wanted):
            receipt = wallet.receipt(petition_id)
            assert receipt is not None
            (result,) = service.relay.submit(petition_id, [Vote(receipt.token, receipt.signature)])
            shown = "counted" if result.counted else f"not counted: {result.refused}"
            console.print(f"petition #{petition_id}: {shown} (nullifier 0x{result.nullifier.hex()})")


def _fetch_token(service: PetitionsService, wallet: PetitionWallet, petition_id: int) -> None:
    key = service.chain.token_key(petition_id)
    if key is None:
        raise NotFound(f"petition {petition_id} has no token key")

    def ask(blinded: bytes) -> bytes:
        fields = {"petition_id": petition_id, "blinded": "0x" + blinded.hex()}
        signed = wallet.sign("token", fields, service.chain.now())
        return service.resident_token(petition_id, blinded, **signed)

    try:
        wallet.token_for(petition_id, key, ask)
    except Conflict as exc:
        console.print(f"petition #{petition_id}: no new token ({exc})")


@wallet_app.command("petition-receipts")
def wallet_petition_receipts(passphrase: Passphrase) -> None:
    """Your petition receipts, and whether each vote counted (the chain's word; your token stays here)."""
    with runtime() as rt:
        wallet = PetitionWallet.open(_wallet_file(), passphrase)
        queries = rt.petitions().queries
        table = Table(title="Petition receipts")
        for column in ("petition", "nullifier", "counted"):
            table.add_column(column)
        for receipt in wallet.receipts():
            counted = queries.counted(receipt.petition_id, receipt.nullifier)
            table.add_row(
                f"#{receipt.petition_id}",
                "0x" + receipt.nullifier.hex()[:16] + "…",
                "yes" if counted else "no",
            )
    console.print(table)
