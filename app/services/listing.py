"""Listing and reading any resource: one page of its stored documents, or one document."""

from typing import Any

from sqlalchemy import Connection
from sqlmodel import col

from app.models.support import SubjectType
from app.resources._types import Resource
from app.services.basis import exclude_inferred
from app.services.dataset import Serving
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort

__all__ = ["list_documents", "read_one"]

SUBJECTS = frozenset(t.value for t in SubjectType)


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
    whole = None
    if fast is not None:
        query, keys, id_column, whole = fast
    else:
        query, claims = resource.list_query(filters, stated_only=stated_only)
        id_column = col(resource.id_column)
        if stated_only and resource.type in SUBJECTS:
            # Rows that exist only through inference, or whose filtered claim is inferred.
            query = exclude_inferred(
                query, subject_type=resource.type, id_column=id_column, claims=claims
            )
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
    )
    return read_documents(connection=connection, kind=resource.type, ids=page.keys), page


def read_one(*, connection: Connection, resource: Resource, ident: str) -> bytes | None:
    """The stored document of one entity, or None."""
    return read_document(connection=connection, kind=resource.type, ident=ident)
