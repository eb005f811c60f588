"""A write waiting for a lock runs off the event loop: reads keep being served meanwhile."""

import copy

import anyio
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from app.db import Db, make_engine
from app.models import Origin
from app.resources._types import EntityKey
from app.resources.registry import BY_TYPE
from app.services.entities import load_entities
from app.services.listing import read_one
from app.services.write import EntityWrite, write_entities
from tests.conftest import Database

CNSA: EntityKey = ("agency", "cnsa")


def _engine(db: Database) -> Engine:
    if db.kind == "sqlite":
        return make_engine(db.url)
    # A writer that blocked the loop would deadlock the test: give up on the lock instead.
    return create_engine(db.url, connect_args={"options": "-c lock_timeout=10000"})


def test_a_writer_waiting_for_a_lock_does_not_stall_reads(seeded_db: Database) -> None:
    engine = _engine(seeded_db)
    db = Db(engine)
    with Session(engine) as session:
        rows = copy.deepcopy(load_entities(session, [CNSA])[CNSA])
    rows["agency"][0]["description"] = "Written while another transaction held the lock."

    def change(session: Session) -> None:
        write_entities(
            session, writes=[EntityWrite(CNSA, rows, "curator:test")], origin=Origin.curator
        )

    order: list[str] = []

    async def main() -> None:
        with seeded_db.engine.connect() as holder:
            # Another writer holds the lock the write needs.
            if seeded_db.kind == "sqlite":
                holder.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                holder.execute(text("SELECT 1 FROM agency WHERE id = 'cnsa' FOR UPDATE"))
            async with anyio.create_task_group() as tasks:

                async def writer() -> None:
                    await db.write(change)
                    order.append("write")

                tasks.start_soon(writer)
                await anyio.sleep(0.2)  # the writer is now waiting for the lock
                for _ in range(20):
                    found = await db.run(
                        lambda s: read_one(
                            connection=s.connection(), resource=BY_TYPE["agency"], ident="cnsa"
                        )
                    )
                    assert found is not None
                    order.append("read")
                assert "write" not in order  # still waiting: the lock is still held
                holder.rollback()
        assert order == ["read"] * 20 + ["write"]

    anyio.run(main)
    with engine.connect() as connection:
        document = read_one(connection=connection, resource=BY_TYPE["agency"], ident="cnsa")
    assert document is not None
    assert b"Written while another transaction held the lock." in document
    engine.dispose()


def test_a_failed_write_leaves_nothing(seeded_db: Database) -> None:
    db = Db(seeded_db.engine)

    def broken(session: Session) -> None:
        session.connection().execute(text("DELETE FROM revision"))
        raise RuntimeError("halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        anyio.run(db.write, broken)
    with seeded_db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM revision")).scalar() == 36
