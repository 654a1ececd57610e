"""`gzchain coldchain`: book cold-chain batches, attach the five certificates, anchor EPCIS events, split,
recall and release, and trace a lot from the port to the shelf."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gzchain.chain.transactions import Receipt
from gzchain.cli_support import AsAgency, describe_reason, reason_code_option, reported_errors, runtime
from gzchain.domain.coldchain import (
    CertificateKind,
    LotNode,
    Proof,
    ReadingProof,
    TemperatureWindow,
    Trace,
    celsius_text,
)
from gzchain.domain.epcis.timestamps import parse_timestamp
from gzchain.domain.errors import InvalidInput
from gzchain.domain.reasons import ReasonAction
from gzchain.labels import PackLabel, output_format, portal_base, write_label
from gzchain.services.coldchain import CHINA_STANDARD_TIME, Anchoring

coldchain_app = typer.Typer(
    help="Imported cold-chain food: five certificates, EPCIS 2.0 events, custody, breaches, recalls.",
    no_args_is_help=True,
)
console = Console()

# Exit code of `trace` when the store disagrees with the chain: distinct from errors.
EXIT_NOT_VERIFIED = 1

LotRef = Annotated[
    str,
    typer.Argument(
        help="the lot: its GS1 Digital Link URI, urn:epc:class:lgtin:…, lot number, or 0x batch id"
    ),
]
Location = Annotated[str, typer.Option("--location", help="where: a GLN URI (urn:epc:id:sgln:…) or geo: URI")]
When = Annotated[
    str | None, typer.Option("--time", help="when, ISO 8601 with offset (default: now, China Standard Time)")
]


@coldchain_app.command("entitle")
def entitle(
    as_agency: AsAgency,
    agency: Annotated[str, typer.Argument(help="the agency (id or 0x address)")],
    kinds: Annotated[
        str,
        typer.Argument(help="comma-separated: " + ", ".join(k.slug for k in CertificateKind) + "; or none"),
    ],
) -> None:
    """Set which certificates an agency may attach (REGULATOR); the supervised warehouse is the one entitled
    to disinfection vouchers and release certificates."""
    with runtime() as rt:
        chosen = (
            [] if kinds.strip().lower() == "none" else [CertificateKind.parse(k) for k in kinds.split(",")]
        )
        outcome = rt.coldchain().entitle(as_agency, agency, chosen)
    granted = ", ".join(kind.label for kind in outcome.kinds) or "nothing"
    console.print(f"[green]✓[/] {agency} may attach: {granted}")
    console.print(f"  {_receipt(outcome.receipt)}")


@coldchain_app.command("create")
def create(
    as_agency: AsAgency,
    gtin: Annotated[str, typer.Option(help="the product's GTIN (8, 12, 13 or 14 digits)")],
    lot: Annotated[str, typer.Option(help="the lot number, e.g. BR2405-01")],
    quantity: Annotated[str, typer.Option(help="a whole quantity in --unit")],
    origin: Annotated[str, typer.Option(help="country of origin, ISO 3166-1 alpha-2, e.g. BR")],
    max_celsius: Annotated[str, typer.Option("--max", help="warmest allowed, °C, whole tenths (e.g. -18.0)")],
    min_celsius: Annotated[str, typer.Option("--min", help="coldest allowed, °C, whole tenths (e.g. -30.0)")],
    unit: Annotated[str, typer.Option(help="UN/ECE Rec 20 unit code")] = "KGM",
) -> None:
    """Book an imported batch (COLDCHAIN_OPERATOR); the importer becomes its custodian."""
    with runtime() as rt:
        window = TemperatureWindow.from_celsius(min_celsius, max_celsius)
        created = rt.coldchain().create(
            as_agency, gtin=gtin, lot=lot, quantity=quantity, unit=unit, origin=origin, window=window
        )
    console.print(f"[green]✓[/] batch {created.lot.number} booked, window {window.label}")
    console.print(f"  lot {created.lot.uri}")
    console.print(f"  batch id 0x{created.batch_id.hex()}")
    console.print(f"  {_receipt(created.receipt)}")


@coldchain_app.command("certify")
def certify(
    as_agency: AsAgency,
    lot: LotRef,
    kind: Annotated[str, typer.Argument(help=", ".join(k.slug for k in CertificateKind))],
    document: Annotated[
        Path, typer.Argument(help="the certificate; its SHA-256 goes on chain, not its content")
    ],
) -> None:
    """Attach one of the five certificates (the agency entitled to it)."""
    with runtime() as rt:
        certificate = CertificateKind.parse(kind)
        attached = rt.coldchain().certify(as_agency, lot, certificate, _read(document))
    console.print(f"[green]✓[/] {certificate.label} attached; SHA-256 0x{attached.document_hash.hex()}")
    if attached.cleared:
        console.print("  [bold green]all five certificates are on record: the batch is cleared for sale[/]")
    console.print(f"  {_receipt(attached.receipt)}")


@coldchain_app.command("event")
def event(
    as_agency: AsAgency,
    lot: LotRef,
    biz_step: Annotated[str, typer.Argument(help="CBV 2.0 bizStep, e.g. storing, shipping, receiving")],
    location: Location,
    time: When = None,
    to: Annotated[str | None, typer.Option("--to", help="shipping: the next custodian (agency id)")] = None,
    reading: Annotated[
        list[str] | None,
        typer.Option("--reading", help="a temperature reading TIME=CELSIUS; repeat for a series"),
    ] = None,
    device: Annotated[str | None, typer.Option(help="the sensor's URI, e.g. urn:epc:id:giai:…")] = None,
    disposition: Annotated[str | None, typer.Option(help="CBV 2.0 disposition (default by bizStep)")] = None,
) -> None:
    """Record one EPCIS 2.0 event of a lot and anchor it (the custodian; receiving: the named recipient)."""
    with runtime() as rt:
        anchoring = rt.coldchain().record_event(
            as_agency,
            lot,
            biz_step,
            location=location,
            time=_when(time, "time"),
            readings=[_reading(text, index) for index, text in enumerate(reading or [])],
            device=device,
            recipient=to,
            disposition=disposition,
        )
    _report(anchoring)


@coldchain_app.command("ingest")
def ingest(
    as_agency: AsAgency,
    document: Annotated[Path, typer.Argument(help="an EPCIS 2.0 JSON-LD document (EPCISDocument)")],
) -> None:
    """Anchor every event of an EPCIS 2.0 document in one transaction: all of them, or none."""
    with runtime() as rt:
        anchoring = rt.coldchain().ingest(as_agency, _read(document))
    _report(anchoring)


@coldchain_app.command("split")
def split(
    as_agency: AsAgency,
    lot: LotRef,
    into: Annotated[
        list[str],
        typer.Option("--into", help="a child lot LOT=QUANTITY (lot number or URI); repeat for each"),
    ],
    location: Location,
    time: When = None,
    biz_step: Annotated[
        str, typer.Option("--biz-step", help="the TransformationEvent's bizStep")
    ] = "repackaging",
) -> None:
    """Split a batch into child lots whose quantities add up to it (its custodian)."""
    children = []
    for index, text in enumerate(into):
        child, separator, quantity = text.rpartition("=")
        if not separator or not child:
            raise typer.BadParameter(f"{text!r}: expected LOT=QUANTITY", param_hint=f"--into #{index + 1}")
        children.append((child.strip(), quantity.strip()))
    with runtime() as rt:
        anchoring = rt.coldchain().split(
            as_agency, lot, children, location=location, time=_when(time, "time"), biz_step=biz_step
        )
    _report(anchoring)


@coldchain_app.command("recall")
def recall(
    as_agency: AsAgency,
    lot: LotRef,
    reason_code: Annotated[str, reason_code_option((ReasonAction.RECALL,))],
    reason: Annotated[
        str, typer.Option("--reason", help="why, in words: kept in the store, a salted hash on chain")
    ],
) -> None:
    """Recall a batch and every lot split from it (REGULATOR); they then accept only destruction or return."""
    with runtime() as rt:
        decision = rt.coldchain().recall(as_agency, lot, reason_code, reason)
    console.print(f"[bold yellow]recalled[/] 0x{decision.batch_id.hex()[:16]}… and every lot split from it")
    console.print(f"  {_receipt(decision.receipt)}")


@coldchain_app.command("release")
def release(
    as_agency: AsAgency,
    lot: LotRef,
    reason_code: Annotated[str, reason_code_option((ReasonAction.RELEASE,))],
    reason: Annotated[
        str,
        typer.Option("--reason", help="why it is safe after all: kept in the store, a salted hash on chain"),
    ],
) -> None:
    """Release a flagged batch for sale again (REGULATOR)."""
    with runtime() as rt:
        decision = rt.coldchain().release(as_agency, lot, reason_code, reason)
    console.print(
        f"[green]✓ released[/] 0x{decision.batch_id.hex()[:16]}…: {describe_reason(decision.reason.stated())}"
    )
    console.print(f"  {_receipt(decision.receipt)}")


@coldchain_app.command("trace")
def trace(
    lot: LotRef,
    reading: Annotated[
        int | None,
        typer.Option(
            "--reading", help="also prove temperature reading N (as numbered below) with a Merkle proof"
        ),
    ] = None,
) -> None:
    """A lot's whole story (public): origin, custody, certificates, events, temperatures, recall, proofs.

    Exits 1 if the store disagrees with the chain anywhere (a stored event was altered).
    """
    with runtime() as rt:
        service = rt.coldchain()
        story = service.trace(lot)
        proof = None
        if reading is not None:
            if not 1 <= reading <= len(story.temperatures):
                raise InvalidInput(
                    f"there are {len(story.temperatures)} readings, numbered from 1", field="--reading"
                )
            point = story.temperatures[reading - 1]
            proof = service.reading_proof(point.batch_id, point.event_hash, point.index)
    _render_trace(story)
    if proof is not None:
        _render_reading_proof(reading or 0, proof)
    if not story.verified or (proof is not None and not proof.verified):
        raise typer.Exit(EXIT_NOT_VERIFIED)


@coldchain_app.command("label")
def label(
    lot: LotRef,
    base_url: Annotated[
        str, typer.Option("--base-url", help="the citizen portal, e.g. https://zwfw.gz.gov.cn")
    ],
    out: Annotated[Path, typer.Option("--out", help="the label: .png (300 dpi) or .svg")],
) -> None:
    """A printable pack label: product, lot, origin and a QR code that opens the lot's trace page."""
    with reported_errors():  # wrong --out or --base-url: say so before reading the chain
        output_format(out)
        portal_base(base_url)
    with runtime() as rt:
        content = PackLabel.of(rt.coldchain().trace(lot), base_url)
    write_label(content, out)
    console.print(
        f"[green]✓[/] label for lot {content.lot} written to {out}; its QR code opens {content.url}"
    )


# ---- input ----


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", field=str(path)) from None


def _when(text: str | None, field: str) -> datetime | None:
    return parse_timestamp(text, field=field).moment if text else None


def _reading(text: str, index: int) -> tuple[datetime, Decimal]:
    moment, separator, value = text.rpartition("=")
    field = f"--reading #{index + 1}"
    if not separator:
        raise InvalidInput(
            f"{text!r}: expected TIME=CELSIUS, e.g. 2024-05-01T08:30:00+08:00=-19.5", field=field
        )
    try:
        celsius = Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a temperature in °C", field=field) from None
    return parse_timestamp(moment, field=field).moment, celsius


# ---- output ----


def _receipt(receipt: Receipt) -> str:
    return f"tx {receipt.tx_hash} in block {receipt.block_number} (gas {receipt.gas_used:,})"


def _proof(proof: Proof | None) -> tuple[str, str]:
    return (proof.tx_hash, str(proof.block_number)) if proof else ("-", "-")


def _time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")


def _report(anchoring: Anchoring) -> None:
    for item in anchoring.items:
        step = item.biz_step or "event"
        extra = f" → {', '.join(item.children)}" if item.children else ""
        extra += f" → custody offered to {item.recipient}" if item.recipient else ""
        console.print(
            f"[green]✓[/] {item.path} {step} of {item.lot}{extra}: event hash 0x{item.event_hash.hex()}"
        )
    for lot, low, high in anchoring.flagged:
        console.print(
            f"[bold red]⚠ {lot} flagged:[/] readings {celsius_text(low)} to {celsius_text(high)} "
            "outside its window"
        )
    console.print(f"  {_receipt(anchoring.receipt)}")


def _render_trace(story: Trace) -> None:
    batch = story.batch
    console.rule(f"[bold]{batch.label}")
    if batch.lot:
        console.print(f"lot {batch.lot.uri}")
    console.print(
        f"GTIN {batch.gtin} · {batch.quantity:,} {batch.unit} · origin {batch.origin} · "
        f"window {story.window.label}"
    )
    console.print(f"status [bold]{story.status.label}[/] · held by {batch.custodian_name}")
    if story.recall:
        recall = story.recall
        tx, block = _proof(recall.proof)
        console.print(
            f"[bold red]recalled[/] with lot {story.recalled_lot} by {recall.actor_name}: "
            f"{describe_reason(recall.reason_detail)} "
            f"(tx {tx}, block {block})"
        )
    if story.hold:
        hold = story.hold
        console.print(f"[bold yellow]on hold[/]: lot {hold.lot} flagged, {hold.reason}")
    for ancestor in story.ancestors:
        console.print(
            f"split from {ancestor.label} ({ancestor.quantity:,} {ancestor.unit}, {ancestor.status.label})"
        )
    if story.descendants:
        console.print("split into:")
        _render_lots(story.descendants, "  ")
    console.print(_custody_table(story))
    console.print(_certificates_table(story))
    console.print(_events_table(story))
    if story.temperatures:
        console.print(_temperatures_table(story))
    if story.incidents:
        console.print(_incidents_table(story))
    if story.verified:
        console.print("[green]✓ every stored event matches the hash anchored on chain[/]")
    else:
        console.print(f"[bold red]✗ the store disagrees with the chain ({len(story.problems)}):[/]")
        for problem in story.problems:
            console.print(f"  [red]•[/] {problem}")


def _render_lots(nodes: tuple[LotNode, ...], indent: str) -> None:
    for node in nodes:
        lot = node.batch
        console.print(
            f"{indent}{lot.label}: {lot.quantity:,} {lot.unit}, {lot.status.label}, {lot.custodian_name}"
        )
        _render_lots(node.children, indent + "  ")


def _custody_table(story: Trace) -> Table:
    table = Table(title="Custody")
    for column in ("lot", "held by", "since", "tx", "block"):
        table.add_column(column)
    for step in story.custody:
        since = "receiving 0x" + step.event_hash.hex()[:12] + "…" if step.event_hash else "booked"
        table.add_row(step.lot, step.custodian_name, since, *_proof(step.proof))
    return table


def _certificates_table(story: Trace) -> Table:
    table = Table(title="Five certificates (五证)")
    for column in ("", "certificate", "attached by", "to lot", "when", "SHA-256", "tx", "block"):
        table.add_column(column)
    for entry in story.certificates:
        if not entry.present:
            table.add_row(
                "[red]✗[/]", f"{entry.kind.label} {entry.kind.label_zh}", "[red]missing[/]", *["-"] * 5
            )
            continue
        table.add_row(
            "[green]✓[/]",
            f"{entry.kind.label} {entry.kind.label_zh}",
            entry.certifier_name or "-",
            entry.attached_to or "-",
            _time(entry.attached_at or 0),
            "0x" + (entry.document_hash or b"").hex()[:16] + "…",
            *_proof(entry.proof),
        )
    return table


def _events_table(story: Trace) -> Table:
    table = Table(title="EPCIS events, in time order")
    for column in ("time", "lot", "step", "by", "location", "readings", "tx", "block", "store"):
        table.add_column(column)
    for e in story.events:
        readings = "-"
        if e.readings:
            low, high = celsius_text(e.readings.min_tenths), celsius_text(e.readings.max_tenths)
            readings = f"{e.reading_count}: {low}..{high}"
        table.add_row(
            e.event_time.strftime("%Y-%m-%d %H:%M"),
            e.lot,
            e.biz_step or "-",
            e.custodian_name,
            e.location or "-",
            readings,
            *_proof(e.proof),
            "[green]✓ matches[/]" if e.problem is None else "[red]✗ mismatch[/]",
        )
    return table


def _temperatures_table(story: Trace) -> Table:
    table = Table(title=f"Temperatures (window {story.window.label})")
    for column in ("#", "time", "lot", "device", "°C", ""):
        table.add_column(column)
    for number, point in enumerate(story.temperatures, start=1):
        start = point.reading.start
        table.add_row(
            str(number),
            start.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M") if start else "-",
            point.lot,
            point.reading.device or "-",
            point.reading.value or "-",
            "[green]within[/]" if point.within else "[bold red]OUTSIDE[/]",
        )
    return table


def _incidents_table(story: Trace) -> Table:
    table = Table(title="Flags, releases, recalls, splits, destruction")
    for column in ("what", "lot", "by", "details", "tx", "block"):
        table.add_column(column)
    for incident in story.incidents:
        table.add_row(
            incident.what,
            incident.lot,
            incident.actor_name,
            describe_reason(incident.reason_detail) if incident.reason_detail else incident.reason or "-",
            *_proof(incident.proof),
        )
    return table


def _render_reading_proof(number: int, proof: ReadingProof) -> None:
    verdict = "[bold green]✓ proven[/]" if proof.verified else "[bold red]✗ not proven[/]"
    console.print(f"{verdict}: reading {number} ({proof.reading.value} °C) of lot {proof.lot}")
    console.print(f"  event 0x{proof.event_hash.hex()}, reading {proof.index} of its set")
    console.print(f"  leaf 0x{proof.leaf.hex()}")
    for sibling in proof.siblings:
        console.print(f"  sibling 0x{sibling.hex()}")
    console.print(f"  root on chain 0x{proof.root.hex()} (checked here and by the contract's verifyReading)")
    if proof.proof:
        console.print(f"  anchored in tx {proof.proof.tx_hash}, block {proof.proof.block_number}")
