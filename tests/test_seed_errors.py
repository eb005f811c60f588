"""A bad seed is refused whole, with a precise message, and the database stays as it was."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.models.common import MAX_BIGINT
from app.resources.agencies.models import Agency
from app.resources.agreements.models import ReportedCount
from app.resources.citations.models import Citation
from app.services import seed as seed_service
from app.services.dataset import current_version
from app.services.seed import load_seed
from app.services.seed_files import SeedError, read_seed
from app.services.write import write_entities
from tests.conftest import Database
from tests.helpers import edit, refused, snapshot

LOCATIONS_QUOTE = "built on the lunar surface and/or on the lunar orbit"


def test_missing_quote_is_refused_with_file_entry_and_quote(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(seed_copy / "programs.yaml", LOCATIONS_QUOTE, "built on the far side of the moon")
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == [
        "programs.yaml: programs[ilrs]: claim 'locations': quote 'built on the far side of the "
        "moon': quote not found in source 'russia-china-moon-article'"
    ]


def test_repeated_quote_is_refused_with_its_count(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "countries.yaml",
        "- in order to work with China to build a lunar outpost",
        "- China",
    )
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == [
        "countries.yaml: countries[CN]: claim 'name': quote 'China' in source "
        "'russia-china-moon-article': ambiguous: 7 occurrences, give start (or occurrence: 1..7)"
    ]


def test_occurrence_picks_one_of_a_repeated_quote(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "countries.yaml",
        "- in order to work with China to build a lunar outpost",
        "- {quote: China, occurrence: 2}",
    )
    report = load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    assert report.counts["citation"] == {"inserted": 0, "updated": 1, "deleted": 0}
    with Session(seeded_db.engine) as session:
        citation = session.get_one(Citation, "country-cn-name-1")
    assert (citation.exact, citation.start, citation.end) == ("China", 42, 47)


def test_a_filled_field_without_citation_isrefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(seed_copy / "agencies.yaml", "    name: NASA\n", "    name: NASA\n    acronym: NASA\n")
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == ["agencies.yaml: agencies[nasa]: no citation for filled claim(s) acronym"]


def test_unknown_fields_and_claims_arerefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(seed_copy / "agencies.yaml", "    name: NASA\n", "    name: NASA\n    budget: 25\n")
    edit(
        seed_copy / "programs.yaml",
        "      openness:\n        - NASA",
        "      open:\n        - NASA",
    )
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == [
        "agencies.yaml: agencies[nasa]: unknown field(s) budget",
        "programs.yaml: programs[artemis]: unknown claim 'open' (known: acronym, description, "
        "locations, name, openness, row, summary)",
        "programs.yaml: programs[artemis]: no citation for filled claim(s) openness",
    ]


def test_unknown_references_arerefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "restrictions.yaml",
        "restricted_parties: [nasa, ostp]",
        "restricted_parties: [nasa, esa]",
    )
    edit(seed_copy / "events.yaml", "{type: agency, id: cnsa}", "{type: agency, id: esa}")
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == [
        "restrictions.yaml: restrictions[us-nasa-ostp-china-ban]: agency_id 'esa': no such agency",
        "events.yaml: events[cnsa-ilrs-announcement]: entity agency 'esa': no such agency",
    ]


def test_nul_in_text_is_refused_clearly_on_both_engines(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(seed_copy / "agencies.yaml", "    name: NASA\n", '    name: "NA\\0SA"\n')
    problems = refused(seeded_db.engine, seed_copy)
    assert problems == [
        "agencies.yaml: agencies[nasa]: name: Value error, NUL characters (U+0000) are not "
        "allowed in text"
    ]


def test_a_stored_source_text_never_changes(seeded_db: Database, seed_copy: Path) -> None:
    article = seed_copy / "russia-china-moon-article.txt"
    changed = article.read_bytes() + b" (corrected)"
    article.write_bytes(changed)
    new_sha = hashlib.sha256(changed).hexdigest()
    edit(
        seed_copy / "sources.yaml",
        "06c45edb5a35c3ad07eacf96c83ca19d9e8587f0139073c19755ece02311fd67",
        new_sha,
    )
    problems = refused(seeded_db.engine, seed_copy)
    assert len(problems) == 1
    assert problems[0].startswith(
        "source 'russia-china-moon-article': stored text has SHA-256 06c45e"
    )
    assert problems[0].endswith("a source's text never changes: add a new source")


def test_a_source_file_that_does_not_match_its_hash_isrefused(seed_copy: Path) -> None:
    article = seed_copy / "russia-china-moon-article.txt"
    article.write_bytes(article.read_bytes() + b"\n")
    with pytest.raises(SeedError) as caught:
        read_seed(seed_copy)
    assert caught.value.problems[0].startswith(
        "sources.yaml: sources[russia-china-moon-article]: file 'russia-china-moon-article.txt' "
        "has SHA-256 "
    )


def test_a_changed_entry_updates_only_its_rows(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "agencies.yaml",
        "description: Russia’s government space agency.",
        "description: The government space agency of Russia.",
    )
    before = snapshot(seeded_db.engine)
    report = load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    after = snapshot(seeded_db.engine)
    assert report.changed
    assert report.version == 2
    assert {t: c for t, c in report.counts.items() if any(c.values())} == {
        "agency": {"inserted": 0, "updated": 1, "deleted": 0},
        "entity_document": {"inserted": 0, "updated": 1, "deleted": 0},
        "search_document": {"inserted": 0, "updated": 1, "deleted": 0},
    }
    changed = [t for t in after if after[t] != before[t]]
    assert changed == [
        "agency",
        "dataset_version",
        "entity_document",
        "entity_origin",  # the seed's digest of the agency's rows
        "revision",
        "search_document",
    ]
    with Session(seeded_db.engine) as session:
        assert session.get_one(Agency, "roscosmos").description == (
            "The government space agency of Russia."
        )


def test_a_removed_entry_is_deleted_with_its_citations(
    seeded_db: Database, seed_copy: Path
) -> None:
    content = (seed_copy / "agreements.yaml").read_text(encoding="utf-8")
    start = content.index("  # The article gives no number and no names for these.")
    (seed_copy / "agreements.yaml").write_text(content[:start], encoding="utf-8")
    report = load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    assert report.counts["reported_count"]["deleted"] == 1
    assert report.counts["citation"]["deleted"] == 5
    assert report.counts["claim_support"]["deleted"] == 4
    with Session(seeded_db.engine) as session:
        assert session.get(ReportedCount, "artemis-other-partner-countries") is None
        assert current_version(session=session) == 2


def test_a_failure_while_writing_rolls_everything_back(
    seeded_db: Database, seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name the truth rules accept (it is in the country's quote), so the load gets to write.
    edit(seed_copy / "countries.yaml", "name: United States", "name: The United States")
    edit(
        seed_copy / "countries.yaml",
        "Brazil has shown that is also plans to sign the accords.",
        "Brazil has shown that is also plans to sign the accords",
    )
    before = snapshot(seeded_db.engine)
    # Every write of the load happens, then the commit is pre-empted by a failure.
    real_write = write_entities

    def write_then_fail(session: Session, **given: Any) -> object:
        real_write(session, **given)
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed_service, "write_entities", write_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    assert snapshot(seeded_db.engine) == before


def test_big_integers_fit_on_both_engines(seeded_db: Database) -> None:
    big = 2**40
    with seeded_db.engine.begin() as conn:
        conn.execute(
            text("UPDATE reported_count SET count = :n WHERE id = :id"),
            {"n": MAX_BIGINT, "id": "artemis-accords-other-signatories"},
        )
        conn.execute(
            text("UPDATE citation SET start = :s, \"end\" = :e WHERE id = 'country-cn-name-1'"),
            {"s": big, "e": big + 5},
        )
    with Session(seeded_db.engine) as session:
        assert (
            session.get_one(ReportedCount, "artemis-accords-other-signatories").count == MAX_BIGINT
        )
        citation = session.get_one(Citation, "country-cn-name-1")
        assert (citation.start, citation.end) == (big, big + 5)


def test_counts_beyond_64_bits_are_refused_before_the_database(seed_copy: Path) -> None:
    edit(seed_copy / "agreements.yaml", "    count: 8\n", f"    count: {MAX_BIGINT + 1}\n")
    with pytest.raises(SeedError) as caught:
        read_seed(seed_copy)
    assert caught.value.problems == [
        "agreements.yaml: reported_counts[artemis-accords-other-signatories]: count: Input "
        "should be less than or equal to 9223372036854775807"
    ]


def test_unreadable_files_are_named(seed_copy: Path) -> None:
    (seed_copy / "countries.yaml").write_text("countries: [unclosed", encoding="utf-8")
    (seed_copy / "events.yaml").write_text("- just a list", encoding="utf-8")
    (seed_copy / "agencies.yaml").write_text("agencies: []\nbudgets: []\n", encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        read_seed(seed_copy)
    problems = caught.value.problems
    assert problems[0].startswith("countries.yaml: cannot be read: while parsing a flow sequence")
    assert "agencies.yaml: unknown top-level key(s) budgets" in problems
    assert "events.yaml: expected a mapping at the top level" in problems


def test_source_files_must_exist_and_be_utf8(seed_copy: Path) -> None:
    article = seed_copy / "russia-china-moon-article.txt"
    blob = b"\xff\xfe not utf-8"
    article.write_bytes(blob)
    edit(
        seed_copy / "sources.yaml",
        "06c45edb5a35c3ad07eacf96c83ca19d9e8587f0139073c19755ece02311fd67",
        hashlib.sha256(blob).hexdigest(),
    )
    with pytest.raises(SeedError) as caught:
        read_seed(seed_copy)
    assert caught.value.problems[0] == (
        "sources.yaml: sources[russia-china-moon-article]: file 'russia-china-moon-article.txt' "
        "is not valid UTF-8"
    )
    article.unlink()
    with pytest.raises(SeedError) as caught:
        read_seed(seed_copy)
    assert caught.value.problems[0].endswith("cannot be read: No such file or directory")
