"""The dispatcher end to end on a real in-memory database: who is answered, with what, and
that a refused message never changes the books."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text as sql

from bot.app import Runtime, build_runtime
from bot.clock import ManualClock
from bot.dispatcher import MAX_CALLBACK_BYTES, PAGE_CALLBACK, Dispatcher, Incoming, Reply
from bot.parsing import ParseError, parse
from bot.rendering import MAX_REPLY_LENGTH, to_plain
from bot.settings import Settings
from domain.services import check_books
from storage.unit_of_work import SqlUnitOfWork
from tests.bot.chatkit import CHAT_NOT_BOUND, GENEROUS_RATE, NOT_A_MEMBER, snapshot

TODAY = date(2026, 11, 22)  # the conftest clock's day in Asia/Shanghai
OWNER_ID = 1001  # the conftest runtime's only owner
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
STRANGER_ID = 777001
GROUP_ID = -100123


@dataclass(frozen=True)
class Books:
    """What `jxc check` counts, plus every product and its balance."""

    balances: int
    movements: int
    products: tuple[tuple[object, ...], ...]


def books(runtime: Runtime) -> Books:
    report = check_books(SqlUnitOfWork(runtime.engine, runtime.workspace_id))
    assert report.ok, report.mismatches
    uow = SqlUnitOfWork(runtime.engine, runtime.workspace_id)
    with uow:
        products = uow.products.page(None, 0, 10_000)
        rows = tuple((p, uow.stock.total_balance(p.id)) for p in products)
    return Books(report.balances, report.movements, rows)


def private(text: str, user_id: int = OWNER_ID) -> Incoming:
    return Incoming(text, user_id, "老王", user_id, chat_type="private")


def group(text: str, user_id: int = OWNER_ID, addressed: bool = False) -> Incoming:
    return Incoming(text, user_id, "老王", GROUP_ID, chat_type="group", addressed=addressed)


def console(text: str) -> Incoming:
    return Incoming(text, 0, "控制台", 0, chat_type="console")


def say(dispatcher: Dispatcher, incoming: Incoming) -> Reply:
    reply = dispatcher.handle(incoming)
    assert reply is not None, f"no reply to {incoming.text!r}"
    return reply


@pytest.fixture
def dispatcher(runtime: Runtime) -> Dispatcher:
    return runtime.dispatcher


def bind_group(runtime: Runtime) -> None:
    """Groups work only once an owner or admin has bound them to a workspace."""
    reply = say(runtime.dispatcher, group("绑定 1"))
    assert reply.html.startswith("✅ 本群已绑定账套「默认账套」"), reply.html


def _stock_the_shop(runtime: Runtime) -> Runtime:
    d = runtime.dispatcher
    bind_group(runtime)
    assert "✅" in say(d, private("商品 新增 A001 可口可乐 规格 330ml 单位 罐 进价 2.5 售价 3.5 安全库存 20")).html
    assert "✅" in say(d, private("入库 A001 50 单价 2.4 @华东饮料")).html
    assert "✅" in say(d, private("出库 A001 5 单价 3.5")).html
    return runtime


@pytest.fixture
def shop(runtime: Runtime) -> Runtime:
    """One product with some stock (45 罐), booked through the dispatcher."""
    return _stock_the_shop(runtime)


@pytest.fixture(scope="module")
def shared_shop() -> Runtime:
    """The same shop, shared by tests that must not change it (each compares the books
    before and after, so a test that did change them fails itself, not its neighbours)."""
    settings = Settings(
        database_url="sqlite://", jxc_owner_ids=str(OWNER_ID), jxc_rate_limit=GENEROUS_RATE, _env_file=None
    )
    runtime = build_runtime(settings, ManualClock(NOW))
    yield _stock_the_shop(runtime)
    books(runtime)  # asserts `jxc check` passes
    runtime.engine.dispose()


# ---- who gets an answer --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["库存不多了吧", "入库了吗", "今天天气不错", "哈哈", "出库单呢", "hello", "   "])
def test_group_chatter_gets_no_reply(dispatcher: Dispatcher, text: str) -> None:
    assert dispatcher.handle(group(text)) is None


def test_a_strangers_group_chatter_gets_no_refusal_either(dispatcher: Dispatcher) -> None:
    assert dispatcher.handle(group("库存不多了吧", user_id=STRANGER_ID)) is None


@pytest.mark.parametrize("text", ["入库 A001 50", "入库A001 50", "库存", "/stock", "/in@jxc_test_bot A001 5", "帮助", "采购 @华东 A001 1"])
def test_a_group_message_starting_with_a_verb_gets_a_reply(shop: Runtime, text: str) -> None:
    assert shop.dispatcher.handle(group(text)) is not None


def test_a_group_message_addressed_to_the_bot_gets_a_reply_even_without_a_verb(dispatcher: Dispatcher) -> None:
    reply = say(dispatcher, group("你好", addressed=True))
    assert reply.html.startswith("❌")


def test_a_group_receipt_is_booked(shop: Runtime) -> None:
    reply = say(shop.dispatcher, group("入库 A001 10"))
    assert "✅" in reply.html and "结存 55 罐" in reply.html


@pytest.mark.parametrize(
    "text",
    ["库存", "库存 A001", "流水 A001", "商品 A001", "入库 A001 50", "出库 A001 5", "商品 新增 B001 雪碧", "商品 停用 A001", "撤销", "日志", "成员"],
)
def test_a_non_member_gets_the_not_a_member_reply_that_reveals_nothing(shared_shop: Runtime, text: str) -> None:
    before = snapshot(shared_shop.engine)
    reply = say(shared_shop.dispatcher, private(text, user_id=STRANGER_ID))
    assert reply.html == NOT_A_MEMBER
    assert reply.html.startswith("🔒")
    for secret in (str(STRANGER_ID), "默认账套", "A001", "可口可乐", "45", "华东"):
        assert secret not in reply.html
    assert reply.buttons == [] and reply.private is None
    assert snapshot(shared_shop.engine) == before


@pytest.mark.parametrize("text", ["帮助", "帮助 入库", "/start"])
def test_a_non_member_may_read_the_help(shared_shop: Runtime, text: str) -> None:
    # Help is the same text for everyone: it says nothing about any workspace.
    reply = say(shared_shop.dispatcher, private(text, user_id=STRANGER_ID))
    assert reply.html.startswith("📖")
    assert reply.html == say(shared_shop.dispatcher, private(text)).html
    assert "默认账套" not in reply.html


def test_a_non_member_in_a_bound_group_is_refused_without_booking(shared_shop: Runtime) -> None:
    before = snapshot(shared_shop.engine)
    reply = say(shared_shop.dispatcher, group("出库 A001 45", user_id=STRANGER_ID))
    assert reply.html == NOT_A_MEMBER
    assert snapshot(shared_shop.engine) == before


def test_an_owner_in_an_unbound_group_is_told_to_bind_it(shared_shop: Runtime) -> None:
    before = snapshot(shared_shop.engine)
    unbound = Incoming("出库 A001 45", OWNER_ID, "老王", GROUP_ID - 1, chat_type="group")
    assert say(shared_shop.dispatcher, unbound).html == CHAT_NOT_BOUND
    assert snapshot(shared_shop.engine) == before


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (private("", user_id=STRANGER_ID), NOT_A_MEMBER),
        (group("", user_id=STRANGER_ID), NOT_A_MEMBER),
        (Incoming("", OWNER_ID, "老王", GROUP_ID - 1, chat_type="group"), CHAT_NOT_BOUND),
        (Incoming("", STRANGER_ID, "路人", GROUP_ID - 1, chat_type="group"), CHAT_NOT_BOUND),
    ],
    ids=["stranger in private", "stranger in the bound group", "owner in an unbound group", "stranger in an unbound group"],
)
@pytest.mark.parametrize("data", [PAGE_CALLBACK + "库存 第2页", PAGE_CALLBACK + "流水 A001 第1页", "pg#0000000000000000"])
def test_a_non_members_page_press_is_a_pop_up_that_leaves_the_list_alone(
    shared_shop: Runtime, incoming: Incoming, expected: str, data: str
) -> None:
    before = snapshot(shared_shop.engine)
    reply = shared_shop.dispatcher.handle_button(incoming, data)
    assert reply == Reply(expected, alert=True)
    assert snapshot(shared_shop.engine) == before


def test_the_console_user_is_always_allowed(shop: Runtime) -> None:
    assert console("").user_id != OWNER_ID  # the console user is not an owner
    reply = say(shop.dispatcher, console("库存 A001"))
    assert "<b>45</b> 罐" in reply.html
    reply = say(shop.dispatcher, console("入库 A001 5"))
    assert "结存 50 罐" in reply.html


def test_a_private_non_command_gets_the_help_pointer(dispatcher: Dispatcher) -> None:
    reply = say(dispatcher, private("今天进了五十罐可乐"))
    assert "帮助" in reply.html
    assert not reply.html.startswith("❌")


# ---- replies ---------------------------------------------------------------------------------


def test_replies_are_telegram_html_under_the_length_limit(shop: Runtime, check_html) -> None:
    for text in ["帮助", "帮助 入库", "帮助 采购", "库存", "库存 A001", "商品 A001", "商品 可口", "流水 A001", "流水 A001 本月", "采购 @x A001 1", "入库 A001 5罐", "出库 A001 1", "商品 修改 A001 售价 3.8", "商品 停用 A001", "商品 启用 A001"]:
        reply = say(shop.dispatcher, private(text))
        check_html(reply.html)
        assert len(reply.html) <= MAX_REPLY_LENGTH


@pytest.mark.parametrize(
    ("text", "template_mark"),
    [
        ("入库 Z999 5", "未找到商品"),
        ("入库 A00l 5", "A001"),  # look-alike suggestion
        ("出库 A001 4500", "库存不足"),
        ("入库 A001 2.5kg", "单位是「罐」"),
        ("入库 A001 2.5", "不能有小数"),
        ("商品 新增 A001 雪碧", "已被"),
        ("商品 修改 A001 售价 3.5", "没有变化"),
        ("入库 A001 5 日期 2026-11-23", "还没到"),
    ],
)
def test_a_refused_booking_explains_why_and_changes_nothing(shop: Runtime, check_html, text: str, template_mark: str) -> None:
    before = books(shop)
    reply = say(shop.dispatcher, private(text))
    check_html(reply.html)
    assert template_mark in reply.html
    assert books(shop) == before


def test_a_receipt_without_a_price_onto_unvalued_stock_stays_unvalued(runtime: Runtime) -> None:
    # An average cost of 0.00 (stock received without any price) is no price: not "0.00 按当前平均成本".
    d = runtime.dispatcher
    assert say(d, private("商品 新增 B001 雪碧 单位 瓶")).html.startswith("✅")
    unvalued = "未填单价，本次入库不计金额。下次可写 <code>单价 …</code>，或设置进价：<code>商品 修改 B001 进价 …</code>"
    for number, balance in ((1, 5), (2, 10)):
        reply = say(d, private("入库 B001 5"))
        assert reply.html == f"✅ 入库 5 瓶 · <b>B001</b> 雪碧 · 结存 {balance} 瓶\n单号：RK-2026-000{number}\n{unvalued}"
    with runtime.engine.connect() as connection:
        rows = connection.execute(sql("SELECT number, value, unit_price FROM stock_movement ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [("RK-2026-0001", 0, None), ("RK-2026-0002", 0, None)]
    # Once there is a value, its average is a price again.
    say(d, private("入库 B001 5 单价 3 确认"))
    reply = say(d, private("入库 B001 5"))
    assert "单价：1.00 元（按当前平均成本） · 金额：5.00 元" in reply.html


# ---- paging ---------------------------------------------------------------------------------


def _page_buttons(reply: Reply) -> list:
    return [button for row in reply.buttons for button in row]


@pytest.fixture
def big_shop(runtime: Runtime) -> Runtime:
    d = runtime.dispatcher
    for n in range(1, 24):
        say(d, private(f"商品 新增 A{n:03d} 可乐{n}号 单位 罐"))
    for n in range(1, 13):
        say(d, private(f"入库 A001 {n}"))
    bind_group(runtime)
    return runtime


@pytest.mark.parametrize(("text", "page_one_mark", "page_two_mark"), [
    ("库存", "第 1/3 页", "第 2/3 页"),
    ("商品 可乐", "第 1/3 页", "第 2/3 页"),
    ("商品", "第 1/3 页", "第 2/3 页"),
    ("流水 A001", "第 1/2 页", "第 2/2 页"),
    ("流水 A001 本月", "第 1/2 页", "第 2/2 页"),
])
def test_paged_replies_have_buttons_that_turn_the_page(big_shop: Runtime, text: str, page_one_mark: str, page_two_mark: str) -> None:
    d = big_shop.dispatcher
    first = say(d, private(text))
    assert page_one_mark in first.html
    buttons = _page_buttons(first)
    assert [b.text for b in buttons] == ["下一页 ▶"]
    for button in buttons:
        assert button.data.startswith(PAGE_CALLBACK)
        assert len(button.data.encode()) <= MAX_CALLBACK_BYTES
    second = d.handle_button(private(""), buttons[0].data)
    assert second is not None and page_two_mark in second.html and not second.alert
    assert second.html != first.html
    labels = [b.text for b in _page_buttons(second)]
    assert labels[0] == "◀ 上一页"
    back = d.handle_button(private(""), _page_buttons(second)[0].data)
    assert back is not None and page_one_mark in back.html
    # Same rows as the first page (the header may name the period by its dates instead).
    assert back.html.split("\n")[1:] == first.html.split("\n")[1:]


def test_page_buttons_work_from_a_group(big_shop: Runtime) -> None:
    d = big_shop.dispatcher
    first = say(d, group("库存"))
    second = d.handle_button(group(""), _page_buttons(first)[0].data)
    assert second is not None and "第 2/3 页" in second.html


def test_a_single_page_has_no_buttons(shared_shop: Runtime) -> None:
    assert say(shared_shop.dispatcher, private("库存")).buttons == []
    assert say(shared_shop.dispatcher, private("流水 A001")).buttons == []


def test_unknown_button_data_is_ignored(shared_shop: Runtime) -> None:
    assert shared_shop.dispatcher.handle_button(private(""), "xx:whatever") is None


def test_a_ledger_of_a_long_code_with_a_period_still_has_a_next_page_button(runtime: Runtime) -> None:
    # Codes may have 32 characters; the next page of their ledger must stay reachable.
    d = runtime.dispatcher
    code = "X" * 32
    say(d, private(f"商品 新增 {code} 长编码商品"))
    for _ in range(11):
        say(d, private(f"入库 {code} 1"))
    reply = say(d, private(f"流水 {code} 本月"))
    assert "第 1/2 页" in reply.html
    buttons = _page_buttons(reply)
    assert [b.text for b in buttons] == ["下一页 ▶"]
    assert all(len(b.data.encode()) <= MAX_CALLBACK_BYTES for b in buttons)


def test_a_ledger_page_full_of_long_notes_is_still_valid_telegram_html(runtime: Runtime, check_html) -> None:
    # Notes may have 200 characters; ten of them with "&" and "<" (escaped to &amp; &lt;) make
    # the HTML of one ledger page longer than 4096 characters. Whatever the dispatcher does
    # about that, Telegram must still be able to parse the reply, and its text must fit.
    d = runtime.dispatcher
    say(d, private("商品 新增 A001 可口可乐 单位 罐"))
    note = ("x" + "R&D部<急>用 " * 30)[:200]
    for _ in range(10):
        say(d, private(f"入库 A001 1 @华东饮料&物流有限公司 备注 {note}"))
    reply = say(d, private("流水 A001"))
    check_html(reply.html)
    assert len(to_plain(reply.html)) <= MAX_REPLY_LENGTH


# ---- every ParseError path ------------------------------------------------------------------

PARSE_ERRORS = [
    "入库",
    "入库 A001",
    "入库 A001 -5",
    "入库 A001 0",
    "入库 A001 1234567890123456789012345678901234567890",
    "入库 A001 1.2345",
    "入库 A001 5 单价 2.345",
    "出库 A001 5 有效期 2027-03-01",  # 批次 belongs to 入库/出库 since batches (issue 5); 有效期 to 入库 only
    "入库 A001 5 单价 2 单价 3",
    "入库 A001 5 @华东 @好味",
    "入库 A001 5 @",
    "入库 A001 5 日期 13-40",
    "入库 A001 5 日期 明天",
    "入库 A001 5 6",
    "入库 A001 5 第2页",
    "入库 A00!1 5",
    "出库 A001 5 备注",
    "出库 A001 <5>",
    "商品 新增",
    "商品 新增 A001",
    "商品 新增 B001 雪碧 单价 3",
    "商品 修改 A001",
    "商品 修改 A001 安全库存 -1",
    "商品 停用",
    "商品 " + "可" * 33,
    "库存 A001 A002",
    "库存 第0页",
    "流水",
    "流水 A001 8天前",
    "流水 A001 2026-11-15~2026-11-01",
    "帮助 吃饭",
    "/foo",
    "/foo@jxc_test_bot A001 5",
    "",
    "入库\n出库",  # several lines are a batch now; one of only verbs books nothing
    "入库 A001 5\x07",
    "入库 A001 5 备注 " + "很" * 10_000,
]


@pytest.mark.parametrize("text", PARSE_ERRORS, ids=[f"{n:02d}" for n in range(len(PARSE_ERRORS))])
@pytest.mark.parametrize("chat", ["private", "console", "group-addressed"])
def test_every_parse_error_gets_a_cross_the_usage_and_changes_nothing(shared_shop: Runtime, check_html, text: str, chat: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    error = caught.value
    incoming = {"private": private, "console": console, "group-addressed": lambda t: group(t, addressed=True)}[chat](text)
    before = books(shared_shop)
    reply = say(shared_shop.dispatcher, incoming)
    assert reply.html.startswith("❌"), f"{text[:60]!r} → {reply.html[:80]!r}"
    assert ("用法" in reply.html) == bool(error.usage)
    check_html(reply.html)
    assert reply.buttons == []
    assert books(shared_shop) == before


def test_a_page_command_too_long_for_callback_data_is_kept_server_side(dispatcher):
    """A 32-character code and an explicit period make the page command over 64 bytes."""
    code = "A" * 32
    owner = Incoming("x", OWNER_ID, "店主", OWNER_ID)
    dispatcher.handle(replace(owner, text=f"商品 新增 {code} 长编码商品 单位 件"))
    for _ in range(11):
        dispatcher.handle(replace(owner, text=f"入库 {code} 1"))
    first = dispatcher.handle(replace(owner, text=f"流水 {code} 2026-11-01~2026-11-30"))
    (button,) = first.buttons[0]
    assert len(button.data.encode()) <= 64 and button.command.endswith("第2页")
    second = dispatcher.handle_button(owner, button.data)
    assert "第 2/2 页" in second.html and not second.alert  # a page turn replaces the list
    # A key the process no longer holds (a restart, or pushed out): a pop-up, the list stays.
    expired = dispatcher.handle_button(owner, "pg#0000000000000000")
    assert expired == Reply("⌛ 这个按钮已过期，请重新发送命令。", alert=True)
