"""`gzchain cert` (issue, verify, revoke, obfuscate electronic certificates) and `gzchain wallet` (keep and
present them)."""

from __future__ import annotations

import enum
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gzchain.chain.transactions import Receipt
from gzchain.cli_support import AsAgency, reported_errors, runtime, state
from gzchain.domain.certificates.disclosure import ALWAYS_DISCLOSED, disclosable_fields
from gzchain.domain.certificates.revocation import RevocationReason, parse_hash
from gzchain.domain.certificates.verification import Status, Verdict
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import check_signature, get_data, obfuscate
from gzchain.labels import portal_base, verify_url, write_qr
from gzchain.services.certificates import RevocationRecorded, Wallet
from gzchain.services.certificates.bulk import LINES_FILE
from gzchain.services.certificates.lines import read_line
from gzchain.services.certificates.templates import builtin_templates, load_template
from gzchain.services.certificates.wallet import read_document

cert_app = typer.Typer(
    help="Electronic certificates (OpenAttestation v2): issue in batches, verify, revoke, obfuscate.",
    no_args_is_help=True,
)
wallet_app = typer.Typer(
    help="The citizen's wallet: keep certificates and present only chosen fields.", no_args_is_help=True
)
console = Console()

# Exit code of `cert verify` for a certificate that is not valid: distinct from errors (2-7).
EXIT_NOT_VALID = 1

CertificateFile = Annotated[Path, typer.Argument(help="a wrapped certificate (.json)")]
STATUS_STYLE = {Status.VALID: "green", Status.INVALID: "red", Status.ERROR: "yellow"}


class OutputFormat(enum.StrEnum):
    """How `cert issue` writes its batch folder: the formats of CertificateService.issue_batch."""

    FILES = "files"
    JSONL = "jsonl"


# ---- templates and stores ----


@cert_app.command("templates")
def templates() -> None:
    """List the certificate templates shipped with gzchain and the fields their records need."""
    for template in builtin_templates().values():
        table = Table(title=f"{template.id}: {template.title}", title_justify="left")
        for column in ("field", "type", "required", "description"):
            table.add_column(column)
        for spec in template.fields.values():
            table.add_row(spec.name, spec.type, "yes" if spec.required else "no", spec.description)
        console.print(table)


@cert_app.command("create-store")
def create_store(as_agency: AsAgency) -> None:
    """Create the agency's document store through the factory (CERT_ISSUER; one per agency)."""
    with runtime() as rt:
        created = rt.certificates().create_store(as_agency)
    if created.receipt is None:
        console.print(f"{as_agency} already issues from document store {created.address}")
        return
    console.print(f"[green]✓[/] document store {created.address} created for {as_agency}")
    console.print(f"  {_proof(created.receipt)}")


# ---- issuing ----


class _RichProgress:
    """Shows each stage of a batch as a bar of its own."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def stage(self, name: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[self._task].total)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        self._progress.advance(self._task, steps)


@cert_app.command("issue")
def issue(
    as_agency: AsAgency,
    records: Annotated[Path, typer.Argument(help="the records, one certificate each: a .csv or .json file")],
    template: Annotated[
        str,
        typer.Option("--template", help="a template id (see `gzchain cert templates`) or a template file"),
    ],
    out: Annotated[Path, typer.Option("--out", help="a new folder for the wrapped certificates")],
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="processes wrapping large batches; default: CPUs")
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--output-format",
            help=f"files: one <number>.json per certificate; jsonl: one {LINES_FILE}, a certificate a line "
            "in record order (far faster for huge batches; take one out with `cert extract`)",
        ),
    ] = OutputFormat.FILES,
) -> None:
    """Issue a batch: check every record, wrap all, anchor their Merkle root in ONE transaction.

    A bad record stops everything before the chain is touched, naming its row and field.
    """
    with runtime() as rt:
        chosen = load_template(template)
        columns = (
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bar:
            batch = rt.certificates().issue_batch(
                as_agency,
                chosen,
                records,
                out,
                progress=_RichProgress(bar),
                workers=workers,
                output_format=output_format.value,
            )
    if batch.store_created is not None:
        console.print(f"[green]✓[/] created the agency's document store: {_proof(batch.store_created)}")
    console.print(
        f"[green]✓[/] issued {batch.count:,} certificates ({chosen.id}) in one transaction; "
        f"Merkle root {batch.merkle_root.hex()}"
    )
    console.print(f"  on document store {batch.document_store}: {_proof(batch.receipt)}")
    where = batch.folder / LINES_FILE if output_format is OutputFormat.JSONL else batch.folder
    console.print(f"  wrapped certificates in {where}")
    timings = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in batch.seconds.items())
    console.print(f"  {timings}")


@cert_app.command("anchor")
def anchor(
    as_agency: AsAgency,
    documents: Annotated[list[Path], typer.Argument(help="certificates of one batch wrapped elsewhere")],
) -> None:
    """Issue on the agency's store the root of certificates wrapped by other OpenAttestation tools."""
    with runtime() as rt:
        batch = rt.certificates().anchor(as_agency, [read_document(path) for path in documents])
    console.print(f"[green]✓[/] issued batch {batch.merkle_root.hex()} ({batch.count} certificate(s) given)")
    console.print(f"  on document store {batch.document_store}: {_proof(batch.receipt)}")


@cert_app.command("batches")
def batches(
    as_agency: Annotated[str | None, typer.Option("--as", help="only this agency's batches")] = None,
) -> None:
    """List the batches issued through this gzchain (its store's index), newest first."""
    with runtime() as rt:
        found = rt.certificates().batches(as_agency)
    table = Table(title="Issued certificate batches")
    for column in ("Merkle root", "template", "certificates", "store", "issued (UTC)", "block", "tx"):
        table.add_column(column)
    for b in found:
        table.add_row(
            b.merkle_root,
            b.template,
            f"{b.count:,}",
            b.document_store,
            _time(b.issued_at),
            str(b.block_number),
            b.tx_hash,
        )
    console.print(table)


# ---- verifying ----


LineOption = Annotated[
    int | None,
    typer.Option("--line", min=1, help=f"take the certificate on this line (from 1) of a {LINES_FILE} batch"),
]


@cert_app.command("verify")
def verify(
    file: CertificateFile,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdict as JSON")] = False,
    line: LineOption = None,
) -> None:
    """Verify a certificate (anyone): integrity, status, issuer identity, validity period.

    Exits 0 when every check is VALID, 1 when any is INVALID or ERROR.
    """
    with runtime() as rt:
        document = read_document(file) if line is None else read_line(file, line)
        verdict = rt.certificates().verify(document)
    if as_json:
        console.print_json(json.dumps(_verdict_json(verdict), ensure_ascii=False))
    else:
        _render_verdict(file.name if line is None else f"{file.name} line {line}", verdict)
    if not verdict.valid:
        raise typer.Exit(EXIT_NOT_VALID)


@cert_app.command("extract")
def extract(
    file: Annotated[Path, typer.Argument(help=f"a batch written as JSON Lines ({LINES_FILE})")],
    line: Annotated[int, typer.Option("--line", min=1, help="the certificate's line, from 1 (record order)")],
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of to stdout")] = None,
) -> None:
    """Take one certificate out of a JSON Lines batch as a file of its own (for the wallet, or to send)."""
    with reported_errors():
        _emit(read_line(file, line), out)


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    revocation = verdict.revocation
    return {
        "valid": verdict.valid,
        "fragments": [
            {"name": f.check.value, "status": f.status.value, "reason": f.reason} for f in verdict.fragments
        ],
        "revocation": None
        if revocation is None
        else {
            "hash": revocation.hash.hex(),
            "block": revocation.block_number,
            "revokedAt": revocation.revoked_at,
            "reason": revocation.reason.slug,
            "text": revocation.text,
        },
    }


def _render_verdict(name: str, verdict: Verdict) -> None:
    table = Table(title=f"Verification of {name}", title_justify="left")
    for column in ("check", "status", "why"):
        table.add_column(column)
    for f in verdict.fragments:
        style = STATUS_STYLE[f.status]
        table.add_row(f.check.label, f"[{style}]{f.status.value}[/]", f.reason)
    console.print(table)
    if verdict.valid:
        console.print("[bold green]✓ VALID[/]")
    elif verdict.revocation is not None:
        console.print(f"[bold red]✗ REVOKED[/]: {verdict.revocation.describe()}")
    else:
        console.print("[bold red]✗ NOT VALID[/]")


# ---- revoking ----


@cert_app.command("revoke")
def revoke(
    as_agency: AsAgency,
    target: Annotated[
        str, typer.Argument(help="a wrapped certificate file, or a targetHash / Merkle root (64 hex digits)")
    ],
    reason_code: Annotated[
        str,
        typer.Option("--reason-code", help="; ".join(reason.slug for reason in RevocationReason)),
    ],
    reason: Annotated[str, typer.Option("--reason", help="why, in words (kept off chain, with the issuer)")],
    batch: Annotated[
        bool, typer.Option("--batch", help="revoke the certificate's whole batch (its Merkle root)")
    ] = False,
) -> None:
    """Revoke one certificate, or a whole batch, with a reason code (on chain) and words (off chain)."""
    with runtime() as rt:
        code = RevocationReason.parse(reason_code)
        service = rt.certificates()
        path = Path(target)
        if path.is_file():
            recorded = service.revoke_document(
                as_agency, read_document(path), code, reason, whole_batch=batch
            )
        elif batch:
            raise InvalidInput(
                "--batch needs the certificate file; a hash alone is revoked as given", field="--batch"
            )
        else:
            recorded = service.revoke_hash(as_agency, parse_hash(target, "target"), code, reason)
    _report_revocation(recorded)


def _report_revocation(recorded: RevocationRecorded) -> None:
    console.print(
        f"[green]✓[/] revoked {recorded.scope} 0x{recorded.revoked_hash.hex()} for {recorded.reason.label}: "
        f"{recorded.text}"
    )
    console.print(f"  on document store {recorded.document_store}: {_proof(recorded.receipt)}")


# ---- obfuscating ----


@cert_app.command("obfuscate")
def obfuscate_command(
    file: CertificateFile,
    fields: Annotated[
        list[str], typer.Argument(help="dotted paths of the fields to hide, e.g. recipient.studentId")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of printing")] = None,
) -> None:
    """Hide chosen fields of a certificate; it still verifies (OpenAttestation's obfuscation, done safely)."""
    with reported_errors():
        hidden = obfuscate(read_document(file), fields)
        _emit(hidden, out)


@cert_app.command("qr")
def qr_command(
    file: CertificateFile,
    base_url: Annotated[
        str, typer.Option("--base-url", help="the citizen portal, e.g. https://zwfw.gz.gov.cn")
    ],
    out: Annotated[Path, typer.Option("--out", help="the QR code image: .png or .svg")],
) -> None:
    """A QR code that opens the portal's verify page with this certificate in the link (after `#`, so the
    portal's server never receives it). Too many fields for one QR code? Obfuscate some first."""
    with reported_errors():
        document = read_document(file)
        check_signature(document)  # a QR code for what is no intact certificate would help nobody
        url = verify_url(base_url, document)
        write_qr(url, out)
    console.print(
        f"[green]✓[/] {out}: opens {portal_base(base_url)}/verify with {file.name} ({len(url):,} bytes)"
    )


# ---- the wallet ----


class _WalletState:
    folder: Path


wallet_state = _WalletState()


@wallet_app.callback()
def wallet_main(
    wallet: Annotated[
        Path | None,
        typer.Option("--wallet", help="the wallet folder; default: GZCHAIN_WALLET_DIR or <data dir>/wallet"),
    ] = None,
) -> None:
    wallet_state.folder = wallet or state.settings.wallet_path


@wallet_app.command("add")
def wallet_add(files: Annotated[list[Path], typer.Argument(help="certificates to keep")]) -> None:
    """Keep certificates in the wallet (each must be intact)."""
    with reported_errors():
        wallet = Wallet(wallet_state.folder)
        for path in files:
            entry = wallet.add(path)
            console.print(
                f"[green]✓[/] added {entry.short_id}: {entry.title} {entry.number} ({entry.holder})"
            )


@wallet_app.command("list")
def wallet_list() -> None:
    """List the certificates in the wallet."""
    with reported_errors():
        entries = Wallet(wallet_state.folder).entries()
    table = Table(title=f"Wallet {wallet_state.folder}")
    for column in ("id", "certificate", "number", "holder", "issuer"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.short_id, e.title, e.number, e.holder, e.issuer)
    console.print(table)


@wallet_app.command("show")
def wallet_show(
    reference: Annotated[str, typer.Argument(help="the certificate's id (its first characters)")],
) -> None:
    """Show a certificate's data and the fields it can reveal."""
    with reported_errors():
        entry, document = Wallet(wallet_state.folder).get(reference)
        data = get_data(document)
    console.rule(f"[bold]{entry.title}[/] {entry.number}")
    console.print_json(json.dumps(data, ensure_ascii=False))
    always = [key for key in ALWAYS_DISCLOSED if key in data]
    console.print(f"always shown (verifiers need them): {', '.join(always)}")
    console.print(f"fields you may reveal: {', '.join(disclosable_fields(data))}")


@wallet_app.command("present")
def wallet_present(
    reference: Annotated[str, typer.Argument(help="the certificate's id (its first characters)")],
    reveal: Annotated[
        list[str], typer.Option("--reveal", help="a field to disclose (repeat); everything else is hidden")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of printing")] = None,
) -> None:
    """Make a presentation disclosing only the chosen fields (and what verification needs); it verifies."""
    with reported_errors():
        presentation = Wallet(wallet_state.folder).present(reference, reveal)
        _emit(presentation, out)
    if out is not None:
        hidden = len(presentation.get("privacy", {}).get("obfuscatedData", []))
        console.print(f"[green]✓[/] presentation written to {out}: {hidden} field(s) hidden")


# ---- output ----


def _emit(document: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write: {exc.strerror}", field=str(out)) from None


def _time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _proof(receipt: Receipt) -> str:
    return f"tx {receipt.tx_hash} in block {receipt.block_number} (gas {receipt.gas_used:,})"
