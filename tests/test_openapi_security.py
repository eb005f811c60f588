"""The OpenAPI document on keys and bodies (app/openapi_writes.py): public operations say
`security: []`, keyed ones name their scope and document 401, 403 and 429, and operations that
take a body document its refusals."""

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from app.config import Settings
from app.main import create_app
from app.models.public import ProblemType
from tests.conftest import Database
from tests.extra_routes import client_with

bearer = HTTPBearer(auto_error=False, scheme_name="bearer")
SENTENCE = "Needs an API key, sent as `Authorization: Bearer <key>`, with the `{}` scope."
PROBLEM_TYPES = {t.value for t in ProblemType}


async def key(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    return credentials.credentials if credentials else ""


class Note(BaseModel):
    text: str = Field(max_length=100)


router = APIRouter(prefix="/test", tags=["meta"])


@router.post("/notes", status_code=201, openapi_extra={"x-required-scope": "write"})
async def create_test_note(note: Note, caller: Annotated[str, Depends(key)]) -> dict[str, str]:
    """Make a note."""
    return {"text": note.text, "caller": caller}


@router.patch("/notes/{note_id}")
async def patch_test_note(
    note_id: str,
    patch: Annotated[dict[str, str], Body()],
    caller: Annotated[str, Security(key, scopes=["admin"])],
) -> dict[str, str]:
    """Change a note."""
    return {**patch, "id": note_id, "caller": caller}


@router.delete("/notes/{note_id}", status_code=204, openapi_extra={"x-required-scope": "admin"})
async def delete_test_note(note_id: str, caller: Annotated[str, Depends(key)]) -> None:
    """Delete a note."""
    del note_id, caller  # only documented here, never called


@pytest.fixture
def spec(seeded_db: Database) -> Iterator[dict[str, Any]]:
    for client in client_with(seeded_db, router):
        response = client.get("/openapi.json")
        assert response.status_code == 200, response.text
        yield response.json()


def _problems(operation: dict[str, Any], *statuses: str) -> None:
    for status in statuses:
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"], status
        assert content["application/problem+json"]["example"]["status"] == int(status)
        assert content["application/problem+json"]["example"]["type"] in PROBLEM_TYPES


def test_every_operation_states_its_security(spec: dict[str, Any]) -> None:
    keyed = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert "security" in operation, (method, path)
            if operation["security"]:
                assert all(set(r) == {"bearer"} for r in operation["security"]), (method, path)
                keyed.append(f"{method} {path}")
    assert spec["paths"]["/v1/programs"]["get"]["security"] == []
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert {"post /test/notes", "patch /test/notes/{note_id}"} <= set(keyed)


def test_a_keyed_operation_names_its_scope_and_documents_refusals(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/test/notes"]["post"]
    assert create["security"] == [{"bearer": ["write"]}]
    assert create["description"] == "Make a note.\n\n" + SENTENCE.format("write")
    _problems(create, "401", "403", "429")
    for status in ("401", "403"):
        assert "WWW-Authenticate" in create["responses"][status]["headers"]
    assert "Retry-After" in create["responses"]["429"]["headers"]
    # A write's answer never passes the cache layer: it carries none of its headers.
    assert "Cache-Control" not in create["responses"]["201"]["headers"]
    # From `Security(..., scopes=[...])` rather than a marker, the same.
    patch = spec["paths"]["/test/notes/{note_id}"]["patch"]
    assert patch["security"] == [{"bearer": ["admin"]}]
    assert patch["description"].endswith(SENTENCE.format("admin"))
    _problems(patch, "401", "403", "429")


def test_an_operation_with_a_body_documents_its_refusals(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/test/notes"]["post"]
    _problems(create, "400", "413", "415", "422", "500")
    assert create["responses"]["400"]["content"]["application/problem+json"]["example"]["type"] == (
        "/problems/invalid-body"
    )
    assert create["responses"]["415"]["headers"]["Accept-Post"]["schema"] == {
        "type": "string",
        "enum": ["application/json"],
    }
    patch = spec["paths"]["/test/notes/{note_id}"]["patch"]
    assert list(patch["requestBody"]["content"]) == [
        "application/merge-patch+json",
        "application/json",
    ]
    assert patch["responses"]["415"]["headers"]["Accept-Patch"]["schema"]["enum"] == [
        "application/merge-patch+json, application/json"
    ]
    # Without a body: no body refusals, and a bad path parameter is a 400, never FastAPI's 422.
    delete = spec["paths"]["/test/notes/{note_id}"]["delete"]
    assert delete["security"] == [{"bearer": ["admin"]}]
    assert not {"413", "415", "422"} & set(delete["responses"])
    _problems(delete, "400", "401", "403", "429", "500")


def test_a_scope_marker_on_an_operation_that_takes_no_key_is_refused(
    seeded_db: Database,
) -> None:
    unguarded = APIRouter(prefix="/test", tags=["meta"])

    @unguarded.post("/open", openapi_extra={"x-required-scope": "write"})
    async def open_test_note(note: Note) -> dict[str, str]:
        """Claims a scope but checks no key."""
        return {"text": note.text}

    app = create_app(config=Settings(rate_limit_enabled=False), db=seeded_db.engine)
    app.include_router(unguarded)
    with pytest.raises(ValueError, match="open_test_note names scope 'write' but takes no bearer"):
        app.openapi()
