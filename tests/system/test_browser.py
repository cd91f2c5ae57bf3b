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


@pytest.mark.parametrize("fictional", [False, True], ids=["seed", "with-votes"])
def test_html_report_renders_in_chromium(cli, tmp_path, monkeypatch, fictional):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-11-27")
    if fictional:
        report_data.build(cli)
    page = tmp_path / "report.html"
    cli.ok("report", "export", "-f", "html", "-o", str(page))

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
    # the dated reported counts of L.2/Rev.1 and L.2: 86, 94, 98, 98, 99, 99 (+ a fictional 120)
    assert html.count('class="claim"') == (7 if fictional else 6)
    assert html.count('<rect class="bar"') >= 3  # sponsors by group
    assert html.count('<rect class="cell"') >= 5 * 5  # the position matrix
    if fictional:
        assert 'class="majority"' in html and 'id="fig-forecast"' in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        # five charts, and one score bar per target (13: the fictional friends and rivals
        # without a seeded stance)
        targets = html.count('aria-label="score ')
        assert targets >= 10 and len(svgs) == 5 + targets
    else:
        assert len(svgs) == 3
