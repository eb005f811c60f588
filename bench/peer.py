"""The peer in the benchmarks: Datasette serving the same SQLite file as the API.

Datasette is what a user would most likely pick to publish these tables. It runs as its
`datasette publish` deployments do: immutable mode (table counts computed once), one process,
with suggested facets off (a cost a JSON client never asks for). Searches go through the same
FTS5 table the API uses, joined on its row numbers by the `fts_table`/`fts_pk` metadata, as the
Datasette documentation shows for an FTS table that is not a content table.

Each shape pairs an API path with the request a Datasette user would make for the same rows.
Datasette answers with table rows, the API with whole documents (names, dates, citations): the
peer does less work per item, so a ratio in the API's favour is not flattered by the pairing.
"""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from urllib.parse import quote

import httpx

__all__ = ["Shape", "paged", "start_datasette"]

Start = Callable[[list[str], dict[str, str], int, str], "Popen[bytes]"]


@dataclass(frozen=True)
class Shape:
    """One kind of request, as each server is asked it."""

    spacefacts: str
    datasette: str


def start_datasette(*, start: Start, db: Path, port: int) -> "Popen[bytes]":
    """Datasette on `db` at 127.0.0.1:port, its metadata written beside the file."""
    metadata = db.with_suffix(".datasette.json")
    tables = {"search_document": {"fts_table": "search_fts", "fts_pk": "fts_rowid"}}
    metadata.write_text(json.dumps({"databases": {db.stem: {"tables": tables}}}))
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(db),
        "--port",
        str(port),
        "--metadata",
        str(metadata),
        "--setting",
        "suggest_facets",
        "off",
    ]
    return start(args, {}, port, f"/{db.stem}.json")


def paged(*, base: str, path: str, pages: int, token: str, param: str) -> str:
    """`path` with the token the server gives after `pages` pages of it: the API's
    `next_cursor` as `cursor`, or Datasette's `next` as `_next`."""
    url = path
    with httpx.Client(base_url=base) as client:
        for _ in range(pages):
            given = client.get(url).json()[token]
            if given is None:
                raise RuntimeError(f"{path} has fewer than {pages + 1} pages")
            url = f"{path}&{param}={quote(str(given))}"
    return url
