"""`cahtracker position`: what each state said on each contested topic, and how that changed."""

from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state, complete_topic
from cahtracker.commands.options import (
    AsOfOption,
    CahTyper,
    FormatOption,
    GroupOption,
    OfficialOnlyOption,
    UnsourcedOption,
    examples,
    value_of,
)
from cahtracker.errors import CahError
from cahtracker.invocation import get_names, get_store
from cahtracker.views.listing import OPTIONAL, TEXT, Listing, source_column
from cahtracker.views.render import OutputFormat, message, render

app = CahTyper(
    epilog=examples(
        "cahtracker position list --topic treaty",
        "cahtracker position matrix",
    ),
    help="States' stances (support, oppose, mixed, undecided) on the treaty and its contested topics.",
    no_args_is_help=True,
)


POSITION_COLUMNS = [
    ("iso3", "ISO3", OPTIONAL),
    ("name", "State"),
    ("topic", "Topic"),
    ("stance", "Stance"),
    ("date", "Date"),
    ("date_precision", "Precision", OPTIONAL),
    source_column(),
    ("source_kind", "Source kind", OPTIONAL),
    ("quote", "Quote", TEXT),
    ("quote_kind", "Quote kind", OPTIONAL),
]


def _states(n: int) -> str:
    return f"{n} state" if n == 1 else f"{n} states"


def _group(text: str | None) -> str | None:
    from cahtracker.states import resolve_group

    return None if text is None else resolve_group(text)


@app.command(
    "set",
    epilog=examples(
        'cahtracker position set France --topic treaty --stance support --date 2024-10-10 --source "..." --quote "..."   # illustrative',
    ),
)
def set_command(
    ctx: typer.Context,
    states: Annotated[
        list[str],
        typer.Argument(
            help="States: names, aliases or ISO codes; each may be a list ('A, B and C').",
            autocompletion=complete_state,
        ),
    ],
    topic: Annotated[
        str,
        typer.Option(
            "--topic",
            "-t",
            help="Topic slug (see `position topics`).",
            autocompletion=complete_topic,
        ),
    ],
    stance: Annotated[
        str, typer.Option("--stance", "-s", help="support, oppose, mixed or undecided.")
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="When the state said it (needed: a date, 'today', or 'unknown' if not known).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Document symbol, meeting record or URL; needed unless --unsourced."
        ),
    ] = None,
    unsourced: UnsourcedOption = False,
    quote: Annotated[
        str | None, typer.Option("--quote", "-q", help="What the state said, kept verbatim.")
    ] = None,
    source_kind: Annotated[
        str | None,
        typer.Option(
            "--source-kind",
            help="What kind of source: un-record, government, press, ngo or secondary.",
        ),
    ] = None,
    quote_kind: Annotated[
        str | None,
        typer.Option(
            "--quote-kind",
            help="How the quote was taken: verbatim, paraphrase or translation.",
        ),
    ] = None,
) -> None:
    """Record a stance of one or more states on a topic (a new event; history is kept)."""
    from cahtracker.positions import resolve_stance, resolve_topic, set_stance

    store = get_store(ctx)
    slug = resolve_topic(store, topic)
    chosen = resolve_stance(stance)
    when, precision = _stance_date(date)
    names = get_names(ctx)
    refs = []
    for argument in states:
        for ref in names.resolve_list(argument, on=when):
            if ref not in refs:
                refs.append(ref)
    rows = set_stance(
        store,
        refs,
        slug,
        chosen,
        when,
        precision,
        source,
        quote,
        source_kind,
        quote_kind,
        unsourced=unsourced,
    )
    when_text = f"{when} ({precision})" if when else "an unknown date"
    for row in rows:
        message(f"{row['name']} ({row['iso3']}): {chosen} on {slug}, {when_text}.")


def _stance_date(text: str | None) -> tuple[str | None, str]:
    """(date, precision) of `--date`: required, since a stance dated today by default would
    override older, dated ones; `today` and `unknown` are said on purpose."""
    from cahtracker.dates import parse_date

    if text is None:
        raise CahError(
            "A stance needs its date: give --date DATE (when the state said it), "
            "--date today, or --date unknown. Nothing was recorded."
        )
    if text.strip().casefold() == "unknown":
        return None, "unknown"
    parsed = parse_date(text)
    return parsed.value, parsed.precision


@app.command(
    "delete",
    epilog=examples(
        'cahtracker position set Peru --topic treaty --stance mixed --date 2024-11-22 --source "..."   # a mistake ...',
        "cahtracker position delete Peru --topic treaty --date 2024-11-22   # ... deleted",
    ),
)
def delete_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="A stance's id (see `position history`), or a state with --topic and --date.",
            autocompletion=complete_state,
        ),
    ],
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            help="The stance's topic (with a state).",
            autocompletion=complete_topic,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="The stance's date, or 'unknown' (with a state)."),
    ] = None,
) -> None:
    """Delete a stance recorded by mistake (a changed stance is history: `set` a new one)."""
    from cahtracker.positions import delete_stances, resolve_topic

    store = get_store(ctx)
    if target.strip().isdigit():
        if topic is not None or date is not None:
            raise CahError("Give a stance's id alone, or a state with --topic and --date.")
        rows = delete_stances(store, event_id=int(target))
    else:
        if topic is None or date is None:
            raise CahError(
                f"To delete a stance of '{target}' give --topic and --date (or 'unknown'), "
                "or give the stance's id (see `cahtracker position history`)."
            )
        slug = resolve_topic(store, topic)
        when, _ = _stance_date(date)
        ref = get_names(ctx).resolve(target, on=when)
        rows = delete_stances(store, ref=ref, topic=slug, date=when)
    names = get_names(ctx)
    for row in rows:
        message(
            f"Deleted stance {row['id']}: {names.ref(row['iso3']).label()} {row['stance']} on "
            f"{row['topic']}, {row['date'] or 'an unknown date'} (`cahtracker db undo` puts it back)."
        )


@app.command(
    "list",
    epilog=examples(
        "cahtracker position list --topic treaty",
        "cahtracker position list --stance oppose --as-of 2024-12-01 -f csv",
    ),
)
def list_command(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="Only this topic.", autocompletion=complete_topic),
    ] = None,
    stance: Annotated[str | None, typer.Option("--stance", "-s", help="Only this stance.")] = None,
    group: GroupOption = None,
    as_of: AsOfOption = None,
    official_only: OfficialOnlyOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The latest stance of each state per topic (on --as-of), with date, source and quote;
    sources of the same date side by side, one row each."""
    from cahtracker.positions import list_positions, resolve_stance, resolve_topic

    store = get_store(ctx)
    slug = resolve_topic(store, topic) if topic is not None else None
    chosen = resolve_stance(stance) if stance is not None else None
    resolved_group = _group(group)
    date = value_of(as_of)
    rows = list_positions(store, slug, chosen, resolved_group, date, official_only)
    official = "official sources only" if official_only else None
    title = "Positions" + "".join(
        f" — {part}"
        for part in (slug, chosen, resolved_group, date and f"as of {date}", official)
        if part
    )
    pairs = len({(r["iso3"], r["topic"]) for r in rows})
    footer = f"{len(rows)} stance" + ("" if len(rows) == 1 else "s")
    if pairs != len(rows):
        footer += f" of {pairs} states and topics (sources of the same date side by side)"
    listing = Listing(
        rows,
        POSITION_COLUMNS,
        title=title,
        footer=[footer],
        empty="No stances recorded for this selection.",
    )
    render(listing, fmt)


@app.command(
    "history",
    epilog=examples(
        "cahtracker position history Mexico",
        "cahtracker position history RUS --topic treaty -f json",
    ),
)
def history_command(
    ctx: typer.Context,
    state: Annotated[
        str, typer.Argument(help="A state: name, alias or ISO code.", autocompletion=complete_state)
    ],
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="Only this topic.", autocompletion=complete_topic),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Every stance a state took, oldest first (undated ones first)."""
    from cahtracker.positions import position_history, resolve_topic

    store = get_store(ctx)
    slug = resolve_topic(store, topic) if topic is not None else None
    ref = get_names(ctx).resolve(state)
    rows = position_history(store, ref.iso3, slug)
    listing = Listing(
        rows,
        [("id", "#"), *POSITION_COLUMNS],
        title=f"Positions of {ref.name}" + (f" — {slug}" if slug else ""),
        empty=f"No stances recorded for {ref.name}.",
    )
    render(listing, fmt)


@app.command(
    "topics",
    epilog=examples(
        "cahtracker position topics",
        "cahtracker position topics -f json",
    ),
)
def topics_command(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The topics positions are about, with the number of states that took a stance."""
    from cahtracker.positions import topics

    listing = Listing(
        topics(get_store(ctx)),
        [
            ("slug", "Slug"),
            ("title", "Title", TEXT),
            ("description", "Description", TEXT),
            ("states", "States"),
        ],
        title="Topics",
    )
    render(listing, fmt)


@app.command(
    "topic-add",
    epilog=examples(
        'cahtracker position topic-add amnesties --title "Amnesties" --description "..."   # illustrative',
    ),
)
def topic_add_command(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short lowercase name, e.g. 'immunities'.")],
    title: Annotated[str, typer.Option("--title", help="Title shown in listings.")],
    description: Annotated[
        str | None, typer.Option("--description", help="What the topic is about.")
    ] = None,
) -> None:
    """Add a topic that states can take positions on."""
    from cahtracker.positions import add_topic

    row = add_topic(get_store(ctx), slug, title, description)
    message(f"Added topic {row['slug']}: {row['title']}.")


@app.command(
    "matrix",
    epilog=examples(
        "cahtracker position matrix",
        "cahtracker position matrix --topic treaty --group GRULAC --all",
    ),
)
def matrix_command(
    ctx: typer.Context,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            help="Only these topics (repeat the option).",
            autocompletion=complete_topic,
        ),
    ] = None,
    group: GroupOption = None,
    as_of: AsOfOption = None,
    all_states: Annotated[
        bool, typer.Option("--all", help="Show every state, also those with no stance.")
    ] = False,
    official_only: OfficialOnlyOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """States × topics: each state's latest stance, with a legend and per-topic counts."""
    from cahtracker.positions import resolve_topic, stance_matrix, topic_slugs

    store = get_store(ctx)
    if topic:
        slugs = []
        for text in topic:
            slug = resolve_topic(store, text)
            if slug not in slugs:
                slugs.append(slug)
    else:
        slugs = topic_slugs(store)
    resolved_group = _group(group)
    date = value_of(as_of)
    rows, counts = stance_matrix(store, slugs, resolved_group, date, all_states, official_only)
    official = "official sources only" if official_only else None
    title = "Stances by state and topic" + "".join(
        f" — {part}" for part in (resolved_group, date and f"as of {date}", official) if part
    )
    count_lines = [
        f"{slug}: "
        + ", ".join(f"{n} {stance}" for stance, n in by_stance.items())
        + f" ({_states(sum(by_stance.values()))})"
        for slug, by_stance in counts.items()
    ]
    from cahtracker.views.matrix import MatrixView

    render(MatrixView(rows, slugs, title, count_lines), fmt)
