"""Batches end to end: the real python-telegram-bot Application polling the fake Bot API, on
SQLite and PostgreSQL. A batch-managed product, receipts with 批次 and 有效期 (one back-dated, now
expired), 出库 taking the earliest expiry first and refusing the expired batch (the reply names
it), 报损 of the expired batch, and the 库存 card listing batches — in the chat and in the rows.
The ``bot`` fixture proves afterwards that every balance equals its movements and its batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.telegram_harness import Bot
from tests.e2e.test_telegram_inventory import say_ok

pytestmark = pytest.mark.slow


def batches(bot: Bot) -> list[tuple]:
    return bot.rows("SELECT batch, quantity FROM stock_batch WHERE workspace_id = 1 AND quantity > 0 ORDER BY expires_on")


async def test_batches_fefo_and_an_expired_batch(bot: Bot):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    expired, soon, later = today - timedelta(days=5), today + timedelta(days=30), today + timedelta(days=200)
    await say_ok(bot, "商品 新增 A001 可口可乐 单位 罐 进价 2")
    changed = await bot.say("商品 修改 A001 批次管理 是 保质期 180天")
    assert changed["text"] == "✅ 已修改 A001 可口可乐\n批次管理：否 → 是\n保质期：（空） → 180"

    refused = await bot.say("入库 A001 10")
    assert refused["text"].startswith("❌ A001 可口可乐 按批次管理，入库要写批次和有效期。未记账。")
    # Received three weeks ago, when it was still good; it expired five days ago.
    back_then = (today - timedelta(days=21)).isoformat()
    await say_ok(bot, f"入库 A001 3 批次 L2301 有效期 {expired.isoformat()} 日期 {back_then}")
    received = await bot.say(f"入库 A001 5 批次 l2311 有效期 {soon.isoformat()}")
    assert f"批次：L2311 5 罐（有效期 {soon.isoformat()}）" in received["text"]
    produced = (later - timedelta(days=180)).isoformat()
    await say_ok(bot, f"入库 A001 4 批次 L2401 生产日期 {produced}")  # expiry = production + 180 days

    card = await bot.say("库存 A001")
    assert (
        f"批次（先到期先出）：\n  L2301 · 3 罐 · 有效期 {expired.isoformat()} ⛔ 已过期\n"
        f"  L2311 · 5 罐 · 有效期 {soon.isoformat()}\n  L2401 · 4 罐 · 有效期 {later.isoformat()}"
    ) in card["text"]

    issued = await bot.say("出库 A001 6")
    # The expired L2301 is skipped: 5 of L2311, then 1 of L2401.
    assert f"批次：L2311 5 罐（有效期 {soon.isoformat()}）、L2401 1 罐（有效期 {later.isoformat()}）" in issued["text"]
    too_many = await bot.say("出库 A001 4")
    assert too_many["text"].splitlines() == [
        "❌ 不能出库过期的货：A001 可口可乐 未过期的只有 3 罐，不够出库 4 罐。未记账。",
        f"已过期：L2301（{expired.isoformat()} 到期，3 罐）",
        "过期的货请报损：报损 A001 3 批次 L2301 原因 过期",
    ]
    named = await bot.say("出库 A001 1 批次 L2301")
    assert named["text"].startswith("❌ 不能出库过期的货")
    scrapped = await bot.say("报损 A001 3 批次 L2301 原因 过期")
    assert f"批次：L2301 3 罐（有效期 {expired.isoformat()}）" in scrapped["text"]
    assert batches(bot) == [("L2401", 3_000)]
    assert bot.rows("SELECT kind, quantity FROM stock_movement WHERE workspace_id = 1 ORDER BY id") == [
        ("receipt", 3_000), ("receipt", 5_000), ("receipt", 4_000), ("issue", -6_000), ("scrap", -3_000),
    ]
