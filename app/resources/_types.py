"""Named types the resource packages and the write path share."""

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel
from sqlalchemy import Connection, Select
from sqlmodel import Session, SQLModel

from app.models.support import SubjectType

__all__ = [
    "Builder",
    "Built",
    "DepKey",
    "DocKey",
    "EntityKey",
    "EntityRows",
    "Filtered",
    "ListQuery",
    "Part",
    "Resource",
    "Row",
    "SearchRow",
    "SeedFile",
]

Row = dict[str, Any]  # one table row, by column name
EntityRows = dict[str, list[Row]]  # every row of one entity, by table name, in key order
EntityKey = tuple[str, str]  # (resource type, id): what a revision is about
DocKey = tuple[str, str]  # (document type, id): one stored document
DepKey = str  # "table:column=value": one read a document made (app/resources/reads.py)
SearchRow = dict[str, str]


@dataclass(frozen=True)
class Built:
    """One document as built from the rows, and every read it made."""

    id: str
    document: BaseModel
    deps: frozenset[DepKey]


Builder = Callable[[Session, list[str]], list[Built]]
# A list's query, and the claims its filters read (with `basis=stated`, a row whose claim is
# inferred is left out: the listing service adds that to the query).
Filtered = tuple[Select[Any], Sequence[str]]
ListQuery = Callable[..., Filtered]


@dataclass(frozen=True)
class SeedFile:
    """Where a seed folder holds a resource's entries: `key` of `file`, each a `model`."""

    file: str
    key: str
    model: builtins.type[SQLModel]
    subject_type: SubjectType


@dataclass(frozen=True)
class Part:
    """Rows of another table that belong to a resource's entity: `column` holds its id.

    `subject` names the rows' subject type when they carry claims of their own (an objective,
    a participant).
    """

    table: builtins.type[SQLModel]
    column: str
    subject: str | None = None


class FastPage(NamedTuple):
    """A faster way to a page: the query selecting its rows, in the order of `keys`."""

    query: Select[Any]
    keys: list[Any]  # SortKeys
    id_column: Any
    # Given when the query already starts past the page's cursor (in each arm of a union,
    # where the database would not carry a condition on the whole to the right index): the
    # query of the whole list, for a count.
    whole: Callable[[], Select[Any]] | None = None


class FastPager(Protocol):
    """A resource's faster page for some filters and sorts, or None. It is given the connection,
    so that it may ask the data which way is faster (citations' `q`), and the page's cursor
    and canonical sort, so that it may start past the cursor (events)."""

    def __call__(
        self,
        filters: Any,
        /,
        *,
        stated_only: bool,
        keys: list[Any],
        connection: Connection,
        sort: str,
        cursor: str | None,
    ) -> FastPage | None: ...


@dataclass(frozen=True)
class Resource:
    """Everything the app, the write path, search, the seed and the tests need of a resource."""

    type: str  # singular: the document type, the subject type of its own claims
    collection: str  # the URL segment, /v1/<collection>
    description: str  # the OpenAPI tag's
    table: builtins.type[SQLModel]
    id_column: Any
    public: builtins.type[BaseModel]
    build: Builder
    sorts: builtins.type[StrEnum]
    sort_columns: Mapping[str, Any]
    default_sort: str
    path_param: str
    example_id: str
    list_query: ListQuery
    # The OpenAPI summary and description of the list and read operations.
    docs: tuple[str, str, str, str]  # list summary, list description, read summary, read's
    id_pattern: str = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
    id_max_length: int = 100
    filters: builtins.type | None = None  # a dataclass whose fields are the list's query parameters
    parts: Sequence[Part] = ()
    seed: Sequence[SeedFile] = ()  # read in registry order, after sources.yaml
    search: Callable[[Any], SearchRow | None] | None = None
    # Whether the entity has a revision history (citations are views of their subjects' rows).
    revised: bool = True
    stated_filter: bool = True  # whether `basis=stated` applies to the list
    fast_page: FastPager | None = None
