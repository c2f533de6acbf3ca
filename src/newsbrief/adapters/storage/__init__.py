"""Storage adapters: :func:`open_storage` returns the SQL store for a database URL."""

from __future__ import annotations

from newsbrief.adapters.storage._schema import LATEST as SCHEMA_VERSION
from newsbrief.adapters.storage.sql import SqlStorage, open_storage

__all__ = ["SCHEMA_VERSION", "SqlStorage", "open_storage"]
