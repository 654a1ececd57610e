"""DNS-over-HTTPS for OpenAttestation's DNS-TXT identity proof, answered from the consortium registry.

`GET /dns-query?name=…&type=TXT` answers in the JSON shape of Google's and Cloudflare's resolvers
(`application/dns-json`), which is what @govtechsg/dnsprove's custom resolvers return to oa-verify. A
verifier pointed here checks a gzchain certificate's issuer with OA's own code: the TXT record exists only
while the domain's member is an active CERT_ISSUER, and names that member's store on this chain.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from gzchain.api.deps import RuntimeDep
from gzchain.api.schemas.common import PROBLEM_RESPONSES

router = APIRouter(tags=["certificates"], responses=PROBLEM_RESPONSES)
DNS_JSON = "application/dns-json"


@router.get(
    "/dns-query",
    summary="OpenAttestation DNS-TXT records of consortium issuers, as DNS-over-HTTPS JSON (public)",
    response_class=JSONResponse,
    responses={200: {"content": {DNS_JSON: {}}, "description": "Status 0 with answers, or 3 (NXDOMAIN)"}},
)
def dns_query(
    runtime: RuntimeDep,
    # Bounded here so an absurd query string is refused before parsing; the service names the real limit.
    name: Annotated[str, Query(max_length=1024, description="the domain, e.g. jyj.gz.gov.cn")],
    type: Annotated[str, Query(max_length=32, description="TXT (or 16); other types get no answers")] = "TXT",
) -> JSONResponse:
    answer = runtime.certificates().dns_records().lookup(name, type)
    return JSONResponse(answer.as_json(), media_type=DNS_JSON)
