"""Cold chain, public side: a lot's whole story and the proof of any single reading (what a QR code opens)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.encoders import jsonable_encoder

from gzchain.api.deps import RuntimeDep
from gzchain.api.schemas.common import PROBLEM_RESPONSES

router = APIRouter(prefix="/coldchain", tags=["cold chain"], responses=PROBLEM_RESPONSES)
Batch = Annotated[
    str, Path(min_length=1, max_length=300, description="batch id (0x…), lot URI or lot number")
]

_ENCODERS = {
    bytes: lambda value: "0x" + value.hex(),
    datetime: lambda value: value.isoformat(),
    Decimal: str,
    Enum: lambda value: value.name.lower(),
}


def _public(value: Any) -> Any:
    return jsonable_encoder(value, custom_encoder=_ENCODERS)


@router.get(
    "/batches/{batch}/trace",
    summary="A lot's whole story: origin, custody, certificates, events, temperatures, recall (public)",
)
def trace(batch: Batch, runtime: RuntimeDep) -> dict[str, Any]:
    found = runtime.coldchain().trace(batch)
    return {
        **_public(found),
        "status": _public(found.status),
        "cleared": found.cleared,
        "window": _public(found.window),
        "verified": found.verified,
        "problems": list(found.problems),
    }


@router.get(
    "/batches/{batch}/events/{event_hash}/readings/{index}/proof",
    summary="A Merkle proof that one sensor reading belongs to the set anchored on chain (public)",
)
def reading_proof(
    batch: Batch,
    event_hash: Annotated[str, Path(min_length=1, max_length=120)],
    index: Annotated[int, Path(ge=0, le=1_000_000)],
    runtime: RuntimeDep,
) -> dict[str, Any]:
    return _public(runtime.coldchain().reading_proof(batch, event_hash, index))
