"""Bearer-key authentication for the write API, and the limits that come with it.

Routes take `WriteCaller` or `AdminCaller`: the caller of a valid, unrevoked key with that scope,
or a problem: 401 without a usable key (RFC 6750's `WWW-Authenticate: Bearer` challenge, with
`error="invalid_token"` for an unknown or revoked one), 403 for a key without the scope, 429
once a key has made `write_rate_limit` writes in a window or its client has failed
`auth_failure_limit` authentications in one. The token is never logged, echoed or stored.

With rate limiting off (`rate_limit_enabled=false`) keys are still checked; only the counting
stops. The counters live in this process, like the per-client limit's.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Scope

from app.config import Settings
from app.db import Db
from app.errors import ProblemError
from app.middleware.ratelimit import FixedWindow
from app.models.keys import KeyScope
from app.services.keys import Caller, authenticate, token_hash

__all__ = ["AdminCaller", "Caller", "KeyGate", "WriteCaller", "bearer", "require_scope"]

REALM = 'Bearer realm="spacefacts"'
# Set in the request's state by the rate-limit layer when it found the token unknown and
# counted the failure, so the route's check neither counts it again nor queries again.
REFUSED = "spacefacts.bearer_refused"
KEY_CACHE_TTL = 5.0  # seconds a key's validity is trusted for lifting the read limit
MAX_ENTRIES = 10_000  # tokens cached, clients and keys counted: memory stays bounded

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key made with `spacefacts keys create`, sent as "
    "`Authorization: Bearer <key>`. Reads need no key; a `read` key lifts its holder's "
    "per-client rate limit, a `write` key creates, changes and deletes, an `admin` key also "
    "restores deleted entities.",
)


def bearer_token(scope: Scope) -> str | None:
    """The token of a `Bearer` Authorization header, read as HTTPBearer reads it."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token if scheme.lower() == "bearer" and token else None
    return None


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class KeyGate:
    """One per app: the counters behind the limits, and a short cache of which tokens are keys.

    The cache (negatives too) lets a key holder's reads skip the database, and the failure
    count stops a client that sends random tokens from reaching it more than
    `auth_failure_limit` times a window.
    """

    def __init__(self, db: Db, *, config: Settings) -> None:
        self.db = db
        self.enabled = config.rate_limit_enabled
        window = config.rate_limit_window
        self.failures = FixedWindow(
            limit=config.auth_failure_limit, window=window, max_keys=MAX_ENTRIES
        )
        self.writes = FixedWindow(
            limit=config.write_rate_limit, window=window, max_keys=MAX_ENTRIES
        )
        self._known: dict[str, tuple[float, bool]] = {}  # token hash -> (expires, is a key)

    def slowed(self, client: str) -> int | None:
        """Seconds until `client` may authenticate again, when it has failed too often."""
        now = time.time()
        if self.enabled and self.failures.used(client, now) >= self.failures.limit:
            return self.failures.reset(now)
        return None

    def failed(self, client: str) -> None:
        if self.enabled:
            self.failures.take(client, time.time())

    def take_write(self, name: str) -> int | None:
        """Count a write by key `name`; seconds to wait when it is over its limit."""
        if not self.enabled:
            return None
        remaining, reset = self.writes.take(name, time.time())
        return reset if remaining < 0 else None

    async def is_key(self, token: str) -> bool:
        """Whether `token` is a valid key, as the database said at most KEY_CACHE_TTL ago."""
        digest, now = token_hash(token), time.monotonic()
        cached = self._known.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        # On the primary: a revocation bites when it commits, not when a replica has it.
        found = await self.db.run(
            lambda session: authenticate(session, token=token) is not None, primary=True
        )
        # Re-inserted at the end, so insertion order is expiry order and the oldest go first.
        self._known.pop(digest, None)
        while self._known and (
            len(self._known) >= MAX_ENTRIES or next(iter(self._known.values()))[0] <= now
        ):
            del self._known[next(iter(self._known))]
        self._known[digest] = (now + KEY_CACHE_TTL, found)
        return found

    async def lifts_limit(self, scope: Scope) -> bool:
        """For the per-client rate limit: whether this request carries a valid key."""
        token = bearer_token(scope)
        if token is None:
            return False
        client = _client(scope)
        if self.slowed(client) is not None:
            return False  # counted as anonymous; the token is not even looked up
        if await self.is_key(token):
            return True
        self.failed(client)
        scope["state"] = {**scope.get("state", {}), REFUSED: True}
        return False


def _refused() -> ProblemError:
    return ProblemError(
        401,
        "The API key is unknown or revoked.",
        kind="unauthorized",
        headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
    )


def require_scope(scope: KeyScope) -> Callable[..., Awaitable[Caller]]:
    """A dependency answering the caller of a valid key with `scope`, or a problem."""

    async def caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        if credentials is None:
            raise ProblemError(
                401,
                f"This operation needs an API key with the {scope.value} scope, sent as "
                "`Authorization: Bearer <key>`.",
                kind="unauthorized",
                headers={"WWW-Authenticate": REALM},
            )
        gate: KeyGate = request.app.state.keys
        client = _client(request.scope)
        state = request.scope.get("state") or {}
        if state.get(REFUSED):
            raise _refused()
        wait = gate.slowed(client)
        if wait is not None:
            raise ProblemError(
                429,
                "Too many failed authentications from this client; try again later.",
                headers={"Retry-After": str(wait)},
            )
        token = credentials.credentials
        db: Db = request.app.state.db
        found = await db.run(lambda session: authenticate(session, token=token), primary=True)
        if found is None:
            gate.failed(client)
            raise _refused()
        if not found.has(scope):
            raise ProblemError(
                403,
                f"This operation needs a key with the {scope.value} scope; this key has "
                f"{found.scope.value}.",
                kind="forbidden",
                headers={
                    "WWW-Authenticate": f'{REALM}, error="insufficient_scope", '
                    f'scope="{scope.value}"'
                },
            )
        wait = gate.take_write(found.name) if scope is not KeyScope.read else None
        if wait is not None:
            raise ProblemError(
                429,
                f"More than {gate.writes.limit} writes in {gate.writes.window} s with this key.",
                headers={"Retry-After": str(wait)},
            )
        return found

    caller.__name__ = f"{scope.value}_caller"
    return caller


# The scopes argument only documents the scope in OpenAPI (`security: [{bearer: [write]}]`,
# role names as OpenAPI 3.1 allows for HTTP schemes); the dependency enforces it.
WriteCaller = Annotated[
    Caller, Security(require_scope(KeyScope.write), scopes=[KeyScope.write.value])
]
AdminCaller = Annotated[
    Caller, Security(require_scope(KeyScope.admin), scopes=[KeyScope.admin.value])
]
