"""The feeds, on both engines: JSON Feed 1.1 valid against its schema (formats checked), Atom
read by feedparser with no bozo flag, the same items in the documented order, paging by each
format's links, filters, HTTP caching, and a curator's writes showing up first."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]
import jsonschema
import pytest
from fastapi.testclient import TestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import write_session
from app.models import KeyScope, Revision
from app.resources.events.models import Event
from app.services.keys import create_key
from tests.api import client_for
from tests.conftest import Database


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Tests that take `api` only read: one app and seeded database per module and engine."""
    return read_api


SCHEMAS = Path(__file__).parent / "schemas"
# The timeline as the seed dates it: latest stated date first, then undated events by id.
TIMELINE = [
    "artemis-defined-human-existence",  # ../2029
    "artemis-astronauts-on-the-moon",  # ../2025~
    "us-nasa-ostp-china-ban-in-force",  # 2011/..
    "china-not-able-to-participate-in-nasa-moon-push",
    "china-russia-confirm-ilrs-partnership",
    "cnn-reports-roscosmos-statement",
    "cnsa-ilrs-announcement",
    "ilrs-close-collaboration",
    "ilrs-mou-signed",
    "ilrs-presentation-to-world-space-community",
    "ilrs-road-map",
    "roscosmos-ilrs-statement",
]


def _validator() -> jsonschema.Draft7Validator:
    feed_1 = json.loads((SCHEMAS / "jsonfeed-1.json").read_text())
    feed_11 = json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text())
    registry: Registry[Any] = Registry().with_resource(
        "https://json.schemastore.org/feed-1",
        Resource.from_contents(feed_1, default_specification=DRAFT4),
    )
    return jsonschema.Draft7Validator(
        feed_11, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


VALIDATOR = _validator()


@pytest.fixture
def admin(seeded_db: Database) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with write_session(seeded_db.engine) as session:
        token = create_key(session, name="feed-admin", scope=KeyScope.admin)
    for client in client_for(seeded_db):
        yield client, {"Authorization": f"Bearer {token}"}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _walk(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every item, following next_url; each page validated against the JSON Feed schema."""
    items: list[dict[str, Any]] = []
    target: str | None = url
    while target is not None:
        response = client.get(target)
        assert response.status_code == 200, response.text
        page = response.json()
        VALIDATOR.validate(page)
        items += page["items"]
        target = _path(page["next_url"]) if "next_url" in page else None
    return items


def _counts(db: Database) -> tuple[int, int]:
    with Session(db.engine) as session:
        revisions = session.execute(select(func.count()).select_from(Revision)).scalar_one()
        events = session.execute(select(func.count()).select_from(Event)).scalar_one()
    return int(revisions), int(events)


def test_json_feed_is_valid_and_pages_cover_every_item_once(seeded_db: Database) -> None:
    revisions, events = _counts(seeded_db)
    for api in client_for(seeded_db):  # its own app: the counts are read from its database
        whole = _walk(api, "/v1/feed.json?limit=200")
        assert len(whole) == revisions + events == 36 + 12
        assert len({item["id"] for item in whole}) == len(whole)
        for limit in (1, 7, 36):  # page edges inside the changes, across into the events, at it
            assert [i["id"] for i in _walk(api, f"/v1/feed.json?limit={limit}")] == [
                i["id"] for i in whole
            ]


def test_the_schema_check_bites() -> None:
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}
    VALIDATOR.validate(good)
    for bad in (
        {**good, "feed_url": "not a url"},
        {**good, "items": [{"id": "x", "content_text": "", "date_modified": "yesterday"}]},
        {**good, "items": [{"id": "x"}]},  # no content
        {**good, "next_url": None},
    ):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(bad)


def test_order_is_changes_then_the_timeline_by_stated_date(api: TestClient) -> None:
    items = api.get("/v1/feed.json?limit=200").json()["items"]
    kinds = [i["_spacefacts"]["type"] for i in items]
    assert kinds == ["change"] * 36 + ["event"] * 12
    revisions = [i["_spacefacts"]["revision"] for i in items[:36]]
    assert revisions == sorted(revisions, reverse=True)
    assert [i["_spacefacts"]["entity"]["id"] for i in items[36:]] == TIMELINE
    event = next(i for i in items if i["id"] == "urn:spacefacts:event:ilrs-mou-signed")
    assert event["url"] == "http://testserver/v1/events/ilrs-mou-signed"
    assert event["_spacefacts"]["date"] == {
        "edtf": None,
        "phrase": "This past Tuesday",
        "lower": None,
        "upper": None,
    }
    assert event["summary"] == (
        "“This past Tuesday, Russia’s government space agency, “signed a memorandum of "
        "understanding” in order to work with China to build a lunar outpost named the "
        "International Lunar Research Station (ILRS).” (stated; words of article)"
    )
    assert event["tags"] == ["event", "agreement_signed", "occurred"]


def test_atom_is_well_formed_and_carries_the_same_items(api: TestClient) -> None:
    json_items = api.get("/v1/feed.json?limit=20").json()["items"]
    response = api.get("/v1/feed.atom?limit=20")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == [i["id"] for i in json_items]
    assert [e.title for e in parsed.entries] == [i["title"] for i in json_items]
    links = {link.rel: link.href for link in parsed.feed.links if link.rel != "alternate"}
    assert links["self"] == "http://testserver/v1/feed.atom?limit=20"
    assert urlsplit(links["next"]).path == "/v1/feed.atom"
    following = feedparser.parse(api.get(_path(links["next"])).content)
    assert not following.bozo
    assert following.entries[0].id == api.get("/v1/feed.json?limit=21").json()["items"][20]["id"]


def test_filters(api: TestClient) -> None:
    events = api.get("/v1/feed.json?type=event&limit=200").json()["items"]
    assert [i["_spacefacts"]["entity"]["id"] for i in events] == TIMELINE
    about = api.get("/v1/feed.json?entity=roscosmos&limit=200").json()["items"]
    assert [i["id"] for i in about] == [
        "urn:spacefacts:revision:"
        + str(
            next(i for i in about if i["_spacefacts"]["type"] == "change")["_spacefacts"][
                "revision"
            ]
        ),
        "urn:spacefacts:event:cnn-reports-roscosmos-statement",
        "urn:spacefacts:event:roscosmos-ilrs-statement",
    ]
    assert api.get("/v1/feed.json?since=2999-01-01T00:00:00Z").json()["items"] == []
    assert (
        len(api.get("/v1/feed.json?since=2000-01-01T00:00:00%2B02:00&limit=200").json()["items"])
        == 48
    )
    for bad in ("type=nope", "cursor=zzz", "since=yesterday", "since=0.5", "entity=a%20b"):
        response = api.get(f"/v1/feed.json?{bad}")
        assert response.status_code == 400, bad
        assert response.headers["content-type"] == "application/problem+json"


def test_http_caching_and_discovery(api: TestClient) -> None:
    first = api.get("/v1/feed.json")
    assert first.headers["content-type"] == "application/feed+json"
    assert (
        api.get("/v1/feed.json", headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )
    assert first.headers["link"].startswith('<http://testserver/v1/feed.atom>; rel="alternate"')
    for index in ("/", "/v1"):
        link = api.get(index).headers["link"]
        assert '</v1/feed.json>; rel="alternate"; type="application/feed+json"' in link
        assert '</v1/feed.atom>; rel="alternate"; type="application/atom+xml"' in link
    assert api.get("/v1/feed.json", headers={"Accept": "application/json"}).status_code == 200
    assert api.get("/v1/feed.atom", headers={"Accept": "application/json"}).status_code == 406
    # Absolute links name the host asked for: a cached page never names another one.
    for host in ("a.example", "b.example"):
        page = api.get("/v1/feed.json?limit=1", headers={"Host": host}).json()
        assert page["feed_url"] == f"http://{host}/v1/feed.json?limit=1"


def test_writes_come_first_and_deletions_show(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, key = admin
    before = client.get("/v1/feed.json")
    etag = client.get("/v1/events/ilrs-road-map").headers["etag"]
    patched = client.patch(
        "/v1/events/ilrs-road-map",
        json={"summary": "China and Russia will work on a road map for the ILRS."},
        headers={**key, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    after = client.get("/v1/feed.json", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    change, event = after.json()["items"][:2]
    assert change["title"] == "event ilrs-road-map updated"
    assert change["authors"] == [{"name": "key:feed-admin"}]
    assert change["_spacefacts"]["change"] == "update"
    assert change["_spacefacts"]["changed"] == ["summary"]
    assert change["summary"].endswith("(stated; words of cnsa-announcement)")
    assert event["id"] == "urn:spacefacts:event:ilrs-road-map"
    assert event["content_text"].startswith("China and Russia will work on a road map")
    assert event["date_modified"] == change["date_modified"]
    assert event["date_published"] < event["date_modified"]
    etag = client.get("/v1/events/ilrs-road-map").headers["etag"]
    gone = client.delete("/v1/events/ilrs-road-map", headers={**key, "If-Match": etag})
    assert gone.status_code == 204, gone.text
    items = client.get("/v1/feed.json?entity=ilrs-road-map").json()["items"]
    assert [(i["id"].split(":")[2], i["_spacefacts"]["change"]) for i in items] == [
        ("revision", "delete"),
        ("revision", "update"),
        ("revision", "create"),
    ]
    assert items[0]["_spacefacts"]["document"] is None
    assert items[0]["_spacefacts"]["quotes"]  # the deleted entity's quotes, from before
    VALIDATOR.validate(client.get("/v1/feed.json").json())
    assert not feedparser.parse(client.get("/v1/feed.atom").content).bozo


def test_control_characters_cannot_break_the_atom(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, key = admin
    etag = client.get("/v1/events/ilrs-road-map").headers["etag"]
    patched = client.patch(
        "/v1/events/ilrs-road-map",
        json={"summary": "A road\x01map\x1f <b>&amp;</b>"},
        headers={**key, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    parsed = feedparser.parse(client.get("/v1/feed.atom?type=event&limit=1").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].title.startswith("A road\ufffdmap\ufffd <b>&amp;</b>")
