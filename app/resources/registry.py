"""The registry of resources: the app, the dependencies, the write path, search, the seed and
the tests loop over it. Adding a resource is adding its package and a line here."""

from app.resources._types import Resource, SeedFile
from app.resources.agencies import resource as agencies
from app.resources.agreements import resource as agreements
from app.resources.attributions import resource as attributions
from app.resources.citations import resource as citations
from app.resources.countries import resource as countries
from app.resources.events import resource as events
from app.resources.programs import resource as programs
from app.resources.restrictions import resource as restrictions
from app.resources.signatories import resource as signatories
from app.resources.sources import resource as sources

__all__ = [
    "BY_COLLECTION",
    "BY_TYPE",
    "RESOURCES",
    "SEED_FILES",
]

# Parents before what points at them: the order seed files are read, documents built, and the
# API lists them.
RESOURCES: tuple[Resource, ...] = (
    sources.resource,
    countries.resource,
    agencies.resource,
    attributions.resource,
    programs.resource,
    agreements.resource,
    signatories.resource,
    restrictions.resource,
    events.resource,
    citations.resource,
)
BY_TYPE: dict[str, Resource] = {r.type: r for r in RESOURCES}
BY_COLLECTION: dict[str, Resource] = {r.collection: r for r in RESOURCES}


SEED_FILES: tuple[SeedFile, ...] = tuple(f for r in RESOURCES for f in r.seed)
