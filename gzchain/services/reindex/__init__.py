"""`gzchain reindex`: rebuild the store's chain-derived tables from the chain's events, or only check them.

The chain is the source of truth and the store an index of it (plus the off-chain data the chain holds
hashes of). Rebuilding first settles what a crash left pending, then makes every chain-derived table say
what the chain's events since each contract's deployment say, re-attaching the off-chain data the store
still holds by hash, in one unit of work. Checking compares the same way and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from gzchain.chain.gateway import ChainGateway
from gzchain.services.business import BusinessService
from gzchain.services.coldchain import ColdChainService
from gzchain.services.outbox import Recovery
from gzchain.services.reindex.business import business_plans
from gzchain.services.reindex.certificates import certificate_plans
from gzchain.services.reindex.coldchain import coldchain_plans
from gzchain.services.reindex.engine import DIFFERENCES, Finding, TableSummary, reconcile
from gzchain.services.reindex.reasons import reason_plan
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store
from gzchain.store.outbox import PendingTransactionRow


@dataclass
class ReindexReport:
    checked_only: bool
    recovered: dict[str, Recovery] = field(default_factory=dict)
    tables: list[TableSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def differences(self) -> list[Finding]:
        """What the store says differently from the chain (pending writes in flight are not differences)."""
        return [finding for finding in self.findings if finding.kind in DIFFERENCES]


@dataclass(frozen=True)
class CertificateContracts:
    factory_address: str
    from_block: int


class ReindexService:
    def __init__(
        self,
        gateway: ChainGateway,
        store: Store,
        cipher: PersonalDataCipher,
        business: BusinessService,
        coldchain: ColdChainService,
        certificates: CertificateContracts,
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.cipher = cipher
        self.business = business
        self.coldchain = coldchain
        self.certificates = certificates

    def run(self, *, check: bool = False) -> ReindexReport:
        """Rebuild (or with `check`, only compare) every chain-derived table; idempotent."""
        report = ReindexReport(checked_only=check)
        if not check:
            report.recovered = {"business": self.business.recover(), "coldchain": self.coldchain.recover()}
        with self.store.session() as session:
            in_flight = set(session.scalars(select(PendingTransactionRow.tx_hash)))
            plans = [
                *business_plans(self.business, session, in_flight),
                *coldchain_plans(self.coldchain, session, in_flight),
                *certificate_plans(
                    self.gateway,
                    self.cipher,
                    self.certificates.factory_address,
                    self.certificates.from_block,
                    session,
                ),
                reason_plan(
                    self.gateway,
                    [self.business.contract, self.coldchain.contract],
                    min(self.business.from_block, self.coldchain.reader.from_block),
                    session,
                    in_flight,
                ),
            ]
            for plan in plans:
                summary, findings = reconcile(session, plan, apply=not check)
                report.tables.append(summary)
                report.findings.extend(findings)
        return report
