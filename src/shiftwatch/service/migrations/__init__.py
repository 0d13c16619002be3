"""Alembic migrations of the service's database (run by ``Store`` when it opens)."""
