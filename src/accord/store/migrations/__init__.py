"""Alembic migrations, one branch per concern."""
