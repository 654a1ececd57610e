"""What a verifier is told about a certificate: the verdict, who issued it, what it shows and what it hides.

"Not valid" is an answer, not an error; only a body that is no OpenAttestation v2 wrapped document at all,
or a chain that cannot be asked, is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gzchain.domain.certificates.disclosure import disclosed_values, withheld_fields
from gzchain.domain.certificates.verification import IssuerClaim, Verdict, read_claims
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import SCHEMA_V2, WrappedDocument, get_data
from gzchain.services.certificates.templates import template_of
from gzchain.services.certificates.verify import CertificateVerifier


@dataclass(frozen=True)
class VerificationReport:
    verdict: Verdict
    target_hash: str | None
    merkle_root: str | None
    issuer: IssuerClaim | None  # the first issuer the document names, when it can be read
    disclosed: tuple[tuple[str, Any], ...]  # (dotted path, value) of every field the document shows
    withheld_count: int  # fields the holder hid (privacy.obfuscatedData)
    withheld_fields: tuple[str, ...]  # which, by the template's field paths; empty when unknown


def require_wrapped_document(document: Any) -> WrappedDocument:
    """The document, if it has an OA v2 wrapped document's shape; InvalidInput naming the part that is not."""
    if not isinstance(document, dict):
        raise InvalidInput("a wrapped certificate is a JSON object", field="document")
    if document.get("version") != SCHEMA_V2:
        raise InvalidInput(f"must be {SCHEMA_V2!r}: only OpenAttestation v2 documents", field="version")
    for part in ("data", "signature"):
        if not isinstance(document.get(part), dict):
            raise InvalidInput("must be an object: this is not a wrapped document", field=part)
    return document


def verification_report(verifier: CertificateVerifier, document: Any) -> VerificationReport:
    """Verify `document` and describe it; raises ChainUnavailable when the chain cannot be asked at all."""
    wrapped = require_wrapped_document(document)
    # Read here, not in verify(), so a chain that cannot be asked fails the request as unavailable
    # instead of reaching a verdict of ERROR fragments; the head is read once either way.
    head = verifier.answers.head()
    verdict = verifier.verify(wrapped, head=head)
    signature = wrapped["signature"]
    try:
        data = get_data(wrapped)
        disclosed = tuple(disclosed_values(data))
    except InvalidInput:
        data, disclosed = {}, ()
    try:
        issuer: IssuerClaim | None = read_claims(wrapped).issuers[0]
    except InvalidInput:
        issuer = None
    privacy = wrapped.get("privacy")
    hidden = privacy.get("obfuscatedData") if isinstance(privacy, dict) else None
    count = len(hidden) if isinstance(hidden, list) else 0
    template = template_of(data)
    fields = tuple(withheld_fields(data, template.document)) if count and template is not None else ()
    return VerificationReport(
        verdict=verdict,
        target_hash=_text(signature.get("targetHash")),
        merkle_root=_text(signature.get("merkleRoot")),
        issuer=issuer,
        disclosed=disclosed,
        withheld_count=count,
        withheld_fields=fields,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
