"""The off-chain store on SQLite and (lane `--store postgres`) PostgreSQL: units of work, keys, encryption."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from gzchain.domain.errors import PermissionDenied
from gzchain.services.api_keys import ApiKeyService
from gzchain.store.api import ApiKeyRow
from gzchain.store.crypto import PersonalDataCipher, derive_store_key, local_store_key
from gzchain.store.db import Store, StoreUnavailable, engine_for


@pytest.fixture
def store(store_url: str | None, tmp_path: Path, request: pytest.FixtureRequest):
    opened = Store(engine_for(store_url, tmp_path))
    yield opened
    with opened.session() as session:
        session.execute(ApiKeyRow.__table__.delete())
    opened.close()


def test_the_store_runs_on_the_backend_of_this_lane(store: Store, request: pytest.FixtureRequest):
    expected = "postgresql" if request.config.getoption("--store") == "postgres" else "sqlite"
    assert store.engine.dialect.name == expected


def test_a_failed_unit_of_work_leaves_nothing_behind(store: Store):
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(ApiKeyRow(key_id="k1", agency_id="gz-msa", secret_hash="h", created_at=_now()))
        session.flush()
        raise RuntimeError("crash between two writes")
    with store.session() as session:
        assert session.scalars(select(ApiKeyRow)).all() == []


def test_a_constraint_violation_is_store_unavailable_and_rolls_back(store: Store):
    with store.session() as session:
        session.add(ApiKeyRow(key_id="k1", agency_id="gz-msa", secret_hash="h", created_at=_now()))
    with pytest.raises(StoreUnavailable), store.session() as session:
        session.add(ApiKeyRow(key_id="k2", agency_id="gz-edu", secret_hash="h", created_at=_now()))
        session.add(ApiKeyRow(key_id="k1", agency_id="gz-edu", secret_hash="h", created_at=_now()))
    with store.session() as session:
        assert [r.key_id for r in session.scalars(select(ApiKeyRow))] == ["k1"]


def test_api_keys_are_stored_only_as_keyed_digests_and_authenticate(store: Store):
    service = ApiKeyService(store, {"gz-msa"}, pepper=bytes(range(32)))
    issued = service.create("gz-msa")
    with store.session() as session:
        row = session.get(ApiKeyRow, issued.key_id)
        assert row is not None and row.secret_hash.startswith("hmac-sha256$")
        assert issued.token.split(".", 1)[1] not in row.secret_hash
    assert service.authenticate(issued.token) == "gz-msa"
    service.revoke(issued.key_id)
    with pytest.raises(PermissionDenied):
        service.authenticate(issued.token)


def test_personal_data_is_sealed_to_its_record(tmp_path: Path):
    cipher = PersonalDataCipher(local_store_key(tmp_path))
    token = cipher.seal({"name": "张三", "id_number": "440101199001011234"}, "business:914403001922038216:v1")
    assert "张三".encode() not in base64.b64decode(token)
    assert cipher.open(token, "business:914403001922038216:v1")["name"] == "张三"
    with pytest.raises(PermissionDenied):
        cipher.open(token, "business:91440300708461136T:v1")


def test_the_local_store_key_is_kept_private_and_stable(tmp_path: Path):
    key = local_store_key(tmp_path)
    assert local_store_key(tmp_path) == key
    assert (tmp_path / "store.key").stat().st_mode & 0o077 == 0


def test_a_master_key_derives_a_store_key_of_its_own():
    master = b"\x07" * 32
    assert derive_store_key(master) != master and len(derive_store_key(master)) == 32


def _now() -> datetime:
    return datetime.now(UTC)
