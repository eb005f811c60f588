"""What a curator's write answers: the entity's document and ETag, or why it was refused."""

from dataclasses import dataclass, field

__all__ = ["CurateError", "Written", "refuse"]


@dataclass
class CurateError(Exception):
    """A refused write: its status, what it says, and where in the body (JSON Pointers)."""

    status: int
    detail: str
    kind: str = "unprocessable"
    errors: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """The entity's stored document after a write (None once deleted) and its ETag."""

    document: bytes | None
    etag: str | None
    revision: int | None


def refuse(errors: list[dict[str, str]], *, status: int = 422) -> CurateError:
    detail = " ".join(e["message"] for e in errors[:5]) + (" …" if len(errors) > 5 else "")
    return CurateError(status, detail, errors=errors)
