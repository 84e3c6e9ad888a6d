from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer

from fairloop.db.engine import Database
from fairloop.db.migrate import upgrade

SECRET_FILE = Path(".fairloop-secret")


def _demo_secret() -> str:
    """A random key kept in a 0600 file, so the demo never runs on a known secret."""
    if not SECRET_FILE.exists():
        fd = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return SECRET_FILE.read_text().strip()


def demo(
    db: Path = typer.Option(Path("fairloop-demo.db"), "--db", help="SQLite file for the demo"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    no_serve: bool = typer.Option(False, "--no-serve", help="seed, then exit"),
) -> None:
    """Create or upgrade the demo database, seed it once, print the logins, serve."""
    from fairloop.services.demo import seed_demo

    url = f"sqlite:///{db.resolve()}"
    upgrade(url)
    database = Database(url)
    logins, added = seed_demo(database)
    database.dispose()
    typer.echo(("seeded" if added else "already seeded") + f" demo data in {db}")
    for login in logins:
        typer.echo(f"  {login.role:<9} {login.email:<32} password: {login.password}")
    if no_serve:
        return
    os.environ["FAIRLOOP_DATABASE_URL"] = url
    os.environ.setdefault("FAIRLOOP_SECRET_KEY", _demo_secret())
    from fairloop.settings import get_settings

    get_settings.cache_clear()
    typer.echo(f"serving on http://{host}:{port}  (Ctrl-C stops)")
    from fairloop.cli.serve import run_server

    run_server(host, port)
