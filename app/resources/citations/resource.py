"""Every quote that proves a fact, as W3C selectors."""

from app.resources._types import Resource, SearchRow
from app.resources.citations.documents import build_citations
from app.resources.citations.models import Citation, CitationPublic
from app.resources.citations.queries import (
    SORT_COLUMNS,
    CitationFilters,
    CitationSort,
    list_query,
    rare_substring,
)
from app.services.search_index import search_row


def _search(doc: CitationPublic) -> SearchRow:
    # A citation is found by its quote alone; its title only says what the quote supports.
    label = f"{doc.subject.type.value.replace('_', ' ')} {doc.subject.id}: {doc.claim}"
    return search_row(
        "citation", doc.id, label, doc.exact, basis=doc.basis.value, title_searched=False
    )


resource = Resource(
    type="citation",
    collection="citations",
    description="Every quote that proves a fact, as W3C selectors.",
    table=Citation,
    id_column=Citation.id,
    public=CitationPublic,
    build=build_citations,
    sorts=CitationSort,
    sort_columns=SORT_COLUMNS,
    default_sort=CitationSort.id,
    path_param="citation_id",
    example_id="program-ilrs-locations-1",
    list_query=list_query,
    id_max_length=200,
    docs=(
        "List citations",
        "Every quote that backs a fact, with its selectors, attribution and subject.",
        "Read a citation",
        "One citation as a W3C Web Annotation target, with whose words it carries.",
    ),
    filters=CitationFilters,
    search=_search,
    revised=False,
    fast_page=rare_substring,
)
