"""Random sequences of changes through the write path leave every stored document, its reads
and its search row exactly as a full rebuild from the rows would make them, on both engines."""

import copy
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Origin, Revision
from app.resources._types import EntityKey, EntityRows
from app.services.entities import load_all
from app.services.rebuild import build_all, stored
from app.services.write import EntityWrite, write_entities
from tests.conftest import Database

Entities = dict[EntityKey, EntityRows]


@dataclass(frozen=True)
class World:
    current: Entities  # the entities now
    initial: Entities  # the entities as the seed made them


Mutation = Callable[[World, int], EntityWrite | None]


def _pick(keys: list[EntityKey], n: int) -> EntityKey | None:
    return sorted(keys)[n % len(keys)] if keys else None


def _change(
    current: Entities, key: EntityKey | None, table: str, column: str, value: object
) -> EntityWrite | None:
    if key is None:
        return None
    rows = copy.deepcopy(current[key])
    rows[table][0][column] = value
    return EntityWrite(key, rows, "curator:hypothesis")


def shorten_name(world: World, n: int) -> EntityWrite | None:
    """A shorter name that is still words of the row's quote (so the truth rules hold)."""
    named = [
        k
        for k, rows in world.current.items()
        if k[0] in ("agency", "program", "country", "agreement", "restriction")
        and len(rows[k[0]][0]["name"].split()) > 1
    ]
    key = _pick(named, n)
    if key is None:
        return None
    words = world.current[key][key[0]][0]["name"].split()
    return _change(world.current, key, key[0], "name", " ".join(words[: 1 + n % (len(words) - 1)]))


def restore(world: World, n: int) -> EntityWrite | None:
    """Put an entity back as the seed made it (re-creating it if it was deleted)."""
    key = _pick(list(world.initial), n)
    assert key is not None
    return EntityWrite(key, copy.deepcopy(world.initial[key]), "curator:hypothesis")


def delete(world: World, n: int) -> EntityWrite | None:
    """Delete an entity no other entity names (an event or a signatory)."""
    key = _pick([k for k in world.current if k[0] in ("event", "signatory")], n)
    return EntityWrite(key, None, "curator:hypothesis") if key is not None else None


def move_agency(world: World, n: int) -> EntityWrite | None:
    """Give an agency another country: both countries' agency lists change."""
    countries = sorted(k[1] for k in world.current if k[0] == "country")
    key = _pick([k for k in world.current if k[0] == "agency"], n)
    return _change(world.current, key, "agency", "country_code", countries[n % len(countries)])


def edit_text(world: World, n: int) -> EntityWrite | None:
    """Rewrite a paraphrase (no name, no acronym: the rules accept it)."""
    fields = {"agency": "description", "program": "summary", "event": "summary"}
    fields |= {"agreement": "purpose", "restriction": "scope"}
    key = _pick([k for k in world.current if k[0] in fields], n)
    return _change(world.current, key, key[0], fields[key[0]], f"revised text {n}") if key else None


def edit_objective(world: World, n: int) -> EntityWrite | None:
    """Rewrite a program's objective: the documents that refer to the objective show its text."""
    key = _pick([k for k, r in world.current.items() if r.get("program_objective")], n)
    if key is None:
        return None
    rows = copy.deepcopy(world.current[key])
    objectives = rows["program_objective"]
    objectives[n % len(objectives)]["text"] = f"revised objective {n}"
    return EntityWrite(key, rows, "curator:hypothesis")


def drop_event_entity(world: World, n: int) -> EntityWrite | None:
    """An event stops concerning one of its entities: that entity's timeline changes."""
    key = _pick([k for k, r in world.current.items() if len(r.get("event_entity", [])) > 1], n)
    if key is None:
        return None
    rows = copy.deepcopy(world.current[key])
    rows["event_entity"].pop(n % len(rows["event_entity"]))
    return EntityWrite(key, rows, "curator:hypothesis")


def switch_party(world: World, n: int) -> EntityWrite | None:
    """A program participant becomes another agency: both agencies' program lists change."""
    agencies = sorted(k[1] for k in world.current if k[0] == "agency")
    key = _pick(
        [
            k
            for k, r in world.current.items()
            if any(p["agency_id"] for p in r.get("program_participant", []))
        ],
        n,
    )
    if key is None:
        return None
    rows = copy.deepcopy(world.current[key])
    party = [p for p in rows["program_participant"] if p["agency_id"]][n % 2 - 1]
    party["agency_id"] = agencies[n % len(agencies)]
    return EntityWrite(key, rows, "curator:hypothesis")


def retitle(world: World, n: int) -> EntityWrite | None:
    """A source's or an attribution's title changes: every citation that shows it changes."""
    key = _pick([k for k in world.current if k[0] in ("source", "attribution")], n)
    if key is None:
        return None
    column = "title" if key[0] == "source" else "label"
    return _change(world.current, key, key[0], column, f"Retitled {n}")


def drop_quote(world: World, n: int) -> EntityWrite | None:
    """One of a stated claim's several quotes goes: its citation, the source's and the
    attribution's counts, and the subject's document change."""
    claims: list[tuple[EntityKey, tuple[str, str, str]]] = []
    for key, rows in world.current.items():
        seen: dict[tuple[str, str, str], int] = {}
        stated = {
            (s["subject_type"], s["subject_id"], s["claim"])
            for s in rows.get("claim_support", [])
            if s["basis"] == "stated"  # an inference keeps the premises it needs
        }
        for c in rows.get("citation", []):
            claim = (c["subject_type"], c["subject_id"], c["claim"])
            seen[claim] = seen.get(claim, 0) + 1
        claims += [(key, c) for c, count in seen.items() if count > 1 and c in stated]
    if not claims:
        return None
    key, claim = sorted(claims)[n % len(claims)]
    rows = copy.deepcopy(world.current[key])
    quotes = [
        c for c in rows["citation"] if (c["subject_type"], c["subject_id"], c["claim"]) == claim
    ]
    rows["citation"].remove(quotes[n % len(quotes)])
    return EntityWrite(key, rows, "curator:hypothesis")


MUTATIONS: list[Mutation] = [
    retitle,
    drop_quote,
    shorten_name,
    restore,
    delete,
    move_agency,
    edit_text,
    edit_objective,
    drop_event_entity,
    switch_party,
]
STEPS = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(min_value=0, max_value=10_000)),
    min_size=1,
    max_size=6,
)


def _revision_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Revision)).scalar_one())


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_every_document_equals_a_full_rebuild_after_every_change(
    seeded_db: Database, steps: list[tuple[Mutation, int]]
) -> None:
    with seeded_db.engine.connect() as conn:
        outer = conn.begin()  # every example starts from the seed: rolled back at the end
        try:
            with Session(bind=conn) as session:
                initial = load_all(session)
                for mutation, n in steps:
                    current = load_all(session)
                    change = mutation(World(current, initial), n)
                    if change is None:
                        continue
                    revisions = _revision_count(session)
                    result = write_entities(session, writes=[change], origin=Origin.curator)
                    assert _revision_count(session) == revisions + len(result.revisions)
                    assert result.changed == (change.rows != current.get(change.key))
                    assert stored(session) == build_all(session), (mutation.__name__, n)
        finally:
            outer.rollback()
