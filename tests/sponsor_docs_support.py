"""Shared by the tests/test_sponsor_docs_*.py files: where the real UN files are, one name
index per session (the seeded states and aliases; nothing is written)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CI has shared/ beside the checkout; a worktree under /work/wt/<name> has it two levels up
FIXTURES = next(
    (p for p in (ROOT.parent / "shared" / "fixtures", ROOT.parent.parent / "shared" / "fixtures")
     if p.is_dir()),
    ROOT.parent / "shared" / "fixtures",
)  # fmt: skip
UNDL_DRAFTS = FIXTURES / "undl-drafts" / "undl_drafts_A_C.3_78_part1.xml"
SC_DRAFTS = FIXTURES / "sc-drafts"
COMMITTEE_REPORT = FIXTURES / "committee-report" / "A_78_481_Add.3_paras16-21.txt"
BAD = ROOT / "tests" / "data" / "bad"


def need(path: Path) -> Path:
    # no skip: these are the acceptance files of issue 14, and CI has them
    assert path.exists(), f"{path} is missing: shared/fixtures must be beside the checkout"
    return path


_INDEX: dict = {}


def name_index(tmp_path_factory):
    """The seeded NameIndex, built once per session in a temporary database."""
    if "index" not in _INDEX:
        from cahtracker.db import open_store
        from cahtracker.names import NameIndex

        store = open_store(tmp_path_factory.mktemp("names") / "seeded.db")
        _INDEX["index"] = NameIndex.load(store)
        store.close()
    return _INDEX["index"]
