"""The ``fairloop`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import sys

import click
import typer
from rich.console import Console

from fairloop.errors import FairloopError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="fairloop: fair AI-training work."
)
# soft_wrap: an error stays one line, however narrow the terminal.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _register(command: str | None) -> None:
    # Imported here so that each group owns its module and `--help` stays quick.
    from fairloop.cli import db, demo, export, items, pay, projects, serve, users

    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(projects.app, name="projects")
    app.add_typer(items.app, name="items")
    app.add_typer(pay.app, name="pay")
    if command not in ("serve", "demo"):
        # numpy and pyarrow cost a server ~45 MB of memory it never uses.
        from fairloop.cli import quality

        app.add_typer(quality.app, name="quality")
    app.command()(export.export)
    app.command()(serve.serve)
    app.command()(demo.demo)


def main() -> None:
    """Entry point: a FairloopError becomes one line on stderr and exit 1."""
    _register(sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        code = app(standalone_mode=False)
    except FairloopError as exc:
        err_console.print(" ".join(exc.one_line().split()), markup=False)
        sys.exit(1)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:
        err_console.print(f"error (os): {exc}", markup=False)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        err_console.print(
            f"error (internal): {type(exc).__name__}: {exc}".splitlines()[0], markup=False
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
