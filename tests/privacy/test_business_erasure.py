"""Erasure of a deregistered business's personal data (PIPL art. 47, GDPR art. 17): the ciphertext and the
personal fields' salts are deleted, the chain's roots stay and reveal nothing, the public fields still
prove, and lookups and reindex treat what was erased as erased, not as tampered with.

Runs on the embedded chain and on anvil (`--lane anvil`).
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.records import LEGAL_REP, SHAREHOLDER, USCC, a_record

from gzchain.api.schemas.business import BusinessPublic
from gzchain.bootstrap import Runtime
from gzchain.domain.business_commitment import verify_field
from gzchain.domain.errors import Conflict, PermissionDenied
from gzchain.services.business import BusinessService
from gzchain.services.reindex import business as reindex_business
from gzchain.services.reindex.engine import reconcile
from gzchain.store.crypto import PersonalDataCipher
from gzchain.store.db import Store, engine_for


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(engine_for(None, tmp_path))
    yield store
    store.close()


@pytest.fixture
def service(runtime: Runtime, store: Store) -> BusinessService:
    manifest = runtime.require_manifest()
    return BusinessService(
        runtime.gateway,
        runtime.keys,
        store,
        PersonalDataCipher(os.urandom(32)),
        runtime.consortium(),
        manifest.address("BusinessRegistry"),
        from_block=manifest.contracts["BusinessRegistry"].block,
    )


@pytest.fixture
def deregistered(service: BusinessService) -> BusinessService:
    service.register("gz-msa", a_record())
    service.amend("gz-msa", a_record(address="广州市天河区示例路2号"))
    service.deregister("gz-msa", USCC, "voluntary-dissolution", "dissolved by its shareholders")
    return service


def store_bytes(tmp_path: Path) -> bytes:
    return (tmp_path / "store.sqlite").read_bytes()


def test_a_registrar_erases_the_personal_data_of_every_version_and_the_lookup_says_when_and_by_whom(
    deregistered: BusinessService,
):
    sealed_salts = {
        path
        for version in deregistered.lookup(USCC).versions
        for path in version.commitment.salts  # type: ignore[union-attr]
    }
    erasure = deregistered.erase_personal_data("gz-msa", USCC)
    assert erasure.versions == (1, 2, 3)
    lookup = deregistered.lookup(USCC)
    assert lookup.verified, lookup.problems  # erased is not tampered
    for version in lookup.versions:
        assert version.erased and version.erased_at == erasure.at
        assert version.erased_by == "Guangzhou Market Supervision Administration"
        assert version.record is None and version.public_part is not None
        assert "legal_representative" not in version.public_part
    assert "legal_representative.id_number" in sealed_salts


def test_after_erasure_the_public_fields_still_prove_against_the_chain_and_the_personal_ones_cannot(
    deregistered: BusinessService,
):
    deregistered.erase_personal_data("gz-msa", USCC)
    body = BusinessPublic.of(deregistered.lookup(USCC)).model_dump(mode="json")
    latest = body["versions"][-1]
    root = bytes.fromhex(latest["record_hash"][2:])
    for field in latest["fields"]:
        proof = [bytes.fromhex(node[2:]) for node in field["proof"]]
        assert verify_field(field["path"], field["value"], bytes.fromhex(field["salt"][2:]), proof, root)
    assert {field["path"] for field in latest["private_fields"]} == {
        "legal_representative.name",
        "legal_representative.id_number",
        "shareholders[0].name",
        "shareholders[0].identifier",
    }
    assert all(field["erased"] for field in latest["private_fields"])
    assert latest["record"]["legal_representative"] == {"name": None, "id_number": None}
    assert latest["record"]["address"] == "广州市天河区示例路2号"
    for secret in (*LEGAL_REP, *SHAREHOLDER):
        assert secret not in str(body)


def test_erasure_deletes_the_ciphertext_and_salts_from_the_store_file(
    deregistered: BusinessService, tmp_path: Path
):
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        before = [row[0] for row in db.execute("SELECT personal_data FROM business_versions")]
    assert all(before)
    deregistered.erase_personal_data("gz-msa", USCC)
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        rows = db.execute("SELECT personal_data, erased_at, erased_by FROM business_versions").fetchall()
    assert all(sealed is None and at and by for sealed, at, by in rows)


def test_personal_data_deleted_without_a_recorded_erasure_is_reported_as_tampering(
    deregistered: BusinessService, tmp_path: Path
):
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute("UPDATE business_versions SET personal_data = NULL WHERE version = 1")
    problem = deregistered.lookup(USCC).versions[0].problem
    assert problem and "no erasure of it was recorded" in problem


def test_an_erased_version_whose_public_part_was_altered_is_reported_as_altered(
    deregistered: BusinessService, tmp_path: Path
):
    deregistered.erase_personal_data("gz-msa", USCC)
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute(
            "UPDATE business_versions SET public_record = json_set(public_record, '$.name', 'X') "
            "WHERE version = 3"
        )
    problem = deregistered.lookup(USCC).versions[2].problem
    assert problem and "does not match the hash on chain" in problem


def test_reindex_keeps_erased_versions_as_erased(deregistered: BusinessService):
    deregistered.erase_personal_data("gz-msa", USCC)
    with deregistered.store.session() as session:
        plans = reindex_business.business_plans(deregistered, session, in_flight=())
        _, findings = reconcile(session, plans[0], apply=False)
    assert not [f for f in findings if f.item.endswith(USCC)], findings


def test_erasure_is_refused_while_the_business_is_not_deregistered(service: BusinessService):
    service.register("gz-msa", a_record())
    with pytest.raises(Conflict, match="only a deregistered business"):
        service.erase_personal_data("gz-msa", USCC)
    assert service.lookup(USCC).record is not None


def test_erasure_is_refused_to_an_agency_that_is_not_a_registrar(deregistered: BusinessService):
    with pytest.raises(PermissionDenied, match="not an active registrar"):
        deregistered.erase_personal_data("gz-notary", USCC)
    assert deregistered.lookup(USCC).versions[0].record is not None


def test_the_erased_ciphertext_is_nowhere_in_the_store_files_afterwards(
    deregistered: BusinessService, tmp_path: Path
):
    # Sealed under the store's key, which stays: a stale copy in a free page or in the write-ahead log
    # could still be opened, so erasure must leave no copy of the bytes in any of the store's files.
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        sealed = [row[0] for row in db.execute("SELECT personal_data FROM business_versions")]
    assert len(sealed) == 3
    deregistered.erase_personal_data("gz-msa", USCC)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("store.sqlite")]
    on_disk = b"".join(p.read_bytes() for p in files)
    for token in sealed:
        assert token.encode() not in on_disk
        assert base64.b64decode(token)[13:45] not in on_disk  # nor any raw form of it


def test_every_connection_to_the_sqlite_store_zeroes_what_it_deletes(store: Store):
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
