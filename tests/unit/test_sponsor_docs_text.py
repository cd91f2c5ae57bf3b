"""sponsor_docs on pasted lists: the layouts of printed UN documents, property tests over
every layout, format detection, and hostile input. The lists are made of the seeded
states' real names; the layouts are generated here. No database is written."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.names import split_state_list
from cahtracker.sponsor_docs import FORMATS, detect_format, format_help, read_sponsor_file
from conftest import DATA, PASTED_LIST, PASTED_LIST_STATES

BAD = DATA / "bad"

SLOW = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def names(seeded_names):
    return seeded_names


@pytest.fixture(scope="module")
def states(names):
    return sorted(names.names.items())  # (iso3, UN name)


def test_the_illustrative_pasted_list_reads_whole(names):
    result = read_sponsor_file(PASTED_LIST, names)
    assert result.format == "text" and result.unknown == [] and result.readings == []
    assert result.sponsors(None) == PASTED_LIST_STATES
    assert [n.text for n in result.notes] == ["the list ends ': draft resolution'"]
    # with a final full stop instead of the kind, and numbered or bulleted lines
    assert read_sponsor_file("Chile, Fiji and Mali.", names).sponsors(None) == ["CHL", "FJI", "MLI"]
    numbered = "1. Chile\n2. Congo, Dem. Rep.\n3) Fiji\n- Mali\n• Peru\n"
    assert read_sponsor_file(numbered, names).sponsors(None) == ["CHL", "COD", "FJI", "MLI", "PER"]


def test_and_is_never_split_blindly(names):
    text = "United Kingdom of Great Britain and Northern Ireland and United States of America"
    assert [r.iso3 for r in names.resolve_list(text)] == ["GBR", "USA"]
    assert [r.iso3 for r in names.resolve_list("Trinidad and Tobago and Antigua & Barbuda")] == [
        "TTO", "ATG",
    ]  # fmt: skip
    # a lone 'and' between line breaks is a conjunction; 'AND' there is Andorra's code
    assert [r.iso3 for r in names.resolve_list("Chile\nand\nFiji")] == ["CHL", "FJI"]
    assert [r.iso3 for r in names.resolve_list("Chile\nAND\nFiji")] == ["CHL", "AND", "FJI"]


def test_a_line_end_hyphen_is_decided_by_the_names():
    known = {"Argentina", "Timor-Leste", "Guinea-Bissau"}
    assert split_state_list("Argen-\ntina, Timor-\nLeste and Guinea-\n  Bissau", known.__contains__) == [
        "Argentina", "Timor-Leste", "Guinea-Bissau",
    ]  # fmt: skip


def test_close_readings_only_when_one_state_is_that_close(names):
    # real cataloguing errors of the Digital Library (shared/fixtures/README.md)
    text = "Ir eland, Venezuela (Bolivarian Republic), Netherlands (Kingdom of The), Cote d'Ivoire and United states of America"
    result = read_sponsor_file(text, names)
    assert result.sponsors(None) == ["IRL", "VEN", "NLD", "CIV", "USA"]
    assert [(r.text, r.iso3) for r in result.readings] == [
        ("Ir eland", "IRL"), ("Venezuela (Bolivarian Republic)", "VEN"),
    ]  # fmt: skip
    assert names.close_match("Austrlia") is None  # Australia and Austria are both that close
    assert names.close_match("Nigr") is None  # too short to guess
    strict = read_sponsor_file("Ir eland", names, close=False)
    assert [u.text for u in strict.unknown] == ["Ir eland"]
    with pytest.raises(CahError, match="Unknown state 'Ir eland'"):
        names.resolve_list("Ir eland")  # the commands' lists stay exact


def test_unknown_names_are_collected_and_bounded(names):
    from cahtracker.sponsor_docs.lists import MAX_SUGGESTED, MAX_UNKNOWN_LISTED

    many = ", ".join(f"Atlantis {a}{b}" for a in string.ascii_uppercase for b in "XYZ")
    result = read_sponsor_file(many, names)
    assert len(result.unknown) == MAX_UNKNOWN_LISTED
    assert result.unknown_not_listed == 26 * 3 - MAX_UNKNOWN_LISTED
    assert all(not u.suggestions for u in result.unknown[MAX_SUGGESTED:])
    message = result.refusal()
    assert "\n" not in message and f"and {26 * 3 - MAX_UNKNOWN_LISTED} more" in message


# --- every layout reads back the same set -------------------------------------------


def _wrap(draw, text: str, width: int) -> str:
    """Lines of at most `width` characters; a word that does not fit may be broken with a
    hyphen (Argen-/tina) or at its own hyphen (Timor-/Leste)."""
    lines, line = [], ""
    for word in text.split(" "):
        if not line or len(line) + 1 + len(word) <= width:
            line = f"{line} {word}" if line else word
            continue
        room = width - len(line) - 2
        letters = [
            i for i in range(2, len(word) - 2) if word[i - 1].isalpha() and word[i].isalpha()
        ]
        own = [i + 1 for i, ch in enumerate(word) if ch in "-–" and i + 1 <= room]
        if own and draw(st.booleans()):
            cut = own[-1]
            lines.append(f"{line} {word[:cut]}")
            line = word[cut:]
        elif letters and room >= 3 and draw(st.integers(0, 2)) > 0:
            cut = draw(st.sampled_from([i for i in letters if i <= room] or letters[:1]))
            lines.append(f"{line} {word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return "\n".join(lines)


@st.composite
def printed_lists(draw, states):
    picked = draw(st.lists(st.sampled_from(states), min_size=1, max_size=25, unique=True))
    printed = []
    for _, name in picked:
        if draw(st.booleans()):
            name = name.replace("'", "’")
        if draw(st.integers(0, 3)) == 0:
            name = name.replace("-", "–")  # an en dash where the name has a hyphen
        if draw(st.integers(0, 4)) == 0:
            name = "the " + name
        if draw(st.integers(0, 3)) == 0:
            name += "*"
        printed.append(name)
    layout = draw(st.sampled_from(["prose", "prose", "lines", "numbered", "bullets", "semicolons"]))
    if layout == "prose":
        last = draw(st.sampled_from([" and ", " & "]))
        text = printed[0] if len(printed) == 1 else ", ".join(printed[:-1]) + last + printed[-1]
        if draw(st.integers(0, 3)) > 0:
            text = _wrap(draw, text, draw(st.integers(20, 80)))
        text += draw(st.sampled_from(["", ".", ": draft resolution", ": revised draft resolution",
                                      ": draft decision", ": amendment to draft resolution A/C.3/78/L.51"]))  # fmt: skip
    elif layout == "lines":
        text = "\n".join(printed)
    elif layout == "numbered":
        text = "\n".join(f"{k}. {n}" for k, n in enumerate(printed, 1))
    elif layout == "bullets":
        text = "\n".join(f"{draw(st.sampled_from(['-', '•', '–']))} {n}" for n in printed)
    else:
        text = "; ".join(printed)
    return {iso3 for iso3, _ in picked}, text


@SLOW
@given(data=st.data())
def test_any_list_in_any_layout_reads_back_as_the_same_set(names, states, data):
    expected, text = data.draw(printed_lists(states))
    result = read_sponsor_file(text, names)
    assert [u.text for u in result.unknown] == [], text
    assert result.readings == [], text
    assert set(result.sponsors(None)) == expected, text


# --- formats and hostile input -------------------------------------------------------


def test_the_registry_names_every_format():
    assert list(FORMATS) == ["undl-marcxml", "pdf", "first-page", "committee-report", "text"]
    assert all(f"{name}:" in format_help() for name in FORMATS)
    assert (
        detect_format(b"%PDF-1.7 ...") == "pdf"
        and detect_format(b" <collection/>") == "undl-marcxml"
    )
    assert detect_format(b"Chile and Fiji") == "text"


def test_a_forced_format_that_does_not_fit_is_refused(names):
    with pytest.raises(CahError, match="is not a PDF"):
        read_sponsor_file("Chile", names, "pdf")
    with pytest.raises(CahError, match="Unknown input format 'csv'") as error:
        read_sponsor_file("Chile", names, "csv")
    assert error.value.exit_code == 2


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("binary.bin", ""),
        ("states_utf16.txt", "UTF-16"),
        ("states_latin1.txt", "not UTF-8"),
        ("empty.csv", "is empty"),
    ],
)
def test_bad_files_are_refused_in_one_line(names, name, fragment):
    with pytest.raises(CahError) as error:
        read_sponsor_file(BAD / name, names)
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_a_huge_file_is_refused_without_reading_it(names, tmp_path):
    from cahtracker.sponsor_docs import MAX_BYTES

    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written or read
    with pytest.raises(CahError, match="larger than any document"):
        read_sponsor_file(path, names)
    with pytest.raises(CahError, match="more than a text file can be"):
        read_sponsor_file(b"Chile, " * (FORMATS["text"].max_bytes // 7 + 1), names)


def test_a_list_longer_than_any_list_of_states_is_refused(names):
    with pytest.raises(CahError, match="longer than any list of states"):
        read_sponsor_file(", ".join(["Chile"] * 5000), names)


def test_a_missing_file_is_refused(names, tmp_path):
    with pytest.raises(CahError, match="No such file"):
        read_sponsor_file(tmp_path / "none.xml", names)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b),
        st.binary(max_size=300).map(lambda b: b"<collection>" + b),
        st.text(max_size=300).map(str.encode),
    )
)
def test_any_bytes_read_or_are_refused_in_one_line(names, data):
    try:
        result = read_sponsor_file(data, names)
    except CahError as error:
        assert "\n" not in str(error) and str(error)
        return
    assert all(len(f.iso3) == 3 for f in result.facts)


def test_a_page_of_junk_is_not_searched_name_by_name(names):
    # close guesses are bounded per list: after a page of junk a misprint is left unknown
    few = read_sponsor_file("Xyzzy1, Xyzzy2 and Ir eland", names)
    assert [r.text for r in few.readings] == ["Ir eland"]
    junk = ", ".join(f"Xyzzy{k}" for k in range(1900))
    many = read_sponsor_file(f"{junk} and Ir eland", names)
    assert many.readings == [] and len(many.unknown) + many.unknown_not_listed == 1901
