"""API keys: only a hash of each key is stored (keys are long random tokens)."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel


class KeyScope(StrEnum):
    """What a key may do; each scope includes the ones before it."""

    read = "read"  # reads, with its holder's own rate limit lifted
    write = "write"  # creates, updates and deletes facts and sources
    admin = "admin"  # restores deleted entities


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    name: str = Field(primary_key=True, max_length=100)
    scope: KeyScope = Field(sa_type=String(16))
    key_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the key, hex")
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
