"""Scenario: a Huangpu District tech company on the register, from application to deregistration."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from gzchain.bootstrap import Runtime
from gzchain.chain.transactions import Receipt
from gzchain.demo import ScenarioFailed, Story, main_for
from gzchain.domain.business import ChangeType, record_from_dict, record_hash
from gzchain.domain.errors import InvalidInput
from gzchain.domain.registry import BusinessStatus, DocumentType, describe_change
from gzchain.domain.uscc import ALPHABET, uscc_from_prefix

TITLE = "Business registration: a Huangpu District tech company on the register, with notarised filings"
ORDER = 20

REGISTRAR = "gz-msa"
NOTARY = "gz-notary"
COMPANY = "广州黄埔智链科技有限公司"
# From reference/uscc.md: its final check character should be 6, and its GB 11714 one (position 17) 8.
INVALID_USCC = "91440101MA59A1B2C3"
# Fictitious people: the GB 11643 check digits are deliberately wrong, so these IDs belong to no one.
FOUNDER_ID = "44011219880808123X"
CO_FOUNDER_ID = "44011219900412567X"


def run(rt: Runtime, story: Story) -> None:
    registry = rt.business()
    uscc = _new_huangpu_uscc()
    application = _application(uscc)

    story.step(
        f"{COMPANY}, a Huangpu District technology company, applies for registration with USCC {uscc}."
    )
    change = registry.register(REGISTRAR, application)
    story.check(
        change.version == 1,
        f"the Market Supervision Administration registers it as version 1 — {_proof(change.receipt)}",
    )

    story.step("The Nanyue Notary Office notarises its articles of association.")
    articles = _articles(uscc)
    filing = registry.notarise(NOTARY, uscc, articles, DocumentType.ARTICLES_OF_ASSOCIATION)
    story.ok(f"SHA-256 0x{filing.file_hash.hex()[:16]}… notarised — {_proof(filing.receipt)}")

    story.step("The company raises its registered capital from 10 to 30 million yuan.")
    raised = _with_capital(application, founder="18000000", co_founder="6000000", investor="6000000")
    change = registry.amend(REGISTRAR, raised)
    story.check(
        change.version == 2
        and change.change_type == ChangeType.AMENDED_CAPITAL | ChangeType.AMENDED_SHAREHOLDERS,
        f"version 2, {describe_change(change.change_type)} — {_proof(change.receipt)}",
    )

    story.step("A member of the public looks the company up.")
    lookup = registry.lookup(uscc)
    story.check(lookup.verified, "every stored version of the record matches the hash the chain holds for it")
    for version in lookup.versions:
        where = (
            f"tx {version.proof.tx_hash[:18]}…, block {version.proof.block_number}" if version.proof else "?"
        )
        story.check(
            version.proof is not None,
            f"v{version.number} {describe_change(version.change_type)} by {version.agency_name} ({where})",
        )
    current = lookup.record
    story.check(
        current is not None and current.registered_capital.amount == "30000000.00",
        f"the current record shows the raised capital of 30,000,000.00 CNY; status {lookup.status.label}",
    )
    story.check(
        [f.document_type for f in lookup.filings] == [DocumentType.ARTICLES_OF_ASSOCIATION],
        "the notarised articles of association are listed with the company",
    )

    story.step("A copy of the articles altered by a single byte is presented as genuine.")
    altered = bytearray(articles)
    altered[len(altered) // 2] ^= 0x01
    story.check(not registry.verify_file(bytes(altered)).notarised, "the altered copy fails verification")
    original = registry.verify_file(articles).filing
    story.check(
        original is not None and original.in_force and original.uscc == uscc,
        f"the original passes: notarised for {uscc} by "
        f"{original.notary_name if original else 'nobody'} and never revoked",
    )

    story.step(f"An application arrives with the USCC {INVALID_USCC}.")
    invalid = {**application, "uscc": INVALID_USCC}
    rejection = _rejected(lambda: registry.register(REGISTRAR, invalid))
    story.check(
        rejection.field == "uscc", f"the service rejects it before any transaction: {rejection.reason}"
    )
    bypass = registry.contract.functions.register(
        INVALID_USCC.encode("ascii"), record_hash(record_from_dict(application))
    )
    refusal = story.refused(
        "BusinessRegistryInvalidUscc",
        lambda: rt.gateway.transact(bypass, rt.keys.signer(REGISTRAR)),
        "sent straight to the contract, bypassing the service, the chain itself rejects it",
    )
    story.check(
        refusal.args_by_name["position"] == 17,
        "the contract names position 17, the first wrong character (the GB 11714 check character)",
    )

    story.step("The notary office, which holds no REGISTRAR role, tries to register a company.")
    story.refused(
        "ConsortiumMissingRole",
        lambda: registry.register(NOTARY, _application(_new_huangpu_uscc())),
        "an agency without the registrar role is denied",
    )

    story.step(
        "The company cannot be reached at its registered address: it is listed for abnormal operations."
    )
    change = registry.suspend(
        REGISTRAR, uscc, "unreachable-at-address", "cannot be contacted at the registered address"
    )
    lookup = registry.lookup(uscc)
    reason = lookup.versions[-1].reason
    story.check(
        lookup.status is BusinessStatus.SUSPENDED
        and reason is not None
        and reason.verified
        and reason.words == "cannot be contacted at the registered address",
        "the public sees it listed, the registrar's words verified against their salted hash on chain "
        f"(which holds only the code '{reason.code.label if reason else '?'}') — {_proof(change.receipt)}",
    )
    story.refused(
        "BusinessRegistryInvalidTransition",
        lambda: registry.suspend(REGISTRAR, uscc, "annual-report-not-filed", "listed again"),
        "a listed company cannot be listed twice",
    )

    story.step("It files its overdue annual report and is reinstated.")
    change = registry.reinstate(
        REGISTRAR, uscc, "annual-report-filed", "annual report filed; reachable at the registered address"
    )
    story.check(
        registry.lookup(uscc).status is BusinessStatus.ACTIVE,
        f"it is off the abnormal-operations list — {_proof(change.receipt)}",
    )

    story.step("The shareholders dissolve the company and it is deregistered.")
    change = registry.deregister(
        REGISTRAR, uscc, "voluntary-dissolution", "dissolved by shareholder resolution; liquidation completed"
    )
    story.ok(f"deregistered as version {change.version} — {_proof(change.receipt)}")
    renamed = {**raised, "name": "广州黄埔智链信息技术有限公司"}
    story.refused(
        "BusinessRegistryDeregistered",
        lambda: registry.amend(REGISTRAR, renamed),
        "amendments of a deregistered company are refused",
    )
    lookup = registry.lookup(uscc)
    story.check(
        lookup.status is BusinessStatus.DEREGISTERED and len(lookup.versions) == 5 and lookup.verified,
        "its whole history (5 versions) and filings stay on record and verifiable",
    )


def _new_huangpu_uscc() -> str:
    # A fresh organisation code each run, so the story can be told again on the same chain.
    body = "MA" + "".join(secrets.choice(ALPHABET) for _ in range(6))
    return uscc_from_prefix("91440112" + body)


def _application(uscc: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": COMPANY,
        "legal_representative": {"name": "林晓峰", "id_number": FOUNDER_ID},
        "registered_capital": {"amount": "10000000.00", "currency": "CNY"},
        "address": "广州市黄埔区科学城开源大道11号",
        "business_scope": "区块链技术服务；软件开发；信息系统集成服务；人工智能应用软件开发",
        "shareholders": [
            _shareholder("林晓峰", "natural_person", FOUNDER_ID, "6000000.00"),
            _shareholder("周雅琳", "natural_person", CO_FOUNDER_ID, "2000000.00"),
            _shareholder("广州科学城创业投资有限公司", "legal_person", "914403001922038216", "2000000.00"),
        ],
        "establishment_date": "2025-03-18",
    }


def _shareholder(name: str, kind: str, identifier: str, amount: str) -> dict[str, Any]:
    return {"name": name, "kind": kind, "identifier": identifier, "contribution": {"amount": amount}}


def _with_capital(
    application: dict[str, Any], *, founder: str, co_founder: str, investor: str
) -> dict[str, Any]:
    shareholders = [
        {**holder, "contribution": {"amount": amount}}
        for holder, amount in zip(application["shareholders"], (founder, co_founder, investor), strict=True)
    ]
    total = sum(int(amount) for amount in (founder, co_founder, investor))
    return {**application, "registered_capital": {"amount": str(total)}, "shareholders": shareholders}


def _articles(uscc: str) -> bytes:
    return (
        f"{COMPANY}章程\n统一社会信用代码：{uscc}\n"
        "第一条 为规范公司的组织和行为，根据《中华人民共和国公司法》制定本章程。\n"
        "第二条 公司住所：广州市黄埔区科学城开源大道11号。\n"
        "第三条 公司注册资本为人民币壹仟万元。\n"
    ).encode()


def _rejected(action: Callable[[], object]) -> InvalidInput:
    try:
        action()
    except InvalidInput as exc:
        return exc
    raise ScenarioFailed("the service accepted an application it must reject")


def _proof(receipt: Receipt) -> str:
    return f"tx {receipt.tx_hash[:18]}… in block {receipt.block_number}"


if __name__ == "__main__":
    main_for(__name__)
