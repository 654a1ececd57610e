"""The petition pages: the list by state, and a petition's text, progress, deadlines, state and answer,
each text marked as matching the chain's salted hash only when it does; the vote receipt check."""

from __future__ import annotations

import re

from playwright.sync_api import expect

LANE = "Protected cycle lanes on Huangpu Avenue"
BUSES = "Night buses to the Science City"


def test_the_list_shows_each_petition_with_its_state_and_progress(visit, portal):
    browser = visit()
    page = browser.open("/petition")

    items = page.locator("#petition-list li")
    expect(items).to_have_count(6)
    facts = portal.facts
    for key, state in (
        ("petition_answered", "answered"),
        ("petition_overdue", "overdue"),
        ("petition_open", "open for support"),
        ("petition_rejected", "rejected"),
        ("petition_proposed", "awaiting review"),
    ):
        expect(page.locator(f'#petition-list li[data-petition="{facts[key]}"] .badge')).to_have_text(state)
    answered = page.locator(f'#petition-list li[data-petition="{facts["petition_answered"]}"]')
    expect(answered).to_contain_text("3 of 3 supporters")
    opened = page.locator(f'#petition-list li[data-petition="{facts["petition_open"]}"]')
    expect(opened).to_contain_text("2 of 5 supporters · 3 more to reach the threshold")
    expect(opened).to_contain_text("Support closes")
    # A proposal not yet published has no threshold, so no bar.
    expect(
        page.locator(f'#petition-list li[data-petition="{facts["petition_proposed"]}"] .progress')
    ).to_have_count(0)
    browser.screenshot("petitions-list-en")

    page.locator('#filters a[data-state="overdue"]').click()
    expect(page).to_have_url(f"{portal.url}/petition?state=overdue")
    expect(page.locator("#petition-list li")).to_have_count(1)
    expect(page.locator("#petition-list li h2 a")).to_have_text(BUSES)
    expect(page.locator('#filters a[aria-current="page"]')).to_have_text("overdue")


def test_an_unknown_state_filter_lists_everything_and_an_empty_one_says_so(visit, portal):
    browser = visit()
    page = browser.open("/petition?state=lapsed")
    expect(page.locator("#no-petitions")).to_have_text("No petitions here.")
    page = browser.open("/petition?state=<script>")
    expect(page.locator("#petition-list li")).to_have_count(6)
    expect(page.locator('#filters a[aria-current="page"]')).to_have_text("All")


def test_an_answered_petition_shows_its_text_supporters_and_the_verified_answer(visit, portal):
    browser = visit()
    page = browser.open(f"/petition/{portal.facts['petition_answered']}")

    summary = page.locator("#summary")
    expect(summary.locator("h2")).to_have_text(LANE)
    expect(summary).to_have_attribute("data-state", "responded")
    expect(summary.locator(".badge")).to_have_text("answered")
    for label in ("Proposed", "Published", "Support closes", "Threshold reached", "Answer due", "Answered"):
        expect(summary.locator("dt", has_text=label)).to_have_count(1)
    bar = page.get_by_role("progressbar", name="Supporters")
    expect(bar).to_have_attribute("aria-valuenow", "3")
    expect(bar).to_have_attribute("aria-valuemax", "3")
    expect(summary).to_contain_text("3 of 3 supporters · Threshold of 3 reached")

    text = page.locator("#petition-text")
    expect(text).to_contain_text("Huangpu Avenue has no separated cycle lane")
    expect(text.locator("[data-verified]")).to_have_attribute("data-verified", "yes")
    expect(text.locator("[data-verified]")).to_have_text("✓ matches the salted hash on chain")
    expect(text.locator("code")).to_have_text(re.compile(r"^0x[0-9a-f]{64}$"))
    response = page.locator("#response")
    expect(response).to_contain_text(portal.facts["petition_answer"])
    expect(response.locator("[data-verified]")).to_have_attribute("data-verified", "yes")
    expect(page.locator("#overdue-banner")).to_have_count(0)
    expect(page.locator("#result")).not_to_contain_text(re.compile(r"\bnull\b"))
    browser.screenshot("petition-answered-en")


def test_an_overdue_petition_is_flagged_in_chinese_and_english(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open(f"/petition/{portal.facts['petition_overdue']}")

    banner = page.locator("#overdue-banner")
    expect(banner).to_contain_text("市长办公室逾期未答复")
    expect(banner).to_contain_text("链上已公开标记为逾期")
    expect(page.locator("#summary")).to_contain_text("已达到 2 人门槛，市长办公室必须答复")
    expect(page.locator("#summary .badge")).to_have_text("逾期未答复")
    expect(page.locator("#response")).to_contain_text("尚未答复。")
    expect(page.locator("#result")).not_to_contain_text(re.compile(r"\bnull\b"))
    browser.screenshot("petition-overdue-zh")

    page.locator("#lang").click()
    expect(banner).to_contain_text("The mayor's office is overdue")
    expect(page.locator("#summary h2")).to_have_text(BUSES)
    expect(page.locator("#response")).to_contain_text("No answer yet.")


def test_an_open_petition_lets_a_resident_check_their_vote_was_counted(visit, portal):
    browser = visit(phone=True)
    page = browser.open(f"/petition/{portal.facts['petition_open']}")
    expect(page.locator("#summary .badge")).to_have_text("open for support")
    expect(page.get_by_role("progressbar", name="Supporters")).to_have_attribute("aria-valuenow", "2")
    expect(page.locator("#summary")).to_contain_text("2 of 5 supporters · 3 more to reach the threshold")
    expect(page.locator("#response")).to_have_count(0)

    box = page.get_by_label("Nullifier (0x and 64 hex digits)")
    box.fill(portal.facts["counted_nullifier"])
    page.get_by_role("button", name="Check").click()
    expect(page.locator("[data-counted]")).to_have_attribute("data-counted", "yes")
    expect(page.locator("[data-counted]")).to_have_text("✓ Your support is counted on chain")
    nullifier = portal.facts["counted_nullifier"]
    assert f"{portal.url}/petitions/{portal.facts['petition_open']}/votes/{nullifier}" in browser.requests
    browser.screenshot("petition-open-receipt-phone-en")

    box.fill(portal.facts["uncounted_nullifier"])
    page.get_by_role("button", name="Check").click()
    expect(page.locator("[data-counted]")).to_have_attribute("data-counted", "no")
    expect(page.locator("[data-counted]")).to_have_text("The chain has no support with this nullifier")


def test_a_malformed_nullifier_is_refused_before_asking_anything(visit, portal):
    browser = visit()
    page = browser.open(f"/petition/{portal.facts['petition_open']}")
    expect(page.locator("#summary .badge")).to_have_text("open for support")
    asked = len(browser.requests)

    page.get_by_label("Nullifier (0x and 64 hex digits)").fill("0x1234")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#receipt-result")).to_have_text('"0x1234" is not a nullifier.')
    page.get_by_label("Nullifier (0x and 64 hex digits)").fill("")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#receipt-result")).to_have_text("Please paste a nullifier: 0x and 64 hex digits.")
    assert len(browser.requests) == asked


def test_a_petition_whose_stored_words_were_altered_is_not_marked_verified(visit, portal):
    browser = visit()
    page = browser.open(f"/petition/{portal.facts['petition_tampered']}")

    text = page.locator("#petition-text")
    expect(text).to_contain_text("And free parking for all.")
    mark = text.locator("[data-verified]")
    expect(mark).to_have_attribute("data-verified", "no")
    expect(mark).to_have_text("✗ does not match the hash on chain: this text may have been altered")
    expect(text).not_to_contain_text("matches the salted hash on chain")
    browser.screenshot("petition-altered-en")


def test_a_rejected_petition_shows_its_reason_code_and_words(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open(f"/petition/{portal.facts['petition_rejected']}")

    expect(page.locator("#summary .badge")).to_have_text("未予公开")
    expect(page.locator("#summary .progress")).to_have_count(0)
    rejection = page.locator("#rejection")
    expect(rejection.locator("[data-reason]")).to_have_text("不属于市政府职权范围")
    expect(rejection).to_contain_text(portal.facts["petition_rejection_text"])
    expect(rejection.locator("[data-verified]")).to_have_attribute("data-verified", "yes")
    expect(page.locator("#receipt")).to_have_count(1)
    browser.screenshot("petition-rejected-zh")


def test_an_unknown_and_a_malformed_petition_number_are_told_apart(visit):
    browser = visit()
    page = browser.open("/petition/999999")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is no petition number 999999.")
    expect(alert).to_have_attribute("data-error", "notFound")

    page = browser.open("/petition/abc")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text('"abc" is not a petition number.')
    expect(alert).to_have_attribute("data-error", "invalid")


def test_the_home_page_leads_to_the_petitions(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open("/")
    page.locator("#petitions a.button").click()
    expect(page).to_have_url(f"{portal.url}/petition")
    expect(page.locator("h1")).to_have_text("市民联名建议")
    expect(page.locator("#petition-list li")).to_have_count(6)
