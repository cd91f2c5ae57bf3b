"""dates.date_cell (a date with its precision in one table cell) and dates.refined_date (the
dating two sources agree on). The oracle of the property tests is a day-by-day walk over a
short calendar, written here independently of date_bounds."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cahtracker.dates import date_bounds, date_cell, refined_date


def test_date_cell_notation():
    assert date_cell("2023-11-15", "day") == "2023-11-15"
    assert date_cell("2023-11-15", "on-or-before") == "≤2023-11-15"
    assert date_cell("2023-11", "month") == "2023-11"
    assert date_cell("2023", "year") == "2023"
    assert date_cell(None, "unknown", "2023-11-01") == ">2023-11-01"
    assert date_cell(None, "unknown") == "unknown"
    assert date_cell(None, None) == "unknown"


def test_a_cell_is_one_word():  # layout.py never wraps or cuts inside a word
    for args in (("2023-11-15", "on-or-before"), (None, "unknown", "2023-11-01")):
        assert len(date_cell(*args).split()) == 1


def test_the_committee_report_refines_the_marcxml_dates():
    after = (None, "unknown", "2023-11-01")  # 515 $a: joined after the draft of 1 November
    assert refined_date(after, ("2023-11-15", "day", None)) == ("2023-11-15", "day", None)
    assert refined_date(after, ("2023-11-15", "on-or-before", None)) == (
        "2023-11-15",
        "on-or-before",
        "2023-11-01",
    )
    printed = ("2023-11-01", "on-or-before", None)  # 245 $c: on the draft of 1 November
    assert refined_date(printed, ("2023-11-15", "on-or-before", None)) is None  # no better
    assert refined_date(("2023-11-15", "on-or-before", None), printed) == printed
    # a day that contradicts the recorded one is not merged
    assert refined_date(("2023-11-01", "day", None), ("2023-11-15", "day", None)) is None
    assert refined_date(after, ("2023-10-30", "day", None)) is None


# ---------------------------------------------------------------- property: the oracle

FIRST, LAST = date(2023, 9, 1), date(2023, 12, 31)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


def _allowed(value, precision, after) -> set[date]:
    """Every day of the short calendar the dating allows, by walking it."""
    out = set()
    for day in DAYS:
        if after and day <= date.fromisoformat(after):
            continue
        if value is None:
            ok = True
        elif precision == "on-or-before":
            if len(value) == 10:
                ok = day <= date.fromisoformat(value)
            else:
                y, m = int(value[:4]), int(value[5:7])
                ok = day <= date(y, m, calendar.monthrange(y, m)[1])
        elif len(value) == 10:
            ok = day.isoformat() == value
        elif len(value) == 7:
            ok = day.isoformat()[:7] == value
        else:
            ok = day.isoformat()[:4] == value
        if ok:
            out.add(day)
    return out


# dates and bounds from October and November only: a dating open downwards or upwards
# still allows days of September or December, so that the finite calendar tells it from
# one bounded within October and November
INNER = [d for d in DAYS if d.month in (10, 11)]


@st.composite
def datings(draw):
    day = draw(st.sampled_from(INNER)).isoformat()
    kind = draw(st.sampled_from(["day", "month", "on-or-before", "between", "after"]))
    after = draw(st.sampled_from(INNER)).isoformat()
    if kind == "day":
        return day, "day", None
    if kind == "month":
        return day[:7], "month", None
    if kind == "on-or-before":
        return day, "on-or-before", None
    if kind == "between" and after < day:  # on or before a day, after another
        return day, "on-or-before", after
    return None, "unknown", after


@given(datings(), datings())
def test_refined_date_is_exactly_what_both_allow(old, new):
    both = _allowed(*old) & _allowed(*new)
    got = refined_date(old, new)
    if not both or both == _allowed(*old):
        assert got is None  # a contradiction, or nothing more than the recorded dating
        return
    # the refined dating allows exactly the days both allow, as far as the calendar shows
    assert _allowed(*got) == both
    low, high = date_bounds(*got)
    assert (low is None or low <= min(both).isoformat()) and (
        high is None or high >= max(both).isoformat()
    )
