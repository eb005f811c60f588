"""Tables and schemas. Importing this package registers every table on the shared metadata."""

from app.models.agreements import (
    Agreement,
    AgreementCreate,
    AgreementKind,
    ReportedCount,
    ReportedCountCreate,
    Signatory,
    SignatoryCreate,
    SignatoryStatus,
)
from app.models.base import metadata
from app.models.documents import EntityDocument
from app.models.entities import (
    Agency,
    AgencyCreate,
    AgencyKind,
    Country,
    CountryCreate,
    Location,
    ParticipantRole,
    Program,
    ProgramCreate,
    ProgramLocation,
    ProgramObjective,
    ProgramParticipant,
)
from app.models.events import Event, EventCreate, EventEntity, EventKind, EventStatus
from app.models.restrictions import Restriction, RestrictionCreate, RestrictionParty
from app.models.revisions import ChangeKind, DocumentDependency, EntityOrigin, Origin, Revision
from app.models.search import SearchDocument
from app.models.sources import (
    Attribution,
    Citation,
    ClaimSupport,
    DatasetVersion,
    QuoteSpec,
    Source,
    SubjectType,
)

__all__ = [
    "Agency",
    "AgencyCreate",
    "AgencyKind",
    "Agreement",
    "AgreementCreate",
    "AgreementKind",
    "Attribution",
    "ChangeKind",
    "Citation",
    "ClaimSupport",
    "Country",
    "CountryCreate",
    "DatasetVersion",
    "DocumentDependency",
    "EntityDocument",
    "EntityOrigin",
    "Event",
    "EventCreate",
    "EventEntity",
    "EventKind",
    "EventStatus",
    "Location",
    "Origin",
    "ParticipantRole",
    "Program",
    "ProgramCreate",
    "ProgramLocation",
    "ProgramObjective",
    "ProgramParticipant",
    "QuoteSpec",
    "ReportedCount",
    "ReportedCountCreate",
    "Restriction",
    "RestrictionCreate",
    "RestrictionParty",
    "Revision",
    "SearchDocument",
    "Signatory",
    "SignatoryCreate",
    "SignatoryStatus",
    "Source",
    "SubjectType",
    "metadata",
]
