from __future__ import annotations

import typer

from fairloop.db.migrate import upgrade as run_upgrade
from fairloop.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Database maintenance.")


@app.command()
def upgrade() -> None:
    """Apply all migrations to FAIRLOOP_DATABASE_URL."""
    url = get_settings().database_url
    run_upgrade(url)
    typer.echo(f"database at {url.split('@')[-1]} is up to date")
