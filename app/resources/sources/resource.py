"""Source documents, verbatim, with their SHA-256."""

from app.resources._types import Resource, SearchRow
from app.resources.sources.documents import build_sources
from app.resources.sources.models import Source, SourcePublic
from app.resources.sources.queries import SORT_COLUMNS, SourceSort, list_query
from app.services.search_index import search_row


def _search(doc: SourcePublic) -> SearchRow:
    return search_row("source", doc.id, doc.title, "")


resource = Resource(
    type="source",
    collection="sources",
    description="Source documents, verbatim, with their SHA-256.",
    table=Source,
    id_column=Source.id,
    public=SourcePublic,
    build=build_sources,
    sorts=SourceSort,
    sort_columns=SORT_COLUMNS,
    default_sort=SourceSort.id,
    path_param="source_id",
    example_id="russia-china-moon-article",
    list_query=list_query,
    docs=(
        "List sources",
        "The source documents every citation quotes, with their SHA-256 and length.",
        "Read a source",
        "One source's metadata; its text is at `text_url`.",
    ),
    search=_search,
    stated_filter=False,
)
