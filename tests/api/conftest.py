"""An API client over the deployed test runtime, and one API key per agency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gzchain.api.app import create_app
from gzchain.bootstrap import Runtime


@pytest.fixture
def app(runtime: Runtime):
    return create_app(runtime)


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def auth(app):
    """`auth("gz-msa")` → headers acting as that agency (a fresh key each time)."""

    def headers(agency_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {app.state.api_keys.create(agency_id).token}"}

    return headers
