"""Configuration from the environment (and a ``.env`` file when present)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_SQLITE_URL


class Settings(BaseSettings):
    """Every setting the bot reads; ``deploy/.env.example`` documents each one.

    Attributes:
        telegram_bot_token: from @BotFather; without it ``jxc`` runs the console demo.
        telegram_api_base_url: a self-hosted Bot API server (the tests' fake one), optional.
        database_url: SQLAlchemy URL; SQLite file under ./data/ by default,
            ``postgresql+psycopg://user:pass@host/db`` for PostgreSQL.
        jxc_owner_ids: comma-separated Telegram user ids made owners (老板) of the first
            workspace at start-up; everyone else joins by invitation or creates a workspace.
        jxc_timezone: the shop's time zone, for dates, periods and numbering.
        jxc_rate_limit: commands per user per window, as ``count/seconds``.
        jxc_max_upload_mb: the largest file the bot accepts.
        jxc_webhook_url: run in webhook mode, Telegram posting to this https URL (empty: polling).
        jxc_webhook_listen: where the webhook server listens, ``host:port``.
        jxc_webhook_secret: the secret-token header Telegram must send (default: derived from
            the bot token, the same for every replica).
        jxc_health_listen: ``host:port`` of the ``/healthz`` endpoint, e.g. ``127.0.0.1:8081``
            (empty: none; the Docker image sets it).
        jxc_backup_dir: where the daily automatic backups go.
        jxc_backup_keep: how many daily backups to keep (0: no automatic backup).
        jxc_backup_time: local time of the daily backup, ``HH:MM``.
        jxc_alert_interval: seconds between alert ticks (evaluate the rules, send the outbox).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_SQLITE_URL
    jxc_owner_ids: str = ""
    jxc_timezone: str = "Asia/Shanghai"
    jxc_rate_limit: str = "30/60"
    jxc_max_upload_mb: int = 5
    # ---- scale and operations ----
    jxc_webhook_url: str = ""
    jxc_webhook_listen: str = "0.0.0.0:8443"
    jxc_webhook_secret: SecretStr | None = None
    jxc_health_listen: str = ""
    jxc_backup_dir: str = "data/backups"
    jxc_backup_keep: int = Field(default=7, ge=0)
    jxc_backup_time: str = "03:30"

    @field_validator("telegram_bot_token", "telegram_api_base_url", "jxc_webhook_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # ``TELEGRAM_BOT_TOKEN=`` as copied from .env.example means "not set", not an empty token.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("jxc_backup_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hour, _, minute = value.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"JXC_BACKUP_TIME must look like 03:30, got {value!r}")
        return value

    @property
    def backup_time(self) -> time:
        hour, _, minute = self.jxc_backup_time.partition(":")
        return time(int(hour), int(minute), tzinfo=self.tz)
    jxc_alert_interval: float = 60.0

    @field_validator("jxc_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        count, _, seconds = value.partition("/")
        if not (count.strip().isdigit() and seconds.strip().isdigit() and int(count) > 0 and int(seconds) > 0):
            raise ValueError(f"JXC_RATE_LIMIT must look like 30/60 (commands/seconds), got {value!r}")
        return value

    @property
    def rate_limit(self) -> tuple[int, int]:
        count, _, seconds = self.jxc_rate_limit.partition("/")
        return int(count), int(seconds)

    @field_validator("jxc_alert_interval")
    @classmethod
    def _positive_interval(cls, value: float) -> float:
        if not 0 < value <= 86400:
            raise ValueError(f"JXC_ALERT_INTERVAL must be seconds between 0 and 86400, got {value!r}")
        return value

    @field_validator("jxc_owner_ids")
    @classmethod
    def _ids_are_numbers(cls, value: str) -> str:
        for part in value.replace(" ", "").split(","):
            if part and not part.lstrip("-").isdigit():
                raise ValueError(f"JXC_OWNER_IDS must be comma-separated numbers, got {part!r}")
        return value

    @field_validator("jxc_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def owner_ids(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.jxc_owner_ids.replace(" ", "").split(",") if part)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.jxc_timezone)
