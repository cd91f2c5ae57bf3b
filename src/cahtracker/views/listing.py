"""What commands hand to the renderers: a listing (rows and columns), a record, or a view.

A command builds one of these from the rows a domain function returned and calls
`views.render.render(view, fmt)`; the renderer registered for the format decides how it
looks. A `View` answers the four questions the formats ask (JSON data, CSV table, Markdown
text, terminal table); `Listing` and `Record` answer them for the usual shapes, and views
with a shape of their own (a vote, the stance matrix) subclass `View` in views/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cahtracker.serialise import cell_text, markdown_cell, markdown_table
from cahtracker.views.layout import IDENTIFIER, KINDS, OPTIONAL, TEXT, WRAP

__all__ = ["IDENTIFIER", "OPTIONAL", "TEXT", "WRAP", "Column", "Listing", "Record", "View"]


@dataclass(frozen=True)
class Column:
    """A column of a table: the row's `key`, its header, optionally how to show it, and its
    kind, which says what a narrow terminal may do to it (views/layout.py): IDENTIFIER
    (never cut: symbols, dates, state names, codes, counts), TEXT (long free text, shortened
    with "…"), WRAP (long text wrapped whole) or OPTIONAL (left out first)."""

    key: str
    header: str
    show: Callable[[dict[str, Any]], Any] | None = None
    kind: str = IDENTIFIER
    # (cell text, what it means): a mark that must not vanish with the column; when the
    # column is left out to fit, a line under the table names the rows that show it
    flag: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {KINDS}")

    def cell(self, row: dict[str, Any]) -> Any:
        return self.show(row) if self.show is not None else row.get(self.key)


def source_column(key: str = "source", header: str = "Source") -> Column:
    """A fact's source (free text); "(unsourced)" when it has none (sourcing.py), a mark
    that stays under the table when a narrow terminal leaves the column out."""
    from cahtracker.sourcing import UNSOURCED_LABEL, source_text

    flag = (UNSOURCED_LABEL, "Without a source")
    return Column(key, header, lambda row: source_text(row.get(key)), TEXT, flag)


def columns_of(spec: Sequence[Column | tuple[str, str] | tuple[str, str, str]]) -> list[Column]:
    """Columns from Column objects or (key, header[, kind]) tuples."""
    out = []
    for c in spec:
        if isinstance(c, Column):
            out.append(c)
        else:
            key, header, *kind = c
            out.append(Column(key, header, kind=kind[0] if kind else IDENTIFIER))
    return out


class View:
    """One output, in any format; subclasses answer what differs from these defaults."""

    title: str | None = None

    def json_data(self) -> Any:
        raise NotImplementedError

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        """The CSV header and rows (values in header order)."""
        raise NotImplementedError

    def markdown(self) -> str:
        raise NotImplementedError

    def print_table(self) -> None:
        """Write the terminal form to stdout (views/render.py has the helpers)."""
        raise NotImplementedError


def flat(row: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """A row for CSV: the nested objects named by `keys` give their keys in their place
    (`tally` -> yes, no, ...); any other nested value stays one cell (as JSON)."""
    if not keys:
        return row
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in keys and isinstance(value, dict):
            out.update(value)
        else:
            out[key] = value
    return out


@dataclass
class Listing(View):
    """Rows of one shape: JSON prints `rows` (or `data`), CSV every key, tables `columns`."""

    rows: Sequence[dict[str, Any]]
    columns: Sequence[Column | tuple[str, str] | tuple[str, str, str]] | None = None
    title: str | None = None
    footer: Sequence[str] = ()
    empty: str = "Nothing to show."
    data: Any = None  # what JSON prints, when it is not the rows themselves
    csv_columns: Sequence[str] | None = None  # the CSV header when there are no rows
    csv_rows: Sequence[dict[str, Any]] | None = None  # what CSV prints, when not the rows
    csv_flatten: Sequence[str] = ()  # nested objects whose keys CSV gives as columns
    # footer lines about one column (by key), printed after `footer` only when it is shown
    column_notes: dict[str, Sequence[str]] = field(default_factory=dict)
    _columns: list[Column] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.columns is not None:
            self._columns = columns_of(self.columns)
        else:
            keys = self.rows[0].keys() if self.rows else []
            self._columns = [Column(k, k.replace("_", " ").title()) for k in keys]

    @property
    def table_columns(self) -> list[Column]:
        return self._columns

    def json_data(self) -> Any:
        return list(self.rows) if self.data is None else self.data

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        source = self.csv_rows if self.csv_rows is not None else self.rows
        rows = [flat(r, self.csv_flatten) for r in source]
        if rows:
            keys = list(rows[0].keys())
        elif self.csv_columns is not None:
            keys = list(self.csv_columns)
        else:
            keys = [c.key for c in self._columns]
        return keys, ([row.get(k) for k in keys] for row in rows)

    def cells(self) -> list[list[str]]:
        return [[cell_text(c.cell(row)) for c in self._columns] for row in self.rows]

    def markdown(self) -> str:
        parts = [f"**{markdown_cell(self.title)}**\n"] if self.title else []
        shown = [{c.key: c.cell(row) for c in self._columns} for row in self.rows]
        parts.append(markdown_table(shown, [(c.key, c.header) for c in self._columns]))
        notes = [line for c in self._columns for line in self.column_notes.get(c.key, ())]
        parts.extend("\n" + markdown_cell(line) for line in (*self.footer, *notes))
        return "\n".join(parts) + "\n"

    def print_table(self) -> None:
        from cahtracker.views.render import print_listing

        print_listing(self)


def _shown(value: Any) -> Any:
    """A record's value in a table, CSV or Markdown: a list is one cell, "; "-separated."""
    if isinstance(value, list):
        return "; ".join(cell_text(v) for v in value)
    return value


@dataclass
class Record(View):
    """One object (`show` commands): a JSON object, one CSV row, or field/value pairs."""

    obj: dict[str, Any]
    title: str | None = None

    def json_data(self) -> Any:
        return self.obj

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        keys = list(self.obj)
        return keys, [[_shown(self.obj[k]) for k in keys]]

    def _pairs(self) -> Listing:
        pairs = [{"field": k, "value": _shown(v)} for k, v in self.obj.items()]
        columns = [("field", "Field"), ("value", "Value", WRAP)]
        return Listing(pairs, columns, title=self.title)

    def markdown(self) -> str:
        return self._pairs().markdown()

    def print_table(self) -> None:
        self._pairs().print_table()
