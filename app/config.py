from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting can be overridden by an environment variable with the SPACEFACTS_ prefix."""

    model_config = SettingsConfigDict(env_prefix="SPACEFACTS_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'spacefacts.db'}"
    # A replica for reads (app/replica.py says when it is used); writes go to database_url.
    read_database_url: str | None = None
    # The serving engines' pools (per process, per engine). A request that waits longer than
    # db_pool_timeout for a connection fails fast instead of piling up behind a slow database.
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    # PostgreSQL only: test a pooled connection before use, once it has been idle at least
    # db_pool_ping_idle seconds (0: at every checkout; app/db_ping.py says why not always).
    db_pool_pre_ping: bool = True
    db_pool_ping_idle: float = Field(default=1.0, ge=0)
    # Seconds before a pooled connection is replaced (below proxies' and servers' idle cuts).
    db_pool_recycle: int = 1800
    # PostgreSQL only: seconds to wait for a connection, and the longest any statement may
    # run (0: no limit). The CLI's engines take neither: imports and migrations run long.
    db_connect_timeout: int = Field(default=5, ge=0)
    db_statement_timeout_ms: int = Field(default=10_000, ge=0)
    # PostgreSQL's max_parallel_workers_per_gather for the API's connections (None: the
    # server's). Its reads are bounded index ranges; parallel plans chose sorts over them and
    # made a capped count at a million rows 14 ms instead of 0.6 (bench notes, issue 15).
    db_parallel_workers: int | None = Field(default=0, ge=0)
    # PostgreSQL's JIT compilation for the API's connections. A tsquery's row estimate is a
    # guess: a search's gather of no rows was costed past jit_above_cost, and compiling took
    # 5.2 ms of its 5.4 (issue 15 notes). The API's statements are short; none gains from it.
    db_jit: bool = False
    # Seconds a request waits for its reads on a server database before it answers 503: a
    # frozen server enforces no statement timeout of its own.
    db_wait: float = Field(default=12.0, gt=0)
    # SQLite reads run in worker threads at once (search, feeds; the rest run on the loop).
    # More only contend for the GIL with the loop, and slowed a search miss under load.
    db_local_threads: int = Field(default=2, ge=1)
    seed_dir: Path = PROJECT_ROOT / "seed"
    host: str = "127.0.0.1"
    port: int = 8000
    echo_sql: bool = False
    public_url: str | None = None
    version_ttl: float = 1.0
    # Seconds a request waits for the dataset version to be re-read before the last one read
    # is served (the database is then away: stored answers still are, app/middleware).
    version_wait: float = Field(default=2.0, gt=0)
    rate_limit_enabled: bool = True
    rate_limit: int = 1200
    rate_limit_window: int = 60
    # Per key, per rate_limit_window: writes each rebuild documents, so they cost far more.
    write_rate_limit: int = 60
    # Failed bearer authentications per client per rate_limit_window before that client's
    # authenticated requests are refused for the rest of the window (slows key guessing).
    auth_failure_limit: int = 10
    # Connection and request limits of `spacefacts serve` (app/server_limits.py) and of the app
    # (app/middleware/limits.py), per worker process.
    header_timeout: float = Field(default=5.0, gt=0)  # request line and headers
    body_timeout: float = Field(default=30.0, gt=0)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    max_headers: int = Field(default=100, ge=10)
    max_connections: int = Field(default=1000, ge=1)
    max_in_flight: int = Field(default=256, ge=1)  # requests at once, live streams aside
    response_cache_entries: int = 4096
    # A list's `total` is counted up to this many items; beyond, it is this number marked
    # `"total_relation": "gte"` (a count that grows with the data costs every first page).
    total_limit: int = Field(default=1000, ge=1)
    # The response cache's bound in bytes (bodies, headers and keys), beside its entries'.
    response_cache_bytes: int = Field(default=64 * 2**20, ge=0)
    # The live stream (/v1/stream): a comment every `stream_heartbeat` seconds keeps idle
    # connections open through proxies; a client that takes longer than `stream_send_timeout`
    # to accept an event is dropped, so no process buffers for it without limit.
    stream_heartbeat: float = 15.0
    stream_poll: float = 0.5
    stream_send_timeout: float = 10.0
    stream_max_clients: int = 200
    access_log: bool = True
    # Log lines (access log, errors): "json", one object per line; "text", short lines for
    # people; "auto", text when stderr is a terminal and JSON otherwise (app/logs.py).
    log_format: Literal["auto", "json", "text"] = "auto"
    # /readyz answers 503 after this many seconds if the database has not answered by then.
    readiness_timeout: float = 1.0
    # `spacefacts serve`: worker processes; the proxies (comma-separated addresses or networks,
    # or "*") whose X-Forwarded-For/-Proto are believed, none by default: rate limits and logs
    # use the socket's address; and how long SIGTERM waits for in-flight requests before
    # cutting them (live streams are ended at once, with a final event).
    workers: int = 1
    trusted_proxies: str = ""
    shutdown_grace: float = 20.0
    # GET /metrics in Prometheus's format, and the per-request counting behind it.
    metrics_enabled: bool = True
    # FastAPI's native OpenTelemetry spans, metrics and logs, through the providers a deployment
    # configures. Off, no request pays for looking those providers up.
    opentelemetry: bool = False


settings = Settings()
