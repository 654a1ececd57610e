"""Issuing certificates in batches and revoking them: every record checked before anything is anchored,
one transaction per batch, wrapped documents written out, the store's index kept."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select
from support.certificates import graduate, issued_batch, write_csv, write_json

from gzchain.bootstrap import Runtime
from gzchain.domain.certificates.revocation import RevocationReason
from gzchain.domain.certificates.templates import issuer_entry, with_issuer
from gzchain.domain.errors import Conflict, ContractReverted, InvalidInput, NotFound, PermissionDenied
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import check_signature, get_data
from gzchain.services.certificates.bulk import LINES_FILE
from gzchain.services.certificates.issuance import BATCH_FILE, wrap_all
from gzchain.services.certificates.templates import load_template
from gzchain.store.certificates import CertificateBatchRow, CertificateRevocationRow, revocation_context

EDU = "gz-edu"


@pytest.fixture
def graduation():
    return load_template("graduation-certificate")


def block_number(runtime: Runtime) -> int:
    return runtime.gateway.w3.eth.block_number


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


# ---- issuing ----


def test_two_thousand_records_from_csv_are_issued_in_one_transaction(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(2_000)])
    service = runtime.certificates()
    before = block_number(runtime)
    batch = service.issue_batch(EDU, graduation, records, tmp_path / "issued")
    # the store's creation, then the one issue() of the whole batch
    assert block_number(runtime) == before + 2
    assert batch.count == 2_000 and batch.receipt.block_number == before + 2
    store = runtime.gateway.contract("DocumentStore", batch.document_store)
    assert runtime.gateway.call(store.functions.isIssued(batch.merkle_root))
    files = sorted((tmp_path / "issued").glob("GZ-2026-*.json"))
    assert [f.name for f in files] == [f"GZ-2026-{n:06d}.json" for n in range(2_000)]
    documents = [read(f) for f in files]
    tree = build_tree([bytes.fromhex(d["signature"]["targetHash"]) for d in documents])
    assert tree.root == batch.merkle_root
    assert all(d["signature"]["proof"] == [p.hex() for p in tree.proof(i)] for i, d in enumerate(documents))
    for document in random.Random(5).sample(documents, 5):
        assert service.verify(document).valid


def test_each_certificate_holds_its_record_its_issuer_and_its_chain(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(3)])
    batch = runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    member = runtime.consortium().member(EDU)
    expected = with_issuer(
        graduation.document_for(graduate(1))[0],
        issuer_entry(member.name, batch.document_store, "jyj.gz.gov.cn"),
        runtime.gateway.chain_id,
    )
    assert get_data(read(tmp_path / "issued" / "GZ-2026-000001.json")) == expected


def test_records_can_come_as_json(runtime: Runtime, tmp_path, graduation):
    records = write_json(tmp_path / "class.json", {"records": [graduate(n) for n in range(5)]})
    batch = runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert batch.count == 5
    assert runtime.certificates().verify(read(tmp_path / "issued" / "GZ-2026-000004.json")).valid


def test_the_batch_folder_says_where_its_root_is_anchored(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(2)])
    batch = runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert read(tmp_path / "issued" / BATCH_FILE) == {
        "merkleRoot": batch.merkle_root.hex(),
        "documentStore": batch.document_store,
        "chainId": runtime.gateway.chain_id,
        "transaction": batch.receipt.tx_hash,
        "block": batch.receipt.block_number,
        "template": "graduation-certificate",
        "count": 2,
    }


def test_the_store_indexes_every_issued_batch(runtime: Runtime, tmp_path, graduation):
    service = runtime.certificates()
    first = service.issue_batch(EDU, graduation, write_csv(tmp_path / "a.csv", [graduate(1)]), tmp_path / "a")
    second = service.issue_batch(
        EDU, graduation, write_csv(tmp_path / "b.csv", [graduate(2), graduate(3)]), tmp_path / "b"
    )
    mine = [b for b in service.batches(EDU) if b.tx_hash in (first.receipt.tx_hash, second.receipt.tx_hash)]
    assert [(b.merkle_root, b.count, b.block_number) for b in mine] == [
        ("0x" + second.merkle_root.hex(), 2, second.receipt.block_number),
        ("0x" + first.merkle_root.hex(), 1, first.receipt.block_number),
    ]
    assert all(b.template == "graduation-certificate" and b.issued_at > 0 for b in mine)


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_bad_row_stops_the_batch_before_anything_is_anchored(runtime: Runtime, tmp_path, graduation, kind):
    rows = [graduate(n) for n in range(50)]
    rows[20]["graduation_date"] = "2026-02-30"
    records = (
        write_csv(tmp_path / "class.csv", rows)
        if kind == "csv"
        else write_json(tmp_path / "class.json", rows)
    )
    before = block_number(runtime)
    with pytest.raises(InvalidInput) as caught:
        runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    row = 22 if kind == "csv" else 21  # a spreadsheet's row (header is row 1), or the JSON record's number
    assert caught.value.field == f"row {row}, graduation_date"
    assert "nothing was issued" in caught.value.reason
    assert block_number(runtime) == before
    assert not (tmp_path / "issued").exists() and leftovers(tmp_path) == []
    with runtime.store.session() as session:
        assert session.scalars(select(CertificateBatchRow)).all() == []


def test_a_refused_transaction_leaves_no_folder_behind(runtime: Runtime, tmp_path, graduation):
    service = runtime.certificates()
    service.create_store(EDU)
    consortium = runtime.consortium()
    consortium.approve("gz-gsdata", consortium.propose_suspend_member("gz-msa", EDU).proposal.id)
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(3)])
    with pytest.raises(ContractReverted) as caught:
        service.issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert caught.value.error_name == "ConsortiumMemberNotActive"
    assert not (tmp_path / "issued").exists() and leftovers(tmp_path) == []


def test_an_agency_that_is_no_certificate_issuer_cannot_issue(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(1)])
    with pytest.raises(ContractReverted) as caught:
        runtime.certificates().issue_batch("gz-msa", graduation, records, tmp_path / "issued")
    assert caught.value.error_name == "ConsortiumMissingRole"
    assert not (tmp_path / "issued").exists()


def test_an_output_folder_in_use_is_refused_before_anything_else(runtime: Runtime, tmp_path, graduation):
    (tmp_path / "issued").mkdir()
    (tmp_path / "issued" / "keep.txt").write_text("mine", encoding="utf-8")
    records = write_csv(tmp_path / "class.csv", [graduate(1)])
    before = block_number(runtime)
    with pytest.raises(Conflict):
        runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert block_number(runtime) == before
    assert (tmp_path / "issued" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_an_empty_output_folder_may_be_used(runtime: Runtime, tmp_path, graduation):
    (tmp_path / "issued").mkdir()
    records = write_csv(tmp_path / "class.csv", [graduate(1)])
    runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert (tmp_path / "issued" / "GZ-2026-000001.json").exists()


def test_records_must_be_csv_or_json(runtime: Runtime, tmp_path, graduation):
    records = tmp_path / "class.xlsx"
    records.write_bytes(b"PK")
    with pytest.raises(InvalidInput) as caught:
        runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "issued")
    assert "csv or .json" in str(caught.value)


def test_a_batch_may_be_written_as_one_json_lines_file(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(n) for n in range(300)])
    service = runtime.certificates()
    before = block_number(runtime)
    batch = service.issue_batch(EDU, graduation, records, tmp_path / "issued", output_format="jsonl")
    assert block_number(runtime) == before + 2  # the store's creation, then the one issue()
    assert sorted(p.name for p in (tmp_path / "issued").iterdir()) == [BATCH_FILE, LINES_FILE]
    assert read(tmp_path / "issued" / BATCH_FILE)["merkleRoot"] == batch.merkle_root.hex()
    with (tmp_path / "issued" / LINES_FILE).open(encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle]
    assert [get_data(d)["id"] for d in documents] == [f"GZ-2026-{n:06d}" for n in range(300)]
    tree = build_tree([bytes.fromhex(d["signature"]["targetHash"]) for d in documents])
    assert tree.root == batch.merkle_root and batch.count == 300
    assert all(d["signature"]["proof"] == [p.hex() for p in tree.proof(i)] for i, d in enumerate(documents))
    for document in random.Random(7).sample(documents, 5):
        assert service.verify(document).valid


def test_a_bad_row_stops_a_json_lines_batch_before_anything_is_anchored(
    runtime: Runtime, tmp_path, graduation
):
    service = runtime.certificates()
    service.create_store(EDU)  # so the bad row is met while wrapping, not in the check before the store
    rows = [graduate(n) for n in range(30)]
    rows[9]["student_id"] = ""
    before = block_number(runtime)
    with pytest.raises(InvalidInput) as caught:
        service.issue_batch(
            EDU, graduation, write_csv(tmp_path / "c.csv", rows), tmp_path / "issued", output_format="jsonl"
        )
    assert caught.value.field == "row 11, student_id" and "nothing was issued" in caught.value.reason
    assert block_number(runtime) == before
    assert not (tmp_path / "issued").exists() and leftovers(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == ["c.csv"]  # no spool, no saved tree


def test_an_unknown_output_format_is_refused_before_anything_else(runtime: Runtime, tmp_path, graduation):
    records = write_csv(tmp_path / "class.csv", [graduate(1)])
    before = block_number(runtime)
    with pytest.raises(InvalidInput) as caught:
        runtime.certificates().issue_batch(EDU, graduation, records, tmp_path / "out", output_format="xml")
    assert caught.value.field == "output_format" and "files, jsonl" in caught.value.reason
    assert block_number(runtime) == before and not (tmp_path / "out").exists()


def test_large_batches_are_wrapped_in_worker_processes_in_order():
    issuer = issuer_entry("Guangzhou Education Bureau", "0x" + "ab" * 20, "jyj.gz.gov.cn")
    documents = [{"issuers": [issuer], "serial": n} for n in range(40)]
    steps = []
    wrapped = wrap_all(documents, workers=2, advance=steps.append, parallel_from=10)
    assert [get_data(w)["serial"] for w in wrapped] == list(range(40))
    assert sum(steps) == 40
    for document in wrapped:
        check_signature(document)


# ---- anchoring documents wrapped elsewhere ----


def test_only_intact_documents_of_one_batch_naming_the_agencys_store_are_anchored(runtime: Runtime):
    service = runtime.certificates()
    ours = issued_batch(runtime, 2)
    other = issued_batch(runtime, 2)
    with pytest.raises(InvalidInput) as caught:
        service.anchor(EDU, [ours[0], other[0]])
    assert "belong to 2 batches" in str(caught.value)
    tampered = json.loads(json.dumps(ours[1]))
    tampered["data"]["degree"] = "x"
    with pytest.raises(InvalidInput) as caught:
        service.anchor(EDU, [ours[0], tampered])
    assert caught.value.field == "documents.1"
    with pytest.raises(InvalidInput) as caught:
        service.anchor("gz-hrss", ours)
    assert caught.value.field == "documents.0.issuers.0.documentStore"


# ---- revoking ----


def test_the_bureau_revokes_one_certificate_and_keeps_its_words(runtime: Runtime):
    documents = issued_batch(runtime, 3)
    service = runtime.certificates()
    recorded = service.revoke_document(EDU, documents[0], RevocationReason.FRAUD, " forged  transcripts ")
    target = bytes.fromhex(documents[0]["signature"]["targetHash"])
    assert (recorded.revoked_hash, recorded.scope, recorded.text) == (
        target,
        "certificate",
        "forged transcripts",
    )
    with runtime.store.session() as session:
        row = session.scalars(select(CertificateRevocationRow)).one()
    assert (row.revoked_hash, row.scope, row.reason_code) == (
        "0x" + target.hex(),
        "certificate",
        int(RevocationReason.FRAUD),
    )
    # The words may name a person: sealed at rest, bound to this revocation.
    assert "forged" not in row.reason_text
    context = revocation_context(recorded.document_store, row.revoked_hash)
    assert runtime.cipher.open(row.reason_text, context) == "forged transcripts"
    with pytest.raises(PermissionDenied):
        runtime.cipher.open(row.reason_text, revocation_context(recorded.document_store, "0x" + "00" * 32))
    assert (row.tx_hash, row.block_number) == (recorded.receipt.tx_hash, recorded.receipt.block_number)
    assert row.revoked_at == runtime.gateway.w3.eth.get_block(row.block_number)["timestamp"]
    assert not service.verify(documents[0]).valid and service.verify(documents[1]).valid


def test_the_bureau_revokes_a_whole_batch(runtime: Runtime):
    documents = issued_batch(runtime, 3)
    service = runtime.certificates()
    recorded = service.revoke_document(
        EDU, documents[2], RevocationReason.ISSUED_IN_ERROR, "sent to the wrong class", whole_batch=True
    )
    assert (recorded.revoked_hash.hex(), recorded.scope) == (documents[0]["signature"]["merkleRoot"], "batch")
    assert not any(service.verify(document).valid for document in documents)


def test_a_hash_is_revoked_as_a_batch_when_it_is_a_known_root(runtime: Runtime, tmp_path, graduation):
    service = runtime.certificates()
    batch = service.issue_batch(EDU, graduation, write_csv(tmp_path / "c.csv", [graduate(1)]), tmp_path / "i")
    assert (
        service.revoke_hash(EDU, batch.merkle_root, RevocationReason.WITHDRAWN, "withdrawn").scope == "batch"
    )
    other = issued_batch(runtime, 2)
    target = bytes.fromhex(other[1]["signature"]["targetHash"])
    assert service.revoke_hash(EDU, target, RevocationReason.SUPERSEDED, "reissued").scope == "certificate"


def test_an_agency_cannot_revoke_a_certificate_issued_from_another_store(runtime: Runtime):
    [document, *_] = issued_batch(runtime, 2)
    runtime.certificates().create_store("gz-hrss")
    with pytest.raises(PermissionDenied):
        runtime.certificates().revoke_document("gz-hrss", document, RevocationReason.FRAUD, "not ours")


def test_revocation_is_refused_before_any_transaction_when_input_is_wrong(runtime: Runtime):
    documents = issued_batch(runtime, 2)
    service = runtime.certificates()
    before = block_number(runtime)
    with pytest.raises(InvalidInput):
        service.revoke_document(EDU, documents[0], RevocationReason.FRAUD, "  ")
    tampered = json.loads(json.dumps(documents[0]))
    tampered["data"]["degree"] = "x"
    with pytest.raises(InvalidInput) as caught:
        service.revoke_document(EDU, tampered, RevocationReason.FRAUD, "fraud")
    assert "revoke it by its hash instead" in str(caught.value)
    with pytest.raises(NotFound):
        service.revoke_hash("gz-hrss", b"\x01" * 32, RevocationReason.FRAUD, "nothing issued")
    assert block_number(runtime) == before
