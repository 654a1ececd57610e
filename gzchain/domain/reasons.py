"""Why an agency acted: a reason code on chain, the words off chain, and the salted hash that binds them.

Suspensions, reinstatements, deregistrations, notarisation revocations, recalls and releases used to put the
acting agency's words on chain in clear. Words name people and circumstances ("the legal representative
could not be reached after the fire of 3 May"), and the chain never forgets. Now the chain keeps a code from
a small enum per action (mirrored by the enums of contracts/interfaces/IBusinessRegistry.sol and
IColdChainTrace.sol; a contract test acts with every code, so the two cannot drift apart) and

    reason_hash = keccak256("gzchain:reason:v1" ‖ 0x00 ‖ utf8(action) ‖ 0x00 ‖ uint8(code) ‖ salt ‖ words)

with `words` in UTF-8 and a fresh 32-byte random salt. The tag and action contain no NUL and the code and
salt have fixed widths, so the preimage splits one way only; without the salt nobody can test a guess of
the words against the chain. The words and salt stay in the acting agency's store, which shows them marked
as verified when they hash to what the chain holds.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Final, Literal

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak

REASON_TAG: Final = b"gzchain:reason:v1"
REASON_SALT_BYTES: Final = 32


class _ReasonCode(IntEnum):
    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


class SuspensionReason(_ReasonCode):
    """IBusinessRegistry.SuspensionReason: the grounds of 企业经营异常名录管理暂行办法 art. 4, and others."""

    ANNUAL_REPORT_NOT_FILED = 0
    DISCLOSURE_ORDER_IGNORED = 1
    FALSE_DISCLOSURE = 2
    UNREACHABLE_AT_ADDRESS = 3
    COURT_ORDER = 4
    LICENCE_WITHDRAWN = 5
    OTHER = 6


class ReinstatementReason(_ReasonCode):
    """IBusinessRegistry.ReinstatementReason."""

    ANNUAL_REPORT_FILED = 0
    INFORMATION_CORRECTED = 1
    REACHABLE_AGAIN = 2
    LISTED_IN_ERROR = 3
    COURT_ORDER = 4
    OTHER = 5


class DeregistrationReason(_ReasonCode):
    """IBusinessRegistry.DeregistrationReason."""

    VOLUNTARY_DISSOLUTION = 0
    MERGER_OR_DIVISION = 1
    LICENCE_REVOKED = 2
    COURT_ORDERED_DISSOLUTION = 3
    BANKRUPTCY = 4
    SIMPLIFIED_DEREGISTRATION = 5
    OTHER = 6


class NotarisationRevocationReason(_ReasonCode):
    """IBusinessRegistry.NotarisationRevocationReason."""

    COURT_RULING = 0
    FORGED_OR_ALTERED = 1
    ISSUED_IN_ERROR = 2
    SUPERSEDED = 3
    WITHDRAWN_BY_APPLICANT = 4
    OTHER = 5


class RecallReason(_ReasonCode):
    """IColdChainTrace.RecallReason."""

    TEMPERATURE_ABUSE = 0
    PATHOGEN_DETECTED = 1
    CERTIFICATE_FRAUD = 2
    LABELLING_ERROR = 3
    FOREIGN_MATTER = 4
    ORDERED_BY_AUTHORITY = 5
    OTHER = 6


class ReleaseReason(_ReasonCode):
    """IColdChainTrace.ReleaseReason."""

    SENSOR_FAULT = 0
    WITHIN_TOLERANCE = 1
    LAB_TEST_PASSED = 2
    OTHER = 3


class ReasonAction(Enum):
    """An action that must say why; its value is the tag hashed with the words."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    DEREGISTER = "deregister"
    REVOKE_NOTARISATION = "revoke-notarisation"
    RECALL = "recall"
    RELEASE = "release"

    @property
    def codes(self) -> type[_ReasonCode]:
        return _CODES[self]

    def code(self, value: int | str | _ReasonCode) -> _ReasonCode:
        """This action's reason code from its slug (`court-order`), name, number, or itself."""
        codes = self.codes
        if isinstance(value, codes):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return codes(value)
            except ValueError:
                pass
        elif isinstance(value, str):
            cleaned = value.strip().lower().replace("_", "-").replace(" ", "-")
            for code in codes:
                if cleaned in (code.slug, str(code.value)):
                    return code
        known = ", ".join(code.slug for code in codes)
        raise InvalidInput(
            f"unknown reason code {value!r} to {self.value}; known: {known}", field="reason_code"
        )


_CODES: Final[dict[ReasonAction, type[_ReasonCode]]] = {
    ReasonAction.SUSPEND: SuspensionReason,
    ReasonAction.REINSTATE: ReinstatementReason,
    ReasonAction.DEREGISTER: DeregistrationReason,
    ReasonAction.REVOKE_NOTARISATION: NotarisationRevocationReason,
    ReasonAction.RECALL: RecallReason,
    ReasonAction.RELEASE: ReleaseReason,
}


def reason_hash(action: ReasonAction, code: int, salt: bytes, words: str) -> bytes:
    """The bytes32 the chain keeps of a reason; see the module docstring for its preimage."""
    if len(salt) != REASON_SALT_BYTES:
        raise InvalidInput(f"must be {REASON_SALT_BYTES} bytes", field="reason salt")
    if not 0 <= code <= 0xFF:
        raise InvalidInput("must fit in one byte", field="reason_code")
    return keccak(
        REASON_TAG + b"\x00" + action.value.encode("ascii") + b"\x00" + bytes([code]) + salt + words.encode()
    )


@dataclass(frozen=True)
class SaltedReason:
    """A reason as the acting agency records it: the chain gets `code` and `digest`, the store the rest."""

    action: ReasonAction
    code: _ReasonCode
    words: str
    salt: bytes

    @property
    def digest(self) -> bytes:
        return reason_hash(self.action, int(self.code), self.salt, self.words)

    def stated(self) -> StatedReason:
        """As a lookup would show it once recorded: the words verified by construction."""
        return StatedReason(self.action, self.code, self.digest, self.words, "verified", self.salt)


MAX_REASON_LENGTH: Final = 500


def validate_reason(reason: str, *, example: str) -> str:
    """The words of a status change's, revocation's, recall's or release's reason (kept off chain): one line
    of plain text. `example` shows the caller what to say when it said nothing."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput(f"is required: say why, e.g. {example}", field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"has {len(text)} characters, at most {MAX_REASON_LENGTH} are allowed", field="reason"
        )
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        raise InvalidInput("must be one line of text without control characters", field="reason")
    return text


def salt_reason(action: ReasonAction, code: int | str | _ReasonCode, words: str) -> SaltedReason:
    """A reason with a fresh salt from the operating system's CSPRNG; `words` are validated already."""
    return SaltedReason(action, action.code(code), words, secrets.token_bytes(REASON_SALT_BYTES))


ReasonState = Literal["verified", "not verified", "withheld"]


@dataclass(frozen=True)
class StatedReason:
    """A reason as a lookup shows it: the chain's code and hash, and the store's words checked against it.

    "verified": the stored words and salt hash to the chain's hash. "not verified": they do not (altered
    in the store). "withheld": this store holds no words for the hash (erased, or kept by another agency).
    """

    action: ReasonAction
    code: _ReasonCode
    digest: bytes
    words: str | None
    state: ReasonState
    # Published with the words, so anyone can check them against the chain without trusting the store; it
    # reveals nothing the words do not.
    salt: bytes | None = None

    @property
    def verified(self) -> bool:
        return self.state == "verified"


def state_reason(
    action: ReasonAction, code: int, digest: bytes, words: str | None, salt: bytes | None
) -> StatedReason:
    """The chain's reason (`code`, `digest`) with whatever words and salt the store holds for it."""
    the_code = action.codes(code)
    if words is None or salt is None:
        return StatedReason(action, the_code, digest, None, "withheld")
    try:
        matches = reason_hash(action, code, salt, words) == digest
    except InvalidInput:
        matches = False
    return StatedReason(action, the_code, digest, words, "verified" if matches else "not verified", salt)
