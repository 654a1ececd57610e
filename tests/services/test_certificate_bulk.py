"""Writing a batch of certificate files in two streamed passes, in worker processes: every file complete and
intact, proofs that lead to the batch's root, and bad records refused by row whichever worker met them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.certificates import graduate, write_csv, write_json

from gzchain.domain.certificates.templates import issuer_entry, with_issuer
from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import build_tree
from gzchain.domain.oa import check_signature, get_data
from gzchain.services.certificates import bulk
from gzchain.services.certificates.bulk import (
    LINES_FILE,
    BatchSpec,
    RecordFile,
    check_records,
    write_batch,
    write_lines,
)
from gzchain.services.certificates.lines import read_line
from gzchain.services.certificates.templates import load_template

ISSUER = issuer_entry("Guangzhou Municipal Education Bureau", "0x" + "ab" * 20, "jyj.gz.gov.cn")


@pytest.fixture
def small_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes and several chunks even for a batch small enough for a test."""
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 10)
    monkeypatch.setattr(bulk, "CHUNK", 7)


def spec_for(folder: Path) -> BatchSpec:
    return BatchSpec(load_template("graduation-certificate"), ISSUER, 1337, folder, frozenset({"batch.json"}))


@pytest.mark.parametrize("workers", [1, 2])
def test_every_certificate_file_is_complete_intact_and_proven_to_the_root(
    tmp_path: Path, small_parallel: None, workers: int
):
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(40)]))
    written = write_batch(spec_for(tmp_path / "out"), records, records.count, workers=workers)
    files = sorted((tmp_path / "out").iterdir())
    assert written.count == 40 and [f.name for f in files] == [f"GZ-2026-{n:06d}.json" for n in range(40)]
    documents = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    tree = build_tree([bytes.fromhex(d["signature"]["targetHash"]) for d in documents])
    assert tree.root == written.root
    template = load_template("graduation-certificate")
    for index, document in enumerate(documents):
        check_signature(document)
        assert document["signature"]["proof"] == [node.hex() for node in tree.proof(index)]
        assert get_data(document) == with_issuer(template.document_for(graduate(index))[0], ISSUER, 1337)


def test_records_may_come_as_json(tmp_path: Path, small_parallel: None):
    records = RecordFile(write_json(tmp_path / "class.json", [graduate(n) for n in range(12)]))
    written = write_batch(spec_for(tmp_path / "out"), records, records.count, workers=2)
    assert written.count == 12 and len(list((tmp_path / "out").iterdir())) == 12


def test_a_bad_record_met_by_a_worker_is_refused_by_its_row(tmp_path: Path, small_parallel: None):
    rows = [graduate(n) for n in range(40)]
    rows[29]["graduation_date"] = "2026-02-30"
    rows[35]["student_name"] = ""
    records = RecordFile(write_csv(tmp_path / "class.csv", rows))
    with pytest.raises(InvalidInput) as caught:
        write_batch(spec_for(tmp_path / "out"), records, records.count, workers=2)
    assert caught.value.field == "row 31, graduation_date"  # the header is row 1
    assert "row 37, student_name" in caught.value.reason and "2 of 40 rows invalid" in caught.value.reason


def test_two_records_for_one_file_are_refused_even_in_different_chunks(tmp_path: Path, small_parallel: None):
    rows = [graduate(n) for n in range(30)]
    rows[25]["certificate_number"] = rows[3]["certificate_number"]
    records = RecordFile(write_csv(tmp_path / "class.csv", rows))
    with pytest.raises(InvalidInput) as caught:
        write_batch(spec_for(tmp_path / "out"), records, records.count, workers=2)
    assert caught.value.field == "row 27, certificate_number"
    assert "duplicates row 5" in caught.value.reason


def test_a_file_name_the_batch_folder_keeps_for_itself_is_refused(tmp_path: Path, small_parallel: None):
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(20)]))
    reserved = frozenset({"GZ-2026-000012.json"})  # as batch.json is for the folder issue_batch writes
    with pytest.raises(InvalidInput) as caught:
        check_records(records_template(), records, records.count, reserved_names=reserved, workers=2)
    assert caught.value.field == "row 14, certificate_number" and "reserved" in caught.value.reason


def test_checking_alone_writes_nothing(tmp_path: Path, small_parallel: None):
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(15)]))
    assert check_records(records_template(), records, records.count, workers=2) == 15
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.csv"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "header row"),
        (b"certificate_number,student_name\nGZ-1\n", "has 1 cells"),
        (b"certificate_number\n\xff\xfe\n", "UTF-8"),
    ],
    ids=["empty", "short row", "not UTF-8"],
)
def test_a_malformed_records_file_is_refused_before_any_record_is_read(tmp_path: Path, content, reason):
    path = tmp_path / "class.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        RecordFile(path)
    assert reason in str(caught.value)


def records_template():
    return load_template("graduation-certificate")


# ---- one JSON Lines file for the batch ----


@pytest.mark.parametrize("workers", [1, 2])
def test_a_json_lines_batch_holds_every_certificate_in_record_order_proven_to_the_root(
    tmp_path: Path, small_parallel: None, workers: int
):
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(40)]))
    written = write_lines(spec_for(tmp_path / "out"), records, records.count, workers=workers)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [LINES_FILE]  # the spool is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.csv", "out"]  # and so is the saved tree
    lines = (tmp_path / "out" / LINES_FILE).read_bytes().split(b"\n")
    assert written.count == 40 and len(lines) == 41 and lines[-1] == b""
    documents = [json.loads(line) for line in lines[:-1]]
    tree = build_tree([bytes.fromhex(d["signature"]["targetHash"]) for d in documents])
    assert tree.root == written.root
    template = load_template("graduation-certificate")
    for index, document in enumerate(documents):
        check_signature(document)
        assert document["signature"]["proof"] == [node.hex() for node in tree.proof(index)]
        assert get_data(document) == with_issuer(template.document_for(graduate(index))[0], ISSUER, 1337)
    assert read_line(tmp_path / "out" / LINES_FILE, 17) == documents[16]


def test_a_json_lines_batch_is_the_same_certificates_as_a_folder_of_files(tmp_path: Path):
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(6)]))
    lines = write_lines(spec_for(tmp_path / "lines"), records, records.count)
    files = write_batch(spec_for(tmp_path / "files"), records, records.count)
    as_lines = [json.loads(line) for line in (tmp_path / "lines" / LINES_FILE).open(encoding="utf-8")]
    as_files = [json.loads(f.read_text(encoding="utf-8")) for f in sorted((tmp_path / "files").iterdir())]
    # Salts differ between two wraps, so roots do too; the data each certificate shows must not.
    assert [get_data(d) for d in as_lines] == [get_data(d) for d in as_files]
    assert lines.root != files.root and lines.count == files.count == 6


def test_a_bad_record_stops_a_json_lines_batch_naming_its_row(tmp_path: Path, small_parallel: None):
    rows = [graduate(n) for n in range(40)]
    rows[33]["admission_date"] = "yesterday"
    rows[12]["certificate_number"] = rows[2]["certificate_number"]
    records = RecordFile(write_csv(tmp_path / "class.csv", rows))
    with pytest.raises(InvalidInput) as caught:
        write_lines(spec_for(tmp_path / "out"), records, records.count, workers=2)
    assert caught.value.field == "row 14, certificate_number" and "duplicates row 4" in caught.value.reason
    assert "row 35, admission_date" in caught.value.reason and "2 of 40 rows invalid" in caught.value.reason
    assert not (tmp_path / "out" / LINES_FILE).exists()


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b'{"a":1}\n', 2, "fewer than 2 lines"),
        (b'{"a":1}\n[1]\n', 2, "not a JSON object"),
        (b'{"a":\n', 1, "not valid JSON"),
        (b"\xff\n", 1, "not UTF-8"),
        (b'{"a":1}\n', 0, "numbered from 1"),
    ],
    ids=["past the end", "not an object", "broken", "not UTF-8", "line 0"],
)
def test_a_line_that_holds_no_certificate_is_refused_clearly(tmp_path: Path, content, line, reason):
    path = tmp_path / LINES_FILE
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        read_line(path, line)
    assert reason in str(caught.value)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 8, 13, 33])
def test_each_signed_chunk_of_a_json_lines_batch_lands_exactly_in_its_place(
    tmp_path: Path, small_parallel: None, count: int
):
    # The workers write their chunks at offsets worked out from the tree alone (odd levels give some leaves
    # shorter proofs), so a miscount would leave a gap or an overlap in the file.
    records = RecordFile(write_csv(tmp_path / "class.csv", [graduate(n) for n in range(count)]))
    written = write_lines(spec_for(tmp_path / "out"), records, records.count, workers=1)
    documents = [json.loads(line) for line in (tmp_path / "out" / LINES_FILE).read_bytes().splitlines()]
    assert len(documents) == count
    for document in documents:
        check_signature(document)
        assert document["signature"]["merkleRoot"] == written.root.hex()
