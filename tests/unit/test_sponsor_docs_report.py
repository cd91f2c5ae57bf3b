"""sponsor_docs on a real Main Committee report (shared/fixtures/committee-report: paragraphs
16-21 of A/78/481/Add.3 as pdfplumber extracted them) and on the two real Security Council
draft PDFs (shared/fixtures/sc-drafts). No database is written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cahtracker.errors import CahError
from cahtracker.sponsor_docs import detect_format, read_sponsor_file
from conftest import COMMITTEE_REPORT, ROOT, SC_DRAFTS, need


@pytest.fixture(scope="module")
def names(seeded_names):
    return seeded_names


@pytest.fixture(scope="module")
def report(names):
    return read_sponsor_file(need(COMMITTEE_REPORT), names)


def resolve(names, text: str) -> set[str]:
    """An oracle: the names of a list, one a line as a person copies them, resolved one by one."""
    return {names.resolve(line.strip()).iso3 for line in text.strip().splitlines()}


def test_the_report_gives_43_plus_7_sponsors_of_l41(report, names):
    assert report.format == "committee-report" and report.unknown == []
    facts = [f for f in report.facts if f.symbol == "A/C.3/78/L.41"]
    original = {f.iso3 for f in facts if f.listed_as == "original"}
    additional = {f.iso3 for f in facts if f.listed_as == "additional"}
    assert len(original) == 43 and len(additional) == 7
    assert additional == resolve(
        names, "Andorra\nNew Zealand\nPalau\nRepublic of Moldova\nSan Marino\nVanuatu\nTuvalu"
    )
    assert {"GBR", "USA", "NLD", "FSM"} <= original  # "... and the United States of America."
    assert all(f.source == "A/78/481/Add.3, para. 16" for f in facts if f.iso3 != "TUV")


def test_each_joining_is_dated_by_its_paragraph(report):
    by_state = {f.iso3: f for f in report.facts if f.symbol == "A/C.3/78/L.41"}
    tuvalu = by_state["TUV"]  # 17. At the same meeting, Tuvalu joined in sponsoring
    assert (tuvalu.date, tuvalu.date_precision, tuvalu.source) == (
        "2023-11-15", "day", "A/78/481/Add.3, para. 17",
    )  # fmt: skip
    # "Subsequently, ..." and "submitted by ...": by the 53rd meeting, on 15 November 2023
    for iso3 in ("AND", "VUT", "ALB", "USA"):
        assert (by_state[iso3].date, by_state[iso3].date_precision) == (
            "2023-11-15",
            "on-or-before",
        )


def test_the_recorded_vote_matches_its_stated_totals(report, names):
    (vote,) = report.votes
    assert (vote.symbol, vote.date, vote.body, vote.meeting, vote.outcome) == (
        "A/C.3/78/L.41", "2023-11-15", "Third Committee", "53rd meeting", "adopted",
    )  # fmt: skip
    assert (vote.stated_yes, vote.stated_no, vote.stated_abstain) == (80, 29, 65)
    assert (len(vote.yes), len(vote.no), len(vote.abstain)) == (80, 29, 65)
    assert vote.totals_match and vote.source == "A/78/481/Add.3, para. 19"
    # across line ends: "Timor-" / "Leste" (a hyphen of the name), "Guinea-" / "Bissau";
    # after the running header "A/78/481/Add.3" that sits between the first two lists
    assert {"TLS", "URY", "VUT", "YEM"} <= set(vote.yes)
    assert {"DZA", "ARM", "ZWE"} <= set(vote.no) and {"GNB", "LAO", "ZMB"} <= set(vote.abstain)
    assert not set(vote.yes) & set(vote.no)


def test_a_list_that_disagrees_with_its_total_is_reported(names):
    text = need(COMMITTEE_REPORT).read_text(encoding="utf-8")
    assert "Eritrea, India," in text
    changed = text.replace("Eritrea, India,", "India,")  # one state fewer against: 28 for 29
    (vote,) = read_sponsor_file(changed, names, origin="changed.txt").votes
    assert vote.mismatches == ("Against: 29 stated, 28 listed",) and not vote.totals_match


def test_the_running_header_is_the_reports_symbol(report):
    assert {f.source.split(",")[0] for f in report.facts} == {"A/78/481/Add.3"}
    (doc,) = report.documents
    assert doc.title == "Situation of human rights in the Islamic Republic of Iran"
    assert (doc.symbol, doc.kind) == ("A/C.3/78/L.41", "draft resolution")


# --- Security Council drafts as the UN's PDF ---------------------------------------

# the first page of S/2019/179 as printed (read off the PDF), one name a line
S_2019_179 = """Algeria
Angola
Austria
Belgium
Bolivia (Plurinational State of)
Bulgaria
Burkina Faso
Canada
Colombia
Congo
Costa Rica
Côte d'Ivoire
Croatia
Cyprus
Czechia
Denmark
Dominican Republic
Ecuador
Egypt
Equatorial Guinea
Eritrea
Estonia
Ethiopia
Finland
France
Gabon
Gambia
Germany
Greece
Guinea
Hungary
Iceland
Indonesia
Ireland
Italy
Japan
Kazakhstan
Kenya
Kuwait
Latvia
Lebanon
Liberia
Libya
Liechtenstein
Lithuania
Luxembourg
Malta
Mauritius
Monaco
Morocco
Mozambique
Namibia
Nigeria
Norway
Papua New Guinea
Peru
Poland
Portugal
Republic of Korea
Republic of Moldova
Romania
Rwanda
Senegal
Serbia
Sierra Leone
South Africa
Spain
Sudan
Sweden
Switzerland
Togo
Tunisia
Turkey
Uganda
Ukraine
United Arab Emirates
United Republic of Tanzania"""


def test_s_2019_179_pdf_gives_77_sponsors(names):
    result = read_sponsor_file(need(SC_DRAFTS / "S_2019_179.pdf"), names)
    assert result.format == "pdf" and result.unknown == []
    assert result.symbols() == ["S/2019/179"]
    expected = resolve(names, S_2019_179)
    assert len(expected) == 77 and set(result.sponsors("S/2019/179")) == expected
    (doc,) = result.documents
    assert (doc.symbol, doc.kind, doc.date, doc.body) == (
        "S/2019/179", "draft resolution", "2019-02-27", "Security Council",
    )  # fmt: skip
    fact = result.facts[0]
    assert (fact.date, fact.date_precision) == ("2019-02-27", "on-or-before")
    assert fact.source == "S/2019/179 (PDF S_2019_179.pdf, first page)"


def test_s_2023_427_pdf_gives_2_sponsors(names):
    result = read_sponsor_file(need(SC_DRAFTS / "S_2023_427.pdf"), names)
    assert result.sponsors("S/2023/427") == ["ARE", "GBR"]
    assert result.documents[0].date == "2023-06-14"


def test_the_first_page_as_text_reads_the_same(names):
    from pypdf import PdfReader

    text = PdfReader(need(SC_DRAFTS / "S_2019_179.pdf")).pages[0].extract_text()
    assert detect_format(text.encode()) == "first-page"
    result = read_sponsor_file(text, names, origin="pasted")
    assert set(result.sponsors("S/2019/179")) == resolve(names, S_2019_179)
    assert result.facts[0].source == "S/2019/179 (first page, pasted)"


def test_pypdf_and_defusedxml_load_only_on_their_path():
    code = (
        "import sys, cahtracker.sponsor_docs, cahtracker.sponsor_docs.lists;"
        "print(sorted(m for m in ('pypdf', 'defusedxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 20,  # a PDF header on junk
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_a_broken_pdf_is_refused_in_one_line(names, data):
    with pytest.raises(CahError) as error:
        read_sponsor_file(data, names)
    assert "\n" not in str(error.value) and "PDF" in str(error.value)
