"""`require_source` refuses a source in which nothing shows and keeps any other as typed
(property tests; the oracle is written apart from sourcing.py's own sets)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cahtracker.errors import CahError
from cahtracker.sourcing import is_unsourced, require_source

# characters that show nothing: Unicode's format characters and separators, and controls
invisible = st.characters(categories=("Cf", "Zs", "Zl", "Zp", "Cc"))


@given(st.text(invisible, max_size=20))
def test_a_source_of_only_invisible_characters_is_refused(text):
    assert all(unicodedata.category(ch)[0] in "CZ" for ch in text)
    with pytest.raises(CahError, match="--source is blank"):
        require_source(text)
    assert is_unsourced(text)


@given(
    st.text(invisible, max_size=5),
    # the Hangul fillers are letters (Lo) that Unicode draws as blank: left out here
    st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=20).filter(
        lambda t: any(ch not in "\u115f\u1160\u3164\uffa0" for ch in t)
    ),
    st.text(invisible, max_size=5),
)
def test_a_source_with_a_letter_digit_or_punctuation_is_stored_as_typed(left, visible, right):
    source = left + visible + right
    assert require_source(source) == source
    assert not is_unsourced(source)
