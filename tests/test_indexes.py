"""Every filter and every sort the list endpoints offer is served by an index, on both engines.

Three checks: the indexes the migrations make are exactly the ones listed here; every sort of
every service's sort table, and every filter column, leads an index in the models; and the
queries the services really build are planned onto those indexes (SQLite's EXPLAIN QUERY PLAN;
PostgreSQL's EXPLAIN with sequential scans priced out, since on a table of a few seed rows it
would rightly prefer them).
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Column, Connection, UniqueConstraint, inspect
from sqlmodel import Session

from app.models import metadata
from app.resources.registry import BY_TYPE, RESOURCES
from app.services.listing import list_documents
from tests.conftest import Database
from tests.helpers import captured

# The ix_ indexes of each table a list endpoint filters or sorts: name -> columns.
EXPECTED: dict[str, dict[str, list[str]]] = {
    "signatory": {
        "ix_signatory_agreement": ["agreement_id", "id"],
        "ix_signatory_agreement_sort": ["agreement_id", "date_sort", "id"],
        "ix_signatory_agency_id": ["agency_id", "id"],
        "ix_signatory_agency_sort": ["agency_id", "date_sort", "id"],
        "ix_signatory_country_code": ["country_code", "id"],
        "ix_signatory_country_sort": ["country_code", "date_sort", "id"],
        "ix_signatory_status": ["status", "id", "date_upper", "date_edtf"],
        "ix_signatory_status_sort": ["status", "date_sort", "id"],
        "ix_signatory_sort": ["date_sort", "id"],
    },
    "event": {
        "ix_event_sort": ["date_sort", "id"],
        "ix_event_kind": ["kind", "id"],
        "ix_event_kind_sort": ["kind", "date_sort", "id"],
        "ix_event_date_lower": ["date_lower"],
        "ix_event_date_upper": ["date_upper"],
    },
    "event_entity": {
        "ix_event_entity_entity": ["entity_type", "entity_id"],
        "ix_event_entity_entity_id": ["entity_id", "event_id"],
        "ix_event_entity_timeline": ["entity_id", "date_sort", "event_id"],
    },
    "citation": {
        "ix_citation_subject": ["subject_type", "subject_id"],
        "ix_citation_source": ["source_id", "id"],
        "ix_citation_source_start": ["source_id", "start", "id"],
        "ix_citation_attribution_id": ["attribution_id", "id"],
        "ix_citation_start": ["start", "id"],
    },
    "agreement": {
        "ix_agreement_kind": ["kind"],
        "ix_agreement_program_id": ["program_id"],
        "ix_agreement_name": ["name", "id"],
        "ix_agreement_sort": ["date_sort", "id"],
    },
    "program": {"ix_program_name": ["name", "id"]},
    "program_participant": {
        "ix_program_participant_agency_id": ["agency_id"],
        "ix_program_participant_country_code": ["country_code"],
        "ix_program_participant_program": ["program_id", "id"],
    },
    "program_location": {"ix_program_location_location": ["location"]},
    "agency": {
        "ix_agency_country_code": ["country_code"],
        "ix_agency_kind": ["kind"],
        "ix_agency_name": ["name", "id"],
    },
    "country": {"ix_country_name": ["name", "code"]},
    "restriction": {
        "ix_restriction_jurisdiction_code": ["jurisdiction_code"],
        "ix_restriction_counterpart_country_code": ["counterpart_country_code"],
        "ix_restriction_effect_program_id": ["effect_program_id"],
        "ix_restriction_since": ["since_lower", "id"],
        "ix_restriction_name": ["name", "id"],
    },
    "restriction_party": {"ix_restriction_party_agency_id": ["agency_id"]},
    "source": {"ix_source_title": ["title", "id"]},
}

# Every column a list_* function filters on, directly or inside an IN-subquery, as the leading
# columns of the index that serves it. as_of (status = 'signed' AND date_upper <= day) is read
# from the status index in id order, its date checked in the index, so that the first page
# stops at the first 50 matches instead of sorting them all.
FILTERS: dict[str, list[list[str]]] = {
    "program_participant": [["agency_id"], ["country_code"], ["program_id"]],
    "program_location": [["location"]],
    "agency": [["country_code"], ["kind"]],
    "agreement": [["program_id"], ["kind"]],
    "signatory": [
        ["agreement_id"],
        ["agency_id"],
        ["country_code"],
        ["status"],
        ["status", "id", "date_upper"],
    ],
    "restriction": [["jurisdiction_code"], ["counterpart_country_code"], ["since_lower"]],
    "restriction_party": [["agency_id"]],
    "event": [["kind"], ["date_lower"], ["date_upper"]],
    "event_entity": [["entity_id"]],
    "citation": [["source_id"], ["attribution_id"]],
}

SORT_TABLES: dict[str, Any] = {r.type: r.sort_columns for r in RESOURCES}


def _leading_columns(table: str) -> list[list[str]]:
    """The column lists of the table's primary key, unique constraints and indexes."""
    t = metadata.tables[table]
    found = [[c.name for c in t.primary_key.columns]]
    found += [[c.name for c in ix.columns] for ix in t.indexes]
    found += [
        [c.name for c in uc.columns] for uc in t.constraints if isinstance(uc, UniqueConstraint)
    ]
    return found


# Indexes no model declares (migrations own them), as each engine reflects them: SQLite's
# reflection skips expression indexes, and its trigram index is an FTS5 table.
NATIVE: dict[str, dict[str, dict[str, list[str | None]]]] = {
    "sqlite": {},
    "postgresql": {
        "event": {
            "ix_event_span": [None, "date_sort", "id", "date_upper"],
            "ix_event_kind_span": ["kind", None, "date_sort", "id", "date_upper"],
        },
        "citation": {"ix_citation_exact_trgm": ["exact"]},
        "search_document": {"ix_search_document_id_c": ["id"]},
    },
}


def test_the_migrated_indexes_are_exactly_these(migrated_db: Database) -> None:
    inspector = inspect(migrated_db.engine)
    for table, declared in EXPECTED.items():
        expected = {**declared, **NATIVE[migrated_db.kind].get(table, {})}
        found = {
            str(ix["name"]): list(ix["column_names"])
            for ix in inspector.get_indexes(table)
            if str(ix["name"]).startswith("ix_")
        }
        assert found == expected, table


@pytest.mark.parametrize("table", sorted(SORT_TABLES))
def test_every_sort_has_an_index_ending_in_the_id(table: str) -> None:
    pk = [c.name for c in metadata.tables[table].primary_key.columns]
    assert len(pk) == 1
    indexed = _leading_columns(table)
    for name, attribute in SORT_TABLES[table].items():
        column = attribute.expression
        assert isinstance(column, Column), name
        assert column.table.name == table, name
        wanted = pk if column.name == pk[0] else [column.name, pk[0]]
        assert any(cols[: len(wanted)] == wanted for cols in indexed), f"{table} sort={name}"


@pytest.mark.parametrize("table", sorted(FILTERS))
def test_every_filter_column_leads_an_index(table: str) -> None:
    indexed = _leading_columns(table)
    missing = [
        wanted
        for wanted in FILTERS[table]
        if not any(cols[: len(wanted)] == wanted for cols in indexed)
    ]
    assert missing == []


def _lister(kind: str) -> Callable[..., Any]:
    """A resource's list service, called as the route calls it (no dataset version)."""
    resource = BY_TYPE[kind]

    def run(
        *, session: Session, limit: int, cursor: str | None, sort: str | None, **given: Any
    ) -> Any:
        filters = resource.filters(**given) if resource.filters else None
        return list_documents(
            connection=session.connection(),
            resource=resource,
            filters=filters,
            stated_only=False,
            sort=sort,
            limit=limit,
            cursor=cursor,
            serving=None,
        )

    return run


SIGNATORIES: dict[str, Any] = {
    "agreement": [],
    "program": [],
    "country": [],
    "agency": [],
    "status": [],
    "as_of": None,
    "include_undated": False,
    "sort": None,
}
EVENTS: dict[str, Any] = {"kind": [], "entity": [], "start": None, "end": None, "sort": None}
CITATIONS: dict[str, Any] = {"source": [], "attribution": [], "q": None, "sort": None}

# (service, its filters, the table listed, the index its page query must read in order)
PLANS: dict[str, tuple[Callable[..., Any], dict[str, Any], str, str]] = {
    "signatory status": (
        _lister("signatory"),
        {**SIGNATORIES, "status": ["signed"]},
        "signatory",
        "ix_signatory_status",
    ),
    "signatory status by date": (
        _lister("signatory"),
        {**SIGNATORIES, "status": ["counterparty"], "sort": "date"},
        "signatory",
        "ix_signatory_status_sort",
    ),
    "signatory agreement": (
        _lister("signatory"),
        {**SIGNATORIES, "agreement": ["ilrs-mou"]},
        "signatory",
        "ix_signatory_agreement",
    ),
    "signatory agreement by date": (
        _lister("signatory"),
        {**SIGNATORIES, "agreement": ["ilrs-mou"], "sort": "-date"},
        "signatory",
        "ix_signatory_agreement_sort",
    ),
    "signatory country by date": (
        _lister("signatory"),
        {**SIGNATORIES, "country": ["CN"], "sort": "date"},
        "signatory",
        "ix_signatory_country_sort",
    ),
    "signatory agency": (
        _lister("signatory"),
        {**SIGNATORIES, "agency": ["roscosmos"]},
        "signatory",
        "ix_signatory_agency_id",
    ),
    "signatory as_of": (
        _lister("signatory"),
        {**SIGNATORIES, "as_of": dt.date(2024, 1, 1)},
        "signatory",
        "ix_signatory_status",
    ),
    "signatory as_of with undated": (
        _lister("signatory"),
        {**SIGNATORIES, "as_of": dt.date(2024, 1, 1), "include_undated": True},
        "signatory",
        "ix_signatory_status",
    ),
    "signatory sort=agreement": (
        _lister("signatory"),
        {**SIGNATORIES, "sort": "agreement"},
        "signatory",
        "ix_signatory_agreement",
    ),
    "event kind": (
        _lister("event"),
        {**EVENTS, "kind": ["statement"]},
        "event",
        "ix_event_kind_sort",
    ),
    "event sort=kind": (_lister("event"), {**EVENTS, "sort": "kind"}, "event", "ix_event_kind"),
    "event entity": (
        _lister("event"),
        {**EVENTS, "entity": ["ilrs"]},
        "event_entity",
        "ix_event_entity_timeline",
    ),
    "event entities": (
        _lister("event"),
        {**EVENTS, "entity": ["ilrs", "artemis"]},
        "event_entity",
        "ix_event_entity_timeline",
    ),
    "citation source": (
        _lister("citation"),
        {**CITATIONS, "source": ["article"]},
        "citation",
        "ix_citation_source",
    ),
    "citation source by start": (
        _lister("citation"),
        {**CITATIONS, "source": ["article"], "sort": "-start"},
        "citation",
        "ix_citation_source_start",
    ),
    "citation attribution": (
        _lister("citation"),
        {**CITATIONS, "attribution": ["cnsa-announcement"]},
        "citation",
        "ix_citation_attribution_id",
    ),
    "citation sort=start": (
        _lister("citation"),
        {**CITATIONS, "sort": "start"},
        "citation",
        "ix_citation_start",
    ),
}


def _indexes(db: Database, table: str) -> list[Any]:
    return list(inspect(db.engine).get_indexes(table))


def _plan(db: Database, conn: Connection, statement: str, params: Any) -> list[str]:
    if db.kind == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
        return [str(row[3]) for row in rows]
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return [str(row[0]) for row in conn.exec_driver_sql("EXPLAIN " + statement, params).all()]


def _index_reads(db: Database, plan: list[str], table: str) -> tuple[set[str], list[str]]:
    """The indexes of table the plan reads, and the plan lines that read the table whole."""
    if db.kind == "sqlite":
        used = re.compile(rf"^(?:SEARCH|SCAN) {table} USING (?:COVERING )?INDEX (\w+)")
        whole = re.compile(rf"^SCAN {table}$")
    else:
        # A bitmap scan names only its index: keep the names that are this table's indexes.
        used = re.compile(
            r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)"
        )
        whole = re.compile(rf"Seq Scan on {table}\b")
    indexes = {m.group(1) for line in plan if (m := used.search(line.strip()))}
    if db.kind == "postgresql":
        indexes &= {str(ix["name"]) for ix in _indexes(db, table)}
    return indexes, [line for line in plan if whole.search(line.strip())]


@pytest.mark.parametrize("case", sorted(PLANS))
def test_the_services_queries_read_the_indexes(seeded_db: Database, case: str) -> None:
    service, filters, table, index = PLANS[case]
    with captured(seeded_db.engine) as statements, Session(seeded_db.engine) as session:
        service(session=session, limit=20, cursor=None, **filters)
    pages = [(s, p) for s, p in statements if "ORDER BY" in s and "LIMIT" in s]
    assert len(pages) == 1
    with seeded_db.engine.connect() as conn, conn.begin():
        plan = _plan(seeded_db, conn, *pages[0])
    indexes, scans = _index_reads(seeded_db, plan, table)
    if seeded_db.kind == "postgresql":
        # Over a few seed rows PostgreSQL's costs may prefer a sibling index on the same
        # filter column and sort the handful of rows; what matters is that one is used.
        leading = {str(ix["name"]): ix["column_names"][0] for ix in _indexes(seeded_db, table)}
        indexes = {index} if {leading[i] for i in indexes} == {leading[index]} else indexes
    assert (indexes, scans) == ({index}, []), plan
    if seeded_db.kind == "sqlite" and table != "event_entity":
        # The rows come out of the index in page order: nothing is sorted per request.
        assert not any("TEMP B-TREE" in line for line in plan), plan
