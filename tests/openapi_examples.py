"""Regenerate app/openapi_examples.json from the seed: `python -m tests.openapi_examples`."""

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings, settings
from app.db import make_engine
from app.openapi import EXAMPLES_PATH
from app.services.seed import load_seed

# operationId -> the request whose real response documents it.
EXAMPLE_REQUESTS = {
    "read_index": "/",
    "read_problem_type": "/problems/not-found",
    "list_programs": "/v1/programs?limit=1",
    "read_program": "/v1/programs/ilrs",
    "list_agencies": "/v1/agencies?limit=1",
    "read_agency": "/v1/agencies/roscosmos",
    "list_countries": "/v1/countries?limit=1",
    "read_country": "/v1/countries/CN",
    "list_agreements": "/v1/agreements?limit=1",
    "read_agreement": "/v1/agreements/artemis-accords",
    "list_agreement_signatories": "/v1/agreements/ilrs-mou/signatories?limit=1",
    "list_signatories": "/v1/signatories?limit=1",
    "read_signatory": "/v1/signatories/artemis-accords-brazil",
    "list_restrictions": "/v1/restrictions?limit=1",
    "read_restriction": "/v1/restrictions/us-nasa-ostp-china-ban",
    "list_events": "/v1/events?limit=1",
    "read_event": "/v1/events/ilrs-mou-signed",
    "list_sources": "/v1/sources?limit=1",
    "read_source": "/v1/sources/russia-china-moon-article",
    "read_source_text": "/v1/sources/russia-china-moon-article/text?start=0&end=40",
    "list_citations": "/v1/citations?limit=1",
    "read_citation": "/v1/citations/program-ilrs-locations-1",
}


# "problem-<status>" -> the request whose real problem documents that status everywhere.
PROBLEM_REQUESTS: dict[str, tuple[str, dict[str, str]]] = {
    "problem-400": ("/v1/programs?limit=0", {}),
    "problem-404": ("/v1/programs/apollo", {}),
    "problem-406": ("/v1/programs", {"Accept": "text/html"}),
    "problem-412": ("/v1/programs/ilrs", {"If-Match": '"zzz"'}),
}


def collect(client: TestClient) -> dict[str, Any]:
    """The live response body of every example request."""
    out: dict[str, Any] = {}
    for operation, url in EXAMPLE_REQUESTS.items():
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        response.raise_for_status()
        is_json = response.headers["content-type"].startswith("application/json")
        out[operation] = response.json() if is_json else response.text
    for key, (url, headers) in PROBLEM_REQUESTS.items():
        response = client.get(url, headers={"Accept-Encoding": "identity", **headers})
        assert response.status_code == int(key.removeprefix("problem-")), response.text
        assert response.headers["content-type"] == "application/problem+json"
        out[key] = response.json()
    return out


def main() -> None:
    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'examples.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        load_seed(engine=engine, seed_dir=settings.seed_dir)
        config = Settings(rate_limit_enabled=False)
        with TestClient(create_app(config=config, db=engine)) as client:
            examples = collect(client)
        engine.dispose()
    EXAMPLES_PATH.write_text(
        json.dumps(examples, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(examples)} examples to {EXAMPLES_PATH}")


if __name__ == "__main__":
    main()
