"""The HTML report in a real browser: headless Chromium draws it without console errors.

How: Chromium runs twice on the exported file, once with `--screenshot` (the PNG must be
of non-trivial size) and once with `--dump-dom` (the DOM after load must hold the SVG
charts). Both runs pass `--enable-logging=stderr --v=0`, under which Chromium copies every
console message of the page to stderr as a line containing `:CONSOLE`; the report has no
script of its own, so any such line (an uncaught error, a resource the Content-Security-
Policy blocked, a failed load) fails the test. `.ci/run` installs Debian's `chromium`; when
no Chromium is found the test fails rather than skips.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import report_data

pytestmark = pytest.mark.slow

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "Chromium not found (looked for: " + ", ".join(BROWSERS) + "); the HTML report is "
        "tested in a real browser: install it (`apt-get install chromium`, as .ci/run does)."
    )


def run_chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [_browser(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_console_detector_catches_a_script_error(tmp_path):
    """The check below can fail: a page with an uncaught error and a blocked image is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\">"
        "<img src='http://example.invalid/x.png'><p>x</p>",
        encoding="utf-8",
    )
    result = run_chromium(page, tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert any("Content Security Policy" in line for line in console_messages(result.stderr))


def _report(cli, tmp_path, fictional: bool) -> Path:
    """The HTML report of the seed, or of the seed plus report_data's fictional record and
    two more fictional counts reported on dates that already have one (crowded labels)."""
    if fictional:
        report_data.build(cli)
        cli.ok("sponsors", "claim", "94", "--date", "2024-11", "--source", "fictional repeat")
        cli.ok("sponsors", "claim", "97", "--date", "2024-11-22", "--source", "fictional near")
    page = tmp_path / "report.html"
    cli.ok("report", "export", "-f", "html", "-o", str(page))
    return page


@pytest.mark.parametrize("fictional", [False, True], ids=["seed", "with-votes"])
def test_html_report_renders_in_chromium(cli, tmp_path, monkeypatch, fictional):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-11-27")
    page = _report(cli, tmp_path, fictional)

    png = tmp_path / "report.png"
    shot = run_chromium(page, tmp_path, f"--screenshot={png}", "--window-size=1200,2000")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert console_messages(shot.stderr) == []
    assert png.exists() and png.stat().st_size > 40_000, "the screenshot looks empty"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    dom = run_chromium(page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_messages(dom.stderr) == []
    html = dom.stdout
    svgs = re.findall(r"<svg\b", html)
    assert re.search(r'<path class="step" d="M[\d.]+,[\d.]+H', html), "no sponsors-over-time line"
    # every chart is drawn twice (the wide and the narrow layout): dated reported counts
    assert html.count('class="claim"') == 2 * (9 if fictional else 6)
    # one label per spot: counts drawn on one another share one (one line each)
    assert 2 <= html.count('class="claim-label"') <= html.count('class="claim"')
    for count in (86, 94, 98, 99, *((97, 120) if fictional else ())):
        assert len(re.findall(rf">{count} \[\d+\]</tspan>", html)) >= 2, count
    assert html.count('<rect class="bar"') >= 2 * 3  # sponsors by group
    assert html.count('<rect class="cell"') >= 2 * 5 * 5  # the position matrix
    assert html.count('class="cah-map') == (3 if fictional else 1)  # sponsors, recorded votes
    if fictional:
        assert 'class="majority"' in html and 'id="fig-forecast"' in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert len(svgs) >= 2 * 6 + 3 + 10  # charts, maps, one score bar per target
    else:
        assert len(svgs) == 2 * 3 + 1


# A page is measured in an iframe of the exact width (headless Chromium's --dump-dom lays a
# window out at least 500 px wide whatever --window-size says); a script of this harness,
# not of the page (which has none), fills `result` from what Chromium laid out and writes it
# into a body attribute.
HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title>
<style>body {{ margin: 0; }} iframe {{ border: 0; display: block; }}</style></head><body>
<iframe id="page" width="{width}" height="{height}" srcdoc="{page}"></iframe>
<script>
document.getElementById("page").addEventListener("load", () => {{
  const win = document.getElementById("page").contentWindow, doc = win.document;
  const shown = (el) => el.getClientRects().length > 0;
  const box = (el) => {{ const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }};
  const result = {{inner: win.innerWidth, scroll: doc.documentElement.scrollWidth}};
  {script}
  document.body.setAttribute("data-measured", JSON.stringify(result));
}});
</script></body></html>"""

REPORT_SCRIPT = """
  result.past = []; result.svgs = [];
  result.rows = [...doc.querySelectorAll("table.rows tr")].filter(shown).map((r) => win.getComputedStyle(r).display);
  result.charts = [...doc.querySelectorAll("svg.chart")].filter(shown).map((s) => s.getAttribute("class"));
  for (const el of doc.querySelectorAll("body *")) {
    if (shown(el) && el.getBoundingClientRect().right > win.innerWidth + 0.5) {
      result.past.push(el.tagName + "." + el.getAttribute("class") + " " + Math.round(el.getBoundingClientRect().right));
    }
  }
  for (const svg of [...doc.querySelectorAll("svg")].filter(shown)) {
    result.svgs.push({name: svg.getAttribute("aria-label"), box: box(svg),
      texts: [...svg.querySelectorAll("text")].filter(shown).map((t) => ({text: t.textContent.slice(0, 40),
        px: parseFloat(win.getComputedStyle(t).fontSize) * t.getScreenCTM().a, box: box(t)}))});
  }"""


def measure(
    page: Path, tmp_path: Path, width: int, script: str = REPORT_SCRIPT, height: int = 2400
) -> dict:
    """What Chromium laid out of `page` at `width` px, as `script` collected it."""
    import html as html_lib
    import json

    harness = tmp_path / f"harness-{width}.html"
    srcdoc = html_lib.escape(page.read_text(encoding="utf-8"), quote=True)
    page_html = HARNESS.format(width=width, height=height, page=srcdoc, script=script)
    harness.write_text(page_html, encoding="utf-8")
    dom = run_chromium(harness, tmp_path, "--dump-dom", "--window-size=1400,2500")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_messages(dom.stderr) == []
    found = re.search(r'data-measured="([^"]*)"', dom.stdout)
    assert found, "the measuring script did not run"
    return json.loads(html_lib.unescape(found.group(1)))


def _overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            (a0, a1, a2, a3), (b0, b1, b2, b3) = a["box"], b["box"]
            if a0 < b2 - 0.5 and b0 < a2 - 0.5 and a1 < b3 - 0.5 and b1 < a3 - 0.5:
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("fictional", [False, True], ids=["seed", "with-votes"])
def test_html_report_fits_the_screen(cli, tmp_path, monkeypatch, fictional, width):
    """No horizontal overflow; chart text of at least 11 px; no label over another; tables as
    cards on a phone; the chart layout of the width shown. Screenshots are kept in
    $REPORT_SCREENSHOT_DIR when it is set."""
    import os

    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-11-27")
    page = _report(cli, tmp_path, fictional)
    m = measure(page, tmp_path, width)
    assert m["inner"] == width
    assert m["scroll"] <= width and m["past"] == [], f"wider than {width} px: {m['past'][:5]}"
    assert m["svgs"], "no drawing shown"
    for svg in m["svgs"]:
        texts = svg["texts"]
        small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 11]
        assert small == [], f"{svg['name']}: text under 11 px: {small[:5]}"
        assert _overlapping(texts) == [], f"{svg['name']}: labels overlap"
        left, top, right, bottom = svg["box"]
        outside = [
            t["text"]
            for t in texts
            if t["box"][0] < left - 0.5
            or t["box"][2] > right + 0.5
            or t["box"][1] < top - 0.5
            or t["box"][3] > bottom + 0.5
        ]
        assert outside == [], f"{svg['name']}: text outside the drawing: {outside[:5]}"
    layout = "narrow" if width < 700 else "wide"
    assert m["charts"] and all(layout in c.split() for c in m["charts"]), m["charts"]
    assert set(m["rows"]) == ({"block"} if width < 600 else {"table-row"})

    png = tmp_path / f"report-{width}.png"
    shot = run_chromium(page, tmp_path, f"--screenshot={png}", f"--window-size={width},3000")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    if os.environ.get("REPORT_SCREENSHOT_DIR"):
        shutil.copy(
            png,
            Path(os.environ["REPORT_SCREENSHOT_DIR"])
            / f"{'votes' if fictional else 'seed'}-{png.name}",
        )


def test_overlap_detector_catches_overlapping_labels():
    """The check above can fail: two boxes that share more than half a pixel are caught."""
    texts = [
        {"text": "98 [4]", "box": [10, 10, 40, 22]},
        {"text": "99 [5]", "box": [30, 12, 60, 24]},
        {"text": "far", "box": [100, 10, 120, 22]},
    ]
    assert _overlapping(texts) == [("98 [4]", "99 [5]")]
