"""The dependency keys of the write path: what a document read, and what a row change touches.

A key is 'table:column=value'. A builder records, for each document, the key of every set of
rows it read: `program_participant:program_id=ilrs` for a program's participants, `agency:id=cnsa`
for the name it shows of an agency. A change to a row touches the keys of its watched columns,
with the old values and the new: the documents that read any of them are exactly the ones the
change can reach (a new participant touches `program_participant:program_id=ilrs`, which the
program's document read, though the row did not exist when it did).
"""

from collections.abc import Iterable, Mapping

from app.resources._types import DepKey, Row

__all__ = ["WATCHED", "key", "subject_keys", "touched"]

# The columns documents read rows by, per table; a row's id is always one. "subject" stands for
# the (subject_type, subject_id) pair of citations and claims.
WATCHED: dict[str, tuple[str, ...]] = {
    "source": ("id",),
    "country": ("code",),
    "agency": ("id", "country_code"),
    "attribution": ("id",),
    "program": ("id",),
    "program_location": ("program_id",),
    "program_objective": ("id", "program_id"),
    "program_participant": ("id", "program_id", "agency_id"),
    "agreement": ("id", "program_id"),
    "signatory": ("id",),
    "reported_count": ("id", "agreement_id", "program_id"),
    "restriction": ("id",),
    "restriction_party": ("restriction_id",),
    "event": ("id",),
    "event_entity": ("event_id", "entity_id"),
    "citation": ("id", "subject", "source_id", "attribution_id"),
    "claim_support": ("subject",),
}


def key(table: str, column: str, value: object) -> DepKey:
    return f"{table}:{column}={value}"


def subject_keys(subject_type: str, ident: str) -> set[DepKey]:
    """The keys of one subject's claims and quotes (what `support_for` reads)."""
    subject = f"{subject_type}/{ident}"
    return {key("citation", "subject", subject), key("claim_support", "subject", subject)}


def _value(row: Mapping[str, object], column: str) -> object:
    if column == "subject":
        return f"{row['subject_type']}/{row['subject_id']}"
    return row.get(column)


def touched(table: str, rows: Iterable[Row]) -> set[DepKey]:
    """The keys a change to these rows (give both the old and the new) touches."""
    out: set[DepKey] = set()
    for row in rows:
        for column in WATCHED[table]:
            value = _value(row, column)
            if value is not None:
                out.add(key(table, column, value))
    return out
