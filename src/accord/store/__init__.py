"""Storage: SQLAlchemy engines, the shared table metadata and the Alembic migrations."""
