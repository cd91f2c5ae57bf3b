"""`report tally`: the one-screen dashboard of a document."""

from __future__ import annotations

from typing import Any

from cahtracker.voting import coverage_cell

DASHBOARD_WIDTH = 100  # when not on a terminal (a pipe, a file, the golden test)
BAR_WIDTH = 36
_CHOICE_STYLES = {"yes": "green", "no": "red", "abstain": "yellow"}


def _console():
    from rich.console import Console

    from cahtracker.views.render import get_console

    console = get_console()
    if console.is_terminal:
        return console
    return Console(file=console.file, highlight=False, width=DASHBOARD_WIDTH)


def _partial_style(vote: dict[str, Any]) -> str:
    cover = vote.get("coverage")
    return "bold yellow" if cover and not cover["complete"] else "dim"


def _bar(count: int, top: int) -> str:
    return "█" * round(BAR_WIDTH * count / top) if top else ""


def print_dashboard(data: dict[str, Any]) -> None:
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    from cahtracker.views.render import inert

    data = inert(data)  # every stored text shown with its controls as escapes
    console = _console()
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
    groups.add_column(min_width=28)
    groups.add_column(justify="right")
    groups.add_column()
    top = max(count["by_group"].values(), default=0)
    for group, n in count["by_group"].items():
        groups.add_row(Text(group), Text(str(n)), Text(_bar(n, top), style="cyan"))
    console.print(Text("\nSponsors by regional group", style="bold"))
    console.print(groups)

    console.print(Text(f"\nLatest votes ({data['votes_total']} on this text)", style="bold"))
    if data["latest_votes"]:
        votes = Table(box=None, pad_edge=False, header_style="dim")
        for header, justify in (
            ("Date", "left"),
            ("Symbol", "left"),
            ("Body", "left"),
            ("Outcome", "left"),
            ("Yes", "right"),
            ("No", "right"),
            ("Abst.", "right"),
            ("Recorded", "left"),
        ):
            votes.add_column(header, justify=justify)
        for vote in data["latest_votes"]:
            tally = vote["tally"]
            recorded = sum(tally.values()) > 0
            outcome = vote["outcome"] or "not given"
            if not recorded:
                method = vote["method"]
                outcome = method if method.startswith(outcome) else f"{outcome} ({method})"
            votes.add_row(
                Text(vote["date"] or ""),
                Text(vote["symbol"]),
                Text(vote["body"] or ""),
                Text(outcome, style="green" if vote["outcome"] == "adopted" else ""),
                *(
                    Text(str(tally[k]) if recorded else "–", style=_CHOICE_STYLES[k])
                    for k in ("yes", "no", "abstain")
                ),
                Text(coverage_cell(vote.get("coverage")), style=_partial_style(vote)),
            )
        console.print(votes)
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
