"""Who may do what, end to end: the real python-telegram-bot Application polling the fake Bot
API, on SQLite and PostgreSQL. Workspaces kept apart, undo behind buttons only the issuer may
press, every update taking effect once (also across a restart), the rate limit, edited
messages, figures a group may not see, oversized files, and a token that never reaches a log.

The ``bot`` fixture (tests/e2e/conftest.py) proves after every scenario that each workspace's
balances equal the sum of its movements."""

from __future__ import annotations

import io
import logging
import re

import pytest

from bot.rendering import to_plain
from bot.telegram_app import redact_token_in_logs
from domain import commands as c
from domain import services
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import make_context
from tests.e2e.telegram_harness import OWNER, STRANGER, Bot
from tests.fakebotapi import PNG_1X1

pytestmark = pytest.mark.slow

# People: the configured owner of 默认账套 (workspace 1), a shop owner who creates her own
# workspace, and a colleague who joins the owner's workspace by invitation.
ZHANG = {"user_id": OWNER, "first_name": "张三", "username": "zhangsan"}
LI = {"user_id": STRANGER, "first_name": "李四", "username": "lisi"}
WANG = {"user_id": 3003, "first_name": "王五", "username": "wangwu"}

GROUP_1 = {"chat_id": -100111, "chat_type": "supergroup", "chat_title": "一号店"}
GROUP_2 = {"chat_id": -100222, "chat_type": "supergroup", "chat_title": "二号店"}

NOT_A_MEMBER = (
    "🔒 你还没有加入账套，不能使用这个命令。\n"
    "请老板发送 邀请 <角色> 得到邀请码，你在与我的私聊中发送 加入 <邀请码>。\n"
    "想管理自己的店：私聊发送 新建账套 <名称>。"
)
BOUND_1 = "✅ 本群已绑定账套「默认账套」。群里默认不显示成本和库存金额；需要时发送 设置 本群 可见 成本。"
BOUND_ELSEWHERE = "❌ 本群已经绑定了另一个账套。要换账套，先由那个账套的老板或管理员发送 解绑。"
ALREADY_PROCESSED = "ℹ️ 这条消息已经处理过了，没有重复记账。"
FOREIGN_BUTTON = "🔒 这个按钮只能由发出命令的人点。"
EXPIRED = "⌛ 这个确认已经过期或已处理。需要的话请重新发送命令。"
PRIVATE_NOTE = "🔒 成本和金额已私聊发给你。"
PRIVATE_FAILED = "（完整信息无法私聊发送：请先私聊我发送 /start）"
EDITED = "✏️ 修改过的消息不会再执行一次。要更正：先发送 撤销，再发送正确的命令。"


def movements(bot: Bot, workspace_id: int = 1) -> list[tuple]:
    """(number, kind, quantity in thousandths, reverses_id, actor) of a workspace, in order."""
    return bot.rows(
        "SELECT number, kind, quantity, reverses_id, actor_id FROM stock_movement"
        " WHERE workspace_id = :ws ORDER BY id",
        ws=workspace_id,
    )


def balance(bot: Bot, workspace_id: int = 1) -> tuple | None:
    rows = bot.rows("SELECT quantity, value FROM stock_balance WHERE workspace_id = :ws", ws=workspace_id)
    return rows[0] if rows else None


def seed_product(bot: Bot, code: str = "A001", workspace_id: int = 1, **fields: object) -> None:
    """A product created straight through the services, so it costs no chat command."""
    fields.setdefault("unit", "罐")
    command = c.AddProduct(code, "可口可乐", tuple(fields.items()))
    services.add_product(SqlUnitOfWork(bot.engine, workspace_id), make_context(), command)


def buttons(message: dict) -> list[tuple[str, str]]:
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in keyboard for button in row]


def shown(bot: Bot, message: dict, since: int) -> list[tuple[str, str]]:
    """What the bot showed for presses on a message since API call number ``since``, in order:
    ("edit", text) for an edit of the message (as plain text), ("alert", text) for a pop-up callback answer.
    A plain callback answer (no text) shows nothing."""
    texts = []
    for method, params in bot.api.calls[since:]:
        if method == "editMessageText" and params.get("message_id") == message["message_id"]:
            texts.append(("edit", to_plain(params["text"])))  # as the chat shows it
        elif method == "answerCallbackQuery" and params.get("text"):
            assert params.get("show_alert") in (True, "true"), params
            assert len(params["text"]) <= 200, params  # Telegram's limit for a callback answer
            texts.append(("alert", params["text"]))
    return texts


def joined_text(role: str, workspace: str = "默认账套") -> str:
    return (
        f"✅ 已加入「{workspace}」，角色：{role}。发送 帮助 查看能用的命令。\n"
        f"这个私聊现在记到「{workspace}」；要切回别的账套：绑定 <账套编号>"
    )


async def invite(bot: Bot, role: str, person: dict) -> None:
    """The owner invites, the person joins in their private chat."""
    offer = await bot.say(f"邀请 {role}")
    (code,) = re.findall(r"邀请码：(\d+-[0-9A-Z]{8})", offer["text"])
    joined = await bot.say(f"加入 {code}", **person)
    assert joined["text"] == joined_text(role)


# ---- isolation ----------------------------------------------------------------------------


async def test_two_workspaces_never_see_or_change_each_other(bot: Bot):
    created = await bot.say("新建账套 二号店", **LI)
    assert created["text"].splitlines()[0] == "✅ 已创建账套「二号店」，编号 2，你是老板。仓库「主仓」已建好。"
    assert (await bot.say("绑定 1", **ZHANG, **GROUP_1))["text"] == BOUND_1
    assert (await bot.say("绑定 2", **LI, **GROUP_2))["text"].startswith("✅ 本群已绑定账套「二号店」。")

    await bot.say("商品 新增 A001 可口可乐 单位 罐", **ZHANG, **GROUP_1)
    await bot.say("商品 新增 A001 雪碧 单位 瓶", **LI, **GROUP_2)
    for quantity in (10, 7, 2):
        await bot.say(f"入库 A001 {quantity}", **ZHANG, **GROUP_1)
    mine = await bot.say("入库 A001 3", **LI, **GROUP_2)
    assert mine["text"].splitlines()[0] == "✅ 入库 3 瓶 · A001 雪碧 · 结存 3 瓶"

    ledger_1, ledger_2 = movements(bot, 1), movements(bot, 2)
    first_number = ledger_2[0][0]  # both shops have their own RK-<year>-0001
    only_in_1 = ledger_1[2][0]  # RK-<year>-0003 exists in workspace 1 only
    assert [m[0] for m in ledger_1] == [first_number, first_number[:-1] + "2", only_in_1]
    audit_ids_1 = bot.scalar("SELECT max(id) FROM audit_entry WHERE workspace_id = 1")
    assert audit_ids_1 > bot.scalar("SELECT max(id) FROM audit_entry WHERE workspace_id = 2")
    state = bot.rows("SELECT workspace_id, number, quantity FROM stock_movement ORDER BY workspace_id, id")
    audit = bot.rows("SELECT workspace_id, id, user_id FROM audit_entry ORDER BY workspace_id, id")

    # A stranger in the other shop's group: the same answer whatever exists there.
    for command in ("库存 A001", "库存", "流水 A001", "入库 A001 1", "出库 A001 1", "撤销", f"撤销 {first_number}", "日志"):
        assert (await bot.say(command, **LI, **GROUP_1))["text"] == NOT_A_MEMBER, command
        assert (await bot.say(command, **ZHANG, **GROUP_2))["text"] == NOT_A_MEMBER, command
    # Binding someone else's group: refused without naming the shop it belongs to.
    assert (await bot.say("绑定 2", **LI, **GROUP_1))["text"] == BOUND_ELSEWHERE
    assert (await bot.say("绑定 1", **ZHANG, **GROUP_2))["text"] == BOUND_ELSEWHERE
    assert (await bot.say("绑定 1", **LI, **GROUP_2))["text"] == NOT_A_MEMBER
    assert (await bot.say("绑定 2", **ZHANG))["text"] == NOT_A_MEMBER  # switching the private chat too
    assert (await bot.say("解绑", **LI, **GROUP_1))["text"] == NOT_A_MEMBER

    # In her own private chat, 李四 works in 二号店 only: guessed numbers and ids find nothing there.
    unknown = await bot.say(f"撤销 {only_in_1}", **LI)
    assert unknown["text"].splitlines()[0] == f"❌ 没有找到操作 {only_in_1}。单号见回复里的「单号」，或发送 日志 查看。"
    guessed = await bot.say(f"撤销 #{audit_ids_1}", **LI)
    assert guessed["text"].splitlines()[0] == f"❌ 没有找到操作 #{audit_ids_1}。单号见回复里的「单号」，或发送 日志 查看。"
    own = await bot.say(f"撤销 {first_number}", **LI)  # the same number is her own receipt
    assert f"{first_number}" in own["text"] and "雪碧" in own["text"] and "可口可乐" not in own["text"]
    ledger = await bot.say("流水 A001", **LI)
    assert "共 1 笔" in ledger["text"] and "雪碧" in ledger["text"] and "张三" not in ledger["text"]
    stock = await bot.say("库存", **LI)
    assert stock["text"].splitlines()[0].startswith("📊 库存 · 1 个商品")
    assert "A001 雪碧 3瓶" in stock["text"] and "可口可乐" not in stock["text"]
    ledger = await bot.say("流水 A001", **ZHANG)
    assert "共 3 笔" in ledger["text"] and "可口可乐" in ledger["text"] and "李四" not in ledger["text"]
    stock = await bot.say("库存 A001", **ZHANG)
    assert "库存：19 罐" in stock["text"]

    # The rows prove it: nothing moved, nobody acted in the other workspace.
    assert bot.rows("SELECT workspace_id, number, quantity FROM stock_movement ORDER BY workspace_id, id") == state
    assert bot.rows("SELECT workspace_id, id, user_id FROM audit_entry ORDER BY workspace_id, id") == audit
    assert {(w, u) for w, _, u in audit} == {(1, OWNER), (2, STRANGER)}
    assert bot.rows("SELECT workspace_id, user_id, role FROM member ORDER BY workspace_id, user_id") == [
        (1, OWNER, "老板"),
        (2, STRANGER, "老板"),
    ]
    assert bot.rows("SELECT chat_id, workspace_id FROM chat_binding ORDER BY chat_id") == [
        (GROUP_2["chat_id"], 2),
        (GROUP_1["chat_id"], 1),
        (STRANGER, 2),
    ]
    assert bot.rows("SELECT workspace_id, quantity FROM stock_balance ORDER BY workspace_id") == [(1, 19_000), (2, 3_000)]
    assert bot.scalar("SELECT count(*) FROM confirmation WHERE workspace_id = 1") == 0


# ---- undo with buttons --------------------------------------------------------------------


async def test_undo_asks_with_buttons_only_the_issuer_may_press(bot: Bot):
    await invite(bot, "仓管", WANG)
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2", **GROUP_1)
    await bot.say("入库 A001 5", **GROUP_1)
    before = balance(bot)
    assert before == (5_000, 1_000)
    received = await bot.say("入库 A001 3", **GROUP_1)
    number = re.search(r"单号：(RK-\d{4}-\d{4})", received["text"])[1]  # type: ignore[index]
    booked = balance(bot)
    assert booked == (8_000, 1_600)

    question = await bot.say("撤销", **GROUP_1)
    lines = question["text"].splitlines()
    assert lines[0] == f"↩️ 确认撤销 {number}？"
    assert lines[-1] == "5 分钟内有效，只有发出命令的人能确认。"
    assert "数量 +3 罐" in question["text"] and "金额" not in question["text"]  # a group sees no amounts
    (confirm, confirm_data), (cancel, cancel_data) = buttons(question)
    assert (confirm, cancel) == ("✅ 确认", "✖ 取消")
    assert confirm_data.startswith("cf:") and cancel_data.startswith("cx:")

    # Another member (who may move stock) presses 确认 and 取消: a pop-up for him alone,
    # nothing booked, and the question keeps its buttons for the issuer.
    calls = len(bot.api.calls)
    await bot.press(question, confirm_data, **WANG)
    await bot.press(question, cancel_data, **WANG)
    assert shown(bot, question, calls) == [("alert", FOREIGN_BUTTON), ("alert", FOREIGN_BUTTON)]
    assert bot.message(question)["text"] == question["text"] and buttons(bot.message(question)) == buttons(question)
    assert len(movements(bot)) == 2 and balance(bot) == booked
    assert bot.scalar("SELECT count(*) FROM audit_entry WHERE action = '撤销'") == 0
    assert bot.rows("SELECT user_id, used FROM confirmation") == [(OWNER, False)]

    # The issuer confirms the same question.
    calls = len(bot.api.calls)
    done = await bot.press(question, confirm_data, **ZHANG)
    assert shown(bot, question, calls) == [("edit", done["text"])]
    cx = re.search(r"冲销单号：(CX-\d{4}-\d{4})", done["text"])[1]  # type: ignore[index]
    assert done["text"].splitlines()[0] == f"↩️ 已撤销 {number}（入库）"
    assert "A001 可口可乐 -3 罐" in done["text"] and "结存 5 罐" in done["text"]
    assert buttons(done) == []
    (original_id,) = bot.rows("SELECT id FROM stock_movement WHERE number = :n", n=number)[0]
    assert movements(bot)[1:] == [
        (number, "receipt", 3_000, None, OWNER),  # the original stays
        (cx, "reversal", -3_000, original_id, OWNER),
    ]
    assert balance(bot) == before  # back to what it was before the undone receipt
    undo_entry = bot.rows("SELECT user_id, numbers, undoes FROM audit_entry WHERE action = '撤销'")
    original_entry = bot.scalar("SELECT id FROM audit_entry WHERE number = :n", n=number)
    assert undo_entry == [(OWNER, cx, original_entry)]

    # Pressing again (a double tap reaches the bot twice): the confirmation is used up.
    question = await bot.say(f"撤销 {movements(bot)[0][0]}", **GROUP_1)
    (_, confirm_data), _ = buttons(question)
    calls = len(bot.api.calls)
    bot.api.press_button(question, confirm_data, **ZHANG)
    bot.api.press_button(question, confirm_data, **ZHANG)
    await bot.settle()
    (done_kind, done), again = shown(bot, question, calls)
    assert done_kind == "edit" and done.startswith("↩️ 已撤销") and again == ("alert", EXPIRED)
    assert bot.message(question)["text"] == done  # the second tap left the success reply in place
    assert balance(bot) == (0, 0)
    assert [m[1] for m in movements(bot)] == ["receipt", "receipt", "reversal", "reversal"]


async def test_undo_cancelled_with_the_button_books_nothing(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 4")
    question = await bot.say("撤销")
    (_, _), (_, cancel_data) = buttons(question)
    cancelled = await bot.press(question, cancel_data)
    assert cancelled["text"].startswith("✖ 已取消，没有执行：撤销 #")
    assert [m[1] for m in movements(bot)] == ["receipt"] and balance(bot) == (4_000, 0)
    assert bot.rows("SELECT used FROM confirmation") == [(True,)]


async def test_a_foreign_press_leaves_the_question_for_its_issuer(bot: Bot):
    await invite(bot, "仓管", WANG)
    await bot.say("绑定 1", **GROUP_1)
    await bot.say("商品 新增 A001 可口可乐 单位 罐", **GROUP_1)
    await bot.say("入库 A001 5", **GROUP_1)
    question = await bot.say("撤销", **GROUP_1)
    (_, confirm_data), (_, cancel_data) = buttons(question)
    calls = len(bot.api.calls)
    for data, person in ((confirm_data, WANG), (cancel_data, WANG), (confirm_data, LI)):  # a member, a stranger
        await bot.press(question, data, **person)
    # The refusals go to the pressers as pop-ups; the question stays, buttons and all.
    assert shown(bot, question, calls) == [("alert", FOREIGN_BUTTON), ("alert", FOREIGN_BUTTON), ("alert", EXPIRED)]
    assert bot.message(question)["text"] == question["text"] and buttons(bot.message(question)) == buttons(question)
    assert [m[1] for m in movements(bot)] == ["receipt"]
    done = await bot.press(question, confirm_data)
    assert done["text"].startswith("↩️ 已撤销") and buttons(done) == []
    assert [m[1] for m in movements(bot)] == ["receipt", "reversal"]


async def test_a_double_tap_leaves_the_success_reply_in_place(bot: Bot):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 5")
    question = await bot.say("撤销")
    (_, confirm_data), _ = buttons(question)
    calls = len(bot.api.calls)
    bot.api.press_button(question, confirm_data)
    bot.api.press_button(question, confirm_data)
    await bot.settle()
    assert [m[1] for m in movements(bot)] == ["receipt", "reversal"]
    (first, done), second = shown(bot, question, calls)
    assert first == "edit" and done.startswith("↩️ 已撤销") and second == ("alert", EXPIRED)
    assert bot.message(question)["text"] == done


async def test_a_strangers_page_press_leaves_the_groups_list_alone(bot: Bot):
    await bot.say("绑定 1", **GROUP_1)
    for number in range(1, 12):
        seed_product(bot, f"P{number:03d}")
    page = await bot.say("库存", **GROUP_1)
    ((_, next_page),) = buttons(page)
    calls = len(bot.api.calls)
    pressed = await bot.press(page, next_page, **LI)
    assert shown(bot, page, calls) == [("alert", NOT_A_MEMBER)]  # for the stranger alone
    assert pressed["text"] == page["text"] and buttons(pressed) == buttons(page)
    # A member's press still turns the page for everyone.
    turned = await bot.press(page, next_page)
    assert "第 2/2 页" in turned["text"] and turned["text"] != page["text"]
    assert [label for label, _ in buttons(turned)] == ["◀ 上一页"]


# ---- exactly once -------------------------------------------------------------------------


async def test_the_same_update_delivered_twice_books_once(bot: Bot):
    seed_product(bot)
    update = bot.api.send_text("入库 A001 5")
    (first,) = await bot.api.await_messages(1, chat_id=OWNER)
    assert first["text"].startswith("✅ 入库 5 罐 · A001 可口可乐 · 结存 5 罐")

    bot.api.redeliver(update)  # Telegram sends it again (it never saw our offset confirmation)
    await bot.settle()
    again = [m["text"] for m in bot.api.sent_messages(OWNER)[1:]]
    assert again in ([], [ALREADY_PROCESSED])  # at most the note, never a second booking
    assert [m[1:3] for m in movements(bot)] == [("receipt", 5_000)]
    recorded = bot.rows("SELECT workspace_id, chat_id FROM processed_update WHERE update_id = :u", u=update["update_id"])
    assert recorded == [(1, OWNER)]
    assert bot.scalar("SELECT count(*) FROM audit_entry WHERE action = '入库'") == 1
    assert balance(bot) == (5_000, 0)


async def test_a_new_workspace_redelivered_is_created_once(bot: Bot):
    update = bot.api.send_text("新建账套 二号店", **LI)
    (created,) = await bot.api.await_messages(1, chat_id=STRANGER)
    assert created["text"].startswith("✅ 已创建账套「二号店」，编号 2")
    bot.api.redeliver(update)
    await bot.settle()
    assert [m["text"] for m in bot.api.sent_messages(STRANGER)[1:]] in ([], [ALREADY_PROCESSED])
    assert bot.rows("SELECT id, name FROM workspace ORDER BY id") == [(1, "默认账套"), (2, "二号店")]
    memberships = bot.rows("SELECT workspace_id, user_id, role FROM member WHERE user_id = :u", u=STRANGER)
    assert memberships == [(2, STRANGER, "老板")]


async def redelivered_join(bot: Bot) -> list[str]:
    """李四 joins with a code, and Telegram delivers her message again; her replies."""
    offer = await bot.say("邀请 仓管")
    (code,) = re.findall(r"邀请码：(\d+-[0-9A-Z]{8})", offer["text"])
    update = bot.api.send_text(f"加入 {code}", **LI)
    await bot.settle()
    bot.api.redeliver(update)
    await bot.settle()
    return [m["text"] for m in bot.api.sent_messages(STRANGER)]


async def test_a_join_redelivered_joins_once(bot: Bot):
    replies = await redelivered_join(bot)
    assert replies[0] == joined_text("仓管")
    assert bot.rows("SELECT workspace_id, role FROM member WHERE user_id = :u", u=STRANGER) == [(1, "仓管")]
    assert bot.rows("SELECT used_by FROM invitation") == [(STRANGER,)]
    assert bot.scalar("SELECT count(*) FROM audit_entry WHERE action = '加入'") == 1


async def test_a_join_redelivered_is_not_answered_as_a_bad_code(bot: Bot):
    replies = await redelivered_join(bot)
    assert replies[1:] == [ALREADY_PROCESSED]


async def test_a_booking_redelivered_to_a_restarted_bot_takes_effect_once(bot: Bot):
    seed_product(bot)
    update = bot.api.send_text("入库 A001 5")
    (first,) = await bot.api.await_messages(1, chat_id=OWNER)
    assert first["text"].startswith("✅ 入库 5 罐")
    # The process dies before Telegram learns the update was handled; a new process (new
    # runtime, new Application, same database) is handed the same update again.
    await bot.stop()
    bot.api.redeliver(update)
    await bot.restart()
    await bot.settle()
    assert [m["text"] for m in bot.api.sent_messages(OWNER)[1:]] in ([], [ALREADY_PROCESSED])
    assert [m[1:3] for m in movements(bot)] == [("receipt", 5_000)]
    assert balance(bot) == (5_000, 0)
    card = await bot.say("库存 A001")
    assert "库存：5 罐" in card["text"]


async def test_a_confirmation_press_redelivered_books_once(bot: Bot):
    seed_product(bot)
    for _ in range(2):
        await bot.say("入库 A001 5")
    question = await bot.say("入库 A001 500")
    assert question["text"].splitlines()[:2] == ["⚠️ 请确认：入库 A001 500 确认", "· 数量 500 是平时（约 5）的 10 倍以上"]
    assert len(movements(bot)) == 2
    (_, confirm_data), _ = buttons(question)
    press = bot.api.press_button(question, confirm_data)
    await bot.settle()
    assert bot.message(question)["text"].startswith("✅ 入库 500 罐 · A001 可口可乐 · 结存 510 罐")

    await bot.stop()
    bot.api.redeliver(press)
    await bot.restart()
    await bot.settle()
    assert [m[1:3] for m in movements(bot)] == [("receipt", 5_000), ("receipt", 5_000), ("receipt", 500_000)]
    assert balance(bot) == (510_000, 0)
    assert bot.message(question)["text"].startswith("✅ 入库 500 罐")


async def test_a_redelivered_press_does_not_claim_the_booking_failed(bot: Bot, caplog: pytest.LogCaptureFixture):
    seed_product(bot)
    for _ in range(2):
        await bot.say("入库 A001 5")
    question = await bot.say("入库 A001 500")
    (_, confirm_data), _ = buttons(question)
    press = bot.api.press_button(question, confirm_data)
    await bot.settle()
    booked = bot.message(question)["text"]
    assert booked.startswith("✅ 入库 500 罐 · A001 可口可乐 · 结存 510 罐")
    replies = len(bot.api.sent_messages(OWNER))
    calls = len(bot.api.calls)
    caplog.set_level(logging.INFO, logger="bot.telegram_app")
    bot.api.redeliver(press)
    await bot.settle()
    assert len(movements(bot)) == 3
    # Telegram refuses to answer the same callback query twice; that must not become
    # "⚠️ 出错了，这条命令没有执行", which would invite the user to book 500 again.
    assert [m["text"] for m in bot.api.sent_messages(OWNER)[replies:]] == []
    assert bot.message(question)["text"] == booked
    assert [m for m, p in bot.api.calls[calls:] if m == "editMessageText"] == []
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.telegram_app"]
    assert any(m.startswith("callback query not answered:") for m in messages), messages
    assert "update failed" not in messages


# ---- rate limit, edits --------------------------------------------------------------------


@pytest.mark.parametrize("bot_settings", [{"jxc_rate_limit": "3/60"}])
async def test_a_burst_beyond_the_rate_limit_is_told_once_then_ignored(bot: Bot):
    seed_product(bot)
    for _ in range(5):
        bot.api.send_text("入库 A001 1")
    await bot.settle()
    replies = [m["text"] for m in bot.api.sent_messages(OWNER)]
    assert len(replies) == 4
    assert [r.splitlines()[0] for r in replies[:3]] == [
        f"✅ 入库 1 罐 · A001 可口可乐 · 结存 {n} 罐" for n in (1, 2, 3)
    ]
    assert re.fullmatch(r"⏳ 发得太快了，请 \d+ 秒后再试。刚才多出的命令没有执行。", replies[3])
    assert [m[2] for m in movements(bot)] == [1_000, 1_000, 1_000]
    assert bot.scalar("SELECT count(*) FROM audit_entry WHERE action = '入库'") == 3
    # Another user is not slowed down by this one.
    assert (await bot.say("帮助", **LI))["text"]


async def test_an_edited_command_is_not_executed_again(bot: Bot):
    seed_product(bot)
    sent = bot.api.send_text("入库 A001 5")
    (booked,) = await bot.api.await_messages(1, chat_id=OWNER)
    assert booked["text"].startswith("✅ 入库 5 罐")
    bot.api.edit_text(sent, "入库 A001 50")
    (_, note) = await bot.api.await_messages(2, chat_id=OWNER)
    assert note["text"] == EDITED
    assert [m[1:3] for m in movements(bot)] == [("receipt", 5_000)]
    assert balance(bot) == (5_000, 0)


# ---- figures a group may not see ----------------------------------------------------------


async def test_a_group_sees_no_amounts_and_the_owner_gets_them_privately(bot: Bot):
    await bot.say("帮助")  # the owner has a private chat with the bot
    await invite(bot, "销售", WANG)
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5", **GROUP_1)

    private_before = len(bot.api.sent_messages(OWNER))
    in_group = await bot.say("入库 A001 4", **GROUP_1)
    lines = in_group["text"].splitlines()
    assert lines[0] == "✅ 入库 4 罐 · A001 可口可乐 · 结存 4 罐"
    assert lines[1].startswith("单号：RK-") and lines[-1] == PRIVATE_NOTE and len(lines) == 3
    assert "金额" not in "\n".join(lines[:-1]) and "2.50" not in in_group["text"]
    (private,) = bot.api.sent_messages(OWNER)[private_before:]
    assert private["text"].splitlines()[:2] == lines[:2]
    assert "单价：2.50 元（按商品进价） · 金额：10.00 元" in private["text"]
    assert "库存金额：10.00 元" in private["text"] and PRIVATE_NOTE not in private["text"]

    # A seller may not see cost at all: a reduced reply, no note, nothing private.
    seller_before = len(bot.api.sent_messages(WANG["user_id"]))
    card = await bot.say("库存 A001", **WANG, **GROUP_1)
    assert "库存：4 罐" in card["text"] and "金额" not in card["text"] and "🔒" not in card["text"]
    assert "成本价" not in card["text"]
    assert len(bot.api.sent_messages(WANG["user_id"])) == seller_before

    # The owner lets this group see cost: the full reply in the group, nothing private.
    await bot.say("设置 本群 可见 成本", **GROUP_1)
    private_before = len(bot.api.sent_messages(OWNER))
    visible = await bot.say("入库 A001 2", **GROUP_1)
    assert "金额：5.00 元" in visible["text"] and PRIVATE_NOTE not in visible["text"]
    assert len(bot.api.sent_messages(OWNER)) == private_before
    seller_card = await bot.say("库存 A001", **WANG, **GROUP_1)
    assert "金额" not in seller_card["text"]  # still not for a seller
    assert balance(bot) == (6_000, 1_500)


async def test_when_the_private_copy_cannot_be_sent_the_group_reply_says_so(bot: Bot):
    # The owner has only ever written in the group: Telegram refuses to open a private chat.
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5", **GROUP_1)
    in_group = await bot.say("入库 A001 4", **GROUP_1)
    lines = in_group["text"].splitlines()
    assert lines[0] == "✅ 入库 4 罐 · A001 可口可乐 · 结存 4 罐"
    assert lines[-1] == PRIVATE_FAILED and PRIVATE_NOTE not in in_group["text"]
    assert "金额" not in "\n".join(lines[:-1]) and "2.50" not in in_group["text"]
    attempts = [p for method, p in bot.api.calls if method == "sendMessage" and p["chat_id"] == OWNER]
    assert attempts and "金额：10.00 元" in attempts[-1]["text"]  # it was tried, and refused
    assert bot.api.sent_messages(OWNER) == []
    assert [m[1:3] for m in movements(bot)] == [("receipt", 4_000)]  # booked once all the same


# ---- files --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["document", "photo"])
async def test_a_file_over_the_size_limit_is_refused_unread(bot: Bot, kind: str):
    seed_product(bot)
    six_mb = 6 * 1024 * 1024
    if kind == "document":
        bot.api.send_document(b"\0" * six_mb, "商品.xlsx", caption="入库 A001 5")
    else:
        bot.api.send_photo(PNG_1X1 + b"\0" * six_mb, caption="入库 A001 5")
    (reply,) = await bot.api.await_messages(1, chat_id=OWNER)
    assert reply["text"] == "❌ 文件太大（6.0 MB），最大 5 MB。没有读取这个文件。"
    await bot.settle()
    assert "getFile" not in {method for method, _ in bot.api.calls}
    assert movements(bot) == []  # the caption was not executed either
    assert len(bot.api.sent_messages(OWNER)) == 1


async def test_a_file_within_the_limit_is_answered_by_its_caption(bot: Bot):
    seed_product(bot)
    bot.api.send_document(b"code,name\n", "商品.csv", caption="入库 A001 5")
    (reply,) = await bot.api.await_messages(1, chat_id=OWNER)
    assert reply["text"].startswith("✅ 入库 5 罐")
    assert [m[1:3] for m in movements(bot)] == [("receipt", 5_000)]


# ---- the token ----------------------------------------------------------------------------


async def test_the_token_never_reaches_a_log(bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch):
    """Everything logged at DEBUG (httpx request lines, failed sends, an internal error with its
    traceback) goes through the redactor ``jxc run`` installs; the token never comes out."""
    token, secret = bot.api.token, bot.api.token.partition(":")[2]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)  # every logger, httpx included (not quietened here)
    redactor = redact_token_in_logs(token)
    try:
        await bot.say("绑定 1", **GROUP_1)
        await bot.say("商品 新增 A001 可口可乐 单位 罐 进价 2.5", **GROUP_1)
        # The private copy is refused (no private chat): Forbidden, logged.
        refused = await bot.say("入库 A001 4", **GROUP_1)
        assert refused["text"].splitlines()[-1] == PRIVATE_FAILED
        # A reply that fails to send, then a server error: both end in the error handler.
        for status, description in ((400, "Bad Request: message to be replied not found"), (502, "Bad Gateway")):
            bot.api.fail_next("sendMessage", error_code=status, description=description)
            notice = await bot.say("库存 A001")
            assert notice["text"] == "⚠️ 出错了，这条命令没有执行。请稍后再试；问题已记录。"

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError(f"disk on fire at {bot.api.base_url}{token}/sendMessage")

        monkeypatch.setattr(bot.runtime.dispatcher, "execute", broken)
        notice = await bot.say("库存")
        assert notice["text"] == "⚠️ 出错了，这条命令没有执行。请稍后再试；问题已记录。"
    finally:
        root.removeHandler(handler)
        for each in root.handlers:
            each.removeFilter(redactor)
    output = stream.getvalue()
    assert token not in output and secret not in output
    assert "HTTP Request: POST" in output and "/bot<token>/sendMessage" in output  # logged, redacted
    assert "could not send the private copy to 1001" in output
    assert output.count("update failed") == 3 and "Traceback" in output
    assert "RuntimeError: disk on fire at" in output and "Bad Gateway" in output
    for record in caplog.records:
        assert secret not in record.getMessage() and secret not in (record.exc_text or ""), record.name
    assert [m[1:3] for m in movements(bot)] == [("receipt", 4_000)]
