"""The per-chat update processor on its own: one chat's updates strictly in arrival order,
other chats not held up behind it, and at most ``workers`` at once."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.update_processor import ChatOrderedProcessor


def message_update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "x"},
                "text": "帮助",
            },
        },
        None,
    )


async def test_one_chat_in_order_others_alongside_and_a_bounded_number_at_once():
    processor = ChatOrderedProcessor(workers=3)
    events: list[tuple[str, int]] = []
    running = peak = 0
    slow_chat_started = asyncio.Event()
    release = asyncio.Event()

    async def work(update: Update) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        events.append(("start", update.update_id))
        if update.update_id == 1:  # the first update of chat 100 is slow
            slow_chat_started.set()
            await release.wait()
        await asyncio.sleep(0.01)
        events.append(("end", update.update_id))
        running -= 1

    updates = [message_update(1, 100), message_update(2, 100), message_update(3, 100)]
    updates += [message_update(10 + n, 200 + n) for n in range(6)]
    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, work(u))) for u in updates]
        await slow_chat_started.wait()
        # Other chats finish while chat 100's first update is still running …
        await asyncio.wait_for(asyncio.gather(*tasks[3:]), timeout=5)
        # … and chat 100's later updates have not started.
        assert ("start", 2) not in events and ("start", 3) not in events
        release.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    chat_100 = [e for e in events if e[1] in (1, 2, 3)]
    assert chat_100 == [("start", 1), ("end", 1), ("start", 2), ("end", 2), ("start", 3), ("end", 3)]
    assert peak <= 3
    assert processor._chats == {}  # idle chats are forgotten


async def test_updates_without_a_chat_are_processed_too():
    processor = ChatOrderedProcessor(workers=2)
    done = []

    async def work() -> None:
        done.append(True)

    async with processor:
        await processor.process_update(object(), work())
    assert done == [True]
