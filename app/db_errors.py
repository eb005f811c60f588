"""What "the database is away" looks like to the code, in one place.

Connection refused or dropped, a connect, pool or statement timeout, SQLite busy: failures a
retry later fixes, not bugs. Routes answer them with a 503 problem and `Retry-After`
(app/errors.py); the response cache serves what it holds meanwhile (app/middleware/http_cache.py).
"""

import sqlalchemy.exc

__all__ = ["DATABASE_UNAVAILABLE", "RETRY_AFTER"]

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
)
RETRY_AFTER = 5  # seconds a client is told to wait before trying again
