"""Auth abuse against a real server, on both engines: every write operation the API documents
refuses a missing, malformed, unknown, revoked or under-scoped key; a burst of wrong keys is
slowed with 429s; and no key, right or wrong, reaches the server's log."""

import re
import secrets
from pathlib import Path

import httpx

from app.models.keys import KeyScope
from app.resources.registry import RESOURCES
from tests.conftest import Database
from tests.processes import server_process
from tests.test_keys import make_key

IDS = {f"{{{r.path_param}}}": r.example_id for r in RESOURCES} | {
    "{source_id}": "russia-china-moon-article",
    "{agreement_id}": "ilrs-mou",
}


def _writes(spec: dict[str, object]) -> list[tuple[str, str, str]]:
    """(method, path with example ids, least scope) of every write operation."""
    out = []
    paths = spec["paths"]
    assert isinstance(paths, dict)
    for template, item in paths.items():
        for method, operation in item.items():
            if method in ("post", "patch", "delete", "put"):
                path = re.sub(r"\{[a-z_]+\}", lambda m: IDS[m.group(0)], template)
                scopes = [s for req in operation.get("security", []) for s in req.get("bearer", [])]
                out.append((method.upper(), path, scopes[0] if scopes else "write"))
    return out


def test_every_write_refuses_every_bad_key_and_no_key_is_logged(
    seeded_db: Database, tmp_path: Path
) -> None:
    read = make_key(seeded_db, "reader", KeyScope.read)
    write = make_key(seeded_db, "writer", KeyScope.write)
    revoked = make_key(seeded_db, "former", KeyScope.admin, revoked=True)
    unknown = "sf_" + secrets.token_urlsafe(32)
    log = tmp_path / "server.log"
    # The failure limit out of the way here; the burst below has a server of its own.
    settings = {"auth_failure_limit": "100000"}
    with (
        server_process(seeded_db.url, log, settings=settings) as served,
        httpx.Client(base_url=served.base, timeout=30) as client,
    ):
        writes = _writes(client.get("/openapi.json").json())
        assert len(writes) == 34
        assert sum(scope == "admin" for _, _, scope in writes) == 8
        for method, path, scope in writes:
            bad = [
                ({}, 401),
                ({"Authorization": "Bearer"}, 401),
                ({"Authorization": f"Basic {write}"}, 401),
                ({"Authorization": write}, 401),
                ({"Authorization": f"Bearer {unknown}"}, 401),
                ({"Authorization": f"Bearer {revoked}"}, 401),
                ({"Authorization": f"Bearer {read}"}, 403),
            ]
            if scope == "admin":
                bad.append(({"Authorization": f"Bearer {write}"}, 403))
            for headers, status in bad:
                answer = client.request(method, path, headers=headers, json={})
                where = f"{method} {path} {sorted(headers)}"
                assert answer.status_code == status, (where, answer.text)
                assert answer.headers["content-type"] == "application/problem+json", where
                assert answer.headers["www-authenticate"].startswith("Bearer"), where
    text = log.read_text()
    assert "/v1/" in text  # the log was written: the check below would pass on an empty one
    for token in (read, write, revoked, unknown):
        assert token not in text
        assert token[3:20] not in text  # nor any large piece of one


def test_a_burst_of_wrong_keys_is_slowed(seeded_db: Database, tmp_path: Path) -> None:
    settings = {"auth_failure_limit": "10", "rate_limit_enabled": "true"}
    log = tmp_path / "server.log"
    with (
        server_process(seeded_db.url, log, settings=settings) as served,
        httpx.Client(base_url=served.base, timeout=30) as client,
    ):
        statuses = [
            client.post(
                "/v1/signatories",
                headers={"Authorization": f"Bearer sf_{secrets.token_urlsafe(32)}"},
                json={},
            ).status_code
            for _ in range(30)
        ]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
