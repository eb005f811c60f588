"""Space agencies, government offices and legislatures."""

from app.models.support import SubjectType
from app.resources._types import Resource, SearchRow, SeedFile
from app.resources.agencies.documents import build_agencies
from app.resources.agencies.models import Agency, AgencyCreate, AgencyPublic
from app.resources.agencies.queries import SORT_COLUMNS, AgencyFilters, AgencySort, list_query
from app.services.search_index import document_basis, named, search_row


def _search(doc: AgencyPublic) -> SearchRow:
    return search_row(
        "agency",
        doc.id,
        named(doc.name, doc.acronym),
        doc.description or "",
        basis=document_basis(doc, "name", "acronym", "description"),
    )


resource = Resource(
    type="agency",
    collection="agencies",
    description="Space agencies, government offices, legislatures.",
    table=Agency,
    id_column=Agency.id,
    public=AgencyPublic,
    build=build_agencies,
    sorts=AgencySort,
    sort_columns=SORT_COLUMNS,
    default_sort=AgencySort.id,
    path_param="agency_id",
    example_id="roscosmos",
    list_query=list_query,
    docs=(
        "List agencies",
        "Space agencies, government offices and legislatures, with their citations.",
        "Read an agency",
        "One agency: its country, the programs it takes part in, and its citations.",
    ),
    filters=AgencyFilters,
    search=_search,
    seed=(SeedFile("agencies.yaml", "agencies", AgencyCreate, SubjectType.agency),),
)
