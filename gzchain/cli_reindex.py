"""`gzchain reindex`: rebuild the store's chain-derived tables from the chain, or check them against it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gzchain.cli_support import console, runtime
from gzchain.services.reindex import ReindexReport

# What a rebuild cannot fix by itself: data the store no longer holds, or cannot read with its key.
_UNFIXABLE = ("missing payload", "unreadable")


def reindex(
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="only compare the store with the chain; change nothing, exit 1 if they differ"
        ),
    ] = False,
) -> None:
    """Rebuild the store's index of chain events (business, cold chain, certificates) from the chain.

    Writes a crash left pending are settled first. Off-chain data the store still holds is re-attached by
    hash; an on-chain item whose data is gone is reported, never invented. Exits 1 if differences remain
    (with --check: if there are any).
    """
    with runtime() as rt:
        report = rt.reindexer().run(check=check)
    _print(report)
    remaining = report.differences if check else [f for f in report.findings if f.kind in _UNFIXABLE]
    if remaining:
        raise typer.Exit(1)


def _print(report: ReindexReport) -> None:
    for owner, settled in report.recovered.items():
        if settled.confirmed or settled.removed or settled.pending:
            console.print(
                f"pending {owner} writes: {len(settled.confirmed)} confirmed, "
                f"{len(settled.removed)} removed, {len(settled.pending)} still in flight"
            )
    title = "Store checked against the chain" if report.checked_only else "Store rebuilt from the chain"
    table = Table(title=title)
    for column in (
        "table",
        "on chain",
        "agreeing",
        "restored",
        "rewritten",
        "dropped",
        "missing data",
        "left",
    ):
        table.add_column(column, justify="left" if column == "table" else "right")
    for summary in report.tables:
        table.add_row(
            summary.name,
            *(
                str(value)
                for value in (
                    summary.on_chain,
                    summary.agreeing,
                    summary.restored,
                    summary.rewritten,
                    summary.dropped,
                    summary.missing_payload,
                    summary.left_alone,
                )
            ),
        )
    console.print(table)
    if report.findings:
        details = Table(title="Differences from the chain" if report.checked_only else "What the rebuild did")
        for column in ("table", "finding", "item", "detail"):
            details.add_column(column)
        for finding in report.findings:
            details.add_row(finding.table, finding.kind, finding.item, finding.detail)
        console.print(details)
    if report.checked_only:
        count = len(report.differences)
        console.print(
            "the store agrees with the chain" if not count else f"{count} difference(s) from the chain"
        )
