"""Finding a quote in a source text and building its W3C Web Annotation selectors.

All offsets are in Unicode code points, which is what Python's str indexes by.
"""

import hashlib
from dataclasses import dataclass

from app.models.support import CONTEXT_LENGTH


@dataclass(frozen=True)
class Anchor:
    """A quote located in a text: TextQuoteSelector and TextPositionSelector together."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


class QuoteNotFoundError(ValueError):
    pass


class QuoteAmbiguousError(ValueError):
    pass


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of quote in text, overlapping ones included."""
    starts: list[int] = []
    at = text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def anchor_at(text: str, start: int, end: int) -> Anchor:
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def locate(
    text: str, quote: str, occurrence: int | None = None, *, start: int | None = None
) -> Anchor:
    """Anchor quote in text: at `start` if given (the text there must be the quote), else where
    it occurs; occurrence (1-based) is required exactly when the quote repeats."""
    if not quote:
        raise QuoteNotFoundError("quote is empty")
    if start is not None:
        end = start + len(quote)
        if text[start:end] != quote:
            raise QuoteNotFoundError(f"the text at [{start}, {end}) is not the quote")
        return anchor_at(text, start, end)
    starts = occurrences(text, quote)
    if not starts:
        raise QuoteNotFoundError("not found")
    if occurrence is None:
        if len(starts) > 1:
            raise QuoteAmbiguousError(
                f"ambiguous: {len(starts)} occurrences, give start "
                f"(or occurrence: 1..{len(starts)})"
            )
        first = starts[0]
    else:
        if len(starts) == 1:
            raise QuoteAmbiguousError("found once; occurrence is only for a quote that repeats")
        if occurrence > len(starts):
            raise QuoteNotFoundError(
                f"occurrence {occurrence} asked for, found {len(starts)} times"
            )
        first = starts[occurrence - 1]
    return anchor_at(text, first, first + len(quote))
