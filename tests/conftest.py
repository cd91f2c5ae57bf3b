"""Shared fixtures: every test gets its own database under tmp_path, never the user's."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Typer's own test settings: no colour, no terminal-width surprises (CONVENTIONS.md).
os.environ["TERMINAL_WIDTH"] = "3000"
os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
os.environ["NO_COLOR"] = "1"
# tables fit 80 columns, the width of a pipe when nothing says otherwise (also when pytest's
# stdin is a terminal); a test that wants another width sets COLUMNS or passes --wide
os.environ["COLUMNS"] = "80"
for _name in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"):
    os.environ.pop(_name, None)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent  # the checkout
DATA = TESTS / "data"  # this repository's test files (provenance in data/README.md)
# real UN files (../shared/fixtures/README.md): beside the checkout, here and in CI (a
# worktree one level deeper finds them one level up); a test that needs them fails without them
FIXTURES = next(
    (
        p / "shared" / "fixtures"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared" / "fixtures",
)


UNDL_DRAFTS = FIXTURES / "undl-drafts" / "undl_drafts_A_C.3_78_part1.xml"
SC_DRAFTS = FIXTURES / "sc-drafts"
COMMITTEE_REPORT = FIXTURES / "committee-report" / "A_78_481_Add.3_paras16-21.txt"
UNVOTES_FULL = FIXTURES / "unvotes-full"

# A list pasted as a draft's first page prints it (the names real, the layout as issue 14
# describes): '*' marks Human Rights Council non-members, words broken at line ends, a
# dash, 'the', a curly apostrophe, '&' and the kind tail; its states in the order printed
PASTED_LIST = (
    "Albania,* Andorra,* Argen-\n"
    "tina, Armenia,* Bosnia and Herzegovina,* Côte d’Ivoire, Guinea–\n"
    "Bissau,* the Netherlands (Kingdom of the), Papua New\n"
    "Guinea,* Timor-\n"
    "Leste,* the United Kingdom of Great Britain and Northern Ireland,\n"
    "the United States of America & Uruguay: draft resolution"
)
PASTED_LIST_STATES = [
    *("ALB", "AND", "ARG", "ARM", "BIH", "CIV", "GNB", "NLD", "PNG", "TLS", "GBR", "USA", "URY"),
]


def need(path: Path) -> Path:
    """A real fixture file; no skip: CI has ../shared beside the checkout."""
    assert path.exists(), f"{path} is missing: ../shared/fixtures must be beside the checkout"
    return path


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a real cahtracker process in a test: this checkout, no colour."""
    return {
        "PYTHONPATH": str(ROOT / "src"),
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "80",
        **extra,
    }


def cahtracker_command(db: Path | None, *args: str) -> list[str]:
    return [sys.executable, "-m", "cahtracker", *(("--db", str(db)) if db else ()), *args]


def run_process(
    db: Path | None, *args: str, timeout: float = 300, **kwargs
) -> subprocess.CompletedProcess:
    """Run `python -m cahtracker [--db DB] ARGS` as a real process (text output captured)."""
    env = kwargs.pop("env", None) or process_env()
    return subprocess.run(
        cahtracker_command(db, *args),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        **kwargs,
    )


@pytest.fixture
def run_cahtracker(db_path):
    """A real cahtracker process on the test's database: `run_cahtracker("states", "list")`."""

    def run(*args: str, db: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
        return run_process(db or db_path, *args, **kwargs)

    return run


def write_bulk_csv(path: Path, resolutions: int, seed: int | None = None) -> Path:
    """A fictional UN Digital Library bulk voting CSV (benchmarks/generate_bulk.py) at `path`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_bulk", ROOT / "benchmarks" / "generate_bulk.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(path, "w", newline="", encoding="utf-8") as out:
        module.generate(out, resolutions, *(() if seed is None else (seed,)))
    return path


@pytest.fixture(autouse=True)
def _isolated_db_env(tmp_path, monkeypatch):
    """$CAHTRACKER_DB points into tmp_path, so a test can never touch a real database."""
    monkeypatch.setenv("CAHTRACKER_DB", str(tmp_path / "env.db"))


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory) -> Path:
    from cahtracker.db import open_store

    path = tmp_path_factory.mktemp("template") / "seeded.db"
    open_store(path).close()
    return path


@pytest.fixture
def db_path(tmp_path, _seeded_template) -> Path:
    """A freshly seeded database file (a copy of one built once per session)."""
    path = tmp_path / "cah.db"
    shutil.copy(_seeded_template, path)
    return path


@pytest.fixture(scope="session")
def seeded_names(_seeded_template):
    """The seeded NameIndex (states and aliases), read once per session; nothing is written."""
    from cahtracker.db import open_store
    from cahtracker.names import NameIndex

    store = open_store(_seeded_template)
    try:
        return NameIndex.load(store)
    finally:
        store.close()


@pytest.fixture
def store(db_path):
    from cahtracker.db import open_store

    s = open_store(db_path)
    yield s
    s.close()


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, db: Path | None = None):
        from cahtracker.cli import app

        # a line that begins with its own --db (a README example) uses it: --db is given once
        own = db is None and bool(args) and (args[0] == "--db" or args[0].startswith("--db="))
        line = list(args) if own else ["--db", str(db or self.db), *args]
        return self.runner.invoke(app, line, input=input)

    def ok(self, *args: str, input: str | None = None, db: Path | None = None):
        result = self(*args, input=input, db=db)
        assert result.exit_code == 0, (
            f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        )
        return result


@pytest.fixture
def cli(db_path) -> Cli:
    """Run cahtracker against the test's database: `cli("states", "list")`; `cli.ok(...)` asserts exit 0."""
    return Cli(db_path)


def file_digest(path: Path) -> str:
    """Digest of a database file after folding its WAL in, to prove a refusal changed nothing."""
    import sqlite3

    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def unchanged(db_path):
    """`with unchanged(): ...` asserts the database bytes are the same after the block."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = file_digest(db_path)
        yield
        assert file_digest(db_path) == before, "the database changed"

    return check


def decode_terminal(text: str) -> str:
    """The reading rule safe_text documents (an oracle apart from it): `\\\\`, `\\xHH`, `\\uHHHH`, `\\UHHHHHHHH`, `\\t`,
    `\\n`, `\\r` name characters; any other backslash is itself."""
    out, i = [], 0
    named = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 == len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        width = {"x": 2, "u": 4, "U": 8}.get(nxt)
        digits = text[i + 2 : i + 2 + width] if width else ""
        if nxt in named:
            out.append(named[nxt])
            i += 2
        elif width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            out.append("\\")
            i += 1
    return "".join(out)


def markdown_text(source: str) -> str:
    """The text a CommonMark/GFM renderer (markdown-it, tables on) shows for `source`: every
    inline text token, entities decoded, joined by spaces (an oracle apart from the code)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    return " ".join(
        child.content
        for token in tokens
        for child in token.children or ()
        if child.type in ("text", "code_inline")
    )


def assert_refused(result, *fragments: str, code: int = 1) -> None:
    """One line on stderr/stdout, the expected exit code, no traceback."""
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    text = result.output.strip()
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


# the fixed part of a `vote record` on the seeded draft, for tests that only vary the ballots:
# a fictional vote, separate (--also) from the seed's decision of that day
VOTE_ON_REV1 = (
    "vote",
    "record",
    "--doc",
    "A/C.6/79/L.2/Rev.1",
    "--date",
    "2024-11-22",
    "--body",
    "Sixth Committee",
    "--also",
    "--source",
    "fictional test ballots",
)
