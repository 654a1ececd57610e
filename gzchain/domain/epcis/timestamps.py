"""EPCIS timestamps: ISO 8601 date-times that must carry a UTC offset, and time-zone offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from gzchain.domain.errors import InvalidInput

_TIMESTAMP: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?(?P<offset>Z|[+-]\d{2}:\d{2})?"
)
_TIME_ZONE_OFFSET: Final = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)")

TIMESTAMP_EXAMPLE: Final = "2024-05-01T08:30:00+08:00"


@dataclass(frozen=True)
class Timestamp:
    """A parsed timestamp that keeps every fractional digit, which ``datetime`` cannot."""

    moment: datetime
    fraction: Decimal

    def utc_millis(self) -> str:
        """The instant in UTC at millisecond precision, rounded half up, as the event hash needs it."""
        whole_seconds = self.moment.replace(microsecond=0).astimezone(UTC)
        millis = int((self.fraction * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        rounded = whole_seconds + timedelta(milliseconds=millis)
        return rounded.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def parse_timestamp(text: object, *, field: str) -> Timestamp:
    """Parse an ISO 8601 date-time with seconds and an offset (``Z`` or ``±hh:mm``)."""
    parsed = _read(text)
    if isinstance(parsed, str):
        raise InvalidInput(parsed, field=field)
    return parsed


def read_timestamp(text: object) -> Timestamp | None:
    """Like ``parse_timestamp`` but ``None`` for anything that is not a valid timestamp."""
    parsed = _read(text)
    return None if isinstance(parsed, str) else parsed


def _read(text: object) -> Timestamp | str:
    if not isinstance(text, str):
        return f"{text!r} is not a timestamp (expected a string like {TIMESTAMP_EXAMPLE})"
    found = _TIMESTAMP.fullmatch(text)
    if found is None:
        return f"'{text}' is not an ISO 8601 date-time (expected e.g. {TIMESTAMP_EXAMPLE})"
    offset_text = found["offset"]
    if offset_text is None:
        return f"'{text}' has no UTC offset (expected e.g. {TIMESTAMP_EXAMPLE} or 2024-05-01T00:30:00Z)"
    if offset_text != "Z" and not is_time_zone_offset(offset_text):
        return f"'{text}' has an impossible UTC offset '{offset_text}' (at most ±14:00)"
    digits = found["fraction"] or "0"
    try:
        year, month, day = (int(part) for part in found["date"].split("-"))
        moment = datetime(
            year,
            month,
            day,
            int(found["hour"]),
            int(found["minute"]),
            int(found["second"]),
            int(digits[:6].ljust(6, "0")),
            tzinfo=_offset(offset_text),
        )
    except ValueError as error:
        return f"'{text}' is not a real date-time ({error})"
    return Timestamp(moment=moment, fraction=Decimal(f"0.{digits}"))


def is_time_zone_offset(text: object) -> bool:
    """Whether ``text`` is an EPCIS ``eventTimeZoneOffset``: ``±hh:mm`` between -14:00 and +14:00."""
    return isinstance(text, str) and _TIME_ZONE_OFFSET.fullmatch(text) is not None


def _offset(offset_text: str) -> timezone:
    if offset_text == "Z":
        return UTC
    sign = -1 if offset_text[0] == "-" else 1
    hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
