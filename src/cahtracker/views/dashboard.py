"""`report tally`: the one-screen dashboard of a document, as wide as the terminal (80
columns to a pipe, unless $COLUMNS says otherwise)."""

from __future__ import annotations

from typing import Any

from cahtracker.views.layout import IDENTIFIER, OPTIONAL, fit
from cahtracker.voting import coverage_cell

BAR_WIDTH = 36
GROUP_WIDTH = 28  # the longest group name, "Latin American and Caribbean"
_CHOICE_STYLES = {"yes": "green", "no": "red", "abstain": "yellow"}
# tables without a box and without padding at their edges: two spaces between columns
_UNBOXED = (2, -2)


def _partial_style(vote: dict[str, Any]) -> str:
    cover = vote.get("coverage")
    return "bold yellow" if cover and not cover["complete"] else "dim"


def _bar(count: int, top: int, width: int) -> str:
    return "█" * round(width * count / top) if top else ""


def print_dashboard(data: dict[str, Any]) -> None:
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    from cahtracker.views.render import get_console, inert

    data = inert(data)  # every stored text shown with its controls as escapes
    console = get_console()
    bar_width = max(4, min(BAR_WIDTH, console.width - GROUP_WIDTH - 8))
    doc = data["document"]
    count = data["count"]
    when = f"as of {data['as_of']}" if data["as_of"] else f"today {data['today']}"
    console.print(Rule(Text(f"{doc['symbol']} — {when}", style="bold"), align="left"))
    if doc.get("title"):
        console.print(Text(doc["title"], style="dim"))
    latest = count["latest_claim"]
    headline = Text("Sponsors: ", style="bold")
    headline.append(Text(f"{count['recorded']} recorded", style="bold cyan"))
    if latest:
        headline.append(" · latest reported count ")
        headline.append(Text(str(latest["count"]), style="bold magenta"))
        headline.append(f" ({latest['date'] or 'date unknown'})")
    console.print(headline)
    console.print(Text(data["gap_line"], style="dim"))

    groups = Table(box=None, show_header=False, pad_edge=False, title=None)
    groups.add_column(min_width=GROUP_WIDTH)
    groups.add_column(justify="right")
    groups.add_column()
    top = max(count["by_group"].values(), default=0)
    for group, n in count["by_group"].items():
        groups.add_row(Text(group), Text(str(n)), Text(_bar(n, top, bar_width), style="cyan"))
    console.print(Text("\nSponsors by regional group", style="bold"))
    console.print(groups)

    console.print(Text(f"\nLatest votes ({data['votes_total']} on this text)", style="bold"))
    if data["latest_votes"]:
        _print_votes(console, data["latest_votes"])
    else:
        console.print(Text("No decision recorded on this text.", style="dim"))

    console.print(Text("\nStances per topic", style="bold"))
    stances = Table(box=None, pad_edge=False, header_style="dim")
    stances.add_column("Topic")
    for header in ("Support", "Oppose", "Mixed", "Undecided"):
        stances.add_column(header, justify="right")
    for row in data["stance_counts"]:
        stances.add_row(
            Text(row["topic"]),
            Text(str(row["support"]), style="green"),
            Text(str(row["oppose"]), style="red"),
            Text(str(row["mixed"]), style="yellow"),
            Text(str(row["undecided"]), style="dim"),
        )
    console.print(stances)

    event = data["next_event"]
    line = Text("\nNext: ", style="bold")
    if event:
        precision = "" if event["date_precision"] == "day" else f" ({event['date_precision']})"
        line.append(f"{event['starts_on']}{precision} {event['title']}")
        if event["place"]:
            line.append(f", {event['place']}")
        if event["source"]:
            line.append(Text(f" — {event['source']}", style="dim"))
    else:
        line.append("no coming event on the timeline.")
    console.print(line)
    unsourced = data["unsourced"]["total"]
    console.print(Text(f"\n{data['unsourced_line']}", style="bold yellow" if unsourced else "dim"))


_VOTE_COLUMNS = (  # header, justify, kind
    ("Date", "left", IDENTIFIER),
    ("Symbol", "left", IDENTIFIER),
    ("Body", "left", OPTIONAL),
    ("Outcome", "left", IDENTIFIER),
    ("Yes", "right", IDENTIFIER),
    ("No", "right", IDENTIFIER),
    ("Abst.", "right", IDENTIFIER),
    ("Recorded", "left", IDENTIFIER),  # optional when no record is partial
)


def _print_votes(console, votes: list[dict[str, Any]]) -> None:
    """The latest decisions, fitted to the console (views/layout.py): the body goes first."""
    from rich.table import Table
    from rich.text import Text

    rows = []
    for vote in votes:
        tally = vote["tally"]
        recorded = sum(tally.values()) > 0
        outcome = vote["outcome"] or "not given"
        if not recorded:
            method = vote["method"]
            outcome = method if method.startswith(outcome) else f"{outcome} ({method})"
        counts = [str(tally[k]) if recorded else "–" for k in ("yes", "no", "abstain")]
        cover = coverage_cell(vote.get("coverage"))
        rows.append(
            [vote["date"] or "", vote["symbol"], vote["body"] or "", outcome, *counts, cover]
        )
    headers = [c[0] for c in _VOTE_COLUMNS]
    kinds = [c[2] for c in _VOTE_COLUMNS]
    if all(row[-1] in ("", "all") for row in rows):
        kinds[-1] = OPTIONAL  # every record complete (or no ballots): this may go first
    layout = fit(
        kinds,
        headers,
        [[row[i] for row in rows] for i in range(len(headers))],
        console.width,
        overhead=_UNBOXED,
    )
    table = Table(box=None, pad_edge=False, header_style="dim")
    for i, width in zip(layout.shown, layout.widths, strict=True):
        table.add_column(headers[i], justify=_VOTE_COLUMNS[i][1], width=width)
    styles = ["", "", "", "", *(_CHOICE_STYLES[k] for k in ("yes", "no", "abstain")), ""]
    for vote, row in zip(votes, rows, strict=True):
        styles[3] = "green" if vote["outcome"] == "adopted" else ""
        styles[7] = _partial_style(vote)
        table.add_row(*(Text(row[i], style=styles[i]) for i in layout.shown))
    console.print(table)
    if layout.left_out:
        names = ", ".join(headers[i] for i in layout.left_out)
        console.print(Text(f"({names} not shown at {console.width} columns)", style="dim"))
