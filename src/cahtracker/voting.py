"""The UN's voting rules, in one place: choices and their labels, tallies, and who wins.

UN rules (Charter Art. 18, GA rules 85-87, 125): a proposal passes by a majority of the
members present and voting, i.e. of those voting yes or no (abstentions and non-voting
do not count); an important question needs two thirds of them; a tie fails. Votes,
analysis, the views and the reports import these; none has a copy of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

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
