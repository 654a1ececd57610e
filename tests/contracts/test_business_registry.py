"""The BusinessRegistry contract: USCC-keyed records, versions, status lifecycle, notarised filings.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.domain.business import ChangeType
from gzchain.domain.reasons import NotarisationRevocationReason, ReasonAction
from gzchain.domain.registry import BusinessStatus, DocumentType
from gzchain.domain.roles import Role
from gzchain.domain.uscc import (
    ALPHABET,
    INSTITUTION_TYPES,
    REGISTRATION_AUTHORITIES,
    organisation_code_check_character,
    uscc_check_character,
    uscc_from_prefix,
)

REGISTRAR = Role.REGISTRAR.id
NOTARY = Role.NOTARY.id
USCC = b"91440101MA59LU9AX1"
OTHER_USCC = b"914403001922038216"
REFERENCE_VALID = [
    "914403001922038216",
    "91440300708461136T",
    "9144030071526726XG",
    "91330100716105852F",
    "91110000802100433B",
    "91440101MA59LU9AX1",
    "91350100M000100Y43",
]
ACTIVE, SUSPENDED, DEREGISTERED = BusinessStatus.ACTIVE, BusinessStatus.SUSPENDED, BusinessStatus.DEREGISTERED
ZERO_HASH = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
AMENDED_NAME = int(ChangeType.AMENDED_NAME)  # web3 encodes ints; a 3.11 IntFlag member is also iterable


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def why(words: str, code: int = 0) -> tuple[int, bytes]:
    """A reason as the contract takes it: a code, and a stand-in for the salted hash of the words."""
    return code, digest(f"salted: {words}")


V1, V2, V3 = digest("record v1"), digest("record v2"), digest("record v3")
ARTICLES, LICENCE = digest("articles of association"), digest("business licence")


@pytest.fixture
def agencies(runtime: Runtime) -> Agencies:
    return Agencies(runtime)


@pytest.fixture
def registry(runtime: Runtime):
    return runtime.gateway.contract(
        "BusinessRegistry", runtime.require_manifest().address("BusinessRegistry")
    )


@pytest.fixture
def registered(agencies: Agencies, registry) -> bytes:
    agencies.send("gz-msa", registry.functions.register(USCC, V1))
    return USCC


# ---- helpers ----


def timestamp(runtime: Runtime, receipt) -> int:
    return runtime.gateway.w3.eth.get_block(receipt.block_number)["timestamp"]


def admit(runtime: Runtime, agency_id: str, *roles: Role) -> str:
    """Admit a new member agency with `roles`, by the two genesis governors' votes."""
    consortium = runtime.consortium()
    added = consortium.propose_add_member("gz-msa", agency_id, agency_id, f"{agency_id}.gov.cn")
    consortium.approve("gz-gsdata", added.proposal.id)
    for role in roles:
        granted = consortium.propose_grant_role("gz-msa", agency_id, role)
        consortium.approve("gz-gsdata", granted.proposal.id)
    return runtime.keys.address(agency_id)


def suspend_member(runtime: Runtime, agency_id: str) -> None:
    consortium = runtime.consortium()
    consortium.approve("gz-gsdata", consortium.propose_suspend_member("gz-msa", agency_id).proposal.id)


def revoke_role(runtime: Runtime, agency_id: str, role: Role) -> None:
    consortium = runtime.consortium()
    consortium.approve("gz-gsdata", consortium.propose_revoke_role("gz-msa", agency_id, role).proposal.id)


def move_to(agencies: Agencies, registry, uscc: bytes, status: BusinessStatus) -> None:
    """Take a freshly registered (Active) business to `status`."""
    if status is SUSPENDED:
        agencies.send("gz-msa", registry.functions.suspend(uscc, *why("listed")))
    elif status is DEREGISTERED:
        agencies.send("gz-msa", registry.functions.deregister(uscc, *why("dissolved")))


def first_invalid_position(code: str) -> int:
    """The position the contract must name, worked out with the Python domain as the oracle."""
    for index, char in enumerate(code[:17]):
        if char not in ALPHABET or (2 <= index < 8 and not char.isdigit()):
            return index + 1
    if code[16] != organisation_code_check_character(code[8:16]):
        return 17
    if code[17] not in ALPHABET or code[17] != uscc_check_character(code[:17]):
        return 18
    return 0


# ---- registration ----


def test_registrar_can_register_a_business(runtime: Runtime, agencies: Agencies, registry):
    msa = agencies.address("gz-msa")
    receipt = agencies.send("gz-msa", registry.functions.register(USCC, V1))
    now = timestamp(runtime, receipt)
    assert runtime.gateway.events(registry, "BusinessRegistered", receipt) == [
        {"uscc": USCC, "registrar": msa, "version": 1, "recordHash": V1}
    ]
    assert runtime.gateway.call(registry.functions.business(USCC)) == (V1, msa, now, 1, now, ACTIVE)
    assert runtime.gateway.call(registry.functions.versions(USCC)) == [
        (V1, msa, ChangeType.REGISTERED, now, 0, ZERO_HASH)
    ]
    assert runtime.gateway.call(registry.functions.filingsOf(USCC)) == []


def test_every_reference_uscc_is_accepted_on_chain(runtime: Runtime, agencies: Agencies, registry):
    for code in REFERENCE_VALID:
        agencies.send("gz-msa", registry.functions.register(code.encode(), V1))
        assert runtime.gateway.call(registry.functions.business(code.encode()))[5] == ACTIVE


@pytest.mark.parametrize(
    ("code", "position"),
    [
        ("91440101MA59LU9AX2", 18),  # final check character wrong
        (
            "91440101MA59A1B2C3",
            17,
        ),  # reference invalid code: GB 11714 check (8) wrong before the final one (6)
        ("91440101MA59LU905" + uscc_check_character("91440101MA59LU905"), 17),  # only the inner check wrong
        ("91440101MA59LU9AXZ", 18),  # Z is not in the alphabet
        ("I1440101MA59LU9AX1", 1),  # I is never used
        ("9o440101MA59LU9AX1", 2),  # lower case is not in the alphabet
        ("91A40101MA59LU9AX1", 3),  # positions 3-8 are the division code: digits only
        ("914401011A59LU9AX1", 17),  # a digit where a letter was: the inner check catches it first
        ("914401010A59LU9AX1", 18),  # M→0 shifts the GB 11714 sum by 66 ≡ 0 (mod 11): only C18 catches it
        ("91440101MA5OLU9AX1", 12),  # O is never used
        ("91440101MA59LU9 X1", 16),
        ("\x00" * 18, 1),
        ("/1440101MA59LU9AX1", 1),  # the byte just below "0"
        ("91440101MA59:U9AX1", 13),  # between "9" and "A"
        ("91440101MA59LU9A[1", 17),  # the byte just above "Z"
        ("91440101MA59LU9AX\xff", 18),
    ],
)
def test_reverts_when_the_uscc_is_invalid(agencies: Agencies, registry, code: str, position: int):
    assert first_invalid_position(code) == position
    uscc = code.encode("latin-1")
    with reverts("BusinessRegistryInvalidUscc", uscc=uscc, position=position):
        agencies.send("gz-msa", registry.functions.register(uscc, V1))


_prefixes = st.builds(
    lambda authority, kind, division, body: authority + kind + division + body,
    st.sampled_from(sorted(REGISTRATION_AUTHORITIES)),
    st.sampled_from(ALPHABET),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=8, max_size=8),
).filter(lambda p: p[0] not in INSTITUTION_TYPES or p[1] in INSTITUTION_TYPES[p[0]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=_prefixes,
    position=st.integers(min_value=0, max_value=17),
    # Besides letters left out of the alphabet: the bytes either side of its ranges, where the contract's
    # lookup table starts, has gaps and ends.
    replacement=st.sampled_from(ALPHABET + "IOSVZ-a /:@[\x00\xff"),
)
def test_the_contract_and_the_domain_agree_on_every_single_character_change(
    runtime: Runtime, agencies: Agencies, registry, prefix: str, position: int, replacement: str
):
    valid = uscc_from_prefix(prefix)
    changed = valid[:position] + replacement + valid[position + 1 :]
    # eth_call: nothing is written, so the snapshot taken for the test covers every example.
    call = registry.functions.register(changed.encode("latin-1"), V1)
    expected = first_invalid_position(changed)
    if changed == valid:
        assert expected == 0
        runtime.gateway.call(call, sender=agencies.address("gz-msa"))
        return
    assert expected != 0, "GB 32100's final check character catches every single-character change"
    with reverts("BusinessRegistryInvalidUscc", position=expected):
        runtime.gateway.call(call, sender=agencies.address("gz-msa"))


def test_reverts_when_a_uscc_is_registered_twice_even_after_deregistration(
    agencies: Agencies, registry, registered: bytes
):
    with reverts("BusinessRegistryAlreadyRegistered", uscc=registered):
        agencies.send("gz-msa", registry.functions.register(registered, V2))
    agencies.send("gz-msa", registry.functions.deregister(registered, *why("dissolved")))
    with reverts("BusinessRegistryAlreadyRegistered", uscc=registered):
        agencies.send("gz-msa", registry.functions.register(registered, V2))


def test_reverts_when_the_record_hash_is_empty(agencies: Agencies, registry, registered: bytes):
    with reverts("BusinessRegistryEmptyHash"):
        agencies.send("gz-msa", registry.functions.register(OTHER_USCC, ZERO_HASH))
    with reverts("BusinessRegistryEmptyHash"):
        agencies.send("gz-msa", registry.functions.amend(registered, ZERO_HASH, AMENDED_NAME))


# ---- roles ----

REGISTRAR_WRITES = {
    "register": lambda r: r.functions.register(OTHER_USCC, V1),
    "amend": lambda r: r.functions.amend(USCC, V2, AMENDED_NAME),
    "suspend": lambda r: r.functions.suspend(USCC, *why("listed")),
    "reinstate": lambda r: r.functions.reinstate(USCC, *why("cleared")),
    "deregister": lambda r: r.functions.deregister(USCC, *why("dissolved")),
}
FILING_WRITES = {
    "notarise": lambda r: r.functions.notarise(LICENCE, USCC, DocumentType.BUSINESS_LICENCE),
    "revokeNotarisation": lambda r: r.functions.revokeNotarisation(ARTICLES, *why("annulled")),
}


@pytest.mark.parametrize("write", REGISTRAR_WRITES.values(), ids=REGISTRAR_WRITES.keys())
def test_reverts_when_an_agency_without_the_registrar_role_writes_the_register(
    agencies: Agencies, registry, registered: bytes, write
):
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumMissingRole", account=notary, role=REGISTRAR):
        agencies.send("gz-notary", write(registry))


@pytest.mark.parametrize("write", FILING_WRITES.values(), ids=FILING_WRITES.keys())
def test_reverts_when_an_agency_that_is_neither_notary_nor_registrar_files(
    agencies: Agencies, registry, registered: bytes, write
):
    agencies.send(
        "gz-notary", registry.functions.notarise(ARTICLES, USCC, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    customs = agencies.address("gz-customs")
    with reverts("ConsortiumMissingRole", account=customs, role=NOTARY):
        agencies.send("gz-customs", write(registry))


@pytest.mark.parametrize(
    "write", [*REGISTRAR_WRITES.values(), *FILING_WRITES.values()], ids=[*REGISTRAR_WRITES, *FILING_WRITES]
)
def test_reverts_when_a_suspended_member_writes(runtime: Runtime, agencies: Agencies, registry, write):
    member = admit(runtime, "huangpu-msa", Role.REGISTRAR, Role.NOTARY)
    agencies.send("huangpu-msa", registry.functions.register(USCC, V1))
    agencies.send(
        "huangpu-msa", registry.functions.notarise(ARTICLES, USCC, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    suspend_member(runtime, "huangpu-msa")
    with reverts("ConsortiumMemberNotActive", account=member):
        agencies.send("huangpu-msa", write(registry))


def test_a_second_registrar_may_amend_and_change_the_status_of_any_business(
    runtime: Runtime, agencies: Agencies, registry, registered: bytes
):
    huangpu = admit(runtime, "huangpu-msa", Role.REGISTRAR)
    receipt = agencies.send(
        "huangpu-msa", registry.functions.amend(registered, V2, int(ChangeType.AMENDED_ADDRESS))
    )
    assert runtime.gateway.events(registry, "BusinessAmended", receipt)[0]["registrar"] == huangpu
    agencies.send("huangpu-msa", registry.functions.suspend(registered, *why("listed")))
    business = runtime.gateway.call(registry.functions.business(registered))
    assert business[1] == agencies.address("gz-msa"), (
        "the registering agency stays the one that registered it"
    )
    assert [v[1] for v in runtime.gateway.call(registry.functions.versions(registered))] == [
        agencies.address("gz-msa"),
        huangpu,
        huangpu,
    ]


# ---- amendments ----


def test_registrar_can_amend_a_registered_business(
    runtime: Runtime, agencies: Agencies, registry, registered: bytes
):
    msa = agencies.address("gz-msa")
    registered_at = runtime.gateway.call(registry.functions.business(registered))[2]
    change = ChangeType.AMENDED_CAPITAL | ChangeType.AMENDED_SHAREHOLDERS
    receipt = agencies.send("gz-msa", registry.functions.amend(registered, V2, int(change)))
    now = timestamp(runtime, receipt)
    assert runtime.gateway.events(registry, "BusinessAmended", receipt) == [
        {"uscc": registered, "registrar": msa, "version": 2, "recordHash": V2, "changeType": change}
    ]
    assert runtime.gateway.call(registry.functions.business(registered)) == (
        V2,
        msa,
        registered_at,
        2,
        now,
        ACTIVE,
    )
    assert runtime.gateway.call(registry.functions.versions(registered))[1] == (
        V2,
        msa,
        change,
        now,
        0,
        ZERO_HASH,
    )


@pytest.mark.parametrize(
    "change",
    [*(flag for flag in ChangeType if flag.is_amendment), ChangeType.AMENDMENTS],
    ids=lambda c: str(int(c)),
)
def test_every_amendment_bit_and_their_union_are_accepted(agencies: Agencies, registry, registered, change):
    agencies.send("gz-msa", registry.functions.amend(registered, V2, int(change)))


@pytest.mark.parametrize(
    "change",
    [
        0,
        ChangeType.REGISTERED,
        ChangeType.SUSPENDED,
        ChangeType.REINSTATED,
        ChangeType.DEREGISTERED,
        ChangeType.AMENDED_NAME | ChangeType.SUSPENDED,
        ChangeType.AMENDED_NAME | ChangeType.REGISTERED,
        0x0400,  # unused bits 10-15
        0x8002,
    ],
    ids=lambda c: f"{int(c):#06x}",
)
def test_reverts_when_the_change_type_is_not_a_set_of_amendments(
    agencies: Agencies, registry, registered, change
):
    with reverts("BusinessRegistryInvalidChangeType", changeType=int(change)):
        agencies.send("gz-msa", registry.functions.amend(registered, V2, int(change)))


def test_reverts_when_an_amendment_does_not_change_the_record(
    agencies: Agencies, registry, registered: bytes
):
    with reverts("BusinessRegistryRecordUnchanged", uscc=registered, recordHash=V1):
        agencies.send("gz-msa", registry.functions.amend(registered, V1, AMENDED_NAME))


def test_reverts_when_amending_an_unknown_business(agencies: Agencies, registry):
    with reverts("BusinessRegistryUnknownBusiness", uscc=USCC):
        agencies.send("gz-msa", registry.functions.amend(USCC, V2, AMENDED_NAME))


def test_a_suspended_business_can_still_be_amended(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    move_to(agencies, registry, registered, SUSPENDED)
    agencies.send("gz-msa", registry.functions.amend(registered, V2, int(ChangeType.AMENDED_ADDRESS)))
    assert runtime.gateway.call(registry.functions.business(registered))[3:6:2] == (3, SUSPENDED)


def test_reverts_when_amending_a_deregistered_business(agencies: Agencies, registry, registered: bytes):
    move_to(agencies, registry, registered, DEREGISTERED)
    with reverts("BusinessRegistryDeregistered", uscc=registered):
        agencies.send("gz-msa", registry.functions.amend(registered, V2, AMENDED_NAME))


# ---- status lifecycle ----

ACTIONS = {
    "suspend": (SUSPENDED, ChangeType.SUSPENDED, "BusinessSuspended"),
    "reinstate": (ACTIVE, ChangeType.REINSTATED, "BusinessReinstated"),
    "deregister": (DEREGISTERED, ChangeType.DEREGISTERED, "BusinessDeregistered"),
}
# Each action's reason codes, as gzchain/domain/reasons.py mirrors the contract's enums.
CODES = {
    "suspend": ReasonAction.SUSPEND.codes,
    "reinstate": ReasonAction.REINSTATE.codes,
    "deregister": ReasonAction.DEREGISTER.codes,
}
LEGAL = [(ACTIVE, "suspend"), (SUSPENDED, "reinstate"), (ACTIVE, "deregister"), (SUSPENDED, "deregister")]
ILLEGAL = [
    (ACTIVE, "reinstate"),
    (SUSPENDED, "suspend"),
    (DEREGISTERED, "suspend"),
    (DEREGISTERED, "reinstate"),
    (DEREGISTERED, "deregister"),
]


@pytest.mark.parametrize(("start", "action"), LEGAL, ids=[f"{s.name.lower()}-{a}" for s, a in LEGAL])
def test_registrar_can_make_every_legal_status_transition(
    runtime: Runtime, agencies: Agencies, registry, registered: bytes, start: BusinessStatus, action: str
):
    move_to(agencies, registry, registered, start)
    version = runtime.gateway.call(registry.functions.business(registered))[3] + 1
    to, change, event = ACTIONS[action]
    msa = agencies.address("gz-msa")
    code, reason_hash = why("because: 理由", code=1)
    receipt = agencies.send("gz-msa", getattr(registry.functions, action)(registered, code, reason_hash))
    now = timestamp(runtime, receipt)
    assert runtime.gateway.events(registry, event, receipt) == [
        {
            "uscc": registered,
            "registrar": msa,
            "version": version,
            "reasonCode": code,
            "reasonHash": reason_hash,
        }
    ]
    business = runtime.gateway.call(registry.functions.business(registered))
    assert (business[0], business[3], business[4], business[5]) == (V1, version, now, to)
    assert runtime.gateway.call(registry.functions.versions(registered))[-1] == (
        V1,
        msa,
        change,
        now,
        code,
        reason_hash,
    )


@pytest.mark.parametrize(("start", "action"), ILLEGAL, ids=[f"{s.name.lower()}-{a}" for s, a in ILLEGAL])
def test_reverts_on_every_illegal_status_transition(
    agencies: Agencies, registry, registered: bytes, start: BusinessStatus, action: str
):
    move_to(agencies, registry, registered, start)
    with reverts(
        "BusinessRegistryInvalidTransition", uscc=registered, **{"from": start, "to": ACTIONS[action][0]}
    ):
        agencies.send("gz-msa", getattr(registry.functions, action)(registered, *why("again")))


@pytest.mark.parametrize("action", ACTIONS)
def test_reverts_when_changing_the_status_of_an_unknown_business(agencies: Agencies, registry, action: str):
    with reverts("BusinessRegistryUnknownBusiness", uscc=USCC):
        agencies.send("gz-msa", getattr(registry.functions, action)(USCC, *why("why")))


@pytest.mark.parametrize("action", ACTIONS)
def test_reverts_when_a_status_change_gives_no_reason_hash(
    agencies: Agencies, registry, registered, action: str
):
    if action == "reinstate":
        move_to(agencies, registry, registered, SUSPENDED)
    with reverts("BusinessRegistryEmptyReasonHash"):
        agencies.send("gz-msa", getattr(registry.functions, action)(registered, 0, ZERO_HASH))


@pytest.mark.parametrize("action", ACTIONS)
def test_reverts_when_a_status_change_gives_an_unknown_reason_code(
    runtime: Runtime, agencies: Agencies, registry, registered, action: str
):
    if action == "reinstate":
        move_to(agencies, registry, registered, SUSPENDED)
    top = max(CODES[action])
    for code in (top + 1, 255):
        with reverts("BusinessRegistryUnknownReason", reasonCode=code, maxCode=top):
            agencies.send("gz-msa", getattr(registry.functions, action)(registered, *why("why", code)))
    assert runtime.gateway.call(registry.functions.business(registered))[3] == 1 + (action == "reinstate")


@pytest.mark.parametrize("action", ACTIONS)
def test_every_reason_code_the_python_side_knows_is_one_the_contract_records(
    runtime: Runtime, agencies: Agencies, registry, action: str
):
    for code in CODES[action]:
        uscc = uscc_from_prefix("91440101MA59AB" + ALPHABET[code] * 2).encode()
        agencies.send("gz-msa", registry.functions.register(uscc, V1))
        if action == "reinstate":
            move_to(agencies, registry, uscc, SUSPENDED)
        receipt = agencies.send("gz-msa", getattr(registry.functions, action)(uscc, *why("why", code)))
        [event] = runtime.gateway.events(registry, ACTIONS[action][2], receipt)
        assert CODES[action](event["reasonCode"]) is code


def test_the_whole_history_is_provable_version_by_version(runtime: Runtime, agencies: Agencies, registry):
    msa = agencies.address("gz-msa")
    steps = [
        registry.functions.register(USCC, V1),
        registry.functions.amend(USCC, V2, int(ChangeType.AMENDED_CAPITAL)),
        registry.functions.suspend(USCC, *why("listed for abnormal operations")),
        registry.functions.reinstate(USCC, *why("annual report filed")),
        registry.functions.amend(USCC, V3, int(ChangeType.AMENDED_NAME | ChangeType.AMENDED_SCOPE)),
        registry.functions.deregister(USCC, *why("dissolved")),
    ]
    times = [timestamp(runtime, agencies.send("gz-msa", step)) for step in steps]
    assert runtime.gateway.call(registry.functions.versions(USCC)) == [
        (V1, msa, ChangeType.REGISTERED, times[0], 0, ZERO_HASH),
        (V2, msa, ChangeType.AMENDED_CAPITAL, times[1], 0, ZERO_HASH),
        (V2, msa, ChangeType.SUSPENDED, times[2], *why("listed for abnormal operations")),
        (V2, msa, ChangeType.REINSTATED, times[3], *why("annual report filed")),
        (V3, msa, ChangeType.AMENDED_NAME | ChangeType.AMENDED_SCOPE, times[4], 0, ZERO_HASH),
        (V3, msa, ChangeType.DEREGISTERED, times[5], *why("dissolved")),
    ]
    for entry in runtime.gateway.call(registry.functions.versions(USCC)):
        ChangeType.decode(entry[2])  # every change type on chain is one the Python side can read


# ---- notarised filings ----


def test_notary_can_notarise_every_document_type(runtime: Runtime, agencies: Agencies, registry, registered):
    notary = agencies.address("gz-notary")
    hashes = []
    for kind in DocumentType:
        file_hash = digest(f"document {kind.name}")
        receipt = agencies.send("gz-notary", registry.functions.notarise(file_hash, registered, int(kind)))
        now = timestamp(runtime, receipt)
        assert runtime.gateway.events(registry, "DocumentNotarised", receipt) == [
            {"uscc": registered, "fileHash": file_hash, "notary": notary, "documentType": kind}
        ]
        assert runtime.gateway.call(registry.functions.notarisation(file_hash)) == (
            registered,
            kind,
            now,
            notary,
            0,
            ZERO_ADDRESS,
            0,
            ZERO_HASH,
        )
        assert runtime.gateway.call(registry.functions.isNotarised(file_hash))
        hashes.append(file_hash)
    assert runtime.gateway.call(registry.functions.filingsOf(registered)) == hashes


@pytest.mark.parametrize("kind", list(DocumentType), ids=lambda k: k.slug)
def test_registrar_may_notarise_only_the_documents_it_issues(agencies: Agencies, registry, registered, kind):
    fn = registry.functions.notarise(digest(kind.name), registered, int(kind))
    if kind.issued_by_registrar:
        agencies.send("gz-msa", fn)
    else:
        with reverts(
            "BusinessRegistryDocumentTypeNotAllowed", account=agencies.address("gz-msa"), documentType=kind
        ):
            agencies.send("gz-msa", fn)


def test_an_agency_that_is_notary_and_registrar_notarises_any_document_as_notary(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    admit(runtime, "huangpu-msa", Role.REGISTRAR, Role.NOTARY)
    agencies.send(
        "huangpu-msa", registry.functions.notarise(ARTICLES, registered, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    assert runtime.gateway.call(registry.functions.isNotarised(ARTICLES))


@pytest.mark.parametrize("raw", [len(DocumentType), 255])
def test_reverts_when_the_document_type_is_unknown(agencies: Agencies, registry, registered, raw: int):
    with reverts("BusinessRegistryUnknownDocumentType", documentType=raw):
        agencies.send("gz-notary", registry.functions.notarise(ARTICLES, registered, raw))


def test_reverts_when_a_file_is_notarised_twice_for_any_business_even_once_revoked(
    agencies: Agencies, registry, registered
):
    agencies.send("gz-msa", registry.functions.register(OTHER_USCC, V1))
    agencies.send(
        "gz-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    for uscc in (registered, OTHER_USCC):
        with reverts("BusinessRegistryAlreadyNotarised", fileHash=ARTICLES):
            agencies.send("gz-notary", registry.functions.notarise(ARTICLES, uscc, DocumentType.OTHER))
    agencies.send("gz-notary", registry.functions.revokeNotarisation(ARTICLES, *why("annulled")))
    with reverts("BusinessRegistryAlreadyNotarised", fileHash=ARTICLES):
        agencies.send("gz-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.OTHER))


def test_reverts_when_notarising_for_an_unknown_or_deregistered_business(
    agencies: Agencies, registry, registered
):
    with reverts("BusinessRegistryUnknownBusiness", uscc=OTHER_USCC):
        agencies.send("gz-notary", registry.functions.notarise(ARTICLES, OTHER_USCC, DocumentType.OTHER))
    move_to(agencies, registry, registered, DEREGISTERED)
    with reverts("BusinessRegistryDeregistered", uscc=registered):
        agencies.send("gz-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.OTHER))


def test_a_suspended_business_can_still_file_documents(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    move_to(agencies, registry, registered, SUSPENDED)
    agencies.send("gz-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.ANNUAL_REPORT))
    assert runtime.gateway.call(registry.functions.isNotarised(ARTICLES))


def test_reverts_when_the_file_hash_is_empty(agencies: Agencies, registry, registered):
    with reverts("BusinessRegistryEmptyHash"):
        agencies.send("gz-notary", registry.functions.notarise(ZERO_HASH, registered, DocumentType.OTHER))


# ---- revocation ----


@pytest.fixture
def notarised(agencies: Agencies, registry, registered) -> bytes:
    agencies.send(
        "gz-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    return ARTICLES


def test_notary_can_revoke_its_notarisation_which_stays_visible_as_revoked(
    runtime: Runtime, agencies: Agencies, registry, registered, notarised
):
    notary = agencies.address("gz-notary")
    notarised_at = runtime.gateway.call(registry.functions.notarisation(notarised))[2]
    code, reason_hash = why("(2026)粤01民终123号 ruling", code=NotarisationRevocationReason.COURT_RULING)
    receipt = agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, code, reason_hash))
    now = timestamp(runtime, receipt)
    assert runtime.gateway.events(registry, "NotarisationRevoked", receipt) == [
        {
            "uscc": registered,
            "fileHash": notarised,
            "revoker": notary,
            "reasonCode": code,
            "reasonHash": reason_hash,
        }
    ]
    assert runtime.gateway.call(registry.functions.notarisation(notarised)) == (
        registered,
        DocumentType.ARTICLES_OF_ASSOCIATION,
        notarised_at,
        notary,
        now,
        notary,
        code,
        reason_hash,
    )
    assert not runtime.gateway.call(registry.functions.isNotarised(notarised))
    assert runtime.gateway.call(registry.functions.filingsOf(registered)) == [notarised]


def test_registrar_can_revoke_its_own_licence_filing(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    agencies.send("gz-msa", registry.functions.notarise(LICENCE, registered, DocumentType.BUSINESS_LICENCE))
    agencies.send("gz-msa", registry.functions.revokeNotarisation(LICENCE, *why("licence reissued")))
    assert not runtime.gateway.call(registry.functions.isNotarised(LICENCE))


def test_reverts_when_another_agency_revokes_a_notarisation(
    runtime: Runtime, agencies: Agencies, registry, notarised
):
    notary = agencies.address("gz-notary")
    other = admit(runtime, "tianhe-notary", Role.NOTARY)
    with reverts("BusinessRegistryNotTheNotary", fileHash=notarised, notary=notary, account=other):
        agencies.send("tianhe-notary", registry.functions.revokeNotarisation(notarised, *why("annulled")))
    with reverts(
        "BusinessRegistryNotTheNotary", fileHash=notarised, notary=notary, account=agencies.address("gz-msa")
    ):
        agencies.send("gz-msa", registry.functions.revokeNotarisation(notarised, *why("annulled")))


def test_reverts_when_revoking_an_unknown_notarisation(agencies: Agencies, registry):
    with reverts("BusinessRegistryUnknownNotarisation", fileHash=ARTICLES):
        agencies.send("gz-notary", registry.functions.revokeNotarisation(ARTICLES, *why("annulled")))


def test_reverts_when_revoking_twice_or_without_a_reason(agencies: Agencies, registry, notarised):
    with reverts("BusinessRegistryEmptyReasonHash"):
        agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, 0, ZERO_HASH))
    top = max(NotarisationRevocationReason)
    with reverts("BusinessRegistryUnknownReason", reasonCode=top + 1, maxCode=top):
        agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, *why("x", top + 1)))
    agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, *why("annulled")))
    with reverts("BusinessRegistryNotarisationAlreadyRevoked", fileHash=notarised):
        agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, *why("annulled again")))


def test_a_notary_that_lost_its_role_can_no_longer_revoke(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    member = admit(runtime, "tianhe-notary", Role.NOTARY)
    agencies.send("tianhe-notary", registry.functions.notarise(ARTICLES, registered, DocumentType.OTHER))
    revoke_role(runtime, "tianhe-notary", Role.NOTARY)
    with reverts("ConsortiumMissingRole", account=member, role=NOTARY):
        agencies.send("tianhe-notary", registry.functions.revokeNotarisation(ARTICLES, *why("annulled")))


def test_a_notary_and_registrar_that_lost_the_notary_role_cannot_revoke_what_only_a_notary_may_notarise(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    member = admit(runtime, "huangpu-msa", Role.REGISTRAR, Role.NOTARY)
    agencies.send(
        "huangpu-msa", registry.functions.notarise(ARTICLES, registered, DocumentType.ARTICLES_OF_ASSOCIATION)
    )
    agencies.send(
        "huangpu-msa", registry.functions.notarise(LICENCE, registered, DocumentType.BUSINESS_LICENCE)
    )
    revoke_role(runtime, "huangpu-msa", Role.NOTARY)
    with reverts(
        "BusinessRegistryDocumentTypeNotAllowed",
        account=member,
        documentType=DocumentType.ARTICLES_OF_ASSOCIATION,
    ):
        agencies.send("huangpu-msa", registry.functions.revokeNotarisation(ARTICLES, *why("annulled")))
    agencies.send("huangpu-msa", registry.functions.revokeNotarisation(LICENCE, *why("reissued")))


def test_a_notarisation_can_be_revoked_after_the_business_is_deregistered(
    runtime: Runtime, agencies: Agencies, registry, registered, notarised
):
    move_to(agencies, registry, registered, DEREGISTERED)
    agencies.send("gz-notary", registry.functions.revokeNotarisation(notarised, *why("court ruling")))
    assert not runtime.gateway.call(registry.functions.isNotarised(notarised))


# ---- reads ----


@pytest.mark.parametrize("view", ["business", "versions", "filingsOf"])
def test_reads_of_an_unknown_business_revert(runtime: Runtime, registry, view: str):
    with reverts("BusinessRegistryUnknownBusiness", uscc=USCC):
        runtime.gateway.call(getattr(registry.functions, view)(USCC))


def test_an_unknown_file_is_not_notarised_and_has_no_notarisation(runtime: Runtime, registry):
    assert not runtime.gateway.call(registry.functions.isNotarised(ARTICLES))
    with reverts("BusinessRegistryUnknownNotarisation", fileHash=ARTICLES):
        runtime.gateway.call(registry.functions.notarisation(ARTICLES))


def test_the_registry_is_gated_by_the_deployed_consortium(runtime: Runtime, registry):
    assert runtime.gateway.call(registry.functions.consortium()) == runtime.require_manifest().address(
        "Consortium"
    )


def test_every_notarisation_revocation_code_the_python_side_knows_is_one_the_contract_records(
    runtime: Runtime, agencies: Agencies, registry, registered
):
    for code in NotarisationRevocationReason:
        file_hash = digest(f"filing {code.slug}")
        agencies.send("gz-notary", registry.functions.notarise(file_hash, registered, DocumentType.OTHER))
        agencies.send("gz-notary", registry.functions.revokeNotarisation(file_hash, *why("why", code)))
        recorded = runtime.gateway.call(registry.functions.notarisation(file_hash))
        assert NotarisationRevocationReason(recorded[6]) is code
