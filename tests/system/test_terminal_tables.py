"""Real processes on a pseudo-terminal (Rich draws the tables) and on a pipe with no width
given (80 columns): every listing fits, every identifier is whole. Fictional data as in
tests/table_data.py."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading

import pytest

from conftest import Cli, cahtracker_command, process_env
from table_data import LISTINGS, build, check_identifiers, rows_of

pytestmark = pytest.mark.slow
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@pytest.fixture(scope="module")
def wide_db(tmp_path_factory, _seeded_template) -> Cli:
    return build(tmp_path_factory.mktemp("widths") / "cah.db", _seeded_template)


def on_terminal(db, *args: str, columns: int = 80) -> str:
    """The output of a real cahtracker on a pseudo-terminal `columns` wide, escapes removed."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        try:
            while data := os.read(master, 65536):
                chunks.append(data)
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = process_env(COLUMNS=str(columns), TERM="xterm")
    result = subprocess.run(
        cahtracker_command(db, *args), stdin=slave, stdout=slave, stderr=slave, env=env, timeout=60
    )
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert result.returncode == 0, text
    return ANSI.sub("", text)


@pytest.mark.parametrize("listing", list(LISTINGS), ids=" ".join)
def test_on_a_terminal_of_80_columns_identifiers_are_whole(wide_db, listing):
    key, identifiers = LISTINGS[listing]
    out = on_terminal(wide_db.db, *listing)
    assert "┏" in out  # a table, drawn by Rich
    check_identifiers(out, 80, rows_of(wide_db, listing, key), identifiers)


def test_a_pipe_with_no_width_given_is_80_columns(wide_db):
    env = {k: v for k, v in process_env().items() if k != "COLUMNS"}
    result = subprocess.run(
        cahtracker_command(wide_db.db, "vote", "list"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Not shown at 80 columns" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "A/C.6/79/L.2/Rev.1" in result.stdout and "rejected" in result.stdout
