"""``fairloop pay``: settlement and payouts, for cron or by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fairloop.cli.common import OPERATOR, database
from fairloop.errors import InvalidInput
from fairloop.io.writers import csv_cell
from fairloop.services.pay.payouts import mark_paid, payouts_due
from fairloop.services.pay.settle import settle

app = typer.Typer(no_args_is_help=True, help="Pay: settlement and payouts.")

PAYOUT_COLUMNS = [
    "worker_id",
    "email",
    "currency",
    "amount",
    "entries",
    "first_entry_id",
    "last_entry_id",
]


@app.command("settle")
def settle_command(
    project: int | None = typer.Option(None, "--project", help="settle one project only"),
) -> None:
    """Approve work due, pay test time at the floor, top up to the floor. Idempotent."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("settling", total=None)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        result = settle(database(), project_id=project, on_step=step)
    typer.echo(
        f"settled {result.projects} projects: {result.approved} approved, "
        f"{result.qualification_entries} test-time entries, {result.top_ups} top-ups "
        f"({result.top_up_minor} minor units)"
    )


@app.command("payouts")
def payouts_command(
    out: Path = typer.Option(..., "--out", help="FILE.csv"),
    mark: bool = typer.Option(
        False, "--mark-paid", help="also write a payout entry for each row (after paying it)"
    ),
) -> None:
    """Write what each worker is owed, per currency, with the entries it covers."""
    if out.suffix.lower() != ".csv":
        raise InvalidInput("the payouts file must end in .csv", field="--out")
    db = database()
    rows = mark_paid(db, OPERATOR) if mark else payouts_due(db, OPERATOR)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=PAYOUT_COLUMNS)
        writer.writeheader()
        for row in rows:
            # Emails are the worker's own text: never let a spreadsheet run them.
            writer.writerow({k: csv_cell(v) for k, v in row.as_row().items()})
    done = "marked paid" if mark else "due"
    typer.echo(f"{len(rows)} payouts {done}, written to {out}")
