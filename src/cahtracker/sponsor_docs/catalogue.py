"""The formats `sponsors import` reads, by name, with what each is: the one list that
sponsor_docs' registry and the command's help both read (no import of the readers, so that
every `sponsors` command starts without them)."""

SUMMARIES = {
    "undl-marcxml": "UN Digital Library MARCXML records of drafts (245 $c, 515 $a, 710)",
    "pdf": "the UN's PDF of a draft (its first page)",
    "first-page": "a draft's first page as text ('LIST: draft resolution')",
    "committee-report": (
        "a Main Committee report's text ('submitted by', 'joined in sponsoring', recorded votes)"
    ),
    "text": "a pasted list ('A, B and C' or one name a line)",
}


def format_help() -> str:
    """One line per format, for `--input-format` help."""
    return "; ".join(f"{name}: {summary}" for name, summary in SUMMARIES.items())
