"""`cahtracker sponsors`: who sponsors a text, since when, and the reported counts.

`sponsors list` is the command people type most: its path imports no sqlite_utils and no
dateutil (a date is parsed only when --as-of is given).
"""

from enum import StrEnum
from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state
from cahtracker.commands.options import (
    AsOfOption,
    DateOption,
    DocOption,
    FormatOption,
    GroupOption,
    SourceOption,
    UnsourcedOption,
    date_option,
    examples,
    value_of,
)
from cahtracker.dates import ParsedDate
from cahtracker.errors import CahError
from cahtracker.invocation import get_names, get_store
from cahtracker.views.listing import OPTIONAL, TEXT, Column, Listing, source_column
from cahtracker.views.render import OutputFormat, message, render

app = typer.Typer(
    epilog=examples(
        "cahtracker sponsors list",
        "cahtracker sponsors count",
    ),
    help="Sponsors of a document: list, add, withdraw, history, and reported counts.",
    no_args_is_help=True,
)


class Role(StrEnum):
    main = "main"
    co = "co"


RoleOption = Annotated[Role, typer.Option("--role", help="main sponsor or co-sponsor.")]
StatesArgument = Annotated[
    list[str],
    typer.Argument(
        help="States: names, aliases or ISO codes; each may be a list 'A, B and C'.",
        autocompletion=complete_state,
    ),
]

SPONSOR_COLUMNS = [
    ("role", "Role"),
    ("name", "State"),
    ("iso3", "ISO3", OPTIONAL),
    ("regional_group", "Regional group", OPTIONAL),
    ("joined_on", "Joined"),
    ("date_precision", "Precision", OPTIONAL),
    source_column(),
    ("inherited_from", "Inherited from", OPTIONAL),
]


def _refs(ctx: typer.Context, texts: list[str], on: str | None) -> list:
    names = get_names(ctx)
    return [ref for text in texts for ref in names.resolve_list(text, on=on)]


def _when(date: str | None, precision: str | None) -> str:
    """A date with its precision, as a person would say it."""
    if date is None:
        return "date unknown"
    if precision == "on-or-before":
        return f"on or before {date}"
    return date if precision in (None, "day") else f"{date} ({precision})"


def _labels(refs) -> str:
    return ", ".join(r.label() for r in refs)


@app.command(
    "list",
    epilog=examples(
        "cahtracker sponsors list",
        "cahtracker sponsors list --as-of 2024-10-01 --group GRULAC -f json",
    ),
)
def list_command(
    ctx: typer.Context,
    doc: DocOption = None,
    as_of: AsOfOption = None,
    group: GroupOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The sponsors of a document (main first, then co-sponsors, by name), with a count by group."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import list_sponsors
    from cahtracker.states import group_counts

    store = get_store(ctx)
    on = value_of(as_of)
    resolved_group = None
    if group:
        from cahtracker.states import resolve_group

        resolved_group = resolve_group(group)
    symbol = resolve_symbol(store, doc)
    rows = list_sponsors(store, symbol, on, resolved_group)
    counts = ", ".join(f"{g}: {n}" for g, n in group_counts(rows).items())
    main = sum(1 for r in rows if r["role"] == "main")
    footer = [
        f"{counts + ' — ' if counts else ''}{len(rows)} sponsors ({main} main, {len(rows) - main} co)"
    ]
    title = f"Sponsors of {symbol}" + (f" as of {on}" if on else "")
    if resolved_group:
        title += f" — {resolved_group}"
    render(Listing(rows, SPONSOR_COLUMNS, title, footer, empty=f"{title}: none."), fmt)


@app.command(
    "add",
    epilog=examples(
        'cahtracker sponsors add "Albania, Andorra and Zambia" --date 2024-11-20 --source "..."   # illustrative',
        'cahtracker sponsors add "Costa Rica" --role main --date "by 22 November 2024" -d A/C.6/79/L.2 --source "..."',
    ),
)
def add_command(
    ctx: typer.Context,
    states: StatesArgument,
    doc: DocOption = None,
    role: RoleOption = Role.co,
    date: DateOption = None,
    source: SourceOption = None,
    unsourced: UnsourcedOption = False,
) -> None:
    """Record that states joined as sponsors (an event; a state already sponsoring is left alone)."""
    _add(ctx, states, doc, role, date, source, unsourced, "sponsors add")


def _add(
    ctx: typer.Context,
    texts: list[str],
    doc: str | None,
    role: Role,
    when: ParsedDate | None,
    source: str | None,
    unsourced: bool,
    command: str,
    origin: str | None = None,
) -> None:
    """`add` and `import`: resolve every name first, then record the joinings in one write."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import add_sponsors

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    refs = _refs(ctx, texts, when.value if when else None)
    if not refs:  # e.g. only commas: refused rather than a silent "nothing added"
        what = origin or ", ".join(texts)
        raise CahError(f"'{what}' holds no state names; give one name a line or 'A, B and C'.")
    result = add_sponsors(
        store, symbol, refs, role.value, when, source, command=command, unsourced=unsourced
    )
    _report_added(symbol, result, refs)


def _report_added(symbol: str, result: dict, refs) -> None:
    added, already = result["added"], result["already"]
    if added:
        labels = {r.iso3: r.label() for r in refs}
        first = added[0]
        message(
            f"Added {len(added)} {'sponsor' if len(added) == 1 else 'sponsors'} of {symbol} "
            f"({first['role']}, {_when(first['date'], first['date_precision'])}): "
            + ", ".join(labels[e["iso3"]] for e in added)
            + "."
        )
    if already:
        who = ", ".join(
            f"{r['name']} ({r['iso3']}, {r['role']} since {r['joined_on'] or 'an unknown date'})"
            for r in already
        )
        lead = "Nothing recorded: already" if not added else "Already"
        message(f"{lead} {'a sponsor' if len(already) == 1 else 'sponsors'} of {symbol}: {who}.")


@app.command(
    "withdraw",
    epilog=examples(
        'cahtracker sponsors withdraw Czechia --date 2024-11-30 --source "..."   # illustrative',
    ),
)
def withdraw_command(
    ctx: typer.Context,
    states: StatesArgument,
    doc: DocOption = None,
    date: DateOption = None,
    source: SourceOption = None,
    unsourced: UnsourcedOption = False,
) -> None:
    """Record that sponsors withdrew (each must be a sponsor on that date)."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import withdraw_sponsors

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    refs = _refs(ctx, states, value_of(date))
    events = withdraw_sponsors(store, symbol, refs, date, source, unsourced=unsourced)
    message(
        f"Withdrew {len(events)} {'sponsor' if len(events) == 1 else 'sponsors'} of {symbol} "
        f"({_when(events[0]['date'], events[0]['date_precision'])}): {_labels(refs)}."
    )


@app.command(
    "remove",
    epilog=examples(
        'cahtracker sponsors add Chile --date 2024-11-20 --source "..."   # a mistake ...',
        "cahtracker sponsors remove Chile   # ... removed (a real withdrawal: `sponsors withdraw`)",
    ),
)
def remove_command(
    ctx: typer.Context,
    states: StatesArgument,
    doc: DocOption = None,
) -> None:
    """Delete a state's sponsorship events on a document: a recorded mistake (undo: `db undo`).

    A withdrawal that happened is history: record it with `sponsors withdraw` instead.
    """
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import remove_sponsors

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    refs = _refs(ctx, states, None)
    removed = remove_sponsors(store, symbol, refs)
    labels = {r.iso3: r.label() for r in refs}
    events = "; ".join(
        f"{labels[e['iso3']]} {e['action']} {_when(e['date'], e['date_precision'])}"
        for e in removed
    )
    message(
        f"Removed {len(removed)} sponsorship {'event' if len(removed) == 1 else 'events'} "
        f"of {symbol}: {events} (`cahtracker db undo` puts "
        f"{'it' if len(removed) == 1 else 'them'} back)."
    )


@app.command(
    "history",
    epilog=examples(
        "cahtracker sponsors history",
        "cahtracker sponsors history Mexico -d A/C.6/79/L.2",
    ),
)
def history_command(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Argument(help="Only this state.", autocompletion=complete_state)
    ] = None,
    doc: DocOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Every sponsorship event of a document and the texts it revises, with dates and sources."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import sponsor_history

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    ref = get_names(ctx).resolve(state) if state else None
    rows = sponsor_history(store, symbol, ref.iso3 if ref else None)
    title = f"Sponsorship events of {symbol}" + (f" — {ref.name}" if ref else "")
    listing = Listing(
        rows,
        [
            ("date", "Date"),
            ("date_precision", "Precision", OPTIONAL),
            ("name", "State"),
            ("iso3", "ISO3", OPTIONAL),
            ("action", "Action"),
            ("role", "Role"),
            ("symbol", "Document"),
            source_column(),
        ],
        title=title,
        empty=f"{title}: none.",
    )
    render(listing, fmt)


@app.command(
    "count",
    epilog=examples(
        "cahtracker sponsors count",
        "cahtracker sponsors count --as-of 2024-11-01 -f json",
    ),
)
def count_command(
    ctx: typer.Context,
    doc: DocOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Recorded sponsors (by group) next to every reported count, the latest one and the gap."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import count_summary, gap_line

    store = get_store(ctx)
    on = value_of(as_of)
    summary = count_summary(store, resolve_symbol(store, doc), on)
    latest = summary["latest_claim"]
    rows = [
        {
            "document": summary["document"],
            "recorded": summary["recorded"],
            **claim,
            "latest": claim is latest,
        }
        for claim in summary["claims"]
    ]
    groups = ", ".join(f"{g}: {n}" for g, n in summary["by_group"].items() if n) or "none"
    title = f"Sponsors of {summary['document']}" + (f" as of {on}" if on else "")
    listing = Listing(
        rows,
        [
            ("count", "Reported"),
            ("date", "Date"),
            ("date_precision", "Precision", OPTIONAL),
            ("symbol", "For"),
            ("source", "Source", TEXT),
            Column("latest", "", lambda r: "latest" if r["latest"] else ""),
        ],
        title=f"{title}: {summary['recorded']} recorded",
        footer=[f"Recorded by group: {groups}", gap_line(summary)],
        empty=f"{title}: {summary['recorded']} recorded, no reported counts.\nRecorded by group: {groups}",
        data=summary,
        csv_columns=("document", "recorded", "count", "date"),
    )
    render(listing, fmt)


@app.command(
    "claim",
    epilog=examples(
        'cahtracker sponsors claim 99 --date 2024-11-23 --source "Mexico SRE press release 028"',
    ),
)
def claim_command(
    ctx: typer.Context,
    count: Annotated[int, typer.Argument(help="The number of sponsors reported.", min=0)],
    date: Annotated[ParsedDate, date_option("--date", help="The date the count refers to.")],
    source: Annotated[str, typer.Option("--source", help="Who reported it, where.")],
    doc: DocOption = None,
    note: Annotated[str | None, typer.Option("--note", help="A quote or remark.")] = None,
) -> None:
    """Record a reported sponsor count (kept beside the others, never merged)."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import add_claim

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    row = add_claim(store, symbol, count, date, source, note)
    message(f"Recorded claim #{row['id']}: {row['count']} sponsors of {symbol} on {row['date']}.")


@app.command(
    "import",
    epilog=examples(
        'cahtracker sponsors import cosponsors.txt --date 2024-11-22 --source "..."   # "A, B and C" or one name a line',
    ),
)
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="A text file ('A, B and C' or one name a line), or - for stdin.")
    ],
    doc: DocOption = None,
    role: RoleOption = Role.co,
    date: DateOption = None,
    source: SourceOption = None,
    unsourced: UnsourcedOption = False,
) -> None:
    """Add every state of a list as UN documents print it; one unknown name refuses the whole file."""
    from cahtracker.sponsors import read_state_list

    _add(
        ctx,
        [read_state_list(file)],
        doc,
        role,
        date,
        source,
        unsourced,
        "sponsors import",
        origin=file,
    )
