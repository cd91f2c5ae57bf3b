"""Dates as the sources give them, with a precision (python-dateutil does the parsing); the clock.

`today()` is the one definition of today: the system date, unless `CAHTRACKER_TODAY` (an
ISO date) says otherwise (for tests, and for looking at the process as it stood on another
day). Every command that defaults to today, and every `today`/`yesterday` typed in a date,
uses it.

Accepted: ISO (`2024-11-22`, `2024-11`, `2024`), `22 November 2024`, `Nov 22, 2024`,
`November 2024`, `today`, `yesterday`, `tomorrow`; a leading `by`, `on or before` or
`before` marks the date as `on-or-before`. A numeric date whose day and month could be
swapped (`03/04/2024`) is refused; `13/04/2024` is not ambiguous and is read as 13 April.
Stored form: `YYYY-MM-DD`, `YYYY-MM` (month) or `YYYY` (year); these sort and compare as
text, so "not after the as-of date" is `date <= as_of` (a month or year counts from its start).

In a table cell a date carries its precision in the cell itself (`date_cell`), so that a
narrow table that leaves out a Precision column cannot make an imprecise date look exact:
`2023-11-15` (that day), `2023-11` (some day of that month), `2023` (some day of that
year), `≤2023-11-15` (on or before that day), `>2023-11-01` (some day after it; the date
itself unknown), `unknown`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cahtracker.errors import CahError

PRECISIONS = ("day", "month", "year", "on-or-before", "unknown")
TODAY_ENV = "CAHTRACKER_TODAY"

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_BEFORE = re.compile(r"^(?:by|on or before|on-or-before|before)\s+", re.IGNORECASE)
_HAS_MONTH_NAME = re.compile(r"[a-z]{3,}", re.IGNORECASE)
RIGHT_FORMS = "use ISO (2024-11-22), a month name (22 November 2024, Nov 22, 2024), 2024-11, 2024, today or yesterday"


@dataclass(frozen=True)
class ParsedDate:
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    precision: str

    def __str__(self) -> str:
        return self.value


def today() -> date:
    """Today, or the ISO date in $CAHTRACKER_TODAY."""
    text = os.environ.get(TODAY_ENV)
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CahError(
            f"${TODAY_ENV} is '{text}', not an ISO date; set it like 2026-11-27 or unset it."
        ) from None


def today_date() -> ParsedDate:
    """Today as a recorded date (day precision)."""
    return ParsedDate(today().isoformat(), "day")


def date_phrase(value: str | None, precision: str | None = "day") -> str:
    """A recorded date in a sentence: "on 2024-11-20", "in 2024-07", "on or before ..."."""
    if not value:
        return "at an unknown date"
    if precision == "on-or-before":
        return f"on or before {value}"
    return f"in {value}" if len(value) < 10 else f"on {value}"


def date_cell(value: str | None, precision: str | None = "day", after: str | None = None) -> str:
    """A recorded date in a table cell, its precision in the text (no space, never cut):
    "2023-11-15", "2023-11", "2023", "≤2023-11-15" (on or before), ">2023-11-01" (only
    known to be later: `after`), "unknown". A month or a year is its own stored form."""
    if not value:
        return f">{after}" if after else "unknown"
    if precision == "on-or-before":
        return f"≤{value}"
    return value


def date_bounds(
    value: str | None, precision: str | None, after: str | None = None
) -> tuple[str | None, str | None]:
    """The first and last day (ISO, inclusive; None: unbounded) a recorded date allows:
    a day is itself, a month or year its period, `on-or-before` anything up to its end,
    an unknown date anything; `after` (a day it is later than) bounds it from below."""
    low = (date.fromisoformat(period_end(after)) + timedelta(days=1)).isoformat() if after else None
    if not value:
        return low, None
    high = period_end(value)
    if precision == "on-or-before":
        return low, high
    start = period_start(value)
    return (max(low, start) if low else start), high


def refined_date(
    old: tuple[str | None, str | None, str | None], new: tuple[str | None, str | None, str | None]
) -> tuple[str | None, str, str | None] | None:
    """The (date, precision, after) both datings agree on, when `new` narrows `old`;
    None when they contradict each other (no day in common) or `new` says nothing more.

    Tuvalu: recorded `after 2023-11-01`, a report's `2023-11-15` gives 2023-11-15 (day);
    recorded `after 2023-11-01`, `on or before 2023-11-15` gives both bounds
    (on-or-before 2023-11-15, after 2023-11-01); recorded `on or before 2023-11-01`,
    `on or before 2023-11-15` says nothing more (None).
    """
    old_low, old_high = date_bounds(*old)
    new_low, new_high = date_bounds(*new)
    lows = [d for d in (old_low, new_low) if d]
    highs = [d for d in (old_high, new_high) if d]
    low, high = max(lows, default=None), min(highs, default=None)
    if low and high and low > high:
        return None  # no day satisfies both
    if (low, high) == (old_low, old_high):
        return None
    if (low, high) == (new_low, new_high):
        return new[0], (new[1] if new[0] else "unknown"), new[2]
    before = (date.fromisoformat(low) - timedelta(days=1)).isoformat() if low else None
    if high is None:
        return None, "unknown", before
    if low == high:
        return high, "day", None
    return high, "on-or-before", before


def period_start(value: str) -> str:
    """The first day of a stored date (YYYY, YYYY-MM or YYYY-MM-DD) as YYYY-MM-DD."""
    if len(value) == 4:
        return f"{value}-01-01"
    if len(value) == 7:
        return f"{value}-01"
    return value


def period_end(value: str) -> str:
    """The last day of a stored date's period, as text that compares correctly."""
    if len(value) == 4:
        return f"{value}-12-31"
    if len(value) == 7:
        import calendar

        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value


def _year(year: int, text: str) -> int:
    if not 1 <= year <= 9999:
        raise CahError(f"Impossible date '{text}': years run from 0001 to 9999; {RIGHT_FORMS}.")
    return year


def _checked(year: int, month: int, day: int, text: str) -> date:
    _year(year, text)
    try:
        return date(year, month, day)
    except ValueError:
        raise CahError(
            f"Impossible date '{text}': there is no day {day} in month {month} of {year}."
        ) from None


def parse_date(text: str, relative_to: date | None = None) -> ParsedDate:
    """Parse a user's date; a CahError says what was wrong and which forms work.

    `today`, `yesterday` and `tomorrow` count from `relative_to` (default: `today()`).
    """
    raw = text.strip()
    if not raw:
        raise CahError(f"Empty date; {RIGHT_FORMS}.")
    before = _BEFORE.match(raw)
    if before:
        inner = parse_date(raw[before.end() :], relative_to)
        return ParsedDate(inner.value, "on-or-before")
    word = raw.casefold()
    if word in ("today", "yesterday", "tomorrow"):
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
        try:
            day = (relative_to or today()) + timedelta(days=offset)
        except OverflowError:
            raise CahError(f"There is no {word} at the end of the calendar; give a date.") from None
        return ParsedDate(day.isoformat(), "day")
    if m := _ISO_DAY.match(raw):
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            raise CahError(f"Impossible date '{raw}': month {month} does not exist; {RIGHT_FORMS}.")
        return ParsedDate(_checked(year, month, day, raw).isoformat(), "day")
    if m := _ISO_MONTH.match(raw):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise CahError(f"Impossible date '{raw}': month {month} does not exist; {RIGHT_FORMS}.")
        return ParsedDate(f"{_year(year, raw):04d}-{month:02d}", "month")
    if m := _YEAR.match(raw):
        return ParsedDate(f"{_year(int(m.group(1)), raw):04d}", "year")
    if m := _NUMERIC.match(raw):
        first, second, year_text = int(m.group(1)), int(m.group(2)), m.group(3)
        if len(year_text) != 4:
            raise CahError(f"Ambiguous date '{raw}': write the year in full; {RIGHT_FORMS}.")
        year = int(year_text)
        if first <= 12 and second <= 12 and first != second:
            raise CahError(
                f"Ambiguous date '{raw}': day and month could be swapped; "
                f"write {year}-{second:02d}-{first:02d} or {year}-{first:02d}-{second:02d}, or use a month name."
            )
        day, month = (first, second) if first > 12 else (second, first)
        if month > 12:
            raise CahError(
                f"Impossible date '{raw}': neither {first} nor {second} is a month; {RIGHT_FORMS}."
            )
        return ParsedDate(_checked(year, month, day, raw).isoformat(), "day")
    if _HAS_MONTH_NAME.search(raw):
        return _parse_words(raw)
    raise CahError(f"Unrecognised date '{raw}'; {RIGHT_FORMS}.")


def _parse_words(raw: str) -> ParsedDate:
    from dateutil import parser

    has_day = bool(re.search(r"(?<![\d])\d{1,2}(?![\d])", raw))
    has_year = bool(re.search(r"\d{4}", raw))
    try:
        first = parser.parse(raw, default=_DEFAULT_A)
        second = parser.parse(raw, default=_DEFAULT_B)
    except (ValueError, OverflowError) as error:
        message = str(error)
        if "day is out of range" in message or "must be in" in message:
            raise CahError(f"Impossible date '{raw}': {message}; {RIGHT_FORMS}.") from None
        raise CahError(f"Unrecognised date '{raw}'; {RIGHT_FORMS}.") from None
    if not has_year or first.year != second.year:
        raise CahError(f"Date '{raw}' has no year; {RIGHT_FORMS}.")
    if has_day and first.day == second.day:
        return ParsedDate(first.date().isoformat(), "day")
    if first.month == second.month:
        return ParsedDate(f"{first.year:04d}-{first.month:02d}", "month")
    return ParsedDate(f"{first.year:04d}", "year")


# parse twice with different defaults: what differs between the two was not in the text
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def optional_date(text: str | None) -> ParsedDate | None:
    return None if text is None else parse_date(text)


def marc_date(text: str | None) -> str | None:
    """A MARC field 269 date (`20241204`, or ISO `2024-12-04...`) as ISO, else None."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]):
        return text[:10]
    return None
