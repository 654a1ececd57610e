"""A py-evm key-value database in one SQLite file, so the embedded chain survives restarts.

py-evm 0.12 dropped its LevelDB backend. Writes accumulate in one SQLite transaction that is committed
once per mined block: a crash mid-block rolls back to the last whole block instead of leaving half of one.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from eth.db.backends.base import BaseDB

from gzchain.domain.errors import ChainUnavailable

SCHEMA_VERSION = "1"


class SqliteKV(BaseDB):
    """py-evm's BaseDB over a SQLite table, plus a small metadata table describing the chain."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
            )
            self._conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            self._conn.commit()
            integrity = self._conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ChainUnavailable(
                f"saved chain {path} is unreadable ({exc}); move it aside or restore it"
            ) from exc
        if integrity != "ok":
            raise ChainUnavailable(
                f"saved chain {path} is corrupt ({integrity}); move it aside or restore it"
            )

    def __getitem__(self, key: bytes) -> bytes:
        with self._lock:
            row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        with self._lock:
            deleted = self._conn.execute("DELETE FROM kv WHERE k = ?", (key,)).rowcount
        if not deleted:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for tables that must commit with the chain's blocks (the log index)."""
        return self._conn

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def commit(self) -> None:
        with self._lock:
            self._conn.commit()

    def rollback(self) -> None:
        with self._lock:
            self._conn.rollback()

    def get_meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self._conn.execute("SELECT k, v FROM meta").fetchall())

    def set_meta(self, values: dict[str, str]) -> None:
        with self._lock:
            self._conn.executemany("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", values.items())

    def close(self) -> None:
        with self._lock:
            self._conn.rollback()
            self._conn.close()
