"""The Markdown report: the HTML report's sections as tables, for a wiki or a pull request."""

from __future__ import annotations

from typing import Any

from cahtracker.dates import date_cell
from cahtracker.serialise import markdown_cell, markdown_table
from cahtracker.sourcing import UNSOURCED_LABEL, is_unsourced
from cahtracker.voting import coverage_cell


def _refs(numbers) -> str:
    return " ".join(f"[{n}]" for n in numbers) or "none recorded"


def _when(value: str | None, precision: str | None) -> str:
    if not value:
        return "unknown"
    return value if precision in (None, "day") else f"{value} ({precision})"


def _sourced(rows, date_key: str | None = None, precision_key: str = "date_precision"):
    """Rows with their source number as "[n]" (or "(unsourced)") and, if asked, their date
    with its precision."""
    return [
        {
            **row,
            "ref": f"[{row['ref']}]"
            if row.get("ref")
            else (UNSOURCED_LABEL if is_unsourced(row.get("source")) else ""),
            **({"when": _when(row[date_key], row[precision_key])} if date_key else {}),
        }
        for row in rows
    ]


def markdown_report(model: dict[str, Any]) -> str:
    doc = model["document"]
    count = model["count"]
    on = model["on"]
    parts = [
        f"# Crimes against humanity treaty: {markdown_cell(doc['symbol'])}",
        markdown_cell(doc.get("title") or ""),
        f"Report of {model['today']}"
        + (f", the picture as of {model['as_of']}" if model["as_of"] else "")
        + ". Every figure names its sources (see Sources). "
        + markdown_cell(model["unsourced_line"]),
        (
            "**Official sources only:** the stances, reported counts, sponsorships and timeline "
            "events whose source is a UN record or a government's; votes are shown as recorded."
            if model.get("official_only")
            else ""
        ),
        "## Sponsors",
        markdown_cell(model["gap_line"]),
        "### Reported counts",
        markdown_table(
            [
                {**row, "when": date_cell(row["date"], row["date_precision"])}
                for row in _sourced(model["claims"])
            ],
            [
                ("count", "Count"),
                ("when", "Date"),
                ("date_precision", "Precision"),
                ("symbol", "For"),
                ("ref", "Ref"),
                ("source", "Source"),
                ("source_kind", "Source kind"),
            ],
        ),
        "### Sponsors over time",
        markdown_table(
            [
                {
                    "date": step["date"],
                    "count": step["count"],
                    "joined": ", ".join(step["joined"]),
                    "withdrew": ", ".join(step["withdrew"]),
                }
                for step in model["series"]["steps"]
            ],
            [
                ("date", "Date"),
                ("count", "Sponsors"),
                ("joined", "Joined"),
                ("withdrew", "Withdrew"),
            ],
        ),
        (
            f"Undated events: {model['series']['start']} sponsors from the start. "
            if model["series"]["start"]
            else ""
        )
        + "A month or a year stands for its first day. "
        f"Sources: {_refs(model['figure_sources']['sponsors'])}; as of {on}.",
        "### Sponsors by regional group",
        markdown_table(
            [{"group": g, "count": n} for g, n in count["by_group"].items()],
            [("group", "Regional group"), ("count", "Sponsors")],
        ),
        f"Sources: {_refs(model['figure_sources']['groups'])}; as of {on}.",
        f"### Current sponsors ({len(model['sponsors'])})",
        markdown_table(
            [
                {
                    **row,
                    "when": date_cell(row["joined_on"], row["date_precision"], row["joined_after"]),
                }
                for row in _sourced(model["sponsors"])
            ],
            [
                ("name", "State"),
                ("role", "Role"),
                ("regional_group", "Regional group"),
                ("when", "Joined"),
                ("inherited_from", "Inherited from"),
                ("ref", "Source"),
                ("source_kind", "Source kind"),
            ],
        ),
        "## Votes and decisions",
        markdown_table(
            [
                {**v, **v["tally"], "recorded": coverage_cell(v["coverage"])}
                for v in _sourced(model["votes"])
            ],
            [
                ("date", "Date"),
                ("symbol", "Symbol"),
                ("body", "Body"),
                ("outcome", "Outcome"),
                ("method", "Method"),
                ("majority", "Majority"),
                ("yes", "Yes"),
                ("no", "No"),
                ("abstain", "Abstain"),
                ("non_voting", "Non-voting"),
                ("absent", "Absent"),
                ("recorded", "Recorded"),
                ("ref", "Source"),
                ("id", "Vote"),
            ],
        ),
        "Recorded: the members of the body with a ballot recorded (all, or how many of how many)."
        if any(v["coverage"] for v in model["votes"])
        else "",
        *(part for vote in model["votes"] for part in _vote_section(vote)),
        "## Positions",
        markdown_table(
            model["stance_counts"],
            [
                ("topic", "Topic"),
                ("support", "Support"),
                ("oppose", "Oppose"),
                ("mixed", "Mixed"),
                ("undecided", "Undecided"),
                ("states", "States"),
            ],
        ),
        "### Stances by state and topic",
        markdown_table(
            [{"name": r["name"], **r["stances"]} for r in model["matrix"]],
            [("name", "State"), *((t["slug"], t["slug"]) for t in model["topics"])],
        ),
        f"Sources: {_refs(model['figure_sources']['positions'])}; as of {on}.",
        "### What states said",
        markdown_table(
            _sourced(model["positions"], "date"),
            [
                ("name", "State"),
                ("topic", "Topic"),
                ("stance", "Stance"),
                ("when", "Date"),
                ("quote", "Quote"),
                ("quote_kind", "Quote kind"),
                ("ref", "Source"),
                ("source_kind", "Source kind"),
            ],
        ),
        *_analysis(model["analysis"], on),
        "## Timeline",
        markdown_table(
            [
                {**e, "status": "next" if e["next"] else e["status"]}
                for e in _sourced(model["events"], "starts_on")
            ],
            [
                ("when", "Start"),
                ("ends_on", "End"),
                ("title", "Event"),
                ("place", "Place"),
                ("status", "Status"),
                ("ref", "Source"),
                ("source_kind", "Source kind"),
            ],
        ),
        "## Sources",
        "\n".join(
            f"{s['number']}. {markdown_source(s['source'])}"
            + (f" ({', '.join(s['kinds'])})" if s.get("kinds") else "")
            + f" — {', '.join(s['used_for'])}"
            for s in model["sources"]
        )
        or "No source recorded.",
        f"Generated by cahtracker on {model['exported_at']}.",
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _analysis(analysis: dict[str, Any], on: str) -> list[str]:
    parts = ["## Targets and forecast"]
    if analysis["reason"]:
        parts.append(f"Not shown: {markdown_cell(analysis['reason'])}")
    if analysis["targets"]:
        parts.append("### Targets")
        parts.append(
            markdown_table(
                analysis["targets"],
                [
                    ("rank", "#"),
                    ("name", "State"),
                    ("regional_group", "Regional group"),
                    ("stance", "Stance"),
                    ("votes", "Votes"),
                    ("score", "Score"),
                ],
            )
        )
    forecast = analysis["forecast"]
    if forecast:
        parts.append(f"### Forecast ({forecast['majority']} majority): {forecast['outcome']}")
        parts.append(
            markdown_table(
                [{"choice": k, **v} for k, v in forecast["tally"].items()],
                [
                    ("choice", "Choice"),
                    ("committed", "Committed"),
                    ("low", "Low"),
                    ("high", "High"),
                ],
            )
        )
        parts.append(
            f"Worst case yes {forecast['worst_case']['yes']} / no {forecast['worst_case']['no']}; "
            f"best case yes {forecast['best_case']['yes']} / no {forecast['best_case']['no']}. "
            f"From the recorded ballots, sponsors and positions as of {on}."
        )
    return parts


def _vote_section(vote: dict[str, Any]) -> list[str]:
    """A vote's own section: who voted how by regional group, what states said, its sources."""
    if not vote["who"] and not vote["said"]:
        return []
    head = "### " + markdown_cell(
        f"Vote {vote['id']}: {vote['symbol']} — {vote['body'] or 'body not given'}, "
        f"{vote['date'] or 'date unknown'}"
    )
    line = f"{(vote['outcome'] or 'outcome not given').capitalize()} ({vote['method']}"
    line += f", {vote['majority']} majority)." if vote.get("majority") else ")."
    if vote["partial"]:
        line += f" Partial record: {vote['partial']}."
    for unrecorded in vote.get("unrecorded") or []:
        line += f" {unrecorded}."
    parts = [head, markdown_cell(line)]
    if vote["who"]:
        parts.append(
            markdown_table(
                [
                    {
                        "choice": f"{c['label']} ({c['count']})",
                        "group": g["group"],
                        "count": g["count"],
                        "names": ", ".join(g["names"]),
                    }
                    for c in vote["who"]
                    for g in c["groups"]
                ],
                [
                    ("choice", "Vote"),
                    ("group", "Regional group"),
                    ("count", "States"),
                    ("names", "Names"),
                ],
            )
        )
    if vote["said"]:
        parts.append(
            "\n".join(
                "- "
                + markdown_cell(
                    f"{s['name']} — {s['kind']}"
                    + (f" (voted {s['choice']})" if s["choice"] else "")
                    + (f": {s['text']}" if s["text"] else "")
                )
                for s in vote["said"]
            )
        )
    texts = [vote["source"], *(r["source"] or r["key"] for r in vote.get("sources") or [])]
    shown = list(dict.fromkeys(t for t in texts if t and t.strip()))
    if not shown:
        parts.append(f"Source: {UNSOURCED_LABEL}.")
        return parts
    parts.append(
        f"Source{'s' if len(shown) > 1 else ''}: {_refs(vote['refs'])} "
        + "; ".join(markdown_source(t) for t in shown)
        + "."
    )
    return parts


URL_SAFE = ":/?#[]@!$&'*+,;=%~.-_"  # kept as they are; spaces, brackets and the rest quoted


def markdown_source(text: str) -> str:
    """A source for Markdown: a bare http(s) URL as a link, anything else as escaped text."""
    from urllib.parse import quote

    text = text.strip()
    if text.startswith(("https://", "http://")) and not any(c.isspace() for c in text):
        url = quote(text, safe=URL_SAFE)
        label = markdown_cell(text)  # inert: its brackets, colons and the rest escaped
        return f"[{label}]({url})"
    return markdown_cell(text)
