"""The claims each kind of row makes, and the fields each claim covers.

A citation supports one claim of one row. `row` is the whole row, for rows that one quote proves
entire (a signatory, an event). The loader refuses a row in which a filled field is covered by no
citation, so every value the API serves has a quote behind it. Each claim has a basis (stated or
inferred, `app/services/truth.py` holds the rules); `PUBLIC_FIELDS` says which fields of the
public document a claim covers, which is what `basis=stated` empties when the claim is inferred.
"""

from app.models.support import SubjectType

ROW = "row"

CLAIMS: dict[SubjectType, dict[str, tuple[str, ...]]] = {
    SubjectType.attribution: {
        # An attribution's label and description are the curators' words for whose words these
        # are (its label claim is descriptive): one claim covers both.
        "label": ("label", "description"),
        "speaker": ("speaker_agency_id",),
        "reported_by": ("reported_by",),
    },
    SubjectType.country: {"name": ("name",)},
    SubjectType.agency: {
        "name": ("name",),
        "acronym": ("acronym",),
        "country": ("country_code",),
        "kind": ("kind",),
        "description": ("description",),
    },
    SubjectType.program: {
        "name": ("name",),
        "acronym": ("acronym",),
        "summary": ("summary",),
        "description": ("description",),
        "openness": ("openness",),
        "locations": ("locations", "locations_phrase"),
    },
    SubjectType.program_objective: {"text": ("text",)},
    SubjectType.program_participant: {
        "party": ("agency_id", "country_code"),
        "role": ("role",),
    },
    SubjectType.agreement: {
        "name": ("name",),
        "kind": ("kind",),
        "program": ("program_id",),
        "date": ("date_edtf", "date_phrase"),
        "purpose": ("purpose",),
        "effect": ("effect",),
    },
    SubjectType.signatory: {
        "agreement": ("agreement_id",),
        "party": ("agency_id", "country_code"),
        "party_phrase": ("party_phrase",),
        "status": ("status",),
        "date": ("date_edtf", "date_phrase"),
    },
    SubjectType.reported_count: {
        "subject": ("agreement_id", "program_id"),
        "relation": ("relation", "party_kind"),
        "count": ("count", "phrase"),
        "excludes": ("excludes_country_code",),
    },
    SubjectType.restriction: {
        "name": ("name",),
        "jurisdiction": ("jurisdiction_code",),
        "since": ("since_edtf", "since_phrase"),
        "restricted_parties": ("restricted_parties",),
        "counterpart": ("counterpart_country_code", "counterpart_phrase"),
        "scope": ("scope",),
        "lifts_when": ("lifts_when", "lifting_agency_id"),
        "effect": ("effect_program_id", "effect"),
    },
    SubjectType.event: {
        "kind": ("kind", "status"),
        "summary": ("summary",),
        "date": ("date_edtf", "date_phrase"),
        "entities": ("entities",),
    },
}


# Public fields a claim covers, where they are not the claim's own name.
PUBLIC_FIELDS: dict[SubjectType, dict[str, tuple[str, ...]]] = {
    SubjectType.attribution: {"label": ("label", "description")},
    SubjectType.program: {"locations": ("locations", "locations_phrase")},
    SubjectType.reported_count: {
        "subject": (),
        "relation": ("relation", "party_kind"),
        "count": ("count", "phrase"),
    },
    SubjectType.restriction: {
        "counterpart": ("counterpart", "counterpart_phrase"),
        "lifts_when": ("lifts_when", "lifting_agency"),
        "effect": ("effect_program", "effect"),
    },
    SubjectType.event: {"kind": ("kind", "status")},
}


def public_fields(subject_type: SubjectType, claim: str) -> tuple[str, ...]:
    """The fields of the public document that one claim of a row covers (none for `row`)."""
    if claim == ROW:
        return ()
    return PUBLIC_FIELDS.get(subject_type, {}).get(claim, (claim,))


def uncovered_fields(
    subject_type: SubjectType, values: dict[str, object], cited_claims: set[str]
) -> list[str]:
    """Filled fields of a row that no citation covers (empty when the row is fully backed)."""
    if ROW in cited_claims:
        return []
    missing = []
    for claim, fields in CLAIMS[subject_type].items():
        filled = any(values.get(field) not in (None, [], "") for field in fields)
        if filled and claim not in cited_claims:
            missing.append(claim)
    return missing


def known_claims(subject_type: SubjectType) -> set[str]:
    return {ROW, *CLAIMS[subject_type]}
