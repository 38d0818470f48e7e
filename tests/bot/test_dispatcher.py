"""The dispatcher end to end on a real in-memory database: who is answered, with what, and
that a refused message never changes the books."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

import pytest

from bot.app import Runtime, build_runtime
from bot.clock import ManualClock
from bot.dispatcher import MAX_CALLBACK_BYTES, PAGE_CALLBACK, Dispatcher, Incoming, Reply
from bot.parsing import ParseError, parse
from bot.rendering import MAX_REPLY_LENGTH, to_plain
from bot.settings import Settings
from domain.services import check_books
from storage.unit_of_work import SqlUnitOfWork

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


def _stock_the_shop(runtime: Runtime) -> Runtime:
    d = runtime.dispatcher
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
    settings = Settings(database_url="sqlite://", jxc_owner_ids=str(OWNER_ID), _env_file=None)
    runtime = build_runtime(settings, ManualClock(NOW))
    yield _stock_the_shop(runtime)
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
    ["库存", "库存 A001", "流水 A001", "商品 A001", "入库 A001 50", "出库 A001 5", "商品 新增 B001 雪碧", "商品 停用 A001", "帮助"],
)
def test_an_unauthorised_user_gets_the_refusal_with_their_id_and_no_data(shared_shop: Runtime, text: str) -> None:
    before = books(shared_shop)
    reply = say(shared_shop.dispatcher, private(text, user_id=STRANGER_ID))
    assert str(STRANGER_ID) in reply.html
    assert reply.html.startswith("🔒")
    for secret in ("A001", "可口可乐", "45", "华东"):
        assert secret not in reply.html
    assert reply.buttons == []
    assert books(shared_shop) == before


def test_an_unauthorised_user_in_a_group_is_refused_without_booking(shared_shop: Runtime) -> None:
    before = books(shared_shop)
    reply = say(shared_shop.dispatcher, group("出库 A001 45", user_id=STRANGER_ID))
    assert str(STRANGER_ID) in reply.html and "A001" not in reply.html
    assert books(shared_shop) == before


def test_an_unauthorised_button_press_is_refused(shared_shop: Runtime) -> None:
    reply = shared_shop.dispatcher.handle_button(private("", user_id=STRANGER_ID), PAGE_CALLBACK + "库存 第2页")
    assert reply is not None and str(STRANGER_ID) in reply.html and "A001" not in reply.html


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
    assert second is not None and page_two_mark in second.html
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
    "入库 A001 5 仓库 二仓",
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
    "入库 A001 50\n入库 A002 30",
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
    assert "第 2/2 页" in second.html
    expired = dispatcher.handle_button(owner, "pg#0000000000000000")
    assert "按钮已过期" in expired.html
