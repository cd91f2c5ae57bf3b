"""The world map: the shipped shapes file and the SVG that svg_map draws from it.

Oracles are independent of the code under test: a small SVG path parser written here, the
Equal Earth formulas typed again from the paper, well-known coordinates of small states, and
data/un_member_states.csv read directly. The categories drawn are fictional.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import runpy
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.report import map as world_map
from cahtracker.report.map import NEUTRAL, SPONSOR_LEGEND, svg_map, vote_legend
from conftest import ROOT, decode_terminal

MAP_FILE = ROOT / "src" / "cahtracker" / "data" / "world_map.json"
SVG = "{http://www.w3.org/2000/svg}"
STATES = {
    row["iso3"]: row for row in csv.DictReader((ROOT / "data" / "un_member_states.csv").open())
}
HOSTILE = "</svg><script>alert(1)</script> & \"q\" 'a' ]]> <!--"


def _points(d: str) -> list[list[tuple[float, float]]]:
    """Absolute rings of a path made of m/l/z (relative) commands; an independent parser."""
    tokens = re.findall(r"[mlzMLZ]|-?(?:\d+\.?\d*|\.\d+)", d)
    rings: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    command = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in "mlzMLZ":
            command = token
            i += 1
            if token in "zZ":
                x, y = start
            continue
        dx, dy = float(tokens[i]), float(tokens[i + 1])
        i += 2
        if command == "m":
            x, y = x + dx, y + dy
            start = (x, y)
            rings.append([(x, y)])
            command = "l"  # implicit lineto after a moveto
        elif command == "l":
            x, y = x + dx, y + dy
            rings[-1].append((x, y))
        else:
            raise AssertionError(f"unexpected command {command!r} in path")
    return rings


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Šavrič, Patterson & Jenny (2018), equations 1-2, in radians; typed again for the test."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    p = math.asin(math.sqrt(3) / 2 * math.sin(math.radians(lat)))
    x = (2 * math.sqrt(3) * math.radians(lon) * math.cos(p)) / (
        3 * (9 * a4 * p**8 + 7 * a3 * p**6 + 3 * a2 * p**2 + a1)
    )
    y = a4 * p**9 + a3 * p**7 + a2 * p**3 + a1 * p
    return x, y


@pytest.fixture(scope="module")
def shapes() -> dict:
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


# --- the shipped file ---------------------------------------------------------------------


def test_map_file_is_small_and_has_every_state(shapes):
    assert MAP_FILE.stat().st_size < 300_000
    assert set(shapes["states"]) == set(STATES)
    assert len(shapes["states"]) == 195
    for iso3, state in shapes["states"].items():
        assert state["name"] == STATES[iso3]["name"]
    assert shapes["source"]["package"] == "world-atlas@2.0.2"
    assert re.fullmatch(r"[0-9a-f]{64}", shapes["source"]["sha256"])


def test_sources_md_names_the_shipped_build(shapes):
    sources = (ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    section = sources[sources.index("world_map.json") :]
    assert "world-atlas" in section and "2.0.2" in section
    assert shapes["source"]["sha256"] in section
    assert "public domain" in section


def test_shapes_stay_in_the_frame_and_never_cross_it(shapes):
    """No point outside the frame, and no edge as long as a fifth of the map (an antimeridian streak)."""
    width, height = shapes["width"], shapes["height"]
    drawn = [s["d"] for s in shapes["states"].values() if s["d"]] + [shapes["other_land"]]
    # Tuvalu has no shape at 1:50m; a dozen microstates vanish when simplified: dots only.
    shapeless = {iso3 for iso3, s in shapes["states"].items() if not s["d"]}
    assert "TUV" in shapeless and len(shapeless) < 20
    assert all(shapes["states"][iso3]["area"] < 1 for iso3 in shapeless)
    for d in drawn:
        for ring in _points(d):
            assert len(ring) >= 3
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                assert -0.1 <= x0 <= width + 0.1 and -0.1 <= y0 <= height + 0.1
                assert math.hypot(x1 - x0, y1 - y0) < width / 5
    for state in shapes["states"].values():
        x, y = state["dot"]
        assert 0 <= x <= width and 0 <= y <= height


# Centres of the main island or territory of small states, read off any atlas (degrees).
KNOWN = {
    "MLT": (14.44, 35.89),
    "SGP": (103.82, 1.35),
    "BRB": (-59.55, 13.17),
    "NRU": (166.93, -0.53),
    "AND": (1.58, 42.54),
    "SMR": (12.46, 43.94),
    "LIE": (9.55, 47.16),
    "BHR": (50.55, 26.03),
}


def test_dots_sit_where_the_states_are(shapes):
    """Dots against an independent projection of known coordinates into the stated frame."""
    frame = shapes["frame"]
    margin = frame["margin"]
    x_left, x_right = _equal_earth(-180, 0)[0], _equal_earth(180, 0)[0]
    scale = (shapes["width"] - 2 * margin) / (x_right - x_left)
    y_north = _equal_earth(0, frame["north"])[1]
    assert shapes["height"] == pytest.approx(
        (y_north - _equal_earth(0, frame["south"])[1]) * scale + 2 * margin, abs=0.1
    )
    for iso3, (lon, lat) in KNOWN.items():
        px, py = _equal_earth(lon, lat)
        dot_x, dot_y = shapes["states"][iso3]["dot"]
        assert dot_x == pytest.approx((px - x_left) * scale + margin, abs=1.5), iso3
        assert dot_y == pytest.approx((y_north - py) * scale + margin, abs=1.5), iso3


def test_tuvalu_is_a_dot_in_the_pacific(shapes):
    tuvalu = shapes["states"]["TUV"]
    assert tuvalu["d"] == "" and "countries-10m.json" in tuvalu["dot_from"]
    fiji = shapes["states"]["FJI"]["dot"]
    assert tuvalu["dot"][0] > fiji[0] and tuvalu["dot"][1] < fiji[1]  # north-east of Fiji


@pytest.fixture(scope="session")
def world_atlas(tmp_path_factory) -> Path:
    """world-atlas@2.0.2 from the npm registry ($WORLD_ATLAS_DIR if it is installed already)."""
    given = os.environ.get("WORLD_ATLAS_DIR")
    if given:
        return Path(given)
    import subprocess

    npm = shutil.which("npm")
    assert npm, "the map's freshness check needs npm (Debian: apt-get install npm)"
    folder = tmp_path_factory.mktemp("npm")
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), "world-atlas@2.0.2"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / "node_modules" / "world-atlas"


@pytest.mark.slow
def test_map_file_is_fresh(world_atlas):
    """From the package, the builder reproduces the committed file byte for byte."""
    builder = _builder()
    text = builder.render(builder.build(world_atlas))
    assert text == MAP_FILE.read_text(encoding="utf-8")


# --- the build script on a fictional topology ---------------------------------------------


def _builder() -> SimpleNamespace:
    """scripts/build_world_map.py's functions (a script, not a module of the package)."""
    return SimpleNamespace(**runpy.run_path(str(ROOT / "scripts" / "build_world_map.py")))


def test_builder_decodes_projects_and_cuts_at_the_antimeridian():
    """A fictional island crossing 180°: two planar rings, one at each edge, no streak."""
    builder = _builder()
    # Quantized, delta-encoded arc: 178E -> 178W along 10S, down to 12S, back, and up.
    topology = {
        "transform": {"scale": [1.0, 1.0], "translate": [0, 0]},
        "arcs": [[[178, -10], [4, 0], [0, -2], [-4, 0], [0, 2]]],
    }
    arcs = builder.decode_arcs(topology)
    assert arcs[0] == [(178, -10), (182, -10), (182, -12), (178, -12), (178, -10)]
    topology["arcs"] = [[[178, -10], [-356, 0], [0, -2], [356, 0], [0, 2]]]
    assert builder.decode_arcs(topology)[0][1] == (-178, -10)

    def fit(point):
        return point[0] * 100 + 500, point[1] * 100 + 300

    east, west = sorted(builder.Arcs(topology, fit).rings([0], simplified=False), reverse=True)
    for ring, edge in ((east, 180), (west, -180)):
        xs = [x for x, _ in ring]
        assert max(xs) - min(xs) < 10  # the ring stays on its side of the map
        for lat in (-10, -12):  # and ends on the antimeridian where the island is cut
            x, y = _equal_earth(edge, lat)
            assert any(p == pytest.approx(fit((x, -y))) for p in ring), (edge, lat)


def test_builder_path_data_round_trips_through_an_independent_parser():
    builder = _builder()
    rings = [
        [(10.04, 20.0), (15.5, 20.0), (15.5, 27.26), (10.04, 20.0)],
        [(40.0, 5.0), (41.0, 9.0), (38.0, 9.0)],
    ]
    d = builder.path_data(rings)
    assert _points(d) == [
        [(10.0, 20.0), (15.5, 20.0), (15.5, 27.3)],
        [(40.0, 5.0), (41.0, 9.0), (38.0, 9.0)],
    ]


def test_builder_simplify_keeps_ends_and_drops_near_collinear_points():
    builder = _builder()
    line = [(0.0, 0.0), (1.0, 0.05), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert builder.simplify(line, 0.3) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]


# --- svg_map ------------------------------------------------------------------------------


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _states(root: ET.Element) -> dict[str, ET.Element]:
    found = [e for e in root.iter() if "data-iso3" in e.attrib]
    by_code = {e.get("data-iso3"): e for e in found}
    assert len(by_code) == len(found), "a state is drawn twice"
    return by_code


def _fictional_sponsors() -> dict[str, str]:
    codes = sorted(STATES)
    categories = {code: ("sponsor" if i % 3 == 0 else "none") for i, code in enumerate(codes)}
    categories.update(MEX="main", MLT="main", TUV="sponsor")
    return categories


def test_one_element_per_state_filled_with_its_category_colour():
    categories = _fictional_sponsors()
    root = _parse(svg_map(categories, SPONSOR_LEGEND, "Fictional sponsors"))
    colours = {key: colour for key, _, colour in SPONSOR_LEGEND}
    drawn = _states(root)
    assert set(drawn) == set(STATES)
    for iso3, element in drawn.items():
        assert element.get("fill") == colours[categories[iso3]], iso3
        title = element.find(f"{SVG}title").text
        assert title.startswith(STATES[iso3]["name"] + ": ")
    assert drawn["TUV"].tag == f"{SVG}circle" and drawn["FRA"].tag == f"{SVG}path"
    assert root.find(f".//{SVG}script") is None


def test_a_state_without_category_is_neutral_and_counted_in_the_legend():
    categories = {"FRA": "yes", "CHN": "no"}
    svg = svg_map(categories, vote_legend(), "Fictional vote")
    drawn = _states(_parse(svg))
    assert drawn["DEU"].get("fill") == NEUTRAL
    assert drawn["FRA"].get("fill") == "#2e7d32"
    assert "no data (193)" in svg and "Yes (1)" in svg and "No (1)" in svg


def test_legend_shows_every_label_and_colour_in_both_layouts():
    root = _parse(svg_map(_fictional_sponsors(), SPONSOR_LEGEND, "Fictional sponsors"))
    for kind in ("phone", "desk"):
        group = next(
            g
            for g in root.iter(f"{SVG}g")
            if g.get("class") == kind and g.find(f"{SVG}g") is not None
        )
        texts = " ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))
        fills = {r.get("fill") for r in group.iter(f"{SVG}rect")}
        for _, label, colour in SPONSOR_LEGEND:
            assert label in texts and colour in fills


def test_text_and_dots_are_big_enough_at_phone_and_desktop_widths():
    """Phone layout drawn 340 px wide, desktop layout 600 px wide: text >= 11 px, dots r >= 2 px."""
    width = 760
    root = _parse(svg_map(_fictional_sponsors(), SPONSOR_LEGEND, "Fictional sponsors", width))
    for kind, drawn_px in (("phone", 340), ("desk", 600)):
        sizes = []
        for group in (g for g in root.iter(f"{SVG}g") if g.get("class") == kind):
            for element in group.iter():
                if element.get("font-size"):
                    sizes.append(float(element.get("font-size")))
        assert sizes, kind
        assert min(sizes) * drawn_px / width >= 11, kind
    scale = float(re.search(r"scale\(([\d.]+)\)", _parse_map_group(root)).group(1))
    radii = [float(c.get("r")) * scale for c in root.iter(f"{SVG}circle")]
    assert len(radii) >= 30  # the microstates, from Tuvalu to Kuwait
    assert min(radii) * 340 / width >= 2.0
    assert min(radii) * 600 / width * world_map.DOT_SHRINK >= 2.0


def _parse_map_group(root: ET.Element) -> str:
    return next(g.get("transform") for g in root.iter(f"{SVG}g") if g.get("transform"))


def test_hostile_text_is_escaped_everywhere():
    svg = svg_map(
        {"FRA": "x"},
        [("x", HOSTILE, "#123456")],
        HOSTILE,
        names={"FRA": HOSTILE},
        notes={"FRA": HOSTILE},
        missing_label=HOSTILE,
    )
    root = _parse(svg)
    assert "<script" not in svg
    assert root.find(f".//{SVG}script") is None
    assert svg.count("</svg>") == 1 and svg.rstrip().endswith("</svg>")
    assert root.find(f"{SVG}title").text == HOSTILE
    assert root.get("aria-label") == HOSTILE
    france = _states(root)["FRA"].find(f"{SVG}title").text
    assert france == f"{HOSTILE}: {HOSTILE} ({HOSTILE})"


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=60), label=st.text(min_size=1, max_size=40))
def test_any_text_keeps_the_svg_well_formed(name, label):
    """Issue 15: controls and bidi overrides are shown as safe_text's escapes (they read
    back to the text), anything else XML cannot hold (U+FFFE, U+FFFF) as U+FFFD."""
    svg = svg_map({"PER": "k"}, [("k", label, "#abcdef")], name, names={"PER": name})
    root = _parse(svg)

    def kept(text: str) -> str:
        return "".join(c if c not in "\ufffe\uffff" else "\ufffd" for c in text)

    title = root.find(f"{SVG}title").text or ""
    assert all(_xml_char(c) and not _raw_control(c) for c in title)
    assert decode_terminal(title) == kept(name)
    peru = _states(root)["PER"].find(f"{SVG}title").text
    assert decode_terminal(peru) == f"{kept(name)}: {kept(label)}"
    assert len(_states(root)) == 195


def _raw_control(c: str) -> bool:
    n = ord(c)
    bidi = c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    return (n < 0x20 and c != "\n") or 0x7F <= n <= 0x9F or bidi


def _xml_char(c: str) -> bool:
    n = ord(c)
    return n in (9, 10, 13) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: svg_map({"XXX": "a"}, [("a", "A", "#fff")], "t"), "not a UN member"),
        (lambda: svg_map({"FRA": "b"}, [("a", "A", "#fff")], "t"), "not in the legend"),
        (lambda: svg_map({}, [("a", "A", "red;fill:url(x)")], "t"), "not a colour"),
        (lambda: svg_map({}, [("a", "A", "#fff")] * 2, "t"), "repeats a key"),
        (lambda: svg_map({}, [(str(i), "A", "#fff") for i in range(13)], "t"), "1 to 12"),
        (lambda: svg_map({}, [], "t"), "1 to 12"),
        (lambda: svg_map({}, [("a", "A", "#fff")], "t", 100), "320 to 2400"),
        (lambda: svg_map({}, [("a", "A" * 81, "#fff")], "t"), "at most 80"),
        (lambda: svg_map({}, [("a", "A", "#fff")], "t" * 201), "at most 200"),
        (lambda: svg_map({}, [("a", "A", "#fff")], "t", names={"FRA": "x" * 301}), "at most 300"),
        (lambda: svg_map({}, [("", "A", "#fff")], "t"), "empty key"),
        (lambda: svg_map({}, [("a", "A", "#fff")], "t", missing_label="x" * 81), "at most 80"),
    ],
)
def test_bad_input_is_refused_with_one_line(call, message):
    with pytest.raises(CahError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_vote_legend_uses_the_stored_ballot_choices():
    from cahtracker.voting import CHOICES

    keys = [key for key, _, _ in vote_legend()]
    assert keys[:-1] == list(CHOICES) and keys[-1] == "not-recorded"
    assert len({colour for _, _, colour in vote_legend()}) == len(keys)
