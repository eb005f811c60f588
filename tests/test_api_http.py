"""HTTP behaviour: caching validators, 304, HEAD, errors as problems, compression, CORS, limits."""

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import brotli  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient

from app import deps
from app.errors import PATH_SAFE
from app.services import listing
from app.services.preconditions import document_etag
from app.services.seed import load_seed
from tests.api import client_for
from tests.conftest import Database
from tests.helpers import edit


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Tests that take `api` only read: one app and seeded database per module and engine."""
    return read_api


PROBLEM = "application/problem+json"


def _problem(response: object, status: int, kind: str) -> dict[str, object]:
    from httpx2 import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    # The path as a URI reference: percent-encoded wherever the decoded path needs it.
    assert body["instance"] == quote(response.request.url.path, safe=PATH_SAFE)
    return body


def test_get_has_strong_etag_and_caching_headers(api: TestClient) -> None:
    response = api.get("/v1/programs/ilrs", headers={"Accept-Encoding": "identity"})
    etag = response.headers["etag"]
    # An entity's ETag is its document's digest, by content coding.
    assert etag == f'{document_etag(response.content)[:-1]}-identity"'
    listed = api.get("/v1/programs", headers={"Accept-Encoding": "identity"}).headers["etag"]
    assert listed.startswith('"1-')  # a collection's follows the dataset version
    assert not etag.startswith("W/")
    assert response.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["vary"].startswith("Accept, Accept-Encoding")
    again = api.get("/v1/programs/ilrs", headers={"Accept-Encoding": "identity"})
    assert again.headers["etag"] == etag
    assert again.content == response.content
    other = api.get("/v1/programs/artemis", headers={"Accept-Encoding": "identity"})
    assert other.headers["etag"] != etag


def test_if_none_match_is_304_without_touching_the_database(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.get("/v1/programs?limit=1")
    etag = first.headers["etag"]

    def boom(**_: object) -> None:
        raise AssertionError("the database was queried")

    monkeypatch.setattr(listing, "list_documents", boom)
    response = api.get("/v1/programs?limit=1", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert "cache-control" in response.headers
    weak = api.get("/v1/programs?limit=1", headers={"If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    assert api.get("/v1/programs?limit=1", headers={"If-None-Match": "*"}).status_code == 304


def test_a_current_etag_does_not_override_406(api: TestClient) -> None:
    etag = api.get("/v1/agencies").headers["etag"]
    refused = api.get("/v1/agencies", headers={"If-None-Match": etag, "Accept": "text/html"})
    _problem(refused, 406, "not-acceptable")


def test_if_modified_since(api: TestClient) -> None:
    first = api.get("/v1/agencies")
    modified = first.headers["last-modified"]
    assert api.get("/v1/agencies", headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert api.get("/v1/agencies", headers={"If-Modified-Since": old}).status_code == 200


def test_a_data_change_changes_the_etag(seeded_db: Database, seed_copy: Path) -> None:
    for client in client_for(seeded_db):
        before = client.get("/v1/agencies/roscosmos")
        edit(
            seed_copy / "agencies.yaml",
            "description: Russia’s government space agency.",
            "description: The government space agency of Russia.",
        )
        load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
        stale = client.get(
            "/v1/agencies/roscosmos", headers={"If-None-Match": before.headers["etag"]}
        )
        assert stale.status_code == 200
        assert stale.headers["etag"] != before.headers["etag"]
        assert stale.json()["description"] == "The government space agency of Russia."


def test_head_is_get_without_a_body(api: TestClient) -> None:
    for url in [
        "/v1/programs",
        "/v1/citations/program-ilrs-name-1",
        "/healthz",
        "/openapi.json",
        "/",
    ]:
        get = api.get(url, headers={"Accept-Encoding": "gzip"})
        head = api.head(url, headers={"Accept-Encoding": "gzip"})
        assert head.status_code == get.status_code == 200, url
        assert head.content == b""
        for name in ("etag", "content-type", "content-length", "content-encoding"):
            assert head.headers.get(name) == get.headers.get(name), (url, name)
    assert api.head("/v1/programs/nope").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/v1/programs/apollo",
        "/v1/agencies/esa",
        "/v1/countries/FR",
        "/v1/agreements/x",
        "/v1/signatories/x",
        "/v1/restrictions/x",
        "/v1/events/x",
        "/v1/sources/x",
        "/v1/citations/x",
        "/v1/agreements/x/signatories",
        "/v1/nothing",
        "/problems/x",
    ],
)
def test_unknown_ids_are_404_problems(api: TestClient, url: str) -> None:
    _problem(api.get(url), 404, "not-found")


def test_405_names_the_allowed_methods(api: TestClient) -> None:
    for method in ("PUT", "PATCH", "DELETE"):
        response = api.request(method, "/v1/programs")
        _problem(response, 405, "method-not-allowed")
        assert response.headers["allow"] == "GET, POST, HEAD"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = api.request(method, "/v1/citations")  # citations are written with subjects
        _problem(response, 405, "method-not-allowed")
        assert response.headers["allow"] == "GET, HEAD"


def test_406_when_json_is_not_acceptable(api: TestClient) -> None:
    _problem(api.get("/v1/programs", headers={"Accept": "text/html"}), 406, "not-acceptable")
    refused = api.get("/v1/programs", headers={"Accept": "application/json;q=0, text/html"})
    _problem(refused, 406, "not-acceptable")
    text = api.get(
        "/v1/sources/russia-china-moon-article/text", headers={"Accept": "application/json"}
    )
    _problem(text, 406, "not-acceptable")
    for ok in (
        "application/json",
        "application/*",
        "*/*",
        "text/html, */*;q=0.1",
        "application/problem+json, application/json",
    ):
        assert api.get("/v1/programs", headers={"Accept": ok}).status_code == 200


def test_unknown_parameter_names_the_allowed_ones(api: TestClient) -> None:
    body = _problem(api.get("/v1/agencies?contry=US"), 400, "unknown-parameter")
    assert body["detail"] == (
        "Unknown query parameter(s): contry. Allowed: basis, country, cursor, kind, limit, "
        "program, sort."
    )
    assert body["errors"] == [{"location": "query.contry", "message": "unknown parameter"}]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/programs?limit=0",
        "/v1/programs?limit=201",
        "/v1/programs?limit=99999999999999999999999999",
        "/v1/programs?limit=abc",
        "/v1/programs?q=%00",
        "/v1/programs?agency=nasa%00",
        "/v1/programs?location=mars",
        "/v1/programs?sort=budget",
        "/v1/signatories?as_of=2020-02-30",
        "/v1/events?from=2020-13",
        "/v1/events?from=twenty",
        "/v1/sources/russia-china-moon-article/text?start=-1",
        "/v1/sources/russia-china-moon-article/text?start=99999999999999999999",
        "/v1/citations?q=" + "x" * 201,
        "/v1/countries/cn",
        "/v1/programs/ILRS%00",
    ],
)
def test_bad_parameters_are_400_problems(api: TestClient, url: str) -> None:
    body = _problem(api.get(url), 400, "invalid-parameter")
    assert body["errors"]


def test_a_repeated_sort_field_counts_once(api: TestClient) -> None:
    once = api.get("/v1/agencies?sort=-name").json()["items"]
    assert api.get("/v1/agencies?sort=-name,name").json()["items"] == once


def test_500_is_a_problem_without_internals(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("secret SELECT * FROM program /home/app/services/programs.py")

    monkeypatch.setattr(deps, "read_one", broken)
    response = api.get("/v1/programs/ilrs")
    body = _problem(response, 500, "internal-error")
    assert "secret" not in response.text
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert body["detail"] == "The server failed to answer this request; it has been logged."


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_above_1kb(api: TestClient, coding: str) -> None:
    plain = api.get("/v1/citations", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = api.get("/v1/citations", headers={"Accept-Encoding": coding})
    assert raw.headers["content-encoding"] == coding
    assert raw.headers["etag"] != plain.headers["etag"]
    # httpx2 decodes gzip and br transparently; both must equal the identity bytes.
    assert raw.content == plain.content
    small = api.get("/v1/countries?limit=1", headers={"Accept-Encoding": coding})
    assert "content-encoding" not in small.headers
    assert len(small.content) < 1024


def test_compressed_bytes_are_real_encodings(api: TestClient) -> None:
    plain = api.get("/v1/citations", headers={"Accept-Encoding": "identity"}).content
    with api.stream("GET", "/v1/citations", headers={"Accept-Encoding": "gzip"}) as response:
        compressed = b"".join(response.iter_raw())
    assert gzip.decompress(compressed) == plain
    assert len(compressed) < len(plain) / 3
    with api.stream("GET", "/v1/citations", headers={"Accept-Encoding": "br"}) as response:
        assert brotli.decompress(b"".join(response.iter_raw())) == plain


def test_cors_exposes_the_headers_scripts_need(api: TestClient) -> None:
    response = api.get("/v1/programs?limit=1", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {
        "etag",
        "link",
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
    } <= exposed
    preflight = api.options(
        "/v1/programs",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, POST, PATCH, DELETE"


def _counters(field: str) -> tuple[int, int]:
    """(remaining, reset) from a `RateLimit: "per-client";r=N;t=S` field."""
    match = re.fullmatch(r'"per-client";r=([0-9]+);t=([0-9]+)', field)
    assert match is not None, field
    return int(match[1]), int(match[2])


@pytest.fixture
def limited(seeded_db: Database) -> Iterator[TestClient]:
    yield from client_for(seeded_db, rate_limit_enabled=True, rate_limit=3, rate_limit_window=60)


def test_rate_limit_headers_and_429(limited: TestClient) -> None:
    cached = limited.get("/v1/countries")
    # The policy is the same for everyone; this client's counters never go into an answer a
    # shared cache may store and hand to another client.
    assert cached.headers["ratelimit-policy"] == '"per-client";q=3;w=60'
    assert "public" in cached.headers["cache-control"]
    assert "ratelimit" not in cached.headers
    revalidated = limited.get("/v1/countries", headers={"If-None-Match": cached.headers["etag"]})
    assert revalidated.status_code == 304
    assert "ratelimit" not in revalidated.headers
    missing = limited.get("/v1/countries/ZZ")
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == "no-store"
    remaining, reset = _counters(missing.headers["ratelimit"])
    assert remaining == 0
    assert 1 <= reset <= 60
    refused = limited.get("/v1/countries")
    body = _problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _counters(refused.headers["ratelimit"]) == (0, int(refused.headers["retry-after"]))
    assert body["detail"] == "More than 3 requests in 60 s from this client."
    # Health checks count like any request (a probe every few seconds is far below the limit).
    assert limited.get("/healthz").status_code == 429
