from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fairloop.cli.common import OPERATOR, database
from fairloop.io.items import open_items
from fairloop.services.import_items import import_items

app = typer.Typer(no_args_is_help=True, help="Items: the data workers answer.")


@app.command("import")
def import_(
    project: int = typer.Argument(..., help="project id"),
    file: Path = typer.Argument(..., help="items as .jsonl, .csv or .parquet"),
    format: str | None = typer.Option(
        None, "--format", help="jsonl, csv or parquet (default: from the suffix)"
    ),
) -> None:
    """Import items, all or nothing: a bad row fails the import with file, line and field."""
    source = open_items(file, format)
    with Progress(
        TextColumn("checking {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(source.name, total=source.total)
        count = import_items(
            database(), OPERATOR, project, source, on_progress=lambda n: bar.advance(task, n)
        )
    typer.echo(f"imported {count} items into project {project}")
