"""Durable state: SQLAlchemy 2 tables and the store built on them (SQLite or Postgres)."""
