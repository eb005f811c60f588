"""Events by date range through ix_event_span: the general query's pages, read by index ranges."""

import base64
import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select, text
from sqlmodel import Session, col

from app.models.base import table_of
from app.resources.events.models import Event, EventKind
from app.resources.events.queries import SORT_COLUMNS, EventFilters, list_query
from app.resources.events.spans import SPAN_CLASS_SQL
from app.resources.registry import BY_TYPE
from app.services.listing import list_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from tests.conftest import Database
from tests.helpers import captured, explain

VERSIONS = Path(__file__).parents[1] / "migrations/versions"
MIGRATION = VERSIONS / "20261203_a31d248d6073_event_span_index.py"
COVERING = VERSIONS / "20261203_7a6d9cef33ea_event_span_index_covers_its_columns.py"
BY_KIND = VERSIONS / "20261203_5c2e8b7f1d04_event_kind_span_index.py"
# Open sides, years, months, days, a decade, before and after every event, one day.
RANGES: list[tuple[Any, Any]] = [
    ("2025", "2025"),
    ("2029", None),
    (None, "1970"),
    ("2011", "2011"),
    ("2020", "2029"),
    ("2024-06", "2026-02"),
    ("2023-10-01", "2023-10-31"),
    (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
    ("0001", "0005"),
    ("9000", None),
    (None, "2030"),
]


def _module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_index_the_expression_the_query_uses() -> None:
    assert _module(MIGRATION).SPAN_CLASS == SPAN_CLASS_SQL
    assert SPAN_CLASS_SQL["postgresql"] == _module(COVERING).SPAN_CLASS
    assert _module(BY_KIND).SPAN_CLASS == SPAN_CLASS_SQL


def _walk(db: Database, filters: EventFilters, sort: str, *, general: bool) -> list[Any]:
    """Every page at limit 2 (ids and totals), by the listing or by the general query."""
    pages: list[Any] = []
    cursor = None
    with db.engine.connect() as connection:
        while True:
            if general:
                canonical, keys = parse_sort(sort, allowed=SORT_COLUMNS, default="date")
                query, _ = list_query(filters, stated_only=False)
                page: PageResult = keyset_page(
                    connection=connection,
                    query=query,
                    sort=canonical,
                    keys=keys,
                    id_column=col(Event.id),
                    limit=2,
                    cursor=cursor,
                    serving=None,
                )
            else:
                _, page = list_documents(
                    connection=connection,
                    resource=BY_TYPE["event"],
                    filters=filters,
                    stated_only=False,
                    sort=sort,
                    limit=2,
                    cursor=cursor,
                    serving=None,
                )
            pages.append((page.keys, page.total))
            if page.next_cursor is None:
                return pages
            cursor = page.next_cursor


# Spans of every class beside the seed's, each beginning well before ranges it reaches into.
SPANS = [
    ("2024", "2024-01-01", "2024-12-31"),
    ("2024-05", "2024-05-01", "2024-05-31"),
    ("201X", "2010-01-01", "2019-12-31"),
    ("19XX", "1900-01-01", "1999-12-31"),
    ("1900/2100", "1900-01-01", "2100-12-31"),
    ("../2024", None, "2024-12-31"),
    ("2024/..", "2024-01-01", None),
]


def _add_spans(db: Database) -> None:
    names = [c.name for c in table_of(Event).columns if not c.name.startswith("date_")]
    names.remove("id")
    columns = ", ".join(f'"{name}"' for name in names)
    with Session(db.engine) as session, session.begin():
        template = session.execute(select(col(Event.id)).order_by(col(Event.id))).scalar()
        for i, (edtf, lower, upper) in enumerate(SPANS):
            session.execute(
                text(
                    f"INSERT INTO event (id, {columns}, date_edtf, date_phrase, date_lower, "
                    f"date_upper, date_sort) SELECT :id, {columns}, :edtf, :edtf, :lower, "
                    ":upper, :sort FROM event WHERE id = :template"
                ),
                {
                    "id": f"zz-span-{i}",
                    "edtf": edtf,
                    "lower": lower and dt.date.fromisoformat(lower),
                    "upper": upper and dt.date.fromisoformat(upper),
                    "sort": dt.date.fromisoformat(lower or upper or "9999-12-31"),
                    "template": template,
                },
            )


# The kinds asked beside each range: none; one and two (arms by kind and class); three (arms by
# class). The seed's dated events are milestones and a restriction; the spans are milestones.
KINDS: list[list[EventKind] | None] = [
    None,
    [EventKind.restriction_in_force],
    [EventKind.planned_milestone, EventKind.statement],
    [EventKind.statement, EventKind.planned_milestone, EventKind.restriction_in_force],
]


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_each_range_pages_as_the_general_query(seeded_db: Database, sort: str) -> None:
    _add_spans(seeded_db)
    found = [0] * len(KINDS)
    for start, end in RANGES:
        for n, kind in enumerate(KINDS):
            filters = EventFilters(start=start, end=end, kind=kind)
            pages = _walk(seeded_db, filters, sort, general=False)
            assert pages == _walk(seeded_db, filters, sort, general=True), (start, end, kind)
            found[n] += sum(len(keys) for keys, _ in pages)
    # Not vacuous: most ranges hold events, of every class, and every choice of kinds finds some.
    assert found == [60, 9, 51, 60]


def _page(db: Database, filters: EventFilters, *, limit: int, cursor: str | None) -> PageResult:
    """A page of events by date, as the list endpoint reads it."""
    with db.engine.connect() as connection:
        _, page = list_documents(
            connection=connection,
            resource=BY_TYPE["event"],
            filters=filters,
            stated_only=False,
            sort="date",
            limit=limit,
            cursor=cursor,
            serving=None,
        )
    return page


def _plan(db: Database, filters: EventFilters, cursor: str | None = None) -> str:
    with captured(db.engine) as statements:
        _page(db, filters, limit=2, cursor=cursor)
    return explain(db.engine, *next((s, p) for s, p in statements if "ORDER BY" in s))


def test_a_range_is_read_as_merged_index_ranges(seeded_db: Database) -> None:
    plan = _plan(seeded_db, EventFilters(start="2025", end="2025"))
    assert "ix_event_span" in plan, plan
    merged = {"sqlite": "MERGE (UNION ALL)", "postgresql": "Merge Append"}[seeded_db.kind]
    assert merged in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite sorts nothing
    assert "->  Sort" not in plan, plan  # nor does PostgreSQL
    # PostgreSQL reads no table row either: every column the class expression reads is held.
    assert "Index Scan" not in plan.replace("Index Only Scan", ""), plan


def test_a_range_of_one_or_two_kinds_is_read_by_kind(seeded_db: Database) -> None:
    for kinds in KINDS[1:3]:
        assert kinds is not None
        plan = _plan(seeded_db, EventFilters(start="2025", end="2025", kind=list(kinds)))
        assert "ix_event_kind_span" in plan, plan
        assert "ix_event_span" not in plan, plan
        merged = {"sqlite": "MERGE (UNION ALL)", "postgresql": "Merge Append"}[seeded_db.kind]
        assert merged in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "->  Sort" not in plan, plan
        assert "Index Scan" not in plan.replace("Index Only Scan", ""), plan


def test_a_later_page_starts_each_range_at_the_cursor(seeded_db: Database) -> None:
    """Each arm reads from the cursor on, or from its class's date bound where that is later,
    never with both: SQLite starts an index range at one bound only, and with both it started
    at the date (reading every row of the class before the cursor: 5-10 ms a deep page at a
    million events), and left ix_event_kind_span for ix_event_span."""
    _add_spans(seeded_db)
    at_cursor = 0
    for kinds in (None, [EventKind.planned_milestone]):
        filters = EventFilters(start="2025", end="2025", kind=kinds)
        cursor = _page(seeded_db, filters, limit=1, cursor=None).next_cursor
        while cursor is not None:
            plan = _plan(seeded_db, filters, cursor)
            sqlite = seeded_db.kind == "sqlite"
            # Each arm's index read: SQLite's SEARCH, PostgreSQL's Index Cond.
            scans = [
                line for line in plan.split(") (") if "SEARCH event" in line or "Index Cond" in line
            ]
            at = "(date_sort,id)>(?,?)" if sqlite else "ROW("
            assert len(scans) == 7, plan  # one arm per class
            if sqlite:
                index = "ix_event_kind_span" if kinds else "ix_event_span ("
                assert all(index in line for line in scans), plan
                for line in scans:
                    assert ("date_sort>?" in line) != (at in line), plan
            else:
                assert "Merge Append" in plan, plan
                assert "->  Sort" not in plan, plan
            if _cursor_date(cursor) >= dt.date(2025, 1, 1):  # past every class's bound
                assert all(at in line for line in scans), plan
                at_cursor += 1
            cursor = _page(seeded_db, filters, limit=1, cursor=cursor).next_cursor
    assert at_cursor > 0  # not vacuous: some pages start every arm at the cursor


def _cursor_date(cursor: str) -> dt.date:
    data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return dt.date.fromisoformat(data["k"][0])
