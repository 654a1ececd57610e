"""Agency keys: derived demo keys and the AES-GCM encrypted keystore."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from gzchain.chain.keys import DemoKeyRing, EncryptedKeyRing, new_master_key, read_master_key
from gzchain.domain.errors import InvalidInput, NotFound, PermissionDenied


@pytest.fixture
def master_key() -> bytes:
    return base64.b64decode(new_master_key())


def test_demo_keys_are_the_same_everywhere_and_differ_per_agency():
    ring = DemoKeyRing()
    assert ring.address("gz-msa") == DemoKeyRing().address("gz-msa")
    assert ring.address("gz-msa") != ring.address("gz-gsdata")
    assert ring.is_demo


def test_an_encrypted_keystore_gives_back_the_key_it_stored(tmp_path: Path, master_key: bytes):
    ring = EncryptedKeyRing(tmp_path / "keys.json", master_key)
    stored = ring.add("gz-msa")
    assert EncryptedKeyRing(tmp_path / "keys.json", master_key).signer("gz-msa").key == stored.key
    assert ring.agencies() == ["gz-msa"]
    assert not ring.is_demo


def test_the_keystore_file_holds_no_plaintext_key_and_only_its_owner_may_read_it(
    tmp_path: Path, master_key: bytes
):
    path = tmp_path / "keys.json"
    stored = EncryptedKeyRing(path, master_key).add("gz-msa")
    text = path.read_text()
    assert stored.key.hex() not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(text)["keys"]["gz-msa"]["address"] == stored.address


def test_a_wrong_master_key_cannot_open_the_keystore(tmp_path: Path, master_key: bytes):
    EncryptedKeyRing(tmp_path / "keys.json", master_key).add("gz-msa")
    other = EncryptedKeyRing(tmp_path / "keys.json", b"\x01" * 32)
    with pytest.raises(PermissionDenied, match="does not open the key of agency 'gz-msa'"):
        other.signer("gz-msa")


def test_a_sealed_key_cannot_be_moved_to_another_agency(tmp_path: Path, master_key: bytes):
    path = tmp_path / "keys.json"
    ring = EncryptedKeyRing(path, master_key)
    ring.add("gz-msa")
    data = json.loads(path.read_text())
    data["keys"]["gz-notary"] = data["keys"]["gz-msa"]
    path.write_text(json.dumps(data))
    with pytest.raises(PermissionDenied):
        ring.signer("gz-notary")


def test_an_unknown_agency_and_a_duplicate_add_are_refused(tmp_path: Path, master_key: bytes):
    ring = EncryptedKeyRing(tmp_path / "keys.json", master_key)
    ring.add("gz-msa")
    with pytest.raises(NotFound, match="no key for agency 'gz-edu'"):
        ring.signer("gz-edu")
    with pytest.raises(InvalidInput, match="already holds a key"):
        ring.add("gz-msa")


def test_a_master_key_file_readable_by_others_is_refused(tmp_path: Path):
    key_file = tmp_path / "master.key"
    key_file.write_text(new_master_key())
    key_file.chmod(0o644)
    with pytest.raises(PermissionDenied, match="chmod 600"):
        read_master_key(None, key_file)
    key_file.chmod(0o600)
    assert len(read_master_key(None, key_file)) == 32


@pytest.mark.parametrize(
    ("value", "message"), [("not base64!", "not valid base64"), ("AAAA", "decodes to 3 bytes")]
)
def test_a_malformed_master_key_is_refused_with_a_reason(value: str, message: str):
    with pytest.raises(InvalidInput, match=message):
        read_master_key(value, None)


def test_an_encrypted_keystore_needs_a_master_key():
    with pytest.raises(InvalidInput, match="GZCHAIN_MASTER_KEY"):
        read_master_key(None, None)
