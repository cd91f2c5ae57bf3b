"""The HTML report's chart geometry: labels of reported counts never overlap, text stays big.

The claims are fictional (random counts on random dates). The boxes checked are the text
extents the layout assumes (an overestimate of the glyphs); the browser test measures the
real ones in Chromium.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.report.html import LAYOUTS, NARROW, WIDE, group_chart, timeline_chart

# the narrowest drawing of each layout in the page (see report/html.py and the page's CSS)
DRAWN_AT_LEAST = {"wide": 700 - 2 * 32, "narrow": 360 - 2 * 16}


def _claims(days_and_counts):
    start = date(2024, 10, 1)
    return [
        {
            "count": count,
            "date": (start + timedelta(days=day)).isoformat(),
            "date_precision": "day",
            "source": f"fictional {i}",
            "ref": i + 1,
        }
        for i, (day, count) in enumerate(days_and_counts)
    ]


def _apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 200)), min_size=1, max_size=6),
    st.sampled_from(LAYOUTS),
)
def test_labels_of_reported_counts_never_overlap(points, layout):
    claims = _claims(points)
    series = {
        "start": 0,
        "steps": [{"date": "2024-10-01", "count": 2, "joined": [], "withdrew": []}],
    }
    chart = timeline_chart(series, claims, layout)
    boxes = [label["box"] for label in chart["labels"]]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= chart["width"] and 0 <= a[1] and a[3] <= chart["bottom"]
        for b in boxes[i + 1 :]:
            assert _apart(a, b), (a, b)
    written = sorted(line["text"] for label in chart["labels"] for line in label["lines"])
    assert written == sorted(f"{c['count']} [{c['ref']}]" for c in claims)  # each exactly once


def test_counts_on_one_spot_share_a_label_largest_first():
    claims = _claims([(52, 98), (52, 97), (53, 99), (10, 86)])
    series = {"start": 0, "steps": []}
    chart = timeline_chart(series, claims, NARROW)
    texts = [[line["text"] for line in label["lines"]] for label in chart["labels"]]
    assert ["86 [4]"] in texts and ["99 [3]", "98 [1]", "97 [2]"] in texts


def test_every_text_is_drawn_at_11_px_or_more():
    for layout in (WIDE, NARROW):
        scale = DRAWN_AT_LEAST[layout.name] / layout.width
        assert min(layout.font, layout.small) * scale >= 11, layout.name


def test_group_names_fit_beside_or_above_their_bars():
    by_group = {"Latin American and Caribbean": 30, "Western European and Others": 25, "African": 0}
    wide, narrow = group_chart(by_group, WIDE), group_chart(by_group, NARROW)
    assert all(r["anchor"] == "end" and r["label_x"] <= r["bar_x"] - 8 for r in wide["rows"])
    assert all(r["anchor"] == "start" and r["label_y"] < r["bar_y"] for r in narrow["rows"])
    for chart in (wide, narrow):
        assert all(r["count_x"] + 3 * 0.62 * chart["font"] <= chart["width"] for r in chart["rows"])
