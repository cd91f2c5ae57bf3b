"""The HTML report: chart geometry computed here, drawn as inline SVG by an autoescaped template.

One self-contained file: inline CSS and SVG, no script, and a Content-Security-Policy that
forbids loading anything from elsewhere (so it opens offline and a stray remote reference
shows up as a console error in the browser test). User text reaches the page only through
Jinja2's autoescaping, after safe_text.for_terminal (no raw control or bidi override); the
world maps are SVG that map.py escapes itself.

Every chart is laid out twice, for the two widths the page is read at: `WIDE` (760 units,
shown from a 700 px viewport on, where the drawing is at least 636 px wide) and `NARROW`
(320 units, shown below 700 px; at 390 px it is drawn 358 px wide). Text sizes are chosen
so that no text is drawn under 11 CSS px in either, and labels are placed by estimating
each text's box (CHAR_EM, an overestimate of a character's width) so that none overlaps
another. The browser test measures both in Chromium.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cahtracker.voting import LABELS  # a tally key's label, the same as the terminal's

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
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
CHAR_EM = 0.62  # a character's width in em, generous for sans-serif text and digits
ASCENT, DESCENT = 0.95, 0.25  # a text's box above and below its baseline, in em


@dataclass(frozen=True)
class Layout:
    """A chart's drawing: its class in the page, width in user units, and text sizes."""

    name: str
    width: int
    font: float  # labels
    small: float  # ticks and notes


# WIDE is drawn 636-796 px wide (scale >= 0.837: 13.5 units >= 11.3 px); NARROW from 328 px
# (a 360 px phone; scale >= 1.025) and at most 480 px (the page caps it).
WIDE = Layout("wide", 760, 14.0, 13.5)
NARROW = Layout("narrow", 320, 12.5, 12.0)
LAYOUTS = (WIDE, NARROW)


def _r(value: float) -> float:
    return round(value, 1)


def text_width(text: str, font: float) -> float:
    return len(text) * CHAR_EM * font


def text_box(
    x: float, baseline: float, text: str, font: float, anchor: str = "middle"
) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) a text of this size takes, with its anchor at (x, baseline)."""
    w = text_width(text, font)
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return (x0, baseline - ASCENT * font, x0 + w, baseline + DESCENT * font)


def _overlaps(a, b, gap: float = 1.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _clamp_anchor(x: float, text: str, font: float, lo: float, hi: float) -> tuple[float, str]:
    """An x and anchor that keep the text within [lo, hi], centred on x where it can be."""
    w = text_width(text, font)
    if x - w / 2 < lo:
        return _r(lo), "start"
    if x + w / 2 > hi:
        return _r(hi), "end"
    return _r(x), "middle"


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500):
        if value <= step * 5:
            return max(step, -(-value // step) * step)
    return value


def _wrap(text: str, room: float, font: float) -> list[str]:
    return textwrap.wrap(text, max(int(room / (CHAR_EM * font)), 4)) or [""]


# ---------------------------------------------------------------- sponsors over time


def timeline_chart(
    series: dict[str, Any], claims: list[dict[str, Any]], layout: Layout = WIDE
) -> dict | None:
    """Sponsors over time: a step line of recorded sponsors and the reported counts as points,
    each count labelled where its label overlaps no other label, point or axis text."""
    from cahtracker.dates import period_start

    steps = series["steps"]
    dated = [c for c in claims if c["date"]]
    days = [date.fromisoformat(s["date"]) for s in steps]
    days += [date.fromisoformat(period_start(c["date"])) for c in dated]
    if not days:
        return None
    width, font, small = layout.width, layout.font, layout.small
    first, last = min(days), max(days)
    pad = max((last - first).days * 0.05, 15)
    # the padding stops at the ends of the calendar (years 1 and 9999)
    lo = first - timedelta(days=min(pad, (first - date.min).days))
    hi = last + timedelta(days=min(pad, (date.max - last).days))
    top_value = _nice_max(
        max([series["start"], *(s["count"] for s in steps), *(c["count"] for c in dated), 1])
    )
    left = _r(text_width(str(top_value), small) + 12)
    right, top = 10.0, _r(font * 2.6)
    height = 320 if layout is WIDE else 260
    bottom = _r(height - small * 2.4)
    inner_w, inner_h = width - left - right, bottom - top

    def x(day: date) -> float:
        return _r(left + inner_w * (day - lo).days / max((hi - lo).days, 1))

    def y(value: float) -> float:
        return _r(top + inner_h * (1 - value / top_value))

    path = [f"M{x(lo)},{y(series['start'])}"]
    points = []
    for step in steps:
        px = x(date.fromisoformat(step["date"]))
        path.append(f"H{px}V{y(step['count'])}")
        who = []
        if step["joined"]:
            who.append("joined: " + ", ".join(step["joined"]))
        if step["withdrew"]:
            who.append("withdrew: " + ", ".join(step["withdrew"]))
        points.append(
            {
                "x": px,
                "y": y(step["count"]),
                "title": f"{step['date']}: {step['count']} sponsors; {'; '.join(who)}",
            }
        )
    path.append(f"H{x(hi)}")

    y_ticks = []
    for v in range(0, top_value + 1, max(top_value // 5, 1)):
        y_ticks.append({"y": y(v), "label": v, "text_y": _r(y(v) + small * 0.35)})
    months = []
    month = date(lo.year, lo.month, 1)
    while month <= hi:
        if month >= lo:
            months.append(month)
        if (month.year, month.month) == (date.max.year, 12):
            break  # no month after December 9999
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    room = text_width("Nov 2024", small) + small * 1.5
    every = max(1, -(-len(months) // max(int(inner_w // room), 1)))
    x_ticks = []
    for m in months[::every]:
        label = f"{MONTHS[m.month - 1]} {m.year}"
        text_x, anchor = _clamp_anchor(x(m), label, small, 1, width - 1)
        x_ticks.append(
            {
                "x": x(m),
                "label": label,
                "text_x": text_x,
                "anchor": anchor,
                "text_y": _r(bottom + small * 1.5),
            }
        )

    circles = [(x(date.fromisoformat(period_start(c["date"]))), y(c["count"])) for c in dated]
    taken = [text_box(left - 8, t["text_y"], str(t["label"]), small, "end") for t in y_ticks]
    taken += [text_box(t["text_x"], t["text_y"], t["label"], small, t["anchor"]) for t in x_ticks]
    step_dots = [(p["x"] - 4, p["y"] - 4, p["x"] + 4, p["y"] + 4) for p in points]
    marks = [
        {
            "x": cx,
            "y": cy,
            "title": f"{c['count']} reported, {c['date']} ({c['date_precision']}): {c['source']}",
        }
        for c, (cx, cy) in zip(dated, circles, strict=True)
    ]
    labels = []
    for cluster in _clusters(circles):
        # points drawn on one another share one label, the largest count on top
        members = sorted(cluster, key=lambda i: -dated[i]["count"])
        lines = [
            f"{dated[i]['count']}" + (f" [{dated[i]['ref']}]" if dated[i].get("ref") else "")
            for i in members
        ]
        cx = _r(sum(circles[i][0] for i in cluster) / len(cluster))
        cy = _r(sum(circles[i][1] for i in cluster) / len(cluster))
        others = [
            (ox - 6, oy - 6, ox + 6, oy + 6)
            for j, (ox, oy) in enumerate(circles)
            if j not in cluster
        ]
        spot = _place_label(
            lines, cx, cy, font, (1, 1, width - 1, bottom), taken, others, step_dots
        )
        taken.append(spot["box"])
        if spot["leader"]:
            taken.extend(_segment_boxes(spot["leader"]))
        labels.append(spot)
    return {
        "layout": layout.name,
        "width": width,
        "height": height,
        "font": font,
        "small": small,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": bottom,
        "path": "".join(path),
        "points": points,
        "claims": marks,
        "labels": labels,
        "undated_claims": [c for c in claims if not c["date"]],
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
    }


def _clusters(points: list[tuple[float, float]], near: float = 10.0) -> list[list[int]]:
    """Indexes of points grouped with every point drawn within `near` of one of them."""
    groups: list[list[int]] = []
    for i, p in sorted(enumerate(points), key=lambda e: e[1]):
        joined = [g for g in groups if any(math.dist(p, points[j]) < near for j in g)]
        merged = [i, *(j for g in joined for j in g)]
        groups = [g for g in groups if g not in joined] + [sorted(merged)]
    return sorted(groups, key=lambda g: min(points[j] for j in g))


def _block_box(x: float, first: float, lines: list[str], font: float, anchor: str):
    """The box of lines of text, the first line's baseline at `first`."""
    x0, y0, x1, _ = text_box(x, first, max(lines, key=len), font, anchor)
    return (x0, y0, x1, first + (len(lines) - 1) * font * 1.3 + DESCENT * font)


def _segment_boxes(leader: dict[str, float]) -> list[tuple[float, float, float, float]]:
    """A leader line as small boxes along it (for the labels placed after it to avoid)."""
    x1, y1, x2, y2 = leader["x1"], leader["y1"], leader["x2"], leader["y2"]
    steps = max(int(math.dist((x1, y1), (x2, y2)) // 4), 1)
    boxes = []
    for k in range(steps + 1):
        px, py = x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps
        boxes.append((px - 1, py - 1, px + 1, py + 1))
    return boxes


def _place_label(lines, cx, cy, font, bounds, taken, circles, soft) -> dict[str, Any]:
    """The nearest place for the label of a point (or of points drawn on one another: one
    line each) above, beside, below, then further off with a leader line, that stays in
    `bounds`, overlaps no box of `taken` (other labels, their leaders, axis text) or
    `circles` (other points), whose leader crosses no label, and that is nearer its own point
    than any other; `soft` boxes (the step line's dots) are avoided where a place allows."""
    gap = 8.0
    line = font * 1.3
    height = (len(lines) - 1) * line
    above, below = cy - gap - height, cy + gap + ASCENT * font
    beside = cy + font * 0.35 - height / 2
    tries = [(0.0, cx, above, "middle"), (0.5, cx + gap, beside, "start")]
    tries += [(0.6, cx - gap, beside, "end"), (1.0, cx, below, "middle")]
    for k in range(1, 8):
        for sign in (-1, 1):
            tries.append((1 + k, cx + gap, beside + sign * k * line, "start"))
            tries.append((1.1 + k, cx - gap, beside + sign * k * line, "end"))
        tries.append((1.5 + k, cx, above - k * line, "middle"))
        tries.append((1.6 + k, cx, below + k * line, "middle"))
    tries.sort(key=lambda t: t[0])
    points = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in circles]

    def shaped(spot) -> tuple[float, str, tuple, dict | None]:
        cost, lx, first, anchor = spot
        if anchor == "middle":
            lx, anchor = _clamp_anchor(lx, max(lines, key=len), font, bounds[0], bounds[2])
        box = _block_box(lx, first, lines, font, anchor)
        leader = None
        if cost >= 1.5 or (anchor != "middle" and abs(first - beside) > 1):
            x2, y2 = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
            if math.dist((cx, cy), (x2, y2)) > 6:
                leader = {"x1": _r(cx), "y1": _r(cy), "x2": _r(x2), "y2": _r(y2)}
        return lx, anchor, box, leader

    def fits(spot, level: int) -> bool:
        """Level 0: every rule; 1: the step line's dots and the nearest-point rule waived;
        2: other points and leader lines waived too (labels still never overlap)."""
        _, _, box, leader = shaped(spot)
        if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
            return False
        texts = [b for b in taken if b[2] - b[0] > 3]  # not a leader line's little boxes
        blocking = texts if level == 2 else taken + circles + (soft if level == 0 else [])
        if any(_overlaps(box, other) for other in blocking):
            return False
        if level < 2 and leader:
            if any(_overlaps(b, o, 0) for b in _segment_boxes(leader) for o in texts):
                return False
        if level == 0:  # a reader takes a label for the nearest point's
            mid = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            own = math.dist(mid, (cx, cy))
            return all(math.dist(mid, p) + 4 >= own for p in points)
        return True

    chosen = next((t for level in (0, 1, 2) for t in tries if fits(t, level)), tries[0])
    lx, anchor, box, leader = shaped(chosen)
    return {
        "x": _r(lx),
        "anchor": anchor,
        "lines": [{"text": t, "y": _r(chosen[2] + k * line)} for k, t in enumerate(lines)],
        "box": box,
        "leader": leader,
    }


# ---------------------------------------------------------------- sponsors by group


def group_chart(by_group: dict[str, int], layout: Layout = WIDE) -> dict:
    """A bar per regional group; in NARROW the group's name stands above its bar."""
    width, font = layout.width, layout.font
    stacked = layout is NARROW
    count_room = text_width("000", font) + 8
    label_w = 0.0 if stacked else max((text_width(g, font) for g in by_group), default=0) + 12
    bar_w = width - label_w - count_room
    top = max(by_group.values(), default=0) or 1
    bar_h = font * 1.4
    row_h = (font * 1.3 + bar_h + font * 0.7) if stacked else (bar_h + font * 0.8)
    rows = []
    for i, (group, n) in enumerate(by_group.items()):
        y0 = i * row_h
        bar_y = y0 + (font * 1.3 if stacked else font * 0.4)
        rows.append(
            {
                "label": group,
                "count": n,
                "label_x": 0 if stacked else _r(label_w - 10),
                "label_y": _r(y0 + font * 1.0)
                if stacked
                else _r(bar_y + bar_h * 0.5 + font * 0.35),
                "anchor": "start" if stacked else "end",
                "bar_x": _r(label_w),
                "bar_y": _r(bar_y),
                "bar_h": _r(bar_h),
                "width": _r(bar_w * n / top),
                "count_x": _r(label_w + bar_w * n / top + 6),
                "count_y": _r(bar_y + bar_h * 0.5 + font * 0.35),
            }
        )
    return {
        "layout": layout.name,
        "width": width,
        "height": _r(row_h * len(rows) + 4),
        "font": font,
        "rows": rows,
    }


# ---------------------------------------------------------------- a vote's tally


def vote_chart(vote: dict[str, Any], layout: Layout = WIDE) -> dict | None:
    """A stacked bar of the ballots with the line the yes votes had to pass.

    The line is drawn only when `voting.majority_basis` allows it: from the ballots when
    they cover every member, else from the official totals (and then the bar shows those
    totals); a partial record without totals gets its bar and no line.
    """
    from cahtracker.voting import decide, majority_basis, yes_needed

    tally = vote["tally"]
    if not sum(tally.values()):
        return None
    basis = vote.get(
        "basis", majority_basis(tally, vote.get("official_totals"), vote.get("coverage"))
    )
    counts = {k: (basis or tally)[k] for k in LABELS}
    total = sum(counts.values()) or 1
    width, font, small = layout.width, layout.font, layout.small
    left, bar_top, bar_h = 2.0, 4.0, font * 2.2
    bar_w = width - 2 * left
    segments, start = [], 0
    for key in LABELS:
        if counts[key]:
            seg_w = bar_w * counts[key] / total
            label = f"{LABELS[key]} {counts[key]}"
            if text_width(label, font) + 8 > seg_w:
                label = str(counts[key])
            segments.append(
                {
                    "x": _r(left + bar_w * start / total),
                    "width": _r(seg_w),
                    "colour": COLOURS[key],
                    "title": f"{LABELS[key]} {counts[key]}",
                    "label": label,
                    "text_x": _r(left + bar_w * (start + counts[key] / 2) / total),
                    "wide": text_width(label, font) + 6 <= seg_w,
                }
            )
            start += counts[key]
    result = {
        "layout": layout.name,
        "width": width,
        "font": font,
        "small": small,
        "left": left,
        "bar_w": bar_w,
        "bar_top": bar_top,
        "bar_h": _r(bar_h),
        "text_y": _r(bar_top + bar_h / 2 + font * 0.35),
        "segments": segments,
        "basis": basis["basis"] if basis else None,
        "line_x": None,
        "rule": None,
        "rule_lines": [],
        "passes": None,
    }
    majority = vote.get("majority") or "simple"
    if basis is None:
        result["height"] = _r(bar_top + bar_h + 4)
        return result
    voting = counts["yes"] + counts["no"]
    needed = yes_needed(voting, majority)
    of = "two thirds" if majority == "two-thirds" else "a majority"
    rule = f"needed: {of} of {voting} present and voting: {needed} yes"
    if basis["basis"] == "official totals":
        rule += " (official totals)"
    line_x = _r(left + bar_w * (needed if voting else 0) / total)
    lines = _wrap(rule, width - 4, small)
    widest = max(lines, key=len)
    text_x, anchor = _clamp_anchor(line_x, widest, small, 2, width - 2)
    first = bar_top + bar_h + 6 + small * 1.1
    result.update(
        line_x=line_x,
        line_y2=_r(bar_top + bar_h + 6),
        rule=rule,
        rule_lines=[{"text": t, "y": _r(first + i * small * 1.25)} for i, t in enumerate(lines)],
        rule_x=text_x,
        rule_anchor=anchor,
        passes=decide(counts["yes"], counts["no"], majority) == "adopted",
        height=_r(first + (len(lines) - 1) * small * 1.25 + small * 0.5),
    )
    return result


# ---------------------------------------------------------------- position matrix


def matrix_chart(
    matrix: list[dict[str, Any]], topics: list[dict[str, Any]], layout: Layout = WIDE
) -> dict | None:
    """States by topic, a cell per stance. WIDE: names to the left; NARROW: each name above
    its row. Topic titles wrap in their column; when one does not fit, columns are numbered
    and `key` lists the titles (the page prints it under the chart)."""
    if not matrix or not topics:
        return None
    width, font, small = layout.width, layout.font, layout.small
    stacked = layout is NARROW
    label_w = 0.0 if stacked else min(max(text_width(r["name"], font) for r in matrix), 230) + 10
    cell_w = min(110.0, (width - label_w - 2) / len(topics))
    cell_h = 20.0 if not stacked else 18.0
    room = cell_w - 6
    wrapped = [
        textwrap.wrap(t["title"], max(int(room / (CHAR_EM * small)), 1), break_long_words=False)
        for t in topics
    ]
    numbered = any(
        len(lines) > 4 or any(text_width(line, small) > room for line in lines) for lines in wrapped
    )
    if numbered:
        wrapped = [[str(i + 1)] for i in range(len(topics))]
    line_h = small * 1.25
    header = max(len(lines) for lines in wrapped) * line_h + 8
    name_h = font * 1.35 if stacked else 0.0
    row_h = name_h + cell_h + (4 if stacked else 0)
    cells, states = [], []
    chars = max(int((label_w - 10) / (CHAR_EM * font)), 4) if not stacked else None
    for i, row in enumerate(matrix):
        y0 = header + i * row_h
        name = row["name"]
        shown = name if chars is None or len(name) <= chars else name[: chars - 1] + "…"
        states.append(
            {
                "name": shown,
                "title": name,
                "x": 0 if stacked else _r(label_w - 8),
                "y": _r(y0 + font * 1.0) if stacked else _r(y0 + cell_h / 2 + font * 0.35),
                "anchor": "start" if stacked else "end",
            }
        )
        for j, topic in enumerate(topics):
            stance = row["stances"].get(topic["slug"])
            x0 = label_w + j * cell_w
            cells.append(
                {
                    "x": _r(x0 + 1),
                    "y": _r(y0 + name_h + 1),
                    "w": _r(cell_w - 2),
                    "h": _r(cell_h - 2),
                    "colour": COLOURS.get(stance, "#ffffff"),
                    "title": f"{name} — {topic['title']}: {stance or 'no stance recorded'}",
                    "mark": {"support": "✔", "oppose": "✘", "mixed": "±", "undecided": "?"}.get(
                        stance or "", ""
                    ),
                    "mark_x": _r(x0 + cell_w / 2),
                    "mark_y": _r(y0 + name_h + cell_h / 2 + small * 0.35),
                }
            )
    return {
        "layout": layout.name,
        "width": _r(width if stacked else label_w + cell_w * len(topics) + 2),
        "height": _r(header + row_h * len(matrix) + 4),
        "font": font,
        "small": small,
        "states": states,
        "topics": [
            {
                "title": t["title"],
                "x": _r(label_w + j * cell_w + cell_w / 2),
                "lines": [
                    {"text": text, "y": _r(header - 6 - (len(wrapped[j]) - 1 - k) * line_h)}
                    for k, text in enumerate(wrapped[j])
                ],
            }
            for j, t in enumerate(topics)
        ],
        "key": [t["title"] for t in topics] if numbered else None,
        "cells": cells,
    }


# ---------------------------------------------------------------- forecast


def forecast_chart(result: dict[str, Any], layout: Layout = WIDE) -> dict:
    """Each choice as a range: committed (dark), certain (solid), possible (pale) of the members."""
    members = result["members"] or 1
    width, font, small = layout.width, layout.font, layout.small
    label_w = max(text_width(LABELS[c], font) for c in result["tally"]) + 12
    bar_w = width - label_w - 4
    bar_h = font * 1.5
    row_h = bar_h + small * 1.6 + 6
    rows = []
    for i, (choice, counts) in enumerate(result["tally"].items()):

        def x(n: int) -> float:
            return _r(label_w + bar_w * n / members)

        y0 = 4 + i * row_h
        text = f"{counts['low']}–{counts['high']} (committed {counts['committed']})"
        rows.append(
            {
                "label": LABELS[choice],
                "y": _r(y0),
                "label_y": _r(y0 + bar_h / 2 + font * 0.35),
                "bar_h": _r(bar_h),
                "colour": COLOURS[choice],
                "committed_w": _r(bar_w * counts["committed"] / members),
                "low_w": _r(bar_w * counts["low"] / members),
                "high_x": x(counts["high"]),
                "range_w": _r(bar_w * (counts["high"] - counts["low"]) / members),
                "low_x": x(counts["low"]),
                "text": text,
                "text_y": _r(y0 + bar_h + small * 1.15),
            }
        )
    half_x = label_w + bar_w * 0.5
    bottom = 4 + row_h * len(rows)
    label = f"half of {members}"
    text_x, anchor = _clamp_anchor(half_x, label, small, 2, width - 2)
    return {
        "layout": layout.name,
        "width": width,
        "height": _r(bottom + small * 1.5),
        "font": font,
        "small": small,
        "label_w": _r(label_w),
        "rows": rows,
        "half": {
            "x": _r(half_x),
            "label": label,
            "text_x": text_x,
            "anchor": anchor,
            "y2": _r(bottom),
            "text_y": _r(bottom + small * 1.2),
        },
    }


def targets_rows(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "bar": _r(120 * (t["score"] or 0))} for t in targets]


# ---------------------------------------------------------------- links

# an http(s) URL, or a bare host name with a path or a usual top-level domain
_URL = re.compile(
    r"https?://[^\s<>\"'`{}|\\^\[\]]+"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:[a-z]{2}|com|org|net|int|gov|edu|info|news)\b(?:/[^\s<>\"'`{}|\\^\[\]]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)'\""


def link_parts(text: str | None) -> list[tuple[str, str | None]]:
    """A text cut into (part, href) pieces: each URL in it (an http or https one, or a bare
    host such as `press.un.org/en/...`, read as https) with its href, the rest with None.
    The template escapes both; only http(s) hrefs are ever made."""
    if not text:
        return []
    parts: list[tuple[str, str | None]] = []
    at = 0
    for match in _URL.finditer(text):
        found = match.group(0)
        while found and found[-1] in _TRAILING:
            if found[-1] == ")" and found.count("(") >= found.count(")"):
                break  # a URL's own brackets
            found = found[:-1]
        if "." not in found.split("//", 1)[-1]:
            continue
        start, end = match.start(), match.start() + len(found)
        if start > at:
            parts.append((text[at:start], None))
        href = found if found.lower().startswith(("http://", "https://")) else "https://" + found
        parts.append((found, href))
        at = end
    if at < len(text):
        parts.append((text[at:], None))
    return parts


def safe_url(url: str | None) -> str | None:
    """A document's URL if it is an http(s) address (anything else is shown, never linked)."""
    if url and url.strip().lower().startswith(("https://", "http://")) and " " not in url.strip():
        return url.strip()
    return None


# ---------------------------------------------------------------- the page


def html_report(model: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    from cahtracker.dates import date_cell
    from cahtracker.report.map import sponsor_map, vote_map
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

    def both(draw, *args):
        drawn = [draw(*args, layout) for layout in LAYOUTS]
        return None if drawn[0] is None else drawn

    charts = {
        "timeline": both(timeline_chart, model["series"], model["claims"]),
        "groups": both(group_chart, model["count"]["by_group"]),
        "votes": [both(vote_chart, v) for v in model["votes"]],
        "matrix": both(matrix_chart, model["matrix"], model["topics"]),
        "forecast": both(forecast_chart, analysis["forecast"]) if analysis["forecast"] else None,
        "targets": targets_rows(analysis["targets"]) if analysis["targets"] else None,
        "sponsor_map": sponsor_map(model["sponsors"], model["document"]["symbol"], model["on"]),
        "vote_maps": [vote_map(v) for v in model["votes"]],
    }
    return env.get_template("report.html.j2").render(
        m=model,
        charts=charts,
        colours=COLOURS,
        labels=LABELS,
        link_parts=link_parts,
        doc_url=lambda symbol: safe_url(model["doc_urls"].get(symbol)),
        safe_url=safe_url,
        date_cell=date_cell,  # a sponsorship date with its precision: ≤2023-11-15
    )
