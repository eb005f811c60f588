"""Who signed, or intends to sign, which agreement."""

from app.models.support import SubjectType
from app.resources._types import Resource, SeedFile
from app.resources.signatories.documents import build_signatories
from app.resources.signatories.models import Signatory, SignatoryCreate, SignatoryPublic
from app.resources.signatories.queries import (
    SORT_COLUMNS,
    SignatoryFilters,
    SignatorySort,
    list_query,
)

resource = Resource(
    type="signatory",
    collection="signatories",
    description="Who signed, or intends to sign, which agreement.",
    table=Signatory,
    id_column=Signatory.id,
    public=SignatoryPublic,
    build=build_signatories,
    sorts=SignatorySort,
    sort_columns=SORT_COLUMNS,
    default_sort=SignatorySort.id,
    path_param="signatory_id",
    example_id="artemis-accords-brazil",
    list_query=list_query,
    docs=(
        "List signatories",
        "Who signed (or intends to sign) which agreement, across all agreements.",
        "Read a signatory",
        "One party to one agreement, with its status, date as stated and citations.",
    ),
    filters=SignatoryFilters,
    seed=(SeedFile("agreements.yaml", "signatories", SignatoryCreate, SubjectType.signatory),),
)
