"""Memoranda and accords, with counted parties."""

from app.models.support import SubjectType
from app.resources._types import Part, Resource, SearchRow, SeedFile
from app.resources.agreements.documents import build_agreements
from app.resources.agreements.models import (
    Agreement,
    AgreementCreate,
    AgreementPublic,
    ReportedCount,
    ReportedCountCreate,
)
from app.resources.agreements.queries import (
    SORT_COLUMNS,
    AgreementFilters,
    AgreementSort,
    list_query,
)
from app.services.search_index import document_basis, join_fields, search_row


def _search(doc: AgreementPublic) -> SearchRow:
    return search_row(
        "agreement",
        doc.id,
        doc.name,
        join_fields(doc.purpose, doc.effect),
        basis=document_basis(doc, "name", "purpose", "effect"),
    )


resource = Resource(
    type="agreement",
    collection="agreements",
    description="Memoranda and accords, with counted parties.",
    table=Agreement,
    id_column=Agreement.id,
    public=AgreementPublic,
    build=build_agreements,
    sorts=AgreementSort,
    sort_columns=SORT_COLUMNS,
    default_sort=AgreementSort.id,
    path_param="agreement_id",
    example_id="artemis-accords",
    list_query=list_query,
    docs=(
        "List agreements",
        "Agreements (memoranda, accords), with dates as stated and parties counted but unnamed.",
        "Read an agreement",
        "One agreement: its program, date, purpose, effect, reported counts and citations.",
    ),
    filters=AgreementFilters,
    parts=(Part(ReportedCount, "agreement_id", subject="reported_count"),),
    search=_search,
    seed=(
        SeedFile("agreements.yaml", "agreements", AgreementCreate, SubjectType.agreement),
        SeedFile(
            "agreements.yaml", "reported_counts", ReportedCountCreate, SubjectType.reported_count
        ),
    ),
)
