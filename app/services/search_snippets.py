"""Search snippets: a short piece of a hit's text around the first match, matches marked.

Cut in Python from the body, or from the title when only the title matches: at most 160
characters around the first match, every matching word in <mark>…</mark>, "…" where cut.
"""

from collections.abc import Iterator
from itertools import takewhile

from app.services.search_index import FIELD_SEPARATOR, word_spans, word_terms

__all__ = ["snippet"]

SNIPPET_LENGTH = 160
SNIPPET_LEAD = 40  # characters kept before the first match when the text must be cut
ELLIPSIS = "…"


def _marked(text: str, tokens: list[str]) -> Iterator[tuple[int, int]]:
    """The spans of the words of text that the query matches, as the engines match them, in
    text order; lazily, since a snippet needs those up to the end of its window only."""
    whole, prefix = set(tokens[:-1]), tokens[-1]
    for start, end in word_spans(text):
        if any(term in whole or term.startswith(prefix) for term in word_terms(text[start:end])):
            yield start, end


def _trimmable(char: str) -> bool:
    return char.isspace() or char == FIELD_SEPARATOR.strip()


def _window(text: str, first: tuple[int, int]) -> tuple[int, int]:
    """At most SNIPPET_LENGTH characters holding the first match, cut between words if possible."""
    if len(text) <= SNIPPET_LENGTH:
        return 0, len(text)
    first_start, first_end = first
    start = max(0, min(first_start - SNIPPET_LEAD, len(text) - SNIPPET_LENGTH))
    end = min(len(text), start + SNIPPET_LENGTH)
    if start > 0 and not text[start - 1].isspace():
        start = next((i + 1 for i in range(start, first_start) if text[i].isspace()), first_start)
    if end < len(text) and not text[end].isspace():
        end = next((i for i in range(end - 1, first_end - 1, -1) if text[i].isspace()), end)
    # A cut edge keeps no dangling space or field separator ("·").
    while start < end and start > 0 and _trimmable(text[start]):
        start += 1
    while end > start and end < len(text) and _trimmable(text[end - 1]):
        end -= 1
    return start, end


def snippet(*, title: str, body: str, tokens: list[str]) -> str:
    """A short piece of the body (or title) with every matching word in <mark>…</mark>."""
    text, first = body or title, None
    later: Iterator[tuple[int, int]] = iter(())
    for candidate in (body, title):
        later = _marked(candidate, tokens)
        if (first := next(later, None)) is not None:
            text = candidate
            break
    start, end = _window(text, first or (0, 0))
    # No match precedes the first; those past the window's end are not shown.
    spans: list[tuple[int, int]] = (
        [] if first is None else [first, *takewhile(lambda span: span[0] < end, later)]
    )
    pieces: list[str] = []
    at = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start < span_end:
            pieces += [text[at:span_start], "<mark>", text[span_start:span_end], "</mark>"]
            at = span_end
    pieces.append(text[at:end])
    before = ELLIPSIS if text[:start].strip() else ""
    after = ELLIPSIS if text[end:].strip() else ""
    return before + "".join(pieces) + after
