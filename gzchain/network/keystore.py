"""The agencies' keystore `gzchain network init` creates: a fresh random key per agency, sealed with the
master key (chain/keys.py EncryptedKeyRing), 0600 in a 0700 folder of its own that git ignores. The master
key file lives elsewhere (by default ~/.config/gzchain/master-key) and is created once, never replaced:
a keystore is only as recoverable as the master key that opens it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gzchain.chain.keys import EncryptedKeyRing, read_master_key, write_master_key
from gzchain.domain.errors import NotFound

GITIGNORE = ".gitignore"
# Ignores the folder's every file, itself included, wherever the folder is put.
GITIGNORE_TEXT = "# agencies' private keys, written by `gzchain network init`: never commit them\n*\n"


@dataclass
class AgencyKeystore:
    keyring: EncryptedKeyRing
    master_key_file: Path | None
    created_master_key: bool = False
    created: list[str] = field(default_factory=list)  # agency ids given a fresh key on this run

    def ensure(self, agency_ids: Iterable[str]) -> None:
        """A fresh random key for each agency that has none yet; existing keys are never replaced."""
        have = set(self.keyring.agencies())
        for agency_id in agency_ids:
            if agency_id not in have:
                self.keyring.add(agency_id)
                have.add(agency_id)
                self.created.append(agency_id)


def open_master_key(value: str | None, key_file: Path | None, keystore: Path) -> tuple[bytes, bool]:
    """The master key, and whether it was created now (only for a keystore that does not exist yet)."""
    if value or key_file is None or key_file.exists():
        return read_master_key(value, key_file), False
    if keystore.exists():
        raise NotFound(
            f"keystore {keystore} exists but its master key file {key_file} does not: restore that file, or "
            "set GZCHAIN_MASTER_KEY_FILE to where it is (a new master key could not open the keystore)"
        )
    write_master_key(key_file)
    return read_master_key(None, key_file), True


def open_agency_keystore(path: Path, master_key: str | None, master_key_file: Path | None) -> AgencyKeystore:
    master, created = open_master_key(master_key, master_key_file, path)
    prepare_folder(path.parent)
    return AgencyKeystore(EncryptedKeyRing(path, master), master_key_file, created_master_key=created)


def prepare_folder(folder: Path) -> None:
    """A folder made here is its owner's only and ignored by git; one the operator chose is left as it is."""
    if folder.exists():
        return
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)  # mkdir's mode is masked by the umask
    (folder / GITIGNORE).write_text(GITIGNORE_TEXT, encoding="utf-8")
