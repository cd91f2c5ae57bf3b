"""Red team 4 and 5: a standard output that cannot be written, and one that is not UTF-8.

Real processes (`python -m cahtracker`), because what matters is a real file descriptor 1:
/dev/full (ENOSPC), closed (`>&-`), a pipe whose reader is gone (EPIPE), and the final flush
of the interpreter. Every database is a seeded copy under tmp_path; the writes in it
(`sponsors add` of a fictional source) are test data.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import cahtracker_command, file_digest, process_env

pytestmark = pytest.mark.slow

FULL = "Error: could not write the output (No space left on device); "
CLOSED = "Error: could not write the output (standard output is closed); nothing was written."
# one of each way of printing: a plain table, Rich (a view of its own), JSON, CSV, Markdown,
# a document to `-o -`, a line (db path), Click's help
READS = [
    ("sponsors", "list"),
    ("position", "matrix"),
    ("states", "list", "-f", "json"),
    ("vote", "show", "1", "-f", "csv"),
    ("vote", "list", "-f", "markdown"),
    ("report", "export", "-f", "json", "-o", "-"),
    ("db", "path"),
    ("sponsors", "--help"),
]
WRITE = ("sponsors", "add", "Chile", "--date", "2025-01-02", "--source", "fictional test source")


def run(db: Path, args, stdout, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        cahtracker_command(db, *args),
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=kwargs.pop("env", None) or process_env(),
        timeout=120,
        **kwargs,
    )


def stderr_lines(result) -> list[str]:
    text = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    return text.splitlines()


def sources(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT source FROM sponsorship_events")]
    finally:
        conn.close()


def closed_pipe() -> int:
    """The write end of a pipe whose reader is gone: every write to it is EPIPE."""
    read, write = os.pipe()
    os.close(read)
    return write


def close_stdout() -> None:  # preexec_fn: the process starts with fd 1 closed (`>&-`)
    os.close(1)


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_full_stdout_is_one_line_and_exit_1_for_a_read(db_path, args):
    before = file_digest(db_path)
    with open("/dev/full", "wb") as full:
        result = run(db_path, args, full)
    assert result.returncode == 1
    assert stderr_lines(result) == [FULL + "nothing was written."]
    assert file_digest(db_path) == before


@needs_dev_full
def test_a_full_stdout_after_a_write_says_the_change_was_written(db_path):
    with open("/dev/full", "wb") as full:
        result = run(db_path, WRITE, full)
    assert result.returncode == 1
    assert stderr_lines(result) == [FULL + "the command's changes were written."]
    assert sources(db_path).count("fictional test source") == 1  # committed, as it says


@pytest.mark.parametrize("args", [*READS, WRITE], ids=" ".join)
def test_a_closed_stdout_is_refused_before_anything_is_written(db_path, args):
    before = file_digest(db_path)
    result = run(db_path, args, None, preexec_fn=close_stdout)
    assert result.returncode == 1
    assert stderr_lines(result) == [CLOSED]
    assert file_digest(db_path) == before


@pytest.mark.parametrize(
    "args",
    [
        ("states", "list"),
        ("states", "list", "-f", "csv"),
        ("report", "export", "-f", "html", "-o", "-"),
    ],
    ids=" ".join,
)
def test_a_reader_that_went_away_is_quiet_for_a_read(db_path, args):
    before = file_digest(db_path)
    pipe = closed_pipe()
    try:
        result = run(db_path, args, pipe)
    finally:
        os.close(pipe)
    assert result.returncode == 141  # 128 + SIGPIPE, as a shell shows a writer it killed
    assert stderr_lines(result) == []
    assert file_digest(db_path) == before


def test_a_reader_that_went_away_after_a_write_is_told_the_change_was_written(db_path):
    pipe = closed_pipe()
    try:
        result = run(db_path, WRITE, pipe)
    finally:
        os.close(pipe)
    assert result.returncode == 141
    assert stderr_lines(result) == [
        "Error: could not write the output (Broken pipe); the command's changes were written."
    ]
    assert sources(db_path).count("fictional test source") == 1


def test_a_listing_into_head_stays_quiet(db_path, tmp_path):
    """The shell's own `| head -c 10`: the report is larger than a pipe holds."""
    command = " ".join(
        f"'{a}'" for a in cahtracker_command(db_path, "report", "export", "-f", "html", "-o", "-")
    )
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} 2>'{tmp_path / 'err'}' | head -c 10"],
        capture_output=True,
        env=process_env(),
        timeout=120,
    )
    assert result.stdout == b"<!DOCTYPE "
    assert result.returncode in (0, 141)
    assert (tmp_path / "err").read_bytes() == b""


# ---- red team 5: machine formats are UTF-8 documents, whatever the terminal's encoding ----

DOCUMENTS = [
    ("report", "export", "-f", "json", "-o", "-"),
    ("report", "export", "-f", "markdown", "-o", "-"),
    ("report", "export", "-f", "html", "-o", "-"),
    ("states", "list", "-f", "json"),
    ("states", "list", "-f", "csv"),
    ("states", "list", "-f", "markdown"),
    ("states", "show", "CIV", "-f", "json"),
]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", DOCUMENTS, ids=" ".join)
def test_a_document_is_the_same_utf8_bytes_on_any_terminal_encoding(db_path, args, encoding):
    env = {"CAHTRACKER_TODAY": "2025-06-01", "PYTHONIOENCODING": "utf-8"}
    utf8 = run(db_path, args, subprocess.PIPE, env=process_env(**env))
    other = run(
        db_path, args, subprocess.PIPE, env=process_env(**{**env, "PYTHONIOENCODING": encoding})
    )
    assert utf8.returncode == other.returncode == 0, other.stderr
    assert other.stdout == utf8.stdout  # CAHTRACKER_TODAY: the report's date is the same
    assert not other.stdout.isascii()  # it has characters an ASCII terminal cannot show


def test_a_table_on_an_ascii_terminal_keeps_replacement_characters(db_path):
    """Tables are for the terminal: its encoding, `?` for what it cannot show."""
    result = run(
        db_path,
        ("states", "show", "CIV"),
        subprocess.PIPE,
        env=process_env(PYTHONIOENCODING="ascii"),
    )
    assert result.returncode == 0
    assert "C?te d" in result.stdout.decode("ascii")


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [("report", "export", "-f", "json", "-o", "{out}"), ("db", "backup", "{out}")],
    ids=["report export", "db backup"],
)
def test_a_full_stdout_after_an_export_or_backup_names_the_file_written(db_path, tmp_path, args):
    """The file is in place before the confirmation fails: the line says so, not "nothing"."""
    target = tmp_path / "out" / "written.file"
    target.parent.mkdir()
    before = file_digest(db_path)
    with open("/dev/full", "wb") as full:
        result = run(db_path, [a.format(out=target) for a in args], full)
    assert result.returncode == 1
    assert stderr_lines(result) == [FULL + f"{target} was written."]
    assert target.stat().st_size > 0
    assert file_digest(db_path) == before
