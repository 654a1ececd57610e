"""An index of the embedded chain's logs by contract address and topic, kept in SQLite beside the chain.

eth-tester answers `eth_getLogs` by decoding every receipt of every block in the range, so each lookup
grows with the chain. This index says which transactions of which blocks emitted a log that can match a
filter; eth-tester's own receipts and matching still decide what is returned, so the answer is the same.

Each indexed block is recorded with its hash: the index can be checked against the canonical chain and cut
back to the last block both agree on, whatever moved the chain's head (a snapshot revert, a rollback).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

TOPIC_COLUMNS = ("topic0", "topic1", "topic2", "topic3")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS log_index_block (
        number INTEGER PRIMARY KEY, hash BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS log_index (
        block INTEGER NOT NULL, tx INTEGER NOT NULL, address BLOB NOT NULL,
        topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB)""",
    # By event type (topic0) and by first indexed argument (topic1, e.g. a business's USCC).
    "CREATE INDEX IF NOT EXISTS log_index_by_topic0 ON log_index (address, topic0, block)",
    "CREATE INDEX IF NOT EXISTS log_index_by_topic1 ON log_index (address, topic1, block)",
    "CREATE INDEX IF NOT EXISTS log_index_by_block ON log_index (block)",
)


class LogIndex:
    """Rows of (block, transaction index, address, topics) per log; committed by whoever owns `conn`."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock
        with self._lock:
            for statement in _SCHEMA:
                self._conn.execute(statement)

    @classmethod
    def in_memory(cls) -> LogIndex:
        return cls(sqlite3.connect(":memory:", check_same_thread=False), threading.RLock())

    def commit(self) -> None:
        with self._lock:
            self._conn.commit()

    def rollback(self) -> None:
        with self._lock:
            self._conn.rollback()

    def close(self) -> None:
        """Only for an index that owns its connection (`in_memory`)."""
        with self._lock:
            self._conn.close()

    def head(self) -> int:
        """The last indexed block number; -1 when nothing is indexed."""
        with self._lock:
            row = self._conn.execute("SELECT MAX(number) FROM log_index_block").fetchone()
        return -1 if row[0] is None else int(row[0])

    def block_hash(self, number: int) -> bytes | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT hash FROM log_index_block WHERE number = ?", (number,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def forget_after(self, number: int) -> None:
        """Drop every block above `number` (no longer canonical)."""
        with self._lock:
            self._conn.execute("DELETE FROM log_index WHERE block > ?", (number,))
            self._conn.execute("DELETE FROM log_index_block WHERE number > ?", (number,))

    def add_block(self, number: int, block_hash: bytes, receipts: Sequence[Any]) -> None:
        """Index one block from its py-evm receipts (logs: address bytes, topics ints)."""
        rows = [
            (number, tx_index, bytes(log.address), *_topic_columns(log.topics))
            for tx_index, receipt in enumerate(receipts)
            for log in receipt.logs
        ]
        with self._lock:
            self.forget_after(number - 1)
            self._conn.executemany(
                "INSERT INTO log_index (block, tx, address, topic0, topic1, topic2, topic3) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._conn.execute(
                "INSERT INTO log_index_block (number, hash) VALUES (?, ?)", (number, bytes(block_hash))
            )

    def candidates(self, first: int, last: int, addresses: Any, topics: Any) -> list[tuple[int, list[int]]]:
        """Blocks in [first, last], ascending, with the indexes of their transactions that emitted a log
        that may match eth-tester's raw filter `addresses` and `topics`; never fewer than would match."""
        where = ["block BETWEEN ? AND ?"]
        params: list[Any] = [first, last]
        if addresses is not None:
            wanted = [bytes(a) for a in (addresses if isinstance(addresses, tuple) else (addresses,))]
            where.append(f"address IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        for column, allowed in zip(TOPIC_COLUMNS, _allowed_topics(topics), strict=False):
            if allowed is not None:
                where.append(f"{column} IN ({', '.join('?' * len(allowed))})")
                params.extend(allowed)
        query = f"SELECT DISTINCT block, tx FROM log_index WHERE {' AND '.join(where)} ORDER BY block, tx"
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        found: list[tuple[int, list[int]]] = []
        for block, tx in rows:
            if found and found[-1][0] == block:
                found[-1][1].append(tx)
            else:
                found.append((block, [tx]))
        return found


def _topic_columns(topics: Iterable[int]) -> list[bytes | None]:
    values: list[bytes | None] = [topic.to_bytes(32, "big") for topic in topics][: len(TOPIC_COLUMNS)]
    return values + [None] * (len(TOPIC_COLUMNS) - len(values))


def _allowed_topics(topics: Any) -> list[list[bytes] | None]:
    """Per topic position, the values a matching log may hold there (None: any), from eth-tester's raw
    topics: a flat tuple of values or None, or a tuple whose items are tuples of alternatives."""
    if not topics:
        return []
    allowed: list[list[bytes] | None] = []
    for item in topics:
        if item is None:
            allowed.append(None)
        elif isinstance(item, tuple):
            allowed.append(None if any(v is None for v in item) else [bytes(v) for v in item])
        else:
            allowed.append([bytes(item)])
    return allowed
