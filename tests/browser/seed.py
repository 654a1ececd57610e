"""Seeds a data folder for the portal's browser tests: the cold-chain and business scenarios, and a class's
certificates (one revoked, one presented with fields withheld). Prints what it made as JSON.

Run as `python seed.py OUT_DIR` with GZCHAIN_DATA_DIR set: a process of its own, so the embedded chain is
closed and saved before `gzchain serve` opens it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from sqlalchemy import delete, update

from gzchain.bootstrap import open_runtime
from gzchain.demo import run_scenario
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.oa import obfuscate
from gzchain.domain.petitions.fdh import nullifier
from gzchain.domain.petitions.reasons import RejectionReason
from gzchain.domain.petitions.rules import DAY, Rules
from gzchain.services.certificates.templates import load_template
from gzchain.settings import Settings
from gzchain.store.petitions import PetitionTextRow
from gzchain.store.reasons import ReasonTextRow

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REVOCATION_TEXT = "admission obtained with forged transcripts"
WITHHELD = ["recipient.studentId", "admissionDate"]
# A suspension's words as recorded, then as someone rewrote them in the store afterwards.
ALTERED_REASON = ("annual report overdue by 8 months", "listed by mistake, nothing was overdue")
VERIFIED_REASON = "dissolved by its shareholder"
PARK = ("Shade trees on Dongfeng Road", "Plant shade trees along Dongfeng Road's pavements.")
TAMPERED = ("Longer library hours", "Open the Guangzhou Library until 22:00 every day.")
FOUNTAINS = ("Drinking fountains in Yuexiu Park", "Four fountains by the Five Rams statue, please.")
REJECTION_TEXT = "Income tax is set by national law, not by the city."


def scenario(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"portal_seed_{name}", SCENARIOS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def found(pattern: str, narration: str) -> str:
    match = re.search(pattern, narration)
    if match is None:
        raise SystemExit(f"the scenario's narration no longer says {pattern!r}:\n{narration}")
    return match.group(1)


def _an_erased_business(rt: Any) -> str:
    """A company registered, deregistered and then erased (PIPL art. 47), for the page after erasure."""
    uscc = "914403001922038216"
    business = rt.business()
    business.register(
        "gz-msa",
        {
            "uscc": uscc,
            "name": "深圳示例已注销贸易有限公司",
            "legal_representative": {"name": "周文静", "id_number": "44030419800101002X"},
            "registered_capital": {"amount": "500000.00"},
            "address": "深圳市福田区示例路8号",
            "business_scope": "日用百货销售",
            "shareholders": [
                {
                    "name": "周文静",
                    "kind": "natural_person",
                    "identifier": "44030419800101002X",
                    "contribution": {"amount": "500000.00"},
                }
            ],
            "establishment_date": "2015-06-01",
        },
    )
    business.deregister("gz-msa", uscc, "voluntary-dissolution", "dissolved by its shareholder")
    business.erase_personal_data("gz-msa", uscc)
    return uscc


def _a_business_with_doubtful_reasons(rt: Any) -> str:
    """A company suspended, reinstated and deregistered, whose store then lost one reason's words and had
    another's altered: the page must tell verified, not verified and withheld words apart."""
    uscc = "91440300708461136T"
    business = rt.business()
    business.register(
        "gz-msa",
        {
            "uscc": uscc,
            "name": "深圳示例存疑贸易有限公司",
            "legal_representative": {"name": "黄志强", "id_number": "440304198507071234"},
            "registered_capital": {"amount": "800000.00"},
            "address": "深圳市南山区示例路9号",
            "business_scope": "电子产品销售",
            "shareholders": [
                {
                    "name": "深圳示例控股有限公司",
                    "kind": "legal_person",
                    "identifier": "914403001922038216",
                    "contribution": {"amount": "800000.00"},
                }
            ],
            "establishment_date": "2018-03-01",
        },
    )
    altered = business.suspend("gz-msa", uscc, "annual-report-not-filed", ALTERED_REASON[0])
    lost = business.reinstate("gz-msa", uscc, "annual-report-filed", "the 2025 annual report was filed")
    business.deregister("gz-msa", uscc, "voluntary-dissolution", VERIFIED_REASON)
    assert altered.reason is not None and lost.reason is not None
    with rt.store.session() as session:
        session.execute(
            update(ReasonTextRow)
            .where(ReasonTextRow.reason_hash == "0x" + altered.reason.digest.hex())
            .values(words=ALTERED_REASON[1])
        )
        session.execute(
            delete(ReasonTextRow).where(ReasonTextRow.reason_hash == "0x" + lost.reason.digest.hex())
        )
    return uscc


def _petitions(rt: Any) -> dict[str, Any]:
    """A petition in each state, with small thresholds set by the governors so the seed stays quick (the
    demo scenario gathers the full 1,000). The clock moves 31 days, so this runs after everything else."""
    tale = scenario("petitions")
    service = rt.petitions()
    default = service.rules.current()
    people = tale.residents(6)
    tale.enrol(service, people)
    proposer = people[0]

    def published(words: tuple[str, str], threshold: int) -> int:
        tale.change_rules(service, Rules(threshold, default.support_period_s, default.response_period_s))
        petition_id = tale.propose(service, proposer, *words)
        service.office.publish(tale.OFFICE, petition_id)
        return petition_id

    answered = published(tale.CYCLE_LANE, 3)
    tale.support(service, answered, people[1:4])
    service.office.respond(tale.MAYOR, answered, tale.LANE_ANSWER)
    overdue = published(tale.NIGHT_BUSES, 2)
    tale.support(service, overdue, people[1:3])
    rt.gateway.advance_time(default.response_period_s + DAY)

    open_one = published(PARK, 5)
    votes = tale.support(service, open_one, people[1:3])
    tampered = published(TAMPERED, 5)
    with service.store.session() as session:
        session.get(PetitionTextRow, tampered).text += " And free parking for all."
    tale.change_rules(service, default)
    rejected = tale.propose(service, proposer, "Lower the national income tax", "Halve income tax.")
    service.office.reject(tale.OFFICE, rejected, RejectionReason.NOT_CITY_COMPETENCE, REJECTION_TEXT)
    proposed = tale.propose(service, proposer, "Drinking fountains in Yuexiu Park", "Four fountains, please.")
    return {
        "petition_answered": answered,
        "petition_overdue": overdue,
        "petition_open": open_one,
        "petition_tampered": tampered,
        "petition_rejected": rejected,
        "petition_proposed": proposed,
        "petition_answer": tale.LANE_ANSWER,
        "petition_rejection_text": REJECTION_TEXT,
        "counted_nullifier": "0x" + nullifier(open_one, votes[0].token).hex(),
        "uncounted_nullifier": "0x" + nullifier(open_one, b"\x01" * 32).hex(),
    }


def main(out: Path) -> None:
    rt = open_runtime(Settings())
    narration = io.StringIO()
    console = Console(file=narration, width=400, color_system=None)
    try:
        rt.deploy()
        cold_chain, business = scenario("cold_chain"), scenario("business_registration")
        for module in (cold_chain, business):
            if not run_scenario(module, rt, console):
                raise SystemExit(narration.getvalue())
        text = narration.getvalue()
        batch = found(r"batch (BR\d{4}-[0-9A-F]{4}), 24", text)
        uscc = found(r"with USCC (\w{18})", text)
        articles = out / "articles-of-association.txt"
        articles.write_bytes(business._articles(uscc))
        (out / "altered-articles.txt").write_bytes(business._articles(uscc).replace(b"11", b"12", 1))

        erased_uscc = _an_erased_business(rt)
        doubtful_uscc = _a_business_with_doubtful_reasons(rt)

        certificates = rt.certificates()
        records = out / "records.csv"
        rows = scenario("e_certificates")._records(3)
        with records.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        issued = out / "issued"
        certificates.issue_batch("gz-edu", load_template("graduation-certificate"), records, issued)
        valid = issued / "GZ-2026-000000.json"
        revoked = issued / "GZ-2026-000001.json"
        certificates.revoke_document(
            "gz-edu", json.loads(revoked.read_text(encoding="utf-8")), RevocationReason.FRAUD, REVOCATION_TEXT
        )
        presented = out / "presented.json"
        presented.write_text(
            json.dumps(
                obfuscate(json.loads(valid.read_text(encoding="utf-8")), WITHHELD), ensure_ascii=False
            ),
            encoding="utf-8",
        )
        trace = rt.coldchain().trace(f"{batch}-A")
        recalled = rt.coldchain().trace(f"{batch}-B")
        petitions = _petitions(rt)
    finally:
        rt.close()
    facts = {
        "batch": batch,
        "good_lot": f"{batch}-A",
        "good_lot_id": "0x" + trace.batch.batch_id.hex(),
        "recalled_lot": f"{batch}-B",
        "recalled_lot_id": "0x" + recalled.batch.batch_id.hex(),
        "recall_reason": recalled.recall.reason if recalled.recall else None,
        "uscc": uscc,
        "erased_uscc": erased_uscc,
        "doubtful_uscc": doubtful_uscc,
        "altered_reason": ALTERED_REASON[1],
        "verified_reason": VERIFIED_REASON,
        "articles": str(articles),
        "altered_articles": str(out / "altered-articles.txt"),
        "valid_certificate": str(valid),
        "revoked_certificate": str(revoked),
        "revocation_text": REVOCATION_TEXT,
        "presented_certificate": str(presented),
        "withheld": WITHHELD,
        **petitions,
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
