"""The rules a petition is published under (IPetitions.Rules): changed only by the governors, M of N."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gzchain.domain.errors import InvalidInput

DAY: Final = 86_400
MIN_PERIOD_S: Final = DAY  # the contract's bounds (Petitions.MIN_PERIOD / MAX_PERIOD)
MAX_PERIOD_S: Final = 365 * DAY
MAX_THRESHOLD: Final = 2**32 - 1


@dataclass(frozen=True)
class Rules:
    threshold: int
    support_period_s: int
    response_period_s: int

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, int) or not 1 <= self.threshold <= MAX_THRESHOLD:
            raise InvalidInput(f"must be a whole number from 1 to {MAX_THRESHOLD}", field="threshold")
        for name in ("support_period_s", "response_period_s"):
            value = getattr(self, name)
            if not isinstance(value, int) or not MIN_PERIOD_S <= value <= MAX_PERIOD_S:
                raise InvalidInput("must be from 1 day to 365 days, in seconds", field=name)

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.threshold, self.support_period_s, self.response_period_s)

    @classmethod
    def from_chain(cls, raw: tuple[int, int, int] | list[int]) -> Rules:
        return cls(int(raw[0]), int(raw[1]), int(raw[2]))


DEFAULT_RULES: Final = Rules(threshold=1000, support_period_s=30 * DAY, response_period_s=30 * DAY)
