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


def demo_model_url(port: int) -> str:
    """The scripted demo model listens on the port after the site's."""
    return f"http://127.0.0.1:{port + 1}/v1"


def _with_demo_model(port: int) -> str:
    current = os.environ.get("FAIRLOOP_OUTBOUND_ALLOW", "")
    return ",".join(e for e in (current, f"127.0.0.1:{port + 1}") if e)


def serve_demo_model(port: int) -> None:
    """The scripted chat model in a background thread, for the demo's red-team project."""
    import threading

    import uvicorn

    from fairloop.assist.scripted import ScriptedModel, scripted_app

    config = uvicorn.Config(
        scripted_app(ScriptedModel(delay=0.3)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()


def demo(
    db: Path = typer.Option(Path("fairloop-demo.db"), "--db", help="SQLite file for the demo"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    no_serve: bool = typer.Option(False, "--no-serve", help="seed, then exit"),
) -> None:
    """Create or upgrade the demo database, seed it once, print the logins, serve."""
    from fairloop.services.demo.redteam import seed_redteam_demo
    from fairloop.services.demo.seed import DEMO_ORG, DEMO_USERS, seed_demo

    url = f"sqlite:///{db.resolve()}"
    upgrade(url)
    model_url = demo_model_url(port)
    os.environ["FAIRLOOP_OUTBOUND_ALLOW"] = _with_demo_model(port)
    from fairloop.settings import get_settings

    get_settings.cache_clear()
    database = Database(url)
    logins, added = seed_demo(database)
    added = seed_redteam_demo(database, DEMO_USERS[0][0], model_url, org=DEMO_ORG) or added
    database.dispose()
    typer.echo(("seeded" if added else "already seeded") + f" demo data in {db}")
    for login in logins:
        typer.echo(f"  {login.role:<9} {login.email:<32} password: {login.password}")
    if no_serve:
        return
    os.environ["FAIRLOOP_DATABASE_URL"] = url
    os.environ.setdefault("FAIRLOOP_SECRET_KEY", _demo_secret())
    get_settings.cache_clear()
    serve_demo_model(port + 1)
    typer.echo(f"demo model (scripted replies) on http://127.0.0.1:{port + 1}/v1")
    typer.echo(f"serving on http://{host}:{port}  (Ctrl-C stops)")
    from fairloop.cli.serve import run_server

    run_server(host, port)
