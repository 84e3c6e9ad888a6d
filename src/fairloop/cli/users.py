from __future__ import annotations

import sys

import typer

from fairloop.cli.common import OPERATOR, database
from fairloop.services.accounts import create_user
from fairloop.services.work import skills

app = typer.Typer(no_args_is_help=True, help="Users and their API tokens.")


@app.command()
def create(
    email: str,
    role: str = typer.Option(..., help="worker, requester or admin"),
    org: str | None = typer.Option(None, help="organisation (created if new)"),
    country: str | None = typer.Option(None, help="two-letter country code"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read a password from stdin"
    ),
) -> None:
    """Create a user and print its API token (shown once)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    actor, token = create_user(
        database(), email, role=role, password=password, org=org, country=country
    )
    typer.echo(f"created {actor.role} {actor.email} (id {actor.id})")
    typer.echo(f"API token (shown once): {token}")


@app.command("grant-skill")
def grant_skill(
    email: str,
    skill: str = typer.Argument(..., help="kind:value, for example language:sw"),
    level: int | None = typer.Option(None, help="1 to 5 (default 1, or the @level written)"),
) -> None:
    """Grant a worker a skill (recorded in the audit log as the operator's)."""
    granted = skills.grant_skill(database(), OPERATOR, email, skill, level=level)
    typer.echo(f"{email}: {granted['skill']} at level {granted['level']}")
