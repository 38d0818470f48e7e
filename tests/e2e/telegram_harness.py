"""The bot as Telegram users meet it: the real python-telegram-bot Application, polling the
fake Bot API on 127.0.0.1, on a real database. Shared by the end-to-end Telegram tests."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from bot.app import Runtime, build_runtime
from bot.settings import Settings
from bot.telegram_app import build_application
from domain.services import check_books
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import workspace_ids
from tests.fakebotapi import FakeBotApi

OWNER = 1001
STRANGER = 2002
# Says 帮助 in its own private chat: once that is answered, every earlier update has been fetched;
# chats run concurrently, so settle() then waits for the Application's queue to drain.
# Never a member of anything.
MARKER = 7_777_777


class Bot:
    """A running bot and the fake Telegram around it; can be stopped and started again on
    the same database (a restart of the process)."""

    def __init__(self, api: FakeBotApi, database_url: str, **overrides: Any) -> None:
        self.api = api
        self.database_url = database_url
        self.overrides = overrides
        self.runtime: Runtime | None = None
        self.application: Any = None

    @property
    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": self.api.token,
            "telegram_api_base_url": self.api.base_url.removesuffix("/bot"),
            "database_url": self.database_url,
            "jxc_owner_ids": f"{OWNER}",
            **self.overrides,
        }
        return Settings(**values, _env_file=None)

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        assert self.runtime is not None
        return self.runtime.engine

    async def start(self) -> None:
        """Build a fresh runtime and Application (as a new process would) and start polling."""
        settings = self.settings
        self.runtime = build_runtime(settings)
        self.application = build_application(settings, self.runtime.dispatcher)
        await self.application.initialize()
        await self.application.post_init(self.application)  # run_polling does this in production
        await self.application.start()
        await self.application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        application, self.application = self.application, None
        if application is None:
            return
        await application.updater.stop()
        await application.stop()
        await application.shutdown()

    async def restart(self) -> None:
        await self.stop()
        assert self.runtime is not None
        self.runtime.engine.dispose()
        await self.start()

    # ---- talking to it ---------------------------------------------------------------

    async def say(self, text: str, *, user_id: int = OWNER, **kwargs: Any) -> dict:
        """Send a message and wait for the bot's next reply in that chat."""
        chat_id = kwargs.get("chat_id", user_id)
        before = len(self.api.sent_messages(chat_id))
        self.api.send_text(text, user_id=user_id, **kwargs)
        messages = await self.api.await_messages(before + 1, chat_id=chat_id)
        return messages[before]

    async def settle(self) -> None:
        """Return once every update sent so far has been handled completely."""
        await self.say("帮助", user_id=MARKER)
        await asyncio.wait_for(self.application.update_queue.join(), timeout=30)

    async def say_nothing_back(self, text: str, *, user_id: int = OWNER, **kwargs: Any) -> None:
        """Send a message and prove the bot handled it without answering."""
        chat_id = kwargs.get("chat_id", user_id)
        before = len(self.api.sent_messages(chat_id))
        self.api.send_text(text, user_id=user_id, **kwargs)
        await self.settle()
        assert [m["text"] for m in self.api.sent_messages(chat_id)[before:]] == []

    async def press(self, message: dict, data: str, *, user_id: int = OWNER, **kwargs: Any) -> dict:
        """Press an inline button under a bot message; return that message once handled."""
        self.api.press_button(message, data, user_id=user_id, **kwargs)
        await self.settle()
        return self.message(message)

    def message(self, message: dict) -> dict:
        """A bot message in its current state (edits applied)."""
        chat_id = message["chat"]["id"]
        (current,) = [m for m in self.api.sent_messages(chat_id) if m["message_id"] == message["message_id"]]
        return current

    # ---- the database ------------------------------------------------------------------

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def workspace_ids(self) -> list[int]:
        return workspace_ids(self.engine)

    def assert_books_balance(self) -> None:
        for workspace in self.workspace_ids():
            report = check_books(SqlUnitOfWork(self.engine, workspace))
            assert report.ok, (workspace, report.mismatches)

