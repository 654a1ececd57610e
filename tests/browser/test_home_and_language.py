"""The home page leads to each service; the portal speaks Chinese and English and remembers the choice."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_home_page_in_chinese_leads_to_a_trace(visit, portal):
    browser = visit(locale="zh-CN")
    page = browser.open("/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("广州政务区块链公众服务")
    browser.screenshot("home-zh")
    page.get_by_role("button", name="查询").first.click()
    expect(page.locator("#trace-hint")).to_have_text("请输入批次号。")

    page.get_by_label("批次号或批次 ID").fill(portal.facts["good_lot"])
    page.get_by_label("批次号或批次 ID").press("Enter")
    expect(page).to_have_url(f"{portal.url}/trace/{portal.facts['good_lot']}")
    expect(page.locator("#summary h2")).to_have_text(portal.facts["good_lot"])


def test_the_home_page_leads_to_a_business(visit, portal):
    browser = visit()
    page = browser.open("/")
    page.get_by_label("Unified Social Credit Code (USCC)").fill(portal.facts["uscc"])
    page.get_by_role("button", name="Look up").click()

    expect(page).to_have_url(f"{portal.url}/business/{portal.facts['uscc']}")
    expect(page.locator("#business-summary")).to_contain_text(portal.facts["uscc"])
    browser.screenshot("home-en-then-business")


def test_switching_language_redraws_the_page_and_is_remembered(visit, portal):
    browser = visit()
    page = browser.open(f"/trace/{portal.facts['recalled_lot']}")
    expect(page.locator("#recall-banner")).to_contain_text("Recalled: do not eat")

    page.locator("#lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#recall-banner")).to_contain_text("已召回：请勿食用")
    expect(page.locator("#lang")).to_have_text("English")
    browser.screenshot("trace-recalled-lot-switched-to-zh")

    page.reload()
    expect(page.locator("#recall-banner")).to_contain_text("已召回：请勿食用")
    page.locator("#lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Trace cold-chain food")


def test_every_page_is_served_with_a_policy_that_allows_only_this_origin(visit, portal):
    browser = visit()
    for path in (
        "/",
        "/verify",
        f"/trace/{portal.facts['good_lot']}",
        f"/business/{portal.facts['uscc']}",
        "/petition",
        f"/petition/{portal.facts['petition_open']}",
    ):
        response = browser.page.goto(portal.url + path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"

    # The browser enforces it: a script may not reach another origin, and inline script does not run.
    violated = browser.page.evaluate(
        """async () => {
            const seen = [];
            const note = (event) => seen.push(event.effectiveDirective);
            document.addEventListener("securitypolicyviolation", note);
            try { await fetch("https://example.org/"); } catch {}
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
            await new Promise((resolve) => setTimeout(resolve, 0));
            return { seen, inlineRan: window.inlineRan === true };
        }"""
    )
    assert violated == {"seen": ["connect-src", "script-src-elem"], "inlineRan": False}
    browser.errors.clear()  # the browser logs both refusals as console errors, which is the point here
