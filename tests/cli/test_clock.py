"""One clock: $CAHTRACKER_TODAY is today for every command that defaults to today."""

from __future__ import annotations

import json

import pytest

DAY = "2030-01-01"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", DAY)


def history(cli, state: str) -> list[dict]:
    return json.loads(cli.ok("sponsors", "history", state, "-f", "json").stdout)


def test_sponsors_add_withdraw_and_import_record_the_frozen_day(cli, tmp_path):
    cli.ok("sponsors", "add", "Chile", "--source", "fictional")
    assert [e["date"] for e in history(cli, "Chile")] == [DAY]
    cli.ok("sponsors", "withdraw", "Chile", "--source", "fictional")
    assert [(e["action"], e["date"]) for e in history(cli, "Chile")] == [
        ("joined", DAY),
        ("withdrew", DAY),
    ]
    listed = tmp_path / "list.txt"
    listed.write_text("Peru and Fiji", encoding="utf-8")
    cli.ok("sponsors", "import", str(listed), "--source", "fictional")
    assert [e["date"] for e in history(cli, "Peru")] == [DAY]


def test_position_set_records_the_frozen_day(cli):
    cli.ok("position", "set", "Peru", "--topic", "forced-marriage", "--stance", "support",
           "--source", "x", "--date", "today")  # fmt: skip
    rows = json.loads(
        cli.ok("position", "history", "Peru", "-t", "forced-marriage", "-f", "json").stdout
    )
    assert [r["date"] for r in rows] == [DAY]


def test_today_and_yesterday_mean_the_frozen_day_everywhere(cli):
    cli.ok("sponsors", "add", "Fiji", "--date", "yesterday", "--source", "fictional")
    assert [e["date"] for e in history(cli, "Fiji")] == ["2029-12-31"]
    listed = json.loads(cli.ok("sponsors", "list", "--as-of", "today", "-f", "json").stdout)
    assert "FJI" in {r["iso3"] for r in listed}
    count = json.loads(cli.ok("sponsors", "count", "--as-of", "today", "-f", "json").stdout)
    assert count["as_of"] == DAY
    assert f"as of {DAY}" in cli.ok("report", "tally", "--as-of", "today").stdout
    assert f"today {DAY}" in cli.ok("timeline", "list").stdout
