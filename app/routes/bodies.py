"""Request bodies of the write operations: at most 1 MiB, JSON only, parsed strictly.

`WriteRoute` (an `ApiRoute`) reads and checks the body before FastAPI sees it, so every refusal
is a problem in the API's words rather than FastAPI's generic ones:

- 413 when Content-Length says more than `MAX_BODY`, or when a body without one (chunked) grows
  past it; no more than `MAX_BODY + 1` bytes are ever kept.
- 415 when Content-Type is not JSON (`application/json` or any `+json` type, except, for PATCH,
  `application/json-patch+json`: RFC 6902 operations, which are not a merge patch), with the
  `Accept-Post` or `Accept-Patch` header listing what the operation takes.
- 400 (`invalid-body`) for invalid UTF-8, malformed JSON, a key given twice in one object, a
  NaN or Infinity, a number out of range, or a string holding half of a surrogate pair.

A body that parses is handed to FastAPI as it is, and one that fails the route's model is its
usual validation error, answered as a 422 with JSON Pointers (app/errors.py).
"""

import json
import math
import re
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from fastapi import Request
from starlette.responses import Response
from starlette.types import Receive, Scope

from app.errors import ProblemError
from app.pointers import json_pointer, key_shown, shown
from app.routes.common import ApiRoute

__all__ = ["MAX_BODY", "MERGE_PATCH", "WriteRoute", "accepted_media_types", "parse_json"]

MAX_BODY = 1024 * 1024
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
MAX_DIGITS = 100  # an integer longer than this is no id, count or offset this API stores
# A lone surrogate can only come from a \\uD800-\\uDFFF escape: the text itself is valid UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def accepted_media_types(method: str) -> list[str]:
    """The body media types an operation takes, as its Accept-Post or Accept-Patch lists them."""
    if method == "PATCH":
        return [MERGE_PATCH, "application/json"]
    return ["application/json"]


def _check_media_type(content_type: str | None, *, method: str) -> None:
    media_type, _, params = (content_type or "").partition(";")
    media_type = media_type.strip().lower()
    charset = next(
        (v.strip().strip('"').lower() for k, _, v in _params(params) if k == "charset"), "utf-8"
    )
    json_like = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    if json_like and not (method == "PATCH" and media_type == JSON_PATCH) and charset == "utf-8":
        return
    accepted = accepted_media_types(method)
    header = "Accept-Patch" if method == "PATCH" else "Accept-Post"
    if not media_type:
        said = "The body has no Content-Type"
    elif json_like and charset != "utf-8":
        said = f"The body is in {charset}, and JSON is UTF-8"
    else:
        said = f"The body is {media_type}"
    raise ProblemError(
        415,
        f"{said}; this operation takes {' or '.join(accepted)}.",
        kind="unsupported-media-type",
        headers={header: ", ".join(accepted)},
    )


def _params(params: str) -> list[tuple[str, str, str]]:
    return [
        (name.strip().lower(), sep, value)
        for name, sep, value in (p.partition("=") for p in params.split(";"))
    ]


def _too_large() -> ProblemError:
    return ProblemError(
        413,
        f"The body is larger than {MAX_BODY} bytes (1 MiB), the most this API accepts.",
        kind="payload-too-large",
    )


def _check_declared_length(request: Request) -> None:
    """Refuse a body whose Content-Length says it is too large, before reading a byte of it."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise ProblemError(400, "Content-Length is not a number.", kind="invalid-body")
    if int(declared) > MAX_BODY:
        raise _too_large()


async def read_limited(request: Request) -> bytes:
    """The body, refused with a 413 as soon as it grows past MAX_BODY (a chunked body has no
    Content-Length to check first); at most MAX_BODY bytes are kept."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


class _Duplicated(dict[str, Any]):
    """An object in which `key` appeared more than once (found again, with its path, later)."""

    def __init__(self, pairs: list[tuple[str, Any]], *, key: str) -> None:
        super().__init__(pairs)
        self.key = key


class _RefusedValueError(ValueError):
    """A value JSON's grammar allows but this API refuses (raised from the parser's hooks)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return _Duplicated(pairs, key=key)


def _constant(name: str) -> Any:
    raise _RefusedValueError(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _RefusedValueError(f"a number has more than {MAX_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedValueError(f"the number {text[:40]} is out of range")
    return value


def _invalid(detail: str) -> ProblemError:
    return ProblemError(400, detail, kind="invalid-body")


def parse_json(raw: bytes) -> Any:
    """The JSON document in `raw`, or a 400 problem saying what is wrong and where."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(
            f"The body is not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}."
        ) from exc
    if text.startswith("\ufeff"):
        raise _invalid("The body starts with a byte order mark, which JSON text must not.")
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        obj = _object(items)
        duplicated = duplicated or isinstance(obj, _Duplicated)
        return obj

    try:
        value = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
        )
    except _RefusedValueError as exc:
        raise _invalid(f"The body is not acceptable JSON: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise _invalid(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
            f"(character {exc.pos})."
        ) from exc
    except RecursionError as exc:
        raise _invalid("The body is nested too deeply.") from exc
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if duplicated or surrogates:  # else nothing to find: most bodies skip the walk
        _check_members(value, surrogates=surrogates)
    return value


def _check_members(value: Any, *, surrogates: bool) -> None:
    """Refuse a duplicated key or a lone surrogate, naming where (depth-first, in order)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Duplicated):
            where = shown(json_pointer((*path, node.key)))
            raise _invalid(
                f'The key "{key_shown(node.key)}" appears more than once in one object, at '
                f"{where}; each key may be given once."
            )
        if isinstance(node, dict):
            children: list[tuple[Any, tuple[str | int, ...]]] = []
            for key, item in node.items():
                if surrogates:
                    _check_text(key, path=(*path, key))
                children.append((item, (*path, key)))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(item, (*path, i)) for i, item in enumerate(node)]))
        elif surrogates and isinstance(node, str):
            _check_text(node, path=path)


def _check_text(text: str, *, path: tuple[str | int, ...]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = shown(json_pointer(path)) or "the body"
        raise _invalid(
            f"A string at {where} holds half of a surrogate pair (\\u{ord(text[exc.start]):04x}), "
            "which is no Unicode character."
        ) from exc


class ParsedRequest(Request):
    """A request whose body was read and parsed already: FastAPI reads it from here."""

    def __init__(self, scope: Scope, receive: Receive, *, raw: bytes, value: Any) -> None:
        super().__init__(scope, receive)
        self.raw_body = raw
        self.parsed_body = value

    async def stream(self) -> AsyncGenerator[bytes, None]:
        yield self.raw_body

    async def body(self) -> bytes:
        return self.raw_body

    async def json(self) -> Any:
        return self.parsed_body


class WriteRoute(ApiRoute):
    """The route of an operation that takes a body (or may be sent one, like DELETE)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_body = self.body_field is not None

        async def checked(request: Request) -> Response:
            _check_declared_length(request)
            content_type = request.headers.get("content-type")
            if takes_body and content_type is not None:
                _check_media_type(content_type, method=request.method)  # before reading it
            raw = await read_limited(request)
            value: Any = None
            if raw and takes_body:
                _check_media_type(content_type, method=request.method)  # sent with none?
                value = parse_json(raw)
            # A body the operation does not take (a DELETE's) is ignored once it is in bounds.
            return await handler(
                ParsedRequest(request.scope, request.receive, raw=raw, value=value)
            )

        return checked
