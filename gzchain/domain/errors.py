"""The one family of gzchain errors; every layer raises these and entry points render them."""

from __future__ import annotations

from typing import Any


class GzchainError(Exception):
    """Root of every error gzchain raises on purpose."""


class NotFound(GzchainError):
    """The thing asked for does not exist."""


class PermissionDenied(GzchainError):
    """The acting agency lacks the role or right this action needs."""


class InvalidInput(GzchainError):
    """Input is malformed; `field` names where, the message says what is wrong."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


class LimitExceeded(InvalidInput):
    """Input is over a size or count limit; `limit` names the setting, `maximum` its value."""

    def __init__(self, message: str, *, field: str | None, limit: str, maximum: int) -> None:
        super().__init__(message, field=field)
        self.limit = limit
        self.maximum = maximum


class TooManyRequests(GzchainError):
    """Over a rate or attempt limit; `limit` names the setting, `retry_after` says when to try again (s)."""

    def __init__(self, message: str, *, limit: str, maximum: str, retry_after: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum
        self.retry_after = retry_after


class Conflict(GzchainError):
    """The action clashes with what is already recorded (a duplicate, a wrong state)."""


class ChainUnavailable(GzchainError):
    """The chain node cannot be reached or its saved state cannot be opened."""

    def __init__(self, message: str, *, tx_hash: str | None = None) -> None:
        super().__init__(message)
        # Set when the transaction had already been sent: whether it took effect is unknown until the node
        # answers again (ChainGateway.find_receipt tells).
        self.tx_hash = tx_hash


class ContractReverted(GzchainError):
    """A contract refused a call; `error_name` and `args` are its decoded custom error."""

    def __init__(self, error_name: str, args: dict[str, Any] | None = None, *, raw: bytes = b"") -> None:
        self.error_name = error_name
        self.args_by_name = dict(args or {})
        self.raw = raw
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.args_by_name.items())
        super().__init__(f"{error_name}({shown})")


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
