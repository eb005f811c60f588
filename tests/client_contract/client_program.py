"""What a newcomer writes with the Python client that openapi-python-client generates.

    PYTHONPATH=<folder holding the generated spacefacts_client> python client_program.py BASE_URL

Run by tests/test_client_contract.py against a server over the seed. Every check is an exact
value of the seed. Nothing is cast and no body is parsed by hand: the generated models parse it,
or the step fails. Each step prints `step: NAME` before it starts, so a failure names its step.
"""

import sys
from http import HTTPStatus

from spacefacts_client import Client
from spacefacts_client.api.citations import list_citations
from spacefacts_client.api.programs import list_programs, read_program
from spacefacts_client.api.signatories import list_signatories
from spacefacts_client.models import (
    CitationPage,
    Problem,
    ProblemType,
    ProgramPage,
    SignatoryPage,
    SignatoryStatus,
)
from spacefacts_client.types import UNSET, Unset


def step(name: str) -> None:
    print(f"step: {name}", flush=True)


def main(base_url: str) -> None:
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        step("list programs")
        programs = list_programs.sync(client=client)
        assert isinstance(programs, ProgramPage), programs
        assert [p.id for p in programs.items] == ["artemis", "ilrs"], programs.items
        assert (programs.total, programs.limit, programs.next_cursor) == (2, 50, None)

        step("filter signatories by two statuses")
        wanted = [SignatoryStatus.SIGNED, SignatoryStatus.INTENDS_TO_SIGN]
        signatories = list_signatories.sync(client=client, status=wanted)
        assert isinstance(signatories, SignatoryPage), signatories
        got = {s.id: s.status for s in signatories.items}
        assert got == {
            "artemis-accords-brazil": SignatoryStatus.INTENDS_TO_SIGN,
            "ilrs-mou-roscosmos": SignatoryStatus.SIGNED,
        }, f"status={wanted} (a list, as the generated client sends it) matched only {got}"
        assert all(isinstance(s.status, SignatoryStatus) for s in signatories.items)
        assert signatories.total == 2, signatories.total

        step("follow next_cursor through citations")
        ids: list[str] = []
        totals: set[int] = set()
        pages = 0
        cursor: str | Unset = UNSET
        while True:
            page = list_citations.sync(client=client, limit=50, cursor=cursor)
            assert isinstance(page, CitationPage), page
            assert page.limit == 50, page.limit
            pages += 1
            ids.extend(c.id for c in page.items)
            totals.add(page.total)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages >= 3, f"{pages} pages of 50: the seed has over 100 citations"
        assert len(set(ids)) == len(ids), "a citation came twice"
        assert totals == {len(ids)}, f"total {totals}, collected {len(ids)}"

        step("read a missing program: a typed 404 problem")
        missing = read_program.sync_detailed(client=client, program_id="nope")
        assert missing.status_code == HTTPStatus.NOT_FOUND, missing.status_code
        problem = missing.parsed
        assert isinstance(problem, Problem), (
            f"the 404 body was not parsed into Problem but into {type(problem).__name__}: "
            f"{problem!r}"
        )
        assert problem.type_ is ProblemType.NOT_FOUND, problem.type_
        assert problem.status == 404, problem.status
        assert problem.instance == "/v1/programs/nope", problem.instance
        assert problem.title, problem
        assert problem.detail, problem

        step("list programs with limit=0: a typed 400 problem")
        invalid = list_programs.sync_detailed(client=client, limit=0)
        assert invalid.status_code == HTTPStatus.BAD_REQUEST, invalid.status_code
        problem = invalid.parsed
        assert isinstance(problem, Problem), (
            f"the 400 body was not parsed into Problem but into {type(problem).__name__}: "
            f"{problem!r}"
        )
        assert problem.type_ is ProblemType.INVALID_PARAMETER, problem.type_
        assert problem.status == 400, problem.status
        assert isinstance(problem.errors, list), problem.errors
        assert [e.location for e in problem.errors] == ["query.limit"], problem.errors
    print("client_program: all steps passed")


if __name__ == "__main__":
    main(sys.argv[1])
