"""The off-chain store: SQLAlchemy over SQLite by default, PostgreSQL by URL.

The chain is the source of truth; the store keeps what does not belong on chain (full records,
personal data, encrypted) and indexes what does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

from gzchain.domain.errors import GzchainError
from gzchain.store.crypto import PersonalDataCipher


class StoreUnavailable(GzchainError):
    """The off-chain store cannot be reached or opened."""


class Base(DeclarativeBase):
    """Every table of the store; each scenario declares its own in gzchain/store/<scenario>.py."""


def engine_for(url: str | None, data_dir: Path | None) -> Engine:
    """A URL if given; else a SQLite file in the data folder; else (throwaway) SQLite in memory."""
    if url:
        return create_engine(url, pool_pre_ping=True)
    if data_dir is None:
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{data_dir / 'store.sqlite'}", connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    # Deleted content is overwritten with zeros, so erased personal data does not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Store:
    def __init__(self, engine: Engine, cipher: PersonalDataCipher | None = None) -> None:
        self.engine = engine
        # Seals what the store keeps at rest beyond its own tables' sealed columns (idempotent replies).
        self.cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # A throwaway in-memory store is one shared connection: its units of work must take turns.
        self._one_at_a_time = threading.RLock() if isinstance(engine.pool, StaticPool) else nullcontext()
        # Importing the table modules registers their tables on Base.metadata.
        from gzchain.store import tables  # noqa: F401
        from gzchain.store.schema import prepare

        try:
            prepare(engine)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(
                f"the store at {engine.url.render_as_string(hide_password=True)} "
                f"cannot be opened: {type(exc).__name__}"
            ) from exc

    def purge_deleted(self) -> None:
        """After an erasure: no copy of what was deleted may stay in the store's files. SQLite zeroes freed
        space itself (secure_delete), but its write-ahead log still holds pages as they were written, so
        the log is checkpointed into the database and truncated. PostgreSQL keeps dead row versions until
        VACUUM reuses their space; nothing is done for it here."""
        if self.engine.dialect.name != "sqlite":
            return
        with self._one_at_a_time, self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back whole on any error."""
        with self._one_at_a_time:
            session = self._sessions()
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                session.rollback()
                reason = exc.args[0] if exc.args else ""
                raise StoreUnavailable(f"store error: {type(exc).__name__}: {reason}") from exc
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def close(self) -> None:
        self.engine.dispose()
