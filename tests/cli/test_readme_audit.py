"""Findings of the README audit: each test fails without its fix."""

from conftest import DATA


def test_import_summary_says_one_vote_not_one_votes(cli):
    out = cli.ok("vote", "import", str(DATA / "undl" / "A_RES_74_243.xml")).stdout
    assert "Imported 1 vote with 193 ballots from" in out
    assert "1 votes" not in out


def test_import_summary_says_one_row_skipped(cli):
    out = cli.ok(
        "vote",
        "import",
        str(DATA / "unvotes" / "unvotes.csv"),
        "--skip-unknown",
        "--roll-calls",
        str(DATA / "unvotes" / "roll_calls.csv"),
    ).stdout
    assert "Skipped 1 row: former state Czechoslovakia." in out
    assert "1 rows" not in out


def test_tally_as_of_shows_no_decision_taken_after_that_date(cli):
    # the seed's decisions are of 22 November and 4 December 2024
    before = cli.ok("report", "tally", "--as-of", "2024-11-01").stdout
    assert "Latest votes (0 on this text)" in before
    assert "2024-12-04" not in before
    assert "without a vote" not in before
    between = cli.ok("report", "tally", "--as-of", "2024-11-30").stdout
    assert "Latest votes (2 on this text)" in between
    assert "2024-12-04" not in between
    assert "adopted (without a vote)" in between
    today = cli.ok("report", "tally").stdout
    assert "Latest votes (3 on this text)" in today
    assert "2024-12-04" in today


def test_markdown_shows_html_as_text(cli):
    quote = "<script>alert(1)</script> & <b>x</b>"
    cli.ok(
        "position",
        "set",
        "Peru",
        "--topic",
        "treaty",
        "--stance",
        "mixed",
        "--quote",
        quote,
        "--unsourced",
        "--date",
        "today",
    )
    out = cli.ok("position", "list", "-f", "markdown").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in out
    assert "<script>" not in out and "<b>" not in out
    # a line break is still the one tag a cell holds
    cli.ok(
        "position",
        "set",
        "Chile",
        "--topic",
        "treaty",
        "--stance",
        "mixed",
        "--quote",
        "a\nb",
        "--unsourced",
        "--date",
        "today",
    )
    assert "a<br>b" in cli.ok("position", "list", "-f", "markdown").stdout
