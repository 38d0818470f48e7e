"""The Telegram adapter over the fake Bot API: a slow command in one chat does not hold up
another chat, and the messages of one chat are still answered (and booked) in order."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.dispatcher import Incoming
from tests.e2e.telegram_harness import OWNER, Bot

pytestmark = pytest.mark.slow

OTHER = 3003


async def test_a_slow_chat_does_not_stall_others_and_keeps_its_own_order(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    dispatcher = bot.runtime.dispatcher
    real_handle = dispatcher.handle
    release = threading.Event()
    held = threading.Event()

    def handle(incoming: Incoming):  # type: ignore[no-untyped-def]
        # The owner's receipt waits (as on a busy database) until the test lets it go.
        if incoming.chat_id == OWNER and incoming.text.startswith("入库"):
            held.set()
            assert release.wait(timeout=30)
        return real_handle(incoming)

    dispatcher.handle = handle  # type: ignore[method-assign]
    try:
        before = len(bot.api.sent_messages(OWNER))
        bot.api.send_text("入库 A001 10 单价 2", user_id=OWNER)
        bot.api.send_text("出库 A001 4", user_id=OWNER)
        bot.api.send_text("库存 A001", user_id=OWNER)
        await asyncio.to_thread(held.wait, 10)
        # Another chat is answered while the owner's receipt is still being booked …
        other = await bot.say("帮助", user_id=OTHER)
        assert other["text"].startswith("📖")
        # … and the owner's later messages have not overtaken it.
        assert bot.api.sent_messages(OWNER)[before:] == []
        assert bot.scalar("SELECT count(*) FROM stock_movement") == 0
        release.set()
        replies = await bot.api.await_messages(before + 3, chat_id=OWNER)
    finally:
        release.set()
        dispatcher.handle = real_handle  # type: ignore[method-assign]
    first, second, third = (m["text"] for m in replies[before:])
    assert first.startswith("✅ 入库 10 罐") and "结存 10 罐" in first
    assert second.startswith("✅ 出库 4 罐") and "结存 6 罐" in second
    assert "6 罐" in third
    assert bot.rows("SELECT kind FROM stock_movement ORDER BY id") == [("receipt",), ("issue",)]


async def test_many_chats_at_once_are_all_answered_in_their_own_order(bot: Bot):
    chats = range(5001, 5021)
    for chat in chats:
        bot.api.send_text("帮助 入库", user_id=chat)
        bot.api.send_text("帮助", user_id=chat)
    for chat in chats:
        topic, index = await bot.api.await_messages(2, chat_id=chat, timeout=30)
        assert topic["text"].startswith("📖 入库") and not index["text"].startswith("📖 入库")
    await bot.settle()
    assert bot.application.update_processor.current_concurrent_updates == 0
