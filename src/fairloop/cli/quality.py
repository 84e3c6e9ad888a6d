"""`fairloop quality ...`: agreement, aggregation and ranking over any crowd data."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Agreement, label aggregation and ranking.")
