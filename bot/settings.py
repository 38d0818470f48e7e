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
        jxc_owner_ids: comma-separated Telegram user ids allowed to use the bot.
        jxc_timezone: the shop's time zone, for dates, periods and numbering.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_SQLITE_URL
    jxc_owner_ids: str = ""
    jxc_timezone: str = "Asia/Shanghai"

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
