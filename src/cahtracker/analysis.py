"""Analysis of the voting record: alignment scores, advocacy targets, a forecast of the next vote.

Everything is computed from the `ballots` of recorded votes, in SQL over the indexes
(`ballots` primary key (vote_id, iso3) and index (iso3, vote_id)); nothing is stored.

Definitions (the README explains them in plain words):

- Two states "took part" in a vote when both cast yes, no or abstain; non-voting and
  absent ballots are left out, as are votes without ballots.
- `agreement` is the share of those votes with identical choices; `score` is the
  Voeten-style agreement index: identical = 1, an abstention against a yes or a no = 1/2,
  yes against no = 0.
- A bloc (the sponsors of a document, or the states whose latest stance is `oppose`)
  casts, in each vote, the choice most of its members who took part cast. When two or
  three choices tie for the most, the bloc is split on that vote and the vote is left out
  (counted in `split_votes`). A state is never part of the bloc it is compared with.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from cahtracker.errors import CahError
from cahtracker.names import name_key
from cahtracker.voting import CAST, decide

_CAST_SQL = "('yes', 'no', 'abstain')"
# the bloc's choice: the strict plurality of its members' cast choices; NULL on a tie
_BLOC_CHOICE_SQL = (
    "CASE WHEN y > n AND y > a THEN 'yes' WHEN n > y AND n > a THEN 'no' "
    "WHEN a > y AND a > n THEN 'abstain' END"
)

# forecast: below this many shared votes a comparison is "no data"
MIN_VOTES = 5
# forecast: a gap this much wider than the margin of error makes a projection firm
FIRM_GAP = 0.25
# a bloc larger than this is tallied in one pass over `ballots`, a smaller one by its index
SCAN_BLOC = 16


@dataclass(frozen=True)
class VoteScope:
    """Which recorded votes count: a date range and a text in the document's symbol or title."""

    date_from: str | None = None
    date_to: str | None = None
    subject: str | None = None

    def sql(self, column: str) -> tuple[str, list[Any]]:
        """A condition on `column` (a vote id) and its parameters; "1" when every vote counts."""
        where: list[str] = []
        params: list[Any] = []
        if self.date_from is not None:
            where.append("v.date >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            where.append("v.date <= ?")
            params.append(self.date_to)
        if self.subject is not None:
            where.append(
                "(instr(lower(v.symbol), lower(?)) > 0 OR instr(lower(coalesce(d.title, '')), lower(?)) > 0)"
            )
            params.extend([self.subject, self.subject])
        if not where:
            return "1", []
        return (
            f"{column} IN (SELECT v.id FROM votes v LEFT JOIN documents d ON d.symbol = v.symbol "
            f"WHERE {' AND '.join(where)})",
            params,
        )


def scope_bounds(date_from, date_to, subject: str | None) -> VoteScope:
    """A VoteScope from parsed dates: a month or a year as `--to` counts to its last day."""
    upper = None
    if date_to is not None:
        upper = date_to.value + {"year": "-99-99", "month": "-99"}.get(date_to.precision, "")
    if date_from is not None and upper is not None and date_from.value > upper:
        raise CahError(
            f"--from {date_from.value} is after --to {date_to.value}; give a range that starts first."
        )
    if subject is not None and not subject.strip():
        raise CahError("Empty --subject; give a word of the document's title or symbol.")
    return VoteScope(
        None if date_from is None else date_from.value, upper, subject.strip() if subject else None
    )


def _figures(votes: int, identical: int, credit: int, split: int | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "votes": votes,
        "identical": identical,
        "agreement": round(identical / votes, 4) if votes else None,
        "score": round(credit / (2 * votes), 4) if votes else None,
    }
    if split is not None:
        row["split_votes"] = split
    return row


def _from_cells(cells) -> dict[str, Any]:
    """Figures from (choice, other choice, count) cells of one state's contingency table."""
    votes = identical = credit = 0
    for mine, theirs, count in cells:
        votes += count
        if mine == theirs:
            identical += count
            credit += 2 * count
        elif "abstain" in (mine, theirs):
            credit += count
    return _figures(votes, identical, credit)


def _among(column: str, codes: list[str] | None) -> tuple[str, list[Any]]:
    """`AND column IN (the codes)`, one JSON parameter whatever their number; "" for None."""
    if codes is None:
        return "", []
    return f"AND {column} IN (SELECT value FROM json_each(?))", [json.dumps(codes)]


def pair_scores(
    store, iso3: str, others: list[str] | None = None, scope: VoteScope = VoteScope()
) -> dict[str, dict[str, Any]]:
    """Agreement of `iso3` with every other state (or with `others`): iso3 -> figures.

    SQL counts each state's 3x3 table of (its choice, iso3's choice); the figures follow.
    """
    where, params = scope.sql("a.vote_id")
    other_clause, other_params = _among("b.iso3", others)
    cells: dict[str, list[tuple[str, str, int]]] = {}
    for other, theirs, mine, count in store.conn.execute(
        "SELECT b.iso3, b.choice, a.choice, count(*) "
        "FROM ballots a JOIN ballots b ON b.vote_id = a.vote_id AND b.iso3 != a.iso3 "
        f"WHERE a.iso3 = ? AND a.choice IN {_CAST_SQL} AND b.choice IN {_CAST_SQL} "
        f"{other_clause} AND {where} GROUP BY b.iso3, b.choice, a.choice",
        [iso3, *other_params, *params],
    ):
        cells.setdefault(other, []).append((mine, theirs, count))
    return {other: _from_cells(c) for other, c in cells.items()}


def bloc_scores(
    store, bloc: list[str], states: list[str] | None = None, scope: VoteScope = VoteScope()
) -> dict[str, dict[str, Any]]:
    """Agreement of each state (every state with ballots, or `states`) with a bloc's majority.

    The caller keeps a state out of the bloc it is compared with. Each figure counts the
    votes where the state took part and the bloc had a majority choice; `split_votes`
    counts the votes where the state took part and the bloc was split.
    """
    if not bloc:
        return {}
    if states is not None and len(states) == 1:  # tally the bloc only where the state voted
        return _one_state_bloc_scores(store, bloc, states[0], scope)
    # one command may ask for the same bloc twice (the report's targets and forecast): the
    # scores of every state are computed once and kept until the database is written to
    memo = store.memo.setdefault("bloc_scores", {})
    key = (tuple(sorted(bloc)), scope)
    if key not in memo:
        memo[key] = _bloc_scores(store, bloc, scope)
    if states is None:
        return memo[key]
    wanted = set(states)
    return {iso3: figures for iso3, figures in memo[key].items() if iso3 in wanted}


def _bloc_scores(store, bloc: list[str], scope: VoteScope) -> dict[str, dict[str, Any]]:
    where, params = scope.sql("vote_id")
    # a large bloc: one pass over the table in vote order beats a seek per member's ballot
    member = "+iso3" if len(bloc) > SCAN_BLOC else "iso3"
    cells: dict[str, list[tuple[str, str, int]]] = {}
    splits: dict[str, int] = {}
    for iso3, mine, choice, count in store.conn.execute(
        "WITH tally AS MATERIALIZED ("
        " SELECT vote_id, sum(choice = 'yes') AS y, sum(choice = 'no') AS n, sum(choice = 'abstain') AS a"
        f" FROM ballots WHERE {member} IN (SELECT value FROM json_each(?)) AND choice IN {_CAST_SQL}"
        f" AND {where} GROUP BY vote_id),"
        f" c AS (SELECT vote_id, {_BLOC_CHOICE_SQL} AS choice FROM tally) "
        "SELECT s.iso3, s.choice, c.choice, count(*) FROM c JOIN ballots s ON s.vote_id = c.vote_id "
        f"WHERE s.choice IN {_CAST_SQL} GROUP BY s.iso3, s.choice, c.choice",
        [json.dumps(bloc), *params],
    ):
        if choice is None:
            splits[iso3] = splits.get(iso3, 0) + count
        else:
            cells.setdefault(iso3, []).append((mine, choice, count))
    return {
        iso3: {**_from_cells(cells.get(iso3, [])), "split_votes": splits.get(iso3, 0)}
        for iso3 in cells.keys() | splits.keys()
    }


# one sum per vote packs the bloc's yes, no and abstain counts (a bloc has < 1024 states)
_PACKED_SQL = "sum(CASE b.choice WHEN 'yes' THEN 1 WHEN 'no' THEN 1024 WHEN 'abstain' THEN 1048576 ELSE 0 END)"


def bloc_choice(yes: int, no: int, abstain: int) -> str | None:
    """The strict plurality of the bloc's cast choices; None when the bloc is split (a tie)."""
    top = max(yes, no, abstain)
    if top == 0 or [yes, no, abstain].count(top) > 1:
        return None
    return CAST[[yes, no, abstain].index(top)]


def _one_state_bloc_scores(
    store, bloc: list[str], iso3: str, scope: VoteScope
) -> dict[str, dict[str, Any]]:
    where, params = scope.sql("s.vote_id")
    cells: dict[tuple[str, str], int] = {}
    split = 0
    for mine, packed in store.conn.execute(
        f"SELECT s.choice, {_PACKED_SQL} FROM ballots s JOIN ballots b ON b.vote_id = s.vote_id"
        " AND b.iso3 IN (SELECT value FROM json_each(?))"
        f" WHERE s.iso3 = ? AND s.choice IN {_CAST_SQL} AND {where} GROUP BY s.vote_id",
        [json.dumps(bloc), iso3, *params],
    ):
        choice = bloc_choice(packed & 1023, (packed >> 10) & 1023, packed >> 20)
        if choice is None:
            split += packed > 0  # a bloc none of whose members took part is no vote at all
            continue
        cells[(mine, choice)] = cells.get((mine, choice), 0) + 1
    if not cells and not split:
        return {}
    return {
        iso3: {
            **_from_cells((m, c, n) for (m, c), n in cells.items()),
            "split_votes": split,
        }
    }


def _states(store, where: str = "1", params: list[Any] | None = None) -> list[dict[str, Any]]:
    return store.query(
        f"SELECT iso3, name, regional_group, status FROM states s WHERE {where} ORDER BY name COLLATE state_name",
        params or [],
    )


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows.sort(
        key=lambda r: (
            r["score"] is None,
            -(r["score"] or 0),
            -(r["votes"] or 0),
            name_key(r["name"]),
        )
    )
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank if row["score"] is not None else None
    return rows


def _row(state: dict[str, Any], figures: dict[str, Any] | None) -> dict[str, Any]:
    figures = figures or _figures(0, 0, 0)
    return {
        "rank": None,
        "iso3": state["iso3"],
        "name": state["name"],
        "regional_group": state["regional_group"],
        **figures,
    }


def align(
    store,
    iso3: str,
    *,
    with_iso3: str | None = None,
    group: str | None = None,
    sponsors_of: str | None = None,
    as_of: str | None = None,
    scope: VoteScope = VoteScope(),
) -> list[dict[str, Any]]:
    """Agreement of `iso3` with one state, a group's members, the sponsors bloc, or every state.

    Rows: rank, iso3, name, regional_group, votes, identical, agreement, score (and for the
    sponsors bloc as of `as_of`: split_votes, bloc_size), best first. Against every state, only states that
    shared at least one vote are listed; against a named state or group, every one is listed.
    """
    if sponsors_of is not None:
        from cahtracker.sponsors import current_sponsors

        sponsors = [r["iso3"] for r in current_sponsors(store, sponsors_of, as_of)]
        bloc = [code for code in sponsors if code != iso3]
        if not bloc:
            when = f" on {as_of}" if as_of else ""
            other = f" other than {iso3}" if sponsors else ""
            raise CahError(
                f"{sponsors_of} has no recorded sponsors{other}{when}; "
                "add them with `cahtracker sponsors add` or pass another --doc."
            )
        figures = bloc_scores(store, bloc, [iso3], scope).get(iso3) or _figures(0, 0, 0, 0)
        return [
            {
                "rank": None,
                "iso3": None,
                "name": f"Sponsors of {sponsors_of}",
                "regional_group": None,
                **figures,
                "bloc_size": len(bloc),
            }
        ]
    if with_iso3 is not None:
        if with_iso3 == iso3:
            raise CahError("--with names the same state; compare two different states.")
        states = _states(store, "iso3 = ?", [with_iso3])
        scores = pair_scores(store, iso3, [with_iso3], scope)
        return [_row(states[0], scores.get(with_iso3))]
    if group is not None:
        from cahtracker.states import group_clause

        clause, params = group_clause(group, "s.regional_group")
        states = [s for s in _states(store, clause, params) if s["iso3"] != iso3]
        scores = pair_scores(store, iso3, [s["iso3"] for s in states], scope)
        return _ranked([_row(s, scores.get(s["iso3"])) for s in states])
    scores = pair_scores(store, iso3, None, scope)
    return _ranked([_row(s, scores[s["iso3"]]) for s in _states(store) if s["iso3"] in scores])


def targets(
    store, symbol: str, topic: str, as_of: str | None = None, scope: VoteScope = VoteScope()
) -> list[dict[str, Any]]:
    """Member states with no stance (or `undecided`) on the topic that do not sponsor `symbol`,
    ranked by their agreement with the sponsors bloc; states with no shared vote come last."""
    from cahtracker.positions import stances_on
    from cahtracker.sponsors import current_sponsors

    sponsors = {r["iso3"] for r in current_sponsors(store, symbol, as_of)}
    stances = stances_on(store, topic, as_of)
    candidates = [
        s
        for s in _states(store, "status = 'member'")
        if s["iso3"] not in sponsors
        and stances.get(s["iso3"], {}).get("stance", "undecided") == "undecided"
    ]
    scores = bloc_scores(store, sorted(sponsors), [s["iso3"] for s in candidates], scope)
    rows = []
    for state in candidates:
        figures = scores.get(state["iso3"]) or _figures(0, 0, 0, 0)
        row = _row(state, figures)
        row["stance"] = stances[state["iso3"]]["stance"] if state["iso3"] in stances else None
        row["evidence"] = (
            f"{figures['votes']} votes, score {figures['score']:.2f}"
            if figures["votes"]
            else "no data"
        )
        rows.append(row)
    return _ranked(rows)


def _projection(
    sponsors_fig: dict[str, Any] | None, opponents_fig: dict[str, Any] | None
) -> tuple[tuple[str, ...], str]:
    """The choices an uncommitted state may cast, from its agreement with the two blocs."""
    n_s = sponsors_fig["votes"] if sponsors_fig else 0
    n_o = opponents_fig["votes"] if opponents_fig else 0
    if n_s < MIN_VOTES:
        return CAST, "no data"
    if n_o >= MIN_VOTES:
        gap = sponsors_fig["score"] - opponents_fig["score"]
        margin = 1 / math.sqrt(min(n_s, n_o))
        against = f"opponents {opponents_fig['score']:.2f}"
    else:  # no opponents bloc to compare with: against an even split
        gap = sponsors_fig["score"] - 0.5
        margin = 1 / math.sqrt(n_s)
        against = "even split 0.50"
    basis = f"sponsors {sponsors_fig['score']:.2f} vs {against}, ±{margin:.2f}"
    if gap > margin + FIRM_GAP:
        return ("yes",), basis
    if gap > margin:
        return ("yes", "abstain"), basis
    if gap < -margin - FIRM_GAP:
        return ("no",), basis
    if gap < -margin:
        return ("no", "abstain"), basis
    return CAST, basis


def forecast(
    store,
    symbol: str,
    topic: str,
    majority: str = "simple",
    as_of: str | None = None,
    scope: VoteScope = VoteScope(),
) -> dict[str, Any]:
    """A projected tally of a recorded vote on `symbol` by the 193 members, as ranges.

    Committed: sponsors and `support` count as yes, `oppose` as no. Every other member
    (no stance, `mixed`, `undecided`) gets the set of choices its voting record leaves
    plausible (see `_projection`; `mixed`/`undecided` always keep abstain possible). Each
    count's low is the states certain to cast it, its high the states that may cast it.
    """
    from cahtracker.positions import stances_on
    from cahtracker.sponsors import current_sponsors

    members = _states(store, "status = 'member'")
    sponsors = {r["iso3"] for r in current_sponsors(store, symbol, as_of)}
    stances = stances_on(store, topic, as_of)
    member_codes = {s["iso3"] for s in members}
    opponents = sorted(
        iso3
        for iso3, row in stances.items()
        if row["stance"] == "oppose" and iso3 not in sponsors and iso3 in member_codes
    )
    committed_yes = sponsors | {i for i, r in stances.items() if r["stance"] == "support"}
    uncommitted = [
        s["iso3"] for s in members if s["iso3"] not in committed_yes and s["iso3"] not in opponents
    ]
    with_sponsors = bloc_scores(store, sorted(sponsors & member_codes), uncommitted, scope)
    with_opponents = bloc_scores(store, opponents, uncommitted, scope)
    states = []
    for state in members:
        iso3 = state["iso3"]
        stance = stances.get(iso3, {}).get("stance")
        s_fig, o_fig = with_sponsors.get(iso3), with_opponents.get(iso3)
        if iso3 in sponsors:
            possible, basis = ("yes",), "sponsor"
        elif iso3 in committed_yes:
            possible, basis = ("yes",), "stance: support"
        elif iso3 in opponents:
            possible, basis = ("no",), "stance: oppose"
        else:
            possible, basis = _projection(s_fig, o_fig)
            if stance in ("mixed", "undecided") and "abstain" not in possible:
                possible = (*possible, "abstain")
        states.append(
            {
                "iso3": iso3,
                "name": state["name"],
                "regional_group": state["regional_group"],
                "stance": stance,
                "sponsor": iso3 in sponsors,
                "possible": "/".join(possible),
                "committed": basis in ("sponsor", "stance: support", "stance: oppose"),
                "basis": basis,
                "votes_with_sponsors": s_fig["votes"] if s_fig else 0,
                "score_with_sponsors": s_fig["score"] if s_fig else None,
                "votes_with_opponents": o_fig["votes"] if o_fig else 0,
                "score_with_opponents": o_fig["score"] if o_fig else None,
            }
        )
    tally: dict[str, dict[str, int]] = {}
    for choice in CAST:
        sets = [s["possible"].split("/") for s in states]
        tally[choice] = {
            "committed": sum(1 for s in states if s["committed"] and s["possible"] == choice),
            "low": sum(1 for p in sets if p == [choice]),
            "high": sum(1 for p in sets if choice in p),
        }
    # worst case for adoption: every state casts its least favourable possible choice
    worst = {"yes": tally["yes"]["low"], "no": tally["no"]["high"]}
    best = {"yes": tally["yes"]["high"], "no": tally["no"]["low"]}
    if decide(worst["yes"], worst["no"], majority) == "adopted":
        outcome = "adopted"
    elif decide(best["yes"], best["no"], majority) == "rejected":
        outcome = "rejected"
    else:
        outcome = "uncertain"
    return {
        "document": symbol,
        "topic": topic,
        "majority": majority,
        "as_of": as_of,
        "members": len(members),
        "sponsors": len(sponsors & member_codes),
        "opponents": len(opponents),
        "tally": tally,
        "worst_case": worst,
        "best_case": best,
        "outcome": outcome,
        "states": states,
    }
