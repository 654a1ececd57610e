"""Scenario: the consortium governs itself — agencies join, gain roles and are suspended by M-of-N vote."""

from __future__ import annotations

from gzchain.bootstrap import Runtime
from gzchain.demo import Story, main_for
from gzchain.domain.roles import Role

TITLE = "Consortium governance: M-of-N votes on members and roles"
ORDER = 10


def run(rt: Runtime, story: Story) -> None:
    consortium = rt.consortium()
    members = consortium.members()
    story.step(
        f"The genesis consortium has {len(members)} agencies; "
        f"{consortium.threshold()} of {consortium.governor_count()} governors must approve any change."
    )
    for m in members:
        story.ok(f"{m.name} — {', '.join(r.value for r in m.roles)}")

    story.step("The notary office, not a governor, tries to lower the threshold on its own.")
    story.refused(
        "ConsortiumMissingRole",
        lambda: consortium.propose_threshold("gz-notary", 1),
        "only governors may propose changes",
    )

    story.step("The Market Supervision Administration proposes admitting the Haizhu District Health Bureau.")
    # A fresh id and domain per run, so the story can be told again on the same persistent chain.
    bureau = f"haizhu-health-{consortium.gateway.latest_timestamp()}"
    outcome = consortium.propose_add_member(
        "gz-msa", bureau, "Haizhu District Health Bureau", f"{bureau}.wjj.haizhu.gov.cn"
    )
    story.check(not outcome.executed, "one governor's approval is not enough")
    story.refused(
        "ConsortiumAlreadyApproved",
        lambda: consortium.approve("gz-msa", outcome.proposal.id),
        "a governor votes only once",
    )
    outcome = consortium.approve("gz-gsdata", outcome.proposal.id)
    story.check(
        outcome.executed, f"the second governor's approval executes it (tx {outcome.receipt.tx_hash[:18]}…)"
    )

    story.step("The new bureau is granted INSPECTOR so it can certify cold-chain tests.")
    grant = consortium.propose_grant_role("gz-gsdata", bureau, Role.INSPECTOR)
    consortium.approve("gz-msa", grant.proposal.id)
    story.check(consortium.has_active_role(bureau, Role.INSPECTOR), "the bureau now acts as INSPECTOR")

    story.step("Misconduct is reported: the governors suspend the bureau.")
    suspension = consortium.propose_suspend_member("gz-msa", bureau)
    consortium.approve("gz-gsdata", suspension.proposal.id)
    story.check(
        not consortium.has_active_role(bureau, Role.INSPECTOR),
        "a suspended member keeps its roles on paper but loses every write right at once",
    )

    story.step("The bureau's case is cleared and it is reinstated.")
    reinstatement = consortium.propose_reinstate_member("gz-gsdata", bureau)
    consortium.approve("gz-msa", reinstatement.proposal.id)
    story.check(consortium.has_active_role(bureau, Role.INSPECTOR), "reinstated, its roles apply again")


if __name__ == "__main__":
    main_for(__name__)
