"""The country table and its schemas."""

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.common import CountryCode, ShortText
from app.models.public import (
    CitationList,
    IdOut,
    LinkRefList,
    NameOut,
    Supported,
    UrlOut,
)
from app.models.support import Citations


class CountryBase(SQLModel):
    name: ShortText


class Country(CountryBase, table=True):
    __tablename__ = "country"
    __table_args__ = (Index("ix_country_name", "name", "code"),)

    code: str = Field(primary_key=True, max_length=2, description="ISO 3166-1 alpha-2")


class CountryCreate(CountryBase):
    code: CountryCode
    citations: Citations


class CountryPublic(Supported):
    code: IdOut = Field(description="ISO 3166-1 alpha-2")
    url: UrlOut
    name: NameOut
    agencies: LinkRefList = Field(description="agencies whose `country` claim names it")
    citations: CitationList
