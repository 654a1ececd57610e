"""gzchain: a permissioned blockchain for city government services."""

__version__ = "0.1.0"
