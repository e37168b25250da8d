"""Persistence behind one class; SQLite by default, any SQLAlchemy URL otherwise."""

from .store import DEFAULT_DB, Store, db_url, migrate, resolve_db

__all__ = ["DEFAULT_DB", "Store", "db_url", "migrate", "resolve_db"]
