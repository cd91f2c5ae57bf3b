"""`cahtracker analyze`: alignment scores, advocacy targets, a forecast of the next vote."""

from enum import StrEnum
from typing import Annotated

import typer

from cahtracker.commands.completion import complete_group, complete_state, complete_topic
from cahtracker.commands.options import (
    AsOfOption,
    CahTyper,
    DocOption,
    FormatOption,
    date_option,
    examples,
    value_of,
)
from cahtracker.dates import ParsedDate
from cahtracker.invocation import get_names, get_store
from cahtracker.views.listing import OPTIONAL, TEXT, Listing
from cahtracker.views.render import OutputFormat, render, working

app = CahTyper(
    epilog=examples(
        "cahtracker analyze targets",
        "cahtracker analyze forecast",
    ),
    help="Analyse the voting record: alignment, advocacy targets, a forecast of the next vote.",
    no_args_is_help=True,
)

TopicOption = Annotated[
    str,
    typer.Option(
        "--topic",
        help="Topic of the recorded stances (see `position topics`).",
        autocompletion=complete_topic,
    ),
]
FromOption = Annotated[
    ParsedDate | None, date_option("--from", help="Only votes on or after this date.")
]
ToOption = Annotated[
    ParsedDate | None, date_option("--to", help="Only votes on or before this date.")
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        "--subject",
        help="Only votes whose document symbol or title contains this text (any case).",
    ),
]

SCORE_COLUMNS = [
    ("votes", "Votes"),
    ("identical", "Identical"),
    ("agreement", "Agreement"),
    ("score", "Score"),
]
METHOD_NOTE = (
    "Votes: recorded votes both cast yes, no or abstain in. Agreement: share of identical "
    "choices. Score: identical = 1, abstain against yes/no = 1/2, yes against no = 0."
)


class Majority(StrEnum):
    simple = "simple"
    two_thirds = "two-thirds"


def _scope(date_from: ParsedDate | None, date_to: ParsedDate | None, subject: str | None):
    from cahtracker.analysis import scope_bounds

    return scope_bounds(date_from, date_to, subject)


@app.command(
    "align",
    epilog=examples(
        "cahtracker analyze align France",
        'cahtracker analyze align "South Africa" --sponsors',
    ),
)
def align_command(
    ctx: typer.Context,
    state: Annotated[
        str,
        typer.Argument(
            help="The state to score (any name or ISO code).", autocompletion=complete_state
        ),
    ],
    with_state: Annotated[
        str | None,
        typer.Option("--with", help="Score against this one state.", autocompletion=complete_state),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            "-g",
            help="Score against each member of a regional group.",
            autocompletion=complete_group,
        ),
    ] = None,
    sponsors: Annotated[
        bool,
        typer.Option("--sponsors", help="Score against the current sponsors of --doc as a bloc."),
    ] = False,
    doc: DocOption = None,
    as_of: AsOfOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    subject: SubjectOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """How often STATE votes like another state, a group's members, or the sponsors (default: every state, ranked)."""
    from cahtracker.analysis import align
    from cahtracker.documents import resolve_symbol
    from cahtracker.errors import UsageError

    if [with_state is not None, group is not None, sponsors].count(True) > 1:
        raise UsageError("Give at most one of --with, --group and --sponsors.")
    if (doc is not None or as_of is not None) and not sponsors:
        raise UsageError("--doc and --as-of only apply with --sponsors.")
    store = get_store(ctx)
    names = get_names(ctx)
    ref = names.resolve(state)
    other = names.resolve(with_state) if with_state is not None else None
    resolved_group = None
    if group is not None:
        from cahtracker.states import resolve_group

        resolved_group = resolve_group(group)
    symbol = resolve_symbol(store, doc) if sponsors else None
    scope = _scope(date_from, date_to, subject)
    with working("Comparing voting records…"):
        rows = align(
            store,
            ref.iso3,
            with_iso3=other.iso3 if other else None,
            group=resolved_group,
            sponsors_of=symbol,
            as_of=value_of(as_of),
            scope=scope,
        )
    if symbol is not None:
        columns = [("name", "Bloc"), ("bloc_size", "States"), *SCORE_COLUMNS]
        columns.append(("split_votes", "Split (left out)"))
        footer = [
            METHOD_NOTE,
            "The bloc casts the choice most of its other sponsors cast; a tie splits it and the vote is left out.",
        ]
        title = f"{ref.name} against the sponsors of {symbol}"
    else:
        columns = [
            ("rank", "#"),
            ("iso3", "ISO3", OPTIONAL),
            ("name", "State"),
            ("regional_group", "Regional group", OPTIONAL),
            *SCORE_COLUMNS,
        ]
        against = other.name if other else (resolved_group or "every state")
        title = f"{ref.name} against {against}"
        footer = [METHOD_NOTE]
    empty = f"No recorded vote that {ref.name} took part in matches."
    render(Listing(rows, columns, title, footer, empty), fmt)


@app.command(
    "targets",
    epilog=examples(
        "cahtracker analyze targets",
        "cahtracker analyze targets --topic treaty -f csv",
    ),
)
def targets_command(
    ctx: typer.Context,
    doc: DocOption = None,
    topic: TopicOption = "treaty",
    as_of: AsOfOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    subject: SubjectOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Members with no stance (or undecided) that do not sponsor, ranked by agreement with the sponsors."""
    from cahtracker.analysis import targets
    from cahtracker.documents import resolve_symbol
    from cahtracker.positions import resolve_topic

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    topic = resolve_topic(store, topic)
    with working("Ranking the states by their votes with the sponsors…"):
        rows = targets(store, symbol, topic, value_of(as_of), _scope(date_from, date_to, subject))
    no_data = sum(1 for r in rows if not r["votes"])
    listing = Listing(
        rows,
        [
            ("rank", "#"),
            ("iso3", "ISO3", OPTIONAL),
            ("name", "State"),
            ("regional_group", "Regional group", OPTIONAL),
            ("stance", "Stance"),
            ("evidence", "Evidence", OPTIONAL),
            *SCORE_COLUMNS,
        ],
        title=f"Targets for {symbol} (topic: {topic})",
        footer=[
            f"{len(rows)} states, {no_data} with no shared vote (no data). Score against the "
            "sponsors' majority choice: identical = 1, abstain against yes/no = 1/2."
        ],
        empty="Every member sponsors the document or has a stance on the topic.",
    )
    render(listing, fmt)


@app.command(
    "forecast",
    epilog=examples(
        "cahtracker analyze forecast",
        "cahtracker analyze forecast --majority two-thirds --states",
    ),
)
def forecast_command(
    ctx: typer.Context,
    doc: DocOption = None,
    topic: TopicOption = "treaty",
    majority: Annotated[
        Majority, typer.Option("--majority", help="Rule: simple or two-thirds.")
    ] = Majority.simple,
    as_of: AsOfOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    subject: SubjectOption = None,
    show_states: Annotated[
        bool, typer.Option("--states", help="List each member's projection instead of the tally.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Projected tally of a recorded vote on the document, as ranges, and the outcome they allow."""
    from cahtracker.analysis import forecast
    from cahtracker.documents import resolve_symbol
    from cahtracker.positions import resolve_topic

    store = get_store(ctx)
    symbol = resolve_symbol(store, doc)
    topic = resolve_topic(store, topic)
    with working("Projecting the vote from stances and voting history…"):
        result = forecast(
            store,
            symbol,
            topic,
            majority.value,
            value_of(as_of),
            _scope(date_from, date_to, subject),
        )
    title = f"Forecast for {symbol} ({result['majority']} majority, topic: {topic})"
    if show_states:
        listing = Listing(
            result["states"],
            [
                ("iso3", "ISO3", OPTIONAL),
                ("name", "State"),
                ("regional_group", "Regional group", OPTIONAL),
                ("stance", "Stance"),
                ("possible", "Possible"),
                ("basis", "Basis", TEXT),
            ],
            title=title,
            data=result,
        )
    else:
        worst, best = result["worst_case"], result["best_case"]
        listing = Listing(
            [{"choice": choice, **counts} for choice, counts in result["tally"].items()],
            [
                ("choice", "Choice"),
                ("committed", "Committed"),
                ("low", "Low"),
                ("high", "High"),
            ],
            title=title,
            footer=[
                f"Projected outcome: {result['outcome']} (worst case yes {worst['yes']} / no "
                f"{worst['no']}; best case yes {best['yes']} / no {best['no']}).",
                f"{result['members']} members; {result['sponsors']} sponsors and recorded stances "
                f"count as cast ({result['opponents']} opposed); the rest are projected from their "
                "voting record (see --states). Abstain includes absent.",
            ],
            data=result,
        )
    render(listing, fmt)
