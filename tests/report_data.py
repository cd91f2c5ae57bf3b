"""A fictional voting record for the report tests, added through the CLI to a seeded test DB.

None of this is real: the votes on A/FIC/... and the amendments A/FIC/L.98 and A/FIC/L.99
are invented so that every chart of the report (tally bars, targets, forecast) has something
to draw. L.99's ballots cover 25 of the 193 members (a partial record); L.98's cover every
member (the states not named below are recorded as non-voting), with an explanation.
"""

from __future__ import annotations

import csv
from pathlib import Path

SPONSORS_ADDED = "FRA"
FRIENDS = "ARG, CHL, PER, URY, CRI, PAN, SEN, GHA"
RIVALS = "CHN, IRN, CUB, SYR, BLR, PRK, NIC, RUS"
SWING = "IND, ZAF, EGY, IDN, SAU, BRA"
SCRIPT_QUOTE = "<script>alert(1)</script>"
FORMULA_SOURCE = '=HYPERLINK("http://x","y")'
EXPLANATION = "Fictional explanation: voted for the text as a whole, not for every word"
COMPLETE_SOURCE = "https://example.org/fictional/L.98?record=1&lang=en"


def members() -> list[str]:
    """Every member state (all admitted before 2024), from the seed's own CSV."""
    path = Path(__file__).resolve().parent.parent / "data" / "un_member_states.csv"
    with open(path, encoding="utf-8") as handle:
        return [r["iso3"] for r in csv.DictReader(handle) if r["status"] == "member"]


def build(cli) -> None:
    """Sponsors, a withdrawal, a claim, stances and seven recorded votes, all fictional."""
    cli.ok("sponsors", "add", SPONSORS_ADDED, "--date", "2024-10-01", "--source", "fictional list")
    cli.ok("sponsors", "withdraw", "CZE", "--date", "2024-11-30", "--source", "fictional note")
    cli.ok("sponsors", "claim", "120", "--date", "2024-11-30", "--source", FORMULA_SOURCE)
    cli.ok(
        "position", "set", "BRA", "--topic", "treaty", "--stance", "mixed",
        "--date", "2024-11-20", "--source", "fictional statement", "--quote", SCRIPT_QUOTE,
    )  # fmt: skip
    cli.ok(
        "position", "set", "IND", "--topic", "treaty", "--stance", "undecided",
        "--date", "2024-11-20", "--unsourced",  # a fact recorded knowingly without a source
    )  # fmt: skip
    sponsors = f"MEX, GMB, {SPONSORS_ADDED}"
    for number in range(1, 7):
        yes = f"{sponsors}, {FRIENDS}" + (f", {SWING}" if number % 2 else "")
        abstain = ("--abstain", SWING) if number % 2 == 0 else ()
        cli.ok(
            "vote", "record", "--doc", f"A/FIC/{number}", "--create-doc",
            "--date", f"2023-0{number}-15", "--body", "General Assembly",
            "--yes", yes, "--no", RIVALS, *abstain, "--source", f"fictional record {number}",
        )  # fmt: skip
    cli.ok(
        "docs", "add", "A/FIC/L.99", "--title", "Fictional amendment to the draft",
        "--kind", "amendment", "--body", "Sixth Committee", "--parent", "A/C.6/79/L.2/Rev.1", "--unsourced",
    )  # fmt: skip
    cli.ok(
        "vote", "record", "--doc", "A/FIC/L.99", "--date", "2024-11-21", "--body", "Sixth Committee",
        "--yes", RIVALS, "--no", f"{sponsors}, {FRIENDS}", "--abstain", SWING,
        "--majority", "two-thirds", "--source", "fictional record of the amendment",
    )  # fmt: skip
    named = {*sponsors.split(", "), *FRIENDS.split(", "), *RIVALS.split(", "), *SWING.split(", ")}
    cli.ok(
        "docs", "add", "A/FIC/L.98", "--title", "Second fictional amendment to the draft",
        "--kind", "amendment", "--body", "Sixth Committee", "--parent", "A/C.6/79/L.2/Rev.1",
        "--source", "fictional list of documents",
    )  # fmt: skip
    cli.ok(
        "vote", "record", "--doc", "A/FIC/L.98", "--date", "2024-11-21", "--body", "Sixth Committee",
        "--yes", f"{sponsors}, {FRIENDS}", "--no", RIVALS, "--abstain", SWING,
        "--non-voting", ", ".join(sorted(set(members()) - named)),
        "--explanation", f"GHA={EXPLANATION}", "--source", COMPLETE_SOURCE,
    )  # fmt: skip
