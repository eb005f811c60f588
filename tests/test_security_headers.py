"""Security headers: `nosniff` everywhere; HTML pages allow only their own scripts, by hash."""

import base64
import hashlib
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Database
from tests.processes import serve_process

# Headers are not a database matter: one engine.
pytestmark = pytest.mark.parametrize("engine_kind", ["sqlite"])

PAGES = ["/docs", "/docs/oauth2-redirect", "/redoc", "/dashboard"]
INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _policy(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", PAGES)
def test_every_page_allows_its_inline_scripts_and_no_others(api: TestClient, path: str) -> None:
    page = api.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = _policy(page.headers["content-security-policy"])
    allowed = {v for v in policy["script-src"] if v.startswith("'sha256-")}
    inline = {
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in INLINE.findall(page.text)
    }
    assert inline <= allowed
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] in (["'none'"], ["'self'"])  # the dashboard sets its own
    assert policy["frame-ancestors"] == ["'none'"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_the_swagger_page_has_an_inline_script_to_allow(api: TestClient) -> None:
    # Else the test above proves nothing for it.
    assert INLINE.findall(api.get("/docs").text)


@pytest.mark.parametrize("path", ["/v1/agencies/cnsa", "/openapi.json", "/nowhere"])
def test_other_answers_say_nosniff_and_carry_no_page_policy(api: TestClient, path: str) -> None:
    answer = api.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in answer.headers


def test_cache_hits_and_304s_carry_the_headers(api: TestClient) -> None:
    first = api.get("/dashboard")
    hit = api.get("/dashboard")
    not_modified = api.get("/dashboard", headers={"If-None-Match": first.headers["etag"]})
    assert hit.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert not_modified.status_code == 304
    assert not_modified.headers["x-content-type-options"] == "nosniff"


def test_the_server_names_no_software(seeded_db: Database, tmp_path: Path) -> None:
    with serve_process(seeded_db.url, tmp_path / "server.log") as base:
        answers = [httpx.get(f"{base}{path}", timeout=10) for path in ("/v1", "/nowhere")]
    assert [a.status_code for a in answers] == [200, 404]
    for answer in answers:
        assert "server" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"
