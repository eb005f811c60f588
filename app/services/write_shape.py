"""An entity's write body from its rows (what a PATCH is merged into), JSON Merge Patch, and the
JSON a tombstone keeps an entity's rows in.

`body_of` is the inverse of the seed's planning (app/services/seed_plan.py `entity_rows`,
`claim_rows`, `citation_rows`): planning the body it returns gives back the same rows, which
tests/test_curate.py checks for every entity of the seed.
"""

import datetime as dt
from typing import Any, get_args

import orjson
from sqlalchemy import Date, DateTime

from app.models.base import table_of
from app.resources._types import EntityRows, Resource, Row
from app.services.entities import BY_NAME

__all__ = [
    "NESTED",
    "Json",
    "body_of",
    "merge_patch",
    "part_body",
    "rows_from_json",
    "rows_to_json",
]

Json = dict[str, Any]

# Fields of a write body that are rows of another table: (table, how a row reads as an item).
_LISTS: dict[str, tuple[str, Any]] = {
    "locations": ("program_location", lambda r: r["location"]),
    "restricted_parties": ("restriction_party", lambda r: r["agency_id"]),
    "entities": ("event_entity", lambda r: {"type": r["entity_type"], "id": r["entity_id"]}),
}
# Nested bodies with claims of their own: (field, table, subject type, ordered by).
NESTED = (
    ("objectives", "program_objective", "program_objective", "position"),
    ("participants", "program_participant", "program_participant", "id"),
)


def _citations(rows: EntityRows, subject_type: str, subject_id: str) -> Json:
    out: Json = {}
    for claim in rows.get("claim_support", ()):
        if (claim["subject_type"], claim["subject_id"]) != (subject_type, subject_id):
            continue
        quotes = sorted(
            (
                c
                for c in rows.get("citation", ())
                if (c["subject_type"], c["subject_id"], c["claim"])
                == (subject_type, subject_id, claim["claim"])
            ),
            key=lambda c: c["position"],
        )
        spec: Json = {
            "basis": claim["basis"],
            "quotes": [
                {
                    "quote": c["exact"],
                    "source": c["source_id"],
                    "attribution": c["attribution_id"],
                    "start": c["start"],
                    **({"display": c["display"]} if c["display"] is not None else {}),
                }
                for c in quotes
            ],
        }
        for name in ("reasoning", "convention"):
            if claim[name] is not None:
                spec[name] = claim[name]
        if claim["descriptive"]:
            spec["descriptive"] = True
        out[claim["claim"]] = spec
    return out


def _fields(model: Any, row: Row) -> Json:
    return {
        name: _plain(row[name])
        for name in model.model_fields
        if name != "citations" and name in row
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def body_of(resource: Resource, rows: EntityRows) -> Json:
    """The body that, written, gives these rows: the resource's write schema, as JSON."""
    model = resource.seed[0].model
    main = rows[table_of(resource.table).name][0]
    body = _fields(model, main)
    ident = str(main[resource.id_column.name])
    for name, (table, item) in _LISTS.items():
        if name in model.model_fields:
            body[name] = [item(r) for r in rows.get(table, ())]
    for name, table, subject, order in NESTED:
        if name not in model.model_fields:
            continue
        nested = get_args(model.model_fields[name].annotation)[0]  # list[XCreate]
        body[name] = [
            {**_fields(nested, r), "citations": _citations(rows, subject, r["id"])}
            for r in sorted(rows.get(table, ()), key=lambda r: r[order])
        ]
    body["citations"] = _citations(rows, resource.type, ident)
    return body


def part_body(model: Any, row: Row, rows: EntityRows, subject_type: str) -> Json:
    """The seed file entry of a row no write body carries (a reported count), from its rows."""
    return {**_fields(model, row), "citations": _citations(rows, subject_type, str(row["id"]))}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge key by key, null removes, anything else
    replaces (arrays included)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def rows_to_json(rows: EntityRows) -> str:
    return orjson.dumps(rows, option=orjson.OPT_SORT_KEYS).decode()


def rows_from_json(blob: str) -> EntityRows:
    """Rows as `rows_to_json` kept them, with dates and times made dates and times again."""
    out: EntityRows = {}
    for table, table_rows in orjson.loads(blob).items():
        columns = {c.name: c.type for c in table_of(BY_NAME[table]).columns}
        out[table] = [{k: _revive(columns[k], v) for k, v in r.items()} for r in table_rows]
    return out


def _revive(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    return value
