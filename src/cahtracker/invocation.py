"""What every command shares: the open database for this invocation, and the name index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from cahtracker.db import Store, open_store, resolve_path


@dataclass
class AppState:
    db_option: Path | None = None
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
    return state.store


def get_names(ctx: typer.Context):
    """The state-name index (built once per command from the open database)."""
    from cahtracker.names import NameIndex

    state = app_state(ctx)
    if state._names is None:
        state._names = NameIndex.load(get_store(ctx))
    return state._names
