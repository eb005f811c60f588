"""The feed's two formats from the same items: JSON Feed 1.1 and Atom 1.0 (RFC 4287), paged as
each format pages (`next_url`; RFC 5005's `rel="next"`)."""

import datetime as dt
import re
from typing import Annotated, Literal
from xml.etree import ElementTree as ET

import orjson
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from app.models.public import NameOut, TextOut
from app.services.feed_items import FeedAuthor, JsonFeedItem

__all__ = ["ATOM_MEDIA_TYPE", "JSON_FEED_MEDIA_TYPE", "FeedLinks", "JsonFeed", "atom", "json_feed"]

JSON_FEED_MEDIA_TYPE = "application/feed+json"
ATOM_MEDIA_TYPE = "application/atom+xml"
TITLE = "spacefacts: what happened and what changed"
DESCRIPTION = (
    "Timeline events as the sources report them, each dated as stated, and every change to the "
    "data (created, updated, deleted, restored), each with the quote that supports it."
)
ATOM_NS = "http://www.w3.org/2005/Atom"
# XML 1.0 admits no C0 control but tab, newline and carriage return; the data may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


URI: JsonDict = {"format": "uri"}


class JsonFeed(BaseModel):
    """A JSON Feed 1.1 page (https://jsonfeed.org/version/1.1); `next_url` only when more."""

    version: Literal["https://jsonfeed.org/version/1.1"] = "https://jsonfeed.org/version/1.1"
    title: NameOut
    description: TextOut
    home_page_url: str = Field(max_length=2048, description="the dashboard", json_schema_extra=URI)
    feed_url: str = Field(max_length=2048, description="this page", json_schema_extra=URI)
    next_url: Annotated[str, Field(max_length=2048, json_schema_extra=URI)] | None = Field(
        default=None, description="the next page; absent on the last"
    )
    language: Literal["en"] = "en"
    authors: list[FeedAuthor] = Field(max_length=1)
    items: list[JsonFeedItem] = Field(max_length=200)


class FeedLinks(BaseModel):
    """The absolute URLs a page of the feed names."""

    base: str
    self_url: str
    next_url: str | None
    alternate: str  # the same page in the other format
    home: str


def json_feed(*, items: list[JsonFeedItem], links: FeedLinks) -> bytes:
    """A page of the feed as JSON Feed 1.1."""
    feed = JsonFeed(
        title=TITLE,
        description=DESCRIPTION,
        home_page_url=links.home,
        feed_url=links.self_url,
        next_url=links.next_url,
        authors=[FeedAuthor(name="spacefacts")],
        items=items,
    )
    body = feed.model_dump(mode="json", by_alias=True)
    if body["next_url"] is None:  # the format's schema has no null: the last page omits it
        del body["next_url"]
    return orjson.dumps(body)


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = _text(text)
    return node


def atom(*, items: list[JsonFeedItem], links: FeedLinks, updated: dt.datetime) -> bytes:
    """A page of the feed as Atom 1.0; `updated` is the data's time when the page is empty."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "id", "urn:spacefacts:feed")
    _add(feed, "title", TITLE)
    _add(feed, "subtitle", DESCRIPTION)
    newest = max((i.date_modified for i in items), default=updated)
    _add(feed, "updated", _stamp(newest))
    _add(_add(feed, "author"), "name", "spacefacts")
    _add(feed, "link", rel="self", href=links.self_url, type=ATOM_MEDIA_TYPE)
    _add(feed, "link", rel="alternate", href=links.alternate, type=JSON_FEED_MEDIA_TYPE)
    _add(feed, "link", rel="alternate", href=links.home, type="text/html")
    if links.next_url is not None:
        _add(feed, "link", rel="next", href=links.next_url, type=ATOM_MEDIA_TYPE)
    for item in items:
        entry = _add(feed, "entry")
        _add(entry, "id", item.id)
        _add(entry, "title", item.title)
        _add(entry, "updated", _stamp(item.date_modified))
        _add(entry, "published", _stamp(item.date_published))
        _add(_add(entry, "author"), "name", item.authors[0].name)
        _add(entry, "link", rel="alternate", href=item.url, type="application/json")
        for tag in item.tags:
            _add(entry, "category", term=tag)
        _add(entry, "summary", item.summary, type="text")
        _add(entry, "content", item.content_html, type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
