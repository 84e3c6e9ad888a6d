from __future__ import annotations

import json
from pathlib import Path

import typer

from fairloop.cli.common import OPERATOR, database
from fairloop.domain.specs import load_spec_text
from fairloop.errors import InvalidInput
from fairloop.services.projects import create_project, project_view

app = typer.Typer(no_args_is_help=True, help="Projects from specs.")


@app.command()
def create(
    spec: Path = typer.Argument(..., help="project spec, YAML or JSON"),
    org: str = typer.Option(..., help="the organisation that owns the project"),
    as_json: bool = typer.Option(False, "--json", help="print the project as JSON"),
) -> None:
    """Create a project from SPEC and print its id."""
    if not spec.is_file():
        raise InvalidInput(f"no such file: {spec}", field=str(spec))
    parsed = load_spec_text(spec.read_text(encoding="utf-8"), source=spec.name)
    db = database()
    project_id = create_project(db, OPERATOR, parsed, org=org)
    if as_json:
        typer.echo(json.dumps(project_view(db, OPERATOR, project_id)))
    else:
        typer.echo(project_id)
