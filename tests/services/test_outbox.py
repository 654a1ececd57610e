"""Pending-first writes: what a write keeps off chain is staged before its transaction is sent, confirmed
once the chain accepts it, taken back if refused; what a crash leaves pending is settled by recovery.
Runs on the embedded chain (and on anvil, `--lane anvil`) over SQLite (and PostgreSQL, `--store postgres`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from support.records import USCC, a_record

from gzchain.bootstrap import Runtime
from gzchain.domain.coldchain import Lot, TemperatureWindow
from gzchain.domain.errors import ChainUnavailable, Conflict, ContractReverted, NotFound
from gzchain.domain.uscc import uscc_from_prefix
from gzchain.services.business import BusinessService
from gzchain.services.coldchain import CHINA_STANDARD_TIME
from gzchain.store.business import BusinessVersionRow
from gzchain.store.coldchain import ColdChainEventRow, ColdChainReadingRow
from gzchain.store.db import Store, engine_for
from gzchain.store.outbox import PendingTransactionRow

IMPORTER = "nansha-importer"
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, nothing catches it."""


def killed_after_the_chain_accepted(service: Any) -> None:
    """The process dies once the receipt is in, before the store confirms the staged rows."""

    def die(*_: Any) -> None:
        raise Killed

    service.outbox.confirm = die


def versions(runtime: Runtime) -> list[tuple[int, int | None]]:
    with runtime.store.session() as session:
        rows = session.scalars(select(BusinessVersionRow).order_by(BusinessVersionRow.version)).all()
    return [(row.version, row.block_number) for row in rows]


def pending(runtime: Runtime) -> list[str]:
    with runtime.store.session() as session:
        return list(session.scalars(select(PendingTransactionRow.tx_hash)))


def registered(runtime: Runtime) -> BusinessService:
    service = runtime.business()
    service.register("gz-msa", a_record())
    return service


def test_a_write_cut_off_after_the_chain_accepted_it_is_confirmed_by_recovery(runtime: Runtime):
    service = registered(runtime)
    killed_after_the_chain_accepted(service)
    with pytest.raises(Killed):
        service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    assert versions(runtime) == [(1, versions(runtime)[0][1]), (2, None)], "staged, not confirmed"
    [tx_hash] = pending(runtime)

    recovered = runtime.business().recover()
    assert (recovered.confirmed, recovered.removed, recovered.pending) == ([tx_hash], [], [])
    receipt = runtime.gateway.find_receipt(tx_hash)
    assert receipt is not None
    with runtime.store.session() as session:
        row = session.scalars(select(BusinessVersionRow).where(BusinessVersionRow.version == 2)).one()
        assert (row.tx_hash, row.block_number, row.tx_index) == (
            tx_hash,
            receipt.block_number,
            receipt.tx_index,
        )
    assert pending(runtime) == []
    lookup = runtime.business().lookup(USCC)
    assert lookup.verified and lookup.versions[1].record.address == "广州市天河区示例路2号"


def test_a_write_whose_transaction_never_reached_the_chain_is_removed_by_recovery(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
):
    service = registered(runtime)
    head = runtime.gateway.block_number()

    def unreachable(*_: Any) -> Any:
        raise ConnectionError("the node went away")

    with monkeypatch.context() as patch:
        patch.setattr(runtime.gateway.w3.eth, "send_raw_transaction", unreachable)
        with pytest.raises(ChainUnavailable):
            service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    assert runtime.gateway.block_number() == head
    assert [number for number, _ in versions(runtime)] == [1, 2]
    # Reads meanwhile: the staged version is neither shown as confirmed nor taken for a contradiction.
    lookup = runtime.business().lookup(USCC)
    assert lookup.verified and len(lookup.versions) == 1 and lookup.store_problems == ()
    assert versions(runtime)[1] == (2, None), "a read does not decide what it cannot know yet"
    with runtime.store.session() as session:
        # Staged an hour ago: on a node, no other process can still be about to send it.
        session.execute(
            update(PendingTransactionRow).values(created_at=datetime.now(UTC) - timedelta(hours=1))
        )

    recovered = runtime.business().recover()
    assert (len(recovered.removed), recovered.confirmed, recovered.pending) == (1, [], [])
    assert [number for number, _ in versions(runtime)] == [1]
    assert pending(runtime) == []
    service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    assert runtime.business().lookup(USCC).verified


def test_a_staged_write_whose_nonce_another_transaction_took_is_removed_by_the_next_read(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
):
    service = registered(runtime)
    with monkeypatch.context() as patch:
        patch.setattr(runtime.gateway.w3.eth, "send_raw_transaction", lambda *_: _raise(ConnectionError()))
        with pytest.raises(ChainUnavailable):
            service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    [stale] = pending(runtime)
    other = uscc_from_prefix("91440101MA500000")
    service.register("gz-msa", a_record(uscc=other))  # the same agency's next transaction takes the nonce
    assert pending(runtime) == [stale]
    lookup = runtime.business().lookup(USCC)
    assert pending(runtime) == [] and lookup.verified
    assert [number for number, _ in versions(runtime)] == [1, 1], "version 1 of each business, nothing else"


def _raise(exc: BaseException) -> Any:
    raise exc


def test_a_transaction_refused_on_chain_takes_its_staged_rows_back(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
):
    service = runtime.business()
    head = runtime.gateway.block_number()
    # Too little gas: the dry run passes, the mined transaction runs out of gas and fails.
    monkeypatch.setattr(runtime.gateway, "_gas_for", lambda fn, sender: 30_000)
    with pytest.raises(ContractReverted):
        service.register("gz-msa", a_record())
    assert runtime.gateway.block_number() > head, "the transaction was mined, and refused"
    assert versions(runtime) == [] and pending(runtime) == []
    monkeypatch.undo()
    with pytest.raises(NotFound):
        service.lookup(USCC)


def test_a_staged_event_is_never_read_as_part_of_the_story_until_it_is_confirmed(runtime: Runtime):
    service = runtime.coldchain()
    service.create(IMPORTER, gtin=GTIN, lot="BR-1", quantity=24000, unit="KGM", origin="BR", window=FROZEN)
    killed_after_the_chain_accepted(service)
    readings = [(T0, "-20.5"), (T0 + timedelta(minutes=10), "-21")]
    with pytest.raises(Killed):
        service.record_event(IMPORTER, "BR-1", "storing", location=PORT, time=T0, readings=readings)
    with runtime.store.session() as session:
        staged = session.scalars(select(ColdChainReadingRow.block_number)).all()
        assert staged == [None, None]
        [event] = session.scalars(select(ColdChainEventRow)).all()

    batch_id = Lot(GTIN, "BR-1").batch_id
    unsettled = service.reader.trace(batch_id)
    [traced] = unsettled.events
    assert traced.event is None and traced.problem == (
        f"the store's copy waits for its transaction {event.tx_hash} to be settled"
    )
    assert unsettled.temperatures == () and not unsettled.verified

    settled = runtime.coldchain().trace("BR-1")  # a read settles what the chain has decided
    assert settled.verified and len(settled.temperatures) == 2
    assert pending(runtime) == []


def test_two_writers_expecting_the_same_version_clash_in_the_store_before_either_sends(runtime: Runtime):
    service = registered(runtime)
    with runtime.store.session() as session:
        session.add(
            BusinessVersionRow(
                uscc=USCC,
                version=2,
                change_type=1,
                record_hash="0x" + "00" * 32,
                public_record={},
                personal_data="",
                agency="0x" + "11" * 20,
                tx_hash="0x" + "22" * 32,
                block_number=None,
            )
        )
    head = runtime.gateway.block_number()
    with pytest.raises(Conflict, match="version 2 of 91440101MA59LU9AX1 clashes"):
        service.suspend("gz-msa", USCC, "unreachable-at-address", "listed for abnormal operations")
    assert runtime.gateway.block_number() == head


def test_a_version_number_another_store_took_first_is_corrected_when_the_write_is_confirmed(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two stores on one chain: the chain numbers versions, and its number wins over the expected one."""
    first = registered(runtime)
    manifest = runtime.require_manifest()
    other = BusinessService(
        runtime.gateway,
        runtime.keys,
        Store(engine_for(None, tmp_path)),
        runtime.cipher,
        runtime.consortium(),
        manifest.address("BusinessRegistry"),
        from_block=manifest.contracts["BusinessRegistry"].block,
    )
    with runtime.store.session() as session:
        [v1] = session.scalars(select(BusinessVersionRow)).all()
        columns = {
            c.name: getattr(v1, c.name) for c in BusinessVersionRow.__table__.columns if c.name != "id"
        }
    with other.store.session() as session:
        session.add(BusinessVersionRow(**columns))
    stale = other._current(USCC)  # read before the first store's amendment lands
    first.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    monkeypatch.setattr(other, "_current", lambda uscc: stale)
    change = other.amend("gz-msa", a_record(business_scope="冷链物流"))
    assert change.version == 3
    with other.store.session() as session:
        rows = session.scalars(select(BusinessVersionRow).order_by(BusinessVersionRow.version)).all()
        assert [(row.version, row.block_number is not None) for row in rows] == [(1, True), (3, True)]
    lookup = other.lookup(USCC)
    assert lookup.versions[2].problem is None and lookup.versions[2].record.business_scope == "冷链物流"
    assert lookup.versions[1].problem == "the chain has this version, the store has no record of it"
    other.store.close()
