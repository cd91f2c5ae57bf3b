"""A world map of UN member and observer states as one static SVG: each state filled by category.

The shapes come from cahtracker/data/world_map.json (Natural Earth via the npm package
world-atlas, built by scripts/build_world_map.py; provenance in data/SOURCES.md). No script: a <title> per state
gives the hover text. States too small to see at phone width are also drawn as dots at the
centroid of their largest island (its largest ring in the shapes). Sizes are chosen for the HTML report's layout: text and dots
are sized for a map drawn 340 CSS px wide; from a 700 px wide viewport on, a media query
shrinks the legend and the dots, since the map is then drawn at 600 px or more.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from cahtracker.errors import CahError

NEUTRAL = "#c4c9d1"  # a state with no category
OTHER_LAND = "#f7f8fa"  # land that is no UN member or observer state: near white, outlined
OTHER_EDGE = "#aab0bb"
OTHER_LABEL = "other territories"
OTHER_TITLE = "Not a UN member or observer state; not coloured"
# A shape smaller than this (square units of the 1000-unit-wide frame) is also drawn as a dot.
DOT_AREA = 16.0
MIN_TEXT_PX = 11.0
PHONE_WIDTH = 340  # CSS px: the narrowest drawing the phone layout is meant for
DESKTOP_VIEWPORT = 700  # CSS px: from this viewport width on, the desktop layout
DESKTOP_WIDTH = 600  # CSS px: the narrowest drawing the desktop layout is meant for
DOT_RADIUS_PX = 2.4  # at PHONE_WIDTH
DOT_SHRINK = 0.56  # dots in the desktop layout
CHAR_EM = 0.6  # an overestimate of a sans-serif character's average width, in em
TITLE_EM = 1.1
LINE_EM = 1.3

# Suggested legends for the two maps of the report; vote colours are the report's own.
SPONSOR_LEGEND: tuple[tuple[str, str, str], ...] = (
    ("main", "Main sponsor", "#1f4e8c"),
    ("sponsor", "Sponsor", "#6a9bd8"),
    ("none", "Not a sponsor", "#dde1e7"),
)


def vote_legend() -> tuple[tuple[str, str, str], ...]:
    """(choice, label, colour) for a recorded vote map, keyed by ballot choice as stored."""
    from cahtracker.report.html import COLOURS
    from cahtracker.voting import CHOICES, LABELS, tally_key

    entries = tuple((c, LABELS[tally_key(c)], COLOURS[tally_key(c)]) for c in CHOICES)
    return (*entries, ("not-recorded", "Not recorded", "#ebe3cf"))


MAX_LEGEND = 12
MAX_LABEL = 80
MAX_TITLE = 200
MAX_NOTE = 300
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}|[a-z]{3,20}")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def map_data() -> dict[str, Any]:
    """The shipped shapes: {"width", "height", "states": {iso3: {name, d, area, dot}}, ...}."""
    import json
    from importlib.resources import files

    text = files("cahtracker").joinpath("data", "world_map.json").read_text(encoding="utf-8")
    return json.loads(text)


def _text(value: str) -> str:
    """Escape for XML text and attribute values; characters XML cannot hold become U+FFFD."""
    value = _NOT_XML.sub("\ufffd", value)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("\r", "&#13;")  # else XML reads it as a line feed
    )


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _wrap(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a word longer than a line is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split() or [""]:
        while len(word) > max_chars:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= max_chars:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return [x for x in lines if x] or [""]


def _check(
    categories: Mapping[str, str],
    legend: Sequence[tuple[str, str, str]],
    title: str,
    width: int,
    names: Mapping[str, str],
    notes: Mapping[str, str],
    states: Mapping[str, Any],
    missing_label: str,
) -> None:
    if not 320 <= width <= 2400:
        raise CahError(f"map width {width} is out of range: give 320 to 2400")
    if not 1 <= len(legend) <= MAX_LEGEND:
        raise CahError(f"the map legend has {len(legend)} entries: give 1 to {MAX_LEGEND}")
    if len(missing_label) > MAX_LABEL:
        raise CahError(
            f"the label for states without data is too long: at most {MAX_LABEL} characters"
        )
    if len(title) > MAX_TITLE:
        raise CahError(f"the map title has {len(title)} characters: at most {MAX_TITLE}")
    keys = [entry[0] for entry in legend]
    if len(set(keys)) != len(keys):
        raise CahError("the map legend repeats a key: give each category once")
    for key, label, colour in legend:
        if not key:
            raise CahError("a map legend entry has an empty key: give each category a name")
        if len(label) > MAX_LABEL:
            raise CahError(
                f"legend label {label[:20]!r}… is too long: at most {MAX_LABEL} characters"
            )
        if not _COLOUR.fullmatch(colour):
            raise CahError(
                f"legend colour {colour[:20]!r} for {key[:20]!r} is not a colour: give #rgb, #rrggbb or a CSS name"
            )
    for mapping, what in ((categories, "category"), (names, "name"), (notes, "note")):
        unknown = sorted(set(mapping) - set(states))
        if unknown:
            raise CahError(
                f"{what} given for {unknown[0][:12]!r}, which is not a UN member or observer "
                "state's ISO3 code: use codes such as 'FRA'"
            )
    for iso3, category in categories.items():
        if category not in keys:
            raise CahError(
                f"{iso3} has category {category[:20]!r}, which is not in the legend: give one of "
                + ", ".join(repr(k) for k in keys)
            )
    for iso3, value in [*names.items(), *notes.items()]:
        if len(value) > MAX_NOTE:
            raise CahError(f"the text given for {iso3} is too long: at most {MAX_NOTE} characters")


def svg_map(
    categories: Mapping[str, str],
    legend: Sequence[tuple[str, str, str]],
    title: str,
    width: int = 760,
    *,
    names: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    missing_label: str = "no data",
    counts: bool = True,
    show_title: bool = True,
) -> str:
    """The map as an SVG element (it can stand alone as a file, or be inlined in HTML).

    categories: ISO3 -> a legend key; a state without one is filled NEUTRAL and labelled
    `missing_label`. legend: (key, label, colour) in display order. names: ISO3 -> the name
    to show (default: the UN short name shipped with the shapes). notes: ISO3 -> text added to
    that state's hover title. width: the drawing's width in CSS px (the viewBox width); it
    shrinks to fit its container. counts: add the number of states to each legend label.
    show_title: draw the title above the map (it is the SVG's <title> and label either way).
    """
    data = map_data()
    states: dict[str, dict[str, Any]] = data["states"]
    names, notes = names or {}, notes or {}
    _check(categories, legend, title, width, names, notes, states, missing_label)

    radius = DOT_RADIUS_PX * width / PHONE_WIDTH
    pad = round(radius + 2, 1)
    scale = (width - 2 * pad) / data["width"]
    colour = {key: c for key, _, c in legend}
    label = {key: text for key, text, _ in legend}

    entries = [(key, label[key], colour[key]) for key, _, _ in legend]
    if any(iso3 not in categories for iso3 in states):
        entries.append(("", missing_label, NEUTRAL))
    tally = {key: 0 for key, _, _ in entries}
    for iso3 in states:
        tally[categories.get(iso3, "")] += 1
    shown = [(f"{t} ({tally[k]})" if counts else t, c) for k, t, c in entries]
    shown.append((OTHER_LABEL, OTHER_LAND))

    # Two layouts of the text, one shown at a time: large for phones, small from 700 px on.
    phone_font = math.ceil(MIN_TEXT_PX * width / PHONE_WIDTH * 10) / 10  # written at 0.1
    desk_font = math.ceil(MIN_TEXT_PX * width / DESKTOP_WIDTH * 10) / 10
    inner = width - 2 * pad
    titles = {
        f: _title_lines(title, f, inner) if show_title else [] for f in (phone_font, desk_font)
    }
    title_h = _title_height(titles[phone_font], phone_font)
    # The desktop title is shorter: there the map and legend move up by the difference.
    shift = round(max(title_h - _title_height(titles[desk_font], desk_font), 0.0), 1)
    map_top = round(pad + title_h, 1)
    legend_top = round(map_top + data["height"] * scale + phone_font * 0.5, 1)
    legends = {f: _legend(shown, f, pad, legend_top, inner) for f in (phone_font, desk_font)}
    height = round(legend_top + max(h for _, h in legends.values()) + pad, 1)
    desk_height = round(legend_top - shift + legends[desk_font][1] + pad, 1)
    # Desktop: a shorter box, and preserveAspectRatio "xMidYMin slice" crops the blank bottom.
    up, short = f"up{round(shift * 10)}", f"h{round(desk_height * 10)}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cah-map {short}"'
        f' viewBox="0 0 {width} {_n(height)}" preserveAspectRatio="xMidYMin slice"'
        f' width="{width}" height="{_n(height)}" style="width:100%;height:auto;max-width:{width}px"'
        f' role="img" aria-label="{_text(title)}">',
        f"<title>{_text(title)}</title>",
        "<style>"
        ".cah-map .state,.cah-map .islet{stroke:#fff;stroke-width:.5px;"
        "vector-effect:non-scaling-stroke;fill-rule:evenodd}"
        f".cah-map .other{{stroke:{OTHER_EDGE};stroke-width:.5px;vector-effect:non-scaling-stroke;fill-rule:evenodd}}"
        ".cah-map .dot{stroke:#3c4250;stroke-width:.8px;transform-box:fill-box;transform-origin:center}"
        ".cah-map text{font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;fill:#1d2330}"
        ".cah-map .desk{display:none}"
        f"@media (min-width:{DESKTOP_VIEWPORT}px){{.cah-map .desk{{display:inline}}.cah-map .phone{{display:none}}"
        f".cah-map .dot{{transform:scale({_n2(DOT_SHRINK)})}}"
        f".cah-map .{up}{{transform:translateY(-{_n(shift)}px)}}"
        f"svg.cah-map.{short}{{aspect-ratio:{width}/{_n(desk_height)}}}}}"
        "</style>",
        f'<g class="phone">{"".join(_title_svg(titles[phone_font], phone_font, pad, map_top))}</g>',
        f'<g class="desk">{"".join(_title_svg(titles[desk_font], desk_font, pad, map_top - shift))}</g>',
        f'<g class="{up}">',
        f'<g class="phone">{"".join(legends[phone_font][0])}</g>',
        f'<g class="desk">{"".join(legends[desk_font][0])}</g>',
    ]

    def hover(iso3: str) -> str:
        name = names.get(iso3, states[iso3]["name"])
        key = categories.get(iso3, "")
        text = f"{name}: {label.get(key, missing_label)}"
        if notes.get(iso3):
            text += f" ({notes[iso3]})"
        return f"<title>{_text(text)}</title>"

    def fill(iso3: str) -> str:
        return colour.get(categories.get(iso3, ""), NEUTRAL)

    out.append(f'<g transform="translate({_n(pad)} {_n(map_top)}) scale({scale:.5f})">')
    if data.get("other_land"):
        out.append(
            f'<path class="other" fill="{OTHER_LAND}" d="{data["other_land"]}">'
            f"<title>{OTHER_TITLE}</title></path>"
        )
    dotted = []
    for iso3, state in states.items():
        small = state["area"] < DOT_AREA
        if small:
            dotted.append(iso3)
        if not state["d"]:
            continue
        if small:
            out.append(f'<path class="islet" fill="{fill(iso3)}" d="{state["d"]}"/>')
        else:
            out.append(
                f'<path class="state" data-iso3="{iso3}" fill="{fill(iso3)}" d="{state["d"]}">'
                f"{hover(iso3)}</path>"
            )
    r = _n(radius / scale)
    for iso3 in dotted:
        x, y = states[iso3]["dot"]
        out.append(
            f'<circle class="state dot" data-iso3="{iso3}" fill="{fill(iso3)}" cx="{_n(x)}" cy="{_n(y)}"'
            f' r="{r}">{hover(iso3)}</circle>'
        )
    out.append("</g></g></svg>")
    return "\n".join(out)


def _n2(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _title_lines(title: str, font: float, room: float) -> list[str]:
    return _wrap(title, int(room / (CHAR_EM * font * TITLE_EM))) if title else []


def _title_height(lines: list[str], font: float) -> float:
    return len(lines) * font * TITLE_EM * LINE_EM + (font * 0.4 if lines else 0)


def _title_svg(lines: list[str], font: float, x: float, bottom: float) -> list[str]:
    """The title's lines, the last one just above `bottom` (the map's top)."""
    if not lines:
        return []
    step = font * TITLE_EM * LINE_EM
    out = [
        f'<text x="{_n(x)}" y="{_n(bottom - font * 0.5)}" font-size="{_n(math.ceil(font * TITLE_EM * 10) / 10)}"'
        ' font-weight="bold">'
    ]
    for i, text in enumerate(lines):
        dy = -(len(lines) - 1) * step if i == 0 else step
        out.append(f'<tspan x="{_n(x)}" dy="{_n(dy)}">{_text(text)}</tspan>')
    out.append("</text>")
    return out


def _legend(
    shown: list[tuple[str, str]], font: float, x0: float, top: float, room: float
) -> tuple[list[str], float]:
    """Legend entries flowing left to right, a new row when the next would not fit; (SVG, height)."""
    line = font * LINE_EM
    swatch = font * 0.8
    gap = font * 0.4
    spacing = font * 1.2
    text_room = int((room - swatch - gap) / (CHAR_EM * font))
    out = [f'<g class="legend" font-size="{_n(font)}">']
    x, y, row_lines = 0.0, top, 1
    for text, fill in shown:
        lines = _wrap(text, text_room)
        item_w = swatch + gap + max(len(ln) for ln in lines) * CHAR_EM * font
        if x > 0 and (len(lines) > 1 or x + item_w > room):
            x, y, row_lines = 0.0, y + row_lines * line, 1
        row_lines = max(row_lines, len(lines))
        edge = OTHER_EDGE if fill == OTHER_LAND else "#7a8190"
        out.append(
            f'<rect x="{_n(x0 + x)}" y="{_n(y + (line - swatch) / 2)}" width="{_n(swatch)}"'
            f' height="{_n(swatch)}" fill="{fill}" stroke="{edge}" stroke-width="1"/>'
        )
        tx = x0 + x + swatch + gap
        out.append(f'<text x="{_n(tx)}" y="{_n(y + line * 0.72)}">')
        for i, ln in enumerate(lines):
            out.append(f'<tspan x="{_n(tx)}" dy="{_n(0 if i == 0 else line)}">{_text(ln)}</tspan>')
        out.append("</text>")
        x += item_w + spacing
    out.append("</g>")
    return out, y + row_lines * line - top


# ---------------------------------------------------------------- the report's maps


def sponsor_map(sponsors: list[dict[str, Any]], symbol: str, on: str) -> str:
    """The world map of a document's sponsors: main sponsors, co-sponsors, the rest."""
    shapes = map_data()["states"]
    categories = {iso3: "none" for iso3 in shapes}
    notes = {}
    for row in sponsors:
        if row["iso3"] in shapes:
            categories[row["iso3"]] = "main" if row["role"] == "main" else "sponsor"
            if row["joined_on"]:
                notes[row["iso3"]] = f"since {row['joined_on']}"
    return svg_map(categories, SPONSOR_LEGEND, sponsor_map_title(symbol, on), notes=notes)


def sponsor_map_title(symbol: str, on: str) -> str:
    return f"Sponsors of {symbol} by state, as of {on}"


def vote_map_title(vote: dict[str, Any]) -> str:
    return (
        f"Vote {vote['id']} on {vote['symbol']}, {vote['body'] or 'body not given'}, "
        f"{vote['date'] or 'date unknown'}: {vote['outcome'] or 'outcome not given'}"
    )


def vote_map(vote: dict[str, Any]) -> str | None:
    """The world map of a recorded vote: each state by its ballot; the members with none as
    not recorded; None for a decision without ballots."""
    if not vote["ballots"]:
        return None
    shapes = map_data()["states"]
    categories = {b["iso3"]: b["choice"] for b in vote["ballots"] if b["iso3"] in shapes}
    for member in vote.get("members_not_recorded") or []:
        if member["iso3"] in shapes:
            categories[member["iso3"]] = "not-recorded"
    used = set(categories.values())
    legend = [e for e in vote_legend() if e[0] in used or e[0] in ("yes", "no", "abstain")]
    notes = {
        b["iso3"]: b["explanation"][: MAX_NOTE - 1]
        + ("…" if len(b["explanation"]) >= MAX_NOTE else "")
        for b in vote["ballots"]
        if b.get("explanation") and b["iso3"] in shapes
    }
    known = (vote.get("coverage") or {}).get("members") is not None
    title = vote_map_title(vote)
    return svg_map(
        categories,
        legend,
        title,
        notes=notes,
        missing_label="not a member on that date" if known else "no ballot recorded",
    )
