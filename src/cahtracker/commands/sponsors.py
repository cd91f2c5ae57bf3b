"""`cahtracker sponsors`: who sponsors a text, since when, and the reported counts.

`sponsors list` is the command people type most: its path imports no sqlite_utils and no
dateutil (a date is parsed only when --as-of is given).
"""

from enum import StrEnum
from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state, complete_symbol
from cahtracker.commands.options import (
    INT_MAX,
    AsOfOption,
    CahTyper,
    DateOption,
    DocOption,
    FormatOption,
    GroupOption,
    ResolvedHelpCommand,
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

app = CahTyper(
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


def _joined(row: dict) -> str:
    """The date of a joining with its precision in the cell (`dates.date_cell`)."""
    from cahtracker.dates import date_cell

    return date_cell(row.get("joined_on"), row.get("date_precision"), row.get("joined_after"))


SPONSOR_COLUMNS = [
    ("role", "Role"),
    ("name", "State"),
    ("iso3", "ISO3", OPTIONAL),
    ("regional_group", "Regional group", OPTIONAL),
    Column("joined_on", "Joined", _joined),  # ≤2023-11-15: the precision is in the cell
    ("listed_as", "Listed as", OPTIONAL),
    source_column(),
    ("source_kind", "Source kind", OPTIONAL),
    ("inherited_from", "Inherited from", OPTIONAL),
]


def _refs(ctx: typer.Context, texts: list[str], on: str | None) -> list:
    names = get_names(ctx)
    return [ref for text in texts for ref in names.resolve_list(text, on=on)]


def _sponsors(count: int) -> str:
    return f"{count:,} {'sponsor' if count == 1 else 'sponsors'}"


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
    rows, notes = list_sponsors(store, symbol, on, resolved_group)
    counts = ", ".join(f"{g}: {n}" for g, n in group_counts(rows).items())
    main = sum(1 for r in rows if r["role"] == "main")
    footer = [
        f"{counts + ' — ' if counts else ''}{_sponsors(len(rows))} ({main} main, {len(rows) - main} co)",
        *(f"Note: {n['text']} ({n['source']})" for n in notes),
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
    """`add`: resolve every name first, then record the joinings in one write."""
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
    from cahtracker.views.sponsor_import import when_text

    added, already = result["added"], result["already"]
    if added:
        labels = {r.iso3: r.label() for r in refs}
        first = added[0]
        message(
            f"Added {len(added)} {'sponsor' if len(added) == 1 else 'sponsors'} of {symbol} "
            f"({first['role']}, {when_text(first['date'], first['date_precision'])}): "
            + ", ".join(labels[e["iso3"]] for e in added)
            + "."
        )
    if already:
        from cahtracker.views.sponsor_import import already_line

        entries = [
            (
                r["name"],
                r["iso3"],
                f"{r['role']} since "
                + (
                    when_text(r["joined_on"], r["date_precision"], r.get("joined_after"))
                    if r["joined_on"] or r.get("joined_after")
                    else "an unknown date"
                ),
            )
            for r in already
        ]
        message(already_line(symbol, entries, bool(added)))


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
    from cahtracker.views.sponsor_import import when_text

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    refs = _refs(ctx, states, value_of(date))
    events = withdraw_sponsors(store, symbol, refs, date, source, unsourced=unsourced)
    message(
        f"Withdrew {len(events)} {'sponsor' if len(events) == 1 else 'sponsors'} of {symbol} "
        f"({when_text(events[0]['date'], events[0]['date_precision'])}): {_labels(refs)}."
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
    from cahtracker.views.sponsor_import import when_text

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    refs = _refs(ctx, states, None)
    removed = remove_sponsors(store, symbol, refs)
    labels = {r.iso3: r.label() for r in refs}
    events = "; ".join(
        f"{labels[e['iso3']]} {e['action']} {when_text(e['date'], e['date_precision'])}"
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
            Column("date", "Date", _event_date),
            ("name", "State"),
            ("iso3", "ISO3", OPTIONAL),
            ("action", "Action"),
            ("role", "Role"),
            ("listed_as", "Listed as", OPTIONAL),
            ("symbol", "Document"),
            source_column(),
            ("source_kind", "Source kind", OPTIONAL),
        ],
        title=title,
        empty=f"{title}: none.",
    )
    render(listing, fmt)


def _event_date(row: dict) -> str:
    from cahtracker.dates import date_cell

    return date_cell(row["date"], row["date_precision"], row["after"])


@app.command(
    "diff",
    epilog=examples(
        "cahtracker sponsors diff A/C.6/79/L.2 A/C.6/79/L.2/Rev.1",
        "cahtracker sponsors diff A/C.6/79/L.2/Rev.1 --as-of 2024-10-01 --all",
    ),
)
def diff_command(
    ctx: typer.Context,
    first: Annotated[
        str, typer.Argument(help="A document symbol.", autocompletion=complete_symbol)
    ],
    second: Annotated[
        str | None,
        typer.Argument(
            help="Another document (default: FIRST at another date).",
            autocompletion=complete_symbol,
        ),
    ] = None,
    as_of: Annotated[
        list[ParsedDate] | None,
        date_option(
            "--as-of",
            help="The date of the lists: once for both, or twice (the first list's, then the "
            "second's; default: now).",
        ),
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Also the states in both lists.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Compare the sponsors of two documents, or of one document at two dates (--as-of)."""
    from cahtracker.sponsors import compare_sponsors, sponsor_list_label

    dates = [d.value for d in as_of or []]
    if len(dates) > 2:
        raise CahError("Give --as-of at most twice: the first list's date, then the second's.")
    if second is None and not dates:
        raise CahError(
            f"Nothing to compare {first} with: give a second document, or --as-of DATE (the "
            "list then against now) or --as-of twice."
        )
    if second is None and len(dates) == 1:
        dates.append(None)  # the list on that date against the list now
    elif len(dates) == 1:
        dates.append(dates[0])  # both documents on the same date
    first_on, second_on = [*dates, None, None][:2]
    result = compare_sponsors(get_store(ctx), first, second, first_on, second_on, everyone)
    a = sponsor_list_label(result["first"]["document"], first_on)
    b = sponsor_list_label(result["second"]["document"], second_on)
    summary = (
        f"{a}: {_sponsors(result['first']['sponsors'])}; {b}: {result['second']['sponsors']}. "
        f"{result['added']} added, {result['removed']} removed, {result['kept']} in both."
    )
    legend = f"First list: {a}; second: {b}. Added: only in the second; removed: only in the first."
    listing = Listing(
        result["rows"],
        [
            ("name", "State"),
            ("iso3", "ISO3", OPTIONAL),
            ("regional_group", "Regional group", OPTIONAL),
            # the lists' names are in the title and the legend, not in every row or header
            Column(
                "change", "Change", lambda r: "in both" if r["change"] == "kept" else r["change"]
            ),
            Column("first_joined", "Joined (first)", lambda r: _side(r, "first")),
            Column("second_joined", "Joined (second)", lambda r: _side(r, "second")),
        ],
        title=f"Sponsors: {a} → {b}",
        footer=[legend, summary],
        empty=f"Sponsors: {a} → {b}: no difference. {summary}",
        data=result,
        csv_columns=(
            *("iso3", "name", "regional_group", "change", "first_joined", "first_after"),
            *("first_precision", "first_role", "second_joined", "second_after"),
            *("second_precision", "second_role"),
        ),
    )
    render(listing, fmt)


def _side(row: dict, side: str) -> str:
    """When a state joined the list of one side ("" when it is not in that list)."""
    from cahtracker.dates import date_cell

    joined, after, precision = (row[f"{side}_{k}"] for k in ("joined", "after", "precision"))
    if joined is None and after is None and precision is None:
        return ""
    return date_cell(joined, precision, after)


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
            Column("date", "Date", _claim_date),
            ("symbol", "For"),
            ("source", "Source", TEXT),
            ("source_kind", "Source kind", OPTIONAL),
            Column("latest", "Latest", lambda r: "yes" if r["latest"] else ""),
        ],
        title=f"{title}: {summary['recorded']} recorded",
        footer=[f"Recorded by group: {groups}", gap_line(summary)],
        empty=f"{title}: {summary['recorded']} recorded, no reported counts.\nRecorded by group: {groups}",
        data=summary,
        csv_columns=("document", "recorded", "count", "date"),
    )
    render(listing, fmt)


def _claim_date(row: dict) -> str:
    from cahtracker.dates import date_cell

    return date_cell(row["date"], row["date_precision"])


@app.command(
    "claim",
    epilog=examples(
        'cahtracker sponsors claim 99 --date 2024-11-23 --source "Mexico SRE press release 028"',
    ),
)
def claim_command(
    ctx: typer.Context,
    count: Annotated[
        int, typer.Argument(help="The number of sponsors reported.", min=0, max=INT_MAX)
    ],
    date: Annotated[ParsedDate, date_option("--date", help="The date the count refers to.")],
    source: Annotated[str, typer.Option("--source", help="Who reported it, where.")],
    doc: DocOption = None,
    note: Annotated[str | None, typer.Option("--note", help="A quote or remark.")] = None,
    force_count: Annotated[
        bool,
        typer.Option(
            "--force-count", help="Record a count above the member states on its date as reported."
        ),
    ] = False,
) -> None:
    """Record a reported sponsor count (kept beside the others, never merged)."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.sponsors import add_claim

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    row = add_claim(store, symbol, count, date, source, note, force_count=force_count)
    message(f"Recorded claim #{row['id']}: {_sponsors(row['count'])} of {symbol} on {row['date']}.")


@app.command(
    "import",
    cls=ResolvedHelpCommand,
    epilog=examples(
        "cahtracker sponsors import cosponsors.txt --dry-run   # what it would record, nothing written",
        'cahtracker sponsors import cosponsors.txt --date 2024-11-22 --source "..."   # "A, B and C" or one name a line',
    ),
)
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="A UN Digital Library MARCXML file, a draft's PDF or first page, a committee "
            "report's text, or a list of states ('A, B and C' or one a line); - for stdin."
        ),
    ],
    input_format: Annotated[
        str,
        typer.Option(
            "--input-format",
            # {sponsor_formats}: filled in when help is shown, so that no sponsors command
            # imports cahtracker.sponsor_docs (its package, ~4 ms) just to start
            help="What FILE is: auto (from its content, the default), or {sponsor_formats}.",
        ),
    ] = "auto",
    doc: Annotated[
        str | None,
        typer.Option(
            "--doc",
            "-d",
            help="A pasted list only: its document (default: `docs use`).",
            autocompletion=complete_symbol,
        ),
    ] = None,
    role: Annotated[
        Role | None, typer.Option("--role", help="A pasted list only: main or co (default co).")
    ] = None,
    date: Annotated[
        ParsedDate | None,
        date_option("--date", help="A pasted list only: when they joined (default: today)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="A pasted list only: where it comes from."),
    ] = None,
    unsourced: UnsourcedOption = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show what the import would record against the current sponsors; write nothing.",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Record the sponsors a UN document lists (every format, from its content), or a pasted
    list; one unknown name refuses the whole file."""
    from cahtracker.sponsor_import import TextTarget, plan_import, read_input, record_import
    from cahtracker.views.sponsor_import import dry_run_diff, import_summary

    store = get_store(ctx)
    parsed = read_input(file, get_names(ctx), input_format)
    given = [name for name, value in (("--doc", doc), ("--role", role), ("--date", date),
                                      ("--source", source), ("--unsourced", unsourced or None))
             if value is not None]  # fmt: skip
    if parsed.format != "text" and given:
        raise CahError(
            f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} for a pasted list: "
            f"{parsed.origin} is {parsed.format}, whose documents, dates and sources are its "
            "own. Nothing was recorded."
        )
    if parsed.format == "text" and not dry_run:  # a pasted list names no source: it needs one
        from cahtracker.sourcing import require_source

        source = require_source(source, unsourced, "sponsors import")
    target = TextTarget(doc, date, (role or Role.co).value, source)
    if dry_run:  # what it would record; the source rule is the real import's
        plan = plan_import(store, parsed, target)
        render(dry_run_diff(plan), fmt)
        if plan.refusal:
            raise CahError(plan.refusal)
        return
    render(import_summary(record_import(store, parsed, target)), fmt)
