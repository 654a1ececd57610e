"""schemathesis over the /epcis/* operations, with the standard's query parameters and an operator's key:
whatever it sends, the EPCIS interface never answers 5xx."""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from support.coldchain import BATCH

from gzchain.api.app import create_app
from gzchain.api.schemas.coldchain import EPCIS_EXAMPLE

EXAMPLES_PER_OPERATION = 25


def test_no_generated_epcis_request_makes_the_server_fail(runtime):
    app = create_app(runtime)
    token = app.state.api_keys.create("nansha-importer").token
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
    assert client.post("/coldchain/batches", json=BATCH, headers=headers).status_code == 201
    assert client.post("/epcis/capture", json=EPCIS_EXAMPLE, headers=headers).status_code == 202

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations() if op.ok().path.startswith("/epcis")]
    assert {op.path for op in operations} >= {
        "/epcis/capture",
        "/epcis/capture/{captureID}",
        "/epcis/events",
        "/epcis/events/{eventID}",
        "/epcis/epcs/{epc}/events",
    }
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def exercise(case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=(not_a_server_error,))

        try:
            exercise()
        except Exception as exc:  # every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n".join(failures)
