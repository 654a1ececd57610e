"""The ColdChainTrace contract: batches, five certificates, custody, event anchors, breaches, recalls, splits.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.domain.coldchain import (
    AFTER_RECALL_STEPS,
    BIZ_STEP_WORDS,
    SPLIT_FORBIDDEN_STEPS,
    BatchStatus,
    CertificateKind,
    TemperatureWindow,
    biz_step_code,
    reading_leaf,
    validate_split,
)
from gzchain.domain.epcis import TemperatureRange
from gzchain.domain.errors import ContractReverted, InvalidInput
from gzchain.domain.merkle import build_tree
from gzchain.domain.reasons import RecallReason, ReleaseReason
from gzchain.domain.roles import Role

IMPORTER, WAREHOUSE, CARRIER, SUPERMARKET = (
    "nansha-importer",
    "gz-cold-warehouse",
    "lingnan-logistics",
    "tianhe-supermarket",
)
CUSTOMS, CDC, REGULATOR = "gz-customs", "gz-cdc", "gz-msa"
GTIN = 7891234000019
KGM = b"KGM"
BR = b"BR"
WINDOW = (-300, -180)  # -30.0 °C to -18.0 °C
ZERO = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
LOCATION = hashlib.sha256(b"urn:epc:id:sgln:6901234.00001.0").digest()
ALL = 0x1F
K = CertificateKind
INSPECTOR_KINDS = (K.CUSTOMS_DECLARATION, K.INSPECTION_QUARANTINE, K.NUCLEIC_ACID_TEST)
WAREHOUSE_KINDS = (K.DISINFECTION, K.WAREHOUSE_RELEASE)
CERTIFIER = {
    K.CUSTOMS_DECLARATION: CUSTOMS,
    K.INSPECTION_QUARANTINE: CUSTOMS,
    K.NUCLEIC_ACID_TEST: CDC,
    K.DISINFECTION: WAREHOUSE,
    K.WAREHOUSE_RELEASE: WAREHOUSE,
}

_counter = itertools.count()


def why(words: str) -> bytes:
    """A stand-in for the salted hash of a reason's words (zero for no words at all)."""
    return hashlib.sha256(f"salted: {words}".encode()).digest() if words else ZERO


def unique(label: str = "id") -> bytes:
    return hashlib.sha256(f"{label} {next(_counter)}".encode()).digest()


def anchor(
    step: str | None = "storing", *, readings: tuple[int, int] | None = None, time_ms: int = 1_740_787_200_000
):
    """An event anchor with a fresh event hash; `readings` is (min, max) in tenths over three readings."""
    if readings is None:
        return (unique("event"), biz_step_code(step), LOCATION, time_ms, 0, 0, 0, ZERO)
    low, high = readings
    root = build_tree(
        [reading_leaf(time_ms, time_ms, "dev", low, low), reading_leaf(0, 0, "dev", high, high)]
    ).root
    return (unique("event"), biz_step_code(step), LOCATION, time_ms, low, high, 2, root)


@pytest.fixture
def agencies(runtime: Runtime) -> Agencies:
    return Agencies(runtime)


@pytest.fixture
def trace(runtime: Runtime):
    return runtime.gateway.contract("ColdChainTrace", runtime.require_manifest().address("ColdChainTrace"))


@pytest.fixture
def chain(runtime: Runtime, agencies: Agencies, trace) -> Chain:
    chain = Chain(runtime, agencies, trace)
    chain.entitle(CUSTOMS, K.CUSTOMS_DECLARATION, K.INSPECTION_QUARANTINE)
    chain.entitle(CDC, K.NUCLEIC_ACID_TEST)
    chain.entitle(WAREHOUSE, *WAREHOUSE_KINDS)
    return chain


class Chain:
    """The contract's writes as the agencies make them, and its reads."""

    def __init__(self, runtime: Runtime, agencies: Agencies, contract) -> None:
        self.runtime = runtime
        self.agencies = agencies
        self.contract = contract
        self.fns = contract.functions

    def address(self, agency: str) -> str:
        return self.agencies.address(agency)

    def call(self, fn):
        return self.runtime.gateway.call(fn)

    def events(self, name: str, receipt) -> list[dict]:
        return self.runtime.gateway.events(self.contract, name, receipt)

    def entitle(self, agency: str, *kinds: CertificateKind, by: str = REGULATOR):
        return self.agencies.send(
            by, self.fns.setEntitlements(self.address(agency), CertificateKind.mask(kinds))
        )

    def create(self, batch: bytes | None = None, *, by: str = IMPORTER, quantity: int = 24000, window=WINDOW):
        batch = batch or unique("batch")
        self.agencies.send(by, self.fns.createBatch(batch, GTIN, quantity, KGM, BR, *window))
        return batch

    def certify(
        self, batch: bytes, kind: CertificateKind, *, by: str | None = None, document: bytes | None = None
    ):
        document = document or unique("document")
        return self.agencies.send(by or CERTIFIER[kind], self.fns.certify(batch, int(kind), document))

    def anchor(self, batch: bytes, event=None, *, by: str = IMPORTER):
        return self.agencies.send(by, self.fns.anchorEvent(batch, event or anchor()))

    def ship(self, batch: bytes, to: str, *, by: str = IMPORTER, event=None):
        return self.agencies.send(by, self.fns.ship(batch, event or anchor("shipping"), self.address(to)))

    def receive(self, batch: bytes, *, by: str, event=None):
        return self.agencies.send(by, self.fns.anchorEvent(batch, event or anchor("receiving")))

    def hand_over(self, batch: bytes, frm: str, to: str) -> None:
        self.ship(batch, to, by=frm)
        self.receive(batch, by=to)

    def split(self, batch: bytes, quantities, *, by: str = IMPORTER, children=None, event=None):
        children = children or [unique("lot") for _ in quantities]
        receipt = self.agencies.send(
            by, self.fns.split(batch, event or anchor("repackaging"), children, quantities)
        )
        return children, receipt

    def cleared(self, batch: bytes | None = None) -> bytes:
        """A batch with all five certificates, held by the supervised warehouse."""
        batch = batch or self.create()
        for kind in INSPECTOR_KINDS:
            self.certify(batch, kind)
        self.hand_over(batch, IMPORTER, WAREHOUSE)
        for kind in WAREHOUSE_KINDS:
            self.certify(batch, kind)
        return batch

    def recall(self, batch: bytes, reason: str = "reefer failure", *, code: int = 0, by: str = REGULATOR):
        return self.agencies.send(by, self.fns.recall(batch, code, why(reason)))

    def release(
        self,
        batch: bytes,
        reason: str = "logger fault, product core at -19 °C",
        *,
        code: int = 0,
        by: str = REGULATOR,
    ):
        return self.agencies.send(by, self.fns.release(batch, code, why(reason)))

    def batch(self, batch: bytes) -> tuple:
        return self.call(self.fns.batch(batch))

    def status(self, batch: bytes) -> BatchStatus:
        return BatchStatus(self.call(self.fns.status(batch)))

    def custodian(self, batch: bytes) -> str:
        return self.batch(batch)[1]


def suspend(runtime: Runtime, agencies: Agencies, agency: str) -> None:
    consortium = runtime.gateway.contract("Consortium", runtime.require_manifest().address("Consortium"))
    receipt = agencies.send(REGULATOR, consortium.functions.proposeSuspendMember(agencies.address(agency)))
    [created] = runtime.gateway.events(consortium, "ConsortiumProposalCreated", receipt)
    agencies.send("gz-gsdata", consortium.functions.approve(created["proposalId"]))


# ---- the Python mirror ----


def test_biz_step_codes_follow_the_cbv_vocabulary_in_the_contracts_order(trace):
    from gzchain.domain.epcis.vocabulary import BIZ_STEPS

    assert set(BIZ_STEP_WORDS) == set(BIZ_STEPS.words)
    assert list(BIZ_STEP_WORDS) == sorted(BIZ_STEP_WORDS)
    enum = next(
        i["internalType"]
        for e in trace.abi
        if e.get("name") == "ColdChainEventAnchored"
        for i in e["inputs"]
        if i["name"] == "bizStep"
    )
    assert enum == "enum IColdChainTrace.BizStep"


def test_the_steps_with_rules_of_their_own_have_the_codes_python_gives_them(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainBizStepNotAllowed", bizStep=biz_step_code("shipping")):
        chain.anchor(batch, anchor("shipping"))
    with reverts("ColdChainNoHandOverPending"):
        chain.anchor(batch, anchor("receiving"))
    with reverts("ColdChainNoHandOverPending"):
        chain.anchor(batch, anchor("void_shipping"))
    with reverts("ColdChainBatchNotCleared"):
        chain.anchor(batch, anchor("retail_selling"))
    chain.anchor(batch, anchor("destroying"))
    assert chain.status(batch) is BatchStatus.DESTROYED


# ---- entitlements (REGULATOR) ----


def test_the_regulator_sets_which_certificates_an_agency_may_attach(chain: Chain):
    receipt = chain.entitle(CDC, K.NUCLEIC_ACID_TEST, K.INSPECTION_QUARANTINE)
    assert chain.events("ColdChainEntitlementsSet", receipt) == [
        {"agency": chain.address(CDC), "regulator": chain.address(REGULATOR), "kinds": 0b110}
    ]
    assert chain.call(chain.fns.entitlementsOf(chain.address(CDC))) == 0b110
    chain.entitle(CDC)
    batch = chain.create()
    with reverts("ColdChainNotEntitled", account=chain.address(CDC), kind=K.NUCLEIC_ACID_TEST):
        chain.certify(batch, K.NUCLEIC_ACID_TEST)


def test_reverts_when_anyone_but_a_regulator_sets_entitlements(chain: Chain):
    with reverts("ConsortiumMissingRole", account=chain.address(CUSTOMS), role=Role.REGULATOR.id):
        chain.entitle(CUSTOMS, K.CUSTOMS_DECLARATION, by=CUSTOMS)


@pytest.mark.parametrize(
    ("agency", "kind", "missing"),
    [
        (CUSTOMS, K.DISINFECTION, Role.COLDCHAIN_OPERATOR),
        (IMPORTER, K.CUSTOMS_DECLARATION, Role.INSPECTOR),
        (WAREHOUSE, K.NUCLEIC_ACID_TEST, Role.INSPECTOR),
    ],
)
def test_reverts_when_entitling_an_agency_without_the_role_the_kind_needs(
    chain: Chain, agency, kind, missing
):
    with reverts("ConsortiumMissingRole", account=chain.address(agency), role=missing.id):
        chain.entitle(agency, kind)


def test_reverts_when_entitlements_name_kinds_that_do_not_exist(chain: Chain):
    with reverts("ColdChainInvalidEntitlements", kinds=0x21):
        chain.agencies.send(REGULATOR, chain.fns.setEntitlements(chain.address(CUSTOMS), 0x21))


# ---- booking a batch (COLDCHAIN_OPERATOR) ----


def test_an_operator_books_a_batch_and_becomes_its_custodian(runtime: Runtime, chain: Chain):
    batch = unique("batch")
    receipt = chain.agencies.send(IMPORTER, chain.fns.createBatch(batch, GTIN, 24000, KGM, BR, -300, -180))
    importer = chain.address(IMPORTER)
    assert chain.events("ColdChainBatchCreated", receipt) == [
        {
            "batchId": batch,
            "custodian": importer,
            "parentId": ZERO,
            "gtin": GTIN,
            "quantity": 24000,
            "unit": KGM,
            "originCountry": BR,
            "minTenths": -300,
            "maxTenths": -180,
        }
    ]
    timestamp = runtime.gateway.w3.eth.get_block(receipt.block_number)["timestamp"]
    assert chain.batch(batch) == (
        ZERO,
        importer,
        0,
        False,
        False,
        False,
        False,
        ZERO_ADDRESS,
        GTIN,
        KGM,
        24000,
        BR,
        -300,
        -180,
        timestamp,
    )
    assert chain.call(chain.fns.custodiansOf(batch)) == [importer]
    assert chain.status(batch) is BatchStatus.AWAITING_CLEARANCE


def test_a_two_letter_unit_is_padded_with_a_zero_byte(chain: Chain):
    batch = unique("batch")
    chain.agencies.send(IMPORTER, chain.fns.createBatch(batch, GTIN, 600, b"KT\x00", BR, -300, -180))
    assert chain.batch(batch)[9] == b"KT\x00"


def test_reverts_when_anyone_but_an_operator_books_a_batch(chain: Chain):
    with reverts("ConsortiumMissingRole", account=chain.address(CUSTOMS), role=Role.COLDCHAIN_OPERATOR.id):
        chain.create(by=CUSTOMS)


def test_reverts_when_a_suspended_operator_books_a_batch(runtime: Runtime, agencies: Agencies, chain: Chain):
    suspend(runtime, agencies, IMPORTER)
    with reverts("ConsortiumMemberNotActive", account=chain.address(IMPORTER)):
        chain.create()


@pytest.mark.parametrize(
    ("args", "error", "expected"),
    [
        ((ZERO, GTIN, 1, KGM, BR, -300, -180), "ColdChainInvalidBatchId", {}),
        ((None, 7891234000018, 1, KGM, BR, -300, -180), "ColdChainInvalidGtin", {"gtin": 7891234000018}),
        ((None, 10**14 + 7, 1, KGM, BR, -300, -180), "ColdChainInvalidGtin", {"gtin": 10**14 + 7}),
        ((None, 0, 1, KGM, BR, -300, -180), "ColdChainInvalidGtin", {"gtin": 0}),
        ((None, GTIN, 0, KGM, BR, -300, -180), "ColdChainInvalidQuantity", {"quantity": 0}),
        ((None, GTIN, 1, b"kgm", BR, -300, -180), "ColdChainInvalidUnit", {"unit": b"kgm"}),
        ((None, GTIN, 1, b"K\x00\x00", BR, -300, -180), "ColdChainInvalidUnit", {"unit": b"K\x00\x00"}),
        ((None, GTIN, 1, KGM, b"br", -300, -180), "ColdChainInvalidCountry", {"country": b"br"}),
        (
            (None, GTIN, 1, KGM, BR, -180, -181),
            "ColdChainInvalidWindow",
            {"minTenths": -180, "maxTenths": -181},
        ),
    ],
)
def test_reverts_when_a_batch_is_malformed(chain: Chain, args, error, expected):
    args = (args[0] if args[0] is not None else unique("batch"), *args[1:])
    with reverts(error, **expected):
        chain.agencies.send(IMPORTER, chain.fns.createBatch(*args))


def test_reverts_when_a_batch_id_is_booked_twice(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainBatchExists", batchId=batch):
        chain.create(batch, by=CARRIER)


# ---- the five certificates ----


def test_each_certificate_is_attached_by_the_agency_entitled_to_it_and_the_fifth_clears(chain: Chain):
    batch = chain.create()
    for kind in INSPECTOR_KINDS:
        document = unique("document")
        receipt = chain.certify(batch, kind, document=document)
        assert chain.events("ColdChainCertificateAttached", receipt) == [
            {
                "batchId": batch,
                "documentHash": document,
                "certifier": chain.address(CERTIFIER[kind]),
                "kind": kind,
            }
        ]
        assert chain.events("ColdChainBatchCleared", receipt) == []
        (found, attached_to) = chain.call(chain.fns.certificate(batch, int(kind)))
        assert (found[0], found[1], attached_to) == (document, chain.address(CERTIFIER[kind]), batch)
    chain.hand_over(batch, IMPORTER, WAREHOUSE)
    chain.certify(batch, K.DISINFECTION)
    assert chain.status(batch) is BatchStatus.AWAITING_CLEARANCE
    receipt = chain.certify(batch, K.WAREHOUSE_RELEASE)
    assert chain.events("ColdChainBatchCleared", receipt) == [{"batchId": batch}]
    assert chain.call(chain.fns.certificatesOf(batch)) == ALL
    assert chain.status(batch) is BatchStatus.CLEARED


@pytest.mark.parametrize(
    ("agency", "kind", "role"),
    [
        (IMPORTER, K.CUSTOMS_DECLARATION, Role.INSPECTOR),
        (CUSTOMS, K.DISINFECTION, Role.COLDCHAIN_OPERATOR),
        (REGULATOR, K.NUCLEIC_ACID_TEST, Role.INSPECTOR),
    ],
)
def test_reverts_when_a_certifier_lacks_the_role_of_the_kind(chain: Chain, agency, kind, role):
    batch = chain.create()
    with reverts("ConsortiumMissingRole", account=chain.address(agency), role=role.id):
        chain.certify(batch, kind, by=agency)


@pytest.mark.parametrize(
    ("agency", "kind"),
    [
        (CDC, K.CUSTOMS_DECLARATION),
        (CDC, K.INSPECTION_QUARANTINE),
        (CUSTOMS, K.NUCLEIC_ACID_TEST),
        (IMPORTER, K.DISINFECTION),  # holds the batch, but is not the designated supervised warehouse
    ],
)
def test_reverts_when_the_certifier_is_not_entitled_to_the_kind(chain: Chain, agency, kind):
    batch = chain.create()
    with reverts("ColdChainNotEntitled", account=chain.address(agency), kind=kind):
        chain.certify(batch, kind, by=agency)


def test_reverts_when_a_suspended_inspector_attaches_a_certificate(runtime, agencies, chain: Chain):
    batch = chain.create()
    suspend(runtime, agencies, CDC)
    with reverts("ConsortiumMemberNotActive", account=chain.address(CDC)):
        chain.certify(batch, K.NUCLEIC_ACID_TEST)


@pytest.mark.parametrize("kind", WAREHOUSE_KINDS)
def test_reverts_when_the_warehouse_certifies_goods_it_does_not_hold(chain: Chain, kind):
    batch = chain.create()
    for inspected in INSPECTOR_KINDS:
        chain.certify(batch, inspected)
    with reverts("ColdChainNotCustodian", batchId=batch, custodian=chain.address(IMPORTER)):
        chain.certify(batch, kind)


def test_reverts_when_the_release_certificate_comes_before_the_other_four(chain: Chain):
    batch = chain.create()
    chain.certify(batch, K.CUSTOMS_DECLARATION)
    chain.hand_over(batch, IMPORTER, WAREHOUSE)
    chain.certify(batch, K.DISINFECTION)
    with reverts("ColdChainReleaseBeforeChecks", batchId=batch, certificates=0b1001):
        chain.certify(batch, K.WAREHOUSE_RELEASE)


def test_reverts_when_a_certificate_is_attached_twice_to_a_batch_or_its_lot(chain: Chain):
    batch = chain.create()
    chain.certify(batch, K.CUSTOMS_DECLARATION)
    with reverts("ColdChainCertificateAlreadyAttached", batchId=batch, kind=0, attachedTo=batch):
        chain.certify(batch, K.CUSTOMS_DECLARATION)
    [lot, _], _ = chain.split(batch, [12000, 12000])
    with reverts("ColdChainCertificateAlreadyAttached", batchId=lot, kind=0, attachedTo=batch):
        chain.certify(lot, K.CUSTOMS_DECLARATION)


def test_reverts_on_an_unknown_kind_an_empty_document_or_an_unknown_batch(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainUnknownCertificateKind", kind=5):
        chain.agencies.send(CUSTOMS, chain.fns.certify(batch, 5, unique()))
    with reverts("ColdChainEmptyDocumentHash"):
        chain.certify(batch, K.CUSTOMS_DECLARATION, document=ZERO)
    missing = unique("batch")
    with reverts("ColdChainUnknownBatch", batchId=missing):
        chain.certify(missing, K.CUSTOMS_DECLARATION)


# ---- the sale gate ----


@pytest.mark.parametrize("present", range(5))
def test_a_sale_is_refused_until_all_five_certificates_are_on_record(chain: Chain, present: int):
    batch = chain.create()
    kinds = list(K)[:present]
    for kind in kinds[:3]:
        chain.certify(batch, kind)
    chain.hand_over(batch, IMPORTER, WAREHOUSE)
    for kind in kinds[3:]:
        chain.certify(batch, kind)
    with reverts("ColdChainBatchNotCleared", batchId=batch, certificates=CertificateKind.mask(kinds)):
        chain.anchor(batch, anchor("retail_selling"), by=WAREHOUSE)


def test_a_cleared_batch_is_sold(chain: Chain):
    batch = chain.cleared()
    event = anchor("retail_selling")
    receipt = chain.anchor(batch, event, by=WAREHOUSE)
    assert [e["bizStep"] for e in chain.events("ColdChainEventAnchored", receipt)] == [
        biz_step_code("retail_selling")
    ]


# ---- anchoring events ----


def test_the_custodian_anchors_an_event_with_all_its_fields(chain: Chain):
    batch = chain.create()
    event = anchor("arriving", readings=(-214, -208))
    receipt = chain.anchor(batch, event)
    event_hash, step, location, time_ms, low, high, count, root = event
    assert chain.events("ColdChainEventAnchored", receipt) == [
        {
            "batchId": batch,
            "eventHash": event_hash,
            "custodian": chain.address(IMPORTER),
            "bizStep": step,
            "location": location,
            "eventTimeMs": time_ms,
            "minTenths": low,
            "maxTenths": high,
            "readingCount": count,
            "readingsRoot": root,
        }
    ]
    assert chain.call(chain.fns.anchoredEvent(batch, event_hash)) == (
        chain.address(IMPORTER),
        time_ms,
        step,
        low,
        high,
        count,
        location,
        root,
    )
    assert chain.call(chain.fns.eventsOf(batch)) == [event_hash]
    assert chain.events("ColdChainBatchFlagged", receipt) == []


def test_an_event_naming_two_lots_is_anchored_for_each(chain: Chain):
    first, second = chain.create(), chain.create()
    event = anchor("storing")
    chain.anchor(first, event)
    chain.anchor(second, event)
    assert chain.call(chain.fns.eventsOf(first)) == chain.call(chain.fns.eventsOf(second)) == [event[0]]


def test_reverts_when_anyone_but_the_custodian_anchors_an_event(chain: Chain):
    batch = chain.create()
    with reverts(
        "ColdChainNotCustodian",
        batchId=batch,
        custodian=chain.address(IMPORTER),
        account=chain.address(CARRIER),
    ):
        chain.anchor(batch, by=CARRIER)
    with reverts("ConsortiumMissingRole", account=chain.address(CUSTOMS), role=Role.COLDCHAIN_OPERATOR.id):
        chain.anchor(batch, by=CUSTOMS)


def test_reverts_when_a_suspended_custodian_anchors_an_event(runtime, agencies, chain: Chain):
    batch = chain.create()
    suspend(runtime, agencies, IMPORTER)
    with reverts("ConsortiumMemberNotActive", account=chain.address(IMPORTER)):
        chain.anchor(batch)


def test_reverts_when_an_event_is_anchored_twice_for_a_batch(chain: Chain):
    batch = chain.create()
    event = anchor()
    chain.anchor(batch, event)
    with reverts("ColdChainEventAlreadyAnchored", batchId=batch, eventHash=event[0]):
        chain.anchor(batch, event)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({0: ZERO}, "ColdChainInvalidEvent"),
        ({3: 0}, "ColdChainInvalidEvent"),
        ({6: 0, 4: -200, 5: -190}, "ColdChainInvalidReadings"),  # bounds without readings
        ({6: 0, 7: b"\x01" * 32}, "ColdChainInvalidReadings"),  # a root without readings
        ({6: 2, 4: -190, 5: -200, 7: b"\x01" * 32}, "ColdChainInvalidReadings"),  # min above max
        ({6: 2, 4: -200, 5: -190}, "ColdChainInvalidReadings"),  # readings without a root
    ],
)
def test_reverts_when_an_anchor_is_malformed(chain: Chain, change, error):
    batch = chain.create()
    event = list(anchor())
    for index, value in change.items():
        event[index] = value
    with reverts(error):
        chain.anchor(batch, tuple(event))


def test_reverts_on_an_unknown_biz_step(chain: Chain):
    batch = chain.create()
    event = list(anchor())
    event[1] = len(BIZ_STEP_WORDS) + 1
    with reverts("ColdChainUnknownBizStep", bizStep=len(BIZ_STEP_WORDS) + 1):
        chain.anchor(batch, tuple(event))


def test_shipping_goes_through_ship_and_nothing_else_does(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainBizStepNotAllowed", batchId=batch, bizStep=biz_step_code("shipping")):
        chain.anchor(batch, anchor("shipping"))
    with reverts("ColdChainBizStepNotAllowed", batchId=batch, bizStep=biz_step_code("storing")):
        chain.ship(batch, CARRIER, event=anchor("storing"))


def test_an_event_without_a_biz_step_is_anchored_as_unspecified(chain: Chain):
    batch = chain.create()
    event = anchor(None, readings=(-210, -200))
    chain.anchor(batch, event)
    assert chain.call(chain.fns.anchoredEvent(batch, event[0]))[2] == 0


# ---- custody ----


def test_custody_passes_with_a_shipping_event_and_the_matching_receiving_event(chain: Chain):
    batch = chain.create()
    shipping, receiving = anchor("shipping"), anchor("receiving")
    importer, warehouse = chain.address(IMPORTER), chain.address(WAREHOUSE)
    receipt = chain.ship(batch, WAREHOUSE, event=shipping)
    assert chain.events("ColdChainShipped", receipt) == [
        {"batchId": batch, "shipper": importer, "recipient": warehouse, "eventHash": shipping[0]}
    ]
    assert (chain.custodian(batch), chain.batch(batch)[7]) == (importer, warehouse)
    receipt = chain.receive(batch, by=WAREHOUSE, event=receiving)
    assert chain.events("ColdChainCustodyTransferred", receipt) == [
        {"batchId": batch, "from": importer, "to": warehouse, "eventHash": receiving[0]}
    ]
    assert (chain.custodian(batch), chain.batch(batch)[7]) == (warehouse, ZERO_ADDRESS)
    assert chain.call(chain.fns.custodiansOf(batch)) == [importer, warehouse]
    assert chain.call(chain.fns.eventsOf(batch)) == [shipping[0], receiving[0]]
    chain.anchor(batch, by=WAREHOUSE)
    with reverts("ColdChainNotCustodian", batchId=batch, custodian=warehouse, account=importer):
        chain.anchor(batch)


def test_reverts_when_receiving_without_a_pending_hand_over(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainNoHandOverPending", batchId=batch):
        chain.receive(batch, by=IMPORTER)


def test_reverts_when_anyone_but_the_named_recipient_receives(chain: Chain):
    batch = chain.create()
    chain.ship(batch, WAREHOUSE)
    with reverts(
        "ColdChainNotRecipient",
        batchId=batch,
        recipient=chain.address(WAREHOUSE),
        account=chain.address(CARRIER),
    ):
        chain.receive(batch, by=CARRIER)


def test_only_receiving_or_voiding_is_accepted_while_a_hand_over_is_pending(chain: Chain):
    batch = chain.create()
    chain.ship(batch, WAREHOUSE)
    warehouse = chain.address(WAREHOUSE)
    with reverts("ColdChainHandOverPending", batchId=batch, recipient=warehouse):
        chain.anchor(batch, anchor("storing"))
    with reverts("ColdChainHandOverPending", batchId=batch, recipient=warehouse):
        chain.ship(batch, CARRIER)
    with reverts("ColdChainHandOverPending", batchId=batch, recipient=warehouse):
        chain.split(batch, [24000])


def test_the_shipper_voids_a_pending_hand_over_and_ships_elsewhere(chain: Chain):
    batch = chain.create()
    chain.ship(batch, WAREHOUSE)
    void = anchor("void_shipping")
    with reverts("ColdChainNotCustodian", batchId=batch):
        chain.anchor(batch, void, by=WAREHOUSE)
    receipt = chain.anchor(batch, void)
    assert chain.events("ColdChainShipmentVoided", receipt) == [
        {
            "batchId": batch,
            "shipper": chain.address(IMPORTER),
            "recipient": chain.address(WAREHOUSE),
            "eventHash": void[0],
        }
    ]
    with reverts("ColdChainNoHandOverPending", batchId=batch):
        chain.anchor(batch, anchor("void_shipping"))
    chain.hand_over(batch, IMPORTER, CARRIER)
    assert chain.custodian(batch) == chain.address(CARRIER)


@pytest.mark.parametrize("recipient", [IMPORTER, CUSTOMS, "unknown-agency"])
def test_reverts_when_shipping_to_oneself_or_to_no_operator(chain: Chain, recipient: str):
    batch = chain.create()
    with reverts("ColdChainInvalidRecipient", batchId=batch, recipient=chain.address(recipient)):
        chain.ship(batch, recipient)


def test_reverts_when_shipping_to_a_suspended_operator(runtime, agencies, chain: Chain):
    batch = chain.create()
    suspend(runtime, agencies, CARRIER)
    with reverts("ColdChainInvalidRecipient", batchId=batch, recipient=chain.address(CARRIER)):
        chain.ship(batch, CARRIER)


def test_reverts_when_anyone_but_the_custodian_ships(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainNotCustodian", batchId=batch, account=chain.address(CARRIER)):
        chain.ship(batch, WAREHOUSE, by=CARRIER)
    with reverts("ConsortiumMissingRole", account=chain.address(CDC)):
        chain.ship(batch, WAREHOUSE, by=CDC)


# ---- breaches ----


@pytest.mark.parametrize("readings", [(-250, -179), (-301, -250), (-320, -150)])
def test_a_reading_outside_the_window_flags_the_batch(chain: Chain, readings):
    batch = chain.create()
    event = anchor("transporting", readings=readings)
    receipt = chain.anchor(batch, event)
    assert chain.events("ColdChainBatchFlagged", receipt) == [
        {
            "batchId": batch,
            "eventHash": event[0],
            "minTenths": readings[0],
            "maxTenths": readings[1],
            "windowMinTenths": -300,
            "windowMaxTenths": -180,
        }
    ]
    assert chain.status(batch) is BatchStatus.FLAGGED
    assert chain.call(chain.fns.holdOf(batch)) == [batch, event[0]]


def test_readings_on_the_limits_are_within_the_window(chain: Chain):
    batch = chain.create()
    receipt = chain.anchor(batch, anchor("transporting", readings=(-300, -180)))
    assert chain.events("ColdChainBatchFlagged", receipt) == []
    assert chain.call(chain.fns.holdOf(batch)) == [ZERO, ZERO]


def test_a_flagged_batch_is_not_sold_until_a_regulator_releases_it(chain: Chain):
    batch = chain.cleared()
    breach = anchor("storing", readings=(-200, -160))
    chain.anchor(batch, breach, by=WAREHOUSE)
    with reverts("ColdChainBatchOnHold", batchId=batch, flaggedBatchId=batch):
        chain.anchor(batch, anchor("retail_selling"), by=WAREHOUSE)
    receipt = chain.release(batch, "logger fault: probe outside the carton", code=ReleaseReason.SENSOR_FAULT)
    assert chain.events("ColdChainBatchReleased", receipt) == [
        {
            "batchId": batch,
            "regulator": chain.address(REGULATOR),
            "breachEventHash": breach[0],
            "reasonCode": ReleaseReason.SENSOR_FAULT,
            "reasonHash": why("logger fault: probe outside the carton"),
        }
    ]
    assert chain.status(batch) is BatchStatus.CLEARED
    chain.anchor(batch, anchor("retail_selling"), by=WAREHOUSE)


def test_a_flagged_batch_still_moves_and_is_measured(chain: Chain):
    batch = chain.create()
    chain.anchor(batch, anchor("transporting", readings=(-200, -150)))
    chain.anchor(batch, anchor("holding", readings=(-220, -210)))
    chain.hand_over(batch, IMPORTER, WAREHOUSE)
    assert chain.status(batch) is BatchStatus.FLAGGED


def test_reverts_when_anyone_but_a_regulator_releases(chain: Chain):
    batch = chain.create()
    chain.anchor(batch, anchor("transporting", readings=(-200, -150)))
    with reverts("ConsortiumMissingRole", account=chain.address(CUSTOMS), role=Role.REGULATOR.id):
        chain.release(batch, by=CUSTOMS)


def test_reverts_when_releasing_a_batch_that_is_not_flagged_or_without_a_reason(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainBatchNotFlagged", batchId=batch):
        chain.release(batch)
    chain.anchor(batch, anchor("transporting", readings=(-200, -150)))
    with reverts("ColdChainEmptyReasonHash"):
        chain.release(batch, "")
    top = max(ReleaseReason)
    with reverts("ColdChainUnknownReason", reasonCode=top + 1, maxCode=top):
        chain.release(batch, code=top + 1)
    assert chain.status(batch) is BatchStatus.FLAGGED
    chain.recall(batch)
    with reverts("ColdChainBatchRecalled", batchId=batch, recalledBatchId=batch):
        chain.release(batch)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    window=st.tuples(st.integers(-400, 100), st.integers(0, 200)).map(lambda w: (w[0], w[0] + w[1])),
    observed=st.tuples(st.integers(-500, 200), st.integers(0, 300)).map(lambda r: (r[0], r[0] + r[1])),
)
def test_the_contract_flags_exactly_the_readings_the_window_does_not_admit(chain: Chain, window, observed):
    batch = chain.create(window=window)
    receipt = chain.anchor(batch, anchor("transporting", readings=observed))
    admitted = TemperatureWindow(*window).admits(TemperatureRange(*observed))
    assert bool(chain.events("ColdChainBatchFlagged", receipt)) is not admitted


# ---- recalls ----


def test_the_regulator_recalls_a_batch_with_a_reason(runtime: Runtime, chain: Chain):
    batch = chain.create()
    code = RecallReason.ORDERED_BY_AUTHORITY
    receipt = chain.recall(batch, "Brazilian plant delisted by GACC", code=code)
    assert chain.events("ColdChainRecallOrdered", receipt) == [
        {
            "batchId": batch,
            "regulator": chain.address(REGULATOR),
            "reasonCode": code,
            "reasonHash": why("Brazilian plant delisted by GACC"),
        }
    ]
    timestamp = runtime.gateway.w3.eth.get_block(receipt.block_number)["timestamp"]
    assert chain.call(chain.fns.recallOf(batch)) == [
        (chain.address(REGULATOR), timestamp, code, why("Brazilian plant delisted by GACC")),
        batch,
    ]
    assert chain.status(batch) is BatchStatus.RECALLED


def test_reverts_when_anyone_but_a_regulator_recalls(chain: Chain):
    batch = chain.create()
    with reverts("ConsortiumMissingRole", account=chain.address(CDC), role=Role.REGULATOR.id):
        chain.recall(batch, by=CDC)


def test_reverts_when_recalling_twice_without_a_reason_or_an_unknown_batch(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainEmptyReasonHash"):
        chain.recall(batch, "")
    top = max(RecallReason)
    for code in (top + 1, 255):
        with reverts("ColdChainUnknownReason", reasonCode=code, maxCode=top):
            chain.recall(batch, code=code)
    [lot], _ = chain.split(batch, [24000])
    chain.recall(batch)
    with reverts("ColdChainBatchRecalled", batchId=batch, recalledBatchId=batch):
        chain.recall(batch)
    with reverts("ColdChainBatchRecalled", batchId=lot, recalledBatchId=batch):
        chain.recall(lot)
    missing = unique("batch")
    with reverts("ColdChainUnknownBatch", batchId=missing):
        chain.recall(missing)


def test_a_recall_reaches_every_descendant_grandchildren_too(chain: Chain):
    batch = chain.cleared()
    lots, _ = chain.split(batch, [8000, 16000], by=WAREHOUSE)
    packs, _ = chain.split(lots[1], [4000, 12000], by=WAREHOUSE)
    chain.recall(batch, "contaminated at origin")
    for descendant in [*lots, *packs]:
        assert chain.status(descendant) is BatchStatus.RECALLED
        (regulator, _, _, reason), recalled = chain.call(chain.fns.recallOf(descendant))
        assert (regulator, reason, recalled) == (
            chain.address(REGULATOR),
            why("contaminated at origin"),
            batch,
        )
    with reverts("ColdChainBatchRecalled", batchId=packs[0], recalledBatchId=batch):
        chain.anchor(packs[0], anchor("retail_selling"), by=WAREHOUSE)


def test_recalling_a_lot_leaves_its_parent_and_siblings_alone(chain: Chain):
    batch = chain.cleared()
    lots, _ = chain.split(batch, [8000, 16000], by=WAREHOUSE)
    chain.recall(lots[0])
    assert [chain.status(lot) for lot in lots] == [BatchStatus.RECALLED, BatchStatus.CLEARED]
    assert chain.status(batch) is BatchStatus.SPLIT
    chain.anchor(lots[1], anchor("retail_selling"), by=WAREHOUSE)


@pytest.mark.parametrize("step", [*sorted(set(BIZ_STEP_WORDS) - AFTER_RECALL_STEPS), None])
def test_nothing_but_destruction_or_return_is_accepted_after_a_recall(chain: Chain, step):
    batch = chain.cleared()
    [lot], _ = chain.split(batch, [24000], by=WAREHOUSE)
    chain.recall(batch)
    with reverts("ColdChainBatchRecalled", batchId=lot, recalledBatchId=batch):
        chain.anchor(lot, anchor(step, readings=(-220, -200)), by=WAREHOUSE)


def test_a_recalled_lot_takes_no_split_certificate_or_shipment_down_the_chain(chain: Chain):
    batch = chain.create()
    [lot], _ = chain.split(batch, [24000])
    chain.recall(batch)
    with reverts("ColdChainBatchRecalled", batchId=lot, recalledBatchId=batch):
        chain.split(lot, [12000, 12000])
    with reverts("ColdChainBatchRecalled", batchId=lot, recalledBatchId=batch):
        chain.certify(lot, K.CUSTOMS_DECLARATION)
    with reverts("ColdChainInvalidRecipient", batchId=lot, recipient=chain.address(SUPERMARKET)):
        chain.ship(lot, SUPERMARKET)


def test_a_recalled_lot_is_returned_up_the_chain_and_destroyed(chain: Chain):
    batch = chain.cleared()
    [lot], _ = chain.split(batch, [24000], by=WAREHOUSE)
    chain.hand_over(lot, WAREHOUSE, SUPERMARKET)
    chain.recall(lot)
    chain.ship(lot, IMPORTER, by=SUPERMARKET)  # held the parent batch: a return
    chain.anchor(lot, anchor("void_shipping"), by=SUPERMARKET)
    chain.ship(lot, WAREHOUSE, by=SUPERMARKET)
    chain.receive(lot, by=WAREHOUSE)
    destroying = anchor("destroying")
    receipt = chain.anchor(lot, destroying, by=WAREHOUSE)
    assert chain.events("ColdChainBatchDestroyed", receipt) == [
        {"batchId": lot, "custodian": chain.address(WAREHOUSE), "eventHash": destroying[0]}
    ]
    assert chain.status(lot) is BatchStatus.DESTROYED


def test_a_shipment_under_way_when_the_recall_comes_is_still_received(chain: Chain):
    batch = chain.create()
    chain.ship(batch, WAREHOUSE)
    chain.recall(batch)
    chain.receive(batch, by=WAREHOUSE)
    assert chain.custodian(batch) == chain.address(WAREHOUSE)


def test_nothing_is_writable_once_a_batch_is_destroyed(chain: Chain):
    batch = chain.create()
    chain.anchor(batch, anchor("destroying"))
    for write in (
        lambda: chain.anchor(batch),
        lambda: chain.anchor(batch, anchor("destroying")),
        lambda: chain.ship(batch, WAREHOUSE),
        lambda: chain.split(batch, [24000]),
        lambda: chain.certify(batch, K.CUSTOMS_DECLARATION),
        lambda: chain.recall(batch),
        lambda: chain.release(batch),
    ):
        with reverts("ColdChainBatchAlreadyDestroyed", batchId=batch):
            write()


# ---- splits ----


def test_the_custodian_splits_a_batch_into_lots_that_inherit_window_and_certificates(chain: Chain):
    batch = chain.cleared()
    event = anchor("repackaging")
    children = [unique("lot"), unique("lot"), unique("lot")]
    _, receipt = chain.split(batch, [8000, 8000, 8000], by=WAREHOUSE, children=children, event=event)
    warehouse = chain.address(WAREHOUSE)
    assert chain.events("ColdChainBatchSplit", receipt) == [
        {
            "parentId": batch,
            "eventHash": event[0],
            "custodian": warehouse,
            "childIds": children,
            "quantities": [8000, 8000, 8000],
        }
    ]
    assert [e["batchId"] for e in chain.events("ColdChainBatchCreated", receipt)] == children
    created = chain.events("ColdChainBatchCreated", receipt)[0]
    assert (created["parentId"], created["custodian"], created["quantity"]) == (batch, warehouse, 8000)
    assert chain.call(chain.fns.childrenOf(batch)) == children
    for child in children:
        parent_id, custodian, own, *_ = chain.batch(child)
        assert (parent_id, custodian, own) == (batch, warehouse, 0)
        assert chain.batch(child)[8:14] == (GTIN, KGM, 8000, BR, -300, -180)
        assert chain.call(chain.fns.certificatesOf(child)) == ALL
        assert chain.status(child) is BatchStatus.CLEARED
    assert chain.status(batch) is BatchStatus.SPLIT
    with reverts("ColdChainBatchAlreadySplit", batchId=batch):
        chain.anchor(batch, by=WAREHOUSE)


def test_a_certificate_attached_to_a_batch_after_its_split_reaches_its_lots(chain: Chain):
    batch = chain.create()
    [lot], _ = chain.split(batch, [24000])
    chain.certify(batch, K.NUCLEIC_ACID_TEST)
    assert chain.call(chain.fns.certificatesOf(lot)) == K.NUCLEIC_ACID_TEST.bit
    (found, attached_to) = chain.call(chain.fns.certificate(lot, int(K.NUCLEIC_ACID_TEST)))
    assert (found[1], attached_to) == (chain.address(CDC), batch)


def test_lots_split_from_a_flagged_batch_stay_on_hold_until_it_is_released(chain: Chain):
    batch = chain.cleared()
    breach = anchor("storing", readings=(-200, -170))
    chain.anchor(batch, breach, by=WAREHOUSE)
    [lot, _], _ = chain.split(batch, [12000, 12000], by=WAREHOUSE)
    assert chain.status(lot) is BatchStatus.FLAGGED
    assert chain.call(chain.fns.holdOf(lot)) == [batch, breach[0]]
    with reverts("ColdChainBatchOnHold", batchId=lot, flaggedBatchId=batch):
        chain.anchor(lot, anchor("retail_selling"), by=WAREHOUSE)
    chain.release(batch)
    chain.anchor(lot, anchor("retail_selling"), by=WAREHOUSE)


@pytest.mark.parametrize(
    ("quantities", "total"), [([8000, 8000], 16000), ([8000, 8000, 8001], 24001), ([24000, 1], 24001)]
)
def test_reverts_when_split_quantities_do_not_add_up(chain: Chain, quantities, total):
    batch = chain.create()
    with reverts("ColdChainSplitMismatch", parentId=batch, expected=24000, total=total):
        chain.split(batch, quantities)


def test_reverts_when_a_split_is_malformed(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainInvalidSplit", parentId=batch):
        chain.split(batch, [], children=[])
    with reverts("ColdChainInvalidSplit", parentId=batch):
        chain.split(batch, [24000], children=[unique("lot"), unique("lot")])
    with reverts("ColdChainInvalidQuantity", quantity=0):
        chain.split(batch, [24000, 0])
    with reverts("ColdChainInvalidBatchId"):
        chain.split(batch, [24000], children=[ZERO])
    with reverts("ColdChainBatchExists", batchId=batch):
        chain.split(batch, [24000], children=[batch])
    twin = unique("lot")
    with reverts("ColdChainBatchExists", batchId=twin):
        chain.split(batch, [12000, 12000], children=[twin, twin])


@pytest.mark.parametrize("step", sorted(SPLIT_FORBIDDEN_STEPS))
def test_reverts_when_a_split_carries_a_step_with_a_meaning_of_its_own(chain: Chain, step):
    batch = chain.create()
    with reverts("ColdChainBizStepNotAllowed", batchId=batch, bizStep=biz_step_code(step)):
        chain.split(batch, [24000], event=anchor(step))


def test_reverts_when_anyone_but_the_custodian_splits(chain: Chain):
    batch = chain.create()
    with reverts("ColdChainNotCustodian", batchId=batch, account=chain.address(WAREHOUSE)):
        chain.split(batch, [24000], by=WAREHOUSE)
    with reverts("ConsortiumMissingRole", account=chain.address(CUSTOMS)):
        chain.split(batch, [24000], by=CUSTOMS)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parent=st.integers(1, 10**6),
    quantities=st.lists(st.integers(0, 10**6), min_size=1, max_size=5),
    exact=st.booleans(),
)
def test_the_contract_accepts_a_split_exactly_when_the_domain_does(chain: Chain, parent, quantities, exact):
    if exact and sum(quantities[:-1]) < parent:
        quantities = [*quantities[:-1], parent - sum(quantities[:-1])]
    batch = chain.create(quantity=parent)
    try:
        validate_split(parent, quantities)
        accepted = True
    except InvalidInput:
        accepted = False
    if accepted:
        children, _ = chain.split(batch, quantities)
        assert [chain.batch(child)[10] for child in children] == quantities
    else:
        with pytest.raises(ContractReverted) as refused:
            chain.split(batch, quantities)
        assert refused.value.error_name in ("ColdChainSplitMismatch", "ColdChainInvalidQuantity")


# ---- reads and multicall ----


def test_reads_of_an_unknown_batch_or_event_revert(chain: Chain):
    missing = unique("batch")
    for read in (
        "batch",
        "status",
        "certificatesOf",
        "childrenOf",
        "custodiansOf",
        "eventsOf",
        "recallOf",
        "holdOf",
    ):
        with reverts("ColdChainUnknownBatch", batchId=missing):
            chain.call(getattr(chain.fns, read)(missing))
    batch = chain.create()
    with reverts("ColdChainUnknownEvent", batchId=batch, eventHash=ZERO):
        chain.call(chain.fns.anchoredEvent(batch, ZERO))


def test_a_reading_is_verified_against_the_root_anchored_with_its_event(chain: Chain):
    batch = chain.create()
    leaves = [
        reading_leaf(1_000 * i, 1_000 * i, "urn:epc:id:giai:4000001.1", -200 - i, -200 - i) for i in range(5)
    ]
    tree = build_tree(leaves)
    event = (unique("event"), biz_step_code("transporting"), LOCATION, 1, -204, -200, 5, tree.root)
    chain.anchor(batch, event)
    for index, leaf in enumerate(leaves):
        assert chain.call(chain.fns.verifyReading(batch, event[0], leaf, tree.proof(index)))
    assert not chain.call(chain.fns.verifyReading(batch, event[0], leaves[0], tree.proof(1)))
    plain = anchor("storing")
    chain.anchor(batch, plain)
    assert not chain.call(chain.fns.verifyReading(batch, plain[0], ZERO, []))


def test_multicall_anchors_a_document_all_or_nothing(chain: Chain):
    batch = chain.create()
    storing = anchor("storing")
    calls = [
        chain.contract.encode_abi("anchorEvent", args=[batch, storing]),
        chain.contract.encode_abi("anchorEvent", args=[batch, anchor("retail_selling")]),
    ]
    with reverts("ColdChainBatchNotCleared", batchId=batch, certificates=0):
        chain.agencies.send(IMPORTER, chain.fns.multicall(calls))
    assert chain.call(chain.fns.eventsOf(batch)) == []
    shipping = chain.contract.encode_abi("ship", args=[batch, anchor("shipping"), chain.address(WAREHOUSE)])
    chain.agencies.send(IMPORTER, chain.fns.multicall([calls[0], shipping]))
    assert len(chain.call(chain.fns.eventsOf(batch))) == 2
    with reverts("ColdChainNotCustodian"):
        chain.agencies.send(CARRIER, chain.fns.multicall(calls[:1]))


def test_every_recall_and_release_code_the_python_side_knows_is_one_the_contract_records(chain: Chain):
    for code in RecallReason:
        batch = chain.create()
        [event] = chain.events("ColdChainRecallOrdered", chain.recall(batch, code=code))
        assert RecallReason(event["reasonCode"]) is code
    for code in ReleaseReason:
        batch = chain.create()
        chain.anchor(batch, anchor("transporting", readings=(-200, -150)))
        [event] = chain.events("ColdChainBatchReleased", chain.release(batch, code=code))
        assert ReleaseReason(event["reasonCode"]) is code
