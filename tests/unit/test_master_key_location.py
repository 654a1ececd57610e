"""Where the master key file lives: by default in the user's configuration folder, never inside the data
(keystore, store) it protects unless that is explicitly allowed (issue #15 item 5)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gzchain.bootstrap import master_key_file, open_keys, open_store
from gzchain.chain.keys import EncryptedKeyRing, read_master_key, write_master_key
from gzchain.domain.errors import InvalidInput, NotFound
from gzchain.settings import Settings, default_master_key_file


def keystore_with_key(path: Path, key_file: Path) -> str:
    write_master_key(key_file)
    return EncryptedKeyRing(path, read_master_key(None, key_file)).add("gz-msa").address


def test_the_default_master_key_file_is_in_the_config_folder_honouring_xdg(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_master_key_file() == tmp_path / "xdg" / "gzchain" / "master-key"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_master_key_file() == tmp_path / "home" / ".config" / "gzchain" / "master-key"


def test_a_keystore_without_master_key_settings_is_opened_with_the_default_file(isolated_env: Path):
    address = keystore_with_key(isolated_env / "keys" / "agencies.json", default_master_key_file())
    settings = Settings(keystore_file=isolated_env / "keys" / "agencies.json")
    assert master_key_file(settings) == isolated_env / "config" / "gzchain" / "master-key"
    assert open_keys(settings).address("gz-msa") == address


def test_without_a_keystore_no_default_master_key_is_read(isolated_env: Path):
    # A dev machine that ran `network init` keeps its local store key: the default file is not picked up.
    write_master_key(default_master_key_file())
    assert master_key_file(Settings()) is None


def test_a_missing_default_master_key_file_is_named_in_a_one_line_refusal(isolated_env: Path):
    settings = Settings(keystore_file=isolated_env / "keys" / "agencies.json")
    with pytest.raises(NotFound) as refused:
        open_keys(settings)
    assert str(default_master_key_file()) in str(refused.value) and "\n" not in str(refused.value)


def test_the_new_master_key_file_is_0600_and_never_overwritten(tmp_path: Path):
    key_file = tmp_path / "cfg" / "master-key"
    write_master_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    with pytest.raises(FileExistsError):
        write_master_key(key_file)


@pytest.mark.parametrize("where", ["data/master-key", "data/secrets/master-key", "keys/master-key"])
def test_a_master_key_file_inside_what_it_protects_is_refused(isolated_env: Path, where: str):
    key_file = isolated_env / where
    keystore_with_key(isolated_env / "keys" / "agencies.json", key_file)
    settings = Settings(keystore_file=isolated_env / "keys" / "agencies.json", master_key_file=key_file)
    with pytest.raises(InvalidInput) as refused:
        open_keys(settings)
    message = str(refused.value)
    assert message.startswith(f"master_key_file: master key file {key_file} is inside the ")
    assert "GZCHAIN_ALLOW_MASTER_KEY_IN_DATA_DIR=true" in message and "\n" not in message


def test_the_store_refuses_a_master_key_file_in_its_data_folder_too(isolated_env: Path):
    key_file = isolated_env / "data" / "master-key"
    write_master_key(key_file)
    with pytest.raises(InvalidInput, match="inside the data folder"):
        open_store(Settings(master_key_file=key_file))


def test_an_explicit_override_accepts_a_master_key_file_in_the_data_folder(isolated_env: Path):
    key_file = isolated_env / "data" / "master-key"
    address = keystore_with_key(isolated_env / "data" / "agencies.json", key_file)
    settings = Settings(
        keystore_file=isolated_env / "data" / "agencies.json",
        master_key_file=key_file,
        allow_master_key_in_data_dir=True,
    )
    assert open_keys(settings).address("gz-msa") == address


def test_a_master_key_file_next_to_but_outside_the_data_folder_is_accepted(isolated_env: Path):
    key_file = isolated_env / "data-keys" / "master-key"  # a sibling whose name merely starts alike
    address = keystore_with_key(isolated_env / "data" / "agencies.json", key_file)
    settings = Settings(keystore_file=isolated_env / "data" / "agencies.json", master_key_file=key_file)
    assert open_keys(settings).address("gz-msa") == address
