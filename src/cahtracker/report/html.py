"""The HTML report: chart geometry computed here, drawn as inline SVG by an autoescaped template.

One self-contained file: inline CSS and SVG, no script, and a Content-Security-Policy that
forbids loading anything from elsewhere (so it opens offline and a stray remote reference
shows up as a console error in the browser test). User text reaches the page only through
Jinja2's autoescaping, after safe_text.for_terminal (no raw control or bidi override).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

WIDTH = 760
COLOURS = {
    "yes": "#2e7d32",
    "no": "#c62828",
    "abstain": "#f9a825",
    "non_voting": "#9e9e9e",
    "absent": "#cfcfcf",
    "support": "#2e7d32",
    "oppose": "#c62828",
    "mixed": "#f9a825",
    "undecided": "#9e9e9e",
}
LABELS = {
    "yes": "Yes",
    "no": "No",
    "abstain": "Abstain",
    "non_voting": "Non-voting",
    "absent": "Absent",
}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _r(value: float) -> float:
    return round(value, 1)


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500):
        if value <= step * 5:
            return max(step, -(-value // step) * step)
    return value


def timeline_chart(series: dict[str, Any], claims: list[dict[str, Any]]) -> dict | None:
    """Sponsors over time: a step line of recorded sponsors and the reported counts as points."""
    from cahtracker.dates import period_start

    steps = series["steps"]
    dated = [c for c in claims if c["date"]]
    days = [date.fromisoformat(s["date"]) for s in steps]
    days += [date.fromisoformat(period_start(c["date"])) for c in dated]
    if not days:
        return None
    first, last = min(days), max(days)
    pad = max((last - first).days * 0.05, 15)
    # the padding stops at the ends of the calendar (years 1 and 9999)
    lo = first - timedelta(days=min(pad, (first - date.min).days))
    hi = last + timedelta(days=min(pad, (date.max - last).days))
    left, right, top, bottom, height = 52, 24, 24, 44, 320
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    top_value = _nice_max(
        max([series["start"], *(s["count"] for s in steps), *(c["count"] for c in dated), 1])
    )

    def x(day: date) -> float:
        return _r(left + inner_w * (day - lo).days / max((hi - lo).days, 1))

    def y(value: float) -> float:
        return _r(top + inner_h * (1 - value / top_value))

    path = [f"M{x(lo)},{y(series['start'])}"]
    points = []
    count = series["start"]
    for step in steps:
        px = x(date.fromisoformat(step["date"]))
        path.append(f"H{px}V{y(step['count'])}")
        count = step["count"]
        who = []
        if step["joined"]:
            who.append("joined: " + ", ".join(step["joined"]))
        if step["withdrew"]:
            who.append("withdrew: " + ", ".join(step["withdrew"]))
        points.append(
            {"x": px, "y": y(count), "title": f"{step['date']}: {count} sponsors; {'; '.join(who)}"}
        )
    path.append(f"H{x(hi)}")
    labelled: list[dict[str, Any]] = []
    for claim in sorted(dated, key=lambda c: (period_start(c["date"]), c["count"])):
        cx, cy = x(date.fromisoformat(period_start(claim["date"]))), y(claim["count"])
        label = {
            "x": cx,
            "y": cy,
            "label": f"{claim['count']}" + (f" [{claim['ref']}]" if claim.get("ref") else ""),
            "label_x": cx,
            "label_y": _r(cy - 10),
            "anchor": "middle",
            "title": f"{claim['count']} reported, {claim['date']} ({claim['date_precision']}): {claim['source']}",
        }
        if labelled and cx - labelled[-1]["x"] < 46:  # close neighbours: labels side by side
            labelled[-1].update(anchor="end", label_x=_r(labelled[-1]["x"] - 4))
            label.update(anchor="start", label_x=_r(cx + 4))
        labelled.append(label)
    y_ticks = [{"y": y(v), "label": v} for v in range(0, top_value + 1, max(top_value // 5, 1))]
    x_ticks = []
    month = date(lo.year, lo.month, 1)
    months = []
    while month <= hi:
        if month >= lo:
            months.append(month)
        if (month.year, month.month) == (date.max.year, 12):
            break  # no month after December 9999
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    every = max(1, -(-len(months) // 8))
    for m in months[::every]:
        x_ticks.append({"x": x(m), "label": f"{MONTHS[m.month - 1]} {m.year}"})
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": WIDTH - right,
        "top": top,
        "bottom": height - bottom,
        "path": "".join(path),
        "points": points,
        "claims": labelled,
        "undated_claims": [c for c in claims if not c["date"]],
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
    }


def group_chart(by_group: dict[str, int]) -> dict:
    label_w, row_h = 230, 30
    bar_w = WIDTH - label_w - 50
    top = max(by_group.values(), default=0) or 1
    rows = [
        {
            "label": group,
            "count": n,
            "y": i * row_h,
            "width": _r(bar_w * n / top),
        }
        for i, (group, n) in enumerate(by_group.items())
    ]
    return {"width": WIDTH, "height": row_h * len(rows) + 4, "label_w": label_w, "rows": rows}


def vote_chart(vote: dict[str, Any]) -> dict | None:
    """A stacked bar of the ballots with the line the yes votes had to pass."""
    from cahtracker.votes import decide

    tally = vote["tally"]
    total = sum(tally.values())
    if not total:
        return None
    left, bar_w, height = 10, WIDTH - 20, 64
    segments, start = [], 0
    for key in ("yes", "no", "abstain", "non_voting", "absent"):
        if tally[key]:
            segments.append(
                {
                    "x": _r(left + bar_w * start / total),
                    "width": _r(bar_w * tally[key] / total),
                    "colour": COLOURS[key],
                    "label": f"{LABELS[key]} {tally[key]}",
                    "text_x": _r(left + bar_w * (start + tally[key] / 2) / total),
                    "wide": bar_w * tally[key] / total > 70,
                }
            )
            start += tally[key]
    voting = tally["yes"] + tally["no"]
    majority = vote.get("majority") or "simple"
    if majority == "two-thirds":
        needed = -(-2 * voting // 3)
        rule = f"two thirds of {voting} present and voting: {needed} yes"
    else:
        needed = voting // 2 + 1
        rule = f"a majority of {voting} present and voting: {needed} yes"
    line_x = _r(left + bar_w * (needed if voting else 0) / total)
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "bar_w": bar_w,
        "segments": segments,
        "line_x": line_x,
        "rule": rule,
        "passes": decide(tally["yes"], tally["no"], majority) == "adopted",
    }


def matrix_chart(matrix: list[dict[str, Any]], topics: list[dict[str, Any]]) -> dict | None:
    if not matrix or not topics:
        return None
    label_w, cell_w, cell_h, header = 210, 96, 20, 96
    cells = []
    for i, row in enumerate(matrix):
        for j, topic in enumerate(topics):
            stance = row["stances"].get(topic["slug"])
            cells.append(
                {
                    "x": label_w + j * cell_w,
                    "y": header + i * cell_h,
                    "colour": COLOURS.get(stance, "#ffffff"),
                    "title": f"{row['name']} — {topic['title']}: {stance or 'no stance recorded'}",
                    "mark": {"support": "✔", "oppose": "✘", "mixed": "±", "undecided": "?"}.get(
                        stance or "", ""
                    ),
                }
            )
    return {
        "width": label_w + cell_w * len(topics) + 110,
        "height": header + cell_h * len(matrix) + 4,
        "label_w": label_w,
        "cell_w": cell_w,
        "cell_h": cell_h,
        "header": header,
        "states": [
            {"name": r["name"], "y": header + i * cell_h + cell_h - 6} for i, r in enumerate(matrix)
        ],
        "topics": [
            {"title": t["title"], "x": label_w + j * cell_w + cell_w / 2}
            for j, t in enumerate(topics)
        ],
        "cells": cells,
    }


def forecast_chart(result: dict[str, Any]) -> dict:
    """Each choice as a range: committed (dark), certain (solid), possible (pale) of the members."""
    members = result["members"] or 1
    label_w, row_h = 90, 40
    bar_w = WIDTH - label_w - 20
    rows = []
    for i, (choice, counts) in enumerate(result["tally"].items()):

        def x(n: int) -> float:
            return _r(label_w + bar_w * n / members)

        rows.append(
            {
                "label": LABELS[choice],
                "y": 8 + i * row_h,
                "colour": COLOURS[choice],
                "committed_w": _r(bar_w * counts["committed"] / members),
                "low_w": _r(bar_w * counts["low"] / members),
                "high_x": x(counts["high"]),
                "range_w": _r(bar_w * (counts["high"] - counts["low"]) / members),
                "low_x": x(counts["low"]),
                "text": f"{counts['low']}–{counts['high']} (committed {counts['committed']})",
            }
        )
    half = {"x": _r(label_w + bar_w * 0.5), "label": f"half of {members}"}
    return {
        "width": WIDTH,
        "height": 8 + row_h * len(rows) + 16,
        "label_w": label_w,
        "rows": rows,
        "half": half,
    }


def targets_rows(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "bar": _r(120 * (t["score"] or 0))} for t in targets]


def html_report(model: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    from cahtracker.safe_text import for_terminal

    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # every value printed: controls and bidi overrides as visible escapes, then escaped
        # (not Markup: a macro's output, already made of finalized and escaped parts)
        finalize=lambda value: (
            for_terminal(value)
            if isinstance(value, str) and not isinstance(value, Markup)
            else value
        ),
    )
    analysis = model["analysis"]
    charts = {
        "timeline": timeline_chart(model["series"], model["claims"]),
        "groups": group_chart(model["count"]["by_group"]),
        "votes": [vote_chart(v) for v in model["votes"]],
        "matrix": matrix_chart(model["matrix"], model["topics"]),
        "forecast": forecast_chart(analysis["forecast"]) if analysis["forecast"] else None,
        "targets": targets_rows(analysis["targets"]) if analysis["targets"] else None,
    }
    return env.get_template("report.html.j2").render(
        m=model, charts=charts, colours=COLOURS, labels=LABELS
    )
