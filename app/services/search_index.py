"""Search index rows, derived from the stored documents, and the tokenizer they share with queries.

Python alone decides what the words of a text are. A word is a run of letters, digits and
combining marks; its terms are its lowercase NFKD form without combining marks, split again on
anything that is not a letter or digit ("Russia’s" gives russia, s; "lunar-based" lunar, based;
"U>S>" u, s; "R&D" r, d; "and/or" and, or; "café" cafe). Each row stores its terms, space-separated,
and both engines index those verbatim: their own parsers never see the text, so they cannot
disagree about it (PostgreSQL's would keep "and/or" and "U.S" whole, and unaccents nothing).
"""

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

from app.models.common import Basis

# Longer terms are dropped, on both engines alike: a GIN index entry must fit in a page, and no
# query (at most 200 characters) is meant to find a token that long.
MAX_TERM_LENGTH = 200
FIELD_SEPARATOR = " · "
_ALNUM_RUN = re.compile(r"[^\W_]+")


def is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """A word: a letter or digit, then letters, digits and combining marks (Unicode category M).

    `re` has no `\\p{M}`, so the marks are listed once per process, by scanning every code
    point: `prepare_tokenizer` does it at startup, so that no request waits for it.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if is_mark(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(rf"[^\W_](?:[^\W_]|[{marks}])*")


def prepare_tokenizer() -> None:
    """Build what the tokenizer needs before the first request: built on first use, it
    cost the first search about 0.2 s, while every request behind it waited."""
    _word_pattern()


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of each word of text (marks stay with the letter they follow)."""
    for match in _word_pattern().finditer(text):
        yield match.span()


@functools.lru_cache(maxsize=65536)
def word_terms(word: str) -> tuple[str, ...]:
    """The terms one word stands for; usually one, none for a word that is only marks."""
    # Cached: snippets re-read every word of each hit, and words repeat across documents.
    # Lowercase first: "İ".lower() is "i" plus a combining dot, which the next step drops.
    decomposed = unicodedata.normalize("NFKD", word.lower())
    bare = "".join(char for char in decomposed if not is_mark(char))
    return tuple(term for term in _ALNUM_RUN.findall(bare) if len(term) <= MAX_TERM_LENGTH)


def text_terms(text: str) -> list[str]:
    return [term for start, end in word_spans(text) for term in word_terms(text[start:end])]


def document_basis(document: Any, *fields: str) -> str:
    """`inferred` if the document's row exists through inference, or an inferred claim of it
    covers one of `fields` that is filled (what a search row built from those fields repeats)."""
    if document.basis == Basis.inferred:
        return Basis.inferred.value
    for claim in document.claims:
        if claim.basis == Basis.inferred and any(
            getattr(document, name, None) for name in claim.fields if name in fields
        ):
            return Basis.inferred.value
    return Basis.stated.value


def search_row(
    entity_type: str,
    entity_id: str,
    title: str,
    body: str,
    *,
    basis: str = Basis.stated.value,
    title_searched: bool = True,
) -> dict[str, str]:
    """One search_document row; its terms are what both engines index."""
    return {
        "basis": basis,
        "id": f"{entity_type}:{entity_id}",
        "entity_type": entity_type,
        "entity_id": entity_id,
        "title": title,
        "body": body,
        "title_terms": " ".join(text_terms(title)) if title_searched else "",
        "body_terms": " ".join(text_terms(body)),
    }


def join_fields(*fields: str | None) -> str:
    return FIELD_SEPARATOR.join(field for field in fields if field)


def named(name: str, acronym: str | None) -> str:
    return f"{name} ({acronym})" if acronym else name
