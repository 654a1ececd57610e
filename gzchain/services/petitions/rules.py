"""Petition rules (threshold, support and response periods): proposed and approved by governors, M of N."""

from __future__ import annotations

from dataclasses import dataclass

from gzchain.domain.petitions.rules import Rules
from gzchain.services.petitions.chain import PetitionsChain


@dataclass(frozen=True)
class RulesOutcome:
    change_id: int
    approvals: int
    executed: bool
    rules: Rules


class PetitionRules:
    def __init__(self, chain: PetitionsChain) -> None:
        self.chain = chain

    def current(self) -> Rules:
        return self.chain.rules()

    def propose(self, as_agency: str, rules: Rules) -> RulesOutcome:
        receipt = self.chain.send(as_agency, self.chain.fns.proposeRules(rules.as_tuple()))
        change_id = self.chain.events("PetitionRulesChangeProposed", receipt)[0]["changeId"]
        return self._outcome(change_id)

    def approve(self, as_agency: str, change_id: int) -> RulesOutcome:
        self.chain.send(as_agency, self.chain.fns.approveRules(change_id))
        return self._outcome(change_id)

    def _outcome(self, change_id: int) -> RulesOutcome:
        rules, _, _, executed = self.chain.call(self.chain.fns.rulesChange(change_id))
        approvals = self.chain.call(self.chain.fns.rulesApprovals(change_id))
        return RulesOutcome(change_id, approvals, executed, Rules.from_chain(rules))
