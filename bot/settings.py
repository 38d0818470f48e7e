"""Configuration from the environment (and a ``.env`` file when present)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator
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
