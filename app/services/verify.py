"""Re-checking stored citations against their source text and its hash, and every stored row
against the truth rules (app/services/truth.py), the same function the seed loader applies."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.models.base import table_of
from app.models.common import Basis
from app.models.support import ClaimSupport, SubjectType
from app.resources.citations.models import Citation
from app.resources.sources.models import Source
from app.services.quotes import anchor_at, sha256_hex
from app.services.seed_plan import SUBJECT_TABLES
from app.services.truth import Quote, Support, truth_problems


@dataclass(frozen=True)
class Drift:
    """One way the stored data no longer matches its source."""

    kind: str  # "source", "citation", or "truth" (a row that says more than its quotes)
    id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.problem}"


def _source_drifts(source: Source) -> list[Drift]:
    drifts = []
    actual = sha256_hex(source.text)
    if actual != source.sha256:
        drifts.append(
            Drift("source", source.id, f"text hashes to {actual}, stored {source.sha256}")
        )
    if len(source.text) != source.length:
        drifts.append(
            Drift(
                "source",
                source.id,
                f"text is {len(source.text)} code points, stored {source.length}",
            )
        )
    return drifts


def _citation_drifts(citation: Citation, text: str | None) -> list[Drift]:
    def drift(problem: str) -> Drift:
        return Drift("citation", citation.id, problem)

    if text is None:
        return [drift(f"source {citation.source_id!r} is missing")]
    if not 0 <= citation.start < citation.end <= len(text):
        return [drift(f"span [{citation.start}, {citation.end}) is outside the source")]
    found = anchor_at(text, citation.start, citation.end)
    span = f"[{citation.start}, {citation.end})"
    return [
        drift(f"{name} is {stored!r} but the source has {actual!r} at {span}")
        for name, stored, actual in (
            ("exact", citation.exact, found.exact),
            ("prefix", citation.prefix, found.prefix),
            ("suffix", citation.suffix, found.suffix),
        )
        if stored != actual
    ]


def _subject_drifts(session: Session, citations: list[Citation]) -> list[Drift]:
    drifts = []
    for subject_type, table in SUBJECT_TABLES.items():
        pk = next(iter(table_of(table).primary_key.columns))
        ids = set(session.execute(select(pk)).scalars())
        for c in citations:
            if c.subject_type == subject_type.value and c.subject_id not in ids:
                drifts.append(
                    Drift(
                        "citation",
                        c.id,
                        f"its subject {c.subject_type} {c.subject_id!r} is missing",
                    )
                )
    known = {t.value for t in SubjectType}
    drifts.extend(
        Drift("citation", c.id, f"unknown subject type {c.subject_type!r}")
        for c in citations
        if c.subject_type not in known
    )
    return drifts


def _truth_drifts(
    session: Session, citations: list[Citation], texts: dict[str, str]
) -> list[Drift]:
    quotes: dict[tuple[str, str, str], list[Quote]] = {}
    for c in sorted(citations, key=lambda c: (c.subject_type, c.subject_id, c.claim, c.position)):
        quotes.setdefault((c.subject_type, c.subject_id, c.claim), []).append(
            Quote(c.exact, c.display, c.attribution_id, c.source_id, c.start, c.end)
        )
    claims: dict[tuple[str, str], dict[str, Support]] = {}
    for s in session.execute(select(ClaimSupport)).scalars():
        claims.setdefault((s.subject_type, s.subject_id), {})[s.claim] = Support(
            Basis(s.basis),
            s.reasoning,
            s.convention,
            s.descriptive,
            tuple(quotes.get((s.subject_type, s.subject_id, s.claim), ())),
        )
    drifts = [
        Drift(
            "truth",
            f"{subject_type} {subject_id}",
            f"quotes for claim {claim!r}, which has no basis",
        )
        for (subject_type, subject_id, claim) in sorted(quotes)
        if claim not in claims.get((subject_type, subject_id), {})
    ]
    for subject_type, table in SUBJECT_TABLES.items():
        pk = next(iter(table_of(table).primary_key.columns))
        for row in session.execute(select(table_of(table)).order_by(pk)).mappings():
            ident = str(row[pk.name])
            drifts.extend(
                Drift("truth", f"{subject_type.value} {ident}", problem)
                for problem in truth_problems(
                    subject_type=subject_type,
                    values=dict(row),
                    claims=claims.get((subject_type.value, ident), {}),
                    sources=texts,
                )
            )
    return drifts


def verify_citations(
    *, session: Session, on_citation: Callable[[], None] | None = None
) -> tuple[int, list[Drift]]:
    """Check every source's hash, every citation's selectors and every row's truth rules;
    returns (citations, drifts)."""
    drifts: list[Drift] = []
    texts: dict[str, str] = {}
    for source in session.execute(select(Source)).scalars():
        drifts.extend(_source_drifts(source))
        texts[source.id] = source.text
    citations = list(session.execute(select(Citation).order_by(Citation.id)).scalars())
    for citation in citations:
        drifts.extend(_citation_drifts(citation, texts.get(citation.source_id)))
        if on_citation is not None:
            on_citation()
    drifts.extend(_subject_drifts(session, citations))
    drifts.extend(_truth_drifts(session, citations, texts))
    return len(citations), drifts
