"""Electronic certificates on top of OpenAttestation v2: templates, batches, revocation reasons, selective
disclosure and the verdict a verifier reaches. The OA format itself lives in gzchain.domain.oa."""
