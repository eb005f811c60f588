"""The truth rules: what a row may say, given the quotes that support it.

One function, `truth_problems`, judges one row. The seed loader calls it on every entry before
anything is written, `spacefacts verify` on every stored row, and any later write path must call
it too: the rules live here and nowhere else.

- A name-like value (`NAME_FIELDS`) is text that occurs in one of the row's quotes (or in a
  quote's declared `display` correction), unless its claim is marked `descriptive` (a name the
  curators gave a row the source leaves untitled; only names, titles and labels can be).
- An acronym (two or more capitals in a row) in any text the row serves occurs in a source the
  row cites: a curator may not introduce "OSTP" where the article writes the name in full.
- An inferred claim gives its reasoning and at least two premises, or one and a named
  convention; a stated claim gives neither reasoning nor convention, and at least one quote.
- Words the source puts in quotation marks are never attributed to the article's own
  reporting: they belong to whoever the article gives them to, or to no one it names.
- A row whose every claim is inferred says so with an inferred `row` claim (a row's basis is
  its `row` claim's, `stated` when it has none).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.models.claims import CLAIMS, ROW
from app.models.common import Basis
from app.models.support import SubjectType

__all__ = [
    "ARTICLE",
    "NAME_FIELDS",
    "Quote",
    "Support",
    "quotations",
    "truth_problems",
]

ARTICLE = "article"  # the attribution for the article's own reporting
NAME_FIELDS = (
    "name",
    "acronym",
    "title",
    "label",
    "phrase",
    "party_phrase",
    "counterpart_phrase",
    "date_phrase",
    "since_phrase",
    "locations_phrase",
)
DESCRIPTIVE_FIELDS = frozenset({"name", "title", "label"})
_ACRONYM = re.compile(r"[A-Z]{2,}")
_OPEN, _CLOSE = "“", "”"
# Codes and ids are identifiers, not text a reader takes as a name ("CN" is ISO 3166's).
_IDENTIFIER = re.compile(r"(^|_)(id|code)$")
_TRIM = " \t\n“”\"'.,;:!?"


@dataclass(frozen=True)
class Quote:
    """One located quote supporting a claim."""

    exact: str
    display: str | None
    attribution: str
    source_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Support:
    """One claim's basis and its quotes (the premises, when inferred)."""

    basis: Basis
    reasoning: str | None
    convention: str | None
    descriptive: bool
    quotes: tuple[Quote, ...]


def quotations(text: str) -> list[tuple[int, int]]:
    """Spans of the text inside typographic quotation marks, marks included."""
    spans: list[tuple[int, int]] = []
    at = text.find(_OPEN)
    while at != -1:
        close = text.find(_CLOSE, at + 1)
        if close == -1:
            break
        spans.append((at, close + 1))
        at = text.find(_OPEN, close + 1)
    return spans


def _inside_quotation(quote: Quote, text: str) -> bool:
    exact = text[quote.start : quote.end]
    start = quote.start + (len(exact) - len(exact.lstrip(_TRIM)))
    end = quote.end - (len(exact) - len(exact.rstrip(_TRIM)))
    return any(a <= start and end <= b for a, b in quotations(text))


def _claim_of(subject_type: SubjectType, field: str) -> str | None:
    for claim, fields in CLAIMS[subject_type].items():
        if field in fields:
            return claim
    return None


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _support_problems(claim: str, support: Support) -> list[str]:
    problems = []
    premises = len(support.quotes)
    if support.basis is Basis.inferred:
        if not support.reasoning:
            problems.append(f"claim {claim!r}: an inferred claim must give its reasoning")
        if premises < 2 and not (premises == 1 and support.convention):
            problems.append(
                f"claim {claim!r}: an inferred claim needs at least two premises, or one and a "
                f"named convention (it has {premises} premise(s) and no convention)"
            )
    else:
        if support.reasoning or support.convention:
            problems.append(
                f"claim {claim!r}: a stated claim gives no reasoning or convention; its quote "
                "says the value (or mark the claim inferred)"
            )
        if not support.quotes and not support.descriptive:
            problems.append(f"claim {claim!r}: a stated claim needs at least one quote")
    return problems


def _name_problems(
    subject_type: SubjectType, values: Mapping[str, object], claims: Mapping[str, Support]
) -> list[str]:
    problems = []
    quoted = [q.exact for s in claims.values() for q in s.quotes]
    quoted += [q.display for s in claims.values() for q in s.quotes if q.display]
    for field in NAME_FIELDS:
        value = values.get(field)
        if not isinstance(value, str) or not value:
            continue
        claim = _claim_of(subject_type, field) or field
        support = claims.get(claim)
        if support is not None and support.descriptive:
            continue
        if not any(value in text for text in quoted):
            problems.append(
                f"claim {claim!r}: {field} {value!r} occurs in none of the row's quotes; write "
                "it as the source does, or mark a name the source does not give as descriptive"
            )
    for claim, support in claims.items():
        covered = set(CLAIMS[subject_type].get(claim, ()))
        if support.descriptive and not covered & DESCRIPTIVE_FIELDS:
            problems.append(f"claim {claim!r}: only a name, title or label can be descriptive")
    return problems


def _acronym_problems(
    values: Mapping[str, object], claims: Mapping[str, Support], sources: Mapping[str, str]
) -> list[str]:
    texts = [sources[i] for i in sorted({q.source_id for s in claims.values() for q in s.quotes})]
    problems = []
    for field, value in values.items():
        if _IDENTIFIER.search(field):
            continue
        for text in _strings(value):
            for acronym in sorted(set(_ACRONYM.findall(text))):
                if not any(acronym in source for source in texts):
                    problems.append(
                        f"field {field!r}: {acronym!r} occurs in no source this row cites; "
                        "write the name as the source does"
                    )
    return problems


def _speaker_problems(claims: Mapping[str, Support], sources: Mapping[str, str]) -> list[str]:
    return [
        f"claim {claim!r}: quote {q.exact!r} is in quotation marks, so the words are not the "
        f"article's own: attribute them to whoever the article gives them to, or to "
        "'unattributed-quotation' where it names no one"
        for claim, support in claims.items()
        for q in support.quotes
        if q.attribution == ARTICLE
        and q.source_id in sources
        and _inside_quotation(q, sources[q.source_id])
    ]


def truth_problems(
    *,
    subject_type: SubjectType,
    values: Mapping[str, object],
    claims: Mapping[str, Support],
    sources: Mapping[str, str],
) -> list[str]:
    """Every way one row says more than its quotes (empty when it says no more).

    `values` are the row's fields, `claims` each claim's support, `sources` the text of every
    source by id. Each problem names the claim or field and says why.
    """
    problems: list[str] = []
    for claim, support in claims.items():
        problems.extend(_support_problems(claim, support))
    problems.extend(_name_problems(subject_type, values, claims))
    problems.extend(_acronym_problems(values, claims, sources))
    problems.extend(_speaker_problems(claims, sources))
    if claims and ROW not in claims and all(s.basis is Basis.inferred for s in claims.values()):
        problems.append(
            "every claim is inferred, so the row exists only through inference: say so with "
            "a `row` claim whose basis is inferred"
        )
    return problems


def row_basis(claims: Mapping[str, Basis]) -> Basis:
    """A row exists only through inference exactly when its `row` claim is inferred."""
    return Basis(claims.get(ROW, Basis.stated))
