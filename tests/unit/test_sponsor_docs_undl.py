"""sponsor_docs on the real UN Digital Library MARCXML records of the Third Committee's 78th
session drafts (shared/fixtures/undl-drafts, 47 records). No database is written."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from cahtracker.errors import CahError
from cahtracker.sponsor_docs import read_sponsor_file
from conftest import DATA, UNDL_DRAFTS, need
from undl_drafts_counts import COUNTS

MARC = "http://www.loc.gov/MARC21/slim"


@pytest.fixture(scope="module")
def names(seeded_names):
    return seeded_names


@pytest.fixture(scope="module")
def drafts(names):
    return read_sponsor_file(need(UNDL_DRAFTS), names)


def test_the_file_is_detected_and_read_whole(drafts):
    assert drafts.format == "undl-marcxml"
    assert drafts.unknown == [] and drafts.refusal() is None
    assert len(COUNTS) == 47


@pytest.mark.parametrize("symbol", list(COUNTS))
def test_every_record_against_an_independent_count(drafts, symbol):
    expected = COUNTS[symbol]
    facts = [f for f in drafts.facts if f.symbol == symbol]
    if expected is None:
        assert facts == []
        assert symbol in {s.symbol for s in drafts.skipped}
        return
    original, additional, current = expected
    assert sum(f.listed_as == "original" for f in facts) == original
    assert sum(f.listed_as == "additional" for f in facts) == additional
    assert len(drafts.sponsors(symbol)) == current
    assert symbol in {d.symbol for d in drafts.documents}


def test_l41_has_43_original_and_7_additional_sponsors(drafts, names):
    facts = [f for f in drafts.facts if f.symbol == "A/C.3/78/L.41"]
    original = [f for f in facts if f.listed_as == "original"]
    additional = [f for f in facts if f.listed_as == "additional"]
    assert len(original) == 43 and len(additional) == 7
    # 245 $c ends "... United Kingdom of Great Britain and Northern Ireland and United States of America"
    assert {"GBR", "USA"} <= {f.iso3 for f in original}
    assert {f.iso3 for f in additional} == {"AND", "NZL", "PLW", "MDA", "SMR", "TUV", "VUT"}
    url = "https://digitallibrary.un.org/record/4026909"
    for fact in original:
        assert (fact.date, fact.date_precision) == ("2023-11-01", "on-or-before")
        assert fact.source.startswith("A/C.3/78/L.41") and url in fact.source
    for fact in additional:
        # joined after the draft's date, on or before the report's (not in the record)
        assert (fact.date, fact.date_precision) == (None, "unknown")
        assert (fact.after, fact.by_document) == ("2023-11-01", "A/78/481/Add.3")
        assert fact.source.startswith("A/78/481/Add.3") and url in fact.source
        assert "after 2023-11-01" in fact.note and "A/78/481/Add.3" in fact.note
        assert fact.dated("2023-11-15").date_precision == "on-or-before"


def test_l17_is_cuba_alone_with_the_group_of_77_note(drafts):
    assert drafts.sponsors("A/C.3/78/L.17") == ["CUB"]
    notes = [n.text for n in drafts.notes if n.symbol == "A/C.3/78/L.17"]
    assert any("Cuba [on behalf of the Group of 77 and China]" in n for n in notes)
    # China heads a 710 field because it is in the group's name: listed, not merged
    china = [d for d in drafts.disagreements if d.symbol == "A/C.3/78/L.17"]
    assert [d.iso3 for d in china] == ["CHN"] and "group's name" in china[0].text
    assert "CHN" not in drafts.sponsors("A/C.3/78/L.17")


def test_a_removal_is_kept_with_a_note_even_when_never_listed(drafts):
    sudan = [f for f in drafts.facts if f.symbol == "A/C.3/78/L.64" and f.iso3 == "SDN"]
    assert len(sudan) == 1 and sudan[0].action == "withdrew"
    assert "not listed as a sponsor" in sudan[0].note
    assert sudan[0].source.startswith("A/78/475")
    assert sorted(drafts.sponsors("A/C.3/78/L.64")) == ["BOL", "ECU", "ZMB"]


def test_outcomes_in_515_are_notes_and_their_symbol_sources_the_joinings(drafts):
    # "Additional sponsors: Burundi, United Republic of Tanzania and Zimbabwe. - The
    # amendment was rejected by the Committee (A/78/481/Add.2)."
    joined = [
        f for f in drafts.facts if f.symbol == "A/C.3/78/L.67" and f.listed_as == "additional"
    ]
    assert {f.iso3 for f in joined} == {"BDI", "TZA", "ZWE"}
    assert all(f.source.startswith("A/78/481/Add.2") for f in joined)
    notes = [n.text for n in drafts.notes if n.symbol == "A/C.3/78/L.67"]
    assert notes == ["515 $a: The amendment was rejected by the Committee (A/78/481/Add.2)."]


def test_non_state_submitters_are_skipped_not_errors(drafts):
    reasons = {s.symbol: s.reason for s in drafts.skipped}
    assert set(reasons) == {s for s, c in COUNTS.items() if c is None}
    assert "submitted by the Chair" in reasons["A/C.3/78/L.4"]
    assert "by the Secretariat" in reasons["A/C.3/78/L.1"]


def test_documents_carry_kind_date_title_and_parent(drafts):
    docs = {d.symbol: d for d in drafts.documents}
    rev = docs["A/C.3/78/L.49/Rev.1"]
    assert (rev.kind, rev.date, rev.parent_symbol, rev.body) == (
        "draft resolution", "2023-11-08", "A/C.3/78/L.49", "Third Committee",
    )  # fmt: skip
    assert (
        rev.title
        == "Promotion and protection of human rights in the context of digital technologies"
    )
    assert rev.url == "https://digitallibrary.un.org/record/4026910"
    assert (docs["A/C.3/78/L.67"].kind, docs["A/C.3/78/L.67"].parent_symbol) == (
        "amendment", "A/C.3/78/L.51",
    )  # fmt: skip
    assert docs["A/C.3/78/L.63"].parent_symbol == "A/C.3/78/L.31/Rev.1"
    assert docs["A/C.3/78/L.41"].parent_symbol is None
    kinds = {d.kind for d in drafts.documents}
    assert kinds <= {"draft resolution", "draft decision", "amendment", "other"}


def test_cataloguing_errors_are_read_and_reported(drafts):
    # 245 $c of A/C.3/78/L.21/Rev.1 prints "Venezuela (Bolivarian Republic)"
    assert [r.message for r in drafts.readings] == [
        "read 'Venezuela (Bolivarian Republic)' as Venezuela (Bolivarian Republic of) "
        "(A/C.3/78/L.21/Rev.1, 245 $c)"
    ]
    assert "VEN" in drafts.sponsors("A/C.3/78/L.21/Rev.1")
    # 245 $c of A/C.3/78/L.51 prints "United states of America": a known name in any case
    assert "USA" in drafts.sponsors("A/C.3/78/L.51")


def test_710_disagreements_are_listed(drafts):
    l31 = [d for d in drafts.disagreements if d.symbol == "A/C.3/78/L.31"]
    # 245 $c of L.31 lists Bulgaria; its 710 headings do not
    assert [(d.iso3, d.text) for d in l31] == [
        ("BGR", "245 $c lists Bulgaria, which no 710 heading names")
    ]
    assert "BGR" in drafts.sponsors("A/C.3/78/L.31")  # 245 $c decides, 710 only checks


def test_the_prefixed_namespace_form_reads_the_same(drafts, names, tmp_path):
    tree = ET.parse(need(UNDL_DRAFTS))
    prefixed = ET.tostring(tree.getroot(), encoding="utf-8")  # ElementTree writes ns0: prefixes
    assert b"<ns0:record" in prefixed and b'xmlns:ns0="' + MARC.encode() in prefixed
    path = tmp_path / "prefixed.xml"
    path.write_bytes(prefixed)
    again = read_sponsor_file(path, names, origin=UNDL_DRAFTS.name)
    assert again.facts == drafts.facts and again.documents == drafts.documents
    assert again.notes == drafts.notes and again.disagreements == drafts.disagreements
    assert again.readings == drafts.readings and again.skipped == drafts.skipped


def _record(c245: str, c515: str | None = None, symbol: str = "A/C.3/99/L.901") -> bytes:
    """A fictional record (symbol and id invented) in the Digital Library's layout."""
    note = f'<datafield tag="515"><subfield code="a">{c515}</subfield></datafield>' if c515 else ""
    return (
        f'<collection xmlns="{MARC}"><record><controlfield tag="001">0</controlfield>'
        f'<datafield tag="191"><subfield code="a">{symbol}</subfield></datafield>'
        '<datafield tag="245"><subfield code="a">Fictional draft :</subfield>'
        '<subfield code="b">draft resolution /</subfield>'
        f'<subfield code="c">{c245}</subfield></datafield>'
        '<datafield tag="269"><subfield code="a">2099-10-01</subfield></datafield>'
        f"{note}</record></collection>"
    ).encode()


def test_original_sponsors_named_in_515(names):
    # the phrasing of a real 515 note (fixture README); the record itself is fictional
    text = "Bolivia (Plurinational State of) and Malaysia are original sponsors of the draft resolution (A/78/479)."
    result = read_sponsor_file(_record("Ir eland and Chile", text), names)
    originals = [f for f in result.facts if f.listed_as == "original"]
    assert [f.iso3 for f in originals] == ["IRL", "CHL", "BOL", "MYS"]
    assert originals[2].source.startswith("A/78/479")
    assert [r.message for r in result.readings] == [
        "read 'Ir eland' as Ireland (A/C.3/99/L.901, 245 $c)"
    ]


def test_an_unknown_name_is_collected_with_suggestions(names):
    result = read_sponsor_file(_record("Chile, Atlantis and Rusia"), names, close=False)
    assert [(u.text, u.where) for u in result.unknown] == [
        ("Atlantis", "A/C.3/99/L.901, 245 $c"),
        ("Rusia", "A/C.3/99/L.901, 245 $c"),
    ]
    assert "Russian Federation (RUS)" in result.unknown[1].suggestions
    message = result.refusal()
    assert "\n" not in message and "'Rusia' in A/C.3/99/L.901, 245 $c" in message
    assert "Nothing was recorded" in message


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"<collection>" + b"<a>" * 40 + b"</a>" * 40 + b"</collection>", "nested more than"),
        (b"<collection><record>", "not well-formed XML"),
        (b"<html><body>no records</body></html>", "holds no MARCXML <record>"),
    ],
)
def test_hostile_xml_is_refused_in_one_line(names, data, fragment):
    with pytest.raises(CahError) as error:
        read_sponsor_file(data, names)
    assert fragment in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml", "truncated.xml"])
def test_the_bad_xml_corpus_is_refused(names, name):
    BAD = DATA / "bad"

    with pytest.raises(CahError) as error:
        read_sponsor_file(BAD / name, names)
    assert "\n" not in str(error.value) and name in str(error.value)


def test_too_many_records_are_refused(names):
    from cahtracker.sponsor_docs.marcxml import MAX_RECORDS

    data = (
        f'<collection xmlns="{MARC}">'.encode()
        + b"<record/>" * (MAX_RECORDS + 1)
        + b"</collection>"
    )
    with pytest.raises(CahError, match=re.escape(f"more than {MAX_RECORDS} records")):
        read_sponsor_file(data, names)
