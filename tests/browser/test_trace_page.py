"""The trace page a pack's QR code opens: a sold lot, a recalled lot, an unknown lot, a chain that is down."""

from __future__ import annotations

import json
import re

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")


def test_a_cleared_lot_shows_its_certificates_custody_timeline_and_temperatures(visit, portal):
    browser = visit()
    page = browser.open(f"/trace/{portal.facts['good_lot']}")

    expect(page.locator("#summary h2")).to_have_text(portal.facts["good_lot"])
    expect(page.locator("#status-banner")).to_contain_text("cleared for sale")
    expect(page.locator("#recall-banner")).to_have_count(0)
    expect(page.locator("#summary")).to_contain_text("Brazil (BR)")
    expect(page.locator("#summary")).to_contain_text("-30.0 – -18.0 °C")
    checklist = page.locator("#certificates li")
    expect(checklist).to_have_count(5)
    expect(page.locator("#certificates li[data-present=true]")).to_have_count(5)
    expect(page.locator("#custody li")).to_have_count(4)
    events = page.locator("#timeline li")
    assert events.count() >= 8
    # Every event, certificate and custody step carries its own on-chain proof.
    for item in (*events.all(), *checklist.all()):
        expect(item.locator("[data-tx]")).to_have_attribute("data-tx", TX_HASH)
        expect(item.locator(".proof")).to_contain_text("block")
    chart = page.locator("#temperature-chart")
    expect(chart.locator("rect.band")).to_have_attribute("data-window", "-30:-18")
    assert chart.locator("circle.point").count() >= 10
    expect(chart.locator("path.breach")).to_have_count(0)
    expect(page.locator("#parents li")).to_have_count(1)
    expect(page.locator("#parents a")).to_have_text(portal.facts["batch"])
    expect(page.locator("#verified")).to_contain_text("matches the hash anchored on chain")
    browser.screenshot("trace-cleared-lot-en")

    page.locator("#parents a").click()
    expect(page.locator("#summary h2")).to_have_text(portal.facts["batch"])
    expect(page.locator("#children li")).to_have_count(5)  # three lots, and the two packs of the recalled one


def test_a_recalled_lot_shows_the_recall_banner_its_breaches_and_its_packs(visit, portal):
    browser = visit()
    page = browser.open(f"/trace/{portal.facts['recalled_lot_id']}")

    banner = page.locator("#recall-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("Recalled: do not eat")
    expect(banner).to_contain_text(portal.facts["recall_reason"])
    expect(banner.locator("[data-reason-state]")).to_have_attribute("data-reason-state", "verified")
    expect(banner).to_contain_text("temperature abuse")
    expect(banner).to_contain_text("✓ words verified against the salted hash on chain")
    expect(banner).to_contain_text("Guangzhou Market Supervision Administration")
    expect(page.locator("#breach-banner")).to_contain_text("Lingnan Cold-Chain Logistics Co.")
    chart = page.locator("#temperature-chart")
    expect(chart.locator("path.breach")).to_have_count(4)
    expect(chart).to_have_attribute("aria-label", re.compile("4 outside the allowed window"))
    expect(page.locator("#breaches li")).to_have_count(4)
    expect(page.locator("#children li")).to_have_count(2)
    expect(page.locator("#children")).to_contain_text("destroyed")

    page.locator("#breaches li").first.get_by_role("button").click()
    expect(page.locator("#breaches li").first).to_contain_text("Checked: this reading belongs to the set")
    browser.screenshot("trace-recalled-lot-en")


def test_the_recall_banner_reads_well_on_a_phone_in_chinese(visit, portal):
    browser = visit(locale="zh-CN", phone=True)
    page = browser.open(f"/trace/{portal.facts['recalled_lot']}")

    expect(page.locator("#recall-banner")).to_contain_text("已召回：请勿食用")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#certificates li").first).to_contain_text("海关进口货物报关单")
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide}px wider than a phone's screen"
    browser.screenshot("trace-recalled-lot-zh-phone")


def test_an_unknown_lot_is_explained_in_words(visit):
    browser = visit()
    page = browser.open("/trace/NO-SUCH-LOT-1")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text('There is no lot "NO-SUCH-LOT-1". Check the lot number on the pack')
    expect(alert).to_have_attribute("data-error", "notFound")
    browser.screenshot("trace-unknown-lot-en")


def test_a_chain_that_cannot_be_reached_is_explained_in_words(visit, portal):
    browser = visit()
    problem = {"title": "Chain unavailable", "status": 503, "detail": "the chain node did not answer"}
    browser.page.route(
        "**/coldchain/batches/**",
        lambda route: route.fulfill(
            status=503, content_type="application/problem+json", body=json.dumps(problem)
        ),
    )
    page = browser.open(f"/trace/{portal.facts['good_lot']}")

    expect(page.get_by_role("alert")).to_contain_text("The blockchain cannot be reached right now")
    browser.screenshot("trace-chain-unavailable-en")


def test_the_printed_label_opens_the_trace_page_of_its_lot(visit, portal):
    expected = f"{portal.url}/trace/{portal.facts['good_lot_id']}"
    assert _decoded(Image.open(portal.files / "label.png")) == expected

    browser = visit()
    page = browser.page
    page.goto((portal.files / "label.svg").as_uri())
    rendered = portal.files / "label-svg-rendered.png"
    page.screenshot(path=str(rendered))
    assert _decoded(Image.open(rendered)) == expected, "the SVG label's QR code, as a browser draws it"

    page.goto(expected)
    expect(page.locator("#summary h2")).to_have_text(portal.facts["good_lot"])


def _decoded(image: Image.Image) -> str:
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    return codes[0].text
