"""Every endpoint and every filter, with the exact ids the seed gives, on both engines."""

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.models.public import Page
from app.resources.agencies.models import AgencyPublic
from app.resources.agreements.models import AgreementPublic
from app.resources.citations.models import CitationPublic
from app.resources.countries.models import CountryPublic
from app.resources.events.models import EventKind, EventPublic
from app.resources.programs.models import ProgramPublic
from app.resources.restrictions.models import RestrictionPublic
from app.resources.signatories.models import SignatoryPublic
from app.resources.sources.models import SourcePublic
from tests.api import ids
from tests.conftest import SEED_DIR


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


# Dated events by date (2011/.., ../2025~, ../2029), then the undated ones by id.
EVENTS_BY_DATE = [
    "us-nasa-ostp-china-ban-in-force",
    "artemis-astronauts-on-the-moon",
    "artemis-defined-human-existence",
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

CASES = [
    ("/v1/programs", ["artemis", "ilrs"]),
    ("/v1/programs?agency=roscosmos", ["ilrs"]),
    ("/v1/programs?agency=nasa,roscosmos", ["artemis", "ilrs"]),
    ("/v1/programs?agency=cnsa", []),
    ("/v1/programs?country=US", ["artemis"]),
    ("/v1/programs?country=RU", ["ilrs"]),
    ("/v1/programs?country=BR", []),
    ("/v1/programs?location=lunar_orbit", ["ilrs"]),
    ("/v1/programs?location=lunar_surface", ["artemis", "ilrs"]),
    ("/v1/programs?q=ilrs", ["ilrs"]),
    # Only Artemis's summary says "moon"; the ILRS's says "lunar outpost".
    ("/v1/programs?q=moon", ["artemis"]),
    ("/v1/programs?q=100%25", []),
    ("/v1/programs?sort=-name", ["ilrs", "artemis"]),
    ("/v1/programs?country=US&location=lunar_orbit", []),
    ("/v1/agencies", ["cnsa", "congress", "nasa", "ostp", "roscosmos"]),
    ("/v1/agencies?country=US", ["congress", "nasa", "ostp"]),
    ("/v1/agencies?country=RU,CN", ["cnsa", "roscosmos"]),
    ("/v1/agencies?kind=legislature", ["congress"]),
    ("/v1/agencies?kind=space_agency,government_office", ["ostp", "roscosmos"]),
    ("/v1/agencies?kind=space_agency%2Cgovernment_office", ["ostp", "roscosmos"]),
    ("/v1/agencies?program=artemis", ["nasa"]),
    ("/v1/agencies?program=ilrs", ["roscosmos"]),
    ("/v1/agencies?sort=name", ["cnsa", "congress", "nasa", "roscosmos", "ostp"]),
    ("/v1/countries", ["BR", "CN", "RU", "US"]),
    ("/v1/countries?sort=-name", ["US", "RU", "CN", "BR"]),
    ("/v1/agreements", ["artemis-accords", "ilrs-mou"]),
    ("/v1/agreements?program=ilrs", ["ilrs-mou"]),
    ("/v1/agreements?party=BR", ["artemis-accords"]),
    ("/v1/agreements?party=roscosmos", ["ilrs-mou"]),
    ("/v1/agreements?party=CN,BR", ["artemis-accords", "ilrs-mou"]),
    ("/v1/agreements?kind=accords", ["artemis-accords"]),
    ("/v1/agreements?kind=memorandum_of_understanding", ["ilrs-mou"]),
    ("/v1/agreements?sort=-date,-name", ["ilrs-mou", "artemis-accords"]),
    ("/v1/agreements/ilrs-mou/signatories", ["ilrs-mou-china", "ilrs-mou-roscosmos"]),
    ("/v1/agreements/artemis-accords/signatories", ["artemis-accords-brazil"]),
    ("/v1/signatories", ["artemis-accords-brazil", "ilrs-mou-china", "ilrs-mou-roscosmos"]),
    ("/v1/signatories?agreement=ilrs-mou", ["ilrs-mou-china", "ilrs-mou-roscosmos"]),
    ("/v1/signatories?program=artemis", ["artemis-accords-brazil"]),
    ("/v1/signatories?country=BR", ["artemis-accords-brazil"]),
    ("/v1/signatories?agency=roscosmos", ["ilrs-mou-roscosmos"]),
    ("/v1/signatories?status=signed", ["ilrs-mou-roscosmos"]),
    (
        "/v1/signatories?status=intends_to_sign,counterparty",
        ["artemis-accords-brazil", "ilrs-mou-china"],
    ),
    ("/v1/signatories?as_of=2030-01-01", []),
    ("/v1/signatories?as_of=2030-01-01&include_undated=true", ["ilrs-mou-roscosmos"]),
    (
        "/v1/signatories?sort=-status",
        ["ilrs-mou-roscosmos", "artemis-accords-brazil", "ilrs-mou-china"],
    ),
    ("/v1/restrictions", ["us-nasa-ostp-china-ban"]),
    ("/v1/restrictions?jurisdiction=US", ["us-nasa-ostp-china-ban"]),
    ("/v1/restrictions?jurisdiction=CN", []),
    ("/v1/restrictions?restricted_party=ostp", ["us-nasa-ostp-china-ban"]),
    ("/v1/restrictions?restricted_party=congress", []),
    ("/v1/restrictions?counterpart=CN", ["us-nasa-ostp-china-ban"]),
    ("/v1/restrictions?active_on=2010-12-31", []),
    ("/v1/restrictions?active_on=2011-01-01", ["us-nasa-ostp-china-ban"]),
    ("/v1/events", EVENTS_BY_DATE),
    ("/v1/events?sort=-date", EVENTS_BY_DATE[::-1]),
    (
        "/v1/events?kind=planned_milestone",
        [
            "artemis-astronauts-on-the-moon",
            "artemis-defined-human-existence",
            "ilrs-close-collaboration",
            "ilrs-presentation-to-world-space-community",
            "ilrs-road-map",
        ],
    ),
    # The memorandum's signer is named only as "Russia’s government space agency".
    (
        "/v1/events?entity=roscosmos",
        ["cnn-reports-roscosmos-statement", "roscosmos-ilrs-statement"],
    ),
    (
        "/v1/events?entity=artemis",
        ["artemis-astronauts-on-the-moon", "artemis-defined-human-existence"],
    ),
    # "Since 2011" (2011/..) has no latest day: the ban is in force in 2025 and after 2030.
    ("/v1/events?from=2025&to=2025", EVENTS_BY_DATE[:3]),
    # "by the mid-2020s" (../2025~) and "by the end of the 2020s" (../2029) have no earliest
    # day, so they may overlap 2010; the ban began in 2011.
    (
        "/v1/events?from=2010&to=2010-12-31",
        ["artemis-astronauts-on-the-moon", "artemis-defined-human-existence"],
    ),
    ("/v1/events?from=2030", ["us-nasa-ostp-china-ban-in-force"]),
    ("/v1/events?from=2011-06", EVENTS_BY_DATE[:3]),
    ("/v1/events?to=2019", EVENTS_BY_DATE[:3]),
    ("/v1/events?to=2010", ["artemis-astronauts-on-the-moon", "artemis-defined-human-existence"]),
    (
        "/v1/events?sort=kind,-id&kind=statement,announcement",
        [
            "cnsa-ilrs-announcement",
            "roscosmos-ilrs-statement",
            "china-not-able-to-participate-in-nasa-moon-push",
        ],
    ),
    ("/v1/sources", ["russia-china-moon-article"]),
    (
        "/v1/citations?attribution=unnamed-source",
        [
            "agency-congress-country-1",
            "agency-congress-kind-1",
            "event-china-not-able-to-participate-in-nasa-moon-push-row-1",
        ],
    ),
    (
        "/v1/citations?q=CONGRESS%20approves",
        [
            "agency-congress-country-2",
            "agency-congress-kind-2",
            "agency-congress-name-1",
            "event-us-nasa-ostp-china-ban-in-force-row-2",
            "restriction-us-nasa-ostp-china-ban-jurisdiction-2",
            "restriction-us-nasa-ostp-china-ban-lifts-when-1",
        ],
    ),
    (
        "/v1/citations?source=russia-china-moon-article&q=Brazil",
        ["country-br-name-1", "signatory-artemis-accords-brazil-row-1"],
    ),
    ("/v1/citations?source=another-source", []),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_collection_filters(api: TestClient, url: str, expected: list[str]) -> None:
    assert ids(api, url + ("&" if "?" in url else "?") + "limit=200") == expected


SCHEMAS: list[tuple[str, type[BaseModel]]] = [
    ("/v1/programs", Page[ProgramPublic]),
    ("/v1/agencies", Page[AgencyPublic]),
    ("/v1/countries", Page[CountryPublic]),
    ("/v1/agreements", Page[AgreementPublic]),
    ("/v1/signatories", Page[SignatoryPublic]),
    ("/v1/restrictions", Page[RestrictionPublic]),
    ("/v1/events", Page[EventPublic]),
    ("/v1/sources", Page[SourcePublic]),
    ("/v1/citations?limit=200", Page[CitationPublic]),
    ("/v1/programs/ilrs", ProgramPublic),
    ("/v1/agencies/roscosmos", AgencyPublic),
    ("/v1/countries/CN", CountryPublic),
    ("/v1/agreements/ilrs-mou", AgreementPublic),
    ("/v1/signatories/ilrs-mou-roscosmos", SignatoryPublic),
    ("/v1/restrictions/us-nasa-ostp-china-ban", RestrictionPublic),
    ("/v1/events/ilrs-mou-signed", EventPublic),
    ("/v1/sources/russia-china-moon-article", SourcePublic),
    ("/v1/citations/program-ilrs-locations-1", CitationPublic),
]


@pytest.mark.parametrize(("url", "schema"), SCHEMAS)
def test_responses_match_their_public_schema(
    api: TestClient, url: str, schema: type[BaseModel]
) -> None:
    response = api.get(url)
    assert response.status_code == 200
    model = schema.model_validate_json(response.content, strict=False)
    # The contract is exact: no field missing, none extra, nulls present rather than absent.
    assert model.model_dump(mode="json") == response.json()


def test_collection_totals(api: TestClient) -> None:
    totals = {
        url: api.get(url).json()["total"]
        for url in [
            "/v1/programs",
            "/v1/agencies",
            "/v1/countries",
            "/v1/agreements",
            "/v1/signatories",
            "/v1/restrictions",
            "/v1/events",
            "/v1/sources",
            "/v1/citations",
        ]
    }
    assert totals == {
        "/v1/programs": 2,
        "/v1/agencies": 5,
        "/v1/countries": 4,
        "/v1/agreements": 2,
        "/v1/signatories": 3,
        "/v1/restrictions": 1,
        "/v1/events": 12,
        "/v1/sources": 1,
        "/v1/citations": 122,
    }


def test_program_document(api: TestClient) -> None:
    ilrs = api.get("/v1/programs/ilrs").json()
    assert ilrs["locations"] == ["lunar_orbit", "lunar_surface"]
    assert [o["id"] for o in ilrs["objectives"]][:2] == [
        "ilrs-multidisciplinary-research",
        "ilrs-lunar-exploration-and-utilization",
    ]
    assert ilrs["locations_phrase"] == "on the lunar surface and/or on the lunar orbit"
    assert [(p["id"], p["role"], p["party"]["url"], p["basis"]) for p in ilrs["participants"]] == [
        ("ilrs-china", "partner", "/v1/countries/CN", "stated"),
        ("ilrs-roscosmos", "partner", "/v1/agencies/roscosmos", "inferred"),
        ("ilrs-russia", "partner", "/v1/countries/RU", "stated"),
    ]
    assert ilrs["agreements"] == [
        {
            "type": "agreement",
            "id": "ilrs-mou",
            "name": "Memorandum of understanding on the International Lunar Research Station",
            "url": "/v1/agreements/ilrs-mou",
            "basis": "stated",
        }
    ]
    artemis = api.get("/v1/programs/artemis").json()
    assert artemis["reported_counts"][0]["count"] is None
    assert artemis["reported_counts"][0]["phrase"] == "other countries"
    assert artemis["reported_counts"][0]["excludes"]["id"] == "US"


def test_agreement_reports_an_unnamed_count(api: TestClient) -> None:
    accords = api.get("/v1/agreements/artemis-accords").json()
    assert accords["date"] == {"edtf": None, "phrase": None, "lower": None, "upper": None}
    assert [(c["count"], c["phrase"], c["relation"]) for c in accords["reported_counts"]] == [
        (8, "Eight other countries", "signed")
    ]
    mou = api.get("/v1/agreements/ilrs-mou").json()
    assert mou["date"] == {
        "edtf": None,
        "phrase": "This past Tuesday",
        "lower": None,
        "upper": None,
    }


def test_restriction_document(api: TestClient) -> None:
    r = api.get("/v1/restrictions/us-nasa-ostp-china-ban").json()
    assert r["name"] == (
        "Ban on NASA and the White House Office of Science and Technology Policy working on "
        "space projects with their Chinese counterparts"
    )
    # "Since 2011 … have been banned": a state that began in 2011 and goes on.
    assert r["since"] == {
        "edtf": "2011/..",
        "phrase": "Since 2011",
        "lower": "2011-01-01",
        "upper": None,
    }
    assert [p["id"] for p in r["restricted_parties"]] == ["nasa", "ostp"]
    assert (r["lifting_agency"]["id"], r["counterpart"]["id"]) == ("congress", "CN")
    # The article links the ban neither to "the NASA moon push" nor to Artemis.
    assert (r["effect_program"], r["effect"]) == (None, None)
    assert (r["jurisdiction"]["id"], r["basis"]) == ("US", "stated")
    claims = {c["claim"]: (c["basis"], c["descriptive"]) for c in r["claims"]}
    assert claims["jurisdiction"] == ("inferred", False)
    assert claims["name"] == ("stated", True)


def test_source_text_and_spans(api: TestClient) -> None:
    article = (SEED_DIR / "russia-china-moon-article.txt").read_text(encoding="utf-8")
    whole = api.get("/v1/sources/russia-china-moon-article/text")
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "text/plain; charset=utf-8"
    assert whole.text == article
    span = api.get("/v1/sources/russia-china-moon-article/text?start=2773&end=2829")
    assert span.text == "Brazil has shown that is also plans to sign the accords."
    source = api.get("/v1/sources/russia-china-moon-article").json()
    assert (source["length"], source["citation_count"]) == (3189, 122)
    assert source["sha256"] == "06c45edb5a35c3ad07eacf96c83ca19d9e8587f0139073c19755ece02311fd67"
    # Offsets slice: past the end they stop there, and an inverted span is empty.
    # A span read backwards is a mistake the client should hear of, not an empty text.
    assert api.get("/v1/sources/russia-china-moon-article/text?start=10&end=5").status_code == 400
    tail = api.get("/v1/sources/russia-china-moon-article/text?start=3175&end=999999")
    assert tail.text == "You Might Like"
    assert api.get("/v1/sources/russia-china-moon-article/text?start=5000").text == ""
    assert api.get("/v1/sources/nope/text").status_code == 404


def test_citation_document_is_a_web_annotation_target(api: TestClient) -> None:
    c = api.get("/v1/citations/program-ilrs-locations-1").json()
    assert c["selectors"] == [
        {
            "type": "TextQuoteSelector",
            "exact": "built on the lunar surface and/or on the lunar orbit",
            "prefix": c["prefix"],
            "suffix": c["suffix"],
        },
        {"type": "TextPositionSelector", "start": c["start"], "end": c["end"]},
    ]
    assert c["attribution"]["speaker"]["id"] == "cnsa"
    assert c["subject"] == {
        "type": "program",
        "id": "ilrs",
        "name": "International Lunar Research Station",
        "url": "/v1/programs/ilrs",
    }
    span = api.get(c["source_text_url"]).text
    assert span == c["exact"]
    objective = api.get(
        "/v1/citations/program-objective-ilrs-lunar-based-observation-text-1"
    ).json()
    assert objective["subject"]["url"] == "/v1/programs/ilrs"


def test_index_points_everywhere(api: TestClient) -> None:
    index = api.get("/").json()
    assert index["docs"] == "/docs"
    for url in [*index["resources"].values(), index["export"], index["dashboard"]]:
        if url != "/v1/search":
            assert api.get(url).status_code == 200, url
    feeds = index["feeds"]
    assert api.get(feeds["json"]).status_code == api.get(feeds["atom"]).status_code == 200
    assert feeds["stream"] == "/v1/stream"  # never ends: tests/test_stream.py holds it open


@pytest.mark.parametrize("entity", ["ilrs", "artemis", "roscosmos", "CN", "US", "ilrs-mou"])
@pytest.mark.parametrize("sort", ["date", "-date"])
def test_one_entitys_timeline_equals_the_general_query(
    api: TestClient, entity: str, sort: str
) -> None:
    """One entity by date reads ix_event_entity_timeline; a kind filter naming every kind
    takes the general query, which must give the same pages, totals and cursors."""
    kinds = ",".join(kind.value for kind in EventKind)
    for limit in (1, 2, 50):
        fast = api.get(f"/v1/events?entity={entity}&sort={sort}&limit={limit}").json()
        general = api.get(
            f"/v1/events?entity={entity}&kind={kinds}&sort={sort}&limit={limit}"
        ).json()
        assert fast["items"] == general["items"]
        assert fast["total"] == general["total"]
        assert (fast["next_cursor"] is None) == (general["next_cursor"] is None)
        if fast["next_cursor"]:
            after = api.get(
                f"/v1/events?entity={entity}&kind={kinds}&sort={sort}&limit={limit}"
                f"&cursor={fast['next_cursor']}"
            ).json()
            rest = api.get(
                f"/v1/events?entity={entity}&sort={sort}&limit={limit}&cursor={fast['next_cursor']}"
            ).json()
            assert after["items"] == rest["items"]
