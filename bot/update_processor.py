"""Updates concurrently across chats, in order within each chat.

python-telegram-bot handles one update at a time by default, so one slow command (a busy
database, a chart) stalls every shop. Its ``SimpleUpdateProcessor`` runs updates concurrently
but lets two messages from one chat overtake each other (``入库`` then ``出库`` could book in
the wrong order). This processor takes a per-chat lock first, in arrival order, then a slot
among ``workers``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# The base class's own semaphore is taken before our per-chat lock; an update waiting there
# could be overtaken by a later one from the same chat, so it is made wide enough never to be
# the limit, and the real limit (``workers``) is applied after the chat's turn has come.
_QUEUE_BOUND = 100_000


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most ``workers`` updates at once; those of one chat strictly one after another."""

    def __init__(self, workers: int = 16) -> None:
        super().__init__(_QUEUE_BOUND)
        self.workers = workers
        self._slots = asyncio.BoundedSemaphore(workers)
        # chat id → (lock, number of updates holding or waiting for it)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def chat_key(update: object) -> int | None:
        if isinstance(update, Update) and update.effective_chat is not None:
            return update.effective_chat.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        # No await between the task's start and taking the lock: asyncio.Lock is FIFO, so
        # updates of one chat get their turn in the order the Application received them.
        lock, users = self._chats.get(key) or (asyncio.Lock(), 0)
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]  # forget idle chats so memory stays bounded
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to allocate: the locks are made as chats appear."""

    async def shutdown(self) -> None:
        """Nothing to free: the Application waits for running updates itself."""
