"""The seed loads on both engines, every row is cited, and every citation is exact."""

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from app.models.base import table_of
from app.models.claims import CLAIMS, ROW
from app.models.common import Basis
from app.models.revisions import DatasetVersion
from app.models.support import ClaimSupport, SubjectType
from app.resources.citations.models import Citation
from app.resources.sources.models import Source
from app.services.seed import load_seed
from app.services.seed_plan import SUBJECT_TABLES
from tests.conftest import SEED_DIR, Database
from tests.helpers import snapshot

ARTICLE_SHA256 = "06c45edb5a35c3ad07eacf96c83ca19d9e8587f0139073c19755ece02311fd67"

EXPECTED_ROWS = {
    "source": 1,
    "country": 4,
    "agency": 5,
    "attribution": 6,
    "program": 2,
    "program_location": 3,
    "program_objective": 10,
    "program_participant": 5,
    "agreement": 2,
    "signatory": 3,
    "reported_count": 2,
    "restriction": 1,
    "restriction_party": 2,
    "event": 12,
    "event_entity": 28,
    "citation": 122,
    # one per claim of a row: 94 claims with quotes, 6 descriptive attribution labels without
    "claim_support": 100,
    "dataset_version": 1,
    "search_document": 149,
    # 2 programs, 5 agencies, 4 countries, 2 agreements, 3 signatories, 1 restriction,
    # 12 events, 1 source, 122 citations, 6 attributions
    "entity_document": 158,
    # one revision and one origin per entity the seed creates (citations are not entities)
    "revision": 36,
    "entity_origin": 36,
}


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_seed_copy_is_byte_identical_to_shared_source() -> None:
    blob = (SEED_DIR / "russia-china-moon-article.txt").read_bytes()
    assert hashlib.sha256(blob).hexdigest() == ARTICLE_SHA256
    assert len(blob) == 3223
    assert len(blob.decode("utf-8")) == 3189


def test_seed_loads_every_table(seeded_db: Database) -> None:
    assert {t: _count(seeded_db, t) for t in EXPECTED_ROWS} == EXPECTED_ROWS


def test_source_row_is_the_article(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        source = session.get_one(Source, "russia-china-moon-article")
    assert source.sha256 == ARTICLE_SHA256
    assert source.length == 3189
    assert source.title == "The Russian And China Shoot For The Moon"
    assert source.text == (SEED_DIR / "russia-china-moon-article.txt").read_text(encoding="utf-8")
    # The article carries none of these; nothing is made up for them.
    assert (source.author, source.publisher, source.url, source.published_edtf) == (None,) * 4
    assert source.retrieved_on is None


def test_every_citation_is_exact_against_its_source(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        texts = {s.id: s.text for s in session.execute(select(Source)).scalars()}
        citations = list(session.execute(select(Citation)).scalars())
    assert len(citations) == 122
    for c in citations:
        body = texts[c.source_id]
        assert body[c.start : c.end] == c.exact, c.id
        assert body[max(0, c.start - 32) : c.start] == c.prefix, c.id
        assert body[c.end : c.end + 32] == c.suffix, c.id
        assert body.count(c.exact) == 1, c.id  # every seed quote is unique in the article


def test_every_fact_row_has_a_citation_for_every_filled_claim(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        cited: dict[tuple[str, str], set[str]] = {}
        for c in session.execute(select(Citation)).scalars():
            cited.setdefault((c.subject_type, c.subject_id), set()).add(c.claim)
        supported: dict[tuple[str, str], dict[str, ClaimSupport]] = {}
        for s in session.execute(select(ClaimSupport)).scalars():
            supported.setdefault((s.subject_type, s.subject_id), {})[s.claim] = s
        rows = 0
        for subject_type, table in SUBJECT_TABLES.items():
            pk = next(iter(table_of(table).primary_key.columns))
            for row in session.execute(select(table_of(table))).mappings():
                rows += 1
                key = (subject_type.value, row[pk.name])
                claims = cited.get(key, set())
                supports = supported.pop(key, {})
                # Every cited claim has its basis; a claim with no quote is only a descriptive
                # name (an attribution's label, which the curators wrote).
                assert claims <= set(supports), key
                for claim in set(supports) - claims:
                    assert supports[claim].descriptive, f"{key} {claim} has no quote"
                    assert supports[claim].basis == Basis.stated, (key, claim)
                if subject_type is SubjectType.attribution and row["id"] == "article":
                    assert claims == set()  # the article's own words need no citation
                    assert set(supports) == {"label"}
                    continue
                assert supports, f"{subject_type.value} {row[pk.name]} has no citation"
                if ROW in supports:
                    continue
                for claim, fields in CLAIMS[subject_type].items():
                    filled = any(row.get(f) is not None for f in fields if f in row)
                    if filled:
                        assert claim in supports, f"{subject_type.value} {row[pk.name]}.{claim}"
        assert supported == {}  # no basis is kept for a row that does not exist
        assert rows == 52


def test_second_load_changes_nothing(seeded_db: Database) -> None:
    before = snapshot(seeded_db.engine)
    report = load_seed(engine=seeded_db.engine, seed_dir=SEED_DIR)
    assert report.changed is False
    assert report.version == 1
    assert all(n == 0 for counts in report.counts.values() for n in counts.values())
    assert snapshot(seeded_db.engine) == before


def test_first_load_records_dataset_version_with_summary(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        version = session.get_one(DatasetVersion, 1)
    summary: dict[str, Any] = json.loads(version.summary)
    assert version.origin == "seed"
    assert summary["citation"] == {"inserted": 122, "updated": 0, "deleted": 0}
    assert summary["claim_support"] == {"inserted": 100, "updated": 0, "deleted": 0}
    assert summary["agency"] == {"inserted": 5, "updated": 0, "deleted": 0}
    assert version.seed_digest is not None
    assert len(version.seed_digest) == 64


@pytest.mark.parametrize(
    ("citation_id", "exact", "attribution"),
    [
        (
            "program-ilrs-locations-1",
            "built on the lunar surface and/or on the lunar orbit",
            "cnsa-announcement",
        ),
        (
            "program-ilrs-openness-1",
            "Roscosmos made a statement, saying that the two groups planned to",
            "cnn-report",
        ),
        (
            "program-ilrs-openness-2",
            "promote cooperation on the creation of an open-access ILRS for all interested "
            "countries and international partners",
            "roscosmos-statement-via-cnn",
        ),
        (
            "event-china-not-able-to-participate-in-nasa-moon-push-row-1",
            "According to, China is not able to “participate substantially in the NASA moon "
            "push, at least not without new U>S> legislation.”",
            "unnamed-source",
        ),
        (
            "reported-count-artemis-accords-other-signatories-count-1",
            "Eight other countries have signed the Artemis Accords",
            "article",
        ),
    ],
)
def test_citations_carry_quote_and_attribution(
    seeded_db: Database, citation_id: str, exact: str, attribution: str
) -> None:
    with Session(seeded_db.engine) as session:
        citation = session.get_one(Citation, citation_id)
    assert (citation.exact, citation.attribution_id) == (exact, attribution)


def test_typo_keeps_verbatim_quote_with_display_beside_it(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        citation = session.get_one(Citation, "signatory-artemis-accords-brazil-row-1")
    assert citation.exact == "Brazil has shown that is also plans to sign the accords."
    assert citation.display == "Brazil has shown that it also plans to sign the accords."
    assert (citation.start, citation.end) == (2773, 2829)
