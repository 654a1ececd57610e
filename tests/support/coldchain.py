"""A cold-chain batch the API suites book before sending events about it."""

from __future__ import annotations

# Brazilian frozen beef, the lot EPCIS_EXAMPLE's events are about.
BATCH = {
    "gtin": "07891234000019",
    "lot": "BR2405",
    "quantity": 8000,
    "unit": "KGM",
    "origin": "BR",
    "min_celsius": "-30.0",
    "max_celsius": "-18.0",
}
