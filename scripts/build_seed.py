"""Build data/seed.sql from the sourced CSV files in data/.

Run `python scripts/build_seed.py` after changing a CSV; `--check` exits 1 when
data/seed.sql is stale. The SQL holds data only (one INSERT a line, in a fixed order);
the schema comes from the migrations in src/cahtracker/migrations.py.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SEED = DATA / "seed.sql"

# (table, csv file, {table column: csv column}); a None csv column is a constant below.
TABLES: list[tuple[str, str, dict[str, str]]] = [
    (
        "states",
        "un_member_states.csv",
        {
            c: c
            for c in (
                "iso3",
                "iso2",
                "m49",
                "name",
                "un_vote_name",
                "regional_group",
                "admitted_on",
                "status",
            )
        },
    ),
    ("state_aliases", "state_aliases.csv", {"alias": "alias", "iso3": "iso3"}),
    (
        "state_aliases",
        "state_aliases_dated.csv",
        {c: c for c in ("alias", "iso3", "valid_from", "valid_to", "source", "note")},
    ),
    (
        "state_aliases",
        "state_aliases_documents.csv",
        {c: c for c in ("alias", "iso3", "source", "note")},
    ),
    (
        "former_states",
        "former_states.csv",
        {"name": "name", "iso2": "iso2_in_unvotes", "note": "note", "source": "source"},
    ),
    (
        "membership_gaps",
        "membership_gaps.csv",
        {c: c for c in ("iso3", "valid_from", "valid_to", "source", "note")},
    ),
    ("topics", "cah_topics.csv", {c: c for c in ("slug", "title", "description")}),
    (
        "documents",
        "cah_documents.csv",
        {
            c: c
            for c in (
                "symbol",
                "kind",
                "body",
                "session",
                "title",
                "parent_symbol",
                "date",
                "date_precision",
                "url",
                "source",
            )
        },
    ),
    (
        "sponsorship_events",
        "cah_sponsorship_events.csv",
        {
            c: c
            for c in (
                "symbol",
                "iso3",
                "action",
                "role",
                "date",
                "date_precision",
                "source",
                "note",
                "source_kind",
            )
        },
    ),
    (
        "count_claims",
        "cah_count_claims.csv",
        {
            c: c
            for c in ("symbol", "count", "date", "date_precision", "source", "note", "source_kind")
        },
    ),
    (
        "votes",
        "cah_votes.csv",
        {
            c: c
            for c in ("symbol", "body", "date", "meeting", "method", "outcome", "source", "note")
        },
    ),
    (
        "positions",
        "cah_positions.csv",
        {
            c: c
            for c in (
                *("iso3", "topic", "stance", "date", "date_precision", "source", "quote"),
                *("quote_kind", "source_kind", "note"),
            )
        },
    ),
    (
        "events",
        "cah_events.csv",
        {
            c: c
            for c in (
                "starts_on",
                "ends_on",
                "date_precision",
                "title",
                "body",
                "place",
                "source",
                "note",
                "source_kind",
            )
        },
    ),
]

INTEGER_COLUMNS = {("count_claims", "count"), ("documents", "session")}
ALIAS_SOURCE = "state_aliases.csv (data/SOURCES.md)"
DEFAULT_DOCUMENT = "A/C.6/79/L.2/Rev.1"


def sql_literal(value: str | int | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def row_values(
    table: str, columns: dict[str, str], row: dict[str, str]
) -> dict[str, str | int | None]:
    values: dict[str, str | int | None] = {}
    for column, source_column in columns.items():
        raw = row[source_column].strip()
        if raw == "":
            values[column] = None
        elif (table, column) in INTEGER_COLUMNS:
            values[column] = int(raw)
        else:
            values[column] = raw
    if table == "state_aliases" and "source" not in columns:
        values["source"] = ALIAS_SOURCE
    if "date_precision" in values and values["date_precision"] is None:
        # no date in the source: say so rather than leave the precision blank
        values["date_precision"] = (
            "unknown" if values.get("date", values.get("starts_on")) is None else "day"
        )
    return values


# the tables whose rows are facts: each seed row gets a deterministic global id (gid) and
# origin 'seed', last in its INSERT (cahtracker.db.ids.seed_gid says why)
FACT_TABLES = {"documents", "sponsorship_events", "count_claims", "votes", "positions", "events"}


def seed_ids(table: str, values: dict, seen: set[str]) -> dict[str, str]:
    """{gid, origin} of a seed fact: `ids.seed_gid` of its values (and, for a second row
    with the very same values, its ordinal), so that every build gives it the same id."""
    if str(DATA.parent / "src") not in sys.path:
        sys.path.insert(0, str(DATA.parent / "src"))
    from cahtracker.db.ids import SEED_ORIGIN, seed_gid

    gid = seed_gid(table, values)
    n = 1
    while gid in seen:
        n += 1
        gid = seed_gid(table, {**values, "_ordinal": n})
    seen.add(gid)
    return {"gid": gid, "origin": SEED_ORIGIN}


def build() -> str:
    seen: set[str] = set()
    lines = [
        "-- Generated by scripts/build_seed.py from the CSV files in data/ (sources: data/SOURCES.md,",
        "-- data/CAH_SOURCES.md). Do not edit by hand: edit the CSV and run the script again.",
    ]
    for table, filename, columns in TABLES:
        with open(DATA / filename, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values = row_values(table, columns, row)
                if table in FACT_TABLES:
                    values.update(seed_ids(table, values, seen))
                names = ", ".join(values)
                literals = ", ".join(sql_literal(v) for v in values.values())
                lines.append(f"INSERT INTO {table} ({names}) VALUES ({literals});")
    lines.append(
        f"INSERT INTO settings (key, value) VALUES ('default_document', {sql_literal(DEFAULT_DOCUMENT)});"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        if not SEED.exists() or SEED.read_text(encoding="utf-8") != text:
            print("data/seed.sql is stale: run python scripts/build_seed.py", file=sys.stderr)
            return 1
        return 0
    SEED.write_text(text, encoding="utf-8")
    print(f"wrote {SEED} ({text.count(chr(10)) - 2} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
