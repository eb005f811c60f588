"""Search: the same hits, order and snippets on SQLite and PostgreSQL.

Every database test runs on both engines against one shared expectation, so passing on both is
agreeing with each other. Beside the hand-written lists, every term, term prefix and a query per
document is checked against a reference model of the rule, written in plain Python.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, SQLModel

from app.models.base import table_of
from app.models.search import SearchDocument
from app.resources.agencies.models import Agency
from app.resources.agreements.models import Agreement
from app.resources.citations.models import Citation
from app.resources.countries.models import Country
from app.resources.events.models import Event
from app.resources.programs.models import Program
from app.resources.restrictions.models import Restriction
from app.resources.sources.models import Source
from app.services import search as search_module
from app.services import search_walk
from app.services.dataset import Total
from app.services.search import TYPE_ORDER, SearchHit, count, search, tokenize
from app.services.search_index import text_terms
from app.services.search_snippets import snippet
from app.services.search_sql import CITATION
from tests.conftest import Database
from tests.helpers import captured, explain

DOCS = table_of(SearchDocument)

# Hits in rank order, written as "type:id", several to a line.
EXPECTED = {
    "lunar": """program:ilrs agreement:ilrs-mou event:ilrs-mou-signed
        citation:agreement-ilrs-mou-name-1 citation:agreement-ilrs-mou-program-1
        citation:agreement-ilrs-mou-purpose-1 citation:country-cn-name-1
        citation:event-ilrs-mou-signed-row-1 citation:program-ilrs-acronym-1
        citation:program-ilrs-locations-1 citation:program-ilrs-name-1
        citation:program-ilrs-summary-1
        citation:program-objective-ilrs-lunar-based-observation-text-1
        citation:program-objective-ilrs-lunar-exploration-and-utilization-text-1
        citation:program-participant-ilrs-roscosmos-row-1
        citation:signatory-ilrs-mou-roscosmos-agreement-1""",
    "artemis accords": """agreement:artemis-accords
        citation:agreement-artemis-accords-effect-1
        citation:agreement-artemis-accords-kind-1 citation:agreement-artemis-accords-name-1
        citation:reported-count-artemis-accords-other-signatories-count-1
        citation:reported-count-artemis-accords-other-signatories-excludes-2
        citation:reported-count-artemis-accords-other-signatories-relation-1
        citation:reported-count-artemis-accords-other-signatories-subject-1""",
    "congress": """agency:congress event:us-nasa-ostp-china-ban-in-force
        restriction:us-nasa-ostp-china-ban
        citation:agency-congress-country-2 citation:agency-congress-kind-2
        citation:agency-congress-name-1 citation:event-us-nasa-ostp-china-ban-in-force-row-2
        citation:restriction-us-nasa-ostp-china-ban-jurisdiction-2
        citation:restriction-us-nasa-ostp-china-ban-lifts-when-1""",
    "russia": """country:RU event:china-russia-confirm-ilrs-partnership
        event:cnsa-ilrs-announcement event:ilrs-close-collaboration event:ilrs-mou-signed
        event:ilrs-presentation-to-world-space-community event:ilrs-road-map
        source:russia-china-moon-article program:ilrs agency:roscosmos
        citation:agency-roscosmos-country-1 citation:agency-roscosmos-description-1
        citation:agency-roscosmos-kind-1 citation:agreement-ilrs-mou-date-1
        citation:country-ru-name-1 citation:event-china-russia-confirm-ilrs-partnership-row-1
        citation:event-cnsa-ilrs-announcement-row-2
        citation:event-ilrs-close-collaboration-row-1
        citation:event-ilrs-mou-signed-row-1
        citation:event-ilrs-presentation-to-world-space-community-row-2
        citation:event-ilrs-road-map-row-1
        citation:event-ilrs-road-map-row-2 citation:program-ilrs-summary-1
        citation:program-participant-ilrs-china-row-1
        citation:program-participant-ilrs-roscosmos-row-1
        citation:program-participant-ilrs-russia-row-1
        citation:signatory-ilrs-mou-china-row-2
        citation:signatory-ilrs-mou-roscosmos-date-1 citation:signatory-ilrs-mou-roscosmos-party-1
        citation:signatory-ilrs-mou-roscosmos-party-phrase-1
        citation:signatory-ilrs-mou-roscosmos-status-1""",
    "Russia’s government": """event:ilrs-mou-signed program:ilrs agency:roscosmos
        citation:agency-roscosmos-country-1 citation:agency-roscosmos-description-1
        citation:agency-roscosmos-kind-1 citation:agreement-ilrs-mou-date-1
        citation:country-ru-name-1 citation:event-ilrs-mou-signed-row-1
        citation:program-ilrs-summary-1
        citation:program-participant-ilrs-roscosmos-row-1
        citation:signatory-ilrs-mou-roscosmos-date-1 citation:signatory-ilrs-mou-roscosmos-party-1
        citation:signatory-ilrs-mou-roscosmos-party-phrase-1
        citation:signatory-ilrs-mou-roscosmos-status-1""",
    "lunar-based": "program:ilrs citation:program-objective-ilrs-lunar-based-observation-text-1",
    "r&d": "event:ilrs-road-map citation:event-ilrs-road-map-row-1",
    "and/or": "program:ilrs citation:program-ilrs-locations-1 citation:program-ilrs-locations-2",
    "U>S>": """event:china-not-able-to-participate-in-nasa-moon-push
        citation:agency-congress-country-1 citation:agency-congress-kind-1
        citation:event-china-not-able-to-participate-in-nasa-moon-push-row-1""",
    "moo": """event:artemis-astronauts-on-the-moon event:artemis-defined-human-existence
        event:china-not-able-to-participate-in-nasa-moon-push
        event:china-russia-confirm-ilrs-partnership source:russia-china-moon-article
        program:artemis program:ilrs
        citation:agency-nasa-country-1 citation:country-us-name-1
        citation:event-artemis-astronauts-on-the-moon-row-1
        citation:event-artemis-defined-human-existence-row-1
        citation:event-artemis-defined-human-existence-row-2
        citation:event-china-not-able-to-participate-in-nasa-moon-push-row-1
        citation:event-china-russia-confirm-ilrs-partnership-row-1
        citation:program-artemis-description-1 citation:program-artemis-locations-1
        citation:program-artemis-summary-2 citation:program-ilrs-locations-2
        citation:program-objective-artemis-astronauts-on-the-moon-text-1
        citation:program-objective-artemis-defined-human-existence-text-1
        citation:program-objective-ilrs-long-term-unmanned-operation-testing-text-1
        citation:program-participant-artemis-united-states-party-1
        citation:program-participant-artemis-united-states-role-1
        citation:reported-count-artemis-other-partner-countries-excludes-2""",
    "2020s": """event:artemis-astronauts-on-the-moon event:artemis-defined-human-existence
        citation:event-artemis-astronauts-on-the-moon-row-1
        citation:event-artemis-defined-human-existence-row-1
        citation:event-artemis-defined-human-existence-row-2
        citation:program-objective-artemis-astronauts-on-the-moon-text-1""",
    "TUES": """event:ilrs-mou-signed citation:agency-roscosmos-country-1
        citation:agency-roscosmos-description-1 citation:agency-roscosmos-kind-1
        citation:agreement-ilrs-mou-date-1 citation:country-ru-name-1
        citation:event-ilrs-mou-signed-row-1 citation:program-ilrs-summary-1
        citation:signatory-ilrs-mou-roscosmos-date-1 citation:signatory-ilrs-mou-roscosmos-party-1
        citation:signatory-ilrs-mou-roscosmos-party-phrase-1""",
    "zebra": "",
    "lunar zebra": "",
}
# (query, type, id) -> the hit's snippet
SNIPPETS = {
    (
        "lunar",
        "program",
        "ilrs",
    ): "A <mark>lunar</mark> outpost that Russia’s government space agency signed a memorandum "
    "of understanding to build, in order to work with China. · A comprehensive scientific…",
    ("lunar-based", "citation", "program-objective-ilrs-lunar-based-observation-text-1"): (
        "<mark>lunar</mark>-<mark>based</mark> observation"
    ),
    ("r&d", "citation", "event-ilrs-road-map-row-1"): "…will use their experience in space "
    "science, <mark>R</mark>&<mark>D</mark> and use of space equipment and technology to "
    "jointly formulate a road map for the construction of the ILRS",
    ("and/or", "citation", "program-ilrs-locations-1"): "built on the lunar surface "
    "<mark>and</mark>/<mark>or</mark> on the lunar <mark>orbit</mark>",
    ("Russia’s government", "citation", "agency-roscosmos-country-1"): "This past Tuesday, "
    "<mark>Russia</mark>’<mark>s</mark> <mark>government</mark> space agency, “signed a "
    "memorandum of understanding”",
    ("Russia’s government", "agency", "roscosmos"): (
        "<mark>Russia</mark>’<mark>s</mark> <mark>government</mark> space agency."
    ),
    ("congress", "agency", "congress"): "<mark>Congress</mark>",  # no body: the title
    ("russia", "source", "russia-china-moon-article"): (
        "The <mark>Russian</mark> And China Shoot For The Moon"
    ),
    # Only the title matches, so the snippet comes from it rather than the date phrase.
    ("moo", "event", "artemis-astronauts-on-the-moon"): "The Artemis program plans to have "
    "astronauts on the surface of the <mark>moon</mark> again by the mid-2020s.",
}


def _ids(hits: list[SearchHit]) -> list[str]:
    return [f"{hit.type}:{hit.id}" for hit in hits]


def _reference(docs: list[dict[str, str]], q: str) -> list[SearchHit]:
    """The rule of app/services/search.py, over the planned rows, without any database."""
    tokens = tokenize(q)

    def found(terms: set[str]) -> bool:
        whole = all(token in terms for token in tokens[:-1])
        return whole and any(term.startswith(tokens[-1]) for term in terms)

    hits = []
    for doc in docs:
        title, body = set(doc["title_terms"].split()), set(doc["body_terms"].split())
        if found(title | body):
            hits.append(
                SearchHit(
                    type=doc["entity_type"],
                    id=doc["entity_id"],
                    title=doc["title"],
                    snippet=snippet(title=doc["title"], body=doc["body"], tokens=tokens),
                    score=2 if found(title) else 1,
                    basis=doc["basis"],
                )
            )
    return sorted(hits, key=lambda hit: (-hit.score, TYPE_ORDER.index(hit.type), hit.id))


def test_hits_in_rank_order(seeded_db: Database) -> None:
    with seeded_db.engine.connect() as connection:
        actual = {q: _ids(search(connection=connection, q=q)) for q in EXPECTED}
        counts = {q: count(connection=connection, q=q).value for q in EXPECTED}
    assert actual == {q: ids.split() for q, ids in EXPECTED.items()}
    assert counts == {q: len(ids.split()) for q, ids in EXPECTED.items()}


PATHS = ["index", "walk", "gather", "gather entities", "gather citations"]


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The ways to a page of hits. "index": one query through the full-text index, as in any
    table as small as the seed. Otherwise two tiers, the rows that are not citations, then the
    citations, each read in rank order ("walk"), or gathered through its own index when its
    walk gives up: both ("gather"), or the one named."""
    if request.param != "index":  # the seed counts as big
        monkeypatch.setattr(search_walk, "INDEX_BELOW", 0)
    walked: list[bool] = []
    gathered: set[str] = set()
    real = search_walk.walk

    def spy(**kwargs: Any) -> list[search_walk.Walked] | None:
        tier = "citations" if CITATION in kwargs["types"] else "entities"
        if request.param in ("gather", f"gather {tier}"):
            gathered.add(tier)
            return None
        found = real(**kwargs)
        walked.append(found is not None)
        return found

    monkeypatch.setattr(search_module, "walk", spy)
    yield request.param
    assert all(walked)  # the seed is smaller than the walk's budget
    if request.param == "index":
        assert not walked
    elif request.param.startswith("gather"):
        tiers = {"entities", "citations"} if request.param == "gather" else {request.param[7:]}
        assert gathered == tiers


@pytest.mark.usefixtures("path")
def test_every_term_prefix_and_document_query_agrees_with_the_reference(
    seeded_db: Database,
) -> None:
    with seeded_db.engine.connect() as connection:
        docs = [dict(r) for r in connection.execute(select(DOCS)).mappings()]
    terms = {term for doc in docs for term in f"{doc['title_terms']} {doc['body_terms']}".split()}
    queries = terms | {term[:n] for term in terms for n in (1, 2, 3)}
    queries |= {" ".join(text_terms(doc["title"] + " " + doc["body"])[:3]) for doc in docs}
    queries |= {"Russia’s", "U.S.", "NASA's", "multi-disciplinary", "(ILRS)", "“with", "road map"}
    stated = [doc for doc in docs if doc["basis"] == "stated"]
    assert 0 < len(stated) < len(docs)
    with seeded_db.engine.connect() as connection:
        for q in sorted(queries):
            assert search(connection=connection, q=q, limit=1000) == _reference(docs, q), q
            found = search(connection=connection, q=q, limit=1000, stated_only=True)
            assert found == _reference(stated, q), q


def test_snippets_mark_every_matching_word(seeded_db: Database) -> None:
    with seeded_db.engine.connect() as connection:
        hits = {
            q: search(connection=connection, q=q) for q in {q for q, _, _ in SNIPPETS} | {*EXPECTED}
        }
    actual = {(q, h.type, h.id): h.snippet for q, found in hits.items() for h in found}
    assert {key: actual.get(key) for key in SNIPPETS} == SNIPPETS
    for shown in actual.values():
        plain = shown.replace("<mark>", "").replace("</mark>", "").strip("…")
        assert len(plain) <= 160, shown


@pytest.mark.usefixtures("path")
@pytest.mark.parametrize("size", [1, 2])
def test_keyset_pages_walk_every_hit_once_in_order(seeded_db: Database, size: int) -> None:
    with seeded_db.engine.connect() as connection:
        walked: list[SearchHit] = []
        after: tuple[int, str, str] | None = None
        while page := search(connection=connection, q="lunar", limit=size, after=after):
            assert len(page) <= size
            walked += page
            after = (page[-1].score, page[-1].type, page[-1].id)
        assert walked == search(connection=connection, q="lunar")
    assert _ids(walked) == EXPECTED["lunar"].split()


def test_types_filter_and_count(seeded_db: Database) -> None:
    with seeded_db.engine.connect() as connection:
        found = search(connection=connection, q="lunar", types=["event", "program"])
        assert _ids(found) == ["program:ilrs", "event:ilrs-mou-signed"]
        assert count(connection=connection, q="lunar", types=["citation"]) == Total(13)
        # Counting stops past the limit: the total is then a lower bound.
        assert count(connection=connection, q="lunar", types=["citation"], limit=12) == Total(
            12, False
        )
        assert count(connection=connection, q="lunar", types=["citation"], limit=13) == Total(13)
        # A prefix that is no whole term ("lun") is counted by the prefix query itself.
        prefixed = len(search(connection=connection, q="lun", types=["citation"], limit=200))
        assert count(connection=connection, q="lun", types=["citation"]) == Total(prefixed)
        assert count(connection=connection, q="lun", types=["citation"], limit=12) == Total(
            12, False
        )
        # basis=stated leaves out the one quote that is a premise of an inferred row.
        stated = search(connection=connection, q="lunar", types=["citation"], stated_only=True)
        assert "citation:program-participant-ilrs-roscosmos-row-1" not in _ids(stated)
        assert count(
            connection=connection, q="lunar", types=["citation"], stated_only=True
        ) == Total(12)
        assert search(connection=connection, q="lunar", types=[]) == []
        after = search(
            connection=connection,
            q="russia",
            types=["country", "source"],
            after=(2, "country", "RU"),
        )
        assert _ids(after) == ["source:russia-china-moon-article"]
        for bad, message in (
            (
                lambda: search(connection=connection, q="lunar", types=["planet"]),
                "unknown type",
            ),
            (
                lambda: count(connection=connection, q="lunar", types=["planet"]),
                "unknown type",
            ),
            (lambda: search(connection=connection, q="lunar", limit=0), "limit"),
            (
                lambda: search(connection=connection, q="lunar", after=(3, "program", "x")),
                "position",
            ),
            (
                lambda: search(connection=connection, q="lunar", after=(1, "planet", "x")),
                "position",
            ),
        ):
            with pytest.raises(ValueError, match=message):
                bad()


@pytest.mark.usefixtures("path")
def test_index_follows_inserts_updates_and_deletes(seeded_db: Database) -> None:
    brazil = DOCS.c.id == "country:BR"
    with Session(seeded_db.engine) as session, session.begin():
        session.execute(update(DOCS).where(brazil).values(title="Brasil", title_terms="brasil"))
        session.execute(
            insert(DOCS).values(
                id="country:XX",
                entity_type="country",
                entity_id="XX",
                title="Atlantis",
                body="",
                title_terms="atlantis",
                body_terms="",
            )
        )
    with seeded_db.engine.connect() as connection:
        assert _ids(search(connection=connection, q="brasil")) == ["country:BR"]
        assert "country:BR" not in _ids(search(connection=connection, q="brazil"))
        assert _ids(search(connection=connection, q="atlan")) == ["country:XX"]
    with Session(seeded_db.engine) as session, session.begin():
        session.execute(delete(DOCS).where(DOCS.c.id.in_(["country:BR", "country:XX"])))
    with seeded_db.engine.connect() as connection:
        assert search(connection=connection, q="brasil") == []
        assert search(connection=connection, q="atlantis") == []


def test_a_small_table_is_searched_in_one_index_query(seeded_db: Database) -> None:
    """Fewer search rows than the walk's budget: the index at once, after one bounded count,
    not a walk that reads the table one query per (score, type) segment."""
    with captured(seeded_db.engine) as statements, seeded_db.engine.connect() as connection:
        hits = search(connection=connection, q="lunar", limit=5)
    assert len(hits) == 5
    assert len(statements) == 2, statements


def test_search_uses_the_native_index(seeded_db: Database) -> None:
    with captured(seeded_db.engine) as statements, seeded_db.engine.connect() as connection:
        count(connection=connection, q="lunar moo")
    plan = explain(seeded_db.engine, *statements[-1])
    native = {"sqlite": "SCAN search_fts VIRTUAL TABLE", "postgresql": "ix_search_document_terms"}
    assert native[seeded_db.kind] in plan, plan


def test_sqlite_takes_matches_by_fts_rowid_and_counts_from_fts5_alone(
    seeded_db: Database,
) -> None:
    """SQLite: a match is the FTS5 row's rowid (its index hands it over; a doc_id is a read of
    FTS5's content table per match) and the search row is found by it; with nothing to
    narrow by, the count reads the FTS5 index alone. PostgreSQL: its GIN index, both times."""
    with captured(seeded_db.engine) as statements, seeded_db.engine.connect() as connection:
        assert search(connection=connection, q="lunar moo", limit=3)
        (page,) = statements[-1:]
        count(connection=connection, q="lunar moo")
        (plain,) = statements[-1:]
    page_plan, count_plan = explain(seeded_db.engine, *page), explain(seeded_db.engine, *plain)
    if seeded_db.kind == "sqlite":
        fts_rowid = "SEARCH search_document USING INDEX ix_search_document_fts_rowid"
        assert fts_rowid in page_plan, page_plan
        assert "search_document" not in count_plan, count_plan
    else:
        for plan in (page_plan, count_plan):
            assert "ix_search_document_terms" in plan, plan


def test_a_bounded_count_of_a_common_word_settles_in_key_order(seeded_db: Database) -> None:
    """PostgreSQL settles "at least `limit`" from rows read in key order, not from the GIN
    index's bitmap of every match; SQLite streams its FTS5 matches. The totals are the same
    as the unbounded count's."""
    with seeded_db.engine.connect() as connection:
        exact = count(connection=connection, q="lunar")
        assert exact.exact
        assert exact.value > 3
        with captured(seeded_db.engine) as statements:
            assert count(connection=connection, q="lunar", limit=3) == Total(3, exact=False)
        assert count(connection=connection, q="lunar", limit=exact.value) == exact
        assert count(connection=connection, q="lunar", limit=exact.value - 1) == Total(
            exact.value - 1, exact=False
        )
    test = {"sqlite": "MATCH", "postgresql": "strpos("}[seeded_db.kind]
    assert len(statements) == 1, statements
    assert test in statements[0][0], statements
    if seeded_db.kind == "postgresql":
        # Read through the code-point index of the keys, stopping at the bound: no sort.
        plan = explain(seeded_db.engine, *statements[0])
        assert "Index Scan using ix_search_document_id_c" in plan, plan
        assert "Sort" not in plan, plan
        assert "Bitmap" not in plan, plan


def test_the_walk_reads_each_segment_through_an_index_in_rank_order(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_walk, "INDEX_BELOW", 0)
    with captured(seeded_db.engine) as statements, seeded_db.engine.connect() as connection:
        assert len(search(connection=connection, q="lunar", limit=3)) == 3
    test = {"sqlite": "instr(", "postgresql": "strpos("}[seeded_db.kind]
    chunks = [(sql, params) for sql, params in statements if test in sql]
    assert chunks
    plan = explain(seeded_db.engine, *chunks[0])
    key = {
        # SQLite's primary key of a text column: its automatic index, in code-point order.
        "sqlite": "USING INDEX sqlite_autoindex_search_document_1 (id>? AND id<?)",
        "postgresql": "Index Scan using ix_search_document_id_c",
    }
    assert key[seeded_db.kind] in plan, plan
    # What is sorted is the chunk the index range gave (at most CHUNK rows), never the table.
    assert "SCAN search_document" not in plan, plan
    assert "Seq Scan" not in plan, plan


def test_tokenize_folds_like_the_index() -> None:
    assert tokenize("Russia’s lunar-based R&D and/or U>S>") == [
        *("russia", "s", "lunar", "based", "r", "d", "and", "or", "u", "s"),
    ]
    assert tokenize("Café NAÏVE ﬁre İstanbul") == ["cafe", "naive", "fire", "istanbul"]
    assert tokenize("x" * 200) == ["x" * 200]


@pytest.mark.parametrize("q", ["lunar\x00", "x" * 201])
def test_tokenize_refuses_what_cannot_be_searched(q: str) -> None:
    with pytest.raises(ValueError, match="the query"):
        tokenize(q)


@pytest.mark.parametrize("q", ["", "   ", "?!…—“”’", "_ _"])
def test_a_query_without_letters_or_digits_has_no_terms(q: str) -> None:
    assert tokenize(q) == []


def test_search_rows_are_one_per_entity_and_citation(seeded_db: Database) -> None:
    tables: list[type[SQLModel]] = [Program, Agency, Country, Agreement, Restriction, Event]
    tables += [Source, Citation]
    with seeded_db.engine.connect() as connection:
        kinds = list(connection.execute(select(DOCS.c.entity_type)).scalars())
        sizes = [len(connection.execute(select(table_of(t))).all()) for t in tables]
        titled = select(DOCS.c.entity_type).where(DOCS.c.title_terms != "").distinct()
        titled_types = set(connection.execute(titled).scalars())
    assert [kinds.count(kind) for kind in TYPE_ORDER] == sizes
    # The walk never looks for a citation that scores 2: it would read every one in vain.
    assert titled_types == set(TYPE_ORDER) - {CITATION}


@pytest.mark.usefixtures("path")
def test_the_index_follows_changes_after_a_vacuum(seeded_db: Database) -> None:
    # VACUUM may renumber a table's own rowids; the index keys on fts_rowid, which it keeps.
    with Session(seeded_db.engine) as session, session.begin():
        session.execute(delete(DOCS).where(DOCS.c.entity_type == "citation"))
    with seeded_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM" if seeded_db.kind == "sqlite" else "VACUUM search_document")
    brazil = DOCS.c.id == "country:BR"
    with Session(seeded_db.engine) as session, session.begin():
        session.execute(update(DOCS).where(brazil).values(title="Brasil", title_terms="brasil"))
        session.execute(delete(DOCS).where(DOCS.c.id == "country:US"))
    with seeded_db.engine.connect() as connection:
        assert _ids(search(connection=connection, q="brasil")) == ["country:BR"]
        assert search(connection=connection, q="brazil", types=["country"]) == []
        assert search(connection=connection, q="united states", types=["country"]) == []
        assert _ids(search(connection=connection, q="russia", types=["country"])) == ["country:RU"]


def test_a_word_common_in_quotes_and_rare_elsewhere_gathers_no_quote(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk gives up in the other rows' segments ("also" is in none of them): their
    matches are gathered through their own index, and the citations are read in key order.
    Nothing asks the full index, which would gather every quote that matches."""
    monkeypatch.setattr(search_walk, "INDEX_BELOW", 0)
    monkeypatch.setattr(search_walk, "WALK_BUDGET", 40)  # past the 27 other rows, read twice
    with seeded_db.engine.connect() as connection:
        docs = [dict(r) for r in connection.execute(select(DOCS)).mappings()]
        with captured(seeded_db.engine) as statements:
            hits = search(connection=connection, q="also", limit=3)
    assert hits == _reference(docs, "also")[:3]
    test = {"sqlite": " MATCH ", "postgresql": " @@ "}[seeded_db.kind]
    (gathering,) = [statement for statement in statements if test in statement[0]]
    own = {"sqlite": "SCAN search_entity_fts VIRTUAL TABLE"}
    plan = explain(seeded_db.engine, *gathering)
    assert own.get(seeded_db.kind, "ix_search_document_entity_terms") in plan, plan
    assert "ix_search_document_entity_type" not in plan, plan  # the tier drives, not the type


def test_each_tier_is_gathered_through_its_own_index_not_the_types(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walks that give up at once: the rows that are not citations are gathered through their
    index, the citations through theirs; the types asked narrow what each gives, and never
    drive it (the type's index would read every row of the type)."""
    monkeypatch.setattr(search_walk, "INDEX_BELOW", 0)
    monkeypatch.setattr(search_walk, "WALK_BUDGET", 0)
    types = ["event", "agency", "citation"]
    with seeded_db.engine.connect() as connection:
        docs = [dict(r) for r in connection.execute(select(DOCS)).mappings()]
        with captured(seeded_db.engine) as statements:
            hits = search(connection=connection, q="moon", types=types, limit=200)
    asked = [doc for doc in docs if doc["entity_type"] in types]
    assert hits == _reference(asked, "moon")
    assert {hit.type for hit in hits} == {"event", "citation"}
    test = {"sqlite": " MATCH ", "postgresql": " @@ "}[seeded_db.kind]
    plans = [explain(seeded_db.engine, *s) for s in statements if test in s[0]]
    own = {
        "sqlite": ["SCAN search_entity_fts VIRTUAL TABLE", "SCAN search_citation_fts VIRTUAL"],
        "postgresql": ["ix_search_document_entity_terms", "ix_search_document_citation_terms"],
    }[seeded_db.kind]
    assert len(plans) == len(own), plans
    for plan, index in zip(plans, own, strict=True):
        assert index in plan, plan
        assert "ix_search_document_entity_type" not in plan, plan


TYPE_SETS = [["event"], ["event", "agency"], ["citation"], ["event", "citation"]]
TYPE_SETS += [[t for t in TYPE_ORDER if t != CITATION]]


@pytest.mark.parametrize("types", TYPE_SETS, ids="+".join)
def test_typed_counts_agree_with_the_reference_through_the_tiers_index(
    seeded_db: Database, types: list[str]
) -> None:
    """Types within one tier are counted through its index; across both, through the full
    one. The totals are the reference's, bounded or not, stated only or not."""
    with seeded_db.engine.connect() as connection:
        docs = [dict(r) for r in connection.execute(select(DOCS)).mappings()]
        asked = [doc for doc in docs if doc["entity_type"] in types]
        for q in ("moon", "lunar", "russia", "also", "mo"):
            for stated_only in (False, True):
                rows = [d for d in asked if d["basis"] == "stated"] if stated_only else asked
                n = len(_reference(rows, q))
                kwargs: dict[str, Any] = {
                    "connection": connection,
                    "q": q,
                    "types": types,
                }
                kwargs["stated_only"] = stated_only
                assert count(**kwargs) == Total(n), (q, stated_only)
                if n > 1:
                    assert count(**kwargs, limit=n - 1) == Total(n - 1, exact=False), q
        with captured(seeded_db.engine) as statements:
            count(connection=connection, q="moon", types=types)
    index = {
        "sqlite": {1: "SCAN search_entity_fts", 2: "SCAN search_fts "},
        "postgresql": {1: "ix_search_document_entity_terms", 2: "ix_search_document_terms"},
    }[seeded_db.kind][len({t == CITATION for t in types})]
    if types == [CITATION]:
        index = index.replace("entity", "citation")
    plan = explain(seeded_db.engine, *statements[-1])
    assert index in plan, plan
