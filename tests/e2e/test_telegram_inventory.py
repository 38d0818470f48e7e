"""Inventory end to end: the real python-telegram-bot Application polling the fake Bot API, on
SQLite and PostgreSQL. 调拨 and the split 库存 card (cost only in private), a 盘点 confirmed by
pressing its inline button (another member's press is a pop-up for him alone), 报损 and packing
units — each checked in the chat as Telegram shows it and in the rows behind it.

The ``bot`` fixture (tests/e2e/conftest.py) proves after every scenario that each workspace's
balances equal the sum of their movements."""

from __future__ import annotations

import pytest

from bot.rendering import to_plain
from tests.e2e.telegram_harness import OWNER, Bot
from tests.e2e.test_telegram_access import (
    BOUND_1,
    EXPIRED,
    FOREIGN_BUTTON,
    GROUP_1,
    LI,
    PRIVATE_NOTE,
    WANG,
    ZHANG,
    buttons,
    invite,
    shown,
)

pytestmark = pytest.mark.slow


def ledger(bot: Bot) -> list[tuple]:
    """(number, kind, warehouse, quantity in thousandths, value in fen) of 默认账套, in order."""
    return bot.rows(
        "SELECT m.number, m.kind, w.name, m.quantity, m.value FROM stock_movement m"
        " JOIN warehouse w ON w.workspace_id = m.workspace_id AND w.id = m.warehouse_id"
        " WHERE m.workspace_id = 1 ORDER BY m.id"
    )


def stock(bot: Bot) -> dict[str, tuple[int, int]]:
    """Warehouse → (quantity in thousandths, value in fen) of the one product of a scenario."""
    rows = bot.rows(
        "SELECT w.name, b.quantity, b.value FROM stock_balance b"
        " JOIN warehouse w ON w.workspace_id = b.workspace_id AND w.id = b.warehouse_id WHERE b.workspace_id = 1"
    )
    return {name: (quantity, value) for name, quantity, value in rows}


async def say_ok(bot: Bot, *texts: str, **person: object) -> None:
    for text in texts:
        reply = await bot.say(text, **person)
        assert reply["text"][0] in "✅📋📝", reply["text"]


async def test_a_transfer_and_the_split_stock_card(bot: Bot):
    await say_ok(bot, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓", "入库 A001 3 单价 3.33", "入库 A001 1 单价 3.34")
    moved = await bot.say("调拨 A001 1 主仓→二仓")
    # 1 × 13.33 ÷ 4 = 3.3325 → 3.33 at cost (docs/valuation.md).
    assert moved["text"] == "✅ 调拨 1 罐 · A001 可口可乐 · 主仓 → 二仓\n单号：DB-2026-0001 · 按成本转移 3.33 元\n主仓 结存 3 罐 · 二仓 结存 1 罐"
    moved = await bot.say("调拨 A001 3 主仓 到 二仓")
    assert moved["text"].splitlines()[1:] == ["单号：DB-2026-0002 · 按成本转移 10.00 元", "主仓 结存 0 罐 · 二仓 结存 4 罐"]
    assert ledger(bot) == [
        ("RK-2026-0001", "receipt", "主仓", 3_000, 999),
        ("RK-2026-0002", "receipt", "主仓", 1_000, 334),
        ("DB-2026-0001", "transfer_out", "主仓", -1_000, -333),
        ("DB-2026-0001", "transfer_in", "二仓", 1_000, 333),
        ("DB-2026-0002", "transfer_out", "主仓", -3_000, -1_000),
        ("DB-2026-0002", "transfer_in", "二仓", 3_000, 1_000),
    ]
    assert stock(bot) == {"主仓": (0, 0), "二仓": (4_000, 1_333)}

    # In a group the card splits quantities only; the owner gets the values privately.
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    private_before = len(bot.api.sent_messages(OWNER))
    card = await bot.say("库存 A001", **GROUP_1)
    assert card["text"] == (
        "📦 A001 可口可乐\n库存：4 罐 · 正常\n  主仓 0 罐\n  二仓 4 罐\n安全库存：—\n流水：流水 A001\n" + PRIVATE_NOTE
    )
    (full,) = bot.api.sent_messages(OWNER)[private_before:]
    assert full["text"] == (
        "📦 A001 可口可乐\n库存：4 罐 · 正常\n  主仓 0 罐 · 0.00 元\n  二仓 4 罐 · 13.33 元\n"
        "成本价：3.3325 元/罐 · 库存金额：13.33 元\n安全库存：—\n流水：流水 A001"
    )


async def test_a_stocktake_confirmed_with_the_inline_button(bot: Bot):
    await invite(bot, "仓管", WANG)
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    await say_ok(bot, "商品 新增 A001 可口可乐 单位 罐 进价 2.5", "商品 新增 B002 雪碧 单位 瓶 进价 2", "入库 A001 100 单价 2.4", "入库 B002 10 单价 2", **GROUP_1)
    started = await bot.say("盘点 开始", **GROUP_1)
    assert started["text"].splitlines()[0] == "📋 已开始盘点 PD-2026-0001 · 主仓"
    await say_ok(bot, "盘点 A001 60", "盘点 B002 12", **WANG, **GROUP_1)
    await say_ok(bot, "出库 A001 5", **GROUP_1)  # after the count: not part of the variance

    question = await bot.say("盘点 确认", **GROUP_1)
    assert question["text"] == (
        "📋 确认盘点 PD-2026-0001 · 主仓：录入 2 个商品，2 个有差异\n"
        "A001 可口可乐 -40 罐\n"
        "B002 雪碧 +2 瓶\n"
        "确认后按差异记盘盈盘亏，没有录入的商品不改动。\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )  # no amounts in a group not marked 可见 成本
    (confirm, confirm_data), (cancel, cancel_data) = buttons(question)
    assert (confirm, cancel) == ("✅ 确认", "✖ 取消")
    assert confirm_data.startswith("cf:") and cancel_data == "cx:" + confirm_data[3:]

    # The keeper who counted, and a stranger, press: pop-ups for them alone, nothing booked.
    calls = len(bot.api.calls)
    for data, person in ((confirm_data, WANG), (cancel_data, WANG), (confirm_data, LI)):
        await bot.press(question, data, **person)
    assert shown(bot, question, calls) == [("alert", FOREIGN_BUTTON), ("alert", FOREIGN_BUTTON), ("alert", EXPIRED)]
    assert bot.message(question)["text"] == question["text"] and buttons(bot.message(question)) == buttons(question)
    assert bot.rows("SELECT number, status FROM stocktake") == [("PD-2026-0001", "open")]
    assert [row[1] for row in ledger(bot)] == ["receipt", "receipt", "issue"]

    # The owner presses ✅ (a double tap reaches the bot twice): the question becomes the booked
    # count, the second tap finds the button used up; the amounts go to him privately.
    private_before = len(bot.api.sent_messages(OWNER))
    calls = len(bot.api.calls)
    bot.api.press_button(question, confirm_data, **ZHANG)
    bot.api.press_button(question, confirm_data, **ZHANG)
    await bot.settle()
    done = bot.message(question)
    assert shown(bot, question, calls) == [("edit", done["text"]), ("alert", EXPIRED)]
    assert done["text"] == (
        "✅ 盘点 PD-2026-0001 已记账 · 主仓 · 录入 2 个商品，2 个有差异\n"
        "A001 可口可乐 -40 罐（实盘 60，账面 100）\n"
        "B002 雪碧 +2 瓶（实盘 12，账面 10）\n"
        "撤销整张盘点单：撤销 PD-2026-0001\n" + PRIVATE_NOTE
    )
    assert buttons(done) == []
    (full,) = bot.api.sent_messages(OWNER)[private_before:]
    # The loss of 40 is 40 × 228.00 ÷ 95 = 96.00; the gain of 2 瓶 at the average 2.00 is 4.00.
    assert "盘盈 4.00 元 · 盘亏 96.00 元\nA001 可口可乐 -40 罐（实盘 60，账面 100） · -96.00元" in full["text"]
    assert bot.rows("SELECT number, status FROM stocktake") == [("PD-2026-0001", "confirmed")]
    assert sorted(ledger(bot)[3:], key=lambda row: row[1]) == [
        ("PD-2026-0001", "stocktake_gain", "主仓", 2_000, 400),
        ("PD-2026-0001", "stocktake_loss", "主仓", -40_000, -9_600),
    ]
    assert bot.rows(
        "SELECT p.code, b.quantity, b.value FROM stock_balance b JOIN product p ON p.workspace_id = b.workspace_id"
        " AND p.id = b.product_id ORDER BY p.code"
    ) == [("A001", 55_000, 13_200), ("B002", 12_000, 2_400)]


async def test_scrap_and_packing_units(bot: Bot):
    await say_ok(bot, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓")
    changed = await bot.say("商品 修改 A001 箱=24罐")
    assert changed["text"] == "✅ 已修改 A001 可口可乐\n包装：（空） → 箱=24"
    received = await bot.say("入库 A001 2箱 单价 57.6")
    assert received["text"] == to_plain(
        "✅ 入库 48 罐（2 箱） · <b>A001</b> 可口可乐 · 结存 48 罐\n单号：RK-2026-0001\n"
        "单价：2.40 元 · 金额：115.20 元\n库存金额：115.20 元 · 平均成本：2.40 元/罐"
    )
    moved = await bot.say("调拨 A001 1箱 主仓→二仓")
    assert moved["text"].splitlines()[0] == "✅ 调拨 24 罐（1 箱） · A001 可口可乐 · 主仓 → 二仓"
    scrapped = await bot.say("报损 A001 2 仓库 二仓 原因 破损 <漏液>")
    assert scrapped["text"] == "✅ 报损 2 罐 · A001 可口可乐 · 结存 46 罐\n单号：BS-2026-0001 · 二仓 · 原因：破损 <漏液>\n损失（按成本）：4.80 元"
    short = await bot.say("报损 A001 1箱 仓库 二仓 原因 丢失")
    assert short["text"] == "❌ 库存不足：A001 可口可乐 在二仓只有 22 罐，不能报损 24 罐。未记账。"
    assert ledger(bot) == [
        ("RK-2026-0001", "receipt", "主仓", 48_000, 11_520),
        ("DB-2026-0001", "transfer_out", "主仓", -24_000, -5_760),
        ("DB-2026-0001", "transfer_in", "二仓", 24_000, 5_760),
        ("BS-2026-0001", "scrap", "二仓", -2_000, -480),
    ]
    assert bot.scalar("SELECT note FROM stock_movement WHERE number = 'BS-2026-0001'") == "破损 <漏液>"
    assert bot.scalar("SELECT packs FROM product WHERE code = 'A001'") == "箱=24"
    assert stock(bot) == {"主仓": (24_000, 5_760), "二仓": (22_000, 5_280)}
