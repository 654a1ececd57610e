"""OpenAttestation v2 documents, byte-compatible with `@govtechsg/open-attestation`.

Wrap data into documents (alone or as a Merkle batch), hide fields, check integrity, read the data back
and check it against the schema. Whether a document is issued or revoked is the chain's business.
"""

from gzchain.domain.oa.document import SCHEMA_V2, JsonObject, WrappedDocument
from gzchain.domain.oa.hashing import digest_document, field_hash, target_hash
from gzchain.domain.oa.obfuscate import obfuscate
from gzchain.domain.oa.salt import get_data
from gzchain.domain.oa.schema import validate_data, validate_schema
from gzchain.domain.oa.verify import check_signature, verify_signature
from gzchain.domain.oa.wrap import wrap_document, wrap_documents

__all__ = [
    "SCHEMA_V2",
    "JsonObject",
    "WrappedDocument",
    "check_signature",
    "digest_document",
    "field_hash",
    "get_data",
    "obfuscate",
    "target_hash",
    "validate_data",
    "validate_schema",
    "verify_signature",
    "wrap_document",
    "wrap_documents",
]
