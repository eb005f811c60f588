"""The program table, with the locations, objectives and participants it owns, and their schemas."""

from enum import StrEnum
from typing import Annotated

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import MAX_PARTS, CountryCode, ShortText, Slug, Text
from app.models.public import (
    MAX_RELATED,
    PARAPHRASE,
    CitationList,
    IdOut,
    LinkRefList,
    NameOut,
    Ref,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import (
    Citations,
)
from app.resources.agreements.models import (
    ReportedCountPublic,
)


class Location(StrEnum):
    lunar_surface = "lunar_surface"
    lunar_orbit = "lunar_orbit"


class ParticipantRole(StrEnum):
    lead = "lead"
    partner = "partner"
    prospective = "prospective"


class ProgramBase(SQLModel):
    name: ShortText
    acronym: ShortText | None = None
    summary: Text = Field(sa_type=SAText)
    description: Text | None = Field(default=None, sa_type=SAText)
    locations_phrase: Text | None = Field(
        default=None, sa_type=SAText, description="the source's words for where"
    )
    openness: Text | None = Field(
        default=None, sa_type=SAText, description="who the program says it is open to"
    )


class Program(ProgramBase, table=True):
    __tablename__ = "program"
    __table_args__ = (Index("ix_program_name", "name", "id"),)

    id: str = Field(primary_key=True, max_length=100)


class ProgramLocation(SQLModel, table=True):
    """Where a program is to be built; backed by the program's `locations` claim."""

    __tablename__ = "program_location"

    program_id: str = Field(
        foreign_key="program.id", primary_key=True, max_length=100, ondelete="CASCADE"
    )
    location: Location = Field(primary_key=True, sa_type=String(32), index=True)


class ProgramObjectiveBase(SQLModel):
    program_id: str = Field(foreign_key="program.id", max_length=100, ondelete="CASCADE")
    position: int
    text: Text = Field(sa_type=SAText)


class ProgramObjective(ProgramObjectiveBase, table=True):
    __tablename__ = "program_objective"
    __table_args__ = (Index("ix_program_objective_program", "program_id", "position"),)

    id: str = Field(primary_key=True, max_length=100)


class ParticipantBase(SQLModel):
    program_id: str = Field(foreign_key="program.id", max_length=100, ondelete="CASCADE")
    agency_id: str | None = Field(
        default=None, foreign_key="agency.id", max_length=100, index=True, ondelete="RESTRICT"
    )
    country_code: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, index=True, ondelete="RESTRICT"
    )
    role: ParticipantRole = Field(sa_type=String(32))


class ProgramParticipant(ParticipantBase, table=True):
    __tablename__ = "program_participant"
    __table_args__ = (
        CheckConstraint("(agency_id IS NULL) <> (country_code IS NULL)", name="one_party"),
        Index("ix_program_participant_program", "program_id", "id"),
    )

    id: str = Field(primary_key=True, max_length=100)


class ObjectiveCreate(SQLModel):
    id: Slug
    text: Text
    citations: Citations


class ParticipantCreate(SQLModel):
    id: Slug
    agency_id: Slug | None = None
    country_code: CountryCode | None = None
    role: ParticipantRole
    citations: Citations


class ProgramCreate(ProgramBase):
    id: Slug
    locations: list[Location] = Field(default=[], max_length=MAX_PARTS)
    objectives: list[ObjectiveCreate] = Field(default=[], max_length=MAX_PARTS)
    participants: list[ParticipantCreate] = Field(default=[], max_length=MAX_PARTS)
    citations: Citations


class ObjectivePublic(Supported):
    id: IdOut
    text: TextOut = Field(description="the objective in the source's own words")
    citations: CitationList


class ParticipantPublic(Supported):
    id: IdOut
    role: ParticipantRole | None = Field(description="null with `basis=stated` if inferred")
    party: Ref | None = Field(description="null with `basis=stated` if inferred")
    citations: CitationList


class ProgramPublic(Supported):
    id: IdOut
    url: UrlOut
    name: NameOut
    acronym: NameOut | None
    summary: TextOut = Field(description=PARAPHRASE)
    description: TextOut | None = Field(description=PARAPHRASE)
    openness: TextOut | None = Field(description=PARAPHRASE)
    locations: Annotated[list[Location], Field(max_length=MAX_RELATED)]
    locations_phrase: TextOut | None = Field(
        description="the source's words for where, e.g. 'on the lunar surface and/or on the "
        "lunar orbit': `locations` lists the places named, this says how they combine"
    )
    objectives: Annotated[list[ObjectivePublic], Field(max_length=MAX_RELATED)]
    participants: Annotated[list[ParticipantPublic], Field(max_length=MAX_RELATED)]
    reported_counts: Annotated[list[ReportedCountPublic], Field(max_length=MAX_RELATED)]
    agreements: LinkRefList
    events_url: UrlOut = Field(
        description="the program's timeline, paged (`/v1/events?entity=<id>`): a program's events "
        "grow without bound, so its document links to them rather than holding them"
    )
    citations: CitationList
