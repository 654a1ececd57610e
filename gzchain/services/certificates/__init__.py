"""Electronic certificates: issuing and revoking (agencies), verifying (anyone), the wallet (citizens)."""

from gzchain.services.certificates.issuance import CertificateService, IssuedBatch, RevocationRecorded
from gzchain.services.certificates.verify import CertificateVerifier
from gzchain.services.certificates.wallet import Wallet

__all__ = ["CertificateService", "CertificateVerifier", "IssuedBatch", "RevocationRecorded", "Wallet"]
