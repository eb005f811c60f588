"""Reading the seed: YAML files validated by pydantic, every quote located, rows planned.

Nothing here touches the database. `read_seed` returns the complete set of rows the database
should hold, or raises SeedError listing every problem (file, entry, claim, quote, what is wrong).
"""

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import SQLModel

from app.models.claims import known_claims, uncovered_fields
from app.models.common import Slug, Text
from app.models.support import ClaimSpec, SubjectType
from app.resources.registry import SEED_FILES
from app.resources.sources.models import MAX_SOURCE_LENGTH
from app.services.quotes import QuoteAmbiguousError, QuoteNotFoundError, locate
from app.services.truth import ARTICLE, Quote, Support, truth_problems

DEFAULT_ATTRIBUTION = ARTICLE


class SeedError(Exception):
    """The seed cannot be loaded; `problems` says every reason, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("seed refused:\n" + "\n".join(f"  - {p}" for p in problems))


class SourceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    file: str
    sha256: str
    title: Text
    language: str
    media_type: str
    publisher: Text | None = None
    author: Text | None = None
    url: Text | None = None
    published_edtf: str | None = None
    retrieved_on: str | None = None
    description: Text | None = None


FILE_KEYS = {"source", "attribution"}


@dataclass
class SourceText:
    entry: SourceEntry
    text: str


@dataclass
class Entry:
    """One validated seed entry (or a nested objective/participant), ready to become a row."""

    file: str
    label: str
    subject_type: SubjectType
    subject_id: str
    values: dict[str, Any]
    citations: dict[str, ClaimSpec]
    default_source: str | None
    default_attribution: str | None


@dataclass
class Seed:
    digest: str
    sources: dict[str, SourceText]
    entries: list[Entry] = field(default_factory=list)


def _load_yaml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: cannot be read: {exc}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name}: expected a mapping at the top level")
        return {}
    return data


def _format_validation(where: str, exc: ValidationError) -> Iterator[str]:
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        yield f"{where}: {loc}: {err['msg']}"


def expand_shorthand(raw: Any) -> Any:
    """Seed files may write a claim as a bare list of quotes (a stated claim) and a quote as a
    bare string; the API takes only the full form its schema documents. Full form out."""
    if isinstance(raw, list):
        return [expand_shorthand(item) for item in raw]
    if not isinstance(raw, dict):
        return raw
    out = {key: expand_shorthand(value) for key, value in raw.items() if key != "citations"}
    citations = raw.get("citations")
    if isinstance(citations, dict):
        claims = {}
        for claim, spec in citations.items():
            spec = {"quotes": spec} if isinstance(spec, list) else spec
            if isinstance(spec, dict) and isinstance(spec.get("quotes"), list):
                quotes = [{"quote": q} if isinstance(q, str) else q for q in spec["quotes"]]
                spec = {**spec, "quotes": quotes}
            claims[claim] = spec
        out["citations"] = claims
    elif "citations" in raw:
        out["citations"] = citations
    return out


def _validate(model: type[SQLModel], raw: Any, where: str, problems: list[str]) -> SQLModel | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    unknown = sorted(set(raw) - set(model.model_fields))
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        return None
    try:
        return model.model_validate(expand_shorthand(raw))
    except ValidationError as exc:
        problems.extend(_format_validation(where, exc))
        return None


def _read_sources(seed_dir: Path, problems: list[str]) -> dict[str, SourceText]:
    sources: dict[str, SourceText] = {}
    data = _load_yaml(seed_dir / "sources.yaml", problems)
    for i, raw in enumerate(data.get("sources") or []):
        where = f"sources.yaml: sources[{raw.get('id', i) if isinstance(raw, dict) else i}]"
        try:
            entry = SourceEntry.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_format_validation(where, exc))
            continue
        try:
            blob = (seed_dir / entry.file).read_bytes()
        except OSError as exc:
            problems.append(f"{where}: file {entry.file!r} cannot be read: {exc.strerror}")
            continue
        actual = hashlib.sha256(blob).hexdigest()
        if actual != entry.sha256:
            problems.append(
                f"{where}: file {entry.file!r} has SHA-256 {actual}, "
                f"not the declared {entry.sha256}"
            )
            continue
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{where}: file {entry.file!r} is not valid UTF-8")
            continue
        if len(text) > MAX_SOURCE_LENGTH or "\x00" in text:
            problems.append(
                f"{where}: file {entry.file!r} must be under {MAX_SOURCE_LENGTH} code points "
                "and hold no NUL characters"
            )
            continue
        sources[entry.id] = SourceText(entry=entry, text=text)
    return sources


def entries_of(
    file: str, key: str, model: SQLModel, subject_type: SubjectType, defaults: dict[str, Any]
) -> Iterator[Entry]:
    values = model.model_dump(exclude={"citations", "objectives", "participants"})
    subject_id = str(values.pop("id", None) or values.get("code"))
    label = f"{file}: {key}[{subject_id}]"
    citations: dict[str, ClaimSpec] = getattr(model, "citations")  # noqa: B009
    yield Entry(file, label, subject_type, subject_id, values, citations, **defaults)
    for position, objective in enumerate(getattr(model, "objectives", []), start=1):
        yield Entry(
            file,
            f"{label}.objectives[{objective.id}]",
            SubjectType.program_objective,
            objective.id,
            {"program_id": subject_id, "text": objective.text, "position": position},
            objective.citations,
            **defaults,
        )
    for participant in getattr(model, "participants", []):
        part = participant.model_dump(exclude={"id", "citations"})
        yield Entry(
            file,
            f"{label}.participants[{participant.id}]",
            SubjectType.program_participant,
            participant.id,
            {"program_id": subject_id, **part},
            participant.citations,
            **defaults,
        )


@dataclass(frozen=True)
class EntryProblem:
    """One way an entry breaks a rule: where in the entry (a JSON Pointer) and what."""

    pointer: str
    message: str


def check_entry(entry: Entry, texts: Mapping[str, str]) -> list[EntryProblem]:
    """Every quote located and every truth rule applied to one entry; `texts` by source id."""
    problems: list[EntryProblem] = []
    allowed = known_claims(entry.subject_type)
    for claim in sorted(set(entry.citations) - allowed):
        problems.append(
            EntryProblem(
                f"/citations/{claim}",
                f"unknown claim {claim!r} (known: {', '.join(sorted(allowed))})",
            )
        )
    missing = uncovered_fields(entry.subject_type, entry.values, set(entry.citations))
    if missing:
        problems.append(
            EntryProblem("/citations", f"no citation for filled claim(s) {', '.join(missing)}")
        )
    supports: dict[str, Support] = {}
    located_all = True
    for claim, spec in entry.citations.items():
        quotes: list[Quote] = []
        for i, quote in enumerate(spec.quotes):
            source_id = quote.source or entry.default_source
            pointer = f"/citations/{claim}/quotes/{i}"
            where = f"claim {claim!r}: quote {quote.quote!r}"
            if source_id is None or source_id not in texts:
                problems.append(
                    EntryProblem(f"{pointer}/source", f"{where}: unknown source {source_id!r}")
                )
                located_all = False
                continue
            attribution = quote.attribution or entry.default_attribution
            if attribution is None:
                problems.append(
                    EntryProblem(f"{pointer}/attribution", f"{where}: say whose words these are")
                )
                located_all = False
                continue
            try:
                anchor = locate(texts[source_id], quote.quote, quote.occurrence, start=quote.start)
            except QuoteNotFoundError as exc:
                message = (
                    f"{where}: quote not found in source {source_id!r}"
                    if str(exc) == "not found"
                    else f"{where} in source {source_id!r}: {exc}"
                )
                field = "start" if quote.start is not None else "quote"
                problems.append(EntryProblem(f"{pointer}/{field}", message))
                located_all = False
                continue
            except QuoteAmbiguousError as exc:
                problems.append(
                    EntryProblem(f"{pointer}/quote", f"{where} in source {source_id!r}: {exc}")
                )
                located_all = False
                continue
            quotes.append(
                Quote(anchor.exact, quote.display, attribution, source_id, anchor.start, anchor.end)
            )
        supports[claim] = Support(
            spec.basis, spec.reasoning, spec.convention, spec.descriptive, tuple(quotes)
        )
    if located_all:
        for problem in truth_problems(
            subject_type=entry.subject_type, values=entry.values, claims=supports, sources=texts
        ):
            problems.append(EntryProblem(_pointer_of(problem), problem))
    return problems


def _pointer_of(problem: str) -> str:
    """Where a truth problem points: the claim or field it names first, else the entry."""
    for prefix, base in (("claim '", "/citations/"), ("field '", "/")):
        if problem.startswith(prefix):
            return base + problem[len(prefix) :].split("'", 1)[0]
    return ""


def _check_quotes(entry: Entry, sources: dict[str, SourceText], problems: list[str]) -> None:
    texts = {source_id: source.text for source_id, source in sources.items()}
    problems.extend(f"{entry.label}: {p.message}" for p in check_entry(entry, texts))


def _digest(seed_dir: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(p for p in seed_dir.iterdir() if p.is_file()):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def read_seed(seed_dir: Path) -> Seed:
    """Validate every seed file and locate every quote, or raise SeedError listing each problem."""
    problems: list[str] = []
    if not seed_dir.is_dir():
        raise SeedError([f"{seed_dir}: not a directory"])
    seed = Seed(digest=_digest(seed_dir), sources=_read_sources(seed_dir, problems))
    files: dict[str, dict[str, Any]] = {}
    for file, key, model, subject_type in (astuple(f) for f in SEED_FILES):
        if file not in files:
            files[file] = _load_yaml(seed_dir / file, problems)
            unknown = set(files[file]) - FILE_KEYS - {f.key for f in SEED_FILES if f.file == file}
            if unknown:
                problems.append(f"{file}: unknown top-level key(s) {', '.join(sorted(unknown))}")
        data = files[file]
        defaults = {
            "default_source": data.get("source"),
            "default_attribution": data.get("attribution", DEFAULT_ATTRIBUTION),
        }
        for i, raw in enumerate(data.get(key) or []):
            ident = raw.get("id", raw.get("code", i)) if isinstance(raw, dict) else i
            validated = _validate(model, raw, f"{file}: {key}[{ident}]", problems)
            if validated is not None:
                seed.entries.extend(entries_of(file, key, validated, subject_type, defaults))
    for entry in seed.entries:
        _check_quotes(entry, seed.sources, problems)
    if problems:
        raise SeedError(problems)
    return seed
