"""Whose words a quote carries: the article, an agency's statement, a report, no one named."""

from app.models.support import SubjectType
from app.resources._types import Resource, SeedFile
from app.resources.attributions.documents import build_attributions
from app.resources.attributions.models import (
    Attribution,
    AttributionCreate,
    AttributionDetailPublic,
)
from app.resources.attributions.queries import (
    SORT_COLUMNS,
    AttributionFilters,
    AttributionSort,
    list_query,
)

resource = Resource(
    type="attribution",
    collection="attributions",
    description="Whose words each quote carries, and the quotes that say so.",
    table=Attribution,
    id_column=Attribution.id,
    public=AttributionDetailPublic,
    build=build_attributions,
    sorts=AttributionSort,
    sort_columns=SORT_COLUMNS,
    default_sort=AttributionSort.id,
    path_param="attribution_id",
    example_id="cnsa-announcement",
    list_query=list_query,
    docs=(
        "List attributions",
        "Whose words the quotes carry: the article, an agency's statement, a report, or no "
        "one named.",
        "Read an attribution",
        "One attribution: its speaker and reporter as the source gives them, its citations, "
        "and the quotes it covers.",
    ),
    filters=AttributionFilters,
    seed=(
        SeedFile("attributions.yaml", "attributions", AttributionCreate, SubjectType.attribution),
    ),
)
