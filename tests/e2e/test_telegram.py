"""End to end: the real python-telegram-bot Application, over HTTP long polling, against the
fake Bot API server on 127.0.0.1. Updates go in as a Telegram client would send them; we
assert the replies the server received and the rows in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.telegram_app import MENU_COMMANDS
from tests.e2e.telegram_harness import OWNER, STRANGER, Bot

pytestmark = pytest.mark.slow

GROUP = -100123


async def test_receipt_typed_in_a_private_chat_is_booked_and_answered(bot: Bot):
    added = await bot.say("商品 新增 A001 可口可乐 规格 330ml 单位 罐 进价 2.5 售价 3.5 安全库存 20")
    assert added["text"].startswith("✅ 已新增商品 A001 可口可乐")
    assert added["_parse_mode"] == "HTML"

    reply = await bot.say("入库 A001 50")
    assert reply["text"].splitlines()[0] == "✅ 入库 50 罐 · A001 可口可乐 · 结存 50 罐"
    assert "单价：2.50 元（按商品进价） · 金额：125.00 元" in reply["text"]
    assert bot.scalar("SELECT count(*) FROM stock_movement") == 1
    assert bot.scalar("SELECT quantity FROM stock_balance") == 50_000  # thousandths of a 罐
    assert bot.scalar("SELECT value FROM stock_movement") == 12_500  # fen
    assert bot.scalar("SELECT actor_id FROM stock_movement") == OWNER


async def test_issue_beyond_stock_is_refused_with_what_is_available(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 5 单价 2.4")
    reply = await bot.say("出库 A001 6")
    assert reply["text"] == "❌ 库存不足：A001 可口可乐 只有 5 罐，不能出库 6 罐。未记账。"
    assert bot.scalar("SELECT count(*) FROM stock_movement") == 1
    ok = await bot.say("/out A001 5 单价 3.5")
    assert "结存 0 罐" in ok["text"] and "成本：12.00 元" in ok["text"] and "金额 17.50 元" in ok["text"]


NOT_A_MEMBER = (
    "🔒 你还没有加入账套，不能使用这个命令。\n"
    "请老板发送 邀请 <角色> 得到邀请码，你在与我的私聊中发送 加入 <邀请码>。\n"
    "想管理自己的店：私聊发送 新建账套 <名称>。"
)


async def test_stranger_is_refused_politely_and_sees_no_data(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 5")
    for command in ("库存 A001", "库存", "流水 A001", "商品 可乐", "入库 A001 50", "出库 A001 1", "撤销", "日志", "成员"):
        reply = await bot.say(command, user_id=STRANGER)
        assert reply["text"] == NOT_A_MEMBER, command  # the same answer whatever exists
    assert bot.rows("SELECT actor_id, quantity FROM stock_movement") == [(OWNER, 5_000)]
    assert bot.scalar("SELECT count(*) FROM member WHERE user_id = :u", u=STRANGER) == 0
    assert bot.scalar("SELECT count(*) FROM audit_entry WHERE user_id = :u", u=STRANGER) == 0


async def test_malformed_command_gets_the_reason_and_the_correct_form(bot: Bot):
    reply = await bot.say("入库 A001")
    assert reply["text"].splitlines() == [
        "❌ 缺少数量",
        "用法：入库 <编码> <数量> [单价 …] [@供应商] [仓库 …] [批次 … 有效期 …|生产日期 …] [备注 …] [日期 11-20]",
    ]
    absurd = await bot.say("入库 A001 " + "9" * 40)
    assert absurd["text"].startswith("❌ 数量太大")
    long = await bot.say("入库 " + "A" * 10_000)
    assert long["text"].startswith("❌ 消息太长")
    assert bot.scalar("SELECT count(*) FROM stock_movement") == 0


async def test_full_width_and_glued_input_is_understood(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    first = await bot.say("入库 Ａ００１ ５０")
    second = await bot.say("入库a001 5罐，单价：2.4")
    assert "结存 50 罐" in first["text"] and "结存 55 罐" in second["text"]


async def test_unknown_code_gets_a_suggestion(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    reply = await bot.say("入库 A00l 5")
    assert reply["text"].startswith("❌ 未找到商品 A00L，是否要找 A001 可口可乐？")


async def test_menu_commands_are_registered_at_start_up(bot: Bot):
    registered = {command["command"] for command in bot.api.commands()}
    assert registered == {name for name, _ in MENU_COMMANDS}
    assert {"in", "out", "stock", "product", "ledger", "help"} <= registered


async def test_help_and_start_answer_with_the_reference(bot: Bot):
    for text in ("/start", "/help", "帮助"):
        reply = await bot.say(text)
        assert "入库 A001 50" in reply["text"] and "常用命令" in reply["text"]
    detail = await bot.say("帮助 入库")
    assert "用法：入库 <编码> <数量>" in detail["text"]


async def test_group_chatter_is_ignored_and_commands_are_answered_in_reply(bot: Bot):
    group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "好运便利店"}
    bound = await bot.say("绑定 1", **group)
    assert bound["text"].startswith("✅ 本群已绑定账套「默认账套」")
    await bot.say_nothing_back("今天库存不多了吧", **group)
    await bot.say_nothing_back("/in@some_other_bot A001 5", **group)
    await bot.say("商品 新增 A001 可口可乐 单位 罐", **group)
    command = await bot.say("/in@jxc_test_bot A001 5", **group)
    assert "结存 5 罐" in command["text"]
    assert command["reply_to_message"]["text"] == "/in@jxc_test_bot A001 5"  # quoted, so the group knows which
    mention = await bot.say("@jxc_test_bot 库存 A001", **group)
    assert "库存：5 罐" in mention["text"]
    # Replying to the bot counts as talking to it, even without a verb.
    answered = await bot.say("乱七八糟", reply_to_message_id=command["message_id"], **group)
    assert answered["text"].startswith("❌")


async def test_private_chat_text_that_is_no_command_points_to_help(bot: Bot):
    reply = await bot.say("你好")
    assert "帮助" in reply["text"] and "没看懂" in reply["text"]


async def test_stock_list_pages_with_buttons_only_the_bot_edits(bot: Bot):
    for number in range(1, 13):
        await bot.say(f"商品 新增 P{number:03d} 商品{number} 单位 件 安全库存 10")
    await bot.say("入库 P001 3")
    page_one = await bot.say("库存")
    assert page_one["text"].splitlines()[0].startswith("📊 库存 · 12 个商品")
    assert "第 1/2 页" in page_one["text"]
    assert "P001" not in page_one["text"].splitlines()[2]  # out of stock first, P001 has 3
    (row,) = page_one["reply_markup"]["inline_keyboard"]
    assert [button["text"] for button in row] == ["下一页 ▶"]

    bot.api.press_button(page_one, row[0]["callback_data"])
    answered = await bot.api.await_call("answerCallbackQuery")
    assert answered["callback_query_id"]
    edited = await bot.api.await_call("editMessageText")
    assert edited["message_id"] == page_one["message_id"]
    (page_two,) = [m for m in bot.api.sent_messages(OWNER) if m["message_id"] == page_one["message_id"]]
    assert "第 2/2 页" in page_two["text"]
    assert [b["text"] for b in page_two["reply_markup"]["inline_keyboard"][0]] == ["◀ 上一页"]


async def test_ledger_shows_the_latest_movements(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 10 单价 2")
    await bot.say("出库 A001 4 备注 门店")
    reply = await bot.say("/ledger A001 7天")
    lines = reply["text"].splitlines()
    assert "共 2 笔" in reply["text"]
    assert "出库 -4 → 6" in lines[2] and "门店" in lines[2]
    assert "入库 +10 → 10" in lines[3]


async def test_moving_average_value_is_exact_through_the_chat(bot: Bot):
    # 2 @ 3.33 + 1 @ 3.34 = 3 units worth 10.00. Issues of 1 each:
    #   1 × 10.00 / 3 = 3.333… → 3.33, leaving 2 units worth 6.67
    #   1 ×  6.67 / 2 = 3.335  → 3.34 (half up), leaving 1 unit worth 3.33
    #   the last unit takes the whole remaining 3.33, leaving exactly 0.00.
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 2 单价 3.33")
    await bot.say("入库 A001 1 单价 3.34")
    costs = [(await bot.say("出库 A001 1"))["text"] for _ in range(3)]
    assert "成本：3.33 元" in costs[0] and "库存金额：6.67 元" in costs[0]
    assert "成本：3.34 元" in costs[1] and "库存金额：3.33 元" in costs[1]
    assert "成本：3.33 元" in costs[2] and "库存金额：0.00 元" in costs[2]
    assert bot.scalar("SELECT value FROM stock_balance") == 0
    assert Decimal(bot.scalar("SELECT sum(value) FROM stock_movement")) == 0


async def test_an_unexpected_failure_is_logged_and_the_user_told_nothing_was_done(bot: Bot, monkeypatch, caplog):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.runtime.dispatcher, "execute", broken)
    reply = await bot.say("库存")
    assert reply["text"] == "⚠️ 出错了，这条命令没有执行。请稍后再试；问题已记录。"
    assert any("update failed" in record.message and record.exc_info for record in caplog.records)
    assert bot.scalar("SELECT count(*) FROM stock_movement") == 0
