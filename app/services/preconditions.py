"""Optimistic concurrency for curators' writes: an entity's ETag is a digest of its stored
document, so it changes exactly when what a client read changes (an edit of the entity, or of a
name it shows), and a PATCH or DELETE must name the current one."""

import hashlib

from sqlmodel import Session

from app.resources._types import Resource
from app.services.documents import read_document
from app.services.refusals import CurateError

__all__ = ["document_etag", "etag_listed", "precondition"]


def document_etag(document: bytes) -> str:
    """A document's strong ETag: it changes exactly when the document's bytes do."""
    return '"d-' + hashlib.blake2b(document, digest_size=8).hexdigest() + '"'


def precondition(session: Session, *, resource: Resource, ident: str, if_match: str | None) -> None:
    """428 without If-Match, 412 unless it names the entity's current document."""
    if if_match is None:
        raise CurateError(
            428,
            f"Send If-Match with the ETag of the {resource.type} you read: a write without it "
            "could overwrite another curator's change.",
            kind="precondition-required",
        )
    stored = read_document(connection=session.connection(), kind=resource.type, ident=ident)
    etag = document_etag(stored) if stored is not None else None
    if etag is None or not etag_listed(if_match, etag):
        raise CurateError(
            412,
            f"The {resource.type} {ident!r} changed since the ETag you sent; read it again.",
            kind="precondition-failed",
            headers={"ETag": etag} if etag else {},
        )


def etag_listed(if_match: str, etag: str) -> bool:
    """Strong comparison of If-Match with a document's ETag, whatever content coding the
    client's copy came in (the cache layer appends `-<coding>` to a document's ETag)."""
    if if_match.strip() == "*":
        return True
    base = etag[1:-1]
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/") or len(tag) < 2 or tag[0] != '"' or tag[-1] != '"':
            continue
        inner = tag[1:-1]
        if inner == base or inner.startswith(base + "-"):
            return True
    return False
