"""Fixtures for the end-to-end Telegram tests: a running bot on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.telegram_harness import Bot
from tests.fakebotapi import FakeBotApi


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    """Settings overrides for the bot; parametrise to change them, e.g.
    ``@pytest.mark.parametrize("bot_settings", [{"jxc_rate_limit": "3/60"}])``."""
    return {}


@pytest.fixture
async def bot(database_url: str, bot_settings: dict[str, Any]) -> AsyncIterator[Bot]:
    with FakeBotApi() as api:
        running = Bot(api, database_url, **bot_settings)
        await running.start()
        try:
            yield running
        finally:
            await running.stop()
            # Whatever a scenario did, every workspace's balances equal the sum of its movements.
            running.assert_books_balance()
            running.engine.dispose()
