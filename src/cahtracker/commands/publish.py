"""`cahtracker publish`: a read-only copy of the database for Datasette, and `--serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cahtracker.commands.options import ResolvedHelpCommand, examples
from cahtracker.invocation import get_store
from cahtracker.views.render import message, working

DEFAULT_PORT = 8001  # Datasette's own default


def publish_command(
    ctx: typer.Context,
    out_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder to write (new, empty, or an earlier publish with --force).",
            metavar="OUT_DIR",
        ),
    ],
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then serve it with Datasette on 127.0.0.1 until Ctrl-C (needs cahtracker's "
            "publish extra, which installs Datasette).",
        ),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="The port --serve listens on.")
    ] = DEFAULT_PORT,
    force: Annotated[
        bool, typer.Option("--force", help="Replace OUT_DIR if an earlier publish wrote it.")
    ] = False,
) -> None:
    """A read-only copy for Datasette: OUT_DIR/cahtracker.db and its metadata.json.

    The copy holds the data tables, the derived answers as tables (current_sponsors,
    latest_stances, vote_tallies, sponsor_count_vs_claims), regional_groups and full-text
    search; the change log (and undone text), settings, migrations and who wrote each row
    (origin) are dropped.
    metadata.json gives titles, sources, the licence and canned queries.
    """
    from cahtracker.publish import (
        DATABASE_NAME,
        publish,
        refuse_busy_port,
        serve_command,
        view_command,
    )

    command = serve_command(out_dir, port) if serve else None  # no extra: refused before writing
    if serve:
        refuse_busy_port(port)  # a busy port: refused before writing
    store = get_store(ctx)
    with working("Publishing…"):
        result = publish(store, out_dir, overwrite=force)
    tables = result["tables"]
    message(
        f"Published {len(tables)} tables ({sum(tables.values()):,} rows) to "
        f"{result['database']} with {result['metadata']}; dropped: "
        f"{', '.join(result['dropped'])}"
        + "".join(f" and every {c} column" for c in result["dropped_columns"])
        + "."
    )
    if command is None:
        message(
            f"Look at it with `cahtracker publish {out_dir} --force --serve`, or "
            f"`{view_command(out_dir)}` (-i: immutable, Datasette never writes it)."
        )
        return
    message(f"Serving http://127.0.0.1:{port}/{DATABASE_NAME} (Ctrl-C stops it).")
    _run(store, command)


def _run(store, command: list[str]) -> None:
    """Become the Datasette process (same PID: stopping it stops the server)."""
    import os
    import sys

    store.close()
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(command[0], command)
    import subprocess

    raise typer.Exit(subprocess.call(command))


def register(app: typer.Typer) -> None:
    app.command(
        "publish",
        cls=ResolvedHelpCommand,
        epilog=examples(
            "cahtracker publish site/",
            "cahtracker publish site/ --force   # replaces the earlier publish",
        ),
    )(publish_command)
