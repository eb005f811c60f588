from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting can be overridden by an environment variable with the SPACEFACTS_ prefix."""

    model_config = SettingsConfigDict(env_prefix="SPACEFACTS_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'spacefacts.db'}"
    seed_dir: Path = PROJECT_ROOT / "seed"
    host: str = "127.0.0.1"
    port: int = 8000
    echo_sql: bool = False
    public_url: str | None = None
    version_ttl: float = 1.0
    rate_limit_enabled: bool = True
    rate_limit: int = 1200
    rate_limit_window: int = 60
    # Per key, per rate_limit_window: writes each rebuild documents, so they cost far more.
    write_rate_limit: int = 60
    # Failed bearer authentications per client per rate_limit_window before that client's
    # authenticated requests are refused for the rest of the window (slows key guessing).
    auth_failure_limit: int = 10
    response_cache_entries: int = 4096
    # The live stream (/v1/stream): a comment every `stream_heartbeat` seconds keeps idle
    # connections open through proxies; a client that takes longer than `stream_send_timeout`
    # to accept an event is dropped, so no process buffers for it without limit.
    stream_heartbeat: float = 15.0
    stream_poll: float = 0.5
    stream_send_timeout: float = 10.0
    stream_max_clients: int = 200
    access_log: bool = True


settings = Settings()
