"""The list and read operations of every resource, made from its spec in the registry."""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import fields
from typing import Annotated, Any, get_type_hints

from fastapi import Request

from app.deps import Reading, ReadingDep, StatedReadingDep, find_document, id_parameters
from app.resources._types import Resource
from app.routes.common import (
    ApiRoute,
    Guard,
    JSONBytes,
    once_per_resource,
    page_of,
    page_response,
    responses,
)
from app.routes.params import Cursor, Limit, sort_param
from app.routes.router import Router
from app.services.listing import list_documents
from app.services.preconditions import document_etag

__all__ = ["resource_router"]

_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _list_endpoint(resource: Resource) -> Callable[..., Awaitable[JSONBytes]]:
    filter_fields: list[str] = (
        [f.name for f in fields(resource.filters)] if resource.filters else []
    )

    async def endpoint(**given: Any) -> JSONBytes:
        request: Request = given["request"]
        reading: Reading = given["reading"]
        stated = reading.stated
        filters = (
            resource.filters(**{n: given[n] for n in filter_fields}) if resource.filters else None
        )
        limit: int = given["limit"]
        items, page = await reading.db.read(
            lambda connection: list_documents(
                connection=connection,
                resource=resource,
                filters=filters,
                stated_only=stated,
                sort=given["sort"],
                limit=limit,
                cursor=given["cursor"],
                serving=reading.serving,
            )
        )
        return page_response(request, items, page, limit, stated=stated)

    sorts = [s.value for s in list(resource.sorts)]
    context = StatedReadingDep if resource.stated_filter else ReadingDep
    parameters = [
        inspect.Parameter("request", _KEYWORD, annotation=Request),
        inspect.Parameter("reading", _KEYWORD, annotation=context),
    ]
    if resource.filters is not None:
        hints = get_type_hints(resource.filters, include_extras=True)
        parameters += [
            inspect.Parameter(f.name, _KEYWORD, annotation=hints[f.name], default=f.default)
            for f in fields(resource.filters)
        ]
    parameters += [
        inspect.Parameter(
            "sort",
            _KEYWORD,
            annotation=Annotated[str | None, sort_param(sorted(sorts), resource.default_sort)],
            default=None,
        ),
        inspect.Parameter("limit", _KEYWORD, annotation=Limit, default=50),
        inspect.Parameter("cursor", _KEYWORD, annotation=Cursor, default=None),
    ]
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=JSONBytes)  # type: ignore[attr-defined]
    endpoint.__doc__ = resource.docs[1]
    return endpoint


def _read_endpoint(resource: Resource) -> Callable[..., Awaitable[JSONBytes]]:
    # Its parameters are the get-or-404 dependency's own, taken directly: a dependency nested
    # inside the operation cost a read one more round of FastAPI's solving.
    async def endpoint(**given: Any) -> JSONBytes:
        document = await find_document(
            resource=resource, reading=given["reading"], ident=given[resource.path_param]
        )
        # The document's own ETag: a write elsewhere leaves it, and a curator's If-Match, valid.
        return JSONBytes(document, headers={"ETag": document_etag(document)})

    parameters = id_parameters(resource)
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=JSONBytes)  # type: ignore[attr-defined]
    endpoint.__doc__ = resource.docs[3]
    return endpoint


@once_per_resource
def resource_router(resource: Resource) -> Router:
    """`GET /v1/<collection>` and `GET /v1/<collection>/{id}` of one resource."""
    router = Router(
        prefix=f"/v1/{resource.collection}",
        tags=[resource.collection],
        dependencies=[Guard],
        route_class=ApiRoute,
    )
    list_summary, _, read_summary, _ = resource.docs
    router.add_api_route(
        "",
        _list_endpoint(resource),
        methods=["GET"],
        name=f"list_{resource.collection}",
        summary=list_summary,
        response_model=page_of(resource.public),
        response_class=JSONBytes,
        responses=responses(),
    )
    router.add_api_route(
        f"/{{{resource.path_param}}}",
        _read_endpoint(resource),
        methods=["GET"],
        name=f"read_{resource.type}",
        summary=read_summary,
        response_model=resource.public,
        response_class=JSONBytes,
        responses=responses(not_found=True),
    )
    return router
