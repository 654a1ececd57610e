"""Assertions for API responses."""

from __future__ import annotations


def assert_problem(response, status: int, field: str | None = None, error: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if field is not None:
        assert body["field"] == field, body
    if error is not None:
        assert body["error"] == error, body
    return body
