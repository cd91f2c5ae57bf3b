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

        from cahtracker.views.render import get_console

        console = get_console()
        if not self.rows:
            console.print(Text("No stances recorded for this selection."))
            return
        table = Table(title=Text(self.title), title_justify="left")  # a Text: not markup
        table.add_column("ISO3")
        table.add_column("State")
        for slug in self.slugs:
            table.add_column(slug, justify="center")
        for row in self.rows:
            cells = [Text(row["iso3"]), Text(row["name"])]
            for slug in self.slugs:
                stance = row["stances"][slug]
                symbol, style = SYMBOLS[stance] if stance else ("", "")
                cells.append(Text(symbol, style=style))
            table.add_row(*cells)
        console.print(table)
        legend = Text("Legend: ")
        for i, (stance, (symbol, style)) in enumerate(SYMBOLS.items()):
            legend.append(("; " if i else "") + symbol, style=style)
            legend.append(f" {stance}")
        legend.append("; blank no stance recorded")
        console.print(legend)
        for line in self.count_lines:
            console.print(Text(line))
