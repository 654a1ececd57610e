"""EPCIS timestamps: ISO 8601 date-times that must carry a UTC offset, and time-zone offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Final

from gzchain.domain.errors import InvalidInput

_TIMESTAMP: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?(?P<offset>Z|[+-]\d{2}:\d{2})?"
)
_TIME_ZONE_OFFSET: Final = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)")

TIMESTAMP_EXAMPLE: Final = "2024-05-01T08:30:00+08:00"
# What the chain can hold (uint64 milliseconds since 1970: nothing before it) and Python's datetime can hold
# in UTC (the millisecond rounding of the event hash included): the range every time given to gzchain is in.
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


@dataclass(frozen=True)
class Timestamp:
    """A parsed timestamp that keeps every fractional digit, which ``datetime`` cannot."""

    moment: datetime
    fraction_digits: str  # the seconds' fractional digits as written, "" when there are none

    @property
    def fraction(self) -> Decimal:
        return Decimal(f"0.{self.fraction_digits or '0'}")

    def utc_millis(self) -> str:
        """The instant in UTC at millisecond precision, rounded half up, as the event hash needs it."""
        if len(self.fraction_digits) <= 3:  # nothing to round: the moment holds the milliseconds exactly
            utc = self.moment.replace(tzinfo=None) - self.moment.utcoffset()  # type: ignore[operator]
            return utc.isoformat(timespec="milliseconds") + "Z"
        whole_seconds = self.moment.replace(microsecond=0).astimezone(UTC)
        # Half up at the fourth digit: 0.1235 s is 124 ms, 0.12349 s is 123 ms.
        digits = self.fraction_digits.ljust(4, "0")
        millis = int(digits[:3]) + (digits[3] >= "5")
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
    if offset_text != "Z" and not _valid_offset(offset_text):
        return f"'{text}' has an impossible UTC offset '{offset_text}' (at most ±14:00)"
    digits = found["fraction"] or ""
    try:
        # The same instant the fields below give (microseconds truncated), parsed in C: a document may
        # hold a hundred thousand sensor readings, each with its time.
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None:
        try:
            moment = _from_fields(found, digits, offset_text)
        except ValueError as error:
            return f"'{text}' is not a real date-time ({error})"
    out_of_range = _out_of_range(moment)
    if out_of_range:
        return f"'{text}' {out_of_range}"
    return Timestamp(moment=moment, fraction_digits=digits)


def check_moment(moment: datetime, *, field: str) -> datetime:
    """``moment`` if it is aware and in the range the chain can hold, else InvalidInput naming ``field``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"needs a UTC offset, e.g. {TIMESTAMP_EXAMPLE}", field=field)
    out_of_range = _out_of_range(moment)
    if out_of_range:
        raise InvalidInput(f"{moment.isoformat()} {out_of_range}", field=field)
    return moment


def _out_of_range(moment: datetime) -> str:
    # Aware datetimes subtract without building the UTC one, so a year-1 time with a +01:00 offset (which
    # has no UTC datetime) is compared without an OverflowError.
    if moment - EARLIEST < timedelta(0):
        return "is before 1970-01-01T00:00:00Z, the earliest time the chain can hold"
    if moment - LATEST > timedelta(0):
        return "is after 9999-12-31T23:59:59.999Z, the latest time gzchain can hold"
    return ""


def _from_fields(found: re.Match[str], digits: str, offset_text: str) -> datetime:
    """The date-time the matched fields name; ValueError saying which field is out of range."""
    year, month, day = (int(part) for part in found["date"].split("-"))
    return datetime(
        year,
        month,
        day,
        int(found["hour"]),
        int(found["minute"]),
        int(found["second"]),
        int((digits or "0")[:6].ljust(6, "0")),
        tzinfo=_offset(offset_text),
    )


def is_time_zone_offset(text: object) -> bool:
    """Whether ``text`` is an EPCIS ``eventTimeZoneOffset``: ``±hh:mm`` between -14:00 and +14:00."""
    return isinstance(text, str) and _TIME_ZONE_OFFSET.fullmatch(text) is not None


@lru_cache(maxsize=256)
def _valid_offset(offset_text: str) -> bool:
    """``is_time_zone_offset`` for a timestamp's offset: a document's timestamps share a few offsets."""
    return is_time_zone_offset(offset_text)


def _offset(offset_text: str) -> timezone:
    if offset_text == "Z":
        return UTC
    sign = -1 if offset_text[0] == "-" else 1
    hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
