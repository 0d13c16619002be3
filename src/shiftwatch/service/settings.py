"""The service's settings: a TOML file, then ``SHIFTWATCH_*`` environment variables, then flags.

One server watches several models; each has its reference profile, window and alerts::

    [server]
    db_url = "sqlite:///shiftwatch.db"     # or postgresql+psycopg://user@host/db
    write_tokens = ["s3cret"]              # bearer tokens for ingest; none: open
    read_tokens = []                       # for reads; none: reads are open
    admin_tokens = []                      # for admin calls (reload, purge)
    alertmanager_url = "http://alertmanager:9093"  # optional: alerts straight to its API v2
    max_body_bytes = 10_000_000
    raw_retention_rows = 1_000_000         # raw events kept per model (the newest)
    id_retention_rows = 10_000_000         # ids of trimmed events kept, to spot retries
    max_clock_skew_seconds = 300           # event times further ahead are dropped (counted)
    max_queued_requests = 8                # per model; more get 503 with Retry-After,
    max_queued_bytes = 2_000_000           # as do bodies past this many bytes queued
    body_timeout_seconds = 30              # a body not received by then gets 408

    [[models]]
    name = "churn"
    reference = "ref.swp"                  # a profile saved by `shiftwatch profile`
    calibration = "calibration.parquet"    # optional: labelled reference probabilities
    window = 1000                          # or duration = 3600 (seconds)
    ert = 100_000                          # rows between false alarms, on average
    webhook_url = "http://receiver:9000/hook"  # gets Alertmanager's webhook payload

Environment variables override the file's server settings (``SHIFTWATCH_DB_URL``,
``SHIFTWATCH_WRITE_TOKENS='["a","b"]'``, ...); ``shiftwatch serve`` flags override both.

>>> settings = Settings(models=[ModelSettings(name="churn", reference="ref.swp", window=1000)])
>>> settings.server.db_url, settings.models[0].ert
('sqlite:///shiftwatch.db', 100000.0)
"""

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from shiftwatch.errors import InvalidParameterError

DEFAULT_DB_URL = "sqlite:///shiftwatch.db"
MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ServerSettings(BaseSettings):
    """Where the server listens, stores, and whom it lets in."""

    model_config = SettingsConfigDict(env_prefix="SHIFTWATCH_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65_535)
    db_url: str = DEFAULT_DB_URL
    write_tokens: list[str] = Field(default_factory=list)
    read_tokens: list[str] = Field(default_factory=list)
    admin_tokens: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(10_000_000, gt=0)
    raw_retention_rows: int = Field(1_000_000, gt=0)
    id_retention_rows: int = Field(10_000_000, gt=0)
    webhook_retries: int = Field(5, ge=0)
    webhook_backoff_seconds: float = Field(0.5, gt=0)
    alertmanager_url: str | None = None
    api_docs: bool = False
    alertmanager_resend_seconds: float = Field(60.0, gt=0)
    max_clock_skew_seconds: float = Field(300.0, ge=0)
    max_queued_requests: int = Field(8, gt=0)
    max_queued_bytes: int = Field(2_000_000, gt=0)
    body_timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("write_tokens", "read_tokens", "admin_tokens")
    @classmethod
    def _usable_tokens(cls, tokens: list[str]) -> list[str]:
        for token in tokens:
            if not token.strip():
                raise ValueError("a token is empty or blank; it would let anyone in")
            if token != token.strip():
                raise ValueError(
                    "a token starts or ends with white space (a newline from a file?); "
                    "no client would send it"
                )
        return tokens


class ModelSettings(BaseModel):
    """One watched model: its reference and how its windows are checked."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=MODEL_NAME_PATTERN)
    reference: str
    reference_outputs: str | None = None
    window: int | None = Field(None, gt=0)
    duration: float | None = Field(None, gt=0)
    check_every: int | None = Field(None, gt=0)
    ert: float = Field(100_000.0, gt=0)
    expected_error_rate: float | None = Field(None, gt=0, lt=1)
    label_retention: int = Field(100_000, gt=0)
    feature_names: list[str] | None = None
    calibration: str | None = None
    webhook_url: str | None = None

    @model_validator(mode="after")
    def _one_window(self) -> "ModelSettings":
        if (self.window is None) == (self.duration is None):
            raise ValueError("give exactly one of 'window' (rows) and 'duration' (seconds)")
        return self


class Settings(BaseModel):
    """The server's settings and its models."""

    model_config = ConfigDict(extra="forbid")

    server: ServerSettings = Field(default_factory=ServerSettings)
    models: list[ModelSettings] = Field(default_factory=list)

    @field_validator("models")
    @classmethod
    def _unique_names(cls, models: list[ModelSettings]) -> list[ModelSettings]:
        names = [model.name for model in models]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"model names must be unique; repeated: {repeated}")
        return models


def load_settings(
    config: str | Path | None = None,
    *,
    server: dict[str, Any] | None = None,
    models: list[dict[str, Any]] | None = None,
) -> Settings:
    """Settings from a TOML file (optional), the environment, then explicit overrides.

    ``server`` overrides single server settings; ``models``, when given, are added after the
    file's. Errors name the key and what was expected.

    >>> load_settings(server={"port": 9000}, models=[{"name": "m", "reference": "r.swp",
    ...     "window": 100}]).server.port
    9000
    """
    state: dict[str, Any] = {}
    if config is not None:
        path = Path(config)
        try:
            state = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise InvalidParameterError(f"Cannot read the config file {path}: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise InvalidParameterError(f"The config file {path} is not TOML: {error}") from None
    unknown = sorted(set(state) - {"server", "models"})
    if unknown:
        raise InvalidParameterError(
            f"Unknown section(s) {unknown} in the config; expected [server] and [[models]]."
        )
    try:
        # Environment variables override the file; explicit overrides override both.
        file_server = dict(state.get("server", {}))
        environment = ServerSettings().model_dump(exclude_unset=True)
        server_settings = ServerSettings(**{**file_server, **environment, **(server or {})})
    except ValidationError as error:
        raise InvalidParameterError(_describe(error, ("server",))) from None
    except SettingsError as error:  # an environment variable that is not what it must be
        raise InvalidParameterError(
            f"Invalid settings: {error}; a list such as SHIFTWATCH_WRITE_TOKENS is JSON: "
            """'["token-a", "token-b"]'."""
        ) from None
    try:
        return Settings(server=server_settings, models=[*state.get("models", []), *(models or [])])
    except ValidationError as error:
        raise InvalidParameterError(_describe(error)) from None


def _describe(error: ValidationError, prefix: tuple[str, ...] = ()) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in (*prefix, *item["loc"])) or "settings"
        problems.append(f"{where}: {item['msg']}")
    return "Invalid settings: " + "; ".join(problems)
