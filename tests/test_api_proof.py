"""Every claim-bearing field of every response is backed by a quote that is in its source.

Each object says how each claim is known (`claims`: basis, reasoning, the fields it covers, its
quotes) and whether the row itself is only inferred (`basis`). The map below is this test's own
reading of which field each claim proves; the objects must agree with it, and `basis=stated`
must serve exactly the stated part of every object.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.claims import CLAIMS as MODEL_CLAIMS
from app.models.support import SubjectType
from app.resources.registry import RESOURCES


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Tests that take `api` only read: one app and seeded database per module and engine."""
    return read_api


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
        "locations_phrase": "locations",
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
    "signatory": {
        "agreement": "agreement",
        "party": "party",
        "party_phrase": "party_phrase",
        "status": "status",
        "date": "date",
    },
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
    # Served inside citation documents too, which carry no quotes of their own for it.
    "attribution": {
        "label": "label",
        "description": "label",
        "speaker": "speaker",
        "reported_by": "reported_by",
    },
}
SUBJECTS = {
    "program": SubjectType.program,
    "objective": SubjectType.program_objective,
    "participant": SubjectType.program_participant,
    "reported_count": SubjectType.reported_count,
    "agency": SubjectType.agency,
    "country": SubjectType.country,
    "agreement": SubjectType.agreement,
    "signatory": SubjectType.signatory,
    "restriction": SubjectType.restriction,
    "event": SubjectType.event,
    "attribution": SubjectType.attribution,
}
# Claims about what holds a nested object, which the nesting itself shows.
HELD_BY = {"reported_count": {"subject"}}
NESTED = {
    "objectives": "objective",
    "participants": "participant",
    "reported_counts": "reported_count",
}
# Lists of rows that another row's claim names (LinkRef), each with that claim's basis.
LINKS = {"agencies", "programs", "agreements", "events"}
# Fields that make no claim of their own.
PLAIN = {
    "id",
    "code",
    "url",
    "signatories_url",
    "events_url",
    "quotes_url",
    "quote_count",
    "basis",
    "claims",
    "citations",
    *NESTED,
    *LINKS,
}
# Only a name-like value may be the curators' description rather than the source's words.
DESCRIPTIVE = {"name", "label"}
# Every collection whose rows carry claims of their own (from the registry).
ENDPOINTS = {r.collection: r.type for r in RESOURCES if r.type in {t.value for t in SubjectType}}


def _filled(value: Any) -> bool:
    if isinstance(value, dict) and set(value) == {"edtf", "phrase", "lower", "upper"}:
        return value["edtf"] is not None or value["phrase"] is not None
    return value not in (None, [], "")


def _fields(kind: str, claim: str) -> list[str]:
    return sorted(field for field, of in CLAIMS[kind].items() if of == claim)


class Checker:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.texts: dict[str, str] = {}
        self.citations = 0
        self.claims = 0
        self.inferred = 0

    def text(self, source: str) -> str:
        if source not in self.texts:
            self.texts[source] = self.client.get(f"/v1/sources/{source}/text").text
        return self.texts[source]

    def check(self, kind: str, obj: dict[str, Any], where: str) -> None:
        # Only a row the curators describe (every claim descriptive: an attribution such as the
        # article's own reporting) may stand without a quote.
        described = all(c["descriptive"] for c in obj["claims"])
        assert obj["citations"] or described, f"{where}: no citations"
        assert set(obj) - PLAIN <= set(CLAIMS[kind]), f"{where}: fields no claim covers"
        known = {"row", *CLAIMS[kind].values(), *HELD_BY.get(kind, set())}
        quotes: dict[str, list[str]] = {}
        bases: dict[str, set[str]] = {}
        for c in obj["citations"]:
            assert self.text(c["source"])[c["start"] : c["end"]] == c["exact"], (
                f"{where}: {c['id']}"
            )
            assert c["claim"] in known, f"{where}: {c['claim']}"
            quotes.setdefault(c["claim"], []).append(c["id"])
            bases.setdefault(c["claim"], set()).add(c["basis"])
            self.citations += 1
        claims = {claim["claim"]: claim for claim in obj["claims"]}
        assert len(claims) == len(obj["claims"]), f"{where}: a claim listed twice"
        quoted = {name for name, claim in claims.items() if claim["citations"]}
        unquoted = set(claims) - quoted
        assert all(claims[name]["descriptive"] for name in unquoted), f"{where}: {unquoted}"
        assert quoted == set(quotes), f"{where}: claims and quotes differ"
        for name, claim in claims.items():
            at = f"{where}.claims[{name}]"
            assert claim["citations"] == quotes.get(name, []), at
            assert bases.get(name, {claim["basis"]}) == {claim["basis"]}, f"{at}: quote basis"
            assert sorted(claim["fields"]) == _fields(kind, name), at
            assert len(claim["fields"]) == len(set(claim["fields"])), at
            if claim["descriptive"]:
                assert name in DESCRIPTIVE, f"{at}: only a name may be descriptive"
            if claim["basis"] == "inferred":
                assert claim["reasoning"], f"{at}: inferred without reasoning"
                premises = len(claim["citations"])
                assert premises >= 2 or (premises == 1 and claim["convention"]), at
                self.inferred += 1
            else:
                assert claim["basis"] == "stated", at
                assert (claim["reasoning"], claim["convention"]) == (None, None), at
        assert obj["basis"] == claims.get("row", {"basis": "stated"})["basis"], where
        for field, claim in CLAIMS[kind].items():
            assert field in obj, f"{where}: {field} absent"
            if _filled(obj[field]) and not claims.get(claim, {}).get("descriptive"):
                assert claim in quotes or "row" in quotes, (
                    f"{where}.{field}: no citation for {claim}"
                )
                self.claims += 1
        for field in LINKS & set(obj):
            for ref in obj[field]:
                assert ref["basis"] in ("stated", "inferred"), f"{where}.{field}: {ref}"
        for field, nested_kind in NESTED.items():
            for i, child in enumerate(obj.get(field, [])):
                self.check(nested_kind, child, f"{where}.{field}[{i}]")

    def check_stated(
        self, kind: str, full: dict[str, Any], stated: dict[str, Any], where: str
    ) -> None:
        """The stated view of an object: its stated claims, their fields and quotes, no more."""
        claims = {c["claim"]: c for c in full["claims"]}
        kept = [c for c in full["claims"] if c["basis"] == "stated"]
        assert stated["claims"] == kept, where
        assert stated["citations"] == [c for c in full["citations"] if c["basis"] == "stated"]
        assert stated["basis"] == "stated", where
        for field, claim in CLAIMS[kind].items():
            if claim in claims and claims[claim]["basis"] == "inferred":
                assert not _filled(stated[field]), f"{where}.{field}: inferred, served as stated"
            else:
                assert stated[field] == full[field], f"{where}.{field}"
        for field in LINKS & set(full):
            assert stated[field] == [r for r in full[field] if r["basis"] == "stated"], where
        for field, nested_kind in NESTED.items():
            children = [c for c in full.get(field, []) if c["basis"] == "stated"]
            assert [c["id"] for c in stated.get(field, [])] == [c["id"] for c in children]
            for i, (child, shown) in enumerate(zip(children, stated.get(field, []), strict=True)):
                self.check_stated(nested_kind, child, shown, f"{where}.{field}[{i}]")
        rest = set(full) - set(CLAIMS[kind]) - {"claims", "citations", "basis", *NESTED, *LINKS}
        assert {f: stated[f] for f in rest} == {f: full[f] for f in rest}, where


def test_the_claim_map_names_every_claim_of_the_model() -> None:
    for kind, subject in SUBJECTS.items():
        mine = set(CLAIMS[kind].values()) | HELD_BY.get(kind, set())
        assert mine == set(MODEL_CLAIMS[subject]), kind
        for claim in MODEL_CLAIMS[subject]:
            # Every claim but what holds a nested object proves some public field.
            assert bool(_fields(kind, claim)) != (claim in HELD_BY.get(kind, set())), (kind, claim)


def test_every_claim_in_every_response_is_proved(api: TestClient) -> None:
    checker = Checker(api)
    hidden: list[str] = []
    for collection, kind in ENDPOINTS.items():
        listing = api.get(f"/v1/{collection}?limit=200").json()
        assert listing["next_cursor"] is None
        stated = api.get(f"/v1/{collection}?limit=200&basis=stated").json()
        shown = {item["url"]: item for item in stated["items"]}
        assert stated["total"] == len(shown)
        for item in listing["items"]:
            ident = item.get("id", item.get("code"))
            checker.check(kind, item, f"{collection}[{ident}]")
            single = api.get(item["url"]).json()
            assert single == item
            checker.check(kind, single, item["url"])
            # basis=stated: an inferred row is left out, any other shows its stated part.
            alone = api.get(f"{item['url']}?basis=stated")
            if item["basis"] == "inferred":
                assert item["url"] not in shown
                assert alone.status_code == 404
                hidden.append(item["url"])
                continue
            assert alone.json() == shown.pop(item["url"])
            checker.check_stated(kind, item, alone.json(), item["url"])
        assert shown == {}, collection
    assert hidden == ["/v1/signatories/ilrs-mou-china"]
    # Each object is checked twice (listed and read): all 122 citations back these objects (5
    # of them an attribution's speaker or reporter); 147 filled fields make a claim; 17 claims
    # are inferred.
    assert (checker.citations, checker.claims, checker.inferred) == (2 * 122, 2 * 147, 2 * 17)


def test_every_citation_resource_quotes_its_source(api: TestClient) -> None:
    checker = Checker(api)
    listing = api.get("/v1/citations?limit=200").json()
    for c in listing["items"]:
        text = checker.text(c["source"]["id"])
        assert text[c["start"] : c["end"]] == c["exact"]
        assert text[max(0, c["start"] - 32) : c["start"]] == c["prefix"]
        assert text[c["end"] : c["end"] + 32] == c["suffix"]
        assert api.get(c["source_text_url"]).text == c["exact"]
        assert c["basis"] in ("stated", "inferred")
        for field in CLAIMS["attribution"]:
            assert field in c["attribution"], c["id"]
    assert len(listing["items"]) == 122
    # basis=stated leaves out the premises of inferred claims: 92 quotes state what they back.
    stated = api.get("/v1/citations?limit=200&basis=stated").json()["items"]
    assert stated == [c for c in listing["items"] if c["basis"] == "stated"]
    assert len(stated) == 92
