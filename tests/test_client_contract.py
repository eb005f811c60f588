"""A newcomer's clients, generated from the served OpenAPI document, work without a cast.

For each engine: serve the app over the seed on a free port, download /openapi.json, generate a
Python client with openapi-python-client and TypeScript types with openapi-typescript (both
pinned: pyproject.toml's dev extra, package-lock.json), then run tests/client_contract/
client_program.py against the server and compile tests/client_contract/client_program.ts with
`tsc --strict`. Both list, filter by two enum values, follow cursors, and read a typed problem
from a 404 and a 400. Nothing is installed: the generated package is put on PYTHONPATH and the
TypeScript is compiled in a temporary folder linked to the repository's node_modules.

The gate test serves a doctored document, one 404 stripped of its problem schema, and requires
both programs to fail at exactly that step. Without npm the TypeScript half is skipped with one
line, except with CI=true, where it fails (`make test` installs the npm tools first).
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.conftest import Database
from tests.processes import serve_process

PROGRAMS = PROJECT_ROOT / "tests" / "client_contract"
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
STEP_404 = "read a missing program: a typed 404 problem"


@dataclass
class Outcome:
    ok: bool
    output: str
    steps: list[str]  # for Python, the steps started; for TypeScript, the steps with an error


@pytest.fixture
def server(seeded_db: Database, tmp_path: Path) -> Iterator[str]:
    """The real app under uvicorn over this test's seeded database; yields its base URL."""
    with serve_process(seeded_db.url, tmp_path / "server.log") as base:
        yield base


def _document(base: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _run(args: list[Any], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False, **kwargs
    )


def _python_client(document: dict[str, Any], base: str, work: Path) -> Outcome:
    """Generate the client from document, then run client_program.py with it against base."""
    work.mkdir()
    spec = work / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    config = work / "generator.yaml"
    # A fixed package name; no post hooks (they would run ruff on code we only import).
    config.write_text(
        "project_name_override: spacefacts-client\n"
        "package_name_override: spacefacts_client\n"
        "post_hooks: []\n",
        encoding="utf-8",
    )
    target = work / "spacefacts_client"
    command = [GENERATOR, "generate", "--path", spec, "--config", config, "--meta", "none"]
    generated = _run([*command, "--output-path", target], cwd=work)
    said = generated.stdout + generated.stderr
    # The generator exits 0 when it leaves parts out; a newcomer's client would miss them.
    if generated.returncode != 0 or "warning" in said.lower():
        return Outcome(False, f"openapi-python-client generate:\n{said}", [])
    program = _run(
        [sys.executable, PROGRAMS / "client_program.py", base],
        env={**os.environ, "PYTHONPATH": str(work)},
        cwd=work,
    )
    output = program.stdout + program.stderr
    steps = re.findall(r"^step: (.+)$", program.stdout, re.MULTILINE)
    return Outcome(program.returncode == 0, f"client_program.py:\n{output}", steps)


def _typescript(document: dict[str, Any], work: Path) -> Outcome:
    """Generate types from document, then compile client_program.ts with tsc --strict."""
    tools = [NODE_BIN / "openapi-typescript", NODE_BIN / "tsc"]
    if not all(tool.exists() for tool in tools):
        message = "npm tools missing (bash scripts/npm-tools installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; required with CI=true")
        pytest.skip(f"TypeScript client check skipped: {message}")
    work.mkdir()
    spec = work / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    generated = _run([tools[0], spec, "--output", work / "spacefacts-api.ts"], cwd=work)
    if generated.returncode != 0:
        return Outcome(False, f"openapi-typescript:\n{generated.stdout}{generated.stderr}", [])
    for name in ("client_program.ts", "tsconfig.json"):
        shutil.copyfile(PROGRAMS / name, work / name)
    (work / "node_modules").symlink_to(PROJECT_ROOT / "node_modules", target_is_directory=True)
    compiled = _run([tools[1], "--strict", "--noEmit", "-p", work / "tsconfig.json"], cwd=work)
    output = compiled.stdout + compiled.stderr
    return Outcome(compiled.returncode == 0, f"tsc --strict:\n{output}", _ts_error_steps(output))


def _ts_error_steps(output: str) -> list[str]:
    """The `// step:` sections of client_program.ts holding the lines tsc reported."""
    source = (PROGRAMS / "client_program.ts").read_text(encoding="utf-8").splitlines()
    section = ["(before the steps)"]
    for line in source:
        match = re.match(r"\s*// step: (.+)$", line)
        section.append(match.group(1) if match else section[-1])
    lines = {int(n) for n in re.findall(r"client_program\.ts\((\d+),\d+\)", output)}
    return sorted({section[n] for n in lines})


def test_generated_clients_list_filter_page_and_read_problems(
    server: str, tmp_path: Path, engine_kind: str
) -> None:
    document = _document(server)
    python = _python_client(document, server, tmp_path / "python")
    typescript = _typescript(document, tmp_path / "typescript")
    failed = [o.output for o in (python, typescript) if not o.ok]
    if failed:
        pytest.fail(f"[{engine_kind}] the generated clients fail:\n\n" + "\n\n".join(failed))


def _without_problem_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the problem schema removed from GET /v1/programs/{program_id}'s 404."""
    doctored = copy.deepcopy(document)
    response = doctored["paths"]["/v1/programs/{program_id}"]["get"]["responses"]["404"]
    response["content"] = {media: {} for media in response.get("content", {})}
    return doctored


# The document does not depend on the engine: one is enough.
@pytest.mark.parametrize("engine_kind", ["sqlite"])
def test_gate_fails_when_a_404_loses_its_problem_schema(server: str, tmp_path: Path) -> None:
    doctored = _without_problem_schema(_document(server))
    python = _python_client(doctored, server, tmp_path / "python")
    assert not python.ok, "the Python program passed without the 404's problem schema"
    assert python.steps[-1:] == [STEP_404], (
        f"the Python program must pass every step before the 404 and fail there; "
        f"it failed at {python.steps[-1:] or 'generation'}:\n{python.output}"
    )
    typescript = _typescript(doctored, tmp_path / "typescript")
    assert not typescript.ok, "client_program.ts compiled without the 404's problem schema"
    assert typescript.steps == [STEP_404], (
        f"tsc must fail in the 404 step alone, not in {typescript.steps}:\n{typescript.output}"
    )
