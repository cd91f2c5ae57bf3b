"""The world map in headless Chromium at 1280 and 390 px: no overflow, readable text, visible dots.

How: two fictional maps (sponsors and a vote) are placed in a page laid out like the HTML
report: main column 860 px at most, 16 px padding under 700 px, and the report's
Content-Security-Policy (a blocked style would show as a console message). Headless
Chromium's `--dump-dom` lays a window out at least 500 px wide whatever `--window-size` says
(measured: innerWidth 500 for 390), so the page is measured inside an iframe of the exact
width (test_browser.measure). A script in the test harness (the map itself has none) reads
what Chromium laid out there: page and SVG widths, the rendered size of every visible text
and dot, and whether any text or dot falls outside the drawing. `--screenshot`
does honour the window size; each screenshot must be a real PNG; set MAP_SCREENSHOT_DIR to
keep them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_browser import measure, run_chromium

from cahtracker.report.map import SPONSOR_LEGEND, map_data, svg_map, vote_legend

pytestmark = pytest.mark.slow

MAP_SCRIPT = """
  result.maps = [];
  for (const svg of doc.querySelectorAll("svg.cah-map")) {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")].filter(shown);
    const fonts = texts.map((t) => parseFloat(win.getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    const rects = texts.map((t) => t.getBoundingClientRect());
    const dots = [...svg.querySelectorAll("circle.dot")].map((c) => c.getBoundingClientRect());
    result.maps.push({
      left: box.left, right: box.right, top: box.top, bottom: box.bottom,
      texts: texts.length, minFont: Math.min(...fonts),
      textRight: Math.max(...rects.map((r) => r.right)),
      textBottom: Math.max(...rects.map((r) => r.bottom)),
      textTop: Math.min(...rects.map((r) => r.top)),
      dots: dots.length, minDotRadius: Math.min(...dots.map((r) => r.width / 2)),
      dotsLeft: Math.min(...dots.map((r) => r.left)), dotsRight: Math.max(...dots.map((r) => r.right)),
    });
  }"""

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>map test</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
* {{ box-sizing: border-box; }}
body {{ margin: 0; font: 15px/1.5 Arial, sans-serif; }}
main {{ max-width: 860px; margin: 0 auto; padding: 28px 32px 48px; }}
figure {{ margin: 16px 0 22px; }}
figure svg {{ display: block; max-width: 100%; height: auto; }}
@media (max-width: 700px) {{ main {{ padding: 16px; }} }}
</style></head><body><main>
<h2>Sponsors</h2><figure>{sponsors}</figure><h2>Vote</h2><figure>{vote}</figure><p id="after">end</p>
</main></body></html>"""


def _page(tmp_path: Path) -> Path:
    """Fictional categories: every third state a sponsor, two main sponsors; a made-up vote."""
    codes = sorted(map_data()["states"])
    sponsors = {c: ("sponsor" if i % 3 == 0 else "none") for i, c in enumerate(codes)}
    sponsors.update(MEX="main", GMB="main")
    choices = [key for key, _, _ in vote_legend()]
    vote = {c: choices[i % len(choices)] for i, c in enumerate(codes)}
    page = tmp_path / "map.html"
    page.write_text(
        PAGE.format(
            sponsors=svg_map(
                sponsors, SPONSOR_LEGEND, "Sponsors of A/FIC/L.1 by state (fictional)"
            ),
            vote=svg_map(vote, vote_legend(), "Recorded vote on A/FIC/L.1, 2024-11-20 (fictional)"),
        ),
        encoding="utf-8",
    )
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_map_fits_and_stays_readable_in_chromium(tmp_path, width):
    page = _page(tmp_path)
    measured = measure(page, tmp_path, width, MAP_SCRIPT, height=1400)
    assert measured["inner"] == width
    assert measured["scroll"] <= width, "the page scrolls sideways"
    assert len(measured["maps"]) == 2
    for m in measured["maps"]:
        assert 0 <= m["left"] and m["right"] <= width
        assert m["texts"] >= 5  # a title line and at least four legend entries
        assert m["minFont"] >= 11, f"text drawn at {m['minFont']:.1f} px"
        assert m["top"] <= m["textTop"] and m["textRight"] <= m["right"] + 0.5
        assert m["textBottom"] <= m["bottom"] + 0.5, "legend cut off at the bottom"
        assert m["dots"] >= 30 and m["minDotRadius"] >= 2, f"dots of {m['minDotRadius']:.2f} px"
        assert m["left"] <= m["dotsLeft"] and m["dotsRight"] <= m["right"]

    png = tmp_path / f"map-{width}.png"
    shot = run_chromium(page, tmp_path, f"--screenshot={png}", f"--window-size={width},1400")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    if os.environ.get("MAP_SCREENSHOT_DIR"):
        shutil.copy(png, Path(os.environ["MAP_SCREENSHOT_DIR"]) / png.name)
