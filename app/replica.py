"""Which database a read goes to, when a read replica is configured.

Writes always go to the primary. Reads go to the replica, except when it could show this
process something older than what it wrote. The rule, in one place:

1. Every write this process commits raises its *floor* to the dataset version the write
   committed (`Routing.wrote`, called by `Db.write`).
2. Each time the dataset version is re-read (the VersionWatcher, at most every
   `version_ttl` seconds, or at once after a write), the replica's version is read first. If
   it is at or above the floor, the replica serves: the version *and* the data come from it.
   Otherwise the primary's version is read and the primary serves, until a later re-read
   finds the replica caught up.
3. A request that the HTTP cache layer serves at a version reads from the database that
   version was read from (it travels in the request's state, `READ_ENGINE`): a page is never
   stored or validated under a version whose data it does not contain. Requests that pass by
   the cache layer (exports, health) use `Routing.reads()`: the replica when its last known
   version is at or above the floor, else the primary.

So a process that wrote version V never serves data older than V. Data may be newer than the
version it is served at (as it may without a replica, when another process writes within
`version_ttl`). Other processes do not know this one's writes: they serve them once the
replica has them. On switching back to the replica the version served can step back to the
replica's (never below the floor), as it can between two workers today.

API keys are read from the primary (`Db.run(..., primary=True)`): a revoked key must stop
working when the revocation commits, not when the replica receives it. The live stream stays
on the primary too: its poller and its listeners' sessions must see the same revisions.
"""

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy import Engine

__all__ = ["READ_ENGINE", "Routing"]

READ_ENGINE = "read_engine"  # the request-state key of the engine a request reads from


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


class Routing:
    """The primary, the optional replica, and this process's floor (rule above)."""

    def __init__(self, primary: Engine, replica: Engine | None = None) -> None:
        self.primary = primary
        self.replica = replica
        self._floor = 0
        self._replica_at = -1  # the replica's version as last read; -1: not read yet
        self._lock = threading.Lock()

    @property
    def floor(self) -> int:
        """The newest version this process wrote: nothing older may be served."""
        return self._floor

    def wrote(self, version: int) -> None:
        """Called after a write committed `version` (from a worker thread, hence the lock)."""
        with self._lock:
            self._floor = max(self._floor, version)

    def pick(self, read: Callable[[Engine], V]) -> tuple[V, Engine]:
        """The dataset version to serve and the engine it was read from (rule 2)."""
        if self.replica is None:
            return read(self.primary), self.primary
        floor = self._floor  # taken first: a write landing meanwhile raises it, never lowers
        found = read(self.replica)
        self._replica_at = found.version
        if found.version >= floor:
            return found, self.replica
        return read(self.primary), self.primary

    def reads(self) -> Engine:
        """Where a read with no version attached goes (rule 3)."""
        if self.replica is not None and self._replica_at >= self._floor:
            return self.replica
        return self.primary
