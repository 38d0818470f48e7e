"""Payment and expiry alerts end to end: the real Application with its JobQueue ticking every
0.2 s against the fake Bot API. The owner's private chat (where money may be shown) gets a
payable due in 3 days once, one consolidated message per overdue customer whose 发送对账单
button shows the statement, and a batch about to expire once; 生成采购单 under a low-stock
alert in a group makes a draft purchase order for the usual supplier."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.telegram_harness import OWNER, Bot

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("bot_settings", [{"jxc_alert_interval": 0.2}])]

GROUP = {"chat_id": -100444, "chat_type": "supergroup", "chat_title": "采购群"}
TICKS = 1.0  # several alert ticks


def today() -> datetime:
    # The harness runs on the system clock; dates are relative to the workspace's today.
    return datetime.now(ZoneInfo("Asia/Shanghai"))


def pushed(bot: Bot, chat_id: int, mark: str) -> list[dict]:
    return [m for m in bot.api.sent_messages(chat_id) if m["text"].startswith(mark)]


async def wait_for(bot: Bot, chat_id: int, mark: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(pushed(bot, chat_id, mark)) < count:
        assert time.monotonic() < deadline, [m["text"] for m in bot.api.sent_messages(chat_id)][-5:]
        await asyncio.sleep(0.05)
    return pushed(bot, chat_id, mark)


async def test_a_payable_due_in_three_days_is_pushed_once_to_a_private_subscriber(bot: Bot):
    assert (await bot.say("订阅 预警 应付"))["text"].startswith("✅ 已订阅：应付")
    await bot.say("供应商 新增 华东饮料 账期 3天")
    await bot.say("商品 新增 A001 可口可乐 单位 箱 进价 90 售价 120")
    receipt = await bot.say("入库 A001 100 @华东饮料")
    assert "应付 华东饮料 9,000.00 元" in receipt["text"]
    (alert,) = await wait_for(bot, OWNER, "💰")
    assert alert["text"] == "💰 3 天后有 9,000.00 元应付账款到期：华东饮料 RK-{}-0001 9,000.00".format(today().year)
    await asyncio.sleep(TICKS)
    assert len(pushed(bot, OWNER, "💰")) == 1  # the same condition: not again
    assert bot.rows("SELECT status FROM alert_outbox") == [("sent",)]


async def test_overdue_receivables_come_as_one_message_per_customer_with_a_statement_button(bot: Bot):
    await bot.say("客户 新增 张三超市 账期 15天")
    await bot.say("客户 新增 李四商店 账期 15天")
    await bot.say("商品 新增 A001 可口可乐 单位 箱 进价 90 售价 120")
    await bot.say(f"入库 A001 100 日期 {today() - timedelta(days=30):%Y-%m-%d}")
    year = today().year
    # Two shipments to 张三超市, both late (the first was due 5 days ago, the second 3); the
    # workspace is evaluated once something is subscribed.
    for days in (20, 18):
        shipped = await bot.say(f"出库 A001 1 单价 120 @张三超市 日期 {today() - timedelta(days=days):%Y-%m-%d}")
        assert "应收 张三超市 120.00 元" in shipped["text"]
    await bot.say("订阅 预警 应收")
    (alert,) = await wait_for(bot, OWNER, "🔴")
    assert alert["text"] == f"🔴 张三超市 应收逾期 240.00 元，最长逾期 5 天（CK-{year}-0001 120.00；CK-{year}-0002 120.00）"
    ((button,),) = alert["reply_markup"]["inline_keyboard"]
    assert button["text"] == "发送对账单"

    await bot.say(f"出库 A001 1 单价 120 @李四商店 日期 {today() - timedelta(days=16):%Y-%m-%d}")
    alerts = await wait_for(bot, OWNER, "🔴", 2)
    assert alerts[1]["text"] == f"🔴 李四商店 应收逾期 120.00 元，最长逾期 1 天（CK-{year}-0003 120.00）"
    await asyncio.sleep(TICKS)
    assert len(pushed(bot, OWNER, "🔴")) == 2  # one per customer, once each

    statement = await bot.press(alert, button["callback_data"])
    assert "张三超市" in statement["text"] and "240.00" in statement["text"] and "李四商店" not in statement["text"]


async def test_a_batch_about_to_expire_is_pushed_once(bot: Bot):
    await bot.say("商品 新增 B001 鲜牛奶 单位 盒 进价 2 售价 3 批次管理 是")
    await bot.say("订阅 预警 临期")
    expires = today().date() + timedelta(days=9)
    await bot.say(f"入库 B001 10 批次 L1 有效期 {expires:%Y-%m-%d}")
    (alert,) = await wait_for(bot, OWNER, "⏳")
    assert alert["text"] == f"⏳ B001 鲜牛奶 批次 L1 10 盒 9 天后到期（{expires:%Y-%m-%d}）"
    await bot.say("出库 B001 3")  # fewer left: the same batch, the same condition
    await asyncio.sleep(TICKS)
    assert len(pushed(bot, OWNER, "⏳")) == 1


async def test_generating_a_purchase_order_from_a_group_alert_makes_a_draft(bot: Bot):
    await bot.say("供应商 新增 华东饮料 账期 30天")
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5 安全库存 20")
    await bot.say("入库 A001 24 @华东饮料")
    assert (await bot.say("绑定 1", **GROUP))["text"].startswith("✅ 本群已绑定账套")
    await bot.say("订阅 预警 库存", **GROUP)
    await bot.say("出库 A001 16")  # 8 left: low
    (alert,) = await wait_for(bot, GROUP["chat_id"], "⚠️")
    order, _ = alert["reply_markup"]["inline_keyboard"][0]
    assert order["callback_data"] == "al:po:A001:60"
    year = today().year
    edited = await bot.press(alert, order["callback_data"])
    assert edited["text"].startswith(f"✅ 采购单 /PO_{year}_0001 · 华东饮料 · 草稿\nA001 可口可乐 60 罐")
    assert bot.rows("SELECT number, status FROM trade_order") == [(f"PO-{year}-0001", "草稿")]


async def test_the_daily_digest_alone_comes_as_a_photo_of_the_sales_trend(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5")
    await bot.say("入库 A001 24")
    await bot.say("出库 A001 4 单价 3.5")
    await bot.say("设置 预警 日报 00:00")  # due at once today
    await bot.say("订阅 预警 日报")
    deadline = time.monotonic() + 15
    while not (photos := [m for m in bot.api.sent_messages(OWNER) if m.get("_file_bytes")]):
        assert time.monotonic() < deadline, [m.get("text") for m in bot.api.sent_messages(OWNER)][-3:]
        await asyncio.sleep(0.05)
    (photo,) = photos
    assert photo["_file_bytes"].startswith(b"\x89PNG")
    caption = photo["caption"].splitlines()
    assert caption[0] == f"📊 日报 {today():%Y-%m-%d}"
    assert caption[1] == "销售 14.00 元 · 毛利 4.00 元（出库 1 笔）"
    await asyncio.sleep(TICKS)
    assert len([m for m in bot.api.sent_messages(OWNER) if m.get("_file_bytes")]) == 1  # once a day
