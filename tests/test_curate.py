"""The curator write API, on both engines: every writable resource's create, update, delete and
restore with valid citations, each refusal with its problem body, and what a series of writes
leaves behind (documents equal to a full rebuild, citations that verify, a seed load that keeps
curator rows)."""

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import write_session
from app.models import KeyScope
from app.resources._types import Resource
from app.services.curate import WRITABLE
from app.services.entities import load_all
from app.services.keys import create_key, revoke_key
from app.services.rebuild import build_all, stored
from app.services.seed import load_seed
from app.services.verify import verify_citations
from app.services.write_shape import body_of
from tests.api import client_for
from tests.conftest import SEED_DIR, Database

ARTICLE = "russia-china-moon-article"
NOTE = (
    "Brazil's space agency said on Monday that it had signed the Artemis Accords, joining "
    "the United States. Brazil said the accords matter."
)


@dataclass
class Curator:
    client: TestClient
    db: Database
    read: dict[str, str]
    write: dict[str, str]
    admin: dict[str, str]


@pytest.fixture
def curator(seeded_db: Database) -> Iterator[Curator]:
    with write_session(seeded_db.engine) as session:
        tokens = {
            scope: create_key(session, name=f"{scope.value}-key", scope=scope) for scope in KeyScope
        }
    for client in client_for(seeded_db):
        yield Curator(
            client,
            seeded_db,
            *({"Authorization": f"Bearer {tokens[s]}"} for s in KeyScope),
        )


def _renamed(resource: Resource, body: dict[str, Any], suffix: str) -> dict[str, Any]:
    """A copy of an entity's write body under new ids (its nested parts' too)."""
    out = copy.deepcopy(body)
    id_field = resource.id_column.name
    out[id_field] = "XZ" if resource.type == "country" else f"{body[id_field]}-{suffix}"
    for name in ("objectives", "participants"):
        for part in out.get(name, []):
            part["id"] = f"{part['id']}-{suffix}"
    return out


def _first_body(db: Database, resource: Resource) -> dict[str, Any]:
    with Session(db.engine) as session:
        entities = load_all(session)
    key = min(k for k in entities if k[0] == resource.type)
    return body_of(resource, entities[key])


@pytest.mark.parametrize("resource", WRITABLE, ids=[r.collection for r in WRITABLE])
def test_each_resource_is_created_updated_deleted_and_restored(
    curator: Curator, resource: Resource
) -> None:
    c, base = curator.client, f"/v1/{resource.collection}"
    body = _renamed(resource, _first_body(curator.db, resource), "copy")
    ident = body[resource.id_column.name]
    created = c.post(base, json=body, headers=curator.write)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{base}/{ident}"
    read = c.get(f"{base}/{ident}")
    assert read.status_code == 200
    assert read.json() == created.json()
    etag = read.headers["etag"]
    assert etag.strip('"').startswith(created.headers["etag"].strip('"'))

    # A merge patch that changes nothing writes nothing and keeps the ETag.
    same = c.patch(f"{base}/{ident}", json={}, headers={**curator.write, "If-Match": etag})
    assert same.status_code == 200, same.text
    assert same.headers["etag"] == created.headers["etag"]

    deleted = c.delete(f"{base}/{ident}", headers={**curator.write, "If-Match": etag})
    assert deleted.status_code == 204, deleted.text
    gone = c.get(f"{base}/{ident}")
    assert gone.status_code == 404
    assert gone.json()["type"] == "/problems/deleted"
    assert f"{base}/{ident}/revisions" in gone.json()["detail"]
    assert gone.headers["link"] == f'<{base}/{ident}/revisions>; rel="version-history"'

    restored = c.post(f"{base}/{ident}/restore", headers=curator.admin)
    assert restored.status_code == 200, restored.text
    assert restored.json() == created.json()
    history = c.get(f"{base}/{ident}/revisions").json()["items"]
    assert [(r["kind"], r["actor"]) for r in history] == [
        ("restore", "key:admin-key"),
        ("delete", "key:write-key"),
        ("create", "key:write-key"),
    ]
    assert all(r["created_at"].endswith("Z") for r in history)  # UTC on both engines
    assert history[1]["before"] == created.json()
    assert history[1]["after"] is None
    with Session(curator.db.engine) as session:
        assert stored(session) == build_all(session)


def _source(c: TestClient, headers: dict[str, str]) -> None:
    posted = c.post(
        "/v1/sources",
        json={"id": "brazil-note", "title": "A note on Brazil", "language": "en", "text": NOTE},
        headers=headers,
    )
    assert posted.status_code == 201, posted.text


def _signatory(**changes: Any) -> dict[str, Any]:
    def q(quote: str, **extra: Any) -> dict[str, Any]:
        return {"quote": quote, "source": "brazil-note", "attribution": "article", **extra}

    body = {
        "id": "artemis-accords-brazil-note",
        "agreement_id": "artemis-accords",
        "country_code": "BR",
        "party_phrase": "Brazil's space agency",
        "status": "signed",
        "date_phrase": "on Monday",
        "citations": {
            "agreement": {"quotes": [q("signed the Artemis Accords")]},
            "party": {"quotes": [q("Brazil's space agency")]},
            "party_phrase": {"quotes": [q("Brazil's space agency")]},
            "status": {"quotes": [q("it had signed the Artemis Accords")]},
            "date": {"quotes": [q("on Monday")]},
        },
    }
    return {**body, **changes}


def test_a_curators_whole_task(curator: Curator) -> None:
    """A second source, a signatory cited from it, patched, deleted and restored; then the
    stored documents equal a full rebuild, every citation verifies, and a seed load keeps it."""
    c = curator.client
    _source(c, curator.write)
    created = c.post("/v1/signatories", json=_signatory(), headers=curator.write)
    assert created.status_code == 201, created.text
    assert created.json()["party"]["id"] == "BR"
    cited = created.json()["citations"][0]
    assert (cited["source"], cited["exact"]) == ("brazil-note", "signed the Artemis Accords")
    assert NOTE[cited["start"] : cited["end"]] == cited["exact"]
    etag = c.get("/v1/signatories/artemis-accords-brazil-note").headers["etag"]
    patched = c.patch(
        "/v1/signatories/artemis-accords-brazil-note",
        content=b'{"date_phrase": null, "citations": {"date": null}}',
        headers={
            **curator.write,
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
            "Prefer": "return=minimal",
        },
    )
    assert patched.status_code == 204, patched.text
    assert patched.headers["preference-applied"] == "return=minimal"
    after = c.get("/v1/signatories/artemis-accords-brazil-note")
    assert after.json()["date"]["phrase"] is None
    assert after.headers["etag"] != etag
    deleted = c.delete(
        "/v1/signatories/artemis-accords-brazil-note",
        headers={**curator.write, "If-Match": after.headers["etag"]},
    )
    assert deleted.status_code == 204
    names = c.get("/v1/agreements/artemis-accords/signatories").json()["items"]
    assert "artemis-accords-brazil-note" not in [s["id"] for s in names]
    restored = c.post("/v1/signatories/artemis-accords-brazil-note/restore", headers=curator.admin)
    assert restored.status_code == 200
    history = c.get("/v1/signatories/artemis-accords-brazil-note/revisions").json()["items"]
    assert [r["kind"] for r in history] == ["restore", "delete", "update", "create"]
    assert history[2]["changed"] == ["citations", "claims", "date"]

    with Session(curator.db.engine) as session:
        assert stored(session) == build_all(session)
        citations, drifts = verify_citations(session=session)
    assert drifts == []
    assert citations == 122 + 4
    report = load_seed(engine=curator.db.engine, seed_dir=SEED_DIR)
    assert not report.changed
    assert c.get("/v1/signatories/artemis-accords-brazil-note").status_code == 200
    assert c.get("/v1/sources/brazil-note").status_code == 200


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    return body


def test_writes_need_a_key_with_the_scope(curator: Curator) -> None:
    c = curator.client
    missing = c.post("/v1/signatories", json=_signatory())
    _problem(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    _problem(c.post("/v1/signatories", json=_signatory(), headers=curator.read), 403, "forbidden")
    _source(c, curator.write)
    created = c.post("/v1/signatories", json=_signatory(), headers=curator.write)
    restore = c.post("/v1/signatories/artemis-accords-brazil-note/restore", headers=curator.write)
    _problem(restore, 403, "forbidden")
    assert created.status_code == 201
    with write_session(curator.db.engine) as session:
        assert revoke_key(session, name="write-key")
    revoked = c.post("/v1/signatories", json=_signatory(id="other"), headers=curator.write)
    _problem(revoked, 401, "unauthorized")
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]


def test_refusals_of_a_body(curator: Curator) -> None:
    c = curator.client
    _source(c, curator.write)

    def refused(body: dict[str, Any]) -> dict[str, Any]:
        return _problem(
            c.post("/v1/signatories", json=body, headers=curator.write), 422, "unprocessable"
        )

    citations = _signatory()["citations"]
    absent = refused(
        _signatory(
            citations={
                **citations,
                "date": {"quotes": [{**citations["date"]["quotes"][0], "quote": "Tuesday"}]},
            }
        )
    )
    assert absent["errors"] == [
        {
            "location": "/citations/date/quotes/0/quote",
            "message": "claim 'date': quote 'Tuesday': quote not found in source 'brazil-note'",
        }
    ]
    twice = refused(
        _signatory(
            citations={
                **citations,
                "party_phrase": {
                    "quotes": [{**citations["party_phrase"]["quotes"][0], "quote": "Brazil"}]
                },
            },
            party_phrase="Brazil",
        )
    )
    assert twice["errors"][0]["location"] == "/citations/party_phrase/quotes/0/quote"
    assert "ambiguous: 2 occurrences, give start" in twice["errors"][0]["message"]
    at_start = c.post(
        "/v1/signatories",
        json=_signatory(
            citations={
                **citations,
                "party_phrase": {
                    "quotes": [
                        {**citations["party_phrase"]["quotes"][0], "quote": "Brazil", "start": 0}
                    ]
                },
            },
            party_phrase="Brazil",
        ),
        headers=curator.write,
    )
    assert at_start.status_code == 201, at_start.text
    c.delete(
        "/v1/signatories/artemis-accords-brazil-note",
        headers={**curator.write, "If-Match": at_start.headers["etag"]},
    )

    wrong_span = refused(
        _signatory(
            id="brazil-span",
            citations={
                **citations,
                "date": {"quotes": [{**citations["date"]["quotes"][0], "start": 3}]},
            },
        )
    )
    assert wrong_span["errors"][0]["location"] == "/citations/date/quotes/0/start"
    assert "the text at [3, 12) is not the quote" in wrong_span["errors"][0]["message"]
    uncited = refused(
        _signatory(
            id="brazil-uncited", citations={k: v for k, v in citations.items() if k != "date"}
        )
    )
    assert uncited["errors"][0] == {
        "location": "/citations",
        "message": "no citation for filled claim(s) date",
    }
    renamed = refused(_signatory(id="brazil-renamed", party_phrase="the Brazilian agency"))
    assert renamed["errors"][0]["location"] == "/citations/party_phrase"
    assert (
        "'the Brazilian agency' occurs in none of the row's quotes"
        in renamed["errors"][0]["message"]
    )
    unknown = refused(_signatory(id="brazil-unknown", agreement_id="no-such-agreement"))
    assert unknown["errors"] == [
        {
            "location": "/agreement_id",
            "message": "agreement_id 'no-such-agreement': no such agreement",
        }
    ]


def test_conflicts_and_preconditions(curator: Curator) -> None:
    c = curator.client
    _source(c, curator.write)
    again = c.post(
        "/v1/sources",
        json={"id": "brazil-note-2", "title": "Again", "language": "en", "text": NOTE},
        headers=curator.write,
    )
    assert "stored already, as source 'brazil-note'" in _problem(again, 409, "conflict")["detail"]
    assert again.headers["location"] == "/v1/sources/brazil-note"
    created = c.post("/v1/signatories", json=_signatory(), headers=curator.write)
    twice = c.post("/v1/signatories", json=_signatory(), headers=curator.write)
    _problem(twice, 409, "conflict")
    url = "/v1/signatories/artemis-accords-brazil-note"
    _problem(
        c.patch(url, json={"status": "signed"}, headers=curator.write), 428, "precondition-required"
    )
    _problem(c.delete(url, headers=curator.write), 428, "precondition-required")
    stale = '"d-0000000000000000"'
    refused = c.patch(url, json={}, headers={**curator.write, "If-Match": stale})
    _problem(refused, 412, "precondition-failed")
    assert refused.headers["etag"] == created.headers["etag"]
    unknown = c.patch(
        "/v1/signatories/no-such", json={}, headers={**curator.write, "If-Match": stale}
    )
    _problem(unknown, 404, "not-found")
    named = c.get("/v1/agreements/artemis-accords")
    refused_delete = c.delete(
        "/v1/agreements/artemis-accords",
        headers={**curator.write, "If-Match": named.headers["etag"]},
    )
    assert "still named by" in _problem(refused_delete, 409, "conflict")["detail"]
    new_id = c.patch(
        url, json={"id": "renamed"}, headers={**curator.write, "If-Match": created.headers["etag"]}
    )
    assert _problem(new_id, 422, "unprocessable")["errors"] == [
        {"location": "/id", "message": "an entity's id never changes"}
    ]
    # Valid as a patch, but the merged body lacks a required field.
    unset = c.patch(
        url, json={"status": None}, headers={**curator.write, "If-Match": created.headers["etag"]}
    )
    assert _problem(unset, 422, "unprocessable")["errors"] == [
        {"location": "/status", "message": "Field required"}
    ]


def test_two_writers_with_one_etag_one_wins(curator: Curator) -> None:
    """Two workers (two apps on one database) PATCH at once with the same ETag."""
    c = curator.client
    _source(c, curator.write)
    created = c.post("/v1/signatories", json=_signatory(), headers=curator.write)
    url = "/v1/signatories/artemis-accords-brazil-note"
    etag = created.headers["etag"]
    before = len(c.get(f"{url}/revisions").json()["items"])
    start = threading.Barrier(2)
    statuses: list[int] = []

    def patch(client: TestClient, status: str) -> None:
        start.wait()
        answer = client.patch(
            url, json={"status": status}, headers={**curator.write, "If-Match": etag}
        )
        statuses.append(answer.status_code)

    for other in client_for(curator.db):
        threads = [
            threading.Thread(target=patch, args=(client, status))
            for client, status in ((c, "counterparty"), (other, "intends_to_sign"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200, 412]
    history = c.get(f"{url}/revisions").json()["items"]
    assert len(history) == before + 1
    assert history[0]["kind"] == "update"


def test_bodies_the_write_routes_refuse(curator: Curator) -> None:
    c, headers = curator.client, curator.write
    big = c.post(
        "/v1/signatories",
        content=b'{"id": "' + b"x" * (1024 * 1024) + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    _problem(big, 413, "payload-too-large")
    text = c.post(
        "/v1/signatories", content=b"id=x", headers={**headers, "Content-Type": "text/plain"}
    )
    _problem(text, 415, "unsupported-media-type")
    assert "application/json" in text.headers["accept-post"]
    twice = c.post(
        "/v1/signatories",
        content=b'{"id": "a", "id": "b"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    _problem(twice, 400, "invalid-body")


def test_a_sources_metadata_changes_and_its_text_never(curator: Curator) -> None:
    c, url = curator.client, f"/v1/sources/{ARTICLE}"
    read = c.get(url)
    unchanged = read.json()
    changed = c.patch(
        url,
        json={"publisher": "A publisher", "description": None},
        headers={**curator.write, "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**unchanged, "publisher": "A publisher", "description": None}
    text = c.patch(
        url, json={"text": "other"}, headers={**curator.write, "If-Match": changed.headers["etag"]}
    )
    assert _problem(text, 422, "unprocessable")["errors"][0]["location"] == "/text"
    assert c.get(f"{url}/text").text.startswith("The Russian")
    required = c.patch(
        url, json={"title": None}, headers={**curator.write, "If-Match": changed.headers["etag"]}
    )
    assert _problem(required, 422, "unprocessable")["errors"] == [
        {"location": "/title", "message": "Field required"}
    ]
    _problem(c.patch(url, json={}, headers=curator.write), 428, "precondition-required")
    with Session(curator.db.engine) as session:
        assert stored(session) == build_all(session)
