"""`cahtracker db`: where the database is, set it up, check it."""

from __future__ import annotations

import typer

from cahtracker.context import app_state, get_store
from cahtracker.db import resolve_path
from cahtracker.errors import CahError
from cahtracker.output import message

app = typer.Typer(help="The database file: path, set-up and checks.", no_args_is_help=True)


@app.command("path")
def path_command(ctx: typer.Context) -> None:
    """Print the path of the database this command would use."""
    typer.echo(str(resolve_path(app_state(ctx).db_option)))


@app.command("init")
def init_command(ctx: typer.Context) -> None:
    """Create, migrate and seed the database (safe to run again)."""
    store = get_store(ctx)
    states = store.scalar("SELECT count(*) FROM states")
    message(f"Database ready at {store.path} ({states} states).")


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Check integrity, foreign keys and migrations; exit 1 on any problem."""
    from cahtracker.maintenance import check_database

    problems, summary = check_database(get_store(ctx))
    for line in summary:
        message(line)
    if problems:
        raise CahError("; ".join(problems))
