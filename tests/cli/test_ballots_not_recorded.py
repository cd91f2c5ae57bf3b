"""Ballots a source gave that a vote does not record (former states, unknown names skipped):
counted per vote, named by `vote show` in every format, never a complete vote.

`tests/data/unvotes/` is a real extract of the unvotes history (tests/data/README.md): roll
call 3 (R/1/66, 1946) has rows of Czechoslovakia and Yugoslavia, former states without a
continuing seat. The expected counts are read from that file here with the csv module; the
fictional files are built by the tests in temporary folders and databases, and say so.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter

from conftest import DATA, markdown_text

UNVOTES = DATA / "unvotes" / "unvotes.csv"
ROLL_CALLS = DATA / "unvotes" / "roll_calls.csv"
FORMER = ("Czechoslovakia", "Yugoslavia")  # no continuing seat in 1946 (data/former_states.csv)


def file_rows(rcid: int) -> list[dict[str, str]]:
    with open(UNVOTES, encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if int(r["rcid"]) == rcid]


def show(cli, ref: str, fmt: str = "json"):
    out = cli.ok("vote", "show", ref, "-f", fmt).stdout
    return json.loads(out) if fmt == "json" else out


def test_the_former_states_of_r_1_66_are_named_and_the_file_count_explained(cli):
    cli.ok("vote", "import", str(UNVOTES))
    rows = file_rows(3)
    in_file = Counter(r["vote"] for r in rows)
    assert dict(in_file) == {"yes": 29, "no": 18, "abstain": 4}  # the CSV's own count
    vote = show(cli, "R/1/66")
    lost = vote["ballots_not_recorded"]
    expected = sorted(
        ("former state", r["country"], r["vote"], 1) for r in rows if r["country"] in FORMER
    )
    assert sorted((u["reason"], u["name"], u["choice"], u["ballots"]) for u in lost) == expected
    # tally + ballots not recorded = what the file counted, choice by choice
    lost_by_choice = Counter({u["choice"]: u["ballots"] for u in lost})
    for choice in ("yes", "no", "abstain"):
        assert vote["tally"][choice] + lost_by_choice[choice] == in_file[choice], choice
    assert vote["coverage"]["ballots_not_recorded"] == len(expected) == 2
    assert vote["coverage"]["complete"] is False  # every member of the day has a ballot, yet
    line = "2 ballots of former states not recorded: " + ", ".join(
        f"{name} ({choice})" for _, name, choice, _ in expected
    )
    assert line in " ".join(show(cli, "R/1/66", "table").split())
    assert line in markdown_text(show(cli, "R/1/66", "markdown"))
    csv_rows = list(csv.DictReader(show(cli, "R/1/66", "csv").splitlines()))
    unrecorded = [r for r in csv_rows if r["statement"] == "former state"]
    assert sorted((r["name"], r["choice"], r["text"]) for r in unrecorded) == sorted(
        (name, "not recorded", f"{choice} in the source") for _, name, choice, _ in expected
    )
    assert all(r["iso3"] == "" for r in unrecorded)


def test_vote_list_and_the_exports_never_call_it_complete(cli, tmp_path):
    cli.ok("vote", "import", str(UNVOTES))
    listed = {r["symbol"]: r for r in json.loads(cli.ok("vote", "list", "-f", "json").stdout)}
    assert listed["R/1/66"]["coverage"]["complete"] is False
    assert listed["R/1/66"]["coverage"]["ballots_not_recorded"] == 2
    # a roll call without rows of former states stays complete
    assert listed["A/RES/74/243"]["coverage"]["complete"] is True
    assert listed["A/RES/74/243"]["coverage"]["ballots_not_recorded"] == 0
    rows = {
        r["symbol"]: r
        for r in csv.DictReader(cli.ok("vote", "list", "-f", "csv").stdout.splitlines())
    }
    assert (rows["R/1/66"]["ballots_not_recorded"], rows["R/1/66"]["complete"]) == ("2", "false")
    out = tmp_path / "export"
    cli.ok("report", "export", "-f", "csv", "-o", str(out))
    with open(out / "votes.csv", encoding="utf-8", newline="") as handle:
        exported = {r["symbol"]: r for r in csv.DictReader(handle)}
    assert exported["R/1/66"]["ballots_not_recorded"] == "2"
    assert exported["R/1/66"]["complete"] == "false"
    table = cli.ok("--wide", "vote", "list").stdout
    assert "+2" in next(line for line in table.splitlines() if "R/1/66" in line)


def test_unknown_names_skipped_are_recorded_too_and_undo_takes_them(cli, store, tmp_path):
    # fictional: 'Atlantis' (no such state) added to the real roll call 9139
    shutil.copy(ROLL_CALLS, tmp_path / "roll_calls.csv")
    text = UNVOTES.read_text(encoding="utf-8") + "9139,Atlantis,QQ,abstain\n"
    (tmp_path / "unvotes.csv").write_text(text, encoding="utf-8")
    cli.ok("vote", "import", str(tmp_path / "unvotes.csv"), "--skip-unknown")
    vote = show(cli, "A/RES/74/243")
    assert [(u["reason"], u["choice"]) for u in vote["ballots_not_recorded"]] == [
        ("unknown name", "abstain")
    ]
    assert "Atlantis" in vote["ballots_not_recorded"][0]["name"]
    assert vote["coverage"]["complete"] is False
    assert "1 ballot of unknown names skipped: " in " ".join(
        show(cli, "A/RES/74/243", "table").split()
    )
    # the same file again replaces the votes: the rows are not doubled
    cli.ok("vote", "import", str(tmp_path / "unvotes.csv"), "--skip-unknown")
    assert store.scalar("SELECT sum(ballots) FROM ballots_not_recorded") == 3  # 2 former, 1 unknown
    cli.ok("db", "undo")  # the second import: the first one's votes come back whole
    assert store.scalar("SELECT sum(ballots) FROM ballots_not_recorded") == 3
    cli.ok("db", "undo")
    assert store.scalar("SELECT count(*) FROM ballots_not_recorded") == 0


def test_the_reports_name_them(cli, tmp_path):
    # fictional: a roll call on the seeded A/RES/79/122 with a row of a former state
    (tmp_path / "roll_calls.csv").write_text(
        "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
        "1,79,0,2024-12-04,A/RES/79/122,0,0,fictional,fictional\n",
        encoding="utf-8",
    )
    (tmp_path / "unvotes.csv").write_text(
        "rcid,country,country_code,vote\n1,France,FR,yes\n1,German Democratic Republic,DD,no\n",
        encoding="utf-8",
    )
    cli.ok("vote", "import", str(tmp_path / "unvotes.csv"))
    line = "1 ballot of former states not recorded: German Democratic Republic (no)"
    for name in ("r.md", "r.html"):
        cli.ok("report", "export", "-d", "A/RES/79/122", "-o", str(tmp_path / name))
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert line in (markdown_text(text) if name == "r.md" else text), name
    data = json.loads(
        cli.ok("report", "export", "-d", "A/RES/79/122", "-o", "-", "-f", "json").stdout
    )
    (vote,) = [v for v in data["process_votes"] if v["ballots"]]
    assert vote["ballots_not_recorded"] == [
        {
            "reason": "former state",
            "name": "German Democratic Republic",
            "choice": "no",
            "ballots": 1,
        }
    ]
    assert vote["coverage"]["complete"] is False


def test_a_close_reading_in_a_committee_reports_lists_is_said_and_kept(cli, tmp_path):
    """A fictional copy of the real committee report (../shared/fixtures/committee-report)
    with 'Germany' misspelt in its In favour list: the vote import reads it as Germany, as
    `sponsors import` would, but says so first (CHECK), in JSON, and in the vote's note."""
    from conftest import FIXTURES

    real = FIXTURES / "committee-report" / "A_78_481_Add.3_paras16-21.txt"
    text = real.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "Germany," in line and i > 15)
    lines[at] = lines[at].replace("Germany,", "Germny,", 1)
    copy = tmp_path / "report.txt"
    copy.write_text("\n".join(lines), encoding="utf-8")
    out = cli.ok("vote", "import", str(copy)).stdout
    first = " ".join(out.split("Imported", 1)[0].split())
    assert first.startswith("CHECK 1 close reading") and "read 'Germny' as Germany" in first
    vote = show(cli, "A/C.3/78/L.41")
    assert "read 'Germny' as Germany" in vote["note"]
    assert "DEU" in {b["iso3"] for b in vote["ballots"] if b["choice"] == "yes"}
    cli.ok("db", "undo")
    data = json.loads(cli.ok("vote", "import", str(copy), "-f", "json").stdout)
    assert any("Germny" in r for r in data["close_readings"])
