"""The one Settings object: every knob, read from the environment (prefix GZCHAIN_) or given explicitly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "gzchain"


class Settings(BaseSettings):
    """Where the chain, store and keys live, and how to reach them."""

    model_config = SettingsConfigDict(env_prefix="GZCHAIN_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir, description="folder of the embedded chain, store, manifest"
    )
    rpc_url: str | None = Field(default=None, description="JSON-RPC node URL; unset means the embedded chain")
    ephemeral: bool = Field(default=False, description="embedded chain in memory only, forgotten on exit")
    fee_policy: Literal["auto", "zero", "eip1559"] = "auto"
    solc_binary: Path | None = Field(default=None, description="explicit solc to compile with")
    genesis_file: Path | None = Field(default=None, description="genesis consortium description (YAML)")
    keystore_file: Path | None = Field(
        default=None, description="encrypted agency keys; unset means demo keys"
    )
    master_key: SecretStr | None = Field(default=None, description="base64 AES-256 key for the keystore")
    master_key_file: Path | None = Field(default=None, description="file holding the master key, mode 0600")
    store_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file")
    tx_timeout_seconds: float = 120.0
    # Request bounds (issue #14), enforced while the body streams in, before it is parsed.
    max_json_body_bytes: int = Field(default=1 << 20, description="body of a JSON write or public verify")
    max_epcis_body_bytes: int = Field(default=16 << 20, description="body of a whole EPCIS document")
    max_batch_body_bytes: int = Field(default=32 << 20, description="body of a certificate batch")
    max_file_bytes: int = Field(default=1 << 30, description="POST /filings/verify upload (hashed)")
    max_json_depth: int = Field(default=64, description="nesting of arrays and objects in any JSON body")
    wallet_dir: Path | None = Field(
        default=None, description="the citizen wallet's certificates; default: <data_dir>/wallet"
    )

    @property
    def chain_dir(self) -> Path:
        return self.data_dir / "chain"

    @property
    def wallet_path(self) -> Path:
        return self.wallet_dir or self.data_dir / "wallet"
