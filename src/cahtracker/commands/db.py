"""`cahtracker db`: where the database is, set it up, check it, its change log and undo."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state, complete_symbol
from cahtracker.commands.options import INT_MAX, INT_MIN, CahTyper, FormatOption, examples
from cahtracker.errors import CahError
from cahtracker.invocation import app_state, get_names, get_store, resolve_path
from cahtracker.safe_text import for_terminal_line
from cahtracker.views.layout import WRAP
from cahtracker.views.listing import OPTIONAL, Column, Listing
from cahtracker.views.render import OutputFormat, message, render

app = CahTyper(
    epilog=examples(
        "cahtracker db log -n 5",
        "cahtracker db check",
    ),
    help="The database file: path, set-up and checks.",
    no_args_is_help=True,
)


@app.command(
    "path",
    epilog=examples(
        "cahtracker db path",
        "cahtracker --db other.db db path",
    ),
)
def path_command(ctx: typer.Context) -> None:
    """Print the path of the database this command would use."""
    typer.echo(for_terminal_line(str(resolve_path(app_state(ctx).db_option))))


@app.command(
    "init",
    epilog=examples(
        "cahtracker db init",
        "cahtracker --db other.db db init",
    ),
)
def init_command(ctx: typer.Context) -> None:
    """Create, migrate and seed the database (safe to run again)."""
    store = get_store(ctx)
    states = store.scalar("SELECT count(*) FROM states")
    message(f"Database ready at {store.path} ({states} states).")


@app.command(
    "backup",
    epilog=examples(
        "cahtracker db backup cah-backup.db",
        "cahtracker db backup cah-backup.db --force",
    ),
)
def backup_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it is an earlier backup.")
    ] = False,
    without_log: Annotated[
        bool,
        typer.Option(
            "--without-log", help="Leave the change log (and undone text) out of the copy."
        ),
    ] = False,
) -> None:
    """Copy the database to FILE with SQLite's online backup API (safe while others write)."""
    from cahtracker.db.maintenance import backup_database

    if str(file) == "-":  # before the database is opened: nothing is written
        raise CahError(
            "A backup is a database file, so it cannot go to standard output; give a path "
            "(cahtracker db backup cah-backup.db)."
        )
    result = backup_database(get_store(ctx), file, overwrite=force, without_log=without_log)
    log = ", without the change log" if without_log else ""
    message(
        f"Backed up {get_store(ctx).path} to {result['path']} ({result['bytes']:,} bytes{log})."
    )


@app.command(
    "check",
    epilog=examples(
        "cahtracker db check",
    ),
)
def check_command(ctx: typer.Context) -> None:
    """Check integrity, foreign keys and migrations; exit 1 on any problem."""
    from cahtracker.db.maintenance import check_database

    problems, summary = check_database(get_store(ctx))
    for line in summary:
        message(line)
    if problems:
        raise CahError("; ".join(problems))


class OnConflict(StrEnum):
    keep_both = "keep-both"
    ours = "ours"
    theirs = "theirs"


@app.command(
    "merge",
    epilog=examples(
        "cahtracker db backup alice.db   # the copy a member works on and sends back",
        "cahtracker db merge alice.db --dry-run   # then without --dry-run",
    ),
)
def merge_command(
    ctx: typer.Context,
    other: Annotated[
        Path, typer.Argument(help="Another member's copy (made with `db backup`); only read.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would come in; write nothing.")
    ] = False,
    on_conflict: Annotated[
        OnConflict | None,
        typer.Option(
            "--on-conflict",
            help="For conflicts the database cannot keep side by side (one ballot of a "
            "state in a vote, one fact with two contents): keep ours, take theirs, or "
            "keep-both where one can (default: refuse the merge and list them).",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Bring in every fact OTHER has and this database lacks, in one undoable batch; facts
    that are the same are kept once, conflicts are reported (README: Working as a coalition)."""
    from cahtracker.merge import merge_database
    from cahtracker.views.merge import MergeReportView

    report = merge_database(
        get_store(ctx),
        other,
        dry_run=dry_run,
        on_conflict=on_conflict.value if on_conflict else None,
    )
    render(MergeReportView(report), fmt)
    if report["refused"]:  # a dry run of a merge that would be refused says so, and fails
        raise typer.Exit(1)


def _number(row: dict) -> str:
    return f"{row['first_id']}–{row['id']}" if row["action"] == "batch" else str(row["id"])


def _state(row: dict) -> str:
    if row["undone"]:
        return "undone"
    if row.get("partly_undone"):
        return "partly undone"
    if row.get("undoes_batch"):
        return f"undoes batch {row['undoes_batch']}"
    return f"undoes #{row['undoes']}" if row["undoes"] else ""


@app.command(
    "log",
    epilog=examples(
        "cahtracker db log -n 10 --wide   # with who wrote each change and its row's global id",
        "cahtracker db log -d A/C.6/79/L.2/Rev.1 -f json",
    ),
)
def log_command(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            help="How many lines (changes), newest first.",
            min=INT_MIN,
            max=INT_MAX,
        ),
    ] = 20,
    table: Annotated[
        str | None, typer.Option("--table", help="Only changes to this table (see `db log`).")
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="Only changes about this state (name, alias or code).",
            autocompletion=complete_state,
        ),
    ] = None,
    doc: Annotated[
        str | None,
        typer.Option(
            "--doc",
            "-d",
            help="Only changes about this document symbol.",
            autocompletion=complete_symbol,
        ),
    ] = None,
    command: Annotated[
        str | None,
        typer.Option(
            "--command", help="Only this command ('sponsors add'; 'vote': every vote command)."
        ),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option(
            "--batch", help="Only this batch, every change of it.", min=INT_MIN, max=INT_MAX
        ),
    ] = None,
    gid: Annotated[
        str | None,
        typer.Option("--gid", help="Only changes to the row of this global id (see --wide)."),
    ] = None,
    each: Annotated[
        bool, typer.Option("--each", help="One line per change, also for an import.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    purge_undone: Annotated[
        bool,
        typer.Option(
            "--purge-undone",
            help="Delete undone changes and their undo records for good (their text too; "
            "nothing undone can be redone after).",
        ),
    ] = False,
) -> None:
    """List recent changes (every write of every command) in words, newest first; an import
    is one line (`--batch B` or `--each` lists its changes)."""
    from cahtracker.db.changes import LogFilter, change_log, logged_tables

    if purge_undone:
        _purge(ctx)
        return

    store = get_store(ctx)
    tables = logged_tables(store) if table is not None else ()
    if table is not None and table not in tables:
        known = ", ".join(tables) or "none yet"
        raise CahError(f"No change to a table '{table}' in the log; tables in the log: {known}.")
    values = []
    if state is not None:
        values.append(("iso3", get_names(ctx).resolve(state).iso3))
    if doc is not None:
        from cahtracker.documents import find_document

        found = find_document(store, doc.strip())
        values.append(("symbol", found["symbol"] if found else doc.strip()))
    if gid is not None:
        values.append(("gid", gid.strip().lower()))
    where = LogFilter(
        table=table,
        command=" ".join(command.split()) if command else None,
        values=tuple(values),
        batch=batch,
    )
    listing = Listing(
        change_log(store, limit, where, each=each),
        [
            Column("id", "#", _number),
            ("batch", "Batch"),
            ("at", "At (UTC)", OPTIONAL),
            ("command", "Command"),
            ("who", "Who", OPTIONAL),
            ("description", "What", WRAP),
            Column("state", "State", _state),
            ("gid", "Global id", OPTIONAL),
        ],
        title="Changes",
        empty="No changes match." if (table or values or command or batch) else "No changes yet.",
    )
    render(listing, fmt)


def _purge(ctx: typer.Context) -> None:
    from cahtracker.db.changes import purge_undone

    result = purge_undone(get_store(ctx))
    wal = (
        " Another command was reading: run it again later to truncate the -wal file too."
        if result["wal_busy"]
        else ""
    )
    message(
        f"Purged {result['undone']} undone changes and {result['undo_records']} undo records; "
        f"VACUUM rewrote the file ({result['bytes_before']:,} -> {result['bytes_after']:,} "
        f"bytes).{wal}"
    )


def _undone(done: list[dict]) -> str:
    return "; ".join(d["description"] for d in done)


@app.command(
    "undo",
    epilog=examples(
        'cahtracker sponsors claim 99 --date 2024-11-23 --source "..."   # a write ...',
        "cahtracker db undo   # ... taken back as a whole",
    ),
)
def undo_command(
    ctx: typer.Context,
    change_id: Annotated[
        int | None,
        typer.Option(
            "--id", help="Undo this one change only (see `db log`).", min=INT_MIN, max=INT_MAX
        ),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option(
            "--batch",
            help="Undo this whole batch (see `db log`); an undo's batch: redo.",
            min=INT_MIN,
            max=INT_MAX,
        ),
    ] = None,
) -> None:
    """Undo the last command as a whole (or one change: --id N), unless later changes depend on it."""
    from cahtracker.db.changes import undo_batch, undo_change

    if change_id is not None and batch is not None:
        raise CahError("Give --id (one change) or --batch (a whole command), not both.")
    if change_id is not None:
        done = [undo_change(get_store(ctx), change_id)]
        command = done[0]["command"]
        label = None
    else:
        result = undo_batch(get_store(ctx), batch)
        done, command, label = result["changes"], result["command"], result["batch"]
    if len(done) == 1:
        only = done[0]
        message(f"Undid change #{only['id']} ({only['command']}): {only['description']}.")
        return
    if len(done) > 5:  # an import: what it was, counted (`db log --batch` has every row)
        which = f"#{done[0]['id']} back to #{done[-1]['id']}: {result['summary']}"
    else:
        which = _undone(done)
    message(f"Undid batch {label} ({command}): {len(done)} changes: {which}.")
