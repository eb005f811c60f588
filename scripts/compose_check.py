"""Check a Compose file: the Compose Specification's JSON schema, then what the schema can't see.

    python scripts/compose_check.py [compose.yaml ...]        (make compose-check)

The schema is the official one (github.com/compose-spec/compose-spec, schema/compose-spec.json,
Apache-2.0) as the check-jsonschema package ships it (a pinned dev dependency), so it is read
offline and moves only when the lock moves. On top of the schema: every service a `depends_on`
names exists, every named volume a service mounts is declared, every bind-mounted file or folder
is in the repository, and `deploy.replicas` is a number (the schema lets any string through,
for `${VAR}` interpolation). Exits 1 naming each problem.
"""

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema.validators import validator_for


def compose_schema() -> dict[str, Any]:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(vendor.joinpath("compose-spec.json").read_text("utf-8"))
    return schema


def _volumes(service: dict[str, Any]) -> list[dict[str, Any]]:
    """A service's mounts in the long form ({type, source, target}), short ones parsed."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append(volume)
            continue
        source, _, _ = volume.partition(":")
        if ":" not in volume:  # an anonymous volume: a target alone
            continue
        is_path = source.startswith((".", "/", "~"))
        mounts.append({"type": "bind" if is_path else "volume", "source": source})
    return mounts


def problems(path: Path) -> list[str]:
    document = yaml.safe_load(path.read_text("utf-8"))
    schema = compose_schema()
    validator = validator_for(schema)(schema)
    found = [
        f"{path}: {'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if found:
        return found
    services: dict[str, Any] = document.get("services") or {}
    declared = set(document.get("volumes") or {})
    for name, service in services.items():
        depends_on = service.get("depends_on") or []
        for other in depends_on:
            if other not in services:
                found.append(f"{path}: services/{name}/depends_on: no service named {other!r}")
        for mount in _volumes(service):
            source = mount.get("source")
            if mount["type"] == "volume" and source and source not in declared:
                found.append(f"{path}: services/{name}/volumes: {source!r} is not declared")
            if mount["type"] == "bind" and source and not (path.parent / source).exists():
                found.append(f"{path}: services/{name}/volumes: {source} does not exist")
        replicas = (service.get("deploy") or {}).get("replicas")
        if isinstance(replicas, str) and "$" not in replicas:
            found.append(f"{path}: services/{name}/deploy/replicas: {replicas!r} is not a number")
    return found


def main(paths: list[str]) -> int:
    failed = False
    for name in paths or ["compose.yaml"]:
        path = Path(name)
        found = problems(path)
        for problem in found:
            print(problem, file=sys.stderr)
        if found:
            failed = True
        else:
            print(f"{path}: valid (Compose Specification schema, references, mounts)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
