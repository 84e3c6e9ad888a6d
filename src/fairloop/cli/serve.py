from __future__ import annotations

import typer

from fairloop.settings import get_settings, secret_key_problem


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    workers: int = typer.Option(1, help="server processes (PostgreSQL only for more than one)"),
) -> None:
    """Serve the API and pages over FAIRLOOP_DATABASE_URL."""
    from fairloop.errors import InvalidInput

    settings = get_settings()
    if problem := secret_key_problem(settings.secret_key):
        raise InvalidInput(problem, field="FAIRLOOP_SECRET_KEY")
    if workers > 1 and settings.database_url.startswith("sqlite"):
        raise InvalidInput("more than one worker process needs PostgreSQL", field="--workers")
    _warn_unregistered_keys()
    run_server(host, port, workers=workers)


def _warn_unregistered_keys() -> None:
    """Red-team projects made before model keys were registered stop at their next
    turn: say at start-up which keys to add to FAIRLOOP_MODEL_KEY_ENVS."""
    from fairloop.cli.common import database
    from fairloop.services.work.redteam import unregistered_keys

    for org, project, key in unregistered_keys(database()):
        typer.echo(
            f"error: red-team project {project!r} of {org!r} names api_key_env {key!r}, "
            f"which is not registered: add '{org}:{key}' to FAIRLOOP_MODEL_KEY_ENVS",
            err=True,
        )


def run_server(host: str, port: int, *, workers: int = 1) -> None:
    import uvicorn

    uvicorn.run(
        "fairloop.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
