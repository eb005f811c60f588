"""Each entity's finished JSON document, built when the data changes, read on every cache miss.

The read path then costs one keyset query for a page's ids and one for their documents, with no
ORM objects and no serialization: the bytes served are the bytes stored. They are rebuilt in the
same transaction as the rows they describe, so a reader never sees them disagree.
"""

from sqlalchemy import String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel


class EntityDocument(SQLModel, table=True):
    __tablename__ = "entity_document"

    type: str = Field(primary_key=True, sa_type=String(32))
    id: str = Field(primary_key=True, max_length=200)
    body: str = Field(sa_type=SAText, description="the entity's *Public document, as JSON")
