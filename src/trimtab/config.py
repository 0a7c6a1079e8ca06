"""Settings from the environment (and a ``.env`` file), with the names the design documents."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob trimtab reads. Unprefixed names are Alpaca's own conventions."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default=f"sqlite:///{Path('var') / 'trimtab.db'}", alias="TRIMTAB_DATABASE_URL"
    )
    broker: Literal["paper", "alpaca"] = Field(default="paper", alias="TRIMTAB_BROKER")
    alpaca_key_id: str | None = Field(default=None, alias="ALPACA_KEY_ID")
    alpaca_secret_key: SecretStr | None = Field(default=None, alias="ALPACA_SECRET_KEY")
    alpaca_paper: bool = Field(default=True, alias="ALPACA_PAPER")
    alpaca_base_url: str | None = Field(default=None, alias="ALPACA_BASE_URL")
    alpaca_data_url: str | None = Field(default=None, alias="ALPACA_DATA_URL")
    secret_key: SecretStr | None = Field(default=None, alias="TRIMTAB_SECRET_KEY")
    smtp_url: str | None = Field(default=None, alias="TRIMTAB_SMTP_URL")
    #: JSON log lines on stderr at this level and above (default: info for serve, warning
    #: for other commands).
    log_level: str | None = Field(default=None, alias="TRIMTAB_LOG_LEVEL")
    user: str | None = Field(default=None, alias="TRIMTAB_USER")
    # The HTTP edge (docs/security.md).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, alias="TRIMTAB_MAX_BODY_BYTES")
    trusted_proxies: str = Field(default="", alias="TRIMTAB_TRUSTED_PROXIES")
    metrics_token: SecretStr | None = Field(default=None, alias="TRIMTAB_METRICS_TOKEN")
    hsts: Literal["auto", "on", "off"] = Field(default="auto", alias="TRIMTAB_HSTS")
    #: Routes that run at once, each in a worker thread (``docs/monitoring.md``). Python
    #: runs one thread at a time: 40 threads (anyio's default) share the interpreter in
    #: slices and every request comes out slow; 8 take them nearly in turn.
    threads: int = Field(default=8, ge=1, le=1000, alias="TRIMTAB_THREADS")
    #: True when ``trimtab worker`` processes run (PostgreSQL): live runs and scheduled
    #: checks then go through the procrastinate queue instead of the API's own threads.
    workers: bool = Field(default=False, alias="TRIMTAB_WORKERS")
    #: Seconds between schedule sweeps (``trimtab serve`` in-process, and the worker).
    sweep_seconds: float = Field(default=30.0, gt=0, le=3600, alias="TRIMTAB_SWEEP_SECONDS")


@lru_cache
def get_settings() -> Settings:
    return Settings()
