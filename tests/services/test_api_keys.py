"""API keys: every failed check (unknown, revoked, wrong secret) takes the same cheap path, one HMAC and one
constant-time comparison; a key id that keeps failing is throttled without locking its agency out; keys
issued as argon2 hashes are verified once and rewritten as digests."""

from __future__ import annotations

import hmac
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Literal

import pytest
from argon2 import PasswordHasher

from gzchain.bootstrap import Runtime
from gzchain.domain.errors import PermissionDenied, TooManyRequests
from gzchain.services import api_keys
from gzchain.services.api_keys import ARGON2_AT_ONCE, DIGEST_SCHEME, ApiKeyService
from gzchain.store.api import ApiKeyRow

PEPPER = os.urandom(32)


class CountingHasher(PasswordHasher):
    """argon2 as the service uses it, counting verifications: how many ran, and how many at most at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=1024)  # fast, for tests; the service only verifies
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


class CountingDigests:
    """Spies on the service's two steps of a check: HMACs made and constant-time comparisons."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, service: ApiKeyService) -> None:
        self.digests = self.comparisons = 0
        real_digest, real_compare = service._digest, hmac.compare_digest

        def digest(key_id: str, secret: str) -> str:
            self.digests += 1
            return real_digest(key_id, secret)

        def compare(a, b) -> bool:
            self.comparisons += 1
            return real_compare(a, b)

        monkeypatch.setattr(service, "_digest", digest)
        monkeypatch.setattr(api_keys.hmac, "compare_digest", compare)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def service(runtime: Runtime, hasher: CountingHasher) -> ApiKeyService:
    return ApiKeyService(
        runtime.store, {"gz-msa", "gz-edu"}, pepper=PEPPER, failure_limit="5 per 5 minutes", hasher=hasher
    )


def legacy_key(runtime: Runtime, hasher: PasswordHasher, key_id: str = "00000000000000aa") -> str:
    """A key as gzchain issued them before digests: its row holds an argon2 hash of the secret."""
    secret = "legacy-secret-" + key_id
    with runtime.store.session() as session:
        session.add(
            ApiKeyRow(
                key_id=key_id,
                agency_id="gz-msa",
                secret_hash=hasher.hash(secret),
                created_at=datetime.now(UTC),
            )
        )
    return f"gzk_{key_id}.{secret}"


def test_a_new_key_is_stored_as_a_keyed_digest_never_as_its_secret(runtime: Runtime, service: ApiKeyService):
    issued = service.create("gz-msa")
    with runtime.store.session() as session:
        stored = session.get(ApiKeyRow, issued.key_id).secret_hash
    secret = issued.token.partition(".")[2]
    assert stored.startswith(DIGEST_SCHEME) and secret not in stored
    assert service.authenticate(issued.token) == "gz-msa"


def test_the_same_token_fails_under_another_pepper(runtime: Runtime, service: ApiKeyService):
    issued = service.create("gz-msa")
    elsewhere = ApiKeyService(runtime.store, {"gz-msa"}, pepper=os.urandom(32))
    with pytest.raises(PermissionDenied, match="unknown or revoked"):
        elsewhere.authenticate(issued.token)


def test_unknown_revoked_and_wrong_secret_all_take_one_hmac_and_one_comparison(
    runtime: Runtime, service: ApiKeyService, hasher: CountingHasher, monkeypatch: pytest.MonkeyPatch
):
    live, revoked = service.create("gz-msa"), service.create("gz-edu")
    service.revoke(revoked.key_id)
    spy = CountingDigests(monkeypatch, service)
    cases = {
        "unknown id": "gzk_00000000000000ff.whatever",
        "revoked": revoked.token,
        "wrong secret": live.token[:-4] + "AAAA",
    }
    for case, token in cases.items():
        before = (spy.digests, spy.comparisons)
        with pytest.raises(PermissionDenied, match=r"^unknown or revoked API key$"):
            service.authenticate(token)
        assert (spy.digests - before[0], spy.comparisons - before[1]) == (1, 1), case
    assert hasher.calls == 0  # no argon2 for any of them


def test_a_revoked_key_is_refused_at_once_by_another_process(runtime: Runtime, service: ApiKeyService):
    issued = service.create("gz-msa")
    assert service.authenticate(issued.token) == "gz-msa"
    ApiKeyService(runtime.store, {"gz-msa"}, pepper=PEPPER).revoke(issued.key_id)  # as the CLI does
    with pytest.raises(PermissionDenied, match="unknown or revoked"):
        service.authenticate(issued.token)


def test_a_malformed_token_is_refused_before_any_lookup(service: ApiKeyService):
    for token in ("", "gzk_", "gzk_abc", "Bearer x", "gzk_ABC.secret", "gzk_00.", "gzk_00." + "a" * 129):
        with pytest.raises(PermissionDenied, match="malformed"):
            service.authenticate(token)


def test_a_key_id_failing_too_often_is_answered_429_with_retry_after(service: ApiKeyService):
    issued = service.create("gz-msa")
    wrong = issued.token[:-4] + "AAAA"
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            service.authenticate(wrong)
    with pytest.raises(TooManyRequests) as refused:
        service.authenticate(wrong)
    assert refused.value.limit == "auth_failure_limit" and 1 <= refused.value.retry_after <= 300


def test_an_unknown_key_id_is_throttled_exactly_like_a_real_one(service: ApiKeyService):
    outcomes = {}
    for name, token in (("real", service.create("gz-msa").token[:-1] + "#"), ("unknown", "gzk_0abc.x")):
        seen = []
        for _ in range(7):
            try:
                service.authenticate(token)
            except (PermissionDenied, TooManyRequests) as exc:
                seen.append(type(exc).__name__)
        outcomes[name] = seen
    assert outcomes["real"] == outcomes["unknown"] == ["PermissionDenied"] * 5 + ["TooManyRequests"] * 2


def test_strangers_failing_on_a_key_id_do_not_lock_its_agency_out(service: ApiKeyService):
    issued = service.create("gz-msa")
    for _ in range(20):
        with pytest.raises((PermissionDenied, TooManyRequests)):
            service.authenticate(issued.token[:-4] + "AAAA")
    assert service.authenticate(issued.token) == "gz-msa"


def test_failures_are_forgotten_after_the_window(runtime: Runtime, hasher: CountingHasher):
    service = ApiKeyService(runtime.store, {"gz-msa"}, pepper=PEPPER, failure_limit="2 per 1 second")
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            service.authenticate("gzk_0abc.x")
    with pytest.raises(TooManyRequests):
        service.authenticate("gzk_0abc.x")
    time.sleep(1.1)  # the window is the limit under test; it is not a timing assertion
    with pytest.raises(PermissionDenied):
        service.authenticate("gzk_0abc.x")


def test_a_legacy_argon2_key_is_verified_once_then_rewritten_as_a_digest(
    runtime: Runtime, service: ApiKeyService, hasher: CountingHasher
):
    token = legacy_key(runtime, hasher)
    assert service.authenticate(token) == "gz-msa"
    with runtime.store.session() as session:
        assert session.get(ApiKeyRow, "00000000000000aa").secret_hash.startswith(DIGEST_SCHEME)
    assert {service.authenticate(token) for _ in range(5)} == {"gz-msa"}
    assert hasher.calls == 1


def test_a_wrong_secret_for_a_legacy_key_is_refused_and_leaves_its_hash(
    runtime: Runtime, service: ApiKeyService, hasher: CountingHasher
):
    token = legacy_key(runtime, hasher)
    with pytest.raises(PermissionDenied, match="unknown or revoked"):
        service.authenticate(token + "x")
    with runtime.store.session() as session:
        assert session.get(ApiKeyRow, "00000000000000aa").secret_hash.startswith("$argon2")


def test_a_failing_legacy_key_id_gets_no_more_argon2(
    runtime: Runtime, service: ApiKeyService, hasher: CountingHasher
):
    token = legacy_key(runtime, hasher)
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            service.authenticate(token + "x")
    for _ in range(10):
        with pytest.raises(TooManyRequests):
            service.authenticate(token + "x")
    assert hasher.calls == 5


def test_many_requests_with_one_legacy_token_run_argon2_at_most_a_few_at_once(
    runtime: Runtime, service: ApiKeyService, hasher: CountingHasher
):
    token = legacy_key(runtime, hasher)
    hasher.seconds = 0.05
    with ThreadPoolExecutor(max_workers=20) as pool:
        agencies = list(pool.map(lambda _: service.authenticate(token), range(20)))
    assert set(agencies) == {"gz-msa"}
    assert hasher.most_at_once <= ARGON2_AT_ONCE
    assert hasher.calls <= ARGON2_AT_ONCE  # once rewritten, the queued ones use the digest


def test_the_service_keeps_no_secret_of_an_issued_key(service: ApiKeyService):
    issued = service.create("gz-msa")
    service.authenticate(issued.token)
    secret = issued.token.partition(".")[2]
    assert secret not in repr(vars(service))
