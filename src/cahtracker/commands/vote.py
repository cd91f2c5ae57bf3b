"""`cahtracker vote`: record decisions, import the UN's voting records, show, list, compare."""

from pathlib import Path
from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state, complete_symbol
from cahtracker.commands.options import (
    CahTyper,
    FormatOption,
    FromOption,
    ToOption,
    UnsourcedOption,
    date_option,
    examples,
    value_of,
)
from cahtracker.dates import ParsedDate
from cahtracker.importers import format_help
from cahtracker.invocation import get_names, get_store
from cahtracker.views.listing import IDENTIFIER, OPTIONAL, Column, Listing, source_column
from cahtracker.views.render import OutputFormat, message, render
from cahtracker.views.vote import (
    NO_COUNT,
    NO_COVERAGE,
    NO_TALLY,
    more_footer,
    partial_footer,
    recorded_legend,
)
from cahtracker.voting import coverage_cell

app = CahTyper(
    epilog=examples(
        "cahtracker vote list",
        "cahtracker vote show A/C.6/79/L.2/Rev.1",
    ),
    help="Votes: record decisions, import UN voting records, show tallies, compare states.",
    no_args_is_help=True,
)

MAX_LIMIT = 100_000  # rows a listing may be asked for (the whole history has 6,203 votes)
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        help=f"Show only the first N rows (1 to {MAX_LIMIT:,}; default: all); "
        "the footer says how many more there are.",
        min=1,
        max=MAX_LIMIT,
        metavar="N",
    ),
]
ListOption = "States as a UN list: 'Albania, Andorra and Zambia'."
AlsoOption = Annotated[
    bool,
    typer.Option(
        "--also", help="A separate vote on the same document, body and date as one recorded."
    ),
]


@app.command(
    "record",
    epilog=examples(
        'cahtracker vote record -d A/C.6/79/L.21 --date 2024-11-22 --body "Sixth Committee" --yes "Albania, Andorra and Zambia" --no Chile --abstain India --source "..."   # illustrative',
        'cahtracker vote record -d A/C.6/79/L.20 --date 2024-11-22 --body "Sixth Committee" --withdrawn --replace --source "GA/L/3738"   # corrects that day\'s decision',
    ),
)
def record_command(
    ctx: typer.Context,
    doc: Annotated[
        str,
        typer.Option(
            "--doc", "-d", help="Document symbol voted on.", autocompletion=complete_symbol
        ),
    ],
    date: Annotated[ParsedDate, date_option("--date", help="Date of the decision.")],
    body: Annotated[
        str,
        typer.Option(
            "--body",
            help="A known body, e.g. 'Sixth Committee', 'General Assembly' (any letter case).",
        ),
    ],
    yes: Annotated[str | None, typer.Option("--yes", help=ListOption)] = None,
    no: Annotated[str | None, typer.Option("--no", help=ListOption)] = None,
    abstain: Annotated[str | None, typer.Option("--abstain", help=ListOption)] = None,
    non_voting: Annotated[str | None, typer.Option("--non-voting", help=ListOption)] = None,
    absent: Annotated[str | None, typer.Option("--absent", help=ListOption)] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="CSV of `state,choice` rows.")
    ] = None,
    without_vote: Annotated[
        bool, typer.Option("--without-vote", help="Adopted without a vote (by consensus).")
    ] = False,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Withdrawn before a vote.")
    ] = False,
    majority: Annotated[
        str, typer.Option("--majority", help="simple, or two-thirds (important questions).")
    ] = "simple",
    meeting: Annotated[
        str | None,
        typer.Option("--meeting", help="Meeting, e.g. '39th' (with --replace, '' clears it)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Where this comes from; needed unless --unsourced."),
    ] = None,
    unsourced: UnsourcedOption = False,
    note: Annotated[
        str | None, typer.Option("--note", help="A note (with --replace, '' clears it).")
    ] = None,
    dissociating: Annotated[
        str | None,
        typer.Option("--dissociating", help="States dissociating from consensus (--without-vote)."),
    ] = None,
    explanation: Annotated[
        list[str] | None,
        typer.Option(
            "--explanation", help="STATE=TEXT, an explanation of vote or position (repeat)."
        ),
    ] = None,
    create_doc: Annotated[
        bool, typer.Option("--create-doc", help="Create the document if it is not known.")
    ] = False,
    new_body: Annotated[
        bool, typer.Option("--new-body", help="Accept a --body not yet in the database.")
    ] = False,
    also: AlsoOption = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the decision already recorded on this document, body and date; its "
            "meeting and note are kept unless --meeting/--note give new ones ('' clears).",
        ),
    ] = False,
) -> None:
    """Record one decision: a recorded vote, a decision without a vote, or a withdrawal."""
    from cahtracker.votes import read_ballot_file, record_vote, show_vote

    store = get_store(ctx)
    pairs = read_ballot_file(str(from_file)) if from_file else []
    result = record_vote(
        store,
        get_names(ctx),
        symbol=doc,
        when=date,
        body=body,
        lists={
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "non-voting": non_voting,
            "absent": absent,
        },
        file_pairs=pairs,
        without_vote=without_vote,
        withdrawn=withdrawn,
        majority=majority,
        meeting=meeting,
        source=source,
        note=note,
        dissociating=dissociating,
        explanations=explanation or [],
        create_doc=create_doc,
        new_body=new_body,
        unsourced=unsourced,
        also=also,
        replace=replace,
    )
    vote = show_vote(store, str(result["id"]))
    t = vote["tally"]
    counts = f" — yes {t['yes']}, no {t['no']}, abstain {t['abstain']}" if vote["ballots"] else ""
    verb = "Replaced" if result["replaced"] else "Recorded"
    kept = result["kept"]
    clear = " / ".join(f"--{k} ''" for k in kept) + (
        " clears it" if len(kept) == 1 else " clear them"
    )
    message(
        f"{verb} vote {result['id']} on {vote['symbol']} ({vote['method']}): {vote['outcome']}{counts}."
        + (f" Kept its {' and '.join(kept)} ({clear} with --replace)." if kept else "")
    )


@app.command(
    "edit",
    epilog=examples(
        'cahtracker vote edit 3 --meeting "48th plenary meeting"   # illustrative',
        'cahtracker vote edit 3 --note "..." --source "..."',
    ),
)
def edit_command(
    ctx: typer.Context,
    vote_id: Annotated[str, typer.Argument(help="The vote's id (see `vote list`).")],
    date: Annotated[ParsedDate | None, date_option("--date", help="The decision's date.")] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="Meeting, e.g. '39th' ('' clears it).")
    ] = None,
    body: Annotated[str | None, typer.Option("--body", help="A known body.")] = None,
    new_body: Annotated[
        bool, typer.Option("--new-body", help="Accept a --body not yet in the database.")
    ] = False,
    majority: Annotated[
        str | None,
        typer.Option("--majority", help="simple or two-thirds (the outcome follows the ballots)."),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome", help="adopted, rejected or withdrawn (a decision without ballots)."
        ),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where this comes from.")] = None,
    unsourced: Annotated[
        bool, typer.Option("--unsourced", help="Clear the source (knowingly unsourced).")
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="A note ('' clears it).")] = None,
    also: AlsoOption = False,
) -> None:
    """Correct a decision's date, meeting, body, majority, outcome, source or note (undo: `db undo`).

    Ballots are not edited: record the vote again with `vote record ... --replace`.
    """
    from cahtracker.votes import edit_vote, vote_edits

    result = edit_vote(
        get_store(ctx),
        vote_id,
        when=date,
        meeting=meeting,
        body=body,
        new_body=new_body,
        majority=majority,
        outcome=outcome,
        source=source,
        unsourced=unsourced,
        note=note,
        also=also,
    )
    after = result["after"]
    edits = vote_edits(result["before"], after)
    if not edits:
        message(f"Vote {after['id']} on {after['symbol']} already says that; nothing changed.")
        return
    message(f"Edited vote {after['id']} on {after['symbol']}: {'; '.join(edits)}.")


@app.command(
    "delete",
    epilog=examples(
        'cahtracker vote record -d A/C.6/79/L.21 --date 2024-11-21 --body "Sixth Committee" --without-vote --source "..."   # a mistake ...',
        "cahtracker vote delete 4   # ... deleted, with its ballots",
    ),
)
def delete_command(
    ctx: typer.Context,
    vote_id: Annotated[str, typer.Argument(help="The vote's id (see `vote list`).")],
) -> None:
    """Delete a decision recorded by mistake, with its ballots and statements (undo: `db undo`)."""
    from cahtracker.votes import remove_vote

    vote = remove_vote(get_store(ctx), vote_id)
    message(
        f"Deleted vote {vote['id']} on {vote['symbol']} ({vote['body'] or 'no body'}, "
        f"{vote['date'] or 'date unknown'}) with its ballots and statements "
        "(`cahtracker db undo` puts it back)."
    )


@app.command(
    "show",
    epilog=examples(
        "cahtracker vote show A/C.6/79/L.2/Rev.1",
        "cahtracker vote show 2 -f json",
    ),
)
def show_command(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="Vote id, or a symbol (its latest vote).", autocompletion=complete_symbol
        ),
    ],
    by_group: Annotated[
        bool, typer.Option("--by-group", help="Break the tally down by regional group.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show a decision: tally, outcome, official totals, ballots."""
    from cahtracker.views.vote import VoteView
    from cahtracker.votes import show_vote

    render(VoteView(show_vote(get_store(ctx), ref, by_group=by_group)), fmt)


@app.command(
    "list",
    epilog=examples(
        "cahtracker vote list --body sixth --from 2024 -f csv",
        "cahtracker vote list --from 1990 -n 50   # the first 50; the footer says how many more",
    ),
)
def list_command(
    ctx: typer.Context,
    doc: Annotated[
        str | None,
        typer.Option(
            "--doc", "-d", help="Only votes on this symbol.", autocompletion=complete_symbol
        ),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option("--body", help="Only this body (part of its name, any letter case)."),
    ] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List decisions with their tallies, by date (`-n` for the first N).

    A decision without ballots (adopted without a vote, withdrawn, or whose ballots are not
    known) has no tally: `–` in the table, null in JSON, empty cells in CSV.
    """
    from cahtracker.votes import list_votes

    found = list_votes(get_store(ctx), doc, body, value_of(date_from), value_of(date_to))
    rows = found[:limit] if limit else found
    partial = partial_footer(rows)

    def count(key: str):
        return lambda r: NO_COUNT if r["tally"] is None else r["tally"][key]

    listing = Listing(
        rows,
        [
            ("id", "ID"),
            ("symbol", "Symbol"),
            ("body", "Body", OPTIONAL),
            ("date", "Date"),
            ("method", "Method", OPTIONAL),
            ("outcome", "Outcome"),
            Column("yes", "Yes", count("yes")),
            Column("no", "No", count("no")),
            Column("abstain", "Abst.", count("abstain")),
            Column(
                "nv",
                "Non-voting/absent",
                lambda r: (
                    NO_COUNT
                    if r["tally"] is None
                    else r["tally"]["non_voting"] + r["tally"]["absent"]
                ),
                OPTIONAL,
            ),
            # left out first when every record is complete; its legend only when shown
            Column(
                "coverage",
                "Recorded",
                lambda r: coverage_cell(r["coverage"]),
                IDENTIFIER if partial else OPTIONAL,
            ),
            source_column(),
        ],
        title="Votes",
        footer=[*more_footer(len(rows), len(found), "votes"), *partial],
        column_notes={"coverage": recorded_legend(rows)},
        empty="No votes match.",
        csv_flatten=("tally", "coverage"),
        csv_rows=[
            {**r, "tally": r["tally"] or NO_TALLY, "coverage": r["coverage"] or NO_COVERAGE}
            for r in rows
        ],
        csv_columns=(
            *("id", "symbol", "body", "date", "method", "outcome"),
            *("yes", "no", "abstain", "non_voting", "absent", "source", "unsourced"),
            *NO_COVERAGE,
        ),
    )
    render(listing, fmt)


def summary_format(value: str) -> OutputFormat:
    """`vote import -f`: an output format; the name of an input format says where it goes."""
    from cahtracker.importers import FORMATS

    key = value.strip().casefold()
    if key in FORMATS or key == "auto":
        raise typer.BadParameter(
            f"'{value}' is the file's format: give it as --input-format {key} "
            "(-f/--format is the summary's: table, json, csv or markdown)."
        )
    try:
        return OutputFormat(key)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not one of table, json, csv, markdown.") from None


summary_format.__name__ = "format"


@app.command(
    "import",
    epilog=examples(
        "cahtracker vote import A_RES_74_243.xml   # the format is read from the content",
        "cahtracker vote import unvotes.csv --input-format unvotes-csv --roll-calls roll_calls.csv --skip-unknown -f json",
    ),
)
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to import.")],
    input_format: Annotated[
        str,
        typer.Option(
            "--input-format", help="The file's format (any letter case): " + format_help() + "."
        ),
    ] = "auto",
    roll_calls: Annotated[
        Path | None,
        typer.Option("--roll-calls", help="unvotes roll_calls.csv (default: beside FILE)."),
    ] = None,
    skip_unknown: Annotated[
        bool,
        typer.Option(
            "--skip-unknown", help="Import the rest when a state is unknown (and report it)."
        ),
    ] = False,
    accept_mismatches: Annotated[
        bool,
        typer.Option(
            "--accept-mismatches",
            help="Import votes whose official totals disagree with their ballots (both kept, "
            "the disagreement shown) instead of refusing the file.",
        ),
    ] = False,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            parser=summary_format,
            metavar="FORMAT",
            help="The summary's format: table, json, csv or markdown (the file's: --input-format).",
        ),
    ] = OutputFormat.table,
) -> None:
    """Import a UN voting record (UN Digital Library CSV/MARCXML/HTML, or unvotes CSV)."""
    from cahtracker.importers.writer import import_votes
    from cahtracker.views.vote_import import ImportSummaryView, import_progress

    store = get_store(ctx)
    names = get_names(ctx)
    with import_progress(file) as progress:
        summary = import_votes(
            store,
            names,
            file,
            input_format,
            roll_calls,
            skip_unknown=skip_unknown,
            progress=progress,
            accept_mismatches=accept_mismatches,
        )
    render(ImportSummaryView(summary), fmt)


@app.command(
    "compare",
    epilog=examples(
        "cahtracker vote compare France Germany",
        "cahtracker vote compare FRA DEU --from 2000 --to 2019-12-31 -n 20 -f json",
    ),
)
def compare_command(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="A state.", autocompletion=complete_state)],
    second: Annotated[str, typer.Argument(help="Another state.", autocompletion=complete_state)],
    date_from: FromOption = None,
    date_to: ToOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """How often two states voted alike, with the votes where they differed (by date)."""
    from cahtracker.votes import compare_states

    result = compare_states(
        get_store(ctx),
        get_names(ctx),
        first,
        second,
        value_of(date_from),
        value_of(date_to),
        limit,
    )
    a, b = result["state_a"], result["state_b"]
    span = {"from": result["from"], "to": result["to"]}
    when = " ".join(f"{k} {v}" for k, v in span.items() if v)
    summary = (
        f"{a['name']} and {b['name']} voted alike on {result['agreed']} of "
        f"{result['votes_compared']} recorded votes both took part in"
        + (f", {when}" if when else "")
        + (f" ({result['agreement']}%)." if result["votes_compared"] else ".")
    )
    rows = [
        {
            "id": d["id"],
            "symbol": d["symbol"],
            "date": d["date"],
            "a": d[a["iso3"]],
            "b": d[b["iso3"]],
        }
        for d in result["disagreements"]
    ]
    listing = Listing(
        rows,
        [
            ("id", "ID"),
            ("symbol", "Symbol"),
            ("date", "Date"),
            ("a", a["name"]),
            ("b", b["name"]),
        ],
        title=f"Disagreements: {a['name']} / {b['name']}",
        footer=[
            summary,
            *more_footer(len(rows), result["disagreements_total"], "disagreements"),
        ],
        empty=summary,
        data=result,
    )
    render(listing, fmt)
