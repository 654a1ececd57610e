"""The Consortium refuses member names and domains that would read differently from what they are:
control characters and the invisible Unicode formatting characters (bidirectional overrides and isolates,
zero-width spaces), wherever they come from. Runs on the embedded chain and on anvil."""

from __future__ import annotations

import pytest
from support.chain import Agencies, reverts

from gzchain.bootstrap import Runtime
from gzchain.domain.consortium import ProposalState
from gzchain.domain.text import CONTRACT_FORMAT_RANGES


@pytest.fixture
def agencies(runtime: Runtime) -> Agencies:
    return Agencies(runtime)


@pytest.fixture
def consortium(runtime: Runtime):
    return runtime.gateway.contract("Consortium", runtime.require_manifest().address("Consortium"))


@pytest.fixture
def newcomer(agencies: Agencies) -> str:
    return agencies.address("haizhu-health")


# Every end of every refused range, and what lies just outside them.
REFUSED = sorted({chr(code) for low, high in CONTRACT_FORMAT_RANGES for code in (low, high)})
ACCEPTED = [
    "\u00e9",
    "\u00ac",
    "\u00ae",
    "\u061b",
    "\u200a",
    "\u2010",
    "\u2029",
    "\u202f",
    "\u2065",
    "\u2070",
    "\ufefe",
]


@pytest.mark.parametrize("char", REFUSED, ids=lambda char: f"U+{ord(char):04X}")
def test_reverts_when_a_proposed_member_name_holds_a_control_or_formatting_character(
    consortium, agencies: Agencies, newcomer: str, char: str
):
    name = f"Haizhu{char}Health"
    with reverts("ConsortiumMisleadingText", field="name", position=len("Haizhu")):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, name, "wjj.haizhu.gov.cn"))


def test_reverts_when_a_proposed_domain_hides_a_nul_or_a_right_to_left_override(
    consortium, agencies: Agencies, newcomer: str
):
    with reverts("ConsortiumMisleadingText", field="domain", position=4):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "Evil", "evil\u0000.com"))
    with reverts("ConsortiumMisleadingText", field="domain", position=0):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "Evil", "\u202emoc.live"))
    with reverts("ConsortiumMisleadingText", field="name", position=1):
        agencies.send("gz-msa", consortium.functions.proposeAddMember(newcomer, "a\u0000<script>", "a.cn"))


def test_a_governor_can_propose_a_member_whose_name_has_chinese_accents_and_neighbouring_punctuation(
    runtime: Runtime, consortium, agencies: Agencies, newcomer: str
):
    name = "海珠区卫生健康局 Haizhu " + "".join(ACCEPTED)
    receipt = agencies.send(
        "gz-msa", consortium.functions.proposeAddMember(newcomer, name, "wjj.haizhu.gov.cn")
    )
    created = runtime.gateway.events(consortium, "ConsortiumProposalCreated", receipt)[0]
    proposal_id = created["proposalId"]
    assert runtime.gateway.call(consortium.functions.proposalState(proposal_id)) == ProposalState.PENDING
    agencies.send("gz-gsdata", consortium.functions.approve(proposal_id))
    member = runtime.gateway.call(consortium.functions.member(newcomer))
    assert member[0] == name and member[1] == "wjj.haizhu.gov.cn"
