"""State shared by every service built on one chain gateway: services are built per request, this lasts."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from gzchain.chain.gateway import ChainGateway

T = TypeVar("T")


class PerGateway(Generic[T]):
    """One `make(gateway)` per gateway, made on first use and dropped with the gateway."""

    def __init__(self, make: Callable[[ChainGateway], T]) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary[ChainGateway, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, gateway: ChainGateway) -> T:
        with self._lock:
            found = self._made.get(gateway)
            if found is None:
                found = self._made[gateway] = self._make(gateway)
            return found
