"""Search snippets: a short piece of a hit's text around the first match, matches marked.

Cut in Python from the body, or from the title when only the title matches: at most 160
characters around the first match, every matching word in <mark>…</mark>, "…" where cut.
"""

import functools
import re
from collections.abc import Iterator
from itertools import takewhile

from app.services.search_index import (
    FIELD_SEPARATOR,
    MAX_TERM_LENGTH,
    is_mark,
    word_spans,
    word_terms,
)

__all__ = ["snippet"]

SNIPPET_LENGTH = 160
SNIPPET_LEAD = 40  # characters kept before the first match when the text must be cut
ELLIPSIS = "…"


def _marked(text: str, tokens: list[str]) -> Iterator[tuple[int, int]]:
    """The spans of the words of text that the query matches, as the engines match them, in
    text order; lazily, since a snippet needs those up to the end of its window only."""
    if _plain(text):
        for match in _plain_words(tuple(tokens)).finditer(text):
            if match.end() - match.start() <= MAX_TERM_LENGTH:
                yield match.span()
        return
    whole, prefix = set(tokens[:-1]), tokens[-1]
    for start, end in word_spans(text):
        if any(term in whole or term.startswith(prefix) for term in word_terms(text[start:end])):
            yield start, end


# In a text whose letters, digits and marks are all ASCII, a word is a run of [A-Za-z0-9]
# and its one term is that run in lowercase (none past MAX_TERM_LENGTH): one regular
# expression then finds the matching words, where reading every word in Python cost a third
# of a search request on the seed. tests/test_search_words.py holds both ways to one rule.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain(text: str) -> bool:
    return not any(c.isalnum() or is_mark(c) for c in set(_NON_ASCII.findall(text)))


@functools.lru_cache(maxsize=1024)
def _plain_words(tokens: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words equal to one of the tokens but the last, or starting with the last."""
    *whole, prefix = (re.escape(t) for t in tokens)
    either = [*(f"{t}(?![A-Za-z0-9])" for t in whole), f"{prefix}[A-Za-z0-9]*"]
    return re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(either)})", re.IGNORECASE | re.ASCII)


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
