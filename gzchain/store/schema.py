"""The store's schema version, and the steps that bring an older store file up to it.

New stores get every table at once. A store made by an earlier gzchain is altered in place, step by step,
with Alembic's operations (on SQLite, its batch mode rebuilds a table where SQLite cannot alter a column).
"""

from __future__ import annotations

from collections.abc import Callable

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Text,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from gzchain.store.db import Base, StoreUnavailable

SCHEMA_VERSION = 5
# Tables a version-1 store had: their presence without a schema row means "version 1".
_VERSION_1_TABLES = {"business_versions", "business_filings", "coldchain_lots", "coldchain_events"}


class StoreMetaRow(Base):
    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


def _pending_first(operations: Operations) -> None:
    """2: rows are written before their transaction is mined, so block numbers wait; positions are kept."""
    for table in (
        "business_versions",
        "business_filings",
        "coldchain_lots",
        "coldchain_events",
        "coldchain_readings",
    ):
        with operations.batch_alter_table(table) as batch:
            batch.alter_column("block_number", existing_type=BigInteger(), nullable=True)
            batch.add_column(Column("tx_index", Integer(), nullable=True))
            if table.startswith("coldchain_"):
                batch.create_index(f"ix_{table}_tx_hash", ["tx_hash"])
    with operations.batch_alter_table("business_filings") as batch:
        batch.add_column(Column("revocation_tx_index", Integer(), nullable=True))


def _salted_commitments(operations: Operations) -> None:
    """3: business versions say how their on-chain hash was made (rows already there are legacy: NULL),
    and their personal data can be erased."""
    with operations.batch_alter_table("business_versions") as batch:
        batch.add_column(Column("commitment", JSON(), nullable=True))
        batch.alter_column("personal_data", existing_type=Text(), nullable=True)
        batch.add_column(Column("erased_at", DateTime(timezone=True), nullable=True))
        batch.add_column(Column("erased_by", String(42), nullable=True))


def _reasons_off_chain(operations: Operations) -> None:
    """4: reasons are a code and a salted hash on chain, their words in reason_texts (made by create_all).

    The words a version-3 store holds were written under contracts that published them in clear; this gzchain
    refuses those deployments (gzchain.chain.deployment `require_current_code`), so the words go with them.
    """
    with operations.batch_alter_table("business_versions") as batch:
        batch.drop_column("reason")
        batch.add_column(Column("reason_code", Integer(), nullable=True))
        batch.add_column(Column("reason_hash", String(66), nullable=True))
    with operations.batch_alter_table("business_filings") as batch:
        batch.drop_column("revocation_reason")
        batch.add_column(Column("revocation_reason_code", Integer(), nullable=True))
        batch.add_column(Column("revocation_reason_hash", String(66), nullable=True))


def _petitions(_: Operations) -> None:
    """5: the e-petition tables (gzchain/store/petitions.py); all new, so create_all makes them."""


# The step that brings a store from version N-1 to version N, for each N above 1.
_STEPS: dict[int, Callable[[Operations], None]] = {
    2: _pending_first,
    3: _salted_commitments,
    4: _reasons_off_chain,
    5: _petitions,
}


def prepare(engine: Engine) -> None:
    """Create what is missing and migrate what is old; a store newer than this gzchain is refused."""
    with engine.begin() as connection:
        version = _version(connection)
        if version is not None and version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"the store has schema version {version}; this gzchain reads up to {SCHEMA_VERSION}: "
                "upgrade gzchain"
            )
        if version is not None and version < SCHEMA_VERSION:
            operations = Operations(MigrationContext.configure(connection))
            for step in range(version + 1, SCHEMA_VERSION + 1):
                _STEPS[step](operations)
        Base.metadata.create_all(connection)
        meta = StoreMetaRow.__table__
        recorded = connection.execute(select(meta.c.value).where(meta.c.key == "schema")).scalar()
        if recorded is None:
            connection.execute(meta.insert().values(key="schema", value=str(SCHEMA_VERSION)))
        elif recorded != str(SCHEMA_VERSION):
            connection.execute(meta.update().where(meta.c.key == "schema").values(value=str(SCHEMA_VERSION)))


def _version(connection: Connection) -> int | None:
    """The store's schema version; None for an empty database."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if StoreMetaRow.__tablename__ in tables:
        value = connection.execute(select(StoreMetaRow.value).where(StoreMetaRow.key == "schema")).scalar()
        if value is not None:
            return int(value)
    present = sorted(tables & _VERSION_1_TABLES)
    if not present:
        return None
    # No schema row (a version-1 store, or its row was deleted): the columns tell.
    business_columns = (
        {column["name"] for column in inspector.get_columns("business_versions")}
        if "business_versions" in tables
        else set()
    )
    if "reason_hash" in business_columns:
        return 4
    if "commitment" in business_columns:
        return 3
    columns = {column["name"] for column in inspector.get_columns(present[0])}
    return 2 if "tx_index" in columns else 1
