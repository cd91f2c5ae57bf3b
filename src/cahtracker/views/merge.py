"""`db merge`: the report (counts per table, then the conflicts) in every format."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cahtracker.serialise import markdown_cell
from cahtracker.views.listing import TEXT, Listing, View
from cahtracker.views.render import message


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


class MergeReportView(View):
    """JSON: the whole report; CSV: one row per table; tables and Markdown: a headline, the
    counts of the tables the merge touched, then each conflict and how it was resolved."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report

    def json_data(self) -> Any:
        return self.report

    def csv_table(self) -> tuple[list[str], Iterable[Sequence[Any]]]:
        keys = ["table", "new", "same", "conflicts"]
        return keys, ([row[k] for k in keys] for row in self.report["tables"])

    def headline(self) -> str:
        report = self.report
        new = sum(r["new"] for r in report["tables"])
        same = sum(r["same"] for r in report["tables"])
        conflicts = len(report["conflicts"])
        copy = f" (schema {report['schema']}, a migrated copy)" if report["migrated"] else ""
        if report["dry_run"]:
            verb = "Would merge"
        else:
            verb = "Merged"
        batch = f"; batch {report['batch']} (`db undo` takes it back)" if report["batch"] else ""
        return (
            f"{verb} {report['other']}{copy}: {new:,} new, {same:,} the same, "
            f"{conflicts:,} conflict{'' if conflicts == 1 else 's'}{batch}."
        )

    def _listings(self) -> list[Listing]:
        touched = [r for r in self.report["tables"] if r["new"] or r["same"] or r["conflicts"]]
        out = [
            Listing(
                touched,
                [("table", "Table"), ("new", "New"), ("same", "Same"), ("conflicts", "Conflicts")],
                title="By table",
                empty="Nothing in the other file.",
            )
        ]
        if self.report["conflicts"]:
            rows = [
                {**c, "ours": _shown(c["ours"]), "theirs": _shown(c["theirs"])}
                for c in self.report["conflicts"]
            ]
            out.append(
                Listing(
                    rows,
                    [
                        ("table", "Table"),
                        ("what", "What", TEXT),
                        ("ours", "Here", TEXT),
                        ("theirs", "There", TEXT),
                        ("resolution", "Resolution"),
                    ],
                    title="Conflicts",
                )
            )
        return out

    def markdown(self) -> str:
        return (
            markdown_cell(self.headline())
            + "\n\n"
            + "\n".join(v.markdown() for v in self._listings())
        )

    def print_table(self) -> None:
        message(self.headline())
        for listing in self._listings():
            listing.print_table()
