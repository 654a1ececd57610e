"""Scenario: frozen beef from Brazil, from Nansha port to supermarket shelves, traced on chain.

The five certificates arrive one by one while a premature sale is refused; the supervised warehouse clears
and splits the batch; one truck's refrigeration fails on the way to the supermarket, the chain flags that
lot, and the regulator recalls it with everything split from it, while the other lots are sold.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from gzchain.bootstrap import Runtime
from gzchain.demo import Story, main_for
from gzchain.domain.coldchain import BatchStatus, CertificateKind, TemperatureWindow, Trace, celsius_text
from gzchain.domain.epcis.validate import STANDARD_CONTEXT
from gzchain.services.coldchain import CHINA_STANDARD_TIME, ColdChainService

TITLE = "Cold-chain traceability: frozen beef from Brazil, five certificates, a failed truck, a recall"
ORDER = 30

REGULATOR = "gz-msa"
CUSTOMS = "gz-customs"
CDC = "gz-cdc"
IMPORTER = "nansha-importer"
WAREHOUSE = "gz-cold-warehouse"
CARRIER = "lingnan-logistics"
SUPERMARKET = "tianhe-supermarket"

GTIN = "07891234000019"  # frozen boneless beef, a Brazilian (789) GS1 company prefix; fictitious
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
# Fictitious GLNs under a demo company prefix.
NANSHA_PORT = "urn:epc:id:sgln:6901234.00001.0"
SUPERVISED_WAREHOUSE = "urn:epc:id:sgln:6901234.00002.0"
STORES = {
    "A": "urn:epc:id:sgln:6901234.00011.0",  # Tianhe Fresh, Tiyu Xilu
    "B": "urn:epc:id:sgln:6901234.00012.0",  # Tianhe Fresh, Zhujiang New Town
    "C": "urn:epc:id:sgln:6901234.00013.0",  # Tianhe Fresh, Gangding
}
ROUTE = "geo:23.05,113.45"  # on the Guangzhou ring road
# Reefer-truck data loggers, every 10 minutes on the way; truck 2's compressor fails.
TRUCK_READINGS = {
    "A": ["-21.5", "-21.3", "-21.4", "-21.2", "-21.0", "-21.1"],
    "B": ["-19.6", "-18.9", "-17.8", "-16.4", "-15.2", "-16.0"],
    "C": ["-22.0", "-22.1", "-21.9", "-21.8", "-22.0", "-22.2"],
}


def run(rt: Runtime, story: Story) -> None:
    chain = rt.coldchain()
    batch = f"BR{datetime.now(CHINA_STANDARD_TIME):%y%m}-{secrets.token_hex(2).upper()}"
    lots = {name: f"{batch}-{name}" for name in TRUCK_READINGS}
    day = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=3)).replace(
        hour=6, minute=0, second=0, microsecond=0
    )

    story.step("The Market Supervision Administration records who may attach which of the five certificates.")
    chain.entitle(
        REGULATOR, CUSTOMS, [CertificateKind.CUSTOMS_DECLARATION, CertificateKind.INSPECTION_QUARANTINE]
    )
    chain.entitle(REGULATOR, CDC, [CertificateKind.NUCLEIC_ACID_TEST])
    chain.entitle(REGULATOR, WAREHOUSE, [CertificateKind.DISINFECTION, CertificateKind.WAREHOUSE_RELEASE])
    story.ok(
        "customs: declaration and quarantine; the CDC: nucleic-acid tests; the supervised warehouse: the rest"
    )

    story.step(f"A container of frozen Brazilian beef lands at Nansha port: batch {batch}, 24,000 kg.")
    created = chain.create(
        IMPORTER, gtin=GTIN, lot=batch, quantity=24000, unit="KGM", origin="BR", window=FROZEN
    )
    story.ok(f"booked by the importer, window {FROZEN.label} — {_proof(created.receipt)}")
    arrival = chain.record_event(
        IMPORTER,
        batch,
        "arriving",
        location=NANSHA_PORT,
        time=day,
        readings=_series(day - timedelta(minutes=30), ["-21.4", "-21.1", "-20.8"], minutes=15),
        device="urn:epc:id:giai:6901234.REEFER-MSKU7",
    )
    story.check(not arrival.flagged, "the reefer container's readings at arrival are all within the window")

    story.step("The five certificates arrive one by one.")
    _certify(story, chain, CUSTOMS, batch, CertificateKind.CUSTOMS_DECLARATION)
    story.refused(
        "ColdChainBatchNotCleared",
        lambda: chain.record_event(IMPORTER, batch, "retail_selling", location=NANSHA_PORT, time=day),
        "the importer cannot sell the batch with one certificate of five",
    )
    story.refused(
        "ColdChainNotEntitled",
        lambda: chain.certify(CDC, batch, CertificateKind.INSPECTION_QUARANTINE, b"forged quarantine"),
        "the CDC cannot attach the quarantine certificate: that is customs' to issue",
    )
    _certify(story, chain, CUSTOMS, batch, CertificateKind.INSPECTION_QUARANTINE)
    _certify(story, chain, CDC, batch, CertificateKind.NUCLEIC_ACID_TEST)

    story.step("The batch goes to the centralised supervision warehouse, which disinfects it.")
    chain.record_event(
        IMPORTER, batch, "shipping", location=NANSHA_PORT, time=day + timedelta(hours=5), recipient=WAREHOUSE
    )
    story.refused(
        "ColdChainNotRecipient",
        lambda: chain.record_event(
            CARRIER, batch, "receiving", location=SUPERVISED_WAREHOUSE, time=day + timedelta(hours=6)
        ),
        "only the warehouse the shipment names can take custody",
    )
    chain.record_event(
        WAREHOUSE, batch, "receiving", location=SUPERVISED_WAREHOUSE, time=day + timedelta(hours=6)
    )
    _certify(story, chain, WAREHOUSE, batch, CertificateKind.DISINFECTION)
    stored = day + timedelta(hours=20)
    chain.record_event(
        WAREHOUSE,
        batch,
        "storing",
        location=SUPERVISED_WAREHOUSE,
        time=stored,
        readings=_series(stored - timedelta(hours=12), ["-23.0", "-23.4", "-22.8", "-23.1"], minutes=240),
        device="urn:epc:id:giai:6901234.COLDROOM-3",
    )
    cleared = _certify(story, chain, WAREHOUSE, batch, CertificateKind.WAREHOUSE_RELEASE)
    story.check(cleared, "with the fifth certificate the batch is cleared for sale")

    story.step("The warehouse splits the batch into three retail lots of 8,000 kg.")
    split_at = day + timedelta(days=1, hours=2)
    split = chain.split(
        WAREHOUSE, batch, [(lot, 8000) for lot in lots.values()], location=SUPERVISED_WAREHOUSE, time=split_at
    )
    story.check(
        split.items[0].children == tuple(lots.values()), f"lots {', '.join(lots.values())} inherit it all"
    )

    story.step(
        "Lingnan Logistics trucks each lot to a Tianhe Fresh store; its telematics report the readings."
    )
    flagged: list[str] = []
    for number, (name, lot) in enumerate(lots.items(), start=1):
        leaves = split_at + timedelta(hours=1, minutes=10 * number)
        chain.record_event(
            WAREHOUSE, lot, "shipping", location=SUPERVISED_WAREHOUSE, time=leaves, recipient=CARRIER
        )
        chain.record_event(
            CARRIER, lot, "receiving", location=SUPERVISED_WAREHOUSE, time=leaves + timedelta(minutes=5)
        )
        telematics = chain.ingest(
            CARRIER, _truck_document(rt, lot, number, name, leaves + timedelta(minutes=10))
        )
        flagged.extend(lot for lot, _, _ in telematics.flagged)
        story.ok(f"truck {number} with lot {lot}: 2 events in one transaction — {_proof(telematics.receipt)}")
        chain.record_event(
            SUPERMARKET, lot, "receiving", location=STORES[name], time=leaves + timedelta(hours=1, minutes=30)
        )
    story.check(
        flagged == [lots["B"]],
        f"truck 2's readings rose to −15.2 °C: lot {lots['B']} is flagged automatically, the others are not",
    )

    story.step(f"Tianhe Fresh repacks lot {lots['B']} for its shelves; the hold follows the packs.")
    packs = [f"{lots['B']}1", f"{lots['B']}2"]
    repacked = split_at + timedelta(hours=4)
    chain.split(SUPERMARKET, lots["B"], [(pack, 4000) for pack in packs], location=STORES["B"], time=repacked)
    story.refused(
        "ColdChainBatchOnHold",
        lambda: chain.record_event(
            SUPERMARKET, packs[0], "retail_selling", location=STORES["B"], time=repacked
        ),
        f"shelf pack {packs[0]} cannot be sold while its lot is flagged",
    )

    story.step("The regulator reviews the logger data and recalls the lot.")
    reason = (
        f"truck 2 refrigeration failure: readings up to -15.2 °C for 40 min, "
        f"above the {celsius_text(FROZEN.max_tenths)} limit"
    )
    chain.recall(REGULATOR, lots["B"], "temperature-abuse", reason)
    story.check(
        all(chain.trace(pack).status is BatchStatus.RECALLED for pack in packs),
        "the recall reaches both shelf packs split from the lot",
    )
    story.refused(
        "ColdChainBatchRecalled",
        lambda: chain.record_event(
            SUPERMARKET, packs[1], "storing", location=STORES["B"], time=repacked + timedelta(hours=1)
        ),
        "a recalled pack takes no more ordinary events",
    )
    chain.record_event(
        SUPERMARKET, packs[0], "destroying", location=STORES["B"], time=repacked + timedelta(hours=2)
    )
    chain.record_event(
        SUPERMARKET,
        packs[1],
        "shipping",
        location=STORES["B"],
        time=repacked + timedelta(hours=2),
        recipient=WAREHOUSE,
    )
    chain.record_event(
        WAREHOUSE, packs[1], "receiving", location=SUPERVISED_WAREHOUSE, time=repacked + timedelta(hours=3)
    )
    chain.record_event(
        WAREHOUSE, packs[1], "destroying", location=SUPERVISED_WAREHOUSE, time=repacked + timedelta(hours=4)
    )
    story.ok(
        f"pack {packs[0]} destroyed in store; {packs[1]} returned to the supervised warehouse and destroyed"
    )

    story.step("The other lots are sold.")
    for name in ("A", "C"):
        sale = chain.record_event(
            SUPERMARKET,
            lots[name],
            "retail_selling",
            location=STORES[name],
            time=split_at + timedelta(hours=8),
        )
        story.ok(f"lot {lots[name]} on sale — {_proof(sale.receipt)}")

    story.step(f"A consumer scans the QR code on a pack of lot {lots['A']}.")
    _good_trace(story, chain, chain.trace(lots["A"]), batch)

    story.step(f"Another looks up lot {lots['B']}, whose recall is in the news.")
    _recalled_trace(story, chain.trace(lots["B"]), packs)


def _certify(story: Story, chain: ColdChainService, agency: str, batch: str, kind: CertificateKind) -> bool:
    document = f"{kind.label_zh} · {batch} · {secrets.token_hex(8)}".encode()
    attached = chain.certify(agency, batch, kind, document)
    story.ok(f"{kind.label} ({kind.label_zh}) attached by {agency} — {_proof(attached.receipt)}")
    return attached.cleared


def _good_trace(story: Story, chain: ColdChainService, trace: Trace, batch: str) -> None:
    story.check(trace.verified, f"all {len(trace.events)} stored events match the hashes anchored on chain")
    story.check(
        [a.label for a in trace.ancestors] == [batch],
        f"it was split from batch {batch}, origin {trace.batch.origin}",
    )
    hands = [step.custodian_name for step in trace.custody]
    story.check(len(hands) == 4, "custody: " + " → ".join(hands))
    story.check(
        trace.cleared, "all five certificates, each with the agency that attached it and its transaction"
    )
    for entry in trace.certificates:
        assert entry.proof is not None and entry.attached_to is not None
        story.ok(f"{entry.kind.label}: {entry.certifier_name} (tx {entry.proof.tx_hash[:14]}…)")
    times = [event.event_time for event in trace.events]
    story.check(
        times == sorted(times), f"{len(times)} events from port to shelf, in time order, each with its tx"
    )
    story.check(
        all(point.within for point in trace.temperatures),
        f"all {len(trace.temperatures)} temperature readings within {trace.window.label}",
    )
    point = trace.temperatures[-1]
    proof = chain.reading_proof(point.batch_id, point.event_hash, point.index)
    story.check(
        proof.verified,
        f"a Merkle proof shows the reading of {point.reading.value} °C belongs to the set anchored on chain "
        f"({len(proof.siblings)} sibling hashes, checked by the contract too)",
    )


def _recalled_trace(story: Story, trace: Trace, packs: list[str]) -> None:
    lot = trace.batch.label
    story.check(trace.status is BatchStatus.RECALLED, f"status: {trace.status.label}")
    recall = trace.recall
    story.check(
        recall is not None and trace.recalled_lot == lot,
        f"recalled by {recall.actor_name if recall else '?'}: {recall.reason if recall else ''}",
    )
    breaches = [incident for incident in trace.incidents if incident.what == "flagged"]
    story.check(
        len(breaches) == 1 and breaches[0].actor_name == "Lingnan Cold-Chain Logistics Co.",
        f"why: flagged on chain when the carrier anchored {breaches[0].reason if breaches else '?'}",
    )
    story.check(
        sum(not point.within for point in trace.temperatures) == 4,
        "the four readings above the limit are in its temperature series, each provable on its own",
    )
    story.check(
        [(node.batch.label, node.batch.status) for node in trace.descendants]
        == [(pack, BatchStatus.DESTROYED) for pack in packs],
        f"its shelf packs {', '.join(packs)}: recalled with it, now destroyed",
    )
    story.check(trace.verified, "every stored event still matches the chain")


def _series(start: datetime, values: list[str], *, minutes: int) -> list[tuple[datetime, Decimal]]:
    return [(start + timedelta(minutes=minutes * i), Decimal(value)) for i, value in enumerate(values)]


def _truck_document(rt: Runtime, lot: str, number: int, name: str, departs: datetime) -> dict[str, Any]:
    """What the carrier's telematics export: the leg's readings and the hand-over to the store."""
    consortium = rt.consortium()
    store = f"https://{consortium.member(SUPERMARKET).domain}"
    lot_class = {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lot}", "quantity": 8000, "uom": "KGM"}
    readings = _series(departs, TRUCK_READINGS[name], minutes=10)
    arrives = departs + timedelta(minutes=70)
    return {
        "@context": [STANDARD_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(arrives),
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "bizStep": "transporting",
                    "disposition": "in_transit",
                    "eventTime": _time(arrives - timedelta(minutes=5)),
                    "eventTimeZoneOffset": "+08:00",
                    "readPoint": {"id": ROUTE},
                    "quantityList": [lot_class],
                    "sensorElementList": [
                        {
                            "sensorMetadata": {"deviceID": f"urn:epc:id:giai:6901234.TRUCK-{number:02d}"},
                            "sensorReport": [
                                {"type": "Temperature", "time": _time(t), "value": float(v), "uom": "CEL"}
                                for t, v in readings
                            ],
                        }
                    ],
                },
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "disposition": "in_transit",
                    "eventTime": _time(arrives),
                    "eventTimeZoneOffset": "+08:00",
                    "readPoint": {"id": STORES[name]},
                    "quantityList": [lot_class],
                    "destinationList": [{"type": "possessing_party", "destination": store}],
                },
            ]
        },
    }


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _proof(receipt: Any) -> str:
    return f"tx {receipt.tx_hash[:14]}…, block {receipt.block_number}, gas {receipt.gas_used:,}"


if __name__ == "__main__":
    main_for(__name__)
