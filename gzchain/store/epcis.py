"""The EPCIS 2.0 interface in the store: capture jobs, and the query index over anchored events.

The index is a projection of the confirmed rows of ``coldchain_events`` (one row per event and lot, written
pending-first by the cold-chain ingest): one row per distinct event with the fields the standard's queries
filter on, and one row per identifier it names. It holds no event of its own: it is rebuilt from
``coldchain_events`` whenever it is behind (new events, a reindex, rows removed by recovery), and the event's
JSON is read from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from gzchain.store.coldchain import ColdChainEventRow
from gzchain.store.db import Base

# What an identifier is to an event, by the list it appears in (EPCIS 2.0 §8.2.7.1, the MATCH_ parameters).
EPC_ROLES: Final = (
    "epc",  # epcList
    "child",  # childEPCs
    "parent",  # parentID
    "input",  # inputEPCList
    "output",  # outputEPCList
    "class",  # quantityList[].epcClass
    "child_class",  # childQuantityList[].epcClass
    "input_class",  # inputQuantityList[].epcClass
    "output_class",  # outputQuantityList[].epcClass
)


class EpcisCaptureJobRow(Base):
    """One POST /epcis/capture: who sent it, when, and what became of it."""

    __tablename__ = "epcis_capture_jobs"

    capture_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    running: Mapped[bool] = mapped_column(Boolean)
    success: Mapped[bool] = mapped_column(Boolean)
    error_behaviour: Mapped[str] = mapped_column(String(16))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # RFC 9457 problem bodies
    event_ids: Mapped[list[str]] = mapped_column(JSON)  # the eventIDs captured, in document order
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)


class EpcisEventIndexRow(Base):
    """One anchored event, as the EPCIS queries see it; ``source_id`` is a coldchain_events row holding it."""

    __tablename__ = "epcis_events"

    event_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, unique=True)
    event_id: Mapped[str] = mapped_column(Text, index=True)  # its own eventID, or the CBV 2.0 hash URI
    event_type: Mapped[str] = mapped_column(String(255), index=True)
    action: Mapped[str | None] = mapped_column(String(8), nullable=True)
    biz_step: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposition: Mapped[str | None] = mapped_column(Text, nullable=True)
    read_point: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical GS1 URI where one exists
    biz_location: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_time_ms: Mapped[int] = mapped_column(BigInteger)
    record_time_ms: Mapped[int] = mapped_column(BigInteger, index=True)  # its block's time
    block_number: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_epcis_events_order", "event_time_ms", "event_hash"),)


class EpcisEventEpcRow(Base):
    """An identifier an indexed event names, in canonical GS1 Digital Link form where it has one."""

    __tablename__ = "epcis_event_epcs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_hash: Mapped[str] = mapped_column(String(66), index=True)
    role: Mapped[str] = mapped_column(String(16))
    epc: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_epcis_event_epcs_epc", "epc", "role"),)


@dataclass(frozen=True)
class EventQuery:
    """The filters of one EPCIS SimpleEventQuery; every value already normalised like the index is.

    Each tuple is "any of these"; an empty tuple does not filter. ``epcs`` holds (roles, identifiers) pairs,
    each of which an event must satisfy.
    """

    event_types: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    read_points: tuple[str, ...] = ()
    biz_locations: tuple[str, ...] = ()
    event_time_from_ms: int | None = None
    event_time_before_ms: int | None = None
    record_time_from_ms: int | None = None
    record_time_before_ms: int | None = None
    epcs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = field(default=())


@dataclass(frozen=True)
class IndexedEvent:
    """An index row with the event's JSON and its document's @context, as anchored."""

    row: EpcisEventIndexRow
    event: dict[str, Any]
    context: Any


# ---- capture jobs ----


def add_capture_job(session: Session, job: EpcisCaptureJobRow) -> None:
    session.add(job)


def capture_job(session: Session, agency: str, capture_id: str) -> EpcisCaptureJobRow | None:
    row = session.get(EpcisCaptureJobRow, capture_id)
    return row if row is not None and row.agency == agency else None


def capture_jobs(
    session: Session, agency: str, after: tuple[datetime, str] | None, limit: int
) -> list[EpcisCaptureJobRow]:
    """An agency's jobs, oldest first, from just after ``after`` (created_at, capture_id)."""
    statement = select(EpcisCaptureJobRow).where(EpcisCaptureJobRow.agency == agency)
    if after is not None:
        created, capture_id = after
        statement = statement.where(
            or_(
                EpcisCaptureJobRow.created_at > created,
                and_(EpcisCaptureJobRow.created_at == created, EpcisCaptureJobRow.capture_id > capture_id),
            )
        )
    statement = statement.order_by(EpcisCaptureJobRow.created_at, EpcisCaptureJobRow.capture_id)
    return list(session.scalars(statement.limit(limit)))


# ---- keeping the index in step with coldchain_events ----


def _confirmed_source(row_id: Any) -> Any:
    return exists().where(ColdChainEventRow.id == row_id, ColdChainEventRow.block_number.is_not(None))


def drop_stale_index_rows(session: Session) -> int:
    """Removes index rows whose event row is gone or no longer confirmed; how many there were."""
    stale = list(
        session.scalars(
            select(EpcisEventIndexRow.event_hash).where(~_confirmed_source(EpcisEventIndexRow.source_id))
        )
    )
    for chunk in _chunks(stale):
        session.execute(delete(EpcisEventEpcRow).where(EpcisEventEpcRow.event_hash.in_(chunk)))
        session.execute(delete(EpcisEventIndexRow).where(EpcisEventIndexRow.event_hash.in_(chunk)))
    return len(stale)


def unindexed_events(session: Session, limit: int) -> list[ColdChainEventRow]:
    """Confirmed event rows whose event the index lacks: one row per event (its first), oldest first."""
    first_rows = (
        select(func.min(ColdChainEventRow.id))
        .where(ColdChainEventRow.block_number.is_not(None))
        .where(~exists().where(EpcisEventIndexRow.event_hash == ColdChainEventRow.event_hash))
        .group_by(ColdChainEventRow.event_hash)
    )
    statement = (
        select(ColdChainEventRow)
        .where(ColdChainEventRow.id.in_(first_rows))
        .order_by(ColdChainEventRow.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def add_index_rows(
    session: Session, rows: Iterable[EpcisEventIndexRow], epcs: Iterable[EpcisEventEpcRow]
) -> None:
    session.add_all(list(rows))
    session.add_all(list(epcs))


# ---- queries ----


def find_events(
    session: Session, query: EventQuery, after: tuple[int, str] | None, limit: int
) -> list[IndexedEvent]:
    """The indexed events ``query`` selects, by event time then hash, from just after ``after``."""
    index = EpcisEventIndexRow
    statement = select(index, ColdChainEventRow.event, ColdChainEventRow.context).join(
        ColdChainEventRow, ColdChainEventRow.id == index.source_id
    )
    for column, values in (
        (index.event_type, query.event_types),
        (index.action, query.actions),
        (index.biz_step, query.biz_steps),
        (index.disposition, query.dispositions),
        (index.read_point, query.read_points),
        (index.biz_location, query.biz_locations),
    ):
        if values:
            statement = statement.where(column.in_(values))
    for column, low, high in (
        (index.event_time_ms, query.event_time_from_ms, query.event_time_before_ms),
        (index.record_time_ms, query.record_time_from_ms, query.record_time_before_ms),
    ):
        if low is not None:
            statement = statement.where(column >= low)
        if high is not None:
            statement = statement.where(column < high)
    for roles, identifiers in query.epcs:
        statement = statement.where(
            index.event_hash.in_(
                select(EpcisEventEpcRow.event_hash).where(
                    EpcisEventEpcRow.role.in_(roles), EpcisEventEpcRow.epc.in_(identifiers)
                )
            )
        )
    if after is not None:
        time_ms, event_hash = after
        statement = statement.where(
            or_(
                index.event_time_ms > time_ms,
                and_(index.event_time_ms == time_ms, index.event_hash > event_hash),
            )
        )
    statement = statement.order_by(index.event_time_ms, index.event_hash).limit(limit)
    return [IndexedEvent(row, event, context) for row, event, context in session.execute(statement)]


def find_event(session: Session, event_id: str, event_hash: str | None) -> IndexedEvent | None:
    """The indexed event whose eventID is ``event_id``, or whose CBV 2.0 hash is ``event_hash``."""
    index = EpcisEventIndexRow
    match = index.event_id == event_id
    if event_hash is not None:
        match = or_(match, index.event_hash == event_hash)
    statement = (
        select(index, ColdChainEventRow.event, ColdChainEventRow.context)
        .join(ColdChainEventRow, ColdChainEventRow.id == index.source_id)
        .where(match)
        .order_by(index.event_time_ms, index.event_hash)
        .limit(1)
    )
    found = session.execute(statement).first()
    return IndexedEvent(found[0], found[1], found[2]) if found is not None else None


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
