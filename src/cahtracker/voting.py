"""The UN's voting rules, in one place: choices and their labels, tallies, and who wins.

UN rules (Charter Art. 18, GA rules 85-87, 125): a proposal passes by a majority of the
members present and voting, i.e. of those voting yes or no (abstentions and non-voting
do not count); an important question needs two thirds of them; a tie fails. Votes,
analysis, the views and the reports import these; none has a copy of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cahtracker.errors import CahError

CHOICES = ("yes", "no", "abstain", "non-voting", "absent")
CAST = ("yes", "no", "abstain")  # the choices of a state that took part
# the tally's keys (a choice with "_" for "-"), in CHOICES order, and how they are labelled
TALLY_KEYS = ("yes", "no", "abstain", "non_voting", "absent")
LABELS = {
    "yes": "Yes",
    "no": "No",
    "abstain": "Abstain",
    "non_voting": "Non-voting",
    "absent": "Absent",
}
METHOD_RECORDED = "recorded"
METHOD_WITHOUT_VOTE = "without a vote"
METHOD_WITHDRAWN = "withdrawn before a vote"
MAJORITIES = ("simple", "two-thirds")
# what a vote was on (votes.question), as the sources say it; None: the source does not say
WHOLE_TEXT = "text as a whole"
QUESTIONS = (WHOLE_TEXT, "amendment", "paragraph", "amendment of a paragraph", "motion")
_CHOICE_WORDS = {
    "yes": "yes",
    "y": "yes",
    "in favour": "yes",
    "in favor": "yes",
    "no": "no",
    "n": "no",
    "against": "no",
    "abstain": "abstain",
    "abstention": "abstain",
    "abstentions": "abstain",
    "a": "abstain",
    "non-voting": "non-voting",
    "non voting": "non-voting",
    "nv": "non-voting",
    "x": "non-voting",
    "absent": "absent",
}


def tally_key(choice: str) -> str:
    return choice.replace("-", "_")


def choice_word(text: str) -> str:
    """A choice as people write it (Y, in favour, NV, ...) as one of CHOICES."""
    choice = _CHOICE_WORDS.get(text.strip().casefold())
    if choice is None:
        raise CahError(
            f"Unknown vote '{text.strip()}'; use yes, no, abstain, non-voting or absent (or Y, N, A, NV)."
        )
    return choice


def check_majority(majority: str) -> str:
    if majority not in MAJORITIES:
        raise CahError(f"Unknown majority '{majority}'; use simple or two-thirds.")
    return majority


def empty_tally() -> dict[str, int]:
    return dict.fromkeys(TALLY_KEYS, 0)


def tally_of(choices: Iterable[str]) -> dict[str, int]:
    tally = empty_tally()
    for choice in choices:
        tally[tally_key(choice)] += 1
    return tally


def yes_needed(present_and_voting: int, majority: str = "simple") -> int:
    """The fewest yes votes that carry a proposal when this many vote yes or no."""
    if majority == "two-thirds":
        return -(-2 * present_and_voting // 3)
    return present_and_voting // 2 + 1


def decide(yes: int, no: int, majority: str = "simple") -> str:
    """'adopted' or 'rejected' by the votes of the members present and voting."""
    voting = yes + no
    return "adopted" if voting and yes >= yes_needed(voting, majority) else "rejected"


# ---------------------------------------------------------------- whose ballots are known

# The bodies whose members are the General Assembly's: the Assembly itself and its Main
# Committees, committees of the whole on which every member may sit (GA rules of
# procedure, rule 100). Any other body's membership is not known here.
_WHOLE_ASSEMBLY = re.compile(
    r"^(general assembly|(first|second|third|fourth|fifth|sixth) committee|"
    r"special political and decolonization committee)\b"
)


def whole_assembly(body: str | None) -> bool:
    """Whether `body` has the General Assembly's members (the Assembly or a Main Committee)."""
    return bool(body) and bool(_WHOLE_ASSEMBLY.match(" ".join(body.casefold().split())))


def coverage(members: int | None, recorded: int, ballots: int, unrecorded: int = 0) -> dict | None:
    """How far a vote's ballots cover its body's members: {members, recorded, not_recorded,
    ballots_not_recorded, complete}. `members`: how many the body had on the vote's date
    (None: not known); `recorded`: how many of them have a ballot; `ballots`: every ballot
    (observers too); `unrecorded`: ballots the source gave that are not recorded (former
    states without a continuing seat, unknown names skipped): with any, the record is
    never complete. None for a decision with no ballot at all: nothing was recorded to be
    complete or not."""
    if not ballots:
        return None
    if members is None:
        return {
            "members": None,
            "recorded": ballots,
            "not_recorded": None,
            "ballots_not_recorded": unrecorded,
            "complete": None if not unrecorded else False,
        }
    return {
        "members": members,
        "recorded": recorded,
        "not_recorded": members - recorded,
        "ballots_not_recorded": unrecorded,
        "complete": recorded == members and not unrecorded,
    }


def _ballots(n: int) -> str:
    return f"{n} ballot{'' if n == 1 else 's'}"


def coverage_line(cover: dict | None) -> str | None:
    """ "65 of 193 members recorded; 128 not recorded" for a partial record, else None; with
    "; 2 ballots of the source not recorded" when the source had ballots not recorded."""
    if not cover or cover["complete"]:
        return None
    unrecorded = cover.get("ballots_not_recorded") or 0
    tail = f"; {_ballots(unrecorded)} of the source not recorded" if unrecorded else ""
    if cover["members"] is None:
        return (
            f"{cover['recorded']} ballots recorded; this body's membership is not known here, "
            "so the record may be incomplete" + tail
        )
    if not cover["not_recorded"]:
        return f"all {cover['members']} members recorded" + tail
    return (
        f"{cover['recorded']} of {cover['members']} members recorded; "
        f"{cover['not_recorded']} not recorded" + tail
    )


NOT_RECORDED_WORDS = {  # ballots_not_recorded.reason -> how a line names them
    "former state": "of former states not recorded",
    "unknown name": "of unknown names skipped",
}


def not_recorded_lines(rows: Iterable[dict[str, Any]]) -> list[str]:
    """ "2 ballots of former states not recorded: German Democratic Republic (yes), ...",
    one line per reason, from `ballots_not_recorded` rows {reason, name, choice, ballots}:
    what the source counted and the tally does not."""
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_reason.setdefault(row["reason"], []).append(row)
    lines = []
    for reason, items in by_reason.items():
        n = sum(i["ballots"] for i in items)
        names = ", ".join(
            f"{i['name']} ({i['choice']}" + (f" ×{i['ballots']}" if i["ballots"] > 1 else "") + ")"
            for i in items
        )
        lines.append(f"{_ballots(n)} {NOT_RECORDED_WORDS.get(reason, reason)}: {names}")
    return lines


def coverage_cell(cover: dict | None) -> str:
    """A short form for a table cell: "65/193" members with a ballot, "all" when complete,
    "65/?" when the body's membership is not known, "+2" after it for ballots of the source
    not recorded; blank without ballots."""
    if not cover:
        return ""
    if cover["complete"]:
        return "all"
    cell = f"{cover['recorded']}/{cover['members'] if cover['members'] is not None else '?'}"
    unrecorded = cover.get("ballots_not_recorded") or 0
    return f"{cell} +{unrecorded}" if unrecorded else cell


def majority_basis(
    tally: dict[str, int], official: dict[str, int | None] | None, cover: dict | None
) -> dict[str, Any] | None:
    """The counts a majority line may be drawn from: the ballots when they cover every member,
    else the official totals when the source printed yes and no; None otherwise (a partial
    record says nothing of what the majority needed)."""
    if cover and cover["complete"]:
        return {"basis": "ballots", **{k: tally[k] for k in TALLY_KEYS}}
    if official and official.get("yes") is not None and official.get("no") is not None:
        counts = {k: official.get(k) or 0 for k in ("yes", "no", "abstain", "non_voting")}
        return {"basis": "official totals", **counts, "absent": 0}
    return None
