"""The source table (verbatim text, its SHA-256 and length) and its schema."""

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import (
    BigInteger,
    Index,
)
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import IsoDate, ShortText, Slug, Text
from app.models.public import (
    DateOut,
    IdOut,
    Int64Out,
    NameOut,
    Sha256Out,
    TextOut,
    UrlOut,
)

MAX_SOURCE_LENGTH = 10_000_000  # code points; the API documents this bound on source text


class SourceBase(SQLModel):
    title: ShortText
    publisher: ShortText | None = None
    author: ShortText | None = None
    url: ShortText | None = None
    published_edtf: str | None = Field(default=None, max_length=64)
    retrieved_on: IsoDate | None = None
    language: str = Field(max_length=35, description="BCP 47 language tag")
    media_type: str = Field(max_length=100)
    description: Text | None = Field(default=None, sa_type=SAText)


class Source(SourceBase, table=True):
    __tablename__ = "source"
    __table_args__ = (Index("ix_source_title", "title", "id"),)

    id: str = Field(primary_key=True, max_length=100)
    text: str = Field(sa_type=SAText)
    sha256: str = Field(max_length=64, min_length=64)
    length: int = Field(sa_type=BigInteger, description="length of text in Unicode code points")


class SourcePublic(SQLModel):
    id: IdOut
    url: UrlOut
    title: NameOut
    publisher: NameOut | None
    author: NameOut | None
    original_url: NameOut | None = Field(description="where the source was published, if known")
    published: NameOut | None = Field(description="EDTF publication date, if known")
    retrieved_on: DateOut | None
    language: NameOut
    media_type: NameOut
    description: TextOut | None
    sha256: Sha256Out = Field(description="SHA-256 of the text's UTF-8 bytes")
    length: Int64Out = Field(description="length of the text in Unicode code points")
    text_url: UrlOut
    citation_count: Int64Out


class SourceCreate(SourceBase):
    """A new source document: its metadata as given, and its text exactly as it reads."""

    id: Slug
    media_type: str = Field(default="text/plain; charset=utf-8", max_length=100)
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_SOURCE_LENGTH, pattern=r"^[^\x00]*$")
    ] = Field(description="the document's text, verbatim; quotes are located in it by code point")
