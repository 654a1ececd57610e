"""The business page: a company's status, record, history and filings; a file checked without uploading it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from playwright.sync_api import expect

COMPANY = "广州黄埔智链科技有限公司"


def test_a_business_shows_its_status_record_history_and_filings(visit, portal):
    browser = visit()
    page = browser.open(f"/business/{portal.facts['uscc']}")

    summary = page.locator("#business-summary")
    expect(summary.locator("h2")).to_have_text(COMPANY)
    expect(summary).to_contain_text("deregistered")
    expect(page.locator("#record")).to_contain_text("30,000,000.00 CNY")
    expect(page.locator("#history li")).to_have_count(5)
    expect(page.locator('#history li[data-version="3"]')).to_contain_text("Listed for abnormal operations")
    suspension = page.locator('#history li[data-version="3"] [data-reason-state]')
    expect(suspension).to_have_attribute("data-reason-state", "verified")
    expect(suspension).to_contain_text(
        "unreachable at address: cannot be contacted at the registered address"
    )
    expect(suspension).to_contain_text("✓ words verified against the salted hash on chain")
    expect(page.locator('#history li[data-version="2"]')).to_contain_text("Amended: capital, shareholders")
    for version in page.locator("#history li").all():
        expect(version.locator("[data-tx]")).to_have_count(1)
    expect(page.locator("#filings li")).to_have_count(1)
    expect(page.locator("#filings")).to_contain_text("articles of association")
    expect(page.locator("#verified")).to_contain_text("matches the hash on chain")
    browser.screenshot("business-en")


def test_a_notarised_file_is_recognised_by_its_hash_computed_in_the_browser(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open(f"/business/{portal.facts['uscc']}")
    expect(page.locator("#business-summary h2")).to_have_text(COMPANY)
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.method != "GET" else None)

    articles = Path(portal.facts["articles"])
    page.locator("#file").set_input_files(str(articles))

    digest = hashlib.sha256(articles.read_bytes()).hexdigest()
    expect(page.locator("#file-hash")).to_contain_text(digest)
    outcome = page.locator("[data-outcome]")
    expect(outcome).to_have_attribute("data-outcome", "notarised")
    expect(outcome).to_contain_text("该文件经过公证，且公证有效")
    expect(outcome).to_contain_text("Guangzhou Nanyue Notary Office")
    assert f"{portal.url}/filings/{digest}" in browser.requests
    assert uploads == [], f"the file must never be sent: {uploads}"
    browser.screenshot("business-file-notarised-zh")


def test_a_file_altered_by_one_byte_is_not_found(visit, portal):
    browser = visit()
    page = browser.open(f"/business/{portal.facts['uscc']}")
    expect(page.locator("#business-summary h2")).to_have_text(COMPANY)

    page.locator("#file").set_input_files(portal.facts["altered_articles"])

    outcome = page.locator("[data-outcome]")
    expect(outcome).to_have_attribute("data-outcome", "unknown")
    expect(outcome).to_contain_text("No notarisation found for this file")
    browser.screenshot("business-file-unknown-en")


def test_an_unregistered_code_and_a_malformed_code_are_told_apart(visit):
    browser = visit()
    page = browser.open("/business/91440101MA59LU9AX1")
    expect(page.get_by_role("alert")).to_contain_text(
        'There is no business with Unified Social Credit Code "91440101MA59LU9AX1"'
    )
    browser.screenshot("business-unknown-en")

    page = browser.open("/business/12345")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text('"12345" is not a valid Unified Social Credit Code')
    expect(alert).to_have_attribute("data-error", "invalid")
    browser.screenshot("business-malformed-en")


def test_a_business_whose_personal_data_was_erased_says_what_was_erased_when_and_by_whom(visit, portal):
    browser = visit()
    page = browser.open(f"/business/{portal.facts['erased_uscc']}")
    expect(page.locator("#business-summary h2")).to_have_text("深圳示例已注销贸易有限公司")
    record = page.locator("#record")
    expect(record).to_contain_text("(personal data erased)")
    expect(record).to_contain_text("500,000.00 CNY")
    expect(page.locator("#erasure")).to_contain_text("Guangzhou Market Supervision Administration")
    expect(page.locator("#erasure")).to_contain_text("reveal nothing")
    expect(record).not_to_contain_text("周文静")
    expect(page.locator("#verified")).to_contain_text("matches the hash on chain")
    browser.screenshot("business-erased-en")


def test_reason_words_are_marked_verified_not_verified_or_withheld_against_the_chain(visit, portal):
    browser = visit()
    page = browser.open(f"/business/{portal.facts['doubtful_uscc']}")
    expect(page.locator("#business-summary h2")).to_have_text("深圳示例存疑贸易有限公司")
    versions = {n: page.locator(f'#history li[data-version="{n}"] [data-reason-state]') for n in (2, 3, 4)}
    expect(versions[4]).to_have_attribute("data-reason-state", "verified")
    expect(versions[4]).to_contain_text(portal.facts["verified_reason"])
    expect(versions[4]).to_contain_text("✓ words verified")
    expect(versions[2]).to_have_attribute("data-reason-state", "not verified")
    expect(versions[2]).to_contain_text(portal.facts["altered_reason"])
    expect(versions[2]).to_contain_text("✗ not verified: the words do not match the hash on chain")
    expect(versions[3]).to_have_attribute("data-reason-state", "withheld")
    expect(versions[3]).to_contain_text("annual report filed")
    expect(versions[3]).to_contain_text("words withheld or erased")
    expect(page.locator('#history li[data-version="1"] [data-reason-state]')).to_have_count(0)
    expect(page.locator("#verified")).to_contain_text("do not match the salted hash on chain")
    browser.screenshot("business-reasons-en")


def test_reason_marks_read_in_chinese(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open(f"/business/{portal.facts['doubtful_uscc']}")
    expect(page.locator('#history li[data-version="4"] [data-reason-state]')).to_contain_text("自行解散")
    expect(page.locator('#history li[data-version="2"] [data-reason-state]')).to_contain_text("未通过核验")
    expect(page.locator('#history li[data-version="3"] [data-reason-state]')).to_contain_text(
        "未公开或已删除"
    )
