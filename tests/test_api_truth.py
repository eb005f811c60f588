"""What a client sees of the truth rules: bases, stated values only, dates, names as written."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.models.public import SearchHitPublic
from app.resources.registry import RESOURCES
from tests.api import ids
from tests.helpers import objects


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


# Every collection whose documents carry claims (a source is a document, not a claim).
COLLECTIONS: dict[str, type[BaseModel]] = {
    f"/v1/{r.collection}": r.public for r in RESOURCES if r.stated_filter
}
SIGNER = (
    "This past Tuesday, Russia’s government space agency, “signed a memorandum of understanding”"
)
ROSCOSMOS = "CNN reported that Roscosmos made a statement, saying that the two groups planned"
VERBATIM = {"exact", "prefix", "suffix"}  # the source's own words, never rewritten


def _all(client: TestClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    target: str | None = f"{url}{'&' if '?' in url else '?'}limit=200"
    while target:
        page = client.get(target)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        target = f"{url}{'&' if '?' in url else '?'}limit=200&cursor={cursor}" if cursor else None
    return items


def _served_text(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, item in value.items():
            if k not in VERBATIM:
                yield from _served_text(item, k)
    elif isinstance(value, list):
        for item in value:
            yield from _served_text(item, key)
    elif isinstance(value, str):
        yield value


def test_who_signed_the_ilrs_memorandum(api: TestClient) -> None:
    response = api.get("/v1/agreements/ilrs-mou/signatories")
    assert response.status_code == 200
    signers = {s["id"]: s for s in response.json()["items"]}
    assert sorted(signers) == ["ilrs-mou-china", "ilrs-mou-roscosmos"]
    signer = signers["ilrs-mou-roscosmos"]
    assert (signer["status"], signer["party_phrase"]) == (
        "signed",
        "Russia’s government space agency",
    )
    assert signer["party"]["id"] == "roscosmos"
    claims = {c["claim"]: c for c in signer["claims"]}
    quotes = {c["id"]: c for c in signer["citations"]}
    stated = claims["party_phrase"]
    assert (stated["basis"], stated["fields"]) == ("stated", ["party_phrase"])
    assert [quotes[i]["exact"] for i in stated["citations"]] == [SIGNER]
    identified = claims["party"]
    assert (identified["basis"], identified["fields"]) == ("inferred", ["party"])
    assert identified["reasoning"].startswith("The article calls the signer “Russia’s government")
    assert [quotes[i]["exact"] for i in identified["citations"]] == [SIGNER, ROSCOSMOS]
    assert {quotes[i]["basis"] for i in identified["citations"]} == {"inferred"}
    # China is the counterparty only by inference, and the row says so.
    china = signers["ilrs-mou-china"]
    assert china["basis"] == "inferred"
    assert [c["basis"] for c in china["claims"]] == ["inferred"]


def test_stated_values_only(api: TestClient) -> None:
    response = api.get("/v1/agreements/ilrs-mou/signatories?basis=stated")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], [s["id"] for s in body["items"]]) == (1, ["ilrs-mou-roscosmos"])
    signer = body["items"][0]
    assert (signer["party"], signer["party_phrase"]) == (None, "Russia’s government space agency")
    assert sorted(c["claim"] for c in signer["claims"]) == [
        "agreement",
        "date",
        "party_phrase",
        "status",
    ]
    assert ROSCOSMOS not in [c["exact"] for c in signer["citations"]]
    missing = api.get("/v1/signatories/ilrs-mou-china?basis=stated")
    assert missing.status_code == 404
    assert "exists only through an inference" in missing.json()["detail"]
    roscosmos = api.get("/v1/agencies/roscosmos?basis=stated").json()
    assert (roscosmos["name"], roscosmos["kind"], roscosmos["country"]) == ("Roscosmos", None, None)
    assert roscosmos["programs"] == []  # its ILRS partnership is an inference
    ilrs = api.get("/v1/programs/ilrs?basis=stated").json()
    assert [p["id"] for p in ilrs["participants"]] == ["ilrs-china", "ilrs-russia"]


@pytest.mark.parametrize("url", sorted(COLLECTIONS))
def test_every_document_shows_the_basis_of_every_claim(api: TestClient, url: str) -> None:
    model = COLLECTIONS[url]
    full = _all(api, url)
    stated = _all(api, f"{url}?basis=stated")
    for item in full:
        model.model_validate(item)
        for obj in objects(item):
            if "claims" not in obj:
                continue
            claims = {c["claim"]: c for c in obj["claims"]}
            # An attribution nested in a citation lists its claims; its quotes are citations
            # of their own (/v1/citations?attribution=...), not repeated inline.
            for quote in obj.get("citations", []):
                claim = claims[quote["claim"]]
                assert quote["basis"] == claim["basis"]
                assert quote["id"] in claim["citations"]
            for claim in claims.values():
                assert (claim["reasoning"] is None) == (claim["basis"] == "stated")
    inferred_rows = {i.get("id", i.get("code")) for i in full if i["basis"] == "inferred"}
    assert [i.get("id", i.get("code")) for i in stated] == [
        i.get("id", i.get("code")) for i in full if i.get("id", i.get("code")) not in inferred_rows
    ]
    for item in stated:
        model.model_validate(item)
        assert "inferred" not in {o.get("basis") for o in objects(item)}


def test_search_hits_carry_their_basis(api: TestClient) -> None:
    hits = api.get("/v1/search?q=roscosmos&limit=50").json()["items"]
    for hit in hits:
        SearchHitPublic.model_validate(hit)
    by_id = {(h["type"], h["id"]): h["basis"] for h in hits}
    assert by_id[("agency", "roscosmos")] == "inferred"  # its description is inferred
    assert by_id[("event", "roscosmos-ilrs-statement")] == "stated"
    stated = api.get("/v1/search?q=roscosmos&limit=50&basis=stated").json()
    assert stated["total"] == len([h for h in hits if h["basis"] == "stated"])
    assert {h["basis"] for h in stated["items"]} == {"stated"}


def test_deadlines_and_ongoing_states_are_found_by_the_right_ranges(api: TestClient) -> None:
    assert ids(api, "/v1/events?from=2027-01-01") == [
        "us-nasa-ostp-china-ban-in-force",
        "artemis-defined-human-existence",
    ]
    assert ids(api, "/v1/events?from=2015-01-01&to=2015-12-31") == [
        "us-nasa-ostp-china-ban-in-force",
        "artemis-astronauts-on-the-moon",
        "artemis-defined-human-existence",
    ]
    landing = api.get("/v1/events/artemis-astronauts-on-the-moon").json()["date"]
    assert landing == {
        "edtf": "../2025~",
        "phrase": "by the mid-2020s",
        "lower": None,
        "upper": "2026-12-31",
    }
    ban = api.get("/v1/events/us-nasa-ostp-china-ban-in-force").json()["date"]
    assert ban == {"edtf": "2011/..", "phrase": "Since 2011", "lower": "2011-01-01", "upper": None}
    report = api.get("/v1/events/cnn-reports-roscosmos-statement").json()["date"]
    assert report == {"edtf": None, "phrase": "Shortly after", "lower": None, "upper": None}


def test_no_served_string_outside_a_quote_uses_an_acronym_the_article_never_writes(
    api: TestClient,
) -> None:
    served: list[str] = []
    for url in [*COLLECTIONS, "/v1/sources"]:
        for basis in ("all", "stated"):
            served += _served_text(
                _all(api, f"{url}?basis={basis}" if url != "/v1/sources" else url)
            )
    for q in ("office science technology policy", "china national space", "announcement"):
        served += _served_text(api.get(f"/v1/search?q={q}").json()["items"])
    served += _served_text(api.get("/v1").json())
    served += _served_text(api.get("/openapi.json").json())
    assert len(served) > 1000
    assert [s for s in served if "OSTP" in s or "CNSA" in s] == []


@pytest.mark.parametrize(
    ("url", "everything", "stated"),
    [
        ("/v1/agencies?country=US", ["congress", "nasa", "ostp"], []),
        ("/v1/agencies?kind=space_agency", ["roscosmos"], []),
        ("/v1/agencies?program=ilrs", ["roscosmos"], []),
        ("/v1/programs?agency=roscosmos", ["ilrs"], []),
        ("/v1/programs?country=RU", ["ilrs"], ["ilrs"]),
        ("/v1/programs?country=US", ["artemis"], ["artemis"]),
        ("/v1/signatories?agency=roscosmos", ["ilrs-mou-roscosmos"], []),
        ("/v1/signatories?status=signed", ["ilrs-mou-roscosmos"], ["ilrs-mou-roscosmos"]),
        ("/v1/agreements?party=roscosmos", ["ilrs-mou"], []),
        ("/v1/agreements?party=CN", ["ilrs-mou"], []),
        ("/v1/restrictions?jurisdiction=US", ["us-nasa-ostp-china-ban"], []),
        (
            "/v1/restrictions?restricted_party=ostp",
            ["us-nasa-ostp-china-ban"],
            ["us-nasa-ostp-china-ban"],
        ),
        (
            "/v1/events?entity=roscosmos",
            ["cnn-reports-roscosmos-statement", "roscosmos-ilrs-statement"],
            ["cnn-reports-roscosmos-statement", "roscosmos-ilrs-statement"],
        ),
    ],
)
def test_filters_with_basis_stated_match_stated_values_only(
    api: TestClient, url: str, everything: list[str], stated: list[str]
) -> None:
    assert ids(api, url) == everything
    assert ids(api, f"{url}&basis=stated") == stated
