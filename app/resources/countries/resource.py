"""Countries, by ISO 3166-1 alpha-2 code."""

from app.models.common import COUNTRY_PATTERN
from app.models.support import SubjectType
from app.resources._types import Resource, SearchRow, SeedFile
from app.resources.countries.documents import build_countries
from app.resources.countries.models import Country, CountryCreate, CountryPublic
from app.resources.countries.queries import SORT_COLUMNS, CountrySort, list_query
from app.services.search_index import document_basis, search_row


def _search(doc: CountryPublic) -> SearchRow:
    return search_row("country", doc.code, doc.name, "", basis=document_basis(doc, "name"))


resource = Resource(
    type="country",
    collection="countries",
    description="Countries, by ISO 3166-1 alpha-2 code.",
    table=Country,
    id_column=Country.code,
    public=CountryPublic,
    build=build_countries,
    sorts=CountrySort,
    sort_columns=SORT_COLUMNS,
    default_sort=CountrySort.code,
    path_param="code",
    example_id="CN",
    list_query=list_query,
    id_pattern=COUNTRY_PATTERN,
    id_max_length=2,
    docs=(
        "List countries",
        "Countries the sources name, by ISO 3166-1 alpha-2 code.",
        "Read a country",
        "One country: its name, its agencies, and the citations naming it.",
    ),
    search=_search,
    seed=(SeedFile("countries.yaml", "countries", CountryCreate, SubjectType.country),),
)
