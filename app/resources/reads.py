"""The dependency keys of the write path: what a document read, and what a row change touches.

A key is 'table:column=value'. A builder records, for each document, the key of every set of
rows it read: `program_participant:program_id=ilrs` for a program's participants, `agency:id=cnsa`
for the name it shows of an agency. A change to a row touches the keys of its watched columns,
with the old values and the new: the documents that read any of them are exactly the ones the
change can reach (a new participant touches `program_participant:program_id=ilrs`, which the
program's document read, though the row did not exist when it did).

A reference to a row (a `Ref`: its name and URL) reads only the row's label key,
'agency.label:id=nasa': the columns the reference shows. Changing anything else of the row
reaches only the documents that read the whole row; changing a label reaches the documents that
refer to the row, and when the row is one whose references read nothing but itself, the write
patches their bytes instead of building them again (app/services/relabel.py).
"""

from collections.abc import Iterable, Mapping

from app.resources._types import DepKey, Row

__all__ = [
    "LABELS",
    "WATCHED",
    "key",
    "label_key",
    "relabeled",
    "self_labeled",
    "subject_keys",
    "touched",
]

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


# What a reference to a row shows, per table: its name, and the columns its URL comes from.
# Signatories and participants are named after their party (app/services/refs.py).
LABELS: dict[str, tuple[str, ...]] = {
    "source": ("title",),
    "country": ("name",),
    "agency": ("name",),
    "attribution": ("label",),
    "program": ("name",),
    "program_objective": ("text", "program_id"),
    "program_participant": ("program_id", "agency_id", "country_code"),
    "agreement": ("name",),
    "signatory": ("agency_id", "country_code"),
    "reported_count": ("phrase", "agreement_id", "program_id"),
    "restriction": ("name",),
    "event": ("summary",),
}
# References to these rows read another row too (their party's name): a change of their label
# changes what those references read, so it cannot be patched in place.
_PARTY_NAMED = frozenset({"signatory", "program_participant"})


def key(table: str, column: str, value: object) -> DepKey:
    return f"{table}:{column}={value}"


def _id_column(table: str) -> str:
    return "code" if table == "country" else "id"


def label_key(table: str, ident: object) -> DepKey:
    """What a reference to one row reads: the row's label columns (and its existence)."""
    return f"{table}.label:{_id_column(table)}={ident}"


def self_labeled(table: str) -> bool:
    """A reference to a row of this table reads the row's label and nothing else."""
    return table in LABELS and table not in _PARTY_NAMED


def relabeled(table: str, old: Mapping[str, object], new: Mapping[str, object]) -> bool:
    """The row's references show something else after this update."""
    return any(old.get(c) != new.get(c) for c in LABELS.get(table, ()))


def subject_keys(subject_type: str, ident: str) -> set[DepKey]:
    """The keys of one subject's claims and quotes (what `support_for` reads)."""
    subject = f"{subject_type}/{ident}"
    return {key("citation", "subject", subject), key("claim_support", "subject", subject)}


def _value(row: Mapping[str, object], column: str) -> object:
    if column == "subject":
        return f"{row['subject_type']}/{row['subject_id']}"
    return row.get(column)


def touched(table: str, rows: Iterable[Row], *, labels: bool = True) -> set[DepKey]:
    """The keys a change to these rows (give both the old and the new) touches; a row that
    comes or goes touches its label key too, an update only when `relabeled` (labels=False)."""
    out: set[DepKey] = set()
    for row in rows:
        for column in WATCHED[table]:
            value = _value(row, column)
            if value is not None:
                out.add(key(table, column, value))
        if labels and table in LABELS:
            out.add(label_key(table, row[_id_column(table)]))
    return out
