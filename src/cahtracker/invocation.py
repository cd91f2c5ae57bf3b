"""CLI state of one invocation: which database file, the open database, the name index."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import typer

from cahtracker.db import APP_NAME, DB_FILENAME, ENV_VAR, Store, open_store


def default_path() -> Path:
    return Path(typer.get_app_dir(APP_NAME)) / DB_FILENAME


def resolve_path(option: str | os.PathLike | None = None) -> Path:
    """`--db`, else `$CAHTRACKER_DB`, else cahtracker.db in the user's app folder."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_path()


@dataclass
class AppState:
    db_option: Path | None = None
    who_option: str | None = None
    store: Store | None = None
    _names: object | None = field(default=None, repr=False)


def app_state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def get_store(ctx: typer.Context) -> Store:
    """The database of this invocation, opened (created, migrated, seeded) on first use."""
    state = app_state(ctx)
    if state.store is None:
        state.store = open_store(resolve_path(state.db_option))
        ctx.find_root().call_on_close(state.store.close)
        state.store.who, state.store.who_error = resolve_who(state.who_option, state.store)
    return state.store


def resolve_who(option: str | None, store: Store) -> tuple[str | None, str | None]:
    """(who writes, why the name given cannot be used): `--who`, else `$CAHTRACKER_WHO`,
    else the database's `who` setting, else nobody. A bad `--who` is refused at once; a bad
    name from the environment or the setting only refuses a write (`Store.write`), naming
    where it came from, so that reading commands and `db check` still run."""
    from cahtracker.db.ids import WHO_ENV, WHO_SETTING, clean_who
    from cahtracker.errors import CahError

    if option is not None:  # given on the command line: "" or a blank is a mistake too
        return clean_who(option, "--who"), None
    text, source = os.environ.get(WHO_ENV), WHO_ENV
    if not (text or "").strip():
        try:
            text, source = store.setting(WHO_SETTING), f"the {WHO_SETTING} setting (table settings)"
        except sqlite3.DatabaseError:  # a damaged file: `db check` says; the name is a label
            return None, None
    if not (text or "").strip():
        return None, None
    try:
        return clean_who(text, source), None
    except CahError as error:
        return None, str(error)


def get_names(ctx: typer.Context):
    """The state-name index (built once per command from the open database)."""
    from cahtracker.names import NameIndex

    state = app_state(ctx)
    if state._names is None:
        state._names = NameIndex.load(get_store(ctx))
    return state._names
