"""Export and import of the whole dataset, on both engines: an export imported into an empty
database exports the same bytes and leaves the same rows and documents (after a curator's write
too), the dataset version travels with it, a tampered export is refused whole, the CSV of each
collection is the public documents flattened, and the routes answer their own ETags and 304s."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, col
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.db import write_session
from app.models import KeyScope, Revision
from app.resources.registry import RESOURCES
from app.routes import export as export_routes
from app.services import export, export_csv
from app.services.curate import WRITABLE
from app.services.dataset import current_version
from app.services.entities import load_all
from app.services.export import export_document, read_snapshot
from app.services.export_csv import columns
from app.services.importer import ImportRefusedError, import_document
from app.services.keys import create_key
from app.services.rebuild import stored
from tests.api import client_for
from tests.conftest import Database, _database
from tests.helpers import snapshot

ARTICLE = "russia-china-moon-article"
ARTICLE_SHA = "06c45edb5a35c3ad07eacf96c83ca19d9e8587f0139073c19755ece02311fd67"
SEED_ENTITIES = 36  # one source and 35 entities
CNSA = "/v1/agencies/cnsa"


@pytest.fixture
def target(request: pytest.FixtureRequest, tmp_path: Path, engine_kind: str) -> Iterator[Database]:
    """A second database beside the seeded one, at the latest migration and empty."""
    for db in _database(request, tmp_path / "target", engine_kind, seeded=False):
        migrate.upgrade(db.url)
        yield db


@pytest.fixture
def client(seeded_db: Database) -> Iterator[TestClient]:
    """A client of the app over the seeded database, without the access log."""
    yield from client_for(seeded_db, access_log=False)


def _admin(db: Database) -> dict[str, str]:
    with write_session(db.engine) as session:
        token = create_key(session, name="admin-key", scope=KeyScope.admin)
    return {"Authorization": f"Bearer {token}"}


def _export(db: Database) -> bytes:
    with read_snapshot(engine=db.engine) as session:
        return b"".join(export_document(session=session))


def _state(db: Database) -> tuple[Any, Any]:
    """Every entity's rows and every stored document (body, reads, search row)."""
    with Session(db.engine) as session:
        return load_all(session), stored(session)


def _version(db: Database) -> int:
    with Session(db.engine) as session:
        return current_version(session=session)


def _revisions(db: Database) -> list[tuple[int, str, str, str, str]]:
    with Session(db.engine) as session:
        found = session.execute(select(Revision).order_by(col(Revision.id))).scalars()
        return [(r.version, r.entity_type, r.entity_id, str(r.kind), r.actor) for r in found]


def _unlink_cnsa(client: TestClient, headers: dict[str, str]) -> None:
    """A curator's write the seed does not hold: CNSA no longer names its country."""
    etag = client.get(CNSA).headers["etag"]
    patch = {"country_code": None, "citations": {"country": None}}
    answer = client.patch(CNSA, json=patch, headers={**headers, "If-Match": etag})
    assert answer.status_code == 200, answer.text
    assert answer.json()["country"] is None


def test_the_document(seeded_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its shape and values, one item per line, and the same bytes whatever the batch size."""
    body = _export(seeded_db)
    document = orjson.loads(body)
    assert list(document) == [
        "format",
        "schema_version",
        "dataset_version",
        "sources",
        "collections",
        "parts",
    ]
    assert document["format"] == "spacefacts-export/1"
    assert document["schema_version"] == migrate.head_revision()
    assert document["dataset_version"] == 1
    [source] = document["sources"]
    assert (source["id"], source["sha256"], source["length"]) == (ARTICLE, ARTICLE_SHA, 3189)
    assert source["text"].startswith("The Russian")
    assert list(document["collections"]) == [r.collection for r in WRITABLE]
    sizes = {name: len(items) for name, items in document["collections"].items()}
    assert sizes == {
        "countries": 4,
        "agencies": 5,
        "attributions": 6,
        "programs": 2,
        "agreements": 2,
        "signatories": 3,
        "restrictions": 1,
        "events": 12,
    }
    assert [c["code"] for c in document["collections"]["countries"]] == ["BR", "CN", "RU", "US"]
    assert document["collections"]["countries"][0] == {
        "code": "BR",
        "name": "Brazil",
        "citations": {
            "name": {
                "basis": "stated",
                "quotes": [
                    {
                        "quote": "Brazil has shown that is also plans to sign the accords.",
                        "source": ARTICLE,
                        "attribution": "article",
                        "start": 2773,
                    }
                ],
            }
        },
    }
    counts = document["parts"]["reported_counts"]
    assert [(c["id"], c["agreement_id"], c["program_id"], c["count"]) for c in counts] == [
        ("artemis-accords-other-signatories", "artemis-accords", None, 8),
        ("artemis-other-partner-countries", None, "artemis", None),
    ]
    assert counts[0]["citations"]["excludes"]["basis"] == "inferred"
    items = [line for line in body.split(b"\n")[1:] if line.startswith(b'{"')]
    assert len(items) == 1 + sum(sizes.values()) + len(counts)  # one source or entity a line
    monkeypatch.setattr(export, "BATCH", 2)
    monkeypatch.setattr(export, "SOURCE_BATCH", 1)
    with read_snapshot(engine=seeded_db.engine) as session:
        chunks = list(export_document(session=session))
    assert b"".join(chunks) == body
    assert len(chunks) > 40  # keyset pages of two, each its own chunk


def test_an_import_into_an_empty_database_exports_the_same_bytes(
    seeded_db: Database, target: Database, client: TestClient
) -> None:
    """The seed's export, then one after a curator's write: same bytes, rows and version."""
    first = _export(seeded_db)
    report = import_document(engine=target.engine, data=first, actor="import:spacefacts-1.json")
    assert (report.version, report.changed, report.entities) == (1, True, SEED_ENTITIES)
    assert (report.deleted, report.revisions) == (0, SEED_ENTITIES)
    assert _export(target) == first
    assert _state(target) == _state(seeded_db)
    revisions = _revisions(target)
    assert len(revisions) == SEED_ENTITIES
    assert {(v, kind, actor) for v, _, _, kind, actor in revisions} == {
        (1, "create", "import:spacefacts-1.json")
    }

    _unlink_cnsa(client, _admin(seeded_db))
    second = client.get("/v1/export")
    assert second.status_code == 200
    assert orjson.loads(second.content)["dataset_version"] == 2
    assert second.content != first
    with pytest.raises(ImportRefusedError, match="holds 36 entities"):
        import_document(engine=target.engine, data=second.content, actor="import:2.json")
    again = import_document(
        engine=target.engine, data=second.content, actor="import:spacefacts-2.json", replace=True
    )
    assert (again.version, again.changed, again.revisions) == (2, True, 1)
    assert _export(target) == second.content
    assert _state(target) == _state(seeded_db)
    assert _revisions(target)[-1] == (2, "agency", "cnsa", "update", "import:spacefacts-2.json")
    unchanged = import_document(
        engine=target.engine, data=second.content, actor="import:again", replace=True
    )
    assert (unchanged.version, unchanged.changed, unchanged.revisions) == (2, False, 0)


def test_an_import_never_takes_the_version_back(seeded_db: Database, client: TestClient) -> None:
    """Past the export: one version more, its data, extra entities deleted (and restorable)."""
    admin = _admin(seeded_db)
    first = _export(seeded_db)
    _unlink_cnsa(client, admin)
    brazil = orjson.loads(first)["collections"]["countries"][0]
    created = client.post("/v1/countries", json={**brazil, "code": "XZ"}, headers=admin)
    assert created.status_code == 201, created.text
    assert _version(seeded_db) == 3
    report = import_document(
        engine=seeded_db.engine, data=first, actor="import:old.json", replace=True
    )
    assert (report.version, report.deleted, report.revisions) == (4, 1, 2)
    assert _export(seeded_db) == first.replace(b'"dataset_version":1', b'"dataset_version":4', 1)
    assert _revisions(seeded_db)[-2:] == [
        (4, "agency", "cnsa", "update", "import:old.json"),
        (4, "country", "XZ", "delete", "import:old.json"),
    ]
    gone = client.get("/v1/countries/XZ")
    assert gone.status_code == 404
    assert "by import:old.json" in gone.json()["detail"]
    restored = client.post("/v1/countries/XZ/restore", headers=admin)
    assert restored.status_code == 200, restored.text
    assert restored.json()["name"] == "Brazil"


def test_an_empty_database_exports_and_imports(target: Database) -> None:
    body = _export(target)
    assert orjson.loads(body) == {
        "format": "spacefacts-export/1",
        "schema_version": migrate.head_revision(),
        "dataset_version": 0,
        "sources": [],
        "collections": {r.collection: [] for r in WRITABLE},
        "parts": {"reported_counts": []},
    }
    report = import_document(engine=target.engine, data=body, actor="import:empty.json")
    assert (report.version, report.changed, report.entities) == (0, False, 0)


def _tampered(body: bytes, change: Any) -> bytes:
    document = orjson.loads(body)
    change(document)
    return orjson.dumps(document)


def _refused(db: Database, data: bytes) -> list[str]:
    before = snapshot(db.engine)
    with pytest.raises(ImportRefusedError) as caught:
        import_document(engine=db.engine, data=data, actor="import:bad.json")
    assert snapshot(db.engine) == before
    return caught.value.problems


def test_a_tampered_export_is_refused_whole(seeded_db: Database, target: Database) -> None:
    body = _export(seeded_db)

    def text(document: Any) -> None:
        document["sources"][0]["text"] = "the" + document["sources"][0]["text"][3:]

    [problem] = _refused(target, _tampered(body, text))
    assert problem.startswith(f"/sources/0/text: source '{ARTICLE}' has SHA-256 ")
    assert problem.endswith(f", not the exported {ARTICLE_SHA} and 3189")

    def quote(document: Any) -> None:
        cited = document["collections"]["countries"][0]["citations"]["name"]["quotes"][0]
        cited["quote"] = "Brazil has shown that it also plans to sign the accords."

    assert _refused(target, _tampered(body, quote)) == [
        "/collections/countries/0/citations/name/quotes/0/start: claim 'name': quote 'Brazil "
        "has shown that it also plans to sign the accords.' in source "
        f"'{ARTICLE}': the text at [2773, 2829) is not the quote"
    ]

    def uncited(document: Any) -> None:
        del document["collections"]["agencies"][0]["citations"]["name"]

    assert _refused(target, _tampered(body, uncited)) == [
        "/collections/agencies/0/citations: no citation for filled claim(s) name",
        "/collections/agencies/0: every claim is inferred, so the row exists only through "
        "inference: say so with a `row` claim whose basis is inferred",
    ]

    def orphan(document: Any) -> None:
        document["parts"]["reported_counts"][0]["agreement_id"] = "no-such-agreement"

    assert _refused(target, _tampered(body, orphan)) == [
        "rows name agreement 'no-such-agreement', which the export does not hold"
    ]
    assert _refused(target, body.replace(b"spacefacts-export/1", b"spacefacts-export/9", 1)) == [
        "unknown format 'spacefacts-export/9': this version reads 'spacefacts-export/1'"
    ]
    schema = migrate.head_revision()
    assert schema is not None
    [other] = _refused(target, body.replace(schema.encode(), b"0123456789ab", 1))
    assert other.startswith(f"the export is of schema 0123456789ab, the database is at {schema}")
    assert _refused(target, body.replace(b'"events":[', b'"happenings":[', 1)) == [
        "/collections/events: Field required",
        "/collections/happenings: Extra inputs are not permitted",
    ]
    assert _version(target) == 0


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))


def test_each_collection_as_csv(client: TestClient) -> None:
    for resource in RESOURCES:
        rows = _csv(client.get(f"/v1/export.csv?collection={resource.collection}"))
        assert rows[0] == [c.name for c in columns(resource=resource)]
        listed = client.get(f"/v1/{resource.collection}?limit=200")
        # Status and body first, so a failed list names its cause instead of a KeyError.
        assert listed.status_code == 200, (listed.status_code, listed.headers, listed.text)
        total = listed.json()["total"]
        assert len(rows) == 1 + total, resource.collection
        assert {len(r) for r in rows} == {len(rows[0])}
    countries = _csv(client.get("/v1/export.csv?collection=countries"))
    assert countries[0] == [
        "basis",
        "claims.inferred",
        "code",
        "url",
        "name",
        "agencies",
        "citations",
        "citations.exact",
    ]
    assert countries[4] == [
        "stated",
        "",
        "US",
        "/v1/countries/US",
        "United States",
        "congress; nasa; ostp",
        "1",
        "The United States has also made similar moves towards further moon travel",
    ]
    agencies = _csv(client.get("/v1/export.csv?collection=agencies"))
    cnsa = dict(zip(agencies[0], agencies[1], strict=True))
    assert (cnsa["id"], cnsa["claims.inferred"], cnsa["country.id"]) == ("cnsa", "country", "CN")
    assert cnsa["citations"] == "2"  # the same quote backs two claims: shown once
    assert cnsa["citations.exact"] == (
        "The China National Space Administration also made an announcement"
    )
    agreements = _csv(client.get("/v1/export.csv?collection=agreements"))
    accords = dict(zip(agreements[0], agreements[1], strict=True))
    assert accords["program.id"] == "artemis"
    assert accords["date.edtf"] == ""
    assert accords["reported_counts"] == "artemis-accords-other-signatories"
    assert accords["citations.exact"].split(" | ")[1] == (
        "Eight other countries have signed the Artemis Accords"
    )


def test_validators_and_preconditions(
    client: TestClient, seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = client.get("/v1/export")
    assert whole.headers["etag"] == '"export-1"'
    assert whole.headers["content-type"] == "application/json"
    assert whole.headers["content-disposition"] == 'attachment; filename="spacefacts-1.json"'
    assert whole.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
    assert whole.content == _export(seeded_db)
    one = client.get("/v1/export.csv?collection=events")
    assert one.headers["etag"] == '"export-1-events"'
    assert one.headers["content-disposition"] == ('attachment; filename="spacefacts-1-events.csv"')
    for url, etag in (
        ("/v1/export", '"export-1"'),
        ("/v1/export.csv?collection=events", '"export-1-events"'),
    ):
        full, head = client.get(url), client.head(url)
        assert (head.status_code, head.content) == (200, b"")
        volatile = {"date", "content-length", "transfer-encoding", "x-request-id"}
        assert {k: v for k, v in head.headers.items() if k not in volatile} == {
            k: v for k, v in full.headers.items() if k not in volatile
        }
        fresh = client.get(url, headers={"If-None-Match": etag})
        assert (fresh.status_code, fresh.content, fresh.headers["etag"]) == (304, b"", etag)
        assert client.get(url, headers={"If-None-Match": '"export-0"'}).status_code == 200
        assert client.get(url, headers={"If-Match": '"export-0"'}).status_code == 412

    read: list[bool] = []

    def reading(**_: object) -> Iterator[bytes]:
        read.append(True)
        yield b"{}"

    monkeypatch.setattr(export_routes, "export_document", reading)
    assert client.head("/v1/export").status_code == 200
    assert read == []  # a HEAD never reads the dataset
    unknown = client.get("/v1/export.csv?collection=moons")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["location"] == "query.collection"
    assert client.get("/v1/export.csv").json()["detail"] == (
        "`collection` is required: the name of a collection, such as agencies."
    )
    assert client.get("/v1/export", headers={"Accept": "text/csv"}).status_code == 406
    _unlink_cnsa(client, _admin(seeded_db))
    stale = client.get("/v1/export", headers={"If-None-Match": '"export-1"'})
    assert (stale.status_code, stale.headers["etag"]) == (200, '"export-2"')


def _run(db: Database, *args: str) -> Any:
    env = {"SPACEFACTS_DATABASE_URL": db.url, "COLUMNS": "200"}
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_command_exports_and_imports(
    seeded_db: Database, target: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = _run(seeded_db, "export")
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout_bytes == _export(seeded_db)
    path = tmp_path / "spacefacts-1.json"
    path.write_bytes(exported.stdout_bytes)
    imported = _run(target, "import", str(path))
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout == (
        "imported spacefacts-1.json: dataset version 1, 36 entities, 0 deleted, 36 revision(s)\n"
    )
    assert _export(target) == exported.stdout_bytes
    assert {actor for *_, actor in _revisions(target)} == {"import:spacefacts-1.json"}

    monkeypatch.setattr(export_csv, "BATCH", 2)
    folder = tmp_path / "csv"
    folder.mkdir()
    tables = _run(target, "export", "--format", "csv", "--out", str(folder))
    assert tables.exit_code == 0, tables.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"spacefacts-1-{r.collection}.csv" for r in RESOURCES)
    events = (folder / "spacefacts-1-events.csv").read_bytes()
    assert events.count(b"\r\n") == 1 + 12
    one = _run(target, "export", "--format", "csv", "--collection", "events")
    assert one.stdout_bytes == events
    assert _run(target, "export", "--format", "csv").exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_bytes(exported.stdout_bytes.replace(b"Brazil has", b"Brazil had", 1))
    refused = _run(target, "import", str(bad))
    assert refused.exit_code == 1
    assert "import refused (1 problem(s)); database unchanged" in refused.stderr
