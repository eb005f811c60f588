"""The dataset version: one number that every change to the data bumps."""

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import DatasetVersion


def current_version(*, session: Session) -> int:
    """The newest dataset version, or 0 for a database that holds no data yet."""
    latest = session.execute(select(func.max(DatasetVersion.version))).scalar_one()
    return int(latest or 0)


def bump_version(
    *, session: Session, origin: str, summary: Mapping[str, object], seed_digest: str | None = None
) -> int:
    """Record one change; the caller's transaction makes it atomic with the change itself."""
    version = current_version(session=session) + 1
    session.add(
        DatasetVersion(
            version=version,
            created_at=dt.datetime.now(dt.UTC),
            origin=origin,
            seed_digest=seed_digest,
            summary=json.dumps(summary, sort_keys=True),
        )
    )
    return version
