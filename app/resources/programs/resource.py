"""Programs of space cooperation (ILRS, Artemis), with everything they carry."""

from app.models.support import SubjectType
from app.resources._types import Part, Resource, SearchRow, SeedFile
from app.resources.agreements.models import ReportedCount
from app.resources.programs.documents import build_programs
from app.resources.programs.models import (
    Program,
    ProgramCreate,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
    ProgramPublic,
)
from app.resources.programs.queries import SORT_COLUMNS, ProgramFilters, ProgramSort, list_query
from app.services.search_index import document_basis, join_fields, named, search_row


def _search(doc: ProgramPublic) -> SearchRow:
    own = document_basis(doc, "name", "acronym", "summary", "description")
    parts = [own, document_basis(doc, "openness")]
    parts += [document_basis(o, "text") for o in doc.objectives]
    return search_row(
        "program",
        doc.id,
        named(doc.name, doc.acronym),
        join_fields(doc.summary, doc.description, doc.openness, *(o.text for o in doc.objectives)),
        basis="inferred" if "inferred" in parts else own,
    )


resource = Resource(
    type="program",
    collection="programs",
    description="Programs of space cooperation (ILRS, Artemis).",
    table=Program,
    id_column=Program.id,
    public=ProgramPublic,
    build=build_programs,
    sorts=ProgramSort,
    sort_columns=SORT_COLUMNS,
    default_sort=ProgramSort.id,
    path_param="program_id",
    example_id="ilrs",
    list_query=list_query,
    docs=(
        "List programs",
        "Programs of international space cooperation, each with every citation that backs it.",
        "Read a program",
        "One program: locations, objectives, participants, agreements, events and citations.",
    ),
    filters=ProgramFilters,
    parts=(
        Part(ProgramLocation, "program_id"),
        Part(ProgramObjective, "program_id", subject="program_objective"),
        Part(ProgramParticipant, "program_id", subject="program_participant"),
        Part(ReportedCount, "program_id", subject="reported_count"),
    ),
    search=_search,
    seed=(SeedFile("programs.yaml", "programs", ProgramCreate, SubjectType.program),),
)
