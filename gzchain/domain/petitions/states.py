"""A petition's life, as IPetitions.PetitionState reports it (time decides Lapsed and Overdue)."""

from __future__ import annotations

from enum import IntEnum

from gzchain.domain.errors import InvalidInput


class PetitionState(IntEnum):
    NONE = 0
    PROPOSED = 1
    REJECTED = 2
    OPEN = 3
    LAPSED = 4  # the support period ended below the threshold
    AWAITING_RESPONSE = 5
    OVERDUE = 6  # the threshold was reached and the response deadline passed unanswered
    RESPONDED = 7

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> PetitionState:
        cleaned = text.strip().lower().replace("_", "-")
        for state in cls:
            if cleaned == state.slug and state is not cls.NONE:
                return state
        known = ", ".join(s.slug for s in cls if s is not cls.NONE)
        raise InvalidInput(f"unknown petition state {text!r}; known states: {known}", field="state")


class PetitionStatus(IntEnum):
    """The stored status (IPetitions.PetitionStatus), named in PetitionWrongStatus refusals."""

    NONE = 0
    PROPOSED = 1
    REJECTED = 2
    OPEN = 3
    AWAITING_RESPONSE = 4
    RESPONDED = 5


class CredentialStatus(IntEnum):
    NONE = 0
    ENROLLED = 1
    REVOKED = 2


class SkipReason(IntEnum):
    """Why the contract skipped one vote of a batch (IPetitions.SkipReason)."""

    NONE = 0
    ALREADY_SUPPORTED = 1
    TOKEN_NOT_SIGNED = 2

    @property
    def error_name(self) -> str:
        """The custom error the single-vote `support` reverts with for the same reason."""
        return {1: "PetitionAlreadySupported", 2: "PetitionTokenNotSigned"}.get(self.value, "")
