"""API keys: create, list, revoke, and authenticate a bearer token.

A key is a long random token shown once; only its SHA-256 is stored. A fast unsalted hash is
enough because the token carries 256 bits of randomness: there is no dictionary to try.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models.keys import ApiKey, KeyScope

PREFIX = "sf_"  # lets secret scanners and people recognise a spacefacts key
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
# Longer than any key this module makes: such a token is refused without hashing or a query.
MAX_TOKEN_LENGTH = 200
_RANK = {KeyScope.read: 0, KeyScope.write: 1, KeyScope.admin: 2}


class InvalidKeyNameError(ValueError):
    """A key name that is not 1 to 100 letters, digits, `.`, `_`, `@` or `-`."""


class DuplicateKeyNameError(ValueError):
    """A key with this name exists already (revoked or not: names are never reused)."""


@dataclass(frozen=True)
class Caller:
    """Who a valid key belongs to, and what it may do."""

    name: str
    scope: KeyScope

    def has(self, scope: KeyScope) -> bool:
        """Whether this caller may do what `scope` allows (each scope includes lesser ones)."""
        return _RANK[self.scope] >= _RANK[scope]


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its hash."""

    name: str
    scope: KeyScope
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(session: Session, *, name: str, scope: KeyScope) -> str:
    """Store a new key named `name` and return its token, which is not stored anywhere."""
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidKeyNameError(
            f"key name {name!r} must be 1 to 100 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    if session.get(ApiKey, name) is not None:
        raise DuplicateKeyNameError(f"a key named {name!r} exists already")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        scope=scope,
        key_hash=token_hash(token),
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        # Another process created the same name between the check and the insert.
        raise DuplicateKeyNameError(f"a key named {name!r} exists already") from exc
    return token


def list_keys(session: Session) -> list[KeyInfo]:
    rows = session.exec(select(ApiKey).order_by(col(ApiKey.name))).all()
    return [
        KeyInfo(
            name=row.name,
            scope=KeyScope(row.scope),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]


def revoke_key(session: Session, *, name: str) -> bool:
    """Revoke the key named `name`; False when there is none. Revoking twice keeps the first
    revocation's time."""
    row = session.get(ApiKey, name)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        session.add(row)
        session.flush()
    return True


def authenticate(session: Session, *, token: str) -> Caller | None:
    """The caller a bearer token belongs to; None when it is unknown or revoked."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = token_hash(token)
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
    # The lookup found the row by its hash; comparing again in constant time keeps a
    # database collation or index quirk from ever turning a near match into a match.
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    if row.revoked_at is not None:
        return None
    return Caller(name=row.name, scope=KeyScope(row.scope))
