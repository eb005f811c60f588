"""Parsing Accept, Accept-Encoding and entity-tag headers."""

import datetime as dt
from email.utils import format_datetime, parsedate_to_datetime


def _weighted(header: str) -> list[tuple[str, float]]:
    out = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def accepts(header: str | None, media_type: str) -> bool:
    """Whether an Accept header admits media_type (no header admits everything)."""
    if not header or not header.strip():
        return True
    kind, _, sub = media_type.partition("/")
    # RFC 6839: a client of application/json can read any application/*+json (a JSON Feed).
    json_too = f"{kind}/json" if sub.endswith("+json") else media_type
    for candidate, q in _weighted(header):
        if q <= 0:
            continue
        if candidate in ("*/*", media_type, f"{kind}/*", json_too):
            return True
    return False


def choose_encoding(header: str | None, available: tuple[str, ...]) -> str:
    """The best content coding the client accepts among `available`, else identity."""
    if not header:
        return "identity"
    offered = dict(_weighted(header))
    best, best_q = "identity", 0.0
    for coding in available:
        q = offered.get(coding, offered.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 requires for If-None-Match."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def etag_matches_strong(if_match: str, etag: str) -> bool:
    """Strong comparison, as RFC 9110 §13.1.1 requires for If-Match (`*`: any current one)."""
    if if_match.strip() == "*":
        return True
    return not etag.startswith("W/") and any(tag.strip() == etag for tag in if_match.split(","))


def http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def parse_http_date(value: str) -> dt.datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
