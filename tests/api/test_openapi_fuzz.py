"""schemathesis over the whole OpenAPI document: whatever it sends, the server never answers 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from gzchain.api.app import create_app

EXAMPLES_PER_OPERATION = 15  # bounded so CI stays fast; raise locally for a deeper run
# Each write is sent as an agency holding the role it needs, so generated requests get past the 403 and reach
# the services; the first matching path prefix wins, anything else acts as gz-msa (governor, registrar,
# regulator).
ACTING_AGENCY = (
    ("/coldchain/batches/{batch}/certificates", "gz-customs"),
    ("/coldchain/batches/{batch}/recall", "gz-msa"),
    ("/coldchain/batches/{batch}/release", "gz-msa"),
    ("/coldchain/entitlements", "gz-msa"),
    ("/coldchain/", "nansha-importer"),
    ("/epcis/", "nansha-importer"),
    ("/certificates/", "gz-edu"),
    ("/filings", "gz-notary"),
)


def test_no_generated_request_makes_the_server_fail(runtime):
    app = create_app(runtime)
    tokens: dict[str, str] = {}

    def headers_for(path: str) -> dict[str, str]:
        agency = next((a for prefix, a in ACTING_AGENCY if path.startswith(prefix)), "gz-msa")
        if agency not in tokens:
            tokens[agency] = app.state.api_keys.create(agency).token
        return {"Authorization": f"Bearer {tokens[agency]}"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def exercise(case) -> None:
            response = case.call(headers=headers_for(case.operation.path))
            case.validate_response(response, checks=(not_a_server_error,))

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n".join(failures)
