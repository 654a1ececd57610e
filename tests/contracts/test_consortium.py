"""The Consortium contract: members, roles, M-of-N proposals. Runs on the embedded chain and on anvil."""

from __future__ import annotations

import pytest
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.domain.consortium import MemberStatus, ProposalKind, ProposalState
from gzchain.domain.roles import Role

GOVERNOR = Role.GOVERNOR.id
REGISTRAR = Role.REGISTRAR.id
INSPECTOR = Role.INSPECTOR.id
LIFETIME = 7 * 86400
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def agencies(runtime: Runtime) -> Agencies:
    return Agencies(runtime)


@pytest.fixture
def consortium(runtime: Runtime):
    return runtime.gateway.contract("Consortium", runtime.require_manifest().address("Consortium"))


@pytest.fixture
def newcomer(agencies: Agencies) -> str:
    return agencies.address("haizhu-health")


def created_id(runtime: Runtime, consortium, receipt) -> int:
    return runtime.gateway.events(consortium, "ConsortiumProposalCreated", receipt)[0]["proposalId"]


def pass_proposal(runtime: Runtime, agencies: Agencies, consortium, fn) -> int:
    """Propose as the MSA and approve as the GSDA (threshold 2 of 2 at genesis)."""
    receipt = agencies.send("gz-msa", fn)
    proposal_id = created_id(runtime, consortium, receipt)
    if runtime.gateway.call(consortium.functions.proposalState(proposal_id)) == ProposalState.PENDING:
        agencies.send("gz-gsdata", consortium.functions.approve(proposal_id))
    return proposal_id


def add_member(runtime, agencies, consortium, agency_id: str, *roles: Role) -> str:
    address = agencies.address(agency_id)
    pass_proposal(
        runtime,
        agencies,
        consortium,
        consortium.functions.proposeAddMember(address, agency_id, f"{agency_id}.gov.cn"),
    )
    for role in roles:
        pass_proposal(runtime, agencies, consortium, consortium.functions.proposeGrantRole(address, role.id))
    return address


# ---- genesis ----


def test_genesis_members_hold_the_roles_from_the_genesis_file(
    runtime: Runtime, consortium, agencies: Agencies
):
    call = runtime.gateway.call
    for agency in runtime.genesis.agencies:
        address = agencies.address(agency.id)
        name, domain, status, joined_at = call(consortium.functions.member(address))
        assert (name, domain, MemberStatus(status)) == (agency.name, agency.domain, MemberStatus.ACTIVE)
        assert joined_at > 0
        assert [Role.from_id(r) for r in call(consortium.functions.rolesOf(address))] == sorted(
            agency.roles, key=list(Role).index
        )
    assert call(consortium.functions.threshold()) == 2
    assert call(consortium.functions.governorCount()) == 2
    assert call(consortium.functions.proposalLifetime()) == LIFETIME


def test_role_ids_agree_between_solidity_and_python(runtime: Runtime, consortium):
    assert runtime.gateway.call(consortium.functions.allRoles()) == [r.id for r in Role]


def test_deployment_emits_a_member_added_event_for_every_genesis_agency(
    runtime: Runtime, consortium, agencies
):
    deployed = runtime.require_manifest().contracts["Consortium"]
    logs = consortium.events.ConsortiumMemberAdded().get_logs(
        from_block=deployed.block, to_block=deployed.block
    )
    assert [(e.args.account, e.args.name, e.args.domain) for e in logs] == [
        (agencies.address(a.id), a.name, a.domain) for a in runtime.genesis.agencies
    ]
    thresholds = consortium.events.ConsortiumThresholdChanged().get_logs(
        from_block=deployed.block, to_block=deployed.block
    )
    assert [(e.args.previousThreshold, e.args.newThreshold) for e in thresholds] == [(0, 2)]


@pytest.mark.parametrize(
    ("members", "threshold", "lifetime", "error"),
    [
        ([("a", [INSPECTOR])], 1, LIFETIME, "ConsortiumInvalidGenesis"),  # no governor
        (
            [("a", [GOVERNOR]), ("b", [GOVERNOR])],
            1,
            LIFETIME,
            "ConsortiumThresholdOutOfRange",
        ),  # below majority
        ([("a", [GOVERNOR])], 2, LIFETIME, "ConsortiumThresholdOutOfRange"),  # above N
        ([("a", [GOVERNOR])], 1, 0, "ConsortiumInvalidGenesis"),  # proposals could never be approved
        ([("a", [GOVERNOR]), ("a", [])], 1, LIFETIME, "ConsortiumAlreadyAMember"),
        ([("", [GOVERNOR])], 1, LIFETIME, "ConsortiumInvalidDomain"),
        ([("a", [GOVERNOR, b"\x01" * 32])], 1, LIFETIME, "ConsortiumUnknownRole"),
    ],
)
def test_reverts_when_the_genesis_is_invalid(
    runtime: Runtime, agencies: Agencies, members, threshold, lifetime, error
):
    genesis = [
        (agencies.address(f"genesis-{key}"), key, f"{key}.gov.cn" if key else "", roles)
        for key, roles in members
    ]
    with reverts(error):
        runtime.gateway.deploy("Consortium", runtime.keys.signer("gz-gsdata"), genesis, threshold, lifetime)


# ---- role checks ----


def test_has_active_role_is_true_only_for_an_active_holder(runtime: Runtime, consortium, agencies: Agencies):
    call = runtime.gateway.call
    assert call(consortium.functions.hasActiveRole(REGISTRAR, agencies.address("gz-msa")))
    assert not call(consortium.functions.hasActiveRole(REGISTRAR, agencies.address("gz-notary")))
    assert not call(consortium.functions.hasActiveRole(REGISTRAR, agencies.address("a-stranger")))


def test_require_active_role_names_the_missing_role(runtime: Runtime, consortium, agencies: Agencies):
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumMissingRole", account=notary, role=REGISTRAR):
        runtime.gateway.call(consortium.functions.requireActiveRole(REGISTRAR, notary))


def test_roles_cannot_be_granted_revoked_or_renounced_directly(
    runtime: Runtime, consortium, agencies: Agencies
):
    msa = agencies.address("gz-msa")
    for fn in (
        consortium.functions.grantRole(REGISTRAR, agencies.address("gz-notary")),
        consortium.functions.revokeRole(REGISTRAR, msa),
        consortium.functions.renounceRole(REGISTRAR, msa),
    ):
        with reverts("ConsortiumDirectRoleChangeDisabled"):
            agencies.send("gz-msa", fn)


def test_member_lookup_of_a_non_member_reverts(runtime: Runtime, consortium, newcomer: str):
    with reverts("ConsortiumNotAMember", account=newcomer):
        runtime.gateway.call(consortium.functions.member(newcomer))


# ---- proposing ----


def test_governor_can_propose_adding_a_member(
    runtime: Runtime, consortium, agencies: Agencies, newcomer: str
):
    receipt = agencies.send(
        "gz-msa", consortium.functions.proposeAddMember(newcomer, "Haizhu Health", "wjj.haizhu.gov.cn")
    )
    now = runtime.gateway.w3.eth.get_block(receipt.block_number)["timestamp"]
    [created] = runtime.gateway.events(consortium, "ConsortiumProposalCreated", receipt)
    assert created == {
        "proposalId": 1,
        "kind": ProposalKind.ADD_MEMBER,
        "proposer": agencies.address("gz-msa"),
        "account": newcomer,
        "role": b"\x00" * 32,
        "threshold": 0,
        "expiresAt": now + LIFETIME,
    }
    [approved] = runtime.gateway.events(consortium, "ConsortiumProposalApproved", receipt)
    assert approved == {"proposalId": 1, "governor": agencies.address("gz-msa"), "approvals": 1}
    assert runtime.gateway.call(consortium.functions.proposalState(1)) == ProposalState.PENDING
    assert runtime.gateway.call(consortium.functions.hasApproved(1, agencies.address("gz-msa")))


@pytest.mark.parametrize(
    "make_call",
    [
        lambda c, a: c.functions.proposeAddMember(a, "x", "x.gov.cn"),
        lambda c, a: c.functions.proposeSuspendMember(a),
        lambda c, a: c.functions.proposeReinstateMember(a),
        lambda c, a: c.functions.proposeGrantRole(a, REGISTRAR),
        lambda c, a: c.functions.proposeRevokeRole(a, INSPECTOR),
        lambda c, a: c.functions.proposeThreshold(2),
        lambda c, a: c.functions.approve(1),
    ],
    ids=["add", "suspend", "reinstate", "grant", "revoke", "threshold", "approve"],
)
def test_reverts_when_a_non_governor_proposes_or_approves(runtime, consortium, agencies: Agencies, make_call):
    customs = agencies.address("gz-customs")
    agencies.send("gz-msa", consortium.functions.proposeThreshold(2))
    with reverts("ConsortiumMissingRole", account=customs, role=GOVERNOR):
        agencies.send("gz-customs", make_call(consortium, customs))


def test_reverts_when_adding_an_existing_member(consortium, agencies: Agencies):
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumAlreadyAMember", account=notary):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(notary, "Notary", "n.gov.cn"))


def test_a_member_is_found_by_its_domain(runtime: Runtime, consortium, agencies: Agencies):
    call = runtime.gateway.call
    assert call(consortium.functions.memberByDomain("jyj.gz.gov.cn")) == agencies.address("gz-edu")
    assert call(consortium.functions.memberByDomain("unknown.gov.cn")) == ZERO


def test_reverts_when_a_new_member_claims_a_taken_or_empty_domain(
    consortium, agencies: Agencies, newcomer: str
):
    with reverts("ConsortiumDomainTaken", domain="jyj.gz.gov.cn"):
        agencies.send(
            "gz-msa", consortium.functions.proposeAddMember(newcomer, "Fake Bureau", "jyj.gz.gov.cn")
        )
    with reverts("ConsortiumInvalidDomain", domain=""):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "No Domain", ""))


def test_reverts_when_adding_the_zero_address(consortium, agencies: Agencies):
    with reverts("ConsortiumInvalidMember", account=ZERO):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(ZERO, "Nobody", "nobody.gov.cn"))


def test_reverts_when_suspending_a_non_member_or_a_suspended_member(
    runtime, consortium, agencies: Agencies, newcomer
):
    with reverts("ConsortiumNotAMember", account=newcomer):
        agencies.send("gz-msa", consortium.functions.proposeSuspendMember(newcomer))
    notary = agencies.address("gz-notary")
    pass_proposal(runtime, agencies, consortium, consortium.functions.proposeSuspendMember(notary))
    with reverts("ConsortiumMemberSuspendedAlready", account=notary):
        agencies.send("gz-msa", consortium.functions.proposeSuspendMember(notary))


def test_reverts_when_reinstating_a_member_that_is_not_suspended(consortium, agencies: Agencies):
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumMemberNotSuspended", account=notary):
        agencies.send("gz-msa", consortium.functions.proposeReinstateMember(notary))


def test_reverts_when_granting_an_unknown_role_a_held_role_or_to_a_non_member(
    consortium, agencies: Agencies, newcomer
):
    notary = agencies.address("gz-notary")
    unknown = b"\x42" * 32
    with reverts("ConsortiumUnknownRole", role=unknown):
        agencies.send("gz-msa", consortium.functions.proposeGrantRole(notary, unknown))
    with reverts("ConsortiumRoleAlreadyGranted", account=notary, role=Role.NOTARY.id):
        agencies.send("gz-msa", consortium.functions.proposeGrantRole(notary, Role.NOTARY.id))
    with reverts("ConsortiumNotAMember", account=newcomer):
        agencies.send("gz-msa", consortium.functions.proposeGrantRole(newcomer, INSPECTOR))


def test_reverts_when_revoking_a_role_not_held(consortium, agencies: Agencies):
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumRoleNotGranted", account=notary, role=INSPECTOR):
        agencies.send("gz-msa", consortium.functions.proposeRevokeRole(notary, INSPECTOR))


@pytest.mark.parametrize("threshold", [0, 1, 3])
def test_reverts_when_the_proposed_threshold_is_out_of_range(consortium, agencies: Agencies, threshold: int):
    with reverts("ConsortiumThresholdOutOfRange", threshold=threshold, minimum=2, maximum=2):
        agencies.send("gz-msa", consortium.functions.proposeThreshold(threshold))


# ---- approving and executing ----


def test_second_governor_approval_executes_an_add_member_proposal(
    runtime, consortium, agencies: Agencies, newcomer
):
    agencies.send(
        "gz-msa", consortium.functions.proposeAddMember(newcomer, "Haizhu Health", "wjj.haizhu.gov.cn")
    )
    receipt = agencies.send("gz-gsdata", consortium.functions.approve(1))
    events = runtime.gateway.events
    assert events(consortium, "ConsortiumProposalApproved", receipt) == [
        {"proposalId": 1, "governor": agencies.address("gz-gsdata"), "approvals": 2}
    ]
    assert events(consortium, "ConsortiumMemberAdded", receipt) == [
        {"account": newcomer, "name": "Haizhu Health", "domain": "wjj.haizhu.gov.cn"}
    ]
    assert events(consortium, "ConsortiumProposalExecuted", receipt) == [
        {"proposalId": 1, "executor": agencies.address("gz-gsdata")}
    ]
    assert runtime.gateway.call(consortium.functions.proposalState(1)) == ProposalState.EXECUTED
    assert newcomer in runtime.gateway.call(consortium.functions.members())


def test_grant_and_revoke_role_proposals_change_roles_with_events(runtime, consortium, agencies: Agencies):
    notary = agencies.address("gz-notary")
    agencies.send("gz-msa", consortium.functions.proposeGrantRole(notary, INSPECTOR))
    receipt = agencies.send("gz-gsdata", consortium.functions.approve(1))
    [granted] = runtime.gateway.events(consortium, "RoleGranted", receipt)
    assert granted == {"role": INSPECTOR, "account": notary, "sender": agencies.address("gz-gsdata")}
    assert runtime.gateway.call(consortium.functions.hasActiveRole(INSPECTOR, notary))

    agencies.send("gz-gsdata", consortium.functions.proposeRevokeRole(notary, INSPECTOR))
    receipt = agencies.send("gz-msa", consortium.functions.approve(2))
    [revoked] = runtime.gateway.events(consortium, "RoleRevoked", receipt)
    assert revoked == {"role": INSPECTOR, "account": notary, "sender": agencies.address("gz-msa")}
    assert not runtime.gateway.call(consortium.functions.hasActiveRole(INSPECTOR, notary))


def test_a_governor_cannot_approve_twice(consortium, agencies: Agencies):
    agencies.send("gz-msa", consortium.functions.proposeThreshold(2))
    with reverts("ConsortiumAlreadyApproved", proposalId=1, governor=agencies.address("gz-msa")):
        agencies.send("gz-msa", consortium.functions.approve(1))


def test_reverts_when_approving_an_unknown_proposal(consortium, agencies: Agencies):
    with reverts("ConsortiumUnknownProposal", proposalId=7):
        agencies.send("gz-msa", consortium.functions.approve(7))


def test_reverts_when_approving_an_executed_proposal(runtime, consortium, agencies: Agencies):
    proposal_id = pass_proposal(runtime, agencies, consortium, consortium.functions.proposeThreshold(2))
    with reverts("ConsortiumProposalAlreadyExecuted", proposalId=proposal_id):
        agencies.send("gz-gsdata", consortium.functions.approve(proposal_id))


def test_an_expired_proposal_can_no_longer_be_approved(runtime, consortium, agencies: Agencies):
    receipt = agencies.send("gz-msa", consortium.functions.proposeThreshold(2))
    [created] = runtime.gateway.events(consortium, "ConsortiumProposalCreated", receipt)
    runtime.gateway.advance_time(LIFETIME + 1)
    assert runtime.gateway.call(consortium.functions.proposalState(1)) == ProposalState.EXPIRED
    with reverts("ConsortiumProposalExpired", proposalId=1, expiredAt=created["expiresAt"]):
        agencies.send("gz-gsdata", consortium.functions.approve(1))


def test_a_proposal_is_checked_again_when_it_executes(runtime, consortium, agencies: Agencies, newcomer):
    agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "First", "first.gov.cn"))
    agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "Second", "second.gov.cn"))
    agencies.send("gz-gsdata", consortium.functions.approve(1))
    with reverts("ConsortiumAlreadyAMember", account=newcomer):
        agencies.send("gz-gsdata", consortium.functions.approve(2))
    assert runtime.gateway.call(consortium.functions.proposalState(2)) == ProposalState.PENDING


# ---- threshold edge cases ----


def test_threshold_rises_to_a_majority_when_governors_are_added(runtime, consortium, agencies: Agencies):
    call = runtime.gateway.call
    add_member(runtime, agencies, consortium, "gov-three", Role.GOVERNOR)
    assert (call(consortium.functions.governorCount()), call(consortium.functions.threshold())) == (3, 2)
    address = agencies.address("gov-four")
    pass_proposal(
        runtime, agencies, consortium, consortium.functions.proposeAddMember(address, "four", "four.gov.cn")
    )
    receipt = agencies.send("gz-msa", consortium.functions.proposeGrantRole(address, GOVERNOR))
    receipt = agencies.send(
        "gz-gsdata", consortium.functions.approve(created_id(runtime, consortium, receipt))
    )
    assert runtime.gateway.events(consortium, "ConsortiumThresholdChanged", receipt) == [
        {"previousThreshold": 2, "newThreshold": 3}
    ]
    assert (call(consortium.functions.governorCount()), call(consortium.functions.threshold())) == (4, 3)


def test_threshold_falls_to_the_governor_count_when_a_governor_leaves(
    runtime, consortium, agencies: Agencies
):
    gsdata = agencies.address("gz-gsdata")
    agencies.send("gz-msa", consortium.functions.proposeRevokeRole(gsdata, GOVERNOR))
    receipt = agencies.send("gz-gsdata", consortium.functions.approve(1))
    assert runtime.gateway.events(consortium, "ConsortiumThresholdChanged", receipt) == [
        {"previousThreshold": 2, "newThreshold": 1}
    ]
    assert runtime.gateway.call(consortium.functions.threshold()) == 1


def test_the_last_governor_can_be_neither_suspended_nor_stripped(runtime, consortium, agencies: Agencies):
    gsdata, msa = agencies.address("gz-gsdata"), agencies.address("gz-msa")
    pass_proposal(runtime, agencies, consortium, consortium.functions.proposeRevokeRole(gsdata, GOVERNOR))
    with reverts("ConsortiumLastGovernor", account=msa):
        agencies.send("gz-msa", consortium.functions.proposeRevokeRole(msa, GOVERNOR))
    with reverts("ConsortiumLastGovernor", account=msa):
        agencies.send("gz-msa", consortium.functions.proposeSuspendMember(msa))


def test_governors_can_change_the_threshold_within_range(runtime, consortium, agencies: Agencies):
    add_member(runtime, agencies, consortium, "gov-three", Role.GOVERNOR)
    receipt = agencies.send("gz-msa", consortium.functions.proposeThreshold(3))
    receipt = agencies.send(
        "gz-gsdata", consortium.functions.approve(created_id(runtime, consortium, receipt))
    )
    assert runtime.gateway.events(consortium, "ConsortiumThresholdChanged", receipt) == [
        {"previousThreshold": 2, "newThreshold": 3}
    ]
    with reverts("ConsortiumThresholdOutOfRange", threshold=1, minimum=2, maximum=3):
        agencies.send("gz-msa", consortium.functions.proposeThreshold(1))


# ---- suspension ----


def test_a_suspended_member_is_denied_everywhere_and_regains_rights_when_reinstated(
    runtime, consortium, agencies
):
    add_member(runtime, agencies, consortium, "gov-three", Role.GOVERNOR, Role.REGISTRAR)
    gov3 = agencies.address("gov-three")
    probe_address, _ = runtime.gateway.deploy(
        "RoleProbe", runtime.keys.signer("gz-gsdata"), consortium.address
    )
    probe = runtime.gateway.contract("RoleProbe", probe_address)
    agencies.send("gov-three", probe.functions.touch())

    receipt = agencies.send("gz-msa", consortium.functions.proposeThreshold(2))
    pending = created_id(runtime, consortium, receipt)
    receipt = agencies.send("gz-msa", consortium.functions.proposeSuspendMember(gov3))
    receipt = agencies.send(
        "gz-gsdata", consortium.functions.approve(created_id(runtime, consortium, receipt))
    )
    assert runtime.gateway.events(consortium, "ConsortiumMemberSuspended", receipt) == [{"account": gov3}]

    assert not runtime.gateway.call(consortium.functions.hasActiveRole(REGISTRAR, gov3))
    with reverts("ConsortiumMemberNotActive", account=gov3):
        agencies.send("gov-three", probe.functions.touch())
    with reverts("ConsortiumMemberNotActive", account=gov3):
        agencies.send("gov-three", consortium.functions.approve(pending))
    with reverts("ConsortiumMemberNotActive", account=gov3):
        agencies.send("gov-three", consortium.functions.proposeThreshold(2))
    assert runtime.gateway.call(consortium.functions.governorCount()) == 2

    receipt = agencies.send("gz-msa", consortium.functions.proposeReinstateMember(gov3))
    receipt = agencies.send(
        "gz-gsdata", consortium.functions.approve(created_id(runtime, consortium, receipt))
    )
    assert runtime.gateway.events(consortium, "ConsortiumMemberReinstated", receipt) == [{"account": gov3}]
    assert runtime.gateway.call(consortium.functions.governorCount()) == 3
    agencies.send("gov-three", probe.functions.touch())


def test_approvals_of_a_suspended_governor_stop_counting(runtime, consortium, agencies: Agencies):
    add_member(runtime, agencies, consortium, "gov-three", Role.GOVERNOR)
    gov3 = agencies.address("gov-three")
    receipt = agencies.send("gov-three", consortium.functions.proposeThreshold(3))
    pending = created_id(runtime, consortium, receipt)
    assert runtime.gateway.call(consortium.functions.approvals(pending)) == 1
    assert runtime.gateway.call(consortium.functions.approvers(pending)) == [gov3]
    pass_proposal(runtime, agencies, consortium, consortium.functions.proposeSuspendMember(gov3))
    assert runtime.gateway.call(consortium.functions.approvals(pending)) == 0
    assert runtime.gateway.call(consortium.functions.approvers(pending)) == []


def test_the_role_probe_lets_a_registrar_through_and_stops_others(runtime, consortium, agencies: Agencies):
    probe_address, _ = runtime.gateway.deploy(
        "RoleProbe", runtime.keys.signer("gz-gsdata"), consortium.address
    )
    probe = runtime.gateway.contract("RoleProbe", probe_address)
    receipt = agencies.send("gz-msa", probe.functions.touch())
    assert runtime.gateway.events(probe, "RoleProbeTouched", receipt) == [{"by": agencies.address("gz-msa")}]
    notary = agencies.address("gz-notary")
    with reverts("ConsortiumMissingRole", account=notary, role=REGISTRAR):
        agencies.send("gz-notary", probe.functions.touch())
