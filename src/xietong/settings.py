"""All configuration, read once from `XIETONG_*` environment variables (or a TOML file)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class ConfigurationError(Exception):
    """A setting is wrong; the message is one sentence a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XIETONG_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""  # empty: an SQLite file in data_dir
    redis_url: str | None = None
    # SQLite's durability (ignored on PostgreSQL). `full`: every acknowledged write is on
    # disk before the answer, and survives a power cut; `normal`: it survives the process
    # being killed, but a power cut or kernel crash can lose the last moments' commits.
    sqlite_synchronous: Literal["full", "normal"] = "full"
    # Prefix of every Redis key, so several installs (or test runs) can share one Redis.
    redis_prefix: str = "xietong:"
    secret_key: str | None = Field(default=None, min_length=32)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto we believe (the nginx in front).
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "info"
    # Serving processes on host:port. Each is a node of its own, so more than one needs
    # what several nodes need: PostgreSQL and Redis.
    workers: int = Field(default=1, ge=1, le=64)

    # Events waiting for one WebSocket; a client this far behind is cut off and resumes.
    ws_queue_limit: int = Field(default=2000, ge=10)
    # A socket whose client sends nothing for this long is closed (4408), and its person goes
    # offline unless connected elsewhere. The web client pings every 25 s; a background tab
    # may be held back to one timer a minute, so keep this well above a minute.
    ws_idle_seconds: float = Field(default=120, gt=0, le=3600)
    # Presence across nodes (Redis): a node that has not refreshed its entry for this long
    # (it refreshes every third of it) counts as gone, and its people's watchers are told
    # they went offline.
    presence_ttl_seconds: float = Field(default=30, ge=1, le=600)
    # How long a node remembers who a token belongs to (0: look it up on every request).
    # Revocations reach every node at once over the bus; this bounds it if the bus fails.
    credential_cache_seconds: float = Field(default=30, ge=0, le=3600)
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Uploaded files (`POST /api/v1/files`): the largest file, and the largest image (in
    # pixels) that gets a thumbnail; bigger images are kept, just not decoded.
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(default=60_000_000, ge=1)
    # The most pixels decoded in memory to make one thumbnail (about 4 bytes each). JPEG
    # decodes at 1/2 to 1/8 scale, so far larger photos still get one; PNG, GIF and WebP
    # decode at full size, so larger ones are stored without a thumbnail.
    max_thumbnail_decoded_pixels: int = Field(default=24_000_000, ge=1)
    # Uploads one person may start within the window (refused ones count) before 429.
    upload_rate_limit: int = Field(default=30, ge=1)
    upload_rate_window_seconds: int = Field(default=60, ge=1)
    # The total size of the files one person has uploaded (0: no quota).
    storage_quota_bytes: int = Field(default=10 * 1024**3, ge=0)
    session_ttl_days: int = Field(default=30, ge=1, le=3650)

    # The company's time zone: recurring jobs (and later SLAs and reminders) are computed
    # in it; everything stored stays UTC.
    time_zone: str = "Asia/Shanghai"
    # Durable jobs (`xietong.jobs`): whether this node runs them (every serving node
    # should; the test suite's in-process runtime starts its runner only when a test asks),
    # how often it looks for jobs other nodes enqueued, how long a claimed job stays
    # this node's before another may take it over, and the first retry's delay (doubling).
    run_jobs: bool = True
    job_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    job_lease_seconds: float = Field(default=300, gt=0)
    job_retry_base_seconds: float = Field(default=10, gt=0)
    # Modules with `register_job_handlers(registry)` to load besides the domains' own
    # handlers, comma-separated (extensions; `xietong.jobs.probe` for tests and bench).
    job_handler_modules: str = ""

    # Whether this node follows the event log for the consumers (notifications …): every
    # serving node should (each consumer runs on one node at a time); the test suite's
    # in-process runtime starts them only when a test asks, as with jobs.
    run_consumers: bool = True

    # Whether a starting node loads, in a background thread, what would otherwise make the
    # first request after a restart slow (jieba's dictionary for search: about a second of
    # CPU). The node answers meanwhile; a search arriving first waits for the load.
    warm_up: bool = True

    # Events older than this are pruned from the event log by a daily job (04:00 in
    # `time_zone`); a client resuming from a pruned position is told to resync.
    event_retention_days: int = Field(default=30, ge=1, le=36500)

    # Failed sign-ins within the window: from `slowdown_after` on each answer is delayed,
    # from `lockout_after` on the account (or address) is refused with 429.
    login_window_seconds: int = Field(default=900, ge=1)
    login_slowdown_after: int = Field(default=5, ge=1)
    login_slowdown_seconds: float = Field(default=1.0, ge=0)
    login_lockout_after: int = Field(default=10, ge=1)
    login_ip_lockout_after: int = Field(default=50, ge=1)

    # argon2id cost (RFC 9106's second recommended option): 3 passes over 64 MiB, 4 lanes.
    argon2_time_cost: int = Field(default=3, ge=2)
    argon2_memory_kib: int = Field(default=65536, ge=19456)
    argon2_parallelism: int = Field(default=4, ge=1)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value:
            return value
        for plain, driver in (("postgresql://", "postgresql+asyncpg://"),
                              ("postgres://", "postgresql+asyncpg://"),
                              ("sqlite://", "sqlite+aiosqlite://")):
            if value.startswith(plain):
                return driver + value[len(plain):]
        if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            return value
        raise ValueError("must be an sqlite:/// or postgresql:// URL")

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from error
        return value

    @field_validator("job_handler_modules")
    @classmethod
    def _importable_modules(cls, value: str) -> str:
        for name in _module_names(value):
            try:
                found = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                found = None
            if found is None:
                raise ValueError(f"there is no module {name!r} to import")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// URL")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.data_dir / 'xietong.db').resolve()}"
        if self.login_slowdown_after > self.login_lockout_after:
            raise ValueError("login_slowdown_after must not exceed login_lockout_after")
        if self.workers > 1 and not (self.is_postgres and self.redis_url):
            raise ValueError("XIETONG_WORKERS above 1 needs PostgreSQL and XIETONG_REDIS_URL: "
                             "worker processes share events through Redis, like nodes")
        return self

    @property
    def job_handler_module_names(self) -> tuple[str, ...]:
        return _module_names(self.job_handler_modules)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("XIETONG_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def _module_names(value: str) -> tuple[str, ...]:
    """`a.b, c` -> ("a.b", "c")."""
    return tuple(name for name in (part.strip() for part in value.split(",")) if name)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one sentence per problem."""
    config_file = os.environ.get("XIETONG_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise ConfigurationError(
            f"XIETONG_CONFIG_FILE points to {config_file}, which does not exist.")
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        name = f"XIETONG_{field.upper()}" if first["loc"] else "The configuration"
        given = first.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) else ""
        raise ConfigurationError(f"{name} is not valid: {first['msg']}{shown}.") from None
