"""Property-based tests generated from the served OpenAPI document, on both engines.

Every operation gets examples within and outside its documented bounds, deterministically, and
each response is checked against the contract by all of Schemathesis's checks: no 5xx, status
codes, headers and content types the document declares, bodies valid against their schemas,
negative data refused, positive data accepted. Each (operation, engine) runs on a fresh seeded
database (reads and keyless writes: one per engine, shared, since they change nothing).
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckFunction, HookContext
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.db import write_session
from app.main import create_app
from app.models import KeyScope
from app.services.keys import create_key
from tests.conftest import Database

# Examples per operation, sized so CI runs the whole suite in 20 minutes; SPACEFACTS_FUZZ_SCALE
# multiplies them all for a deeper run (e.g. SPACEFACTS_FUZZ_SCALE=5 make test).
SCALE = float(os.environ.get("SPACEFACTS_FUZZ_SCALE", "1"))
MAX_EXAMPLES = round(20 * SCALE)  # per read operation
load_all_checks()
# Every built-in check, named rather than left to configuration defaults; none is excluded.
ALL_CHECKS: list[CheckFunction] = [c for c in CHECKS.get_all() if not isinstance(c, type)]


class CurrentApp:
    """The ASGI app under test, swapped per test so each runs on its own database."""

    app: ASGIApp | None = None
    kind = ""
    key = ""  # an admin key in the database under test

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


CURRENT = CurrentApp()
# What a write may answer besides what the defaults allow. A body valid against the schema can
# still be refused: a quote the schema cannot know is absent from its source, or ambiguous
# (422); a stale or missing If-Match (412, 428); a deleted or unknown id (404); a body over
# 1 MiB (413). Nothing here admits a 5xx or an undocumented status: those checks stay as strict.
CHECKS_CONFIG: dict[str, Any] = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "428"]
        },
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "422",
                "428",
            ]
        },
    }
}
CONFIG = SchemathesisConfig.from_dict(CHECKS_CONFIG)
# Without a key the coverage phase's hundreds of boundary bodies per write meet the same body
# checks the keyed run sends them through (and then a 401): keyless writes fuzz, no more.
KEYLESS_CONFIG = SchemathesisConfig.from_dict(
    {**CHECKS_CONFIG, "phases": {"coverage": {"enabled": False}}}
)
# The document does not depend on the data, so it is read once from an app with no database.
DOCUMENT = create_app().openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = CURRENT
keyless = schemathesis.openapi.from_dict(DOCUMENT, config=KEYLESS_CONFIG)
keyless.app = CURRENT
# The stream never ends (tests/test_stream.py holds it open as a client would): no case of it
# could complete.
reads = schema.include(method="GET").exclude(path="/v1/stream")
writes = schema.exclude(method="GET")
WRITE_EXAMPLES = round(6 * SCALE)  # a write's cases each run a write transaction
KEYLESS_EXAMPLES = round(3 * SCALE)  # without a key, past the body checks every answer is a 401


@pytest.fixture
def app_under_test(seeded_db: Database) -> Iterator[None]:
    config = Settings(rate_limit_enabled=False, version_ttl=0.0)
    CURRENT.app = create_app(config=config, db=seeded_db.engine)
    CURRENT.kind = seeded_db.kind
    with write_session(seeded_db.engine) as session:
        CURRENT.key = create_key(session, name="fuzz", scope=KeyScope.admin)
    yield
    CURRENT.app = None


@pytest.fixture
def read_app_under_test(
    read_api: TestClient, _module_api: tuple[TestClient, Engine]
) -> Iterator[None]:
    """Reads and keyless writes change nothing: they run on one app and database per engine."""
    CURRENT.app = read_api.app
    CURRENT.kind = _module_api[1].dialect.name
    yield
    CURRENT.app = None


def _number(value: Any) -> int | None:
    """A query value as the integer it spells (the coverage phase sends strings)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@schema.hook
def map_case(context: HookContext, case: Case[Any]) -> Case[Any]:  # noqa: ARG001 (hook signature)
    # A cursor is opaque: only a previous page can make a valid one, so a random string that
    # fits its pattern is rightly refused (400). Positive cases therefore page from the start;
    # negative cases still send broken cursors, and tests/test_api_paging.py walks real ones.
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if case.query and "cursor" in case.query and not negative:
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    # A span runs from start to end: the document can bound each, not their order, so a
    # positive case keeps them in order (a reversed span is a 400, tests/test_contract.py).
    query = case.query or {}
    start, end = (_number(query.get(name)) for name in ("start", "end"))
    if not negative and start is not None and end is not None and start > end:
        case.query = {**query, "start": query["end"], "end": query["start"]}
    return case


keyless.hook(map_case)


@reads.parametrize()
@pytest.mark.usefixtures("read_app_under_test")
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_contract(case: Case[Any], record_property: Any) -> None:
    case.call_and_validate(checks=ALL_CHECKS)
    # One property per case run: the terminal summary counts them per engine, also from
    # xdist workers (their reports carry user properties to the controller).
    record_property("schemathesis_case", CURRENT.kind)


# Refused before anything is written (read_api checks that nothing was): the shared app.
@keyless.exclude(method="GET").parametrize()
@pytest.mark.usefixtures("read_app_under_test")
@settings(
    max_examples=KEYLESS_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_writes_keep_their_contract_without_a_key(case: Case[Any], record_property: Any) -> None:
    case.call_and_validate(checks=ALL_CHECKS)
    record_property("schemathesis_case", CURRENT.kind)


@writes.parametrize()
@pytest.mark.usefixtures("app_under_test")
@settings(
    max_examples=WRITE_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_writes_keep_their_contract_with_a_key(case: Case[Any], record_property: Any) -> None:
    case.headers["Authorization"] = f"Bearer {CURRENT.key}"
    case.call_and_validate(checks=ALL_CHECKS)
    record_property("schemathesis_case", CURRENT.kind)
