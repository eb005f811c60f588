"""Legal restrictions on who may work with whom."""

from app.models.support import SubjectType
from app.resources._types import Part, Resource, SearchRow, SeedFile
from app.resources.restrictions.documents import build_restrictions
from app.resources.restrictions.models import (
    Restriction,
    RestrictionCreate,
    RestrictionParty,
    RestrictionPublic,
)
from app.resources.restrictions.queries import (
    SORT_COLUMNS,
    RestrictionFilters,
    RestrictionSort,
    list_query,
)
from app.services.search_index import document_basis, join_fields, search_row

_TEXT = ("name", "scope", "lifts_when", "effect", "counterpart_phrase")


def _search(doc: RestrictionPublic) -> SearchRow:
    return search_row(
        "restriction",
        doc.id,
        doc.name,
        join_fields(doc.scope, doc.lifts_when, doc.effect, doc.counterpart_phrase),
        basis=document_basis(doc, *_TEXT),
    )


resource = Resource(
    type="restriction",
    collection="restrictions",
    description="Legal restrictions on who may work with whom.",
    table=Restriction,
    id_column=Restriction.id,
    public=RestrictionPublic,
    build=build_restrictions,
    sorts=RestrictionSort,
    sort_columns=SORT_COLUMNS,
    default_sort=RestrictionSort.id,
    path_param="restriction_id",
    example_id="us-nasa-ostp-china-ban",
    list_query=list_query,
    docs=(
        "List legal restrictions",
        "Legal restrictions on who may work with whom, with their conditions and effects.",
        "Read a legal restriction",
        "One restriction: whom it binds, since when, the condition that lifts it, its effect.",
    ),
    filters=RestrictionFilters,
    parts=(Part(RestrictionParty, "restriction_id"),),
    search=_search,
    seed=(
        SeedFile("restrictions.yaml", "restrictions", RestrictionCreate, SubjectType.restriction),
    ),
)
