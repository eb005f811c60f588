import pytest

from app.models.common import edtf_bounds, sort_date
from app.services.quotes import (
    QuoteAmbiguousError,
    QuoteNotFoundError,
    anchor_at,
    locate,
    occurrences,
)

TEXT = "Russia’s “plan” and China’s plan; plan."


def test_offsets_are_code_points_not_bytes() -> None:
    anchor = locate(TEXT, "“plan”")
    assert (anchor.start, anchor.end) == (9, 15)
    assert TEXT[anchor.start : anchor.end] == "“plan”"
    assert len(TEXT[: anchor.start].encode()) == 11  # the bytes count would differ


def test_prefix_and_suffix_are_up_to_32_code_points() -> None:
    text = "a" * 40 + "QUOTE" + "b" * 40
    anchor = locate(text, "QUOTE")
    assert anchor.prefix == "a" * 32
    assert anchor.suffix == "b" * 32
    short = locate("xQUOTEy", "QUOTE")
    assert (short.prefix, short.suffix) == ("x", "y")


def test_repeated_quote_needs_occurrence() -> None:
    with pytest.raises(
        QuoteAmbiguousError, match=r"ambiguous: 3 occurrences, give start \(or occurrence: 1\.\.3\)"
    ):
        locate(TEXT, "plan")
    assert locate(TEXT, "plan", 3).start == 34


def test_occurrence_is_refused_for_a_unique_quote() -> None:
    with pytest.raises(QuoteAmbiguousError, match="found once"):
        locate(TEXT, "China", 1)


def test_missing_quote_and_missing_occurrence() -> None:
    with pytest.raises(QuoteNotFoundError, match="not found"):
        locate(TEXT, "Brazil")
    with pytest.raises(QuoteNotFoundError, match="occurrence 4 asked for, found 3 times"):
        locate(TEXT, "plan", 4)
    with pytest.raises(QuoteNotFoundError, match="empty"):
        locate(TEXT, "")


def test_overlapping_occurrences_count() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]


def test_anchor_at_round_trips() -> None:
    anchor = locate(TEXT, "China’s")
    assert anchor_at(TEXT, anchor.start, anchor.end) == anchor


@pytest.mark.parametrize(
    ("value", "lower", "upper", "sort"),
    [
        ("2011", "2011-01-01", "2011-12-31", "2011-01-01"),
        ("202X", "2020-01-01", "2029-12-31", "2020-01-01"),
        ("[..2029]", None, "2029-12-31", "2029-12-31"),
        (None, None, None, "9999-12-31"),
    ],
)
def test_edtf_bounds(value: str | None, lower: str | None, upper: str | None, sort: str) -> None:
    low, high = edtf_bounds(value)
    assert (str(low) if low else None, str(high) if high else None) == (lower, upper)
    assert str(sort_date(low, high)) == sort
