"""`accord init`: create or upgrade Accord's database."""

from __future__ import annotations

import typer

DB_HELP = "Database URL (default: $ACCORD_DATABASE_URL, else sqlite:///accord.db)."


def init(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create Accord's database, or bring it to the current schema."""
    from sqlalchemy.engine import make_url

    from accord.store.database import database_url
    from accord.store.migrate import upgrade

    url = database_url(db)
    upgrade(url)
    typer.echo(f"database ready: {make_url(url).render_as_string(hide_password=True)}")
