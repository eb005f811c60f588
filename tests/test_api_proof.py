"""Every claim-bearing field of every response is backed by a quote that is in its source."""

from typing import Any

from fastapi.testclient import TestClient

# Response field -> the claim whose citation proves it, per kind of object. Fields not listed
# (id, url, and lists derived from other rows, which carry their own citations) make no claim.
CLAIMS: dict[str, dict[str, str]] = {
    "program": {
        "name": "name",
        "acronym": "acronym",
        "summary": "summary",
        "description": "description",
        "openness": "openness",
        "locations": "locations",
    },
    "objective": {"text": "text"},
    "participant": {"party": "party", "role": "role"},
    "reported_count": {
        "count": "count",
        "phrase": "count",
        "relation": "relation",
        "party_kind": "relation",
        "excludes": "excludes",
    },
    "agency": {
        "name": "name",
        "acronym": "acronym",
        "kind": "kind",
        "description": "description",
        "country": "country",
    },
    "country": {"name": "name"},
    "agreement": {
        "name": "name",
        "kind": "kind",
        "program": "program",
        "date": "date",
        "purpose": "purpose",
        "effect": "effect",
    },
    "signatory": {"agreement": "agreement", "party": "party", "status": "status", "date": "date"},
    "restriction": {
        "name": "name",
        "jurisdiction": "jurisdiction",
        "since": "since",
        "restricted_parties": "restricted_parties",
        "counterpart": "counterpart",
        "counterpart_phrase": "counterpart",
        "scope": "scope",
        "lifts_when": "lifts_when",
        "lifting_agency": "lifts_when",
        "effect_program": "effect",
        "effect": "effect",
    },
    "event": {
        "kind": "kind",
        "status": "kind",
        "summary": "summary",
        "date": "date",
        "entities": "entities",
    },
}
# Claims about what holds a nested object, which the nesting itself shows.
HELD_BY = {"reported_count": {"subject"}}
NESTED = {
    "objectives": "objective",
    "participants": "participant",
    "reported_counts": "reported_count",
}
ENDPOINTS = {
    "programs": "program",
    "agencies": "agency",
    "countries": "country",
    "agreements": "agreement",
    "signatories": "signatory",
    "restrictions": "restriction",
    "events": "event",
}


def _filled(value: Any) -> bool:
    if isinstance(value, dict) and set(value) == {"edtf", "phrase", "lower", "upper"}:
        return value["edtf"] is not None or value["phrase"] is not None
    return value not in (None, [], "")


class Checker:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.texts: dict[str, str] = {}
        self.citations = 0
        self.claims = 0

    def text(self, source: str) -> str:
        if source not in self.texts:
            self.texts[source] = self.client.get(f"/v1/sources/{source}/text").text
        return self.texts[source]

    def check(self, kind: str, obj: dict[str, Any], where: str) -> None:
        cited = {c["claim"] for c in obj["citations"]}
        assert obj["citations"], f"{where}: no citations"
        for c in obj["citations"]:
            assert self.text(c["source"])[c["start"] : c["end"]] == c["exact"], (
                f"{where}: {c['id']}"
            )
            known = {"row", *CLAIMS[kind].values(), *HELD_BY.get(kind, set())}
            assert c["claim"] in known, f"{where}: {c['claim']}"
            self.citations += 1
        for field, claim in CLAIMS[kind].items():
            assert field in obj, f"{where}: {field} absent"
            if _filled(obj[field]):
                assert claim in cited or "row" in cited, f"{where}.{field}: no citation for {claim}"
                self.claims += 1
        for field, nested_kind in NESTED.items():
            for i, child in enumerate(obj.get(field, [])):
                self.check(nested_kind, child, f"{where}.{field}[{i}]")


def test_every_claim_in_every_response_is_proved(api: TestClient) -> None:
    checker = Checker(api)
    for collection, kind in ENDPOINTS.items():
        listing = api.get(f"/v1/{collection}?limit=200").json()
        assert listing["next_cursor"] is None
        for item in listing["items"]:
            ident = item.get("id", item.get("code"))
            checker.check(kind, item, f"{collection}[{ident}]")
            single = api.get(item["url"]).json()
            assert single == item
            checker.check(kind, single, item["url"])
    # Each object is checked twice (listed and read). 92 of the 97 citations back these
    # objects (the other 5 back attributions); 130 filled fields make a claim.
    assert (checker.citations, checker.claims) == (2 * 92, 2 * 130)


def test_every_citation_resource_quotes_its_source(api: TestClient) -> None:
    checker = Checker(api)
    listing = api.get("/v1/citations?limit=200").json()
    for c in listing["items"]:
        text = checker.text(c["source"]["id"])
        assert text[c["start"] : c["end"]] == c["exact"]
        assert text[max(0, c["start"] - 32) : c["start"]] == c["prefix"]
        assert text[c["end"] : c["end"] + 32] == c["suffix"]
        assert api.get(c["source_text_url"]).text == c["exact"]
    assert len(listing["items"]) == 97
