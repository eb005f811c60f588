"""The registry of resources: the app, the dependencies, the write path, search, the seed and
the tests loop over it. Adding a resource is adding its package and a line here."""

from app.resources import (
    agencies,
    agreements,
    attributions,
    citations,
    countries,
    events,
    programs,
    restrictions,
    signatories,
    sources,
)
from app.resources._types import Resource

__all__ = ["BY_COLLECTION", "BY_TYPE", "RESOURCES", "SUBJECT_OWNERS", "resource_of"]

# Parents before what points at them: the order documents are built and the API lists them.
RESOURCES: tuple[Resource, ...] = (
    programs.resource,
    agencies.resource,
    countries.resource,
    agreements.resource,
    signatories.resource,
    restrictions.resource,
    events.resource,
    sources.resource,
    citations.resource,
    attributions.resource,
)
BY_TYPE: dict[str, Resource] = {r.type: r for r in RESOURCES}
BY_COLLECTION: dict[str, Resource] = {r.collection: r for r in RESOURCES}
# Subject types whose claims live in another resource's rows (an objective's are its program's).
SUBJECT_OWNERS: dict[str, tuple[Resource, str]] = {
    part.subject: (r, part.column) for r in RESOURCES for part in r.parts if part.subject
}


def resource_of(kind: str) -> Resource:
    return BY_TYPE[kind]
