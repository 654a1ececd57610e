"""The bulk reads a trace is built from give what single reads give: logs decoded in bulk match web3's
`process_log` argument for argument, and one multicall of views matches each view called alone (and is
refused the same way). Runs on the embedded chain (and on anvil, `--lane anvil`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gzchain.bootstrap import Runtime
from gzchain.chain.event_decoding import EventDecoder
from gzchain.chain.multicall import call_views
from gzchain.domain.coldchain import CertificateKind, Lot, TemperatureWindow
from gzchain.domain.errors import ContractReverted
from gzchain.services.coldchain import CHINA_STANDARD_TIME, ColdChainService

IMPORTER, WAREHOUSE = "nansha-importer", "gz-cold-warehouse"
GTIN = "07891234000019"
DEPOT = "urn:epc:id:sgln:6901234.00002.0"
FROZEN = TemperatureWindow.from_celsius("-30.0", "-18.0")
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)


@pytest.fixture
def service(runtime: Runtime) -> ColdChainService:
    """A lot with a story that emits every kind of log a trace reads."""
    service = runtime.coldchain()
    service.entitle("gz-msa", "gz-customs", [CertificateKind.CUSTOMS_DECLARATION])
    for lot in ("BR-1", "BR-2"):
        service.create(IMPORTER, gtin=GTIN, lot=lot, quantity=24000, unit="KGM", origin="BR", window=FROZEN)
    service.certify("gz-customs", "BR-1", CertificateKind.CUSTOMS_DECLARATION, b"declared")
    service.record_event(
        IMPORTER, "BR-1", "holding", location=DEPOT, time=T0, readings=[(T0, "-19.0"), (T0, "-16.5")]
    )
    service.release("gz-msa", "BR-1", "sensor-fault", "core temperature -21 °C")
    service.record_event(IMPORTER, "BR-1", "shipping", location=DEPOT, time=T0, recipient=WAREHOUSE)
    service.record_event(WAREHOUSE, "BR-1", "receiving", location=DEPOT, time=T0 + timedelta(hours=1))
    service.split(WAREHOUSE, "BR-1", [("BR-1-A", 12000), ("BR-1-B", 12000)], location=DEPOT, time=T0)
    service.recall("gz-msa", "BR-2", "pathogen-detected", "supplier recall")
    return service


def test_logs_decoded_in_bulk_match_web3_argument_for_argument(service: ColdChainService):
    logs = service.gateway.w3.eth.get_logs(
        {"address": service.contract.address, "fromBlock": service.reader.from_block, "toBlock": "latest"}
    )
    decoder = EventDecoder(service.contract)
    names = set()
    for log in logs:
        decoded = decoder.decode(log)
        assert decoded is not None
        name, args = decoded
        names.add(name)
        expected = dict(service.contract.events[name]().process_log(log)["args"])
        assert args == expected, name
        assert [type(value) for value in args.values()] == [type(value) for value in expected.values()]
    assert {
        "ColdChainBatchCreated",
        "ColdChainEntitlementsSet",
        "ColdChainCertificateAttached",
        "ColdChainEventAnchored",
        "ColdChainBatchFlagged",
        "ColdChainBatchReleased",
        "ColdChainShipped",
        "ColdChainCustodyTransferred",
        "ColdChainBatchSplit",
        "ColdChainRecallOrdered",
    } <= names


def test_a_log_of_another_event_is_not_decoded(service: ColdChainService):
    log = service.gateway.w3.eth.get_logs(
        {"address": service.contract.address, "fromBlock": service.reader.from_block, "toBlock": "latest"}
    )[0]
    assert (
        EventDecoder(service.contract).decode({**log, "topics": [b"\x01" * 32, *log["topics"][1:]]}) is None
    )


def test_views_read_in_one_multicall_match_each_view_read_alone(service: ColdChainService):
    functions = service.contract.functions
    parent, child, recalled = (Lot(GTIN, n).batch_id for n in ("BR-1", "BR-1-A", "BR-2"))
    views = [
        functions.batch(child),
        functions.status(parent),
        functions.custodiansOf(parent),
        functions.childrenOf(parent),
        functions.eventsOf(parent),
        functions.certificate(parent, int(CertificateKind.CUSTOMS_DECLARATION)),
        functions.recallOf(recalled),
        functions.holdOf(parent),
    ]
    assert call_views(service.gateway, service.contract, views) == [
        service.gateway.call(view) for view in views
    ]
    assert call_views(service.gateway, service.contract, []) == []


def test_a_multicall_of_views_is_refused_as_its_refused_view_is(service: ColdChainService):
    unknown = Lot(GTIN, "BR-9").batch_id
    functions = service.contract.functions
    with pytest.raises(ContractReverted) as alone:
        service.gateway.call(functions.batch(unknown))
    with pytest.raises(ContractReverted) as together:
        call_views(
            service.gateway,
            service.contract,
            [functions.status(Lot(GTIN, "BR-1").batch_id), functions.batch(unknown)],
        )
    assert together.value.error_name == alone.value.error_name == "ColdChainUnknownBatch"
