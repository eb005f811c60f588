"""Questions the article answers, answered from the database alone, each with its proving quote."""

import datetime as dt

from sqlmodel import Session, col, select

from app.models.common import Basis
from app.models.support import ClaimSupport
from app.resources.agencies.models import Agency
from app.resources.agreements.models import Agreement, ReportedCount
from app.resources.attributions.models import Attribution
from app.resources.citations.models import Citation
from app.resources.events.models import Event
from app.resources.programs.models import ProgramLocation, ProgramObjective, ProgramParticipant
from app.resources.restrictions.models import Restriction, RestrictionParty
from app.resources.signatories.models import Signatory
from tests.conftest import Database


def _quotes(session: Session, subject_type: str, subject_id: str, claim: str) -> list[str]:
    rows = session.execute(
        select(col(Citation.exact))
        .where(Citation.subject_type == subject_type)
        .where(Citation.subject_id == subject_id)
        .where(Citation.claim == claim)
        .order_by(col(Citation.position))
    )
    return list(rows.scalars())


def test_who_signed_the_ilrs_memorandum_and_when(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        rows = s.execute(
            select(Signatory)
            .where(Signatory.agreement_id == "ilrs-mou")
            .order_by(col(Signatory.id))
        ).scalars()
        got = [
            (r.id, r.agency_id, r.country_code, r.status, r.date_phrase, r.date_edtf) for r in rows
        ]
        assert got == [
            ("ilrs-mou-china", None, "CN", "counterparty", None, None),
            ("ilrs-mou-roscosmos", "roscosmos", None, "signed", "This past Tuesday", None),
        ]
        assert _quotes(s, "signatory", "ilrs-mou-roscosmos", "date") == [
            "This past Tuesday, Russia’s government space agency, “signed a memorandum of "
            "understanding”"
        ]


def test_where_the_ilrs_is_to_be_built(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        locations = s.execute(
            select(col(ProgramLocation.location)).where(ProgramLocation.program_id == "ilrs")
        ).scalars()
        assert sorted(locations) == ["lunar_orbit", "lunar_surface"]
        assert _quotes(s, "program", "ilrs", "locations") == [
            "built on the lunar surface and/or on the lunar orbit",
            "created on the moon’s surface and/or in orbit of the moon, according to the Roscosmos "
            "statement",
        ]


def test_what_the_ilrs_is_for(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        objectives = s.execute(
            select(col(ProgramObjective.text))
            .where(ProgramObjective.program_id == "ilrs")
            .order_by(col(ProgramObjective.position))
        ).scalars()
        assert list(objectives) == [
            "multi-disciplinary and multi-objective scientific research activities",
            "lunar exploration and utilization",
            "lunar-based observation",
            "basic scientific experiment",
            "technical verification",
            "strengthening research cooperation",
            "promoting the exploration and use of our space for peaceful purposes in the "
            "interests of all mankind",
            "testing technologies with the possibility of long-term unmanned operation with the "
            "prospect of human presence on the moon",
        ]


def test_who_the_ilrs_is_open_to_and_who_said_so(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        # CNN reports that Roscosmos made the statement; the words in it are Roscosmos's.
        report = s.get_one(Citation, "program-ilrs-openness-1")
        attribution = s.get_one(Attribution, report.attribution_id)
        assert (attribution.id, attribution.speaker_agency_id, attribution.reported_by) == (
            "cnn-report",
            None,
            "CNN",
        )
        assert report.exact == "Roscosmos made a statement, saying that the two groups planned to"
        citation = s.get_one(Citation, "program-ilrs-openness-2")
        attribution = s.get_one(Attribution, citation.attribution_id)
        assert (attribution.speaker_agency_id, attribution.reported_by) == ("roscosmos", "CNN")
        assert "open-access ILRS for all interested countries" in citation.exact
        support = s.get_one(ClaimSupport, ("program", "ilrs", "openness"))
        assert support.basis == Basis.stated


def test_how_many_countries_signed_the_artemis_accords_without_names(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        group = s.get_one(ReportedCount, "artemis-accords-other-signatories")
        assert (group.count, group.phrase, group.excludes_country_code, group.relation) == (
            8,
            "Eight other countries",
            "US",
            "signed",
        )
        signed = s.execute(
            select(col(Signatory.id))
            .where(Signatory.agreement_id == "artemis-accords")
            .where(Signatory.status == "signed")
        ).scalars()
        assert list(signed) == []  # the eight are unnamed, so no named signatory is invented
        partners = s.get_one(ReportedCount, "artemis-other-partner-countries")
        assert (partners.count, partners.phrase) == (None, "other countries")


def test_who_plans_to_sign_the_accords(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        brazil = s.get_one(Signatory, "artemis-accords-brazil")
        assert (brazil.country_code, brazil.status) == ("BR", "intends_to_sign")
        accords = s.get_one(Agreement, "artemis-accords")
        assert (accords.kind, accords.program_id, accords.date_edtf) == ("accords", "artemis", None)


def test_the_us_restriction(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        r = s.get_one(Restriction, "us-nasa-ostp-china-ban")
        assert (r.jurisdiction_code, r.since_edtf, r.since_phrase, r.since_lower) == (
            "US",
            "2011/..",
            "Since 2011",
            dt.date(2011, 1, 1),
        )
        # The article says which bodies are banned; that the ban is the United States' follows.
        jurisdiction = s.get_one(ClaimSupport, ("restriction", r.id, "jurisdiction"))
        assert jurisdiction.basis == Basis.inferred
        assert (r.counterpart_country_code, r.lifting_agency_id) == ("CN", "congress")
        # The article links the ban neither to "the NASA moon push" nor to Artemis.
        assert (r.effect_program_id, r.effect) == (None, None)
        parties = s.execute(
            select(col(RestrictionParty.agency_id)).where(RestrictionParty.restriction_id == r.id)
        ).scalars()
        assert sorted(parties) == ["nasa", "ostp"]
        assert _quotes(s, "restriction", r.id, "lifts_when") == [
            "unless Congress approves such cooperation in advance."
        ]
        # What the unnamed source says of China is its own statement, not the ban's effect.
        unnamed = s.execute(
            select(col(Citation.subject_type), col(Citation.subject_id))
            .where(Citation.attribution_id == "unnamed-source")
            .where(Citation.claim == "row")
        ).all()
        assert [tuple(row) for row in unnamed] == [
            ("event", "china-not-able-to-participate-in-nasa-moon-push")
        ]


def test_agencies_carry_only_what_the_article_states(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        agencies = s.execute(select(Agency).order_by(col(Agency.id))).scalars()
        got = [(a.id, a.name, a.acronym, a.country_code, a.kind) for a in agencies]
    assert got == [
        ("cnsa", "China National Space Administration", None, "CN", None),
        ("congress", "Congress", None, "US", "legislature"),
        ("nasa", "NASA", None, "US", None),
        (
            "ostp",
            "White House Office of Science and Technology Policy",
            None,
            "US",
            "government_office",
        ),
        ("roscosmos", "Roscosmos", None, "RU", "space_agency"),
    ]
    # Only the names are stated; every country and kind above is inferred, and so is
    # Roscosmos's description (the article never calls Roscosmos Russia's space agency).
    with Session(seeded_db.engine) as s:
        inferred = s.execute(
            select(col(ClaimSupport.subject_id), col(ClaimSupport.claim))
            .where(ClaimSupport.subject_type == "agency")
            .where(ClaimSupport.basis == Basis.inferred)
            .order_by(col(ClaimSupport.subject_id), col(ClaimSupport.claim))
        ).all()
    assert [tuple(row) for row in inferred] == [
        ("cnsa", "country"),
        ("congress", "country"),
        ("congress", "kind"),
        ("nasa", "country"),
        ("ostp", "country"),
        ("ostp", "kind"),
        ("roscosmos", "country"),
        ("roscosmos", "description"),
        ("roscosmos", "kind"),
    ]


def test_program_participants(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        rows = s.execute(select(ProgramParticipant).order_by(col(ProgramParticipant.id))).scalars()
        got = [(p.id, p.program_id, p.agency_id, p.country_code, p.role) for p in rows]
    assert got == [
        ("artemis-nasa", "artemis", "nasa", None, "lead"),
        ("artemis-united-states", "artemis", None, "US", "lead"),
        ("ilrs-china", "ilrs", None, "CN", "partner"),
        ("ilrs-roscosmos", "ilrs", "roscosmos", None, "partner"),
        ("ilrs-russia", "ilrs", None, "RU", "partner"),
    ]


def test_timeline_order_keeps_uncertain_and_relative_dates_honest(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as s:
        events = s.execute(select(Event).order_by(col(Event.date_sort), col(Event.id))).scalars()
        got = [(e.id, e.date_edtf, e.date_phrase, e.date_lower, e.date_upper) for e in events]
    assert got == [
        # "Since 2011 … have been banned": began in 2011 and goes on, so no latest day.
        ("us-nasa-ostp-china-ban-in-force", "2011/..", "Since 2011", dt.date(2011, 1, 1), None),
        # Deadlines ("by …") have no earliest day; "mid-2020s" is about 2025, a year either way.
        (
            "artemis-astronauts-on-the-moon",
            "../2025~",
            "by the mid-2020s",
            None,
            dt.date(2026, 12, 31),
        ),
        (
            "artemis-defined-human-existence",
            "../2029",
            "by the end of the 2020s",
            None,
            dt.date(2029, 12, 31),
        ),
        # Relative phrases stay verbatim, unresolved; undated events sort last, by id.
        ("china-not-able-to-participate-in-nasa-moon-push", None, None, None, None),
        ("china-russia-confirm-ilrs-partnership", None, "recently", None, None),
        ("cnn-reports-roscosmos-statement", None, "Shortly after", None, None),
        ("cnsa-ilrs-announcement", None, None, None, None),
        ("ilrs-close-collaboration", None, None, None, None),
        ("ilrs-mou-signed", None, "This past Tuesday", None, None),
        ("ilrs-presentation-to-world-space-community", None, None, None, None),
        ("ilrs-road-map", None, None, None, None),
        # "Shortly after" is when CNN reported the statement, not when Roscosmos made it.
        ("roscosmos-ilrs-statement", None, None, None, None),
    ]
