"""Synthetic rows for `make bench-scale`, added to a migrated and seeded SQLite database.

N signatories, N events (each with its event_entity rows) and N citations, with the parties,
agreements, programs, sources and attributions they point at, a stored document for each
(a seed document of the same type with the id swapped, so each is a realistic size) and a
search_document row for each event and citation. Values are skewed as real data is: a common
value of every filter (Artemis, the US, NASA, status signed, the long article) beside many rare
ones (one synthetic agreement, country, agency, source; status counterparty), so filters are
selective in realistic ways. The rows live only in the throwaway database.

The rows keep the truth rules (app/services/truth.py), so the write path accepts a change to any
of them: every quote is anchored where its source says it (prefix and suffix included), every
quoted subject has the stated `row` claim its quote supports, and the synthetic names (no source
gives them) are descriptive claims. No document_dependency rows are made: a full rebuild
(app.services.rebuild.rebuild_all) makes them, with the real documents.

Loading is raw sqlite3 in one transaction, with the big tables' secondary indexes dropped
first and made again after (a sort per index instead of a random insert per row and index).
"""

import datetime as dt
import hashlib
import itertools
import random
import sqlite3
import string
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app.services.quotes import anchor_at, occurrences
from app.services.search_index import text_terms

BIG_TABLES = ("signatory", "event", "event_entity", "citation", "claim_support")
UNDATED = "9999-12-31"
FIRST_DAY = dt.date(1967, 1, 27).toordinal()
LAST_DAY = dt.date(2030, 12, 31).toordinal()
SUMMARIES = [
    "Announcement of a lunar cooperation agreement between space agencies",
    "Statement on the International Lunar Research Station and its partners",
    "Confirmation that the agency will join the Artemis program",
    "Planned crewed landing near the lunar south pole",
    "Restriction on bilateral cooperation with the foreign space agency enters into force",
]
QUOTES = [
    "The two agencies agreed to work together on a research station on the Moon.",
    "We intend to sign the accords and take part in the program of lunar exploration.",
    "The memorandum covers the design, construction and operation of the station.",
]
SOURCE_TEXT = " ".join(QUOTES * 30)  # every synthetic source says this
ARTICLE = "russia-china-moon-article"  # the seed's source, the common value of `source`
# What the citations of the article quote (words of the article, none in quotation marks), the
# i-th in place of QUOTES[i]: two of three say "research station", as two of QUOTES do.
ARTICLE_QUOTES = [
    "China and Russia have recently respectively confirmed their plants to partner together in "
    "hopes to construct a research station on the moon.",
    "to work with China to build a lunar outpost named the International Lunar Research Station",
    "Brazil has shown that is also plans to sign the accords.",
]
EVENT_KINDS = [
    ("announcement", 40),
    ("statement", 30),
    ("confirmation", 15),
    ("agreement_signed", 10),
    ("planned_milestone", 4),
    ("restriction_in_force", 1),
]

Row = tuple[Any, ...]
DATE_COLUMNS = ("date_edtf", "date_lower", "date_upper", "date_sort", "date_phrase")
QUOTE = ("position", "exact", "prefix", "suffix", "start", "end")
CLAIM = ("subject_type", "subject_id", "claim", "basis", "descriptive")


def _day(rng: random.Random) -> dt.date:
    return dt.date.fromordinal(rng.randint(FIRST_DAY, LAST_DAY))


def _event_date(rng: random.Random) -> tuple[str | None, dt.date | None, dt.date | None]:
    """A day (80%), a year (15%), a decade (4%) or no date the source gives (1%)."""
    draw, day = rng.random(), _day(rng)
    if draw < 0.8:
        return day.isoformat(), day, day
    if draw < 0.95:
        return str(day.year), day.replace(month=1, day=1), day.replace(month=12, day=31)
    if draw < 0.99:
        decade = day.year // 10 * 10
        return f"{decade // 10}X", dt.date(decade, 1, 1), dt.date(decade + 9, 12, 31)
    return None, None, None


def _insert(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Any) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


class Template:
    """A seed document of one type, ready to take another id."""

    def __init__(self, conn: sqlite3.Connection, kind: str) -> None:
        # The median-sized document of the type, so the copies weigh what real ones do.
        found = conn.execute(
            "SELECT id, body FROM entity_document WHERE type = ? ORDER BY length(body), id",
            (kind,),
        ).fetchall()
        ident, body = found[len(found) // 2]
        self.kind = kind
        self.parts = str(body).split(f'"{ident}"')

    def rows(self, ids: Sequence[str]) -> Iterator[Row]:
        for ident in ids:
            yield self.kind, ident, f'"{ident}"'.join(self.parts)


def populate(path: Path, n: int, seed: int = 20261125) -> dict[str, str]:
    """Add n signatories, events and citations; returns filter values of known selectivity."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    conn.execute("BEGIN")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({', '.join('?' for _ in BIG_TABLES)})",
        BIG_TABLES,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')

    seeded = {c for (c,) in conn.execute("SELECT code FROM country")}
    letters = ("".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2))
    countries = [c for c in letters if c not in seeded][:200]
    # "Country Ab", not "Country AB": two capitals read as an acronym no source gives.
    _insert(conn, "country", ["code", "name"], ((c, f"Country {c.title()}") for c in countries))
    agencies = [f"agency-s{i:03d}" for i in range(300)]
    _insert(
        conn,
        "agency",
        ["id", "name", "country_code", "kind"],
        ((a, f"Agency {a}", rng.choice(countries), "space_agency") for a in agencies),
    )
    programs = [f"program-s{i:02d}" for i in range(50)]
    _insert(
        conn,
        "program",
        ["id", "name", "summary"],
        ((p, f"Program {p}", "A synthetic lunar program.") for p in programs),
    )
    agreements = [f"agreement-s{i:05d}" for i in range(max(1, n // 1000))]
    agreement_rows = []
    for a in agreements:
        draw = rng.random()
        program = "artemis" if draw < 0.4 else "ilrs" if draw < 0.8 else rng.choice(programs)
        agreement_rows.append(
            (a, f"Agreement {a}", "memorandum_of_understanding", program, UNDATED)
        )
    _insert(conn, "agreement", ["id", "name", "kind", "program_id", "date_sort"], agreement_rows)
    attributions = [f"attribution-s{i:03d}" for i in range(100)]
    _insert(conn, "attribution", ["id", "label"], ((a, f"Speaker {a}") for a in attributions))
    # No source gives the synthetic names: each is the curators' own, a descriptive claim.
    named = [
        *(("country", c, "name") for c in countries),
        *(("agency", a, "name") for a in agencies),
        *(("program", p, "name") for p in programs),
        *(("agreement", a, "name") for a in agreements),
        *(("attribution", a, "label") for a in attributions),
    ]
    _insert(conn, "claim_support", CLAIM, ((*n, "stated", True) for n in named))
    text = SOURCE_TEXT
    digest = hashlib.sha256(text.encode()).hexdigest()
    sources = [f"source-s{i:05d}" for i in range(max(1, n // 500))]
    _insert(
        conn,
        "source",
        ["id", "title", "language", "media_type", "text", "sha256", "length"],
        ((s, f"Source {s}", "en", "text/plain", text, digest, len(text)) for s in sources),
    )

    def party() -> tuple[str | None, str | None]:
        if rng.random() < 0.5:
            return None, "US" if rng.random() < 0.1 else rng.choice(countries)
        return ("nasa" if rng.random() < 0.1 else rng.choice(agencies)), None

    signatories = [f"sig-s{i:07d}" for i in range(n)]
    rows: list[Row] = []
    for ident in signatories:
        agency, country = party()
        draw = rng.random()
        status = "signed" if draw < 0.8 else "intends_to_sign" if draw < 0.99 else "counterparty"
        agreement = "artemis-accords" if rng.random() < 0.2 else rng.choice(agreements)
        if rng.random() < 0.95:
            day = _day(rng).isoformat()
            rows.append((ident, agreement, agency, country, status, day, day, day, day, None))
        else:
            # A date the source leaves open, and no phrase for it: a date phrase is a name the
            # truth rules want in one of the row's quotes.
            rows.append(
                (ident, agreement, agency, country, status, None, None, None, UNDATED, None)
            )
    _insert(
        conn,
        "signatory",
        [*("id", "agreement_id", "agency_id", "country_code", "status"), *DATE_COLUMNS],
        rows,
    )

    events = [f"event-s{i:07d}" for i in range(n)]
    kinds, weights = zip(*EVENT_KINDS, strict=True)
    summary_terms = [" ".join(text_terms(s)) for s in SUMMARIES]
    rows = []
    entity_rows: list[tuple[str, str, str, str]] = []
    program_of: list[str] = []  # each event's program
    search_rows: list[Row] = []
    for i, ident in enumerate(events):
        edtf, lower, upper = _event_date(rng)
        status = "planned" if lower is not None and lower.year >= 2026 else "occurred"
        template = i % len(SUMMARIES)
        summary = f"{SUMMARIES[template]} (record {i}, zeta{i % 1000:03d})"
        low, high = (d.isoformat() if d else None for d in (lower, upper))
        sort = low or high or UNDATED
        kind = rng.choices(kinds, weights)[0]
        rows.append((ident, kind, status, summary, edtf, low, high, sort))
        draw = rng.random()
        program = "artemis" if draw < 0.4 else "ilrs" if draw < 0.8 else rng.choice(programs)
        entity_rows.append((ident, "program", program, sort))
        program_of.append(program)
        agency, country = party()
        entity_rows.append(
            (ident, "agency", agency, sort) if agency else (ident, "country", country or "", sort)
        )
        terms = f"{summary_terms[template]} record {i} zeta{i % 1000:03d}"
        search_rows.append((f"event:{ident}", "event", ident, summary, "", terms, ""))
    _insert(
        conn,
        "event",
        ["id", "kind", "status", "summary", "date_edtf", "date_lower", "date_upper", "date_sort"],
        rows,
    )
    columns = ["event_id", "entity_type", "entity_id", "date_sort"]
    _insert(conn, "event_entity", columns, entity_rows)

    # Each quote where its source says it, by occurrence: (exact, prefix, suffix, start, end),
    # so every citation is anchored as the write path and `spacefacts verify` check.
    (article,) = conn.execute("SELECT text FROM source WHERE id = ?", (ARTICLE,)).fetchone()
    anchors: dict[tuple[bool, int], list[tuple[str, str, str, int, int]]] = {}
    for of_article, source_text, quotes in ((False, text, QUOTES), (True, article, ARTICLE_QUOTES)):
        for index, said in enumerate(quotes):
            found = [
                anchor_at(source_text, a, a + len(said)) for a in occurrences(source_text, said)
            ]
            if not found:
                raise ValueError(f"the source does not say {said!r}")
            anchors[(of_article, index)] = [
                (f.exact, f.prefix, f.suffix, f.start, f.end) for f in found
            ]
    quote_terms = {
        (of_article, i): " ".join(text_terms(q))
        for of_article, quotes in ((False, QUOTES), (True, ARTICLE_QUOTES))
        for i, q in enumerate(quotes)
    }
    rows = []
    supports: list[Row] = []
    citations = [f"citation-s{i:07d}" for i in range(n)]
    for i, ident in enumerate(citations):
        subject_type, subject = ("signatory", signatories) if i % 2 == 0 else ("event", events)
        subject_id = subject[i // 2]
        source = ARTICLE if rng.random() < 0.3 else rng.choice(sources)
        attribution = "article" if rng.random() < 0.3 else rng.choice(attributions)
        quote = (source == ARTICLE, i % len(QUOTES))
        exact, *anchor = rng.choice(anchors[quote])
        rows.append(
            (ident, source, attribution, subject_type, subject_id, "row", 1, exact, *anchor)
        )
        # The quote proves the whole row: its stated `row` claim (one citation per subject).
        supports.append((subject_type, subject_id, "row", "stated", False))
        label = f"{subject_type} {subject_id}: row"
        search_rows.append(
            (f"citation:{ident}", "citation", ident, label, exact, "", quote_terms[quote])
        )
    _insert(
        conn,
        "citation",
        [*("id", "source_id", "attribution_id", "subject_type", "subject_id", "claim"), *QUOTE],
        rows,
    )
    _insert(conn, "claim_support", CLAIM, supports)
    del rows, supports
    for kind, ids in (("signatory", signatories), ("event", events), ("citation", citations)):
        _insert(conn, "entity_document", ["type", "id", "body"], Template(conn, kind).rows(ids))
    _insert(
        conn,
        "search_document",
        ["id", "entity_type", "entity_id", "title", "body", "title_terms", "body_terms"],
        search_rows,
    )
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    rare_country = countries[0]
    # Citation i quotes signatory i/2 (i even) or event (i-1)/2 (i odd): the rows the write part
    # changes are quoted ones, so that a change reaches their citations too.
    last_signatory, last_event = max(0, (n - 1) // 2), max(0, (n - 2) // 2)

    def quoted_event(program: str) -> str:
        """A quoted event concerning `program` (a synthetic one for ""), the last there is."""
        found = (
            j
            for j in range(last_event, -1, -1)
            if program_of[j] == program or (not program and program_of[j] in programs)
        )
        return events[next(found, last_event)]

    return {
        "common_agreement": "artemis-accords",
        "rare_agreement": agreements[-1],
        "common_program": "artemis",
        "rare_program": programs[0],
        "common_country": "US",
        "rare_country": rare_country,
        "common_agency": "nasa",
        "rare_agency": agencies[0],
        "common_source": ARTICLE,
        "rare_source": sources[-1],
        "common_attribution": "article",
        "rare_attribution": attributions[0],
        "signatory": signatories[n // 2],
        "event": events[n // 2],
        "citation": citations[n // 2],
        "changed_signatory": signatories[last_signatory],
        "changed_event": quoted_event(""),  # concerns one of the 50 synthetic programs
        "changed_event_common": quoted_event("artemis"),  # concerns Artemis, as 40% do
        "rare_word": "zeta042",
        "common_word": "lunar",
        # Common in citations' quotes, rare before them in rank order (titles, other types).
        "citation_word": "moon",
        "citation_word_2": "memorandum",
        "event_word": "record",  # in every event, in no quote
        "absent_word": "zyzzyva",  # in no row: a misspelling, say
    }
