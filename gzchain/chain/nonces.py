"""Hands out nonces locally so that concurrent senders from one account never collide."""

from __future__ import annotations

import threading
from collections.abc import Callable


class NonceManager:
    """Counts up from the node's pending count; forgets an account when a send fails so it re-reads."""

    def __init__(self, pending_count: Callable[[str], int]) -> None:
        self._pending_count = pending_count
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, address: str) -> int:
        return self.take_many(address, 1)

    def take_many(self, address: str, count: int) -> int:
        """Reserve `count` consecutive nonces for a pipeline of transactions; returns the first."""
        with self._lock:
            nonce = self._next.get(address)
            if nonce is None:
                nonce = self._pending_count(address)
            self._next[address] = nonce + count
            return nonce

    def forget(self, address: str | None = None) -> None:
        """After a failed send, or a chain revert in tests, the node's count is the truth again."""
        with self._lock:
            if address is None:
                self._next.clear()
            else:
                self._next.pop(address, None)
