"""Why the petitions office rejects a proposal: a code on chain, the office's words off chain."""

from __future__ import annotations

from enum import IntEnum

from gzchain.domain.errors import InvalidInput


class RejectionReason(IntEnum):
    DUPLICATE = 1  # the same request is already open or was answered
    NOT_CITY_COMPETENCE = 2  # a matter for the province, the state or a court
    UNLAWFUL = 3  # asks for something the law forbids
    PERSONAL_DATA = 4  # names or exposes a private person
    OFFENSIVE = 5
    OTHER = 6

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str | int) -> RejectionReason:
        cleaned = str(text).strip().lower().replace("_", "-").replace(" ", "-")
        for reason in cls:
            if cleaned in (reason.slug, str(reason.value)):
                return reason
        known = ", ".join(reason.slug for reason in cls)
        raise InvalidInput(f"unknown rejection reason {text!r}; known reasons: {known}", field="reason_code")
