"""`position matrix`: states x topics, each state's latest stance, with a legend and counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.views.listing import Listing, View

# symbol and Rich style of each stance in the terminal matrix
SYMBOLS = {
    "support": ("✔", "green"),
    "oppose": ("✘", "red"),
    "mixed": ("±", "yellow"),
    "undecided": ("?", "dim"),
}


class MatrixView(View):
    """JSON: one object per state with its `stances`; CSV and Markdown: a column per topic;
    the terminal: a symbol per stance, a legend and the counts per topic."""

    def __init__(
        self, rows: list[dict[str, Any]], slugs: list[str], title: str, count_lines: list[str]
    ) -> None:
        self.rows, self.slugs, self.title, self.count_lines = rows, slugs, title, count_lines

    def _flat(self) -> Listing:
        flat = [
            {
                "iso3": r["iso3"],
                "name": r["name"],
                "regional_group": r["regional_group"],
                **r["stances"],
            }
            for r in self.rows
        ]
        columns = [("iso3", "ISO3"), ("name", "State"), ("regional_group", "Regional group")]
        columns += [(slug, slug) for slug in self.slugs]
        return Listing(flat, columns, title=self.title, footer=self.count_lines)

    def json_data(self) -> Any:
        return self.rows

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        return self._flat().csv_table()

    def markdown(self) -> str:
        return self._flat().markdown()

    def print_table(self) -> None:
        from rich.table import Table
        from rich.text import Text

        from cahtracker.views.render import get_console, width_limit

        console = get_console()
        if not self.rows:
            console.print(Text("No stances recorded for this selection."))
            return
        layout, headers = self._fit(width_limit(console.width))
        if layout.total() > console.width:
            console = get_console(width=layout.total())
        table = Table(title=Text(self.title), title_justify="left")  # a Text: not markup
        for i, width in zip(layout.shown, layout.widths, strict=True):
            table.add_column(headers[i], width=width, justify="center" if i > 1 else "left")
        for row in self.rows:
            cells = [Text(row["iso3"]), Text(row["name"])]
            for slug in self.slugs:
                stance = row["stances"][slug]
                symbol, style = SYMBOLS[stance] if stance else ("", "")
                cells.append(Text(symbol, style=style))
            table.add_row(*(cells[i] for i in layout.shown))
        console.print(table)
        if headers[2:] != self.slugs:
            items = [f"{n} {slug}" for n, slug in zip(headers[2:], self.slugs, strict=True)]
            for line in _packed("Topics: ", items, console.width):
                console.print(Text(line), no_wrap=True, overflow="ignore")
        if layout.left_out:
            console.print(Text(f"Not shown at {console.width} columns: ISO3 (--wide shows all)."))
        legend = Text("Legend: ")
        for i, (stance, (symbol, style)) in enumerate(SYMBOLS.items()):
            legend.append(("; " if i else "") + symbol, style=style)
            legend.append(f" {stance}")
        legend.append("; blank no stance recorded")
        console.print(legend)
        for line in self.count_lines:
            console.print(Text(line))

    def _fit(self, width: int | None):
        """The layout, and the headers: topic slugs, or numbers (with a key below the table)
        when the slugs do not fit `width`. ISO3 may go; states and topics never do."""
        from cahtracker.views.layout import IDENTIFIER, OPTIONAL, fit

        kinds = [OPTIONAL, IDENTIFIER, *(IDENTIFIER for _ in self.slugs)]
        columns = [[r["iso3"] for r in self.rows], [r["name"] for r in self.rows]]
        columns += [["?"] for _ in self.slugs]  # every stance symbol is one cell wide
        for headers in (
            ["ISO3", "State", *self.slugs],
            ["ISO3", "State", *(str(n) for n in range(1, len(self.slugs) + 1))],
        ):
            layout = fit(kinds, headers, columns, width)
            if not set(layout.left_out) - {0}:
                break
        return layout, headers


def _packed(lead: str, items: list[str], width: int) -> list[str]:
    """`lead` and `items` joined by "; " in lines of at most `width` columns, breaking only
    between items (a later line indented by two), so that a topic's number stays beside its
    name. An item wider than a line has a line of its own."""
    lines = [lead.rstrip()]
    for i, item in enumerate(items):
        piece = item + (";" if i < len(items) - 1 else "")
        if lines[-1].strip() not in ("", lead.strip()) and len(lines[-1]) + 1 + len(piece) > width:
            lines.append("  " + piece)
        else:
            lines[-1] += " " + piece
    return lines
