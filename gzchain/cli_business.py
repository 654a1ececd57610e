"""`gzchain business`: register, amend and change the status of businesses; notarise and verify filings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gzchain.chain.transactions import Receipt
from gzchain.cli_support import AsAgency, describe_reason, reason_code_option, runtime
from gzchain.domain.bounded_json import JsonTooDeep, load_json_bounded
from gzchain.domain.business import BusinessRecord, ShareholderKind
from gzchain.domain.business_commitment import SCHEME_LEGACY, SCHEME_SALTED
from gzchain.domain.errors import InvalidInput
from gzchain.domain.reasons import ReasonAction
from gzchain.domain.registry import (
    BusinessLookup,
    DocumentType,
    FileVerification,
    Filing,
    RecordVersion,
    describe_change,
    file_hash,
    masked,
    masked_name,
    parse_file_hash,
)
from gzchain.services.business import FilingChange, RegistryChange

business_app = typer.Typer(
    help="Business registration keyed by USCC, and notarised filings anyone can verify.", no_args_is_help=True
)
console = Console()

# Exit code of the public checks (`show`, `verify-file`) when the answer is "no": distinct from errors.
EXIT_NOT_VERIFIED = 1

Uscc = Annotated[str, typer.Argument(help="the business's 18-character Unified Social Credit Code")]
RecordFile = Annotated[
    Path,
    typer.Argument(
        help="the full registration record, a JSON object: uscc, name, legal_representative {name, "
        "id_number}, registered_capital {amount, currency}, address, business_scope, shareholders [{name, "
        "kind: natural_person|legal_person, identifier, contribution}], establishment_date (YYYY-MM-DD)"
    ),
]


class StatusAction(StrEnum):
    suspend = "suspend"
    reinstate = "reinstate"
    deregister = "deregister"


@business_app.command("register")
def register(as_agency: AsAgency, record_file: RecordFile) -> None:
    """Register a new business (REGISTRAR): its record's hash goes on chain as version 1."""
    with runtime() as rt:
        _report_change(rt.business().register(as_agency, _read_record(record_file)))


@business_app.command("amend")
def amend(as_agency: AsAgency, record_file: RecordFile) -> None:
    """Record an amended registration record as a new version (REGISTRAR); what changed is worked out."""
    with runtime() as rt:
        _report_change(rt.business().amend(as_agency, _read_record(record_file)))


@business_app.command("status")
def status(
    action: Annotated[
        StatusAction,
        typer.Argument(help="suspend (list for abnormal operations), reinstate, or deregister (final)"),
    ],
    uscc: Uscc,
    as_agency: AsAgency,
    reason_code: Annotated[
        str,
        reason_code_option((ReasonAction.SUSPEND, ReasonAction.REINSTATE, ReasonAction.DEREGISTER)),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="why, in words: kept in the store, a salted hash on chain")
    ],
) -> None:
    """Suspend, reinstate or deregister a business (REGISTRAR)."""
    with runtime() as rt:
        service = rt.business()
        change = getattr(service, action.value)(as_agency, uscc, reason_code, reason)
        _report_change(change)


@business_app.command("erase-personal-data")
def erase_personal_data(uscc: Uscc, as_agency: AsAgency) -> None:
    """Erase a deregistered business's personal data and its salts (REGISTRAR; PIPL art. 47).

    The chain's commitments stay: without the salts they reveal nothing; public fields stay provable.
    """
    with runtime() as rt:
        erasure = rt.business().erase_personal_data(as_agency, uscc)
    versions = ", ".join(str(number) for number in erasure.versions) or "none left to erase"
    console.print(
        f"[green]✓[/] erased the personal data of {erasure.uscc} (versions: {versions}) "
        f"on {erasure.at:%Y-%m-%d %H:%M:%S} UTC by {erasure.by}"
    )


@business_app.command("show")
def show(uscc: Uscc) -> None:
    """Look a business up (public): record, history and filings, each checked against the chain.

    Exits 1 if the store disagrees with the chain anywhere (a stored record was altered).
    """
    with runtime() as rt:
        lookup = rt.business().lookup(uscc)
    _render_lookup(lookup)
    if not lookup.verified:
        raise typer.Exit(EXIT_NOT_VERIFIED)


@business_app.command("notarise")
def notarise(
    as_agency: AsAgency,
    uscc: Uscc,
    file: Annotated[Path, typer.Argument(help="the document; its SHA-256 goes on chain, never its content")],
    document_type: Annotated[
        str,
        typer.Option(
            "--type", help="; ".join(kind.slug for kind in DocumentType) + " (a registrar: licence, decision)"
        ),
    ],
) -> None:
    """Notarise a document filed for a business (NOTARY, or REGISTRAR for the documents it issues)."""
    with runtime() as rt:
        kind = DocumentType.parse(document_type)
        outcome = rt.business().notarise(as_agency, uscc, _read_bytes(file), kind)
    _report_filing(f"notarised {file.name} ({kind.label}) for {outcome.uscc}", outcome)


@business_app.command("revoke-notarisation")
def revoke_notarisation(
    as_agency: AsAgency,
    notarised: Annotated[str, typer.Argument(help="the notarised file, or its SHA-256 as 64 hex digits")],
    reason_code: Annotated[str, reason_code_option((ReasonAction.REVOKE_NOTARISATION,))],
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help="why, e.g. the court ruling that annulled it: kept in the store, hashed on chain"
        ),
    ],
) -> None:
    """Revoke a notarisation (only the agency that made it); it stays on record, marked revoked."""
    with runtime() as rt:
        outcome = rt.business().revoke_notarisation(
            as_agency, _file_hash_or_file(notarised), reason_code, reason
        )
    _report_filing(f"revoked the notarisation of {_short(outcome.file_hash)} for {outcome.uscc}", outcome)


@business_app.command("verify-file")
def verify_file(
    file: Annotated[Path, typer.Argument(help="the file to check, byte for byte")],
) -> None:
    """Check a file (public): was it notarised, for which business, by whom, when, is it revoked?

    Exits 0 when the file is notarised and in force, 1 when it is not notarised or was revoked.
    """
    with runtime() as rt:
        verification = rt.business().verify_file(_read_bytes(file))
    _render_verification(file.name, verification)
    if not verification.valid:
        raise typer.Exit(EXIT_NOT_VERIFIED)


# ---- input ----


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", field=str(path)) from None


def _read_record(path: Path) -> dict[str, Any]:
    # Decimal, not float: an amount such as 1000000.10 must reach the record exactly as written.
    try:
        data = load_json_bounded(_read_bytes(path), field=str(path), parse_float=Decimal)
    except JsonTooDeep:
        raise
    except InvalidInput as exc:
        raise InvalidInput(f"is not a UTF-8 JSON file: {exc.reason}", field=str(path)) from None
    if not isinstance(data, dict):
        raise InvalidInput("must hold one JSON object: the registration record", field=str(path))
    return data


def _file_hash_or_file(text: str) -> bytes:
    path = Path(text)
    if path.is_file():
        return file_hash(_read_bytes(path))
    return parse_file_hash(text)


# ---- output ----


def _time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _short(value: bytes | str) -> str:
    text = "0x" + value.hex() if isinstance(value, bytes) else value
    return text[:10] + "…" + text[-6:]


def _proof(receipt: Receipt) -> str:
    return f"tx {receipt.tx_hash} in block {receipt.block_number} (gas {receipt.gas_used:,})"


def _report_change(change: RegistryChange) -> None:
    console.print(
        f"[green]✓[/] {change.uscc} version {change.version}: {describe_change(change.change_type)}; "
        f"record hash 0x{change.record_hash.hex()}"
    )
    console.print(f"  {_proof(change.receipt)}")


def _report_filing(text: str, outcome: FilingChange) -> None:
    console.print(f"[green]✓[/] {text}; file hash 0x{outcome.file_hash.hex()}")
    console.print(f"  {_proof(outcome.receipt)}")


def _store_check(v: RecordVersion) -> str:
    if not v.verified:
        return "[red]✗ mismatch[/]"
    if v.unchecked_public_part is not None:
        return "[yellow]erased, unchecked (legacy)[/]"
    return "[green]✓ matches[/]"


def _render_lookup(lookup: BusinessLookup) -> None:
    record = lookup.record
    last = lookup.versions[-1] if lookup.versions else None
    public_name = last.public_part.get("name") if last is not None and last.public_part else None
    if last is not None and last.unchecked_public_part:
        # An erased legacy version: nothing on chain checks what is left, so it is labelled unchecked.
        public_name = f"{last.unchecked_public_part.get('name')} (as stored; unchecked: erased legacy record)"
    title = record.name if record else public_name or "(record unavailable: see the problems below)"
    console.rule(f"[bold]{title}")
    console.print(f"USCC {lookup.uscc} · status [bold]{lookup.status.label}[/]")
    console.print(f"registered {_time(lookup.registered_at)} by {lookup.registrar_name}")
    console.print(f"current record hash 0x{lookup.record_hash.hex()} (version {len(lookup.versions)})")
    if record is not None:
        _render_record(record)
    erased = lookup.versions[-1] if lookup.versions and lookup.versions[-1].erased else None
    if erased is not None and erased.erased_at is not None:
        console.print(
            f"[yellow]personal data erased[/] on {erased.erased_at:%Y-%m-%d %H:%M:%S} UTC "
            f"by {erased.erased_by}: legal representative, ID numbers, natural-person shareholders"
        )
    history = Table(title="History (each version's record hash is on chain)")
    for column in ("v", "change", "by", "time", "reason", "commitment", "tx", "block", "store"):
        history.add_column(column)
    for v in lookup.versions:
        history.add_row(
            str(v.number),
            describe_change(v.change_type),
            v.agency_name,
            _time(v.at),
            describe_reason(v.reason),
            _commitment(v.scheme),
            v.proof.tx_hash if v.proof else "-",
            str(v.proof.block_number) if v.proof else "-",
            _store_check(v),
        )
    console.print(history)
    if lookup.filings:
        console.print(_filings_table(lookup.filings))
    if lookup.verified:
        console.print("[green]✓ every stored version and filing matches the chain[/]")
    else:
        console.print(f"[bold red]✗ the store disagrees with the chain ({len(lookup.problems)}):[/]")
        for problem in lookup.problems:
            console.print(f"  [red]•[/] {problem}")


def _commitment(scheme: str | None) -> str:
    if scheme == SCHEME_LEGACY:
        # Recorded before salted commitments: the record's plain SHA-256, which can be brute-forced.
        return "[yellow]legacy SHA-256[/] (amend to migrate)"
    return "salted" if scheme == SCHEME_SALTED else "-"


def _render_record(record: BusinessRecord) -> None:
    # The public view: the legal representative's name is a public register entry; ID numbers and
    # natural-person shareholders' names are not.
    legal_rep = record.legal_representative
    capital = record.registered_capital
    console.print(f"legal representative {legal_rep.name} (ID {masked(legal_rep.id_number)})")
    console.print(
        f"registered capital {capital.amount} {capital.currency} · established {record.establishment_date}"
    )
    console.print(f"address {record.address}")
    console.print(f"business scope {record.business_scope}")
    for holder in record.shareholders:
        natural = holder.kind is ShareholderKind.NATURAL_PERSON
        identifier = masked(holder.identifier) if natural else holder.identifier
        name = masked_name(holder.name) if natural else holder.name
        contribution = holder.contribution
        console.print(f"  shareholder {name} ({identifier}): {contribution.amount} {contribution.currency}")


def _filings_table(filings: tuple[Filing, ...]) -> Table:
    table = Table(title="Notarised filings")
    for column in ("file hash", "document", "notarised by", "time", "tx", "block", "state"):
        table.add_column(column)
    for f in filings:
        state = (
            f"[yellow]revoked[/]: {describe_reason(f.revocation.reason)}"
            if f.revocation
            else "[green]in force[/]"
        )
        if f.problem:
            state += f" [red]✗ {f.problem}[/]"
        table.add_row(
            _short(f.file_hash),
            f.document_type.label,
            f.notary_name,
            _time(f.notarised_at),
            f.proof.tx_hash if f.proof else "-",
            str(f.proof.block_number) if f.proof else "-",
            state,
        )
    return table


def _render_verification(name: str, verification: FileVerification) -> None:
    filing = verification.filing
    digest = "0x" + verification.file_hash.hex()
    if filing is None:
        console.print(f"[bold red]✗ {name} was never notarised[/] (SHA-256 {digest})")
        console.print("  a file altered by even one byte has another hash and fails this check")
        return
    business = verification.business_name or "(name not in this store)"
    verdict = "[bold green]✓ notarised[/]" if filing.in_force else "[bold yellow]✗ notarised, then revoked[/]"
    console.print(f"{verdict}: {name} (SHA-256 {digest})")
    console.print(f"  {filing.document_type.label} of {business}, USCC {filing.uscc}")
    console.print(f"  by {filing.notary_name} on {_time(filing.notarised_at)}")
    if filing.proof:
        console.print(f"  tx {filing.proof.tx_hash} in block {filing.proof.block_number}")
    if filing.revocation:
        r = filing.revocation
        console.print(f"  revoked by {r.revoked_by_name} on {_time(r.at)}: {describe_reason(r.reason)}")
        if r.proof:
            console.print(f"  tx {r.proof.tx_hash} in block {r.proof.block_number}")
