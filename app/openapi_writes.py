"""What the OpenAPI document says about keys and bodies (app/openapi.py applies it).

- An operation with no security requirement is public, and says so: `security: []`.
- An operation that takes a bearer key names the scope it needs, from its security requirement
  (`Security(..., scopes=[...])`) or from an `openapi_extra={"x-required-scope": "write"}`
  marker, in the requirement's scope list (OpenAPI 3.1 allows role names for non-OAuth schemes)
  and in a sentence of its description; it documents 401, 403 and 429.
- An operation that takes a body documents the refusals of app/routes/bodies.py (400, 413, 415)
  and the 422 of a body that fails its model; a PATCH takes a JSON Merge Patch.
"""

from http import HTTPStatus
from typing import Any

from app.errors import STATUS_TYPES
from app.routes.bodies import MAX_BODY, MERGE_PATCH, accepted_media_types

SCOPE_MARKER = "x-required-scope"


def _header(description: str, max_length: int) -> dict[str, Any]:
    return {
        "description": description,
        "schema": {"type": "string", "maxLength": max_length, "pattern": r"^[^\x00-\x1f]*$"},
    }


WWW_AUTHENTICATE = {
    "WWW-Authenticate": _header(
        'The challenge (RFC 6750): `Bearer realm="spacefacts"`, with `error="invalid_token"` '
        'for an unknown or revoked key, or `error="insufficient_scope"` and the scope needed.',
        200,
    )
}


def _accepted(name: str, method: str) -> dict[str, Any]:
    listed = ", ".join(accepted_media_types(method))
    description = "The media types of the bodies this operation takes."
    return {name: {"description": description, "schema": {"type": "string", "enum": [listed]}}}


ACCEPT_BODY = {
    "post": _accepted("Accept-Post", "POST"),
    "put": _accepted("Accept-Post", "PUT"),
    "patch": _accepted("Accept-Patch", "PATCH"),
}


def _problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"/problems/{extra.pop('kind', None) or STATUS_TYPES[status]}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": "/v1/signatories",
        **extra,
    }


# Examples of the problems a write can meet (no GET produces them, so none is collected).
WRITE_PROBLEMS: dict[str, dict[str, Any]] = {
    "401": _problem(
        401,
        "This operation needs an API key with the write scope, sent as "
        "`Authorization: Bearer <key>`.",
    ),
    "403": _problem(403, "This operation needs a key with the write scope; this key has read."),
    "413": _problem(
        413, f"The body is larger than {MAX_BODY} bytes (1 MiB), the most this API accepts."
    ),
    "409": _problem(409, "A signatory with id 'artemis-accords-brazil' exists."),
    "415": _problem(415, "The body is text/plain; this operation takes application/json."),
    "428": _problem(
        428,
        "Send If-Match with the ETag of the signatory you read: a write without it could "
        "overwrite another curator's change.",
    ),
    "422": _problem(
        422,
        "The request body is not valid for this operation: /citations/0/quote: is required.",
        errors=[{"location": "/citations/0/quote", "message": "is required"}],
    ),
}
BODY_400 = _problem(
    400,
    'The key "name" appears more than once in one object, at /name; each key may be given once.',
    kind="invalid-body",
)

SECURITY_RESPONSES = {
    "401": "No API key was sent, or the key is unknown or revoked (see `WWW-Authenticate`).",
    "403": "The API key lacks the scope this operation needs.",
    "429": "Rate limit exceeded (per client, per key for writes, or too many failed "
    "authentications); retry after `Retry-After` seconds.",
}
BODY_RESPONSES = {
    "400": "The body is not well-formed JSON: invalid UTF-8, malformed, a key given twice in "
    "one object, or a number out of range; the detail says where.",
    "413": "The body is larger than 1 MiB.",
    "415": "The body is not JSON; `Accept-Post` or `Accept-Patch` lists what is taken.",
    "422": "The body does not describe a valid change; `errors[].location` is a JSON Pointer "
    "to each member at fault.",
}


def bearer_schemes(schema: dict[str, Any]) -> set[str]:
    """The names of the document's HTTP bearer security schemes."""
    schemes = schema.get("components", {}).get("securitySchemes", {})
    return {
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    }


def document_security(operation: dict[str, Any], *, bearers: set[str]) -> None:
    """`security: []` on a public operation; the scope and the refusals on a keyed one."""
    requirements: list[dict[str, list[str]]] = operation.setdefault("security", [])
    keyed = [r for r in requirements if set(r) & bearers]
    marked = operation.get(SCOPE_MARKER)
    if marked is not None and not keyed:
        # A scope no key check enforces would document a protection that is not there.
        raise ValueError(
            f"operation {operation.get('operationId')} names scope {marked!r} but takes no "
            f"bearer key (one of {sorted(bearers)})"
        )
    if not keyed:
        return
    given = [s for r in keyed for name in set(r) & bearers for s in r[name]]
    scopes = list(dict.fromkeys([*([marked] if marked is not None else []), *given]))
    for requirement in keyed:
        for name in set(requirement) & bearers:
            requirement[name] = scopes
    operation["description"] = (
        operation.get("description", "").rstrip() + "\n\n" + _scope_sentence(scopes)
    ).lstrip()
    responses = operation.setdefault("responses", {})
    for status, description in SECURITY_RESPONSES.items():
        responses.setdefault(status, {"description": description})


def _scope_sentence(scopes: list[str]) -> str:
    key = "Needs an API key, sent as `Authorization: Bearer <key>`"
    if not scopes:
        return key + "."
    listed = ", ".join(f"`{s}`" for s in scopes)
    return f"{key}, with the {listed} scope{'s' * (len(scopes) > 1)}."


def document_body(operation: dict[str, Any], *, method: str) -> None:
    """The refusals of a body, and a PATCH's merge-patch media type."""
    content = operation["requestBody"].get("content", {})
    if method == "patch" and MERGE_PATCH not in content and "application/json" in content:
        # Both are taken (app/routes/bodies.py); the RFC 7396 type is what a PATCH means.
        operation["requestBody"]["content"] = {MERGE_PATCH: content["application/json"], **content}
    responses = operation["responses"]
    for status, description in BODY_RESPONSES.items():
        if status == "422" and "422" in responses:
            responses["422"] = {"description": description}  # FastAPI's, as a problem
        responses.setdefault(status, {"description": description})


def write_problem_example(status: str, *, takes_body: bool) -> dict[str, Any] | None:
    if status == "400" and takes_body:
        return BODY_400
    return WRITE_PROBLEMS.get(status)


def write_headers(status: str, *, method: str) -> dict[str, Any]:
    """Headers of a write's refusals, beside those every answer carries."""
    if status in ("401", "403"):
        return dict(WWW_AUTHENTICATE)
    if status == "415":
        return dict(ACCEPT_BODY.get(method, {}))
    return {}


__all__ = [
    "BODY_RESPONSES",
    "SCOPE_MARKER",
    "bearer_schemes",
    "document_body",
    "document_security",
    "write_headers",
    "write_problem_example",
]
