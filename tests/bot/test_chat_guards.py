"""Guard rails through the dispatcher: the per-user rate limit, edited messages, confirmation
buttons for risky input, and exactly-once Telegram updates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import Runtime
from bot.clock import ManualClock
from bot.dispatcher import CANCEL_CALLBACK, CONFIRM_CALLBACK, Reply
from domain import history
from storage.unit_of_work import SqlUnitOfWork
from tests.bot.chatkit import (
    ALREADY_PROCESSED,
    EDITED,
    OWNER,
    STRANGER,
    Person,
    assert_books_ok,
    bind,
    changed_tables,
    console,
    group,
    invite,
    join,
    make_runtime,
    movement_numbers,
    ok,
    press,
    private,
    rendered,
    say,
    snapshot,
)

KEEPER = Person(2001, "老李", "laoli")
GROUP = -100300
USED_UP = "⌛ 这个确认已经过期或已处理。需要的话请重新发送命令。"


def _stock(runtime: Runtime) -> Runtime:
    ok(say(runtime, private("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5")))
    ok(say(runtime, private("入库 A001 50 单价 2.4")))
    return runtime


# ---- rate limit ----------------------------------------------------------------------------------


@pytest.fixture
def limited(clock: ManualClock) -> Iterator[Runtime]:
    """Three commands per user per 60 seconds."""
    runtime = make_runtime(clock=clock, rate="3/60")
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


def test_the_fourth_command_in_the_window_is_refused_once_then_silence(limited: Runtime, clock: ManualClock) -> None:
    for text in ("商品 新增 A001 可口可乐 单位 罐", "入库 A001 5", "库存"):
        assert not say(limited, private(text)).html.startswith("⏳")
    before = snapshot(limited.engine)
    fourth = say(limited, private("入库 A001 5"))
    # The oldest command leaves the window 60 seconds after it was sent: wait 60, not 61.
    assert fourth == Reply(rendered("errors/rate_limited.html", seconds=60))
    assert fourth.html == "⏳ 发得太快了，请 60 秒后再试。刚才多出的命令没有执行。"
    assert limited.dispatcher.handle(private("入库 A001 5")) is None
    assert limited.dispatcher.handle(private("库存")) is None
    assert snapshot(limited.engine) == before, "a limited command was executed"
    clock.advance(timedelta(seconds=60))
    assert say(limited, private("入库 A001 5")).html.startswith("✅ 入库 5 罐 · <b>A001</b> 可口可乐 · 结存 10 罐")
    assert movement_numbers(limited, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(limited)


def test_the_wait_is_counted_from_the_oldest_command_in_the_window(limited: Runtime, clock: ManualClock) -> None:
    for _ in range(3):
        say(limited, private("帮助"))
        clock.advance(timedelta(seconds=10))
    assert say(limited, private("帮助")).html == "⏳ 发得太快了，请 30 秒后再试。刚才多出的命令没有执行。"
    clock.advance(timedelta(seconds=29, milliseconds=500))
    assert limited.dispatcher.handle(private("帮助")) is None  # still in the window: silence
    clock.advance(timedelta(milliseconds=500))  # exactly the 30 seconds: the first command leaves the window
    assert say(limited, private("帮助")).html.startswith("📖")
    assert limited.dispatcher.handle(private("帮助")) is not None  # told again: a new burst


def test_another_user_and_the_console_are_not_limited(limited: Runtime) -> None:
    for _ in range(3):
        say(limited, private("帮助"))
    assert say(limited, private("帮助")).html.startswith("⏳")
    assert say(limited, private("帮助", STRANGER)).html.startswith("📖")
    for n in range(10):
        assert say(limited, console(f"仓库 新增 仓{n}")).html.startswith("✅ 已新增仓库")
    assert limited.dispatcher.handle(private("帮助")) is None


def test_group_chatter_does_not_count(limited: Runtime) -> None:
    bind(limited, GROUP)  # 1
    for _ in range(5):
        assert limited.dispatcher.handle(group("今天天气不错", GROUP)) is None
    assert say(limited, group("库存", GROUP)).html.startswith("📊")  # 2
    assert say(limited, private("库存")).html.startswith("📊")  # 3: one limit across chats
    assert say(limited, group("库存", GROUP)).html.startswith("⏳")


def test_a_refused_and_an_unreadable_command_count_too(limited: Runtime) -> None:
    assert say(limited, private("入库")).html.startswith("❌")
    assert say(limited, private("入库 Z999 1")).html.startswith("❌")
    assert say(limited, private("今天进了五十罐")).html.startswith("🤔")
    assert say(limited, private("帮助")).html.startswith("⏳")


# ---- edited messages -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["入库 A001 5", "出库 A001 5", "商品 修改 A001 售价 4", "撤销", "库存"])
def test_an_edited_message_is_answered_with_the_edit_note_and_books_nothing(runtime: Runtime, text: str) -> None:
    _stock(runtime)
    bind(runtime, GROUP)
    before = snapshot(runtime.engine)
    for incoming in (private(text, edited=True), group(text, GROUP, edited=True), private(text, STRANGER, edited=True)):
        reply = say(runtime, incoming)
        assert reply == Reply(EDITED)
        assert reply.html == "✏️ 修改过的消息不会再执行一次。要更正：先发送 <code>撤销</code>，再发送正确的命令。"
    assert runtime.dispatcher.handle(group("哈哈 好的", GROUP, edited=True)) is None  # edited chatter: silence
    assert snapshot(runtime.engine) == before


# ---- confirmations -------------------------------------------------------------------------------


@pytest.fixture
def shop(any_runtime: Runtime) -> Runtime:
    """50 罐 received at 2.40 (the typical receipt: 50), a keeper, a bound group."""
    _stock(any_runtime)
    join(any_runtime, "仓管", KEEPER)
    bind(any_runtime, GROUP)
    return any_runtime


QUESTION_600 = (
    "⚠️ 请确认：<code>入库 A001 600 确认</code>\n"
    "· 数量 600 是平时（约 50）的 10 倍以上\n"
    "5 分钟内有效，只有发出命令的人能确认。"
)


def _ask(runtime: Runtime, who: Person = KEEPER, text: str = "入库 A001 600") -> tuple[str, str]:
    before = snapshot(runtime.engine)
    reply = say(runtime, group(text, GROUP, who))
    assert reply.html.startswith("⚠️ 请确认"), reply.html
    (confirm, cancel), = reply.buttons
    assert (confirm.text, cancel.text) == ("✅ 确认", "✖ 取消")
    assert confirm.data.startswith(CONFIRM_CALLBACK) and cancel.data.startswith(CANCEL_CALLBACK)
    assert confirm.data[3:] == cancel.data[3:] and len(confirm.data.encode()) <= 64
    assert changed_tables(before, snapshot(runtime.engine)) == {"confirmation"}, "asking booked something"
    return confirm.data, cancel.data


def test_a_tenfold_quantity_asks_first_with_buttons(shop: Runtime) -> None:
    reply = say(shop, group("入库 A001 600", GROUP, KEEPER))
    assert reply.html == QUESTION_600
    assert reply.buttons[0][0].command == "入库 A001 600 确认"  # what to type where buttons cannot be pressed


def test_only_the_issuer_can_confirm_and_only_once(shop: Runtime) -> None:
    confirm, _ = _ask(shop)
    before = snapshot(shop.engine)
    # The owner presses the keeper's button: a pop-up for the owner, and the button stays usable.
    foreign = press(shop, group("", GROUP, OWNER), confirm)
    assert foreign == Reply("🔒 这个按钮只能由发出命令的人点。", alert=True)
    assert snapshot(shop.engine) == before
    booked = press(shop, group("", GROUP, KEEPER), confirm)
    assert booked.html.startswith("✅ 入库 600 罐 · <b>A001</b> 可口可乐 · 结存 650 罐\n单号：RK-2026-0002")
    assert not booked.alert  # a success replaces the question
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    again = press(shop, group("", GROUP, KEEPER), confirm)
    assert again == Reply(USED_UP, alert=True)  # the success reply stays in place
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(shop)


def test_cancel_books_nothing_and_uses_the_button_up(shop: Runtime) -> None:
    confirm, cancel = _ask(shop)
    before = snapshot(shop.engine)
    assert press(shop, group("", GROUP, OWNER), cancel) == Reply("🔒 这个按钮只能由发出命令的人点。", alert=True)
    assert snapshot(shop.engine) == before
    assert press(shop, group("", GROUP, KEEPER), cancel) == Reply("✖ 已取消，没有执行：<code>入库 A001 600 确认</code>")
    assert changed_tables(before, snapshot(shop.engine)) == {"confirmation"}  # used up, nothing booked
    for data in (confirm, cancel):
        assert press(shop, group("", GROUP, KEEPER), data) == Reply(USED_UP, alert=True)
    assert movement_numbers(shop, 1) == ["RK-2026-0001"]
    assert_books_ok(shop)


@pytest.mark.parametrize(("wait", "booked"), [(timedelta(minutes=4, seconds=59), True), (timedelta(minutes=5), False)])
def test_a_confirmation_expires_after_five_minutes(shop: Runtime, clock: ManualClock, wait: timedelta, booked: bool) -> None:
    confirm, _ = _ask(shop)
    clock.advance(wait)
    reply = press(shop, group("", GROUP, KEEPER), confirm)
    if booked:
        assert reply.html.startswith("✅ 入库 600 罐") and not reply.alert
        assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    else:
        assert reply == Reply(USED_UP, alert=True)
        assert movement_numbers(shop, 1) == ["RK-2026-0001"]
    assert_books_ok(shop)


def test_writing_confirm_books_directly(shop: Runtime) -> None:
    reply = say(shop, group("入库 A001 5000 确认", GROUP, KEEPER))
    assert reply.html.startswith("✅ 入库 5,000 罐 · <b>A001</b> 可口可乐 · 结存 5,050 罐")
    assert reply.buttons == []
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(shop)


def test_a_price_far_from_the_last_one_asks_and_hides_the_last_price_in_the_group(shop: Runtime) -> None:
    reply = say(shop, group("入库 A001 5 单价 24", GROUP, KEEPER))
    assert reply.html == (
        "⚠️ 请确认：<code>入库 A001 5 单价 24 确认</code>\n"
        "· 单价 24.00 元与上次相差超过 50%\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    reply = say(shop, private("入库 A001 5 单价 24", KEEPER))
    assert "· 单价 24.00 元与上次（2.40 元）相差超过 50%" in reply.html
    assert movement_numbers(shop, 1) == ["RK-2026-0001"]


def test_a_tenfold_issue_asks_too(shop: Runtime) -> None:
    ok(say(shop, private("出库 A001 1")))
    reply = say(shop, private("出库 A001 20"))
    assert reply.html.startswith("⚠️ 请确认：<code>出库 A001 20 确认</code>\n· 数量 20 是平时（约 1）的 10 倍以上")
    # A shortage is refused before anyone is asked.
    assert say(shop, private("出库 A001 4000")).html.startswith("❌ 库存不足")
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "CK-2026-0001"]


def test_a_press_is_checked_against_the_issuers_role_at_press_time(shop: Runtime) -> None:
    confirm, _ = _ask(shop)
    assert say(shop, private("成员 设置 @laoli 只读")).html == "✅ 老李 的角色：仓管 → 只读"
    before = snapshot(shop.engine)
    reply = press(shop, group("", GROUP, KEEPER), confirm)
    # The issuer's own press: the answer replaces the question.
    assert reply == Reply("🔒 你的角色「只读」不能入库、出库、调拨、盘点、报损。需要：老板、管理员、仓管。")
    assert movement_numbers(shop, 1) == ["RK-2026-0001"]
    # Nothing was booked, so the button was not used up either.
    assert snapshot(shop.engine) == before


def test_a_removed_members_press_is_a_dead_button(shop: Runtime) -> None:
    confirm, _ = _ask(shop)
    ok(say(shop, private("成员 移除 @laoli")))
    before = snapshot(shop.engine)
    assert press(shop, group("", GROUP, KEEPER), confirm) == Reply(USED_UP, alert=True)
    assert snapshot(shop.engine) == before
    assert movement_numbers(shop, 1) == ["RK-2026-0001"]


def test_a_crash_between_the_press_and_the_booking_leaves_the_button_usable(
    shop: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirm, _ = _ask(shop)
    before = snapshot(shop.engine)
    commit = SqlUnitOfWork.commit
    crashes = []

    def crash_once(uow: SqlUnitOfWork) -> None:
        if uow.confirmation is not None and not crashes:
            crashes.append(uow.confirmation)
            raise RuntimeError("the process died before the booking was committed")
        commit(uow)

    monkeypatch.setattr(SqlUnitOfWork, "commit", crash_once)
    with pytest.raises(RuntimeError):
        shop.dispatcher.handle_button(group("", GROUP, KEEPER), confirm)
    assert crashes == [confirm[len(CONFIRM_CALLBACK) :]]
    assert snapshot(shop.engine) == before  # neither booked nor used up
    booked = press(shop, group("", GROUP, KEEPER), confirm)
    assert booked.html.startswith("✅ 入库 600 罐 · <b>A001</b> 可口可乐 · 结存 650 罐\n单号：RK-2026-0002")
    assert press(shop, group("", GROUP, KEEPER), confirm) == Reply(USED_UP, alert=True)
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(shop)


def _two_presses_at_once(shop: Runtime, monkeypatch: pytest.MonkeyPatch, confirm: str) -> Reply:
    """The second of two presses that both passed the check before either booked: the first
    books, then the second reaches its commit with the button already used up."""
    booked = press(shop, group("", GROUP, KEEPER), confirm)
    assert booked.html.startswith("✅ 入库 600 罐") and not booked.alert
    checked = "入库 A001 600 确认"  # what the second press read while the button was still unused
    monkeypatch.setattr(history, "confirmation_text", lambda uow, ctx, token: checked)
    before = snapshot(shop.engine)
    late = press(shop, group("", GROUP, KEEPER), confirm)
    assert snapshot(shop.engine) == before, "the second press booked or changed something"
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(shop)
    return late


def test_of_two_presses_at_once_only_one_books(shop: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    confirm, _ = _ask(shop)
    late = _two_presses_at_once(shop, monkeypatch, confirm)
    assert late.html == USED_UP


def test_the_losing_press_of_a_race_is_a_pop_up(shop: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    confirm, _ = _ask(shop)
    assert _two_presses_at_once(shop, monkeypatch, confirm) == Reply(USED_UP, alert=True)


# ---- exactly once --------------------------------------------------------------------------------


def test_a_redelivered_booking_is_booked_once(shop: Runtime) -> None:
    first = say(shop, private("入库 A001 5", KEEPER, update_id=9001))
    assert first.html.startswith("✅ 入库 5 罐")
    before = snapshot(shop.engine)
    again = say(shop, private("入库 A001 5", KEEPER, update_id=9001))
    assert again == Reply(ALREADY_PROCESSED)
    assert again.html == "ℹ️ 这条消息已经处理过了，没有重复记账。"
    assert snapshot(shop.engine) == before
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    # A new update with the same text is a new booking.
    ok(say(shop, private("入库 A001 5", KEEPER, update_id=9002)))
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002", "RK-2026-0003"]
    assert_books_ok(shop)


@pytest.mark.parametrize("text", ["库存", "库存 A001", "流水 A001", "日志", "成员"])
def test_a_redelivered_read_is_simply_answered_again(shop: Runtime, text: str) -> None:
    first = say(shop, private(text, update_id=9100))
    again = say(shop, private(text, update_id=9100))
    assert again == first and not again.html.startswith("ℹ️")


def test_a_redelivered_refusal_is_refused_again_and_books_nothing(shop: Runtime) -> None:
    before = snapshot(shop.engine)
    for _ in range(2):
        assert say(shop, private("出库 A001 4000", update_id=9200)).html.startswith("❌ 库存不足")
    assert snapshot(shop.engine) == before


@pytest.mark.parametrize(
    "text",
    ["商品 新增 B001 雪碧", "商品 修改 A001 售价 3.9", "仓库 新增 二仓", "邀请 仓管", "成员 设置 @laoli 采购"],
)
def test_every_redelivered_change_takes_effect_once(shop: Runtime, text: str) -> None:
    ok(say(shop, private(text, update_id=9300)), "✅" if not text.startswith("邀请") else "✉️")
    before = snapshot(shop.engine)
    assert say(shop, private(text, update_id=9300)).html == ALREADY_PROCESSED
    assert snapshot(shop.engine) == before


def test_a_redelivered_join_and_bind_take_effect_once(shop: Runtime) -> None:
    seller = Person(2004, "销售丁", "seller")
    code = invite(shop, "销售")
    joined = say(shop, private(f"加入 {code}", seller, update_id=9350))
    assert joined.html.startswith("✅ 已加入「默认账套」，角色：销售。")
    before = snapshot(shop.engine)
    # Not "邀请码无效、已用过" (it was used — by this very message) nor "你已经是…成员".
    assert say(shop, private(f"加入 {code}", seller, update_id=9350)) == Reply(ALREADY_PROCESSED)
    assert snapshot(shop.engine) == before
    other_group = GROUP - 1
    bind(shop, other_group)  # without an update id
    ok(say(shop, group("解绑", other_group)))
    ok(say(shop, group("绑定 1", other_group, update_id=9351)))
    before = snapshot(shop.engine)
    assert say(shop, group("绑定 1", other_group, update_id=9351)) == Reply(ALREADY_PROCESSED)
    assert snapshot(shop.engine) == before
    # The same text in a new update is answered as what it is now.
    assert say(shop, group("绑定 1", other_group, update_id=9352)).html == "ℹ️ 本群已经绑定账套「默认账套」，不用再绑定。"


def test_a_redelivered_group_booking_is_booked_once(shop: Runtime) -> None:
    ok(say(shop, group("出库 A001 5", GROUP, KEEPER, update_id=9400)))
    assert say(shop, group("出库 A001 5", GROUP, KEEPER, update_id=9400)).html == ALREADY_PROCESSED
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "CK-2026-0001"]
    assert_books_ok(shop)


def test_a_redelivered_new_workspace_is_created_once(shop: Runtime) -> None:
    zhang = Person(2002, "小张", "xiaozhang")
    ok(say(shop, private("新建账套 二号店", zhang, update_id=9500)))
    before = snapshot(shop.engine)
    assert say(shop, private("新建账套 二号店", zhang, update_id=9500)).html == ALREADY_PROCESSED
    assert snapshot(shop.engine) == before


def test_a_redelivered_confirmation_press_books_once(shop: Runtime) -> None:
    confirm, _ = _ask(shop)
    ok(press(shop, group("", GROUP, KEEPER, update_id=9600), confirm))
    before = snapshot(shop.engine)
    again = press(shop, group("", GROUP, KEEPER, update_id=9600), confirm)
    assert again == Reply(USED_UP, alert=True)  # used up: a pop-up, the success reply stays
    assert snapshot(shop.engine) == before
    assert movement_numbers(shop, 1) == ["RK-2026-0001", "RK-2026-0002"]
    assert_books_ok(shop)
