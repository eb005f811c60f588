"""Listing and reading any resource: one page of its stored documents, or one document."""

import functools
from collections.abc import Hashable
from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, Select
from sqlmodel import col

from app.models.support import SubjectType
from app.resources._types import Resource
from app.services.basis import exclude_inferred
from app.services.dataset import Serving
from app.services.documents import read_document, read_documents
from app.services.paging import (
    PageResult,
    PageStatements,
    keyset_page,
    page_statements,
    parse_sort,
)

__all__ = ["list_documents", "read_one"]

SUBJECTS = frozenset(t.value for t in SubjectType)
# Statements kept, each for one resource, filters, basis, sort and page size: recent ones.
KEPT = 512


class _Asked:
    """A list's resource, filters and basis, hashed and compared by what they ask."""

    __slots__ = ("filters", "key", "resource", "stated_only")

    def __init__(self, resource: Resource, filters: Any, stated_only: bool) -> None:
        self.resource, self.filters, self.stated_only = resource, filters, stated_only
        given = (
            ()
            if filters is None
            else tuple((f.name, _frozen(getattr(filters, f.name))) for f in fields(filters))
        )
        # The resource itself (held here, so its id is not reused): a test may make another.
        self.key = (id(resource), given, stated_only)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Asked) and self.key == other.key


def _frozen(value: Any) -> Hashable:
    # A multi-valued filter is a list; its values keep their order (a different order makes an
    # equal statement, kept once more).
    return tuple(value) if isinstance(value, list) else value


# A statement built anew costs its construction, and SQLAlchemy's cache key and result
# mapping of a new object, three times running it: the same list asked again (a dashboard's
# poll, the next version's first page) reuses the one built before. Statements hold no rows.
@functools.lru_cache(maxsize=KEPT)
def _listed(asked: _Asked) -> tuple[Select[Any], Any]:
    """The query of the rows `asked` lists, and its id column."""
    resource = asked.resource
    query, claims = resource.list_query(asked.filters, stated_only=asked.stated_only)
    id_column = col(resource.id_column)
    if asked.stated_only and resource.type in SUBJECTS:
        # Rows that exist only through inference, or whose filtered claim is inferred.
        query = exclude_inferred(
            query, subject_type=resource.type, id_column=id_column, claims=claims
        )
    return query, id_column


@functools.lru_cache(maxsize=KEPT)
def _pages(asked: _Asked, sort: str, limit: int) -> PageStatements:
    """The statements of the pages of `asked` in the (canonical) `sort`."""
    query, id_column = _listed(asked)
    resource = asked.resource
    _, keys = parse_sort(sort, allowed=resource.sort_columns, default=resource.default_sort)
    return page_statements(query=query, keys=keys, id_column=id_column, limit=limit)


def list_documents(
    *,
    connection: Connection,
    resource: Resource,
    filters: Any,
    stated_only: bool,
    sort: str | None,
    limit: int,
    cursor: str | None,
    serving: Serving | None,
) -> tuple[list[bytes], PageResult]:
    """One page of the resource's documents matching `filters`, in the order `sort` asks."""
    canonical, keys = parse_sort(sort, allowed=resource.sort_columns, default=resource.default_sort)
    fast = (
        resource.fast_page(
            filters,
            stated_only=stated_only,
            keys=keys,
            connection=connection,
            sort=canonical,
            cursor=cursor,
        )
        if resource.fast_page
        else None
    )
    whole = statements = None
    if fast is not None:
        query, keys, id_column, whole = fast
    else:
        asked = _Asked(resource, filters, stated_only)
        query, id_column = _listed(asked)
        statements = _pages(asked, canonical, limit)
    page = keyset_page(
        connection=connection,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=id_column,
        limit=limit,
        cursor=cursor,
        serving=serving,
        whole=whole,
        statements=statements,
    )
    return read_documents(connection=connection, kind=resource.type, ids=page.keys), page


def read_one(*, connection: Connection, resource: Resource, ident: str) -> bytes | None:
    """The stored document of one entity, or None."""
    return read_document(connection=connection, kind=resource.type, ident=ident)
