"""The three revision schemes, as a pure function."""

import pytest

from documents.models import REVISION_LETTERS, revision_label


@pytest.mark.parametrize(("seq", "label"), [(1, "00"), (2, "01"), (11, "10"), (100, "99")])
def test_numeric_scheme_counts_from_00(seq, label):
    assert revision_label("numeric", seq) == label


def test_letter_scheme_skips_easily_misread_letters():
    labels = [revision_label("letters", n) for n in range(1, 21)]
    assert labels == list("ABCDEFGHJKLMNPRTUVWY")
    assert not set("IOQSXZ") & set("".join(labels))


def test_letter_scheme_continues_with_two_letters():
    assert revision_label("letters", 20) == "Y"
    assert revision_label("letters", 21) == "AA"
    assert revision_label("letters", 22) == "AB"
    assert revision_label("letters", 20 + 20 * 20) == "YY"
    assert all(c in REVISION_LETTERS for c in revision_label("letters", 5000))


def test_decimal_scheme_drafts_are_point_versions_and_releases_whole_numbers():
    assert revision_label("decimal", 1, released=False, releases_before=0, draft_round=1) == "0.1"
    assert revision_label("decimal", 1, released=False, releases_before=0, draft_round=2) == "0.2"
    assert revision_label("decimal", 1, released=True, releases_before=0) == "1.0"
    assert revision_label("decimal", 2, released=False, releases_before=1) == "1.1"
    assert revision_label("decimal", 2, released=True, releases_before=1) == "2.0"


def test_unknown_scheme_or_bad_seq_is_refused():
    with pytest.raises(ValueError):
        revision_label("roman", 1)
    with pytest.raises(ValueError):
        revision_label("numeric", 0)
