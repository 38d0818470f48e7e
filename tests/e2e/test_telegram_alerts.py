"""Pushed alerts end to end: the real Application with its JobQueue ticking every 0.2 s,
polling the fake Bot API, on SQLite and PostgreSQL. A subscribed group gets a low-stock alert
once, again only after the condition cleared and recurred; Telegram's flood limits delay but
neither lose nor duplicate it; a kicked group is unsubscribed and the owner told; rows pending
at a restart are sent after it."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sqlalchemy import text

from domain.alerts import OutboxEntry, OverStock
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e.telegram_harness import OWNER, Bot

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("bot_settings", [{"jxc_alert_interval": 0.2}])]

GROUP = {"chat_id": -100333, "chat_type": "supergroup", "chat_title": "门店群"}
GROUP_ID = GROUP["chat_id"]
LOW_8 = "⚠️ A001 可口可乐 库存 8 罐，低于安全库存 20（近7天日均销量 2.29，约 3.5 天售罄）"
TICKS = 1.0  # several alert ticks


async def shop_with_subscribed_group(bot: Bot) -> None:
    """可口可乐 with safety stock 20 and 24 on hand; the group bound and subscribed to 库存."""
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5 安全库存 20")
    await bot.say("入库 A001 24")
    assert (await bot.say("绑定 1", **GROUP))["text"].startswith("✅ 本群已绑定账套")
    reply = await bot.say("订阅 预警 库存", **GROUP)
    assert reply["text"] == "✅ 已订阅：库存\n🔔 这里订阅的预警：库存"


def alerts_in_group(bot: Bot) -> list[dict]:
    return [m for m in bot.api.sent_messages(GROUP_ID) if m["text"].startswith("⚠️")]


async def wait_for_alerts(bot: Bot, count: int, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(alerts_in_group(bot)) < count:
        assert time.monotonic() < deadline, f"expected {count} alerts, got {[m['text'] for m in alerts_in_group(bot)]}"
        await asyncio.sleep(0.05)
    return alerts_in_group(bot)


async def settled(bot: Bot, sql: str, expected: object, timeout: float = 5.0) -> None:
    """Wait until a query answers ``expected`` (the row is marked just after the message went)."""
    deadline = time.monotonic() + timeout
    while (found := bot.scalar(sql)) != expected:
        assert time.monotonic() < deadline, f"{sql} gave {found!r}, not {expected!r}"
        await asyncio.sleep(0.05)


async def test_a_low_stock_alert_is_pushed_once_and_again_only_after_it_clears_and_recurs(bot: Bot):
    await shop_with_subscribed_group(bot)
    await bot.say("出库 A001 16")  # 8 left, below 20
    (alert,) = await wait_for_alerts(bot, 1)
    assert alert["text"] == LOW_8
    buttons = [[b["text"] for b in row] for row in alert["reply_markup"]["inline_keyboard"]]
    assert buttons == [["生成采购单", "忽略 7 天"]]
    await asyncio.sleep(TICKS)
    assert len(alerts_in_group(bot)) == 1  # the same condition: not again

    await bot.say("入库 A001 50")  # 58: cleared
    await asyncio.sleep(TICKS)
    assert len(alerts_in_group(bot)) == 1
    await bot.say("出库 A001 50")  # 8 again: recurred
    alerts = await wait_for_alerts(bot, 2)
    assert alerts[1]["text"].startswith("⚠️ A001 可口可乐 库存 8 罐，低于安全库存 20")
    await asyncio.sleep(TICKS)
    assert len(alerts_in_group(bot)) == 2
    assert bot.rows("SELECT status, attempts FROM alert_outbox") == [("sent", 0), ("sent", 0)]


async def test_the_buttons_under_an_alert_ignore_the_product_and_say_how_to_order_without_a_supplier(bot: Bot):
    await shop_with_subscribed_group(bot)
    await bot.say("出库 A001 16")
    (alert,) = await wait_for_alerts(bot, 1)
    (order, ignore) = alert["reply_markup"]["inline_keyboard"][0]
    assert (order["callback_data"], ignore["callback_data"]) == ("al:po:A001:60", "al:snz:A001")

    bot.api.press_button(alert, order["callback_data"])
    answer = await bot.api.await_call("answerCallbackQuery")
    # Received from nobody in particular: no usual supplier to order from, so the pop-up says how.
    assert answer["show_alert"] is True and answer["text"].endswith("请直接发送：采购 @供应商 A001 60")

    bot.api.press_button(alert, ignore["callback_data"])
    answer = await bot.api.await_call("answerCallbackQuery")
    assert answer["text"].startswith("🔕 已忽略 A001 可口可乐 的库存预警 7 天")
    assert bot.message(alert)["text"] == LOW_8  # the alert stays as it was
    assert bot.scalar("SELECT count(*) FROM alert_condition WHERE snoozed_until IS NOT NULL") == 2  # low and over

    await bot.say("入库 A001 50")
    await asyncio.sleep(TICKS)
    await bot.say("出库 A001 50")  # recurs within the 7 days: silent
    await asyncio.sleep(TICKS)
    assert len(alerts_in_group(bot)) == 1


async def test_a_flood_limit_delays_the_alert_but_neither_loses_nor_duplicates_it(bot: Bot, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # the rate limiter reads retry_after: no deprecation warning
    await shop_with_subscribed_group(bot)
    # Four 429s in a row: the rate limiter retries three times, then the outbox waits retry_after.
    bot.api.fail_chat(GROUP_ID, error_code=429, retry_after=1, times=4)
    started = time.monotonic()
    await bot.say("出库 A001 16")  # the reply goes to the private chat, untouched
    (alert,) = await wait_for_alerts(bot, 1, timeout=20)
    assert alert["text"] == LOW_8
    assert time.monotonic() - started >= 3.5  # 3 × 1 s inside the limiter + 1 s in the outbox
    await settled(bot, "SELECT status FROM alert_outbox", "sent")
    ((attempts_made, error),) = bot.rows("SELECT attempts, last_error FROM alert_outbox")
    assert attempts_made == 1 and error.startswith("Flood control exceeded. Retry in")
    attempts = [p for name, p in bot.api.calls if name == "sendMessage" and p["chat_id"] == GROUP_ID]
    assert len(attempts) == 2 + 5  # the two command replies, then 4 refused tries and the one that got through
    await asyncio.sleep(TICKS)
    assert len(alerts_in_group(bot)) == 1


async def test_a_bot_api_outage_is_retried_with_backoff(bot: Bot):
    await shop_with_subscribed_group(bot)
    bot.api.fail_chat(GROUP_ID, error_code=502, description="Bad Gateway", times=1)
    await bot.say("出库 A001 16")
    deadline = time.monotonic() + 5
    while bot.scalar("SELECT attempts FROM alert_outbox") != 1:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert bot.rows("SELECT status, last_error FROM alert_outbox") == [("pending", "Bad Gateway")]
    (alert,) = await wait_for_alerts(bot, 1, timeout=15)  # the first retry waits 5 s
    assert alert["text"] == LOW_8
    await settled(bot, "SELECT status FROM alert_outbox", "sent")


async def test_a_kicked_group_is_unsubscribed_and_the_owner_is_told_privately(bot: Bot):
    await shop_with_subscribed_group(bot)
    bot.api.fail_chat(GROUP_ID)  # Forbidden: bot was kicked from the group chat
    before = len(bot.api.sent_messages(OWNER))
    await bot.say("出库 A001 16")
    (notice,) = (await bot.api.await_messages(before + 2, chat_id=OWNER))[before + 1 :]
    assert notice["text"] == (
        f"⚠️ 无法再向聊天 {GROUP_ID} 推送预警（Forbidden: bot was kicked from the group chat），已停止它的订阅：库存。"
        "重新拉我进群后发送「订阅 预警 库存」即可恢复。"
    )
    assert bot.rows("SELECT active FROM alert_subscription") == [(False,)]
    await settled(bot, "SELECT status FROM alert_outbox WHERE rule = 'chat_gone'", "sent")
    assert bot.rows("SELECT chat_id, rule, status FROM alert_outbox ORDER BY id") == [
        (GROUP_ID, "low_stock", "failed"),
        (OWNER, "chat_gone", "sent"),
    ]
    tries = len([1 for name, p in bot.api.calls if name == "sendMessage" and p["chat_id"] == GROUP_ID])
    await bot.say("入库 A001 50")
    await bot.say("出库 A001 50")  # recurs: nobody is subscribed any more
    await asyncio.sleep(TICKS)
    assert len([1 for name, p in bot.api.calls if name == "sendMessage" and p["chat_id"] == GROUP_ID]) == tries


async def test_rows_pending_at_a_restart_are_sent_once_after_it(bot: Bot):
    await shop_with_subscribed_group(bot)
    bot.api.fail_chat(GROUP_ID, error_code=502, description="Bad Gateway", times=1)
    await bot.say("出库 A001 16")
    deadline = time.monotonic() + 5
    while bot.scalar("SELECT attempts FROM alert_outbox") != 1:  # tried once, waiting for its retry
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    await bot.stop()
    # While the bot is down: the row waits (made due now), and another alert is queued whose
    # lease, held by a process that died, has run out: both must go after the restart.
    assert bot.runtime is not None
    engine = bot.runtime.engine
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alert_outbox SET not_before = created_at")
    workspace = bot.workspace_ids()[0]
    now = datetime.now(timezone.utc)
    over = OverStock("A001", "可口可乐", "罐", Decimal(120), Decimal(100))
    with SqlUnitOfWork(engine, workspace).writing() as uow:
        uow.alerts.enqueue(OutboxEntry(GROUP_ID, over, "restart", now, now))
        uow.commit()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE alert_outbox SET claimed_by = 'dead', claimed_until = :t WHERE rule = 'over_stock'"),
            {"t": (now - timedelta(seconds=1)).replace(tzinfo=None)},
        )
    engine.dispose()
    await bot.start()
    messages = await bot.api.await_messages(3, chat_id=GROUP_ID, timeout=15)  # 2 replies + 1 combined
    assert messages[2]["text"].startswith("🔔 预警 2 条\n⚠️ A001 可口可乐 库存 8 罐")
    await asyncio.sleep(TICKS)
    assert len(bot.api.sent_messages(GROUP_ID)) == 3
    assert bot.rows("SELECT status FROM alert_outbox") == [("sent",), ("sent",)]


async def test_several_alerts_at_once_arrive_as_one_message_with_the_digest_first(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5 安全库存 20")
    await bot.say("商品 新增 B002 雪碧 单位 罐 进价 2 售价 3 安全库存 10")
    await bot.say("入库 A001 24")
    await bot.say("入库 B002 12")
    await bot.say("出库 A001 16 单价 3.5")  # 56.00 sold at 40.00 cost
    await bot.say("出库 B002 4 单价 3")  # 12.00 sold at 8.00 cost
    assert (await bot.say("绑定 1", **GROUP))["text"].startswith("✅ 本群已绑定账套")
    assert (await bot.say("设置 本群 可见 成本", **GROUP))["text"].startswith("✅")
    settings = await bot.say("设置 预警 日报 00:00", **GROUP)  # the digest is due at once today
    assert "日报时间：00:00" in settings["text"]
    await bot.say("订阅 预警 库存 日报", **GROUP)
    messages = await bot.api.await_messages(5, chat_id=GROUP_ID, timeout=10)
    (combined,) = [m["text"].splitlines() for m in messages if m["text"].startswith("🔔")]
    assert combined[0] == "🔔 预警 3 条"
    assert combined[1].startswith("📊 日报 ")
    assert combined[2:6] == ["销售 68.00 元 · 毛利 20.00 元（出库 2 笔）", "入库 2 笔 · 84.00 元", "库存金额 36.00 元", "低于安全库存 2 种 · 近期到期应付 0 笔 · 逾期应收客户 0 个"]
    assert combined[6].startswith("⚠️ A001 可口可乐 库存 8 罐") and combined[7].startswith("⚠️ B002 雪碧 库存 8 罐")
    await asyncio.sleep(TICKS)
    assert len(bot.api.sent_messages(GROUP_ID)) == 5  # once: the digest is daily, the conditions hold

    check = await bot.say("预警 检查", **GROUP)
    assert check["text"].startswith("🔎 已检查：新预警 0 条，排队推送 0 条。\n🔔 当前预警 2 条")
