"""The verify page: a certificate dropped, pasted or opened from its QR code; revoked; withheld; malformed."""

from __future__ import annotations

import json
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

FRAGMENTS = ("DOCUMENT_INTEGRITY", "DOCUMENT_STATUS", "ISSUER_IDENTITY", "VALIDITY_PERIOD")


def test_a_chosen_certificate_file_is_valid_with_every_check_shown(visit, portal):
    browser = visit()
    page = browser.open("/verify")
    page.locator("#file").set_input_files(portal.facts["valid_certificate"])

    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("[data-verdict]")).to_contain_text("Valid certificate")
    for name in FRAGMENTS:
        expect(page.locator(f'[data-fragment="{name}"]')).to_have_attribute("data-status", "VALID")
    expect(page.locator("[data-issuer]")).to_have_text("Guangzhou Education Bureau")
    expect(page.locator('[data-field="recipient.name"]')).to_contain_text("陈晓明")
    expect(page.locator("#withheld")).to_have_attribute("data-count", "0")
    browser.screenshot("verify-valid-en")


def test_a_certificate_dropped_on_the_page_is_verified(visit, portal):
    browser = visit()
    page = browser.open("/verify")
    content = Path(portal.facts["valid_certificate"]).read_text(encoding="utf-8")
    transfer = page.evaluate_handle(
        """(content) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([content], "certificate.json", { type: "application/json" }));
            return transfer;
        }""",
        content,
    )
    page.locator("#drop").dispatch_event("drop", {"dataTransfer": transfer})

    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")


def test_a_revoked_certificate_shows_the_reason_and_the_date(visit, portal):
    browser = visit()
    page = browser.open("/verify")
    page.locator("#pasted").fill(Path(portal.facts["revoked_certificate"]).read_text(encoding="utf-8"))
    page.get_by_role("button", name="Verify").click()

    banner = page.locator("[data-verdict]")
    expect(banner).to_have_attribute("data-verdict", "revoked")
    expect(banner).to_contain_text("This certificate has been revoked")
    expect(banner.locator(".revocation-reason")).to_have_text(
        f"Reason: {portal.facts['revocation_text']} (fraud)"
    )
    expect(banner.locator(".revocation-date")).to_contain_text("Revoked on")
    expect(banner.locator(".revocation-date")).to_contain_text("2026")
    expect(page.locator('[data-fragment="DOCUMENT_STATUS"]')).to_have_attribute("data-status", "INVALID")
    expect(page.locator('[data-fragment="DOCUMENT_INTEGRITY"]')).to_have_attribute("data-status", "VALID")
    browser.screenshot("verify-revoked-en")


def test_a_presented_certificate_says_which_fields_were_withheld(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open("/verify")
    page.locator("#file").set_input_files(portal.facts["presented_certificate"])

    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("[data-verdict]")).to_contain_text("证照有效")
    withheld = page.locator("#disclosure")
    expect(page.locator("#withheld")).to_have_attribute("data-count", str(len(portal.facts["withheld"])))
    expect(page.locator("#withheld")).to_contain_text("持证人隐藏了 2 项内容")
    for path in portal.facts["withheld"]:
        expect(withheld).to_contain_text(path)
        expect(page.locator(f'[data-field="{path}"]')).to_have_count(0)
    expect(page.locator('[data-field="degree"]')).to_contain_text("Bachelor of Engineering")
    browser.screenshot("verify-withheld-zh")


def test_the_certificate_qr_code_opens_the_verify_page_with_the_certificate(visit, portal):
    codes = zxingcpp.read_barcodes(Image.open(portal.files / "cert-qr.png"))
    assert len(codes) == 1
    link = codes[0].text
    assert link.startswith(f"{portal.url}/verify#doc=")

    browser = visit()
    page = browser.open(link.removeprefix(portal.url))

    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#withheld")).to_have_attribute("data-count", "2")
    # The certificate travelled in the fragment: no request carried it to the server.
    assert all("#doc=" not in url and "doc=" not in url.split("#")[0] for url in browser.requests)


def test_a_file_that_is_not_json_is_refused_in_words(visit):
    browser = visit()
    page = browser.open("/verify")
    page.locator("#pasted").fill("this is not a certificate {")
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("alert")).to_contain_text("its content is not JSON")
    browser.screenshot("verify-not-json-en")


def test_json_that_is_no_certificate_is_refused_with_the_reason(visit):
    browser = visit()
    page = browser.open("/verify")
    page.locator("#pasted").fill(json.dumps({"name": "a shopping list", "items": ["rice", "tea"]}))
    page.get_by_role("button", name="Verify").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This is not a certificate file we can read")
    expect(alert).to_have_attribute("data-error", "invalid")
    browser.screenshot("verify-malformed-en")


def test_a_damaged_qr_link_is_explained(visit):
    browser = visit()
    page = browser.open("/verify#doc=bm90LWRlZmxhdGU")

    expect(page.get_by_role("alert")).to_contain_text("incomplete or damaged")
