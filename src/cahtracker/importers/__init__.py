"""Import the UN's own voting records: a registry of formats, detected from content.

Each format (DESIGN.md "Import formats") is registered here with what it is, how to tell
it from the first bytes of a file, and its parser, which yields one `ImportedVote` at a
time (reading.py). `detect_format` and the help text of `vote import --input-format` both
read this registry; writer.py stores what any parser yields.

Modules: reading.py (the imported vote, bounded reading helpers), resolver.py (state names
by date), writer.py (the one transaction), and one module per format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cahtracker.errors import CahError
from cahtracker.importers.reading import BallotBlock, ImportedVote


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    # (lower-cased text of the first 8 KB, its first line's column names) -> is it this format?
    detect: Callable[[str, set[str]], bool]
    # (path, --roll-calls, counter box) -> the votes of the file, one at a time, or blocks of
    # rows in columns (a BallotBlock: rows of one vote anywhere in the file)
    parse: Callable[..., Iterator[ImportedVote | BallotBlock]]
    csv: bool = False  # its first line is a CSV header (checked for size before parsing)
    # its lists are names as printed (a report's text): `parse` also takes the NameIndex
    needs_names: bool = False


def _undl_csv(path: Path, roll_calls: Path | None, counter_box: list) -> Iterator[ImportedVote]:
    from cahtracker.importers.undl_csv import parse_undl_csv

    return parse_undl_csv(path, counter_box)


def _undl_xml(path: Path, roll_calls: Path | None, counter_box: list) -> Iterator[ImportedVote]:
    from cahtracker.importers.undl_xml import parse_undl_xml

    return parse_undl_xml(path, counter_box)


def _undl_html(path: Path, roll_calls: Path | None, counter_box: list) -> Iterator[ImportedVote]:
    from cahtracker.importers.undl_html import parse_undl_html

    return parse_undl_html(path, counter_box)


def _unvotes(path: Path, roll_calls: Path | None, counter_box: list) -> Iterator[ImportedVote]:
    from cahtracker.importers.unvotes_csv import parse_unvotes, roll_calls_path

    return parse_unvotes(path, roll_calls_path(path, roll_calls), counter_box)


def _committee_report(
    path: Path, roll_calls: Path | None, counter_box: list, names
) -> Iterator[ImportedVote]:
    from cahtracker.importers.committee_report import parse_committee_report

    return parse_committee_report(path, names)


def _is_committee_report(text: str, columns: set[str]) -> bool:
    return "by a recorded vote of" in text and "in favour:" in text


def _is_xml(text: str, columns: set[str]) -> bool:
    return text.startswith(("<?xml", "<collection", "<record")) and "<html" not in text


def _is_html(text: str, columns: set[str]) -> bool:
    if text.startswith(("<?xml", "<collection", "<record")):
        return "<html" in text  # XHTML
    return text.startswith(("<!doctype html", "<html")) or "<html" in text[:1000]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "undl-csv",
            "UN Digital Library bulk voting CSV (record 4060887)",
            lambda text, columns: "undl_id" in columns and bool(columns & {"ms_code", "ms_codes"}),
            _undl_csv,
            csv=True,
        ),
        Format("undl-xml", "UN Digital Library MARCXML record", _is_xml, _undl_xml),
        Format("undl-html", "UN Digital Library record page saved as HTML", _is_html, _undl_html),
        Format(
            "unvotes-csv",
            "unvotes / Voeten CSV with its roll_calls.csv",
            lambda text, columns: {"rcid", "country_code", "vote"} <= columns,
            _unvotes,
            csv=True,
        ),
        Format(
            "committee-report",
            "a Main Committee report's text (recorded votes: 'by a recorded vote of 80 to 29, "
            "with 65 abstentions' and the In favour / Against / Abstaining lists)",
            _is_committee_report,
            _committee_report,
            needs_names=True,
        ),
    )
}


def format_help() -> str:
    return "auto (from the content), or " + "; ".join(
        f"{f.name}: {f.description}" for f in FORMATS.values()
    )


def check_format(fmt: str) -> str:
    """The registered format named `fmt`, in any letter case (or `auto`)."""
    key = fmt.strip().casefold()
    if key == "auto" or key in FORMATS:
        return key
    raise CahError(f"Unknown input format '{fmt}'; use --input-format auto, {', '.join(FORMATS)}.")


def detect_format(path: Path) -> str:
    """Which registered format a file is, from its content (not its name)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    if not head.strip():
        raise CahError(f"Unrecognised file {path}: it is empty; nothing to import.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CahError(f"{path} is UTF-16 text; save it as UTF-8. Nothing was imported.")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    first = text.splitlines()[0] if text else ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    for fmt in FORMATS.values():  # XML before HTML: an XML record may mention <html
        if fmt.detect(text, columns):
            return fmt.name
    raise CahError(
        f"Unrecognised file {path}: expected "
        + ", ".join(f.description for f in FORMATS.values())
        + "; give --input-format if it is one of these."
    )


def parse(
    path: Path, fmt: str, roll_calls: Path | None, counter_box: list, names=None
) -> Iterator[ImportedVote]:
    """The votes of a file, one at a time; a file that is not UTF-8 is refused in one line."""
    chosen = FORMATS[check_format(fmt)]
    extra = (names,) if chosen.needs_names else ()
    try:
        yield from chosen.parse(path, roll_calls, counter_box, *extra)
    except UnicodeDecodeError:
        raise CahError(
            f"{path} is not UTF-8 text; save it as UTF-8. Nothing was imported."
        ) from None
