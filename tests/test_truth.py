"""The truth rules bite: the loader refuses each kind of overreach, and verify finds it stored."""

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from app.services.verify import verify_citations
from tests.conftest import Database
from tests.helpers import edit, refused

SIGNER_QUOTE = (
    "This past Tuesday, Russia’s government space agency, “signed a memorandum of understanding”"
)


def test_a_name_found_in_no_quote_isrefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(seed_copy / "agencies.yaml", "    name: Roscosmos\n", "    name: Roskosmos\n")
    assert refused(seeded_db.engine, seed_copy) == [
        "agencies.yaml: agencies[roscosmos]: claim 'name': name 'Roskosmos' occurs in none of "
        "the row's quotes; write it as the source does, or mark a name the source does not give "
        "as descriptive"
    ]


def test_an_untitled_rows_name_must_be_marked_descriptive(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(
        seed_copy / "agreements.yaml",
        "        descriptive: true\n        quotes:\n",
        "        quotes:\n",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "agreements.yaml: agreements[ilrs-mou]: claim 'name': name 'Memorandum of understanding "
        "on the International Lunar Research Station' occurs in none of the row's quotes; write "
        "it as the source does, or mark a name the source does not give as descriptive"
    ]


def test_an_acronym_no_source_contains_isrefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "restrictions.yaml",
        "    scope: Working on space projects with their Chinese counterparts.",
        "    scope: NASA and OSTP working on space projects with their Chinese counterparts.",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "restrictions.yaml: restrictions[us-nasa-ostp-china-ban]: field 'scope': 'OSTP' occurs "
        "in no source this row cites; write the name as the source does"
    ]


def test_an_inferred_claim_without_reasoning_isrefused(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(
        seed_copy / "restrictions.yaml",
        "        reasoning: >-\n          The bodies banned are NASA and the White House office, "
        "and the ban lifts when Congress\n          approves; it is taken to be a restriction "
        "of the United States.\n",
        "",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "restrictions.yaml: restrictions[us-nasa-ostp-china-ban]: claim 'jurisdiction': an "
        "inferred claim must give its reasoning"
    ]


def test_an_inferred_claim_with_one_premise_and_no_convention_isrefused(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(
        seed_copy / "agreements.yaml",
        "          - “signed a memorandum of understanding” in order to work with China\n",
        "",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "agreements.yaml: signatories[ilrs-mou-china]: claim 'row': an inferred claim needs at "
        "least two premises, or one and a named convention (it has 1 premise(s) and no "
        "convention)"
    ]


def test_quoted_words_given_to_the_article_arerefused(seeded_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "restrictions.yaml",
        "      lifts_when:\n        - quote: unless Congress approves such cooperation in "
        "advance.\n          attribution: unattributed-quotation\n",
        "      lifts_when:\n        - unless Congress approves such cooperation in advance.\n",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "restrictions.yaml: restrictions[us-nasa-ostp-china-ban]: claim 'lifts_when': quote "
        "'unless Congress approves such cooperation in advance.' is in quotation marks, so the "
        "words are not the article's own: attribute them to whoever the article gives them to, "
        "or to 'unattributed-quotation' where it names no one"
    ]


def test_a_row_of_inferred_claims_only_must_say_it_exists_by_inference(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(
        seed_copy / "agreements.yaml",
        "    citations:\n      row:\n        basis: inferred",
        "    citations:\n      party:\n        basis: inferred",
    )
    assert refused(seeded_db.engine, seed_copy) == [
        "agreements.yaml: signatories[ilrs-mou-china]: no citation for filled claim(s) "
        "agreement, party_phrase, status",
        "agreements.yaml: signatories[ilrs-mou-china]: every claim is inferred, so the row exists "
        "only through inference: say so with a `row` claim whose basis is inferred",
    ]


def test_verify_finds_a_stored_row_that_says_more_than_its_quotes(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session:
        assert verify_citations(session=session)[1] == []
        session.execute(text("UPDATE agency SET name = 'OSTP' WHERE id = 'ostp'"))
        session.execute(
            text(
                "UPDATE claim_support SET convention = 'a convention' "
                "WHERE subject_id = 'nasa' AND claim = 'name'"
            )
        )
        session.commit()
        drifts = [str(d) for d in verify_citations(session=session)[1]]
    assert drifts == [
        "truth agency nasa: claim 'name': a stated claim gives no reasoning or convention; "
        "its quote says the value (or mark the claim inferred)",
        "truth agency ostp: claim 'name': name 'OSTP' occurs in none of the row's quotes; write "
        "it as the source does, or mark a name the source does not give as descriptive",
        "truth agency ostp: field 'name': 'OSTP' occurs in no source this row cites; write the "
        "name as the source does",
    ]
