from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from fairloop.cli.common import OPERATOR, database
from fairloop.io.writers import encoding_for, write_rows
from fairloop.services.exports import FORMATS, columns_for, copy_media, export_rows


def export(
    project: int = typer.Argument(..., help="project id"),
    format: str = typer.Option("raw", "--format", help=", ".join(FORMATS)),
    out: Path = typer.Option(..., "--out", help="FILE.jsonl, FILE.csv or FILE.parquet"),
) -> None:
    """Write a dataset; the suffix of --out picks the encoding."""
    encoding_for(out)
    columns = columns_for(format)
    rows = export_rows(database(), OPERATOR, project, format)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(f"writing {out.name}", total=None)

        def counted() -> Iterator[dict[str, Any]]:
            for row in rows:
                bar.advance(task)
                yield row

        count = write_rows(counted(), out, columns)
    if format == "record":
        copied = copy_media(database(), project, out.parent)
        typer.echo(f"copied {copied} takes to {out.parent / 'media'}")
    ties = f" ({rows.left_out} ties left out)" if rows.left_out else ""
    typer.echo(f"wrote {count} rows to {out}{ties}")
