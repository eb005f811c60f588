"""Property-based tests generated from the served OpenAPI document, on both engines.

Every operation gets examples within and outside its documented bounds, deterministically, and
each response is checked against the contract by all of Schemathesis's checks: no 5xx, status
codes, headers and content types the document declares, bodies valid against their schemas,
negative data refused, positive data accepted. Each (operation, engine) runs on a fresh seeded
database.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckFunction, HookContext
from schemathesis.checks import CHECKS, load_all_checks
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.main import create_app
from tests.conftest import Database

MAX_EXAMPLES = 40
load_all_checks()
# Every built-in check, named rather than left to configuration defaults; none is excluded.
ALL_CHECKS: list[CheckFunction] = [c for c in CHECKS.get_all() if not isinstance(c, type)]


class CurrentApp:
    """The ASGI app under test, swapped per test so each runs on its own database."""

    app: ASGIApp | None = None
    kind = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


CURRENT = CurrentApp()
# The document does not depend on the data, so it is read once from an app with no database.
# The write operations are not fuzzed yet (tests/test_curate.py covers them by hand): a fuzzed
# write needs a key and bodies whose quotes are found in a source, which is still to be built.
schema = schemathesis.openapi.from_dict(create_app().openapi()).include(method="GET")
schema.app = CURRENT


@pytest.fixture
def app_under_test(seeded_db: Database) -> Iterator[None]:
    config = Settings(rate_limit_enabled=False, version_ttl=0.0)
    CURRENT.app = create_app(config=config, db=seeded_db.engine)
    CURRENT.kind = seeded_db.kind
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


@schema.parametrize()
@pytest.mark.usefixtures("app_under_test")
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
