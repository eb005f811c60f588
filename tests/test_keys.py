"""API keys: the CLI and the service (tests/test_keys_http.py: the bearer dependencies)."""

import hashlib
import re
import secrets
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import write_session
from app.models.keys import KeyScope
from app.services.keys import (
    Caller,
    DuplicateKeyNameError,
    InvalidKeyNameError,
    authenticate,
    create_key,
    list_keys,
    revoke_key,
)
from tests.conftest import Database

TOKEN = re.compile(r"sf_[A-Za-z0-9_-]{43}")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def _run(db: Database, *args: str) -> Run:
    env = {"SPACEFACTS_DATABASE_URL": db.url, "COLUMNS": "200"}
    result = CliRunner().invoke(cli, list(args), env=env)
    return Run(result.exit_code, result.stdout, result.stderr)


def make_key(db: Database, name: str, scope: KeyScope, *, revoked: bool = False) -> str:
    with write_session(db.engine) as session:
        token = create_key(session, name=name, scope=scope)
        if revoked:
            assert revoke_key(session, name=name)
    return token


def _stored(db: Database) -> list[tuple[str, str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, scope, key_hash FROM api_key ORDER BY name"))
        return [(r[0], r[1], r[2]) for r in rows]


def test_cli_creates_lists_and_revokes_keys(migrated_db: Database) -> None:
    made = _run(migrated_db, "keys", "create", "--name", "alice", "--scope", "write")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert TOKEN.fullmatch(token), made.stdout
    assert "created key 'alice' with scope write" in made.stderr
    assert "it will not be shown again" in made.stderr
    # Only the hash is stored.
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert _stored(migrated_db) == [("alice", "write", digest)]

    again = _run(migrated_db, "keys", "create", "--name", "alice", "--scope", "read")
    assert again.returncode == 1
    assert "refused: a key named 'alice' exists already" in again.stderr
    assert again.stdout == ""
    bad_name = _run(migrated_db, "keys", "create", "--name", "a b", "--scope", "read")
    assert bad_name.returncode == 1
    assert "key name 'a b' must be" in bad_name.stderr
    bad_scope = _run(migrated_db, "keys", "create", "--name", "bob", "--scope", "root")
    assert bad_scope.returncode == 2
    assert _run(migrated_db, "keys", "create", "--name", "bob", "--scope", "admin").returncode == 0

    listed = _run(migrated_db, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines() if "alice" in line or "bob" in line]
    assert [(r[1], r[3], r[-2]) for r in rows] == [("alice", "write", "-"), ("bob", "admin", "-")]
    assert token not in listed.stdout
    assert digest not in listed.stdout

    revoked = _run(migrated_db, "keys", "revoke", "alice")
    assert revoked.returncode == 0, revoked.stderr
    assert "key 'alice' revoked" in revoked.stdout
    after = _run(migrated_db, "keys", "list").stdout
    (alice,) = [line for line in after.splitlines() if "alice" in line]
    assert re.search(r"write\s+│\s+\S+\s+│\s+20\d\d-\d\d-\d\dT", alice), alice
    missing = _run(migrated_db, "keys", "revoke", "carol")
    assert missing.returncode == 1
    assert "no key named 'carol'" in missing.stderr


def test_each_scope_includes_the_lesser_ones() -> None:
    held = {
        scope: [s for s in KeyScope if Caller(name="k", scope=scope).has(s)] for scope in KeyScope
    }
    assert held == {
        KeyScope.read: [KeyScope.read],
        KeyScope.write: [KeyScope.read, KeyScope.write],
        KeyScope.admin: [KeyScope.read, KeyScope.write, KeyScope.admin],
    }


def test_authenticate_and_manage_keys(migrated_db: Database) -> None:
    good = make_key(migrated_db, "good", KeyScope.write)
    gone = make_key(migrated_db, "gone", KeyScope.admin, revoked=True)
    with Session(migrated_db.engine) as session:
        assert authenticate(session, token=good) == Caller(name="good", scope=KeyScope.write)
        assert authenticate(session, token=gone) is None
        assert authenticate(session, token="sf_" + secrets.token_urlsafe(32)) is None
        assert authenticate(session, token=good[:-1]) is None
        assert authenticate(session, token="") is None
        assert authenticate(session, token=good + "x" * 500) is None
        listed = list_keys(session)
    assert [(k.name, k.scope, k.revoked_at is None) for k in listed] == [
        ("gone", KeyScope.admin, False),
        ("good", KeyScope.write, True),
    ]
    assert not any("hash" in field for field in vars(listed[0]))
    with write_session(migrated_db.engine) as session:
        first = session.execute(text("SELECT revoked_at FROM api_key WHERE name = 'gone'"))
        when = first.scalar_one()
        assert revoke_key(session, name="gone")  # again: still revoked, at the first time
        assert not revoke_key(session, name="nobody")
    with Session(migrated_db.engine) as session:
        again = session.execute(text("SELECT revoked_at FROM api_key WHERE name = 'gone'"))
        assert again.scalar_one() == when
    with pytest.raises(DuplicateKeyNameError), write_session(migrated_db.engine) as session:
        create_key(session, name="good", scope=KeyScope.read)
    with pytest.raises(InvalidKeyNameError), write_session(migrated_db.engine) as session:
        create_key(session, name="", scope=KeyScope.read)
    assert [name for name, _, _ in _stored(migrated_db)] == ["gone", "good"]
