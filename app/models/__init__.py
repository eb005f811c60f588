"""What every resource shares: the metadata, claims and their support, dates, public parts,
stored documents, the search index and the write path's tables. Each resource's own table and
schemas live in its package (app/resources/<name>/models.py)."""

from app.models.base import metadata
from app.models.documents import EntityDocument
from app.models.keys import ApiKey, KeyScope
from app.models.revisions import (
    ChangeKind,
    DatasetVersion,
    DocumentDependency,
    EntityOrigin,
    Origin,
    Revision,
    Tombstone,
)
from app.models.search import SearchDocument
from app.models.support import ClaimSupport, QuoteSpec, SubjectType

__all__ = [
    "ApiKey",
    "ChangeKind",
    "ClaimSupport",
    "DatasetVersion",
    "DocumentDependency",
    "EntityDocument",
    "EntityOrigin",
    "KeyScope",
    "Origin",
    "QuoteSpec",
    "Revision",
    "SearchDocument",
    "SubjectType",
    "Tombstone",
    "metadata",
]
