"""Imports every table module so Store.create_all sees all tables. Add a line per scenario module."""

from gzchain.store import (
    api,  # noqa: F401
    business,  # noqa: F401
    certificates,  # noqa: F401
    coldchain,  # noqa: F401
    epcis,  # noqa: F401
    outbox,  # noqa: F401
    petitions,  # noqa: F401
    reasons,  # noqa: F401
    schema,  # noqa: F401
)
