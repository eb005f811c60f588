"""The response cache's store: finished answers by key, bounded by entries and by bytes.

The least recently used answer goes first when either bound is passed; an answer bigger than
the whole byte bound is not stored. A key's first element is the dataset version: storing an
answer of a newer version empties the store, since every older answer is stale at once.
"""

from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["ENTRY_OVERHEAD", "Key", "ResponseStore", "Stored"]

Key = tuple[int, str, bytes]  # (dataset version, content coding, host and target)
ENTRY_OVERHEAD = 400  # bytes an entry costs beyond its key, headers and body (the objects)


@dataclass(frozen=True)
class Stored:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    media_type: str
    etag: str

    def size(self, key: Key) -> int:
        """What keeping this answer under `key` costs, in bytes (counted, not measured)."""
        headers = sum(len(name) + len(value) for name, value in self.headers)
        return ENTRY_OVERHEAD + len(key[2]) + len(self.etag) + headers + len(self.body)


class ResponseStore:
    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Key, Stored] = OrderedDict()
        self._bytes = 0
        self._version = -1

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def bytes(self) -> int:
        """The bytes the stored answers count for (at most `max_bytes`)."""
        return self._bytes

    def values(self) -> list[Stored]:
        return list(self._answers.values())

    def get(self, key: Key) -> Stored | None:
        return self._answers.get(key)

    def touch(self, key: Key) -> None:
        """Mark the answer under `key` as just used: the last to be evicted."""
        self._answers.move_to_end(key)

    def put(self, key: Key, stored: Stored) -> None:
        if key[0] != self._version:
            self._answers.clear()
            self._bytes = 0
            self._version = key[0]
        old = self._answers.pop(key, None)
        if old is not None:
            self._bytes -= old.size(key)
        size = stored.size(key)
        if size > self.max_bytes:
            return
        self._answers[key] = stored
        self._bytes += size
        while len(self._answers) > self.max_entries or self._bytes > self.max_bytes:
            evicted_key, evicted = self._answers.popitem(last=False)
            self._bytes -= evicted.size(evicted_key)
