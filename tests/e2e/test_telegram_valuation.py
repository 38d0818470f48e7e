"""FIFO end to end: the real python-telegram-bot Application polling the fake Bot API, on SQLite
and PostgreSQL. 设置 计价 先进先出 before the first movement (refused after it), issues costed from
the oldest receipts, a transfer that carries its layers, an undo that puts them back — checked in
the chat and in the rows behind it. The ``bot`` fixture proves afterwards that every balance
equals its movements and its cost layers."""

from __future__ import annotations

import pytest

from tests.e2e.telegram_harness import Bot
from tests.e2e.test_telegram_inventory import ledger, say_ok, stock

pytestmark = pytest.mark.slow


def layers(bot: Bot) -> list[tuple]:
    """(warehouse, received_at, remaining quantity in thousandths, remaining value in fen) of open layers."""
    return bot.rows(
        "SELECT w.name, l.remaining_quantity, l.remaining_value FROM cost_layer l"
        " JOIN warehouse w ON w.workspace_id = l.workspace_id AND w.id = l.warehouse_id"
        " WHERE l.workspace_id = 1 AND l.remaining_quantity > 0 ORDER BY w.id, l.received_at, l.id"
    )


async def test_fifo_from_the_setting_to_an_undo(bot: Bot):
    chosen = await bot.say("设置 计价 先进先出")
    assert chosen["text"].startswith("✅ 计价方法：先进先出。")
    await say_ok(bot, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓", "入库 A001 10 单价 2", "入库 A001 5 单价 3")
    issued = await bot.say("出库 A001 12")
    # 10 × 2.00 from the first receipt + 2 × 3.00 from the second (the average would say 28.00).
    assert "成本：26.00 元" in issued["text"]
    moved = await bot.say("调拨 A001 3 主仓→二仓")
    assert "按成本转移 9.00 元" in moved["text"]  # what is left of the second receipt: 3 × 3.00
    assert layers(bot) == [("二仓", 3_000, 900)]

    refused = await bot.say("设置 计价 移动平均")
    assert refused["text"] == (
        "❌ 不能改为「移动加权平均」：本账套已经有出入库记录，它们是按「先进先出」计价的。计价方法只能在第一笔出入库之前设置。"
    )
    negative = await bot.say("设置 负库存 允许")
    assert negative["text"].startswith("❌ 先进先出计价不允许负库存")
    short = await bot.say("出库 A001 1")
    assert short["text"].startswith("❌ 库存不足")

    undone = await bot.say("撤销 CK-2026-0001 确认")
    assert undone["text"].splitlines()[:2] == [
        "↩️ 已撤销 CK-2026-0001（出库）",
        "冲销单号：CX-2026-0001 · A001 可口可乐 +12 罐 · 金额 26.00 元",
    ]
    # The 12 go back to the layers they came from: 10 × 2.00 whole again, 2 × 3.00 beside it.
    assert layers(bot) == [("主仓", 10_000, 2_000), ("主仓", 2_000, 600), ("二仓", 3_000, 900)]
    assert stock(bot) == {"主仓": (12_000, 2_600), "二仓": (3_000, 900)}
    assert [row[1:] for row in ledger(bot)] == [
        ("receipt", "主仓", 10_000, 2_000),
        ("receipt", "主仓", 5_000, 1_500),
        ("issue", "主仓", -12_000, -2_600),
        ("transfer_out", "主仓", -3_000, -900),
        ("transfer_in", "二仓", 3_000, 900),
        ("reversal", "主仓", 12_000, 2_600),
    ]
    assert bot.scalar("SELECT method FROM valuation_setting WHERE workspace_id = 1") == "fifo"


async def test_replenishment_with_a_supplier_s_lead_time_and_warehouse_levels(bot: Bot):
    await say_ok(
        bot,
        "供应商 新增 华东饮料 交期 3天",
        "商品 新增 A001 可口可乐 单位 罐 安全库存 10",
        "仓库 新增 二仓",
        "入库 A001 30 单价 2 @华东饮料",
        "出库 A001 20",
    )
    # A product that came in today: 20 sold ÷ 1 day = 20 a day (not 20 ÷ 30).
    # 再订货点 10 + 20 × 3 = 70 ≥ 10 on hand; 目标 10 + 20 × (3 + 14) = 350 → 340.
    report = await bot.say("补货建议")
    lines = report["text"].splitlines()
    assert lines[0] == "🛒 补货建议 · 按近 30 天日均销量 · 交期 7 天 · 补货周期 14 天"
    assert "华东饮料 · 交期 3 天" in lines
    assert "A001 可口可乐 建议 340 罐 · 现有 10 · 日均 20（1 天） · 再订货点 70" in lines
    assert lines[-1].startswith("公式：再订货点 = 安全库存 + 日均 × 交期")

    levels = await bot.say("商品 修改 A001 安全库存 20 仓库 二仓")
    assert levels["text"] == "✅ 已修改 A001 可口可乐 在二仓的库存上下限\n本仓安全库存：（空） → 20"
    await say_ok(bot, "调拨 A001 5 主仓→二仓")
    card = await bot.say("库存 A001")
    assert "二仓：安全库存 20 · 低于安全库存" in card["text"]
    assert bot.rows("SELECT safety_stock, max_stock FROM stock_threshold WHERE workspace_id = 1") == [(20_000, None)]
