"""Renames that reach many documents: their references are patched in place, not rebuilt.

A document that refers to a row holds the row's `Ref` as the model serializes it,
`{"type":…,"id":…,"name":…,"url":…` (a `LinkRef` adds its fields after these), and records
that it read the row's label key (app/resources/reads.py). When an update changes only what
such references show, each reader needs exactly the old reference's bytes swapped for the new
ones: the bytes a rebuild would make, at a fraction of its cost (renaming an agency that
125,000 documents name would otherwise build each of them again). Signatories and participants
are named after their party, so renaming an agency or a country changes their references too.
tests/test_write_property.py compares every document with a full rebuild after every change,
renames included.

The opening cannot occur inside a JSON string (its quotes would be escaped there), and it ends
with the URL's closing quote, so it matches that reference and nothing else.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Set
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from app.models import DocumentDependency, EntityDocument
from app.models.public import Ref
from app.resources._types import DocKey
from app.resources.programs.models import ProgramParticipant
from app.resources.reads import label_key
from app.resources.signatories.models import Signatory
from app.services.refs import Names, refs

__all__ = ["RefRow", "patch_references", "references"]

RefRow = tuple[str, str]  # (table, id) of a row others refer to
BATCH = 500


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _named_after(session: Session, rows: list[RefRow]) -> list[RefRow]:
    """The signatories and participants whose party is one of these agencies or countries."""
    agencies = [i for t, i in rows if t == "agency"]
    countries = [i for t, i in rows if t == "country"]
    out: list[RefRow] = []
    for table, kind in ((Signatory, "signatory"), (ProgramParticipant, "program_participant")):
        t: Any = table
        for column, ids in ((col(t.agency_id), agencies), (col(t.country_code), countries)):
            for chunk in _chunks(ids):
                query = select(col(t.id)).where(column.in_(chunk))
                out += [(kind, ident) for ident in session.execute(query).scalars()]
    return out


def references(session: Session, rows: Iterable[RefRow]) -> Names:
    """The references to these rows, and to the rows named after them, as documents show them."""
    wanted = sorted(set(rows))
    wanted += _named_after(session, wanted)
    out = Names()
    for chunk in _chunks(wanted):
        found = refs(session=session, wanted=chunk)
        out.update(found)
        out.read.update(found.read)
    return out


def _opening(ref: Ref) -> str:
    return Ref.model_validate(ref, from_attributes=True).model_dump_json().removesuffix("}")


def patch_references(session: Session, *, before: Names, after: Names, rebuilt: Set[DocKey]) -> int:
    """Swap each changed reference in the documents that read its label, but those about to be
    `rebuilt`; the number of documents patched."""
    swaps: dict[str, tuple[str, str]] = {}
    for ref_row, old in before.items():
        new = after.get(ref_row)
        if new is not None and new != old:
            swaps[label_key(*ref_row)] = (_opening(old), _opening(new))
    conn = session.connection()
    # First which documents read which changed labels (small rows), then their bodies a batch
    # of documents at a time: a hub's rename reaches a hundred thousand documents or more.
    reads: dict[DocKey, list[str]] = defaultdict(list)
    for keys in _chunks(sorted(swaps)):
        query = select(
            col(DocumentDependency.doc_type),
            col(DocumentDependency.doc_id),
            col(DocumentDependency.key),
        ).where(col(DocumentDependency.key).in_(keys))
        for kind, ident, key in conn.execute(query):
            if (kind, ident) not in rebuilt:
                reads[(kind, ident)].append(key)
    patched = 0
    for docs in _chunks(sorted(reads)):
        changed = []
        for kind, ident, body in _bodies(session, docs):
            text = body
            for key in sorted(reads[(kind, ident)]):
                text = text.replace(*swaps[key])
            if text != body:
                changed.append({"k": kind, "i": ident, "body": text})
        if changed:
            conn.execute(
                update(EntityDocument)
                .where(
                    col(EntityDocument.type) == bindparam("k"),
                    col(EntityDocument.id) == bindparam("i"),
                )
                .values(body=bindparam("body")),
                changed,
            )
        patched += len(changed)
    return patched


def _bodies(session: Session, docs: list[DocKey]) -> Iterator[tuple[str, str, str]]:
    """(type, id, body) of these documents."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, ident in docs:
        by_type[kind].append(ident)
    for kind, ids in by_type.items():
        query = select(
            col(EntityDocument.type), col(EntityDocument.id), col(EntityDocument.body)
        ).where(col(EntityDocument.type) == kind, col(EntityDocument.id).in_(ids))
        for kind_, ident, body in session.connection().execute(query):
            yield kind_, ident, body
