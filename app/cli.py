"""The `spacefacts` command: serve, migrate, seed, verify, export and import, manage API keys."""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from app import migrate, serving
from app.config import Settings
from app.db import make_engine, write_session
from app.metrics.multiproc import prepare_metrics_dir
from app.models.keys import KeyScope
from app.services.dataset import bump_version, current_version
from app.services.export import count_items, export_document, read_snapshot
from app.services.export_csv import ExportCollection, collection_csv, count_documents
from app.services.importer import ImportRefusedError, import_document
from app.services.keys import (
    DuplicateKeyNameError,
    InvalidKeyNameError,
    create_key,
    list_keys,
    revoke_key,
)
from app.services.rebuild import rebuild_all
from app.services.seed import load_seed
from app.services.seed_files import SeedError
from app.services.verify import verify_citations

cli = typer.Typer(help="spacefacts: cited facts about international space cooperation.")
db_cli = typer.Typer(help="Database schema migrations (Alembic).")
cli.add_typer(db_cli, name="db")
keys_cli = typer.Typer(help="API keys for curators (only a hash of each key is stored).")
cli.add_typer(keys_cli, name="keys")
out = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    # Read at each command, not at import: the environment decides which database.
    return Settings()


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = make_engine(_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: SPACEFACTS_WORKERS, 1)."),
    ] = None,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            help="Proxies whose X-Forwarded-For/-Proto are believed: comma-separated "
            "addresses or networks, or '*' (default: SPACEFACTS_TRUSTED_PROXIES, none)."
        ),
    ] = None,
) -> None:
    """Serve the API with uvicorn; SIGTERM drains it within SPACEFACTS_SHUTDOWN_GRACE seconds."""
    config = _settings()
    if config.metrics_enabled:  # before any worker starts: they inherit the environment
        prepare_metrics_dir(workers=workers or config.workers)
    serving.run(
        app="app.main:serve_app",
        host=host or config.host,
        port=port or config.port,
        reload=reload,
        workers=workers or config.workers,
        trusted_proxies=config.trusted_proxies if trusted_proxies is None else trusted_proxies,
        shutdown_grace=config.shutdown_grace,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    migrate.upgrade(_settings().database_url, revision)
    with _engine() as engine:
        out.print(f"database at revision {migrate.current_revision(engine)}")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Migrate the database down to REVISION (default: one step; 'base' empties it)."""
    migrate.downgrade(_settings().database_url, revision)
    with _engine() as engine:
        out.print(f"database at revision {migrate.current_revision(engine)}")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision and the latest one."""
    with _engine() as engine:
        current, head = migrate.current_revision(engine), migrate.head_revision()
    state = "up to date" if current == head else "needs 'spacefacts db upgrade'"
    out.print(f"current: {current or '(empty)'}  head: {head}  ({state})")


@cli.command()
def seed(
    path: Annotated[Path | None, typer.Argument(help="Seed folder.")] = None,
) -> None:
    """Load the seed folder: every quote proved, one transaction, only changed rows written."""
    seed_dir = path or _settings().seed_dir
    try:
        with _engine() as engine:
            report = load_seed(engine=engine, seed_dir=seed_dir, progress=out.print)
    except SeedError as exc:
        err.print(f"[red]seed refused[/red] ({len(exc.problems)} problem(s)); database unchanged:")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    for conflict in report.conflicts:
        err.print(f"[yellow]conflict[/yellow] {conflict}", highlight=False, soft_wrap=True)
    if report.changed:
        changes = {
            table: ", ".join(f"{n} {what}" for what, n in counts.items() if n)
            for table, counts in report.counts.items()
        }
        for table, summary in changes.items():
            if summary:
                out.print(f"  {table}: {summary}")
        out.print(f"seed loaded: dataset version {report.version}, {report.revisions} revision(s)")
    else:
        out.print(f"seed unchanged: dataset version {report.version}")


@cli.command()
def rebuild() -> None:
    """Rebuild every stored document, its dependency rows and its search row from the rows."""
    with _engine() as engine, write_session(engine) as session:
        report = rebuild_all(session)
        if report.written:
            version = bump_version(session=session, origin="rebuild", summary=report.counts)
            out.print(f"{report.written} row(s) rewritten: dataset version {version}")
        else:
            out.print(f"{report.built} documents rebuilt: all as stored")


@cli.command()
def verify() -> None:
    """Re-check every citation against its source and SHA-256, and every row's truth rules."""
    with (
        _engine() as engine,
        Session(engine) as session,
        Progress(console=err, transient=True) as progress,
    ):
        task = progress.add_task("checking citations", total=None)
        count, drifts = verify_citations(
            session=session, on_citation=lambda: progress.advance(task)
        )
    if drifts:
        for drift in drifts:
            err.print(str(drift), markup=False, highlight=False, soft_wrap=True)
        err.print(f"[red]{len(drifts)} drift(s)[/red] in {count} citations")
        raise typer.Exit(1)
    out.print(f"{count} citations verified against their sources")


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def _target(out_path: Path | None, name: str) -> Path | None:
    """Where an export goes: the file given, `name` in the directory given, or stdout (None)."""
    if out_path is not None and out_path.is_dir():
        return out_path / name
    return out_path


def _write(chunks: Iterator[bytes], target: Path | None) -> None:
    if target is None:
        stream = typer.get_binary_stream("stdout")
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return
    with target.open("wb") as file:
        for chunk in chunks:
            file.write(chunk)
    err.print(f"wrote {target}", markup=False, highlight=False)


@cli.command("export")
def export_command(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="json: the whole dataset, as `spacefacts import` reads it; csv: "
            "a collection, a row per entity.",
        ),
    ] = ExportFormat.json,
    collection: Annotated[
        ExportCollection | None, typer.Option(help="The collection to write as CSV.")
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="A file, or a directory (for csv: one file per collection, unless "
            "--collection names one); stdout when not given.",
        ),
    ] = None,
) -> None:
    """Export the dataset as one JSON document, or a collection as CSV, from one snapshot."""
    to_dir = out_path is not None and out_path.is_dir()
    if fmt is ExportFormat.csv and collection is None and not to_dir:
        err.print("csv needs --collection, or --out DIRECTORY for one file per collection")
        raise typer.Exit(2)
    with (
        _engine() as engine,
        read_snapshot(engine=engine) as session,
        Progress(console=err, transient=True) as progress,
    ):
        version = current_version(session=session)
        if fmt is ExportFormat.json:
            task = progress.add_task("exporting", total=count_items(session=session))
            chunks = export_document(session=session, on_item=partial(progress.advance, task))
            _write(chunks, _target(out_path, f"spacefacts-{version}.json"))
            return
        for name in [collection.value] if collection else [c.value for c in ExportCollection]:
            total = count_documents(session=session, collection=name)
            task = progress.add_task(f"exporting {name}", total=total)
            chunks = collection_csv(
                session=session, collection=name, on_item=partial(progress.advance, task)
            )
            _write(chunks, _target(out_path, f"spacefacts-{version}-{name}.csv"))


@cli.command("import")
def import_command(
    path: Annotated[
        Path,
        typer.Argument(help="A JSON export (spacefacts export).", exists=True, dir_okay=False),
    ],
    replace: Annotated[
        bool,
        typer.Option(
            help="Replace a database that holds data: entities the export lacks are deleted "
            "(restorable), the others made as the export has them."
        ),
    ] = False,
) -> None:
    """Load an export into an empty database (or, with --replace, make it hold exactly that)."""
    data = path.read_bytes()
    try:
        with _engine() as engine, Progress(console=err, transient=True) as progress:
            task = progress.add_task("reading", total=None)

            def report(what: str, done: int, total: int) -> None:
                progress.update(task, description=what, completed=done, total=total)

            result = import_document(
                engine=engine,
                data=data,
                actor=f"import:{path.name}"[:200],
                replace=replace,
                progress=report,
            )
    except ImportRefusedError as exc:
        err.print(
            f"[red]import refused[/red] ({len(exc.problems)} problem(s)); database unchanged:"
        )
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    if result.changed:
        out.print(
            f"imported {path.name}: dataset version {result.version}, {result.entities} "
            f"entities, {result.deleted} deleted, {result.revisions} revision(s)",
            markup=False,
            highlight=False,
            soft_wrap=True,  # one line, whatever the terminal's width: scripts read it
        )
    else:
        out.print(
            f"import unchanged: dataset version {result.version}", highlight=False, soft_wrap=True
        )


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who the key is for; unique, never reused.")],
    scope: Annotated[KeyScope, typer.Option(help="What the key may do.")],
) -> None:
    """Make a key and print it, once: only its hash is kept."""
    try:
        with _engine() as engine, write_session(engine) as session:
            token = create_key(session, name=name, scope=scope)
    except (DuplicateKeyNameError, InvalidKeyNameError) as exc:
        err.print(f"refused: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    # The key alone on stdout, so `KEY=$(spacefacts keys create ...)` captures just it.
    out.print(token, markup=False, highlight=False, soft_wrap=True)
    err.print(
        f"created key {name!r} with scope {scope.value}. Store it now: it will not be shown again.",
        markup=False,
        highlight=False,
    )


@keys_cli.command("list")
def keys_list() -> None:
    """List the keys: name, scope, when made and when revoked (never the key or its hash)."""
    with _engine() as engine, Session(engine) as session:
        keys = list_keys(session)
    table = Table("name", "scope", "created", "revoked")
    for key in keys:
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
        table.add_row(
            key.name, key.scope.value, key.created_at.isoformat(timespec="seconds"), revoked
        )
    out.print(table)


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: requests with it are refused from now on."""
    with _engine() as engine, write_session(engine) as session:
        found = revoke_key(session, name=name)
    if not found:
        err.print(f"no key named {name!r}", markup=False, highlight=False)
        raise typer.Exit(1)
    out.print(f"key {name!r} revoked", markup=False, highlight=False)


def main() -> None:
    cli()
