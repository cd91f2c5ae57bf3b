"""A fictional voting record for the report tests, added through the CLI to a seeded test DB.

None of this is real: the votes on A/FIC/... and the amendment A/FIC/L.99 are invented so
that every chart of the report (tally bars, targets, forecast) has something to draw.
"""

from __future__ import annotations

SPONSORS_ADDED = "FRA"
FRIENDS = "ARG, CHL, PER, URY, CRI, PAN, SEN, GHA"
RIVALS = "CHN, IRN, CUB, SYR, BLR, PRK, NIC, RUS"
SWING = "IND, ZAF, EGY, IDN, SAU, BRA"
SCRIPT_QUOTE = "<script>alert(1)</script>"
FORMULA_SOURCE = '=HYPERLINK("http://x","y")'


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
