"""Search index rows, derived from the planned rows, and the tokenizer they share with queries.

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
from typing import TYPE_CHECKING, Any

from app.models import (
    Agency,
    Agreement,
    Citation,
    ClaimSupport,
    Country,
    Event,
    Program,
    ProgramObjective,
    Restriction,
    Source,
    SubjectType,
)
from app.models.claims import CLAIMS, ROW
from app.models.common import Basis

if TYPE_CHECKING:
    from app.services.seed_plan import Rows

# Longer terms are dropped, on both engines alike: a GIN index entry must fit in a page, and no
# query (at most 200 characters) is meant to find a token that long.
MAX_TERM_LENGTH = 200
FIELD_SEPARATOR = " · "
_ALNUM_RUN = re.compile(r"[^\W_]+")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """A word: a letter or digit, then letters, digits and combining marks (Unicode category M).

    `re` has no `\\p{M}`, so the marks are listed once per process (about 0.1 s, on first use).
    """
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if _is_mark(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(rf"[^\W_](?:[^\W_]|[{marks}])*")


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
    bare = "".join(char for char in decomposed if not _is_mark(char))
    return tuple(term for term in _ALNUM_RUN.findall(bare) if len(term) <= MAX_TERM_LENGTH)


def text_terms(text: str) -> list[str]:
    return [term for start, end in word_spans(text) for term in word_terms(text[start:end])]


def _join(*fields: str | None) -> str:
    return FIELD_SEPARATOR.join(field for field in fields if field)


def _named(name: str, acronym: str | None) -> str:
    return f"{name} ({acronym})" if acronym else name


ClaimIndex = dict[tuple[str, str], dict[str, str]]  # (subject type, id) -> claim -> basis


def _claim_index(rows: "Rows") -> ClaimIndex:
    index: ClaimIndex = {}
    for row in rows[ClaimSupport]:
        index.setdefault((row["subject_type"], row["subject_id"]), {})[row["claim"]] = row["basis"]
    return index


def _basis(index: ClaimIndex, kind: SubjectType, row: dict[str, Any], *columns: str) -> str:
    """`inferred` if the row exists through inference or a filled column's claim is inferred."""
    claims = index.get((kind.value, str(row.get("id") or row.get("code"))), {})
    inferred = {claim for claim, basis in claims.items() if basis == Basis.inferred.value}
    if ROW in inferred:
        return Basis.inferred.value
    filled = {column for column in columns if row.get(column)}
    for claim, fields in CLAIMS[kind].items():
        if claim in inferred and filled & set(fields):
            return Basis.inferred.value
    return Basis.stated.value


def _document(
    entity_type: str,
    entity_id: str,
    title: str,
    body: str,
    *,
    basis: str = Basis.stated.value,
    title_searched: bool = True,
) -> dict[str, Any]:
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


def _citation_label(row: dict[str, Any]) -> str:
    return f"{row['subject_type'].replace('_', ' ')} {row['subject_id']}: {row['claim']}"


def search_rows(rows: "Rows") -> list[dict[str, Any]]:
    """One search_document row per program, agency, country, agreement, restriction, event,
    source and citation of the plan."""
    index = _claim_index(rows)
    objectives: dict[str, list[dict[str, Any]]] = {}
    for objective in sorted(rows[ProgramObjective], key=lambda r: r["position"]):
        objectives.setdefault(objective["program_id"], []).append(objective)

    def program_basis(r: dict[str, Any]) -> str:
        own = _basis(index, SubjectType.program, r, "name", "acronym", "summary", "description")
        parts = [own, _basis(index, SubjectType.program, r, "openness")]
        parts += [
            _basis(index, SubjectType.program_objective, o, "text")
            for o in objectives.get(r["id"], [])
        ]
        return Basis.inferred.value if Basis.inferred.value in parts else own

    docs = [
        _document(
            "program",
            r["id"],
            _named(r["name"], r.get("acronym")),
            _join(
                r["summary"],
                r.get("description"),
                r.get("openness"),
                *(o["text"] for o in objectives.get(r["id"], [])),
            ),
            basis=program_basis(r),
        )
        for r in rows[Program]
    ]
    docs += [
        _document(
            "agency",
            r["id"],
            _named(r["name"], r.get("acronym")),
            r.get("description") or "",
            basis=_basis(index, SubjectType.agency, r, "name", "acronym", "description"),
        )
        for r in rows[Agency]
    ]
    docs += [
        _document(
            "country", r["code"], r["name"], "", basis=_basis(index, SubjectType.country, r, "name")
        )
        for r in rows[Country]
    ]
    docs += [
        _document(
            "agreement",
            r["id"],
            r["name"],
            _join(r.get("purpose"), r.get("effect")),
            basis=_basis(index, SubjectType.agreement, r, "name", "purpose", "effect"),
        )
        for r in rows[Agreement]
    ]
    restriction_text = ("name", "scope", "lifts_when", "effect", "counterpart_phrase")
    docs += [
        _document(
            "restriction",
            r["id"],
            r["name"],
            _join(
                r.get("scope"), r.get("lifts_when"), r.get("effect"), r.get("counterpart_phrase")
            ),
            basis=_basis(index, SubjectType.restriction, r, *restriction_text),
        )
        for r in rows[Restriction]
    ]
    docs += [
        _document(
            "event",
            r["id"],
            r["summary"],
            r.get("date_phrase") or "",
            basis=_basis(index, SubjectType.event, r, "summary", "date_phrase"),
        )
        for r in rows[Event]
    ]
    docs += [_document("source", r["id"], r["title"], "") for r in rows[Source]]
    # A citation is found by its quote alone; its title only says what the quote supports.
    docs += [
        _document(
            "citation",
            r["id"],
            _citation_label(r),
            r["exact"],
            basis=index.get((r["subject_type"], r["subject_id"]), {}).get(
                r["claim"], Basis.stated.value
            ),
            title_searched=False,
        )
        for r in rows[Citation]
    ]
    return docs
