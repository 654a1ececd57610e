"""The one Settings object: every knob, read from the environment (prefix GZCHAIN_) or given explicitly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from gzchain.domain.epcis.limits import DocumentLimits


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

    # ---- hostile input: what one document, event or trace may hold (issue #14) ----
    epcis_max_events: int = Field(default=100, ge=1, description="events in one EPCIS document")
    epcis_max_readings_per_event: int = Field(
        default=10_000, ge=1, description="sensor reports in one EPCIS event (as on the event route)"
    )
    epcis_max_readings_per_document: int = Field(
        default=100_000, ge=1, description="sensor reports in one EPCIS document"
    )
    epcis_max_string_chars: int = Field(
        default=2_000, ge=64, description="characters in any string of an EPCIS document (ids, URIs, keys)"
    )
    epcis_max_list_items: int = Field(default=10_000, ge=1, description="items in any other EPCIS list")
    epcis_max_extension_chars: int = Field(
        default=16_384, ge=0, description="characters of all extension fields of one EPCIS event"
    )
    epcis_max_depth: int = Field(default=32, ge=8, description="nesting levels of an EPCIS document")
    trace_readings_page: int = Field(
        default=1_000, ge=1, description="temperature readings in one page of a public trace"
    )
    trace_readings_max_page: int = Field(
        default=10_000, ge=1, description="the most readings a trace page may be asked for"
    )
    trace_max_breaches: int = Field(default=100, ge=1, description="breaching readings a trace lists")

    @property
    def document_limits(self) -> DocumentLimits:
        return DocumentLimits(**{name: getattr(self, name) for name in DocumentLimits.__dataclass_fields__})

    @property
    def chain_dir(self) -> Path:
        return self.data_dir / "chain"

    @property
    def wallet_path(self) -> Path:
        return self.wallet_dir or self.data_dir / "wallet"
