"""The citizen portal's pages and files: served with a strict policy, and kept out of the API's schema."""

from __future__ import annotations

import re

import pytest

from gzchain.api.routes.portal import CONTENT_SECURITY_POLICY

PAGES = {
    "/": "home.js",
    "/verify": "verify.js",
    "/trace/BR2611-0001-A": "trace.js",
    "/trace/0x" + "ab" * 32: "trace.js",
    "/business": "business.js",
    "/business/91440101MA59LU9AX1": "business.js",
}


@pytest.mark.parametrize(("path", "script"), PAGES.items())
def test_each_page_is_its_html_shell_under_a_strict_policy(client, path, script):
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert f'<script type="module" src="/portal/{script}"></script>' in response.text
    assert '<html lang="zh-CN">' in response.text


def test_the_policy_allows_this_origin_only_and_no_inline_script():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == directives["script-src"] == directives["connect-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_no_page_carries_inline_script_or_style(client):
    for path in PAGES:
        page = client.get(path).text
        assert "<script>" not in page and "<style" not in page and " style=" not in page
        assert re.search(r"\son[a-z]+=", page) is None  # no onclick= and the like


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("portal.css", "text/css"),
        ("i18n.js", "text/javascript"),
        ("common.js", "text/javascript"),
        ("chart.js", "text/javascript"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_the_portal_files_are_served_with_the_same_headers(client, name, media_type):
    response = client.get(f"/portal/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_an_unknown_portal_file_is_a_404(client):
    assert client.get("/portal/nothing-here.js").status_code == 404
    assert client.get("/portal/../api/app.py").status_code == 404


def test_trace_without_a_lot_leads_to_the_home_page_search(client):
    response = client.get("/trace", follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"] == "/#trace"


def test_portal_pages_stay_out_of_the_api_schema(client):
    paths = client.get("/openapi.json").json()["paths"]

    assert not {"/", "/verify", "/trace", "/trace/{batch}", "/business", "/business/{uscc}"} & set(paths)
    assert "/coldchain/batches/{batch}/trace" in paths
