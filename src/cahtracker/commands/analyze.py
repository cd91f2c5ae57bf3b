"""`cahtracker analyze`: alignment scores, advocacy targets, a forecast of the next vote."""

from enum import StrEnum
from typing import Annotated

import typer

from cahtracker.commands.options import AsOfOption, DocOption, FormatOption
from cahtracker.invocation import get_names, get_store
from cahtracker.output import OutputFormat, render, render_object, working

app = typer.Typer(
    help="Analyse the voting record: alignment, advocacy targets, a forecast of the next vote.",
    no_args_is_help=True,
)

TopicOption = Annotated[
    str, typer.Option("--topic", help="Topic of the recorded stances (see `position topics`).")
]
FromOption = Annotated[str | None, typer.Option("--from", help="Only votes on or after this date.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Only votes on or before this date.")]
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


def _scope(date_from: str | None, date_to: str | None, subject: str | None):
    from cahtracker.analysis import scope_bounds
    from cahtracker.dates import optional_date

    return scope_bounds(optional_date(date_from), optional_date(date_to), subject)


def _symbol(store, doc: str | None) -> str:
    from cahtracker.sponsors import default_symbol, document

    return document(store, doc or default_symbol(store))["symbol"]


def _as_of(text: str | None) -> str | None:
    from cahtracker.dates import optional_date

    parsed = optional_date(text)
    return None if parsed is None else parsed.value


@app.command("align")
def align_command(
    ctx: typer.Context,
    state: Annotated[str, typer.Argument(help="The state to score (any name or ISO code).")],
    with_state: Annotated[
        str | None, typer.Option("--with", help="Score against this one state.")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", "-g", help="Score against each member of a regional group."),
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
    symbol = _symbol(store, doc) if sponsors else None
    scope = _scope(date_from, date_to, subject)
    with working("Comparing voting records…"):
        rows = align(
            store,
            ref.iso3,
            with_iso3=other.iso3 if other else None,
            group=resolved_group,
            sponsors_of=symbol,
            as_of=_as_of(as_of),
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
            ("iso3", "ISO3"),
            ("name", "State"),
            ("regional_group", "Regional group"),
            *SCORE_COLUMNS,
        ]
        against = other.name if other else (resolved_group or "every state")
        title = f"{ref.name} against {against}"
        footer = [METHOD_NOTE]
    render(
        rows,
        fmt,
        columns=columns,
        title=title,
        footer=footer,
        empty=f"No recorded vote that {ref.name} took part in matches.",
    )


@app.command("targets")
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
    from cahtracker.analysis import check_topic, targets

    store = get_store(ctx)
    symbol = _symbol(store, doc)
    check_topic(store, topic)
    with working("Ranking the states by their votes with the sponsors…"):
        rows = targets(store, symbol, topic, _as_of(as_of), _scope(date_from, date_to, subject))
    no_data = sum(1 for r in rows if not r["votes"])
    render(
        rows,
        fmt,
        columns=[
            ("rank", "#"),
            ("iso3", "ISO3"),
            ("name", "State"),
            ("regional_group", "Regional group"),
            ("stance", "Stance"),
            ("evidence", "Evidence"),
            *SCORE_COLUMNS,
        ],
        title=f"Targets for {symbol} (topic: {topic})",
        footer=[
            f"{len(rows)} states, {no_data} with no shared vote (no data). Score against the "
            "sponsors' majority choice: identical = 1, abstain against yes/no = 1/2."
        ],
        empty="Every member sponsors the document or has a stance on the topic.",
    )


@app.command("forecast")
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
    from cahtracker.analysis import check_topic, forecast

    store = get_store(ctx)
    symbol = _symbol(store, doc)
    check_topic(store, topic)
    with working("Projecting the vote from stances and voting history…"):
        result = forecast(
            store,
            symbol,
            topic,
            majority.value,
            _as_of(as_of),
            _scope(date_from, date_to, subject),
        )
    if fmt is OutputFormat.json:
        render_object(result, fmt)
        return
    title = f"Forecast for {symbol} ({result['majority']} majority, topic: {topic})"
    if show_states:
        render(
            result["states"],
            fmt,
            columns=[
                ("iso3", "ISO3"),
                ("name", "State"),
                ("regional_group", "Regional group"),
                ("stance", "Stance"),
                ("possible", "Possible"),
                ("basis", "Basis"),
            ],
            title=title,
        )
        return
    rows = [{"choice": choice, **counts} for choice, counts in result["tally"].items()]
    worst, best = result["worst_case"], result["best_case"]
    render(
        rows,
        fmt,
        columns=[
            ("choice", "Choice"),
            ("committed", "Committed"),
            ("low", "Low"),
            ("high", "High"),
        ],
        title=title,
        footer=[
            f"Projected outcome: {result['outcome']} (worst case yes {worst['yes']} / no {worst['no']}; "
            f"best case yes {best['yes']} / no {best['no']}).",
            f"{result['members']} members; {result['sponsors']} sponsors and recorded stances count "
            f"as cast ({result['opponents']} opposed); the rest are projected from their voting record "
            "(see --states). Abstain includes absent.",
        ],
    )
