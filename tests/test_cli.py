"""The `spacefacts` command, with SPACEFACTS_DATABASE_URL choosing the database."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from tests.conftest import Database
from tests.helpers import edit


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def _run(db: Database, *args: str) -> Run:
    env = {"SPACEFACTS_DATABASE_URL": db.url, "COLUMNS": "200"}
    result = CliRunner().invoke(cli, list(args), env=env)
    return Run(result.exit_code, result.stdout, result.stderr)


def test_the_installed_command_runs_as_a_process(migrated_db: Database) -> None:
    env = {**os.environ, "SPACEFACTS_DATABASE_URL": migrated_db.url}
    done = subprocess.run(
        [sys.executable, "-m", "app", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "(up to date)" in done.stdout


def test_upgrade_seed_verify_then_corrupt(empty_db: Database) -> None:
    current = _run(empty_db, "db", "current")
    assert current.returncode == 0, current.stderr
    assert "current: (empty)" in current.stdout
    upgraded = _run(empty_db, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = _run(empty_db, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "citation: 122 inserted" in seeded.stdout
    assert "claim_support: 100 inserted" in seeded.stdout
    assert "seed loaded: dataset version 1" in seeded.stdout
    again = _run(empty_db, "seed")
    assert "seed unchanged: dataset version 1" in again.stdout

    verified = _run(empty_db, "verify")
    assert verified.returncode == 0, verified.stderr
    assert "122 citations verified against their sources" in verified.stdout

    with empty_db.engine.begin() as conn:
        conn.execute(
            text('UPDATE citation SET start = start + 1, "end" = "end" + 1 WHERE id = :id'),
            {"id": "agency-nasa-name-1"},
        )
    drifted = _run(empty_db, "verify")
    assert drifted.returncode == 1
    assert "citation agency-nasa-name-1: exact is 'NASA is currently working" in drifted.stderr
    assert "citation agency-nasa-name-1: prefix is" in drifted.stderr
    assert "citation agency-nasa-name-1: suffix is" in drifted.stderr
    assert "3 drift(s) in 122 citations" in drifted.stderr


def test_seed_refusal_exits_nonzero_with_reasons(migrated_db: Database, seed_copy: Path) -> None:
    edit(
        seed_copy / "countries.yaml",
        "- in order to work with China",
        "- in order to work with Chine",
    )
    refused = _run(migrated_db, "seed", str(seed_copy))
    assert refused.returncode == 1
    assert "seed refused (1 problem(s)); database unchanged:" in refused.stderr
    assert (
        "countries.yaml: countries[CN]: claim 'name': quote 'in order to work with Chine to build "
        "a lunar outpost': quote not found in source 'russia-china-moon-article'" in refused.stderr
    )


def test_downgrade_to_base(migrated_db: Database) -> None:
    down = _run(migrated_db, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert "database at revision None" in down.stdout


def test_rebuild_restores_what_was_lost_and_says_so(seeded_db: Database) -> None:
    clean = _run(seeded_db, "rebuild")
    assert clean.returncode == 0, clean.stdout
    assert "158 documents rebuilt: all as stored" in clean.stdout
    with seeded_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM document_dependency WHERE doc_type = 'country'"))
        conn.execute(text("UPDATE entity_document SET body = '{}' WHERE id = 'ilrs'"))
    fixed = _run(seeded_db, "rebuild")
    assert fixed.returncode == 0, fixed.stdout
    assert "row(s) rewritten: dataset version 2" in fixed.stdout
    assert "all as stored" in _run(seeded_db, "rebuild").stdout


def test_seed_prints_a_conflict_with_a_curator(seeded_db: Database, seed_copy: Path) -> None:
    with seeded_db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE entity_origin SET origin = 'curator', actor = 'curator:alice' "
                "WHERE entity_type = 'agency' AND entity_id = 'cnsa'"
            )
        )
    edit(
        seed_copy / "agencies.yaml",
        "name: China National Space Administration\n",
        "name: China National Space\n",
    )
    result = _run(seeded_db, "seed", str(seed_copy))
    assert result.returncode == 0, result.stderr
    assert "conflict agency 'cnsa': changed by curator:alice" in " ".join(result.stderr.split())
