"""API keys: argon2 runs once per token, not per request, and never many at once; a key revoked, replaced
or wrong is refused at once however recently its token was verified."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import pytest
from argon2 import PasswordHasher

from gzchain.bootstrap import Runtime
from gzchain.domain.errors import PermissionDenied
from gzchain.services.api_keys import ARGON2_AT_ONCE, ApiKeyService
from gzchain.store.api import ApiKeyRow


class CountingHasher(PasswordHasher):
    """argon2 as the service uses it, counting verifications: how many ran, and how many at most at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__()
        self.seconds = seconds
        self.calls = self.running = self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.seconds)  # hold the slot a while, as argon2 does on a busy machine
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def service(runtime: Runtime, clock: Clock, hasher: CountingHasher) -> ApiKeyService:
    return ApiKeyService(runtime.store, {"gz-msa", "gz-edu"}, verified_for=60, clock=clock, hasher=hasher)


def test_a_token_is_verified_with_argon2_once_until_its_time_is_up(
    service: ApiKeyService, clock: Clock, hasher: CountingHasher
):
    issued = service.create("gz-msa")
    assert {service.authenticate(issued.token) for _ in range(5)} == {"gz-msa"}
    assert hasher.calls == 1
    clock.now += 61
    assert service.authenticate(issued.token) == "gz-msa"
    assert hasher.calls == 2


def test_a_revoked_key_is_refused_at_once_though_its_token_was_just_verified(service: ApiKeyService):
    issued = service.create("gz-msa")
    assert service.authenticate(issued.token) == "gz-msa"
    service.revoke(issued.key_id)
    with pytest.raises(PermissionDenied, match="revoked"):
        service.authenticate(issued.token)


def test_a_key_revoked_by_another_process_is_refused_at_once(runtime: Runtime, service: ApiKeyService):
    issued = service.create("gz-msa")
    assert service.authenticate(issued.token) == "gz-msa"
    ApiKeyService(runtime.store, {"gz-msa"}).revoke(issued.key_id)  # as `gzchain api-keys revoke` does
    with pytest.raises(PermissionDenied, match="revoked"):
        service.authenticate(issued.token)


def test_a_key_given_a_new_secret_refuses_the_old_token_at_once(runtime: Runtime, service: ApiKeyService):
    issued = service.create("gz-msa")
    assert service.authenticate(issued.token) == "gz-msa"
    with runtime.store.session() as session:
        row = session.get(ApiKeyRow, issued.key_id)
        assert row is not None
        row.secret_hash = PasswordHasher().hash("a new secret")
    with pytest.raises(PermissionDenied):
        service.authenticate(issued.token)


def test_a_wrong_secret_is_refused_though_the_key_was_just_verified(service: ApiKeyService):
    issued = service.create("gz-msa")
    assert service.authenticate(issued.token) == "gz-msa"
    for wrong in (issued.token[:-4] + "AAAA", issued.token + "A", issued.token[:-1]):
        with pytest.raises(PermissionDenied, match="unknown or revoked"):
            service.authenticate(wrong)


def test_a_malformed_or_unknown_token_is_refused(service: ApiKeyService):
    for token in ("", "gzk_", "gzk_abc", "Bearer x", "gzk_0000000000000000.secret"):
        with pytest.raises(PermissionDenied):
            service.authenticate(token)


def test_many_requests_with_one_new_token_run_argon2_at_most_a_few_at_once(
    service: ApiKeyService, hasher: CountingHasher
):
    issued = service.create("gz-msa")
    hasher.seconds = 0.05
    with ThreadPoolExecutor(max_workers=50) as pool:
        agencies = list(pool.map(lambda _: service.authenticate(issued.token), range(50)))
    assert set(agencies) == {"gz-msa"}
    assert hasher.most_at_once <= ARGON2_AT_ONCE
    assert hasher.calls <= ARGON2_AT_ONCE  # the first verification spares the queued ones


def test_wrong_tokens_in_parallel_never_run_argon2_more_than_a_few_at_once(
    service: ApiKeyService, hasher: CountingHasher
):
    issued = service.create("gz-msa")
    hasher.seconds = 0.02

    def attempt(n: int) -> bool:
        try:
            service.authenticate(f"{issued.token[:-3]}{n:03d}")
        except PermissionDenied:
            return False
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert not any(pool.map(attempt, range(20)))
    assert hasher.calls == 20 and hasher.most_at_once <= ARGON2_AT_ONCE


def test_verified_tokens_are_not_kept_as_themselves(service: ApiKeyService):
    issued = service.create("gz-msa")
    service.authenticate(issued.token)
    secret = issued.token.partition(".")[2]
    assert secret not in repr(vars(service)) and secret.encode() not in repr(vars(service)).encode()
