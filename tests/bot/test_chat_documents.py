"""Documents (issue 4) through the dispatcher on a real database, by the people whose work they
are: the buyer orders, an admin approves, the keeper receives and ships, the seller sells, the
bookkeeper collects and pays. Exact replies, the buttons for the next steps (pressed, not just
shown), the rows behind them, and refusals that change nothing. The main cycles run on SQLite and
PostgreSQL; `jxc check` (stock and documents) passes after each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.dispatcher import Reply
from storage.document_tables import AllocationRow, OpenItemRow, OrderLineRow, PaymentRow, TradeOrderRow
from storage.tables import StockMovementRow
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import workspace_ids
from tests.bot.chatkit import (
    OWNER,
    Person,
    assert_books_ok,
    bind,
    changed_tables,
    group,
    join,
    ok,
    press,
    private,
    say,
    snapshot,
)

D = Decimal
ADMIN = Person(2001, "小李", "xiaoli")
KEEPER = Person(2002, "老李", "laoli")
BUYER = Person(2003, "采购丙", "buyer")
SELLER = Person(2004, "销售丁", "seller")
BOOKKEEPER = Person(2005, "财务戊", "bookkeeper")
VIEWER = Person(2006, "只读己", "viewer")
GROUP = -100700
NOTE = "🔒 成本和金额已私聊发给你。"


def shop(rt: Runtime) -> Runtime:
    """默认账套 with one member per role, two products, a supplier (30 days) and a customer
    (15 days, credit limit 2,000)."""
    for role, person in (("管理员", ADMIN), ("仓管", KEEPER), ("采购", BUYER), ("销售", SELLER), ("财务", BOOKKEEPER), ("只读", VIEWER)):
        join(rt, role, person)
    for text in (
        "商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5",
        "商品 新增 A002 雪碧 单位 罐 进价 2 售价 3",
        "供应商 新增 华东饮料 账期 30天",
        "客户 新增 张三超市 账期 15天 信用额度 2000",
    ):
        ok(say(rt, private(text)))
    return rt


def labels(reply: Reply) -> list[list[str]]:
    return [[button.text for button in row] for row in reply.buttons]


def button(reply: Reply, label: str) -> str:
    found = [b.data for row in reply.buttons for b in row if b.text == label]
    assert found, f"no {label!r} button in {labels(reply)}"
    return found[0]


def documents_ok(rt: Runtime) -> None:
    """`jxc check` for the documents: allocations within their items and credits, lines billed as delivered."""
    assert_books_ok(rt)
    for workspace_id in workspace_ids(rt.engine):
        with SqlUnitOfWork(rt.engine, workspace_id) as uow:
            assert uow.documents.check() == []


def rows(rt: Runtime, table, *columns):  # type: ignore[no-untyped-def]
    t = table.__table__
    with rt.engine.connect() as connection:
        order = [t.c.id] if "id" in t.c else list(t.primary_key.columns)
        return [tuple(row) for row in connection.execute(select(*(t.c[name] for name in columns)).order_by(*order))]


def refused(rt: Runtime, person: Person, text: str, expected: str) -> Reply:
    """``text`` from ``person`` is answered exactly ``expected`` and writes nothing."""
    before = snapshot(rt.engine)
    reply = say(rt, private(text, person))
    assert reply.html == expected
    assert snapshot(rt.engine) == before, changed_tables(before, snapshot(rt.engine))
    return reply


def not_permitted(role: str, permission: str, holders: str) -> str:
    return f"🔒 你的角色「{role}」不能{permission}。需要：{holders}。"


# ---- 进: a purchase cycle, role by role --------------------------------------------------------


def test_a_purchase_cycle_buyer_orders_admin_approves_keeper_receives_bookkeeper_pays(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    created = say(rt, private("采购 @华东饮料 A001 100 单价 2.4 A002 50 单价 3 交期 12-01", BUYER))
    assert created.html == (
        "✅ 采购单 /PO_2026_0001 · 华东饮料 · 草稿\n"
        "<b>A001</b> 可口可乐 100 罐 × 2.40 = 240.00 元\n"
        "<b>A002</b> 雪碧 50 罐 × 3.00 = 150.00 元\n"
        "共 2 种商品 · 合计 390.00 元\n"
        "交期：2026-12-01\n"
        "下一步：<code>审核 PO-2026-0001</code>"
    )
    assert labels(created) == [["查看", "审核", "关闭"]]
    # The buyer may not approve: the button answers the buyer's role, and nothing changes.
    # The refusal is a pop-up for the presser alone: the order and its buttons stay for everyone.
    before = snapshot(rt.engine)
    assert press(rt, private("", BUYER), button(created, "审核")) == Reply(not_permitted("采购", "审核单据", "老板、管理员"), alert=True)
    assert snapshot(rt.engine) == before
    # Nor may the keeper receive a draft.
    refused(rt, KEEPER, "到货 PO-2026-0001", "❌ PO-2026-0001 还是草稿，审核后才能到货：<code>审核 PO-2026-0001</code>")
    # The admin presses the same 审核 button.
    approved = press(rt, private("", ADMIN), button(created, "审核"))
    assert approved.html == (
        "✅ 采购单 /PO_2026_0001 已审核 · 华东饮料 · 已审核\n"
        "到货时：<code>到货 PO-2026-0001 A001 100 合格 98</code>（不写商品则按剩余全部到货）"
    )
    assert labels(approved) == [["查看", "全部到货", "关闭"]]
    refused(rt, ADMIN, "审核 PO-2026-0001", "ℹ️ PO-2026-0001 已经审核过了，不用重复审核。")
    # 98 of 100 pass QC; freight 50 all goes to the one line received.
    received = say(rt, private("到货 PO-2026-0001 A001 100 合格 98 运费 50", KEEPER))
    assert received.html == (
        "✅ 到货 /PO_2026_0001 · 华东饮料 · 入库单 RK-2026-0001\n"
        "<b>A001</b> 可口可乐 到 100 · 合格 98 · 拒收 2 罐 · 235.20 元 + 分摊 50.00 元 → 单位成本 2.9102 元\n"
        "费用：运费 50.00 元（按货值分摊进成本）\n"
        "应付 华东饮料 285.20 元，2026-12-22 到期\n"
        "拒收的货已记在 华东饮料 名下，不入库、不计应付。\n"
        "单据状态：<b>部分到货</b>"
    )
    assert labels(received) == [["查看", "全部到货", "关闭"]]
    # The rest (A001 2, A002 50) with the 全部到货 button.
    rest = press(rt, private("", KEEPER), button(received, "全部到货"))
    assert rest.html.startswith("✅ 到货 /PO_2026_0001 · 华东饮料 · 入库单 RK-2026-0002\n")
    assert "应付 华东饮料 154.80 元，2026-12-22 到期" in rest.html and rest.html.endswith("单据状态：<b>已完成</b>")
    assert labels(rest) == [["查看"]]  # nothing more to do with a completed order
    refused(rt, KEEPER, "到货 PO-2026-0001", "❌ PO-2026-0001 已完成，不能到货。查看：<code>/PO_2026_0001</code>")
    assert rows(rt, StockMovementRow, "number", "kind", "quantity", "value", "counterparty", "note") == [
        ("RK-2026-0001", "receipt", D("98"), D("285.20"), "华东饮料", "PO-2026-0001"),
        ("RK-2026-0002", "receipt", D("2"), D("4.80"), "华东饮料", "PO-2026-0001"),
        ("RK-2026-0002", "receipt", D("50"), D("150.00"), "华东饮料", "PO-2026-0001"),
    ]
    assert rows(rt, OrderLineRow, "line_no", "done", "billed", "rejected") == [(1, D("100"), D("240.00"), D("2")), (2, D("50"), D("150.00"), D("0"))]
    # Two go back to the supplier at the 2.40 they were bought at.
    returned = say(rt, private("退货 @华东饮料 A001 2", KEEPER))
    assert returned.html == (
        "✅ 退货 CT-2026-0001 · 华东饮料 · <b>A001</b> 可口可乐 2 罐\n"
        "退给供应商，按原进价（RK-2026-0002）4.80 元，应付相应减少。\n"
        "应付余额：435.20 元"
    )
    # The bookkeeper pays 300 by bank: the oldest payable first.
    paid = say(rt, private("付款 @华东饮料 300 银行", BOOKKEEPER))
    assert paid.html == (
        "✅ 付款 FK-2026-0001 · 华东饮料 · 300.00 元（银行）\n"
        "冲 RK-2026-0001 280.40 元\n"
        "冲 RK-2026-0002 19.60 元\n"
        "还欠供应商 135.20 元"
    )
    assert rows(rt, OpenItemRow, "number", "amount", "order_number") == [
        ("RK-2026-0001", D("285.20"), "PO-2026-0001"),
        ("RK-2026-0002", D("154.80"), "PO-2026-0001"),
        ("CT-2026-0001", D("-4.80"), ""),
    ]
    assert rows(rt, PaymentRow, "number", "ledger", "amount", "account") == [("FK-2026-0001", "应付", D("300.00"), "银行")]
    assert say(rt, private("应付", BOOKKEEPER)).html == (
        "💰 应付合计 135.20 元（2026-11-22）\n"
        "未到期 135.20\n\n"
        "<b>华东饮料</b> 135.20 元\n"
        "RK-2026-0002（PO-2026-0001） 135.20 元 · 2026-11-22 · 2026-12-22 到期"
    )
    documents_ok(rt)


def test_a_viewer_sees_a_purchase_order_without_its_prices(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    ok(say(rt, private("采购 @华东饮料 A001 100 单价 2.4", BUYER)))
    view = say(rt, private("/PO_2026_0001", VIEWER))
    assert view.html == (
        "📄 采购单 /PO_2026_0001 · 华东饮料 · <b>草稿</b>\n"
        "2026-11-22 · 采购丙\n"
        "<b>A001</b> 可口可乐 100 罐\n"
        "共 1 种商品"
    )
    assert labels(view) == [["审核", "关闭"]]  # the steps, whoever may take them
    assert "2.40" in say(rt, private("/PO_2026_0001", BUYER)).html


# ---- 销: a sales cycle, role by role -----------------------------------------------------------


def test_a_sales_cycle_seller_sells_keeper_ships_and_takes_a_return_bookkeeper_collects(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    ok(say(rt, private("入库 A001 100 单价 2.4")))
    created = say(rt, private("销售 @张三超市 A001 10 单价 3.5 A002 5 折扣 9折", SELLER))
    assert created.html == (
        "✅ 销售单 /SO_2026_0001 · 张三超市 · 待发货\n"
        "<b>A001</b> 可口可乐 10 罐 × 3.50 = 31.50 元\n"
        "<b>A002</b> 雪碧 5 罐 × 3.00 = 13.50 元（商品售价）\n"
        "共 2 种商品 · 合计 45.00 元（90% 折后）\n"
        "⚠️ A002 可用 0 罐（库存 0 − 其他单预留 0），缺 5，发货前需补货\n"
        "已预留库存。发货：<code>发货 SO-2026-0001</code>"
    )
    assert labels(created) == [["查看", "全部发货", "关闭"]]
    # The seller cannot ship (goods move by the keeper's hand), not even by the button.
    before = snapshot(rt.engine)
    assert press(rt, private("", SELLER), button(created, "全部发货")) == Reply(
        not_permitted("销售", "入库、出库、调拨、盘点、报损", "老板、管理员、仓管"), alert=True
    )
    assert snapshot(rt.engine) == before
    # A002 is short: shipping everything is refused (a pop-up) and changes nothing.
    before = snapshot(rt.engine)
    short = press(rt, private("", KEEPER), button(created, "全部发货"))
    assert short.alert and short.html.startswith("❌") and "A002" in short.html
    assert snapshot(rt.engine) == before
    shipped = say(rt, private("发货 SO-2026-0001 A001 6 快递 SF1234567", KEEPER))
    assert shipped.html == (
        "✅ 发货 /SO_2026_0001 · 张三超市 · 出库单 CK-2026-0001 · 快递 SF1234567\n"
        "<b>A001</b> 可口可乐 6 罐 · 18.90 元 · 成本 14.40 · 毛利 4.50\n"
        "应收 张三超市 18.90 元，2026-12-07 到期\n"
        "单据状态：<b>部分发货</b>"
    )
    assert labels(shipped) == [["查看", "全部发货", "应收", "关闭"]]
    # The seller looks at the order: availability per line, no cost.
    view = say(rt, private("/SO_2026_0001", SELLER))
    assert view.html == (
        "📄 销售单 /SO_2026_0001 · 张三超市 · <b>部分发货</b>\n"
        "2026-11-22 · 销售丁\n"
        "<b>A001</b> 可口可乐 10 罐 × 3.50 = 31.50 元 · 已发 6\n"
        "<b>A002</b> 雪碧 5 罐 × 3.00 = 13.50 元（商品售价）\n"
        "共 2 种商品 · 合计 45.00 元（90% 折后）\n"
        "A001 待发 4 · 可用 94\n"
        "A002 待发 5 · 可用 0 ⚠️ 缺 5\n"
        "未结：CK-2026-0001 18.90 元（2026-12-07 到期）"
    )
    # Two come back: in at the 2.40 they left with, the receivable down by 2 × 3.15.
    back = say(rt, private("退货 @张三超市 A001 2", KEEPER))
    assert back.html == (
        "✅ 退货 XT-2026-0001 · 张三超市 · <b>A001</b> 可口可乐 2 罐\n"
        "客户退回入库，按出库成本（CK-2026-0001）4.80 元；应收减少 6.30 元。\n"
        "应收余额：12.60 元"
    )
    refused(
        rt, KEEPER, "退货 @张三超市 A001 5",
        "❌ 张三超市 的 A001 可口可乐 最多还能退 4 罐（卖给它的货减去已退的），不能退 5 罐。",
    )
    # 100 collected against the order: 12.60 settles it, 87.40 stays as the customer's credit.
    collected = say(rt, private("收款 @张三超市 100 SO-2026-0001 微信", BOOKKEEPER))
    assert collected.html == (
        "✅ 收款 SK-2026-0001 · 张三超市 · 100.00 元（微信）\n"
        "冲 CK-2026-0001 12.60 元\n"
        "预收 87.40 元，留作下次冲抵。\n"
        "预收余额 87.40 元"
    )
    assert say(rt, private("应收", BOOKKEEPER)).html == (
        "💰 应收合计 0.00 元（2026-11-22）\n\n没有未结的应收。\n\n预收未冲抵：87.40 元"
    )
    # The next shipment is settled by that credit at once.
    ok(say(rt, private("入库 A002 10 单价 2", KEEPER)))
    last = say(rt, private("发货 SO-2026-0001", KEEPER))
    assert "应收 张三超市 26.10 元，2026-12-07 到期（已用预收冲抵 26.10 元）" in last.html
    assert last.html.endswith("单据状态：<b>已完成</b>") and labels(last) == [["查看", "应收"]]
    assert rows(rt, AllocationRow, "source", "amount") == [("item", D("6.30")), ("payment", D("12.60")), ("payment", D("26.10"))]
    assert rows(rt, TradeOrderRow, "number", "status") == [("SO-2026-0001", "已完成")]
    documents_ok(rt)


def test_shipping_in_a_group_shows_the_revenue_and_sends_the_cost_privately(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    bind(rt, GROUP)
    ok(say(rt, private("入库 A001 100 单价 2.4")))
    ok(say(rt, private("销售 @张三超市 A001 10 单价 3.5", SELLER)))
    reply = say(rt, group("发货 SO-2026-0001 A001 4", GROUP, KEEPER))
    assert reply.html == (
        "✅ 发货 /SO_2026_0001 · 张三超市 · 出库单 CK-2026-0001\n"
        "<b>A001</b> 可口可乐 4 罐 · 14.00 元\n"
        "应收 张三超市 14.00 元，2026-12-07 到期\n"
        "单据状态：<b>部分发货</b>\n" + NOTE
    )
    assert reply.private is not None and "成本 9.60 · 毛利 4.40" in reply.private.html


# ---- 信用额度, over-delivery: asked, then confirmed with the button -------------------------------


def test_over_the_credit_limit_the_seller_is_refused_and_the_admin_confirms(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    ok(say(rt, private("入库 A001 1000 单价 2.4")))
    ok(say(rt, private("出库 A001 500 单价 3.5 @张三超市", KEEPER)))  # 1,750.00 owed
    refused(
        rt, SELLER, "销售 @张三超市 A001 100 单价 3.5",
        "🔒 张三超市 超出信用额度：未收 1,750.00 元 + 本单 350.00 元 &gt; 额度 2,000.00 元。"
        "需要管理员或老板确认下单，或先 <code>收款 @张三超市 …</code>",
    )
    asked = say(rt, private("销售 @张三超市 A001 100 单价 3.5", ADMIN))
    assert asked.html == (
        "⚠️ 请确认：<code>销售 @张三超市 A001 100 单价 3.5 确认</code>\n"
        "· 未收款加本单共 2,100.00 元，超出信用额度 2,000.00 元\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    (confirm, _cancel) = asked.buttons[0]
    assert press(rt, private("", SELLER), confirm.data).alert  # the seller cannot press the admin's ✅
    done = press(rt, private("", ADMIN), confirm.data)
    assert done.html.startswith("✅ 销售单 /SO_2026_0001 · 张三超市 · 待发货")  # no number was used by the refusal
    documents_ok(rt)


def test_receiving_more_than_ordered_asks_and_the_button_books_it(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    ok(say(rt, private("采购 @华东饮料 A001 10 单价 2.4")))
    ok(say(rt, private("审核 PO-2026-0001")))
    asked = say(rt, private("到货 PO-2026-0001 A001 12", KEEPER))
    assert asked.html == (
        "⚠️ 请确认：<code>到货 PO-2026-0001 A001 12 确认</code>\n"
        "· 数量 12 超过单据剩余 10\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    booked = press(rt, private("", KEEPER), asked.buttons[0][0].data)
    assert "应付 华东饮料 28.80 元" in booked.html and booked.html.endswith("单据状态：<b>已完成</b>")
    documents_ok(rt)


# ---- quick forms ---------------------------------------------------------------------------------


def test_quick_forms_bill_known_partners_and_现款_pays_at_once(any_runtime: Runtime) -> None:
    rt = shop(any_runtime)
    received = say(rt, private("入库 A001 10 单价 2.4 @华东饮料", KEEPER))
    assert received.html.endswith("供应商：华东饮料\n应付 华东饮料 24.00 元，2026-12-22 到期")
    sold = say(rt, private("出库 A001 5 单价 3.5 @张三超市 现款", KEEPER))
    assert sold.html.endswith("客户：张三超市\n现款已收 17.50 元（SK-2026-0001）")
    unknown = say(rt, private("出库 A001 1 单价 3.5 @路人", KEEPER))
    assert unknown.html.endswith("客户：路人\n（路人 不是已建档的客户，未记应收：<code>客户 新增 路人</code>）")
    assert rows(rt, OpenItemRow, "number", "ledger", "amount") == [("RK-2026-0001", "应付", D("24.00")), ("CK-2026-0001", "应收", D("17.50"))]
    assert rows(rt, PaymentRow, "number", "amount", "account", "note") == [("SK-2026-0001", D("17.50"), "现金", "现款")]
    documents_ok(rt)


# ---- refusals change nothing ---------------------------------------------------------------------

REFUSALS = [
    (OWNER, "审核 PO-2026-0099", "❌ 没有单据 PO-2026-0099。查看：<code>采购单</code>"),
    (OWNER, "/SO_2026_0099", "❌ 没有单据 SO-2026-0099。查看：<code>销售单</code>"),
    (KEEPER, "到货 PO-2026-0001 A009 1", "❌ PO-2026-0001 上没有 A009。这张单上有：A001"),
    (KEEPER, "到货 PO-2026-0001 A001 5 合格 6", "❌ A001 合格 6 罐 多于到货 5 罐。"),
    (KEEPER, "到货 SO-2026-0001", None),  # a parse refusal: a sales order is not received
    (KEEPER, "发货 SO-2026-0002", "❌ SO-2026-0002 已关闭，不能发货。查看：<code>/SO_2026_0002</code>"),
    (KEEPER, "退货 @华东饮料 A001 999", "❌ 华东饮料 的 A001 可口可乐 最多还能退 10 罐（从它进的货减去已退的），不能退 999 罐。"),
    (BOOKKEEPER, "收款 @张三超市 10 SO-2026-0099", "❌ 没有单据 SO-2026-0099。查看：<code>销售单</code>"),
    (BUYER, "采购 @华东饮料 A001 1 单价 2 A001 2 单价 2", "❌ A001 写了两次，请合并成一行。"),
    (SELLER, "销售 @张三超市 A003 1", None),  # unknown product
    (BUYER, "采购 @不认识 A001 1 单价 2", None),  # unknown supplier
    (SELLER, "关闭 SO-2026-0002", None),  # closed twice
    (VIEWER, "销售 @张三超市 A001 1", not_permitted("只读", "销售单据", "老板、管理员、销售")),
    (BUYER, "付款 @华东饮料 10", not_permitted("采购", "收款、付款、费用", "老板、管理员、财务")),
    (SELLER, "应收", not_permitted("销售", "收款、付款、费用", "老板、管理员、财务")),
    (KEEPER, "费用 300 水电", not_permitted("仓管", "收款、付款、费用", "老板、管理员、财务")),
]


@pytest.fixture
def busy(runtime: Runtime) -> Runtime:
    """An approved PO-2026-0001 (A001 10), SO-2026-0001 open and SO-2026-0002 closed, 10 bought by quick form."""
    rt = shop(runtime)
    for text in (
        "入库 A001 10 单价 2.4 @华东饮料",
        "采购 @华东饮料 A001 10 单价 2.4",
        "审核 PO-2026-0001",
        "销售 @张三超市 A001 1",
        "销售 @张三超市 A001 1",
        "关闭 SO-2026-0002",
    ):
        ok(say(rt, private(text)))
    return rt


@pytest.mark.parametrize(("person", "text", "expected"), REFUSALS, ids=[text for _, text, _ in REFUSALS])
def test_every_document_refusal_changes_nothing(busy: Runtime, person: Person, text: str, expected: str | None) -> None:
    before = snapshot(busy.engine)
    reply = say(busy, private(text, person))
    if expected is not None:
        assert reply.html == expected
    else:
        assert reply.html.startswith(("❌", "🔒", "ℹ️")), reply.html
    assert reply.buttons == []
    assert snapshot(busy.engine) == before, changed_tables(before, snapshot(busy.engine))
    documents_ok(busy)


def test_refused_documents_leave_no_gap_in_the_numbers(busy: Runtime) -> None:
    for person, text, _ in REFUSALS:
        say(busy, private(text, person))
    assert say(busy, private("采购 @华东饮料 A001 1 单价 2.4", BUYER)).html.startswith("✅ 采购单 /PO_2026_0002 ")
    assert say(busy, private("销售 @张三超市 A001 1", SELLER)).html.startswith("✅ 销售单 /SO_2026_0003 ")


# ---- lists and links -----------------------------------------------------------------------------


def test_the_order_list_links_each_order_and_pages(runtime: Runtime) -> None:
    rt = shop(runtime)
    for _ in range(12):
        ok(say(rt, private("采购 @华东饮料 A001 1 单价 2.4", BUYER)))
    first = say(rt, private("采购单", BUYER))
    assert first.html.startswith("📄 采购单（共 12 张）\n/PO_2026_0012 华东饮料 · 草稿 · 2.40 元 · 2026-11-22\n")
    assert labels(first) == [["下一页 ▶"]]
    second = press(rt, private("", BUYER), first.buttons[0][0].data)
    assert "/PO_2026_0001 " in second.html and "第 2/2 页" in second.html
    # a tapped number with the bot's name, as Telegram sends it in groups
    assert say(rt, private("/PO_2026_0003@jxc_test_bot", BUYER)).html.startswith("📄 采购单 /PO_2026_0003 · 华东饮料 · <b>草稿</b>")


def test_a_statement_and_the_cash_book_through_the_chat(runtime: Runtime) -> None:
    rt = shop(runtime)
    ok(say(rt, private("入库 A001 10 单价 2.4 @华东饮料")))
    ok(say(rt, private("付款 @华东饮料 10 微信", BOOKKEEPER)))
    assert say(rt, private("对账单 @华东饮料 本月", BOOKKEEPER)).html == (
        "📒 对账单 · 华东饮料（供应商）· 2026-11-01 至 2026-11-30\n"
        "期初余额：0.00 元\n"
        "2026-11-22 RK-2026-0001 进货 +24.00 → 24.00\n"
        "2026-11-22 FK-2026-0001 付款（微信） −10.00 → 14.00\n"
        "期末余额：<b>14.00</b> 元（我方欠供应商）"
    )
    assert say(rt, private("其他收入 200 房租转租", BOOKKEEPER)).html == "✅ 其他收入 SR-2026-0001 · 200.00 元（现金）· 房租转租"
    assert say(rt, private("费用 300 水电 银行", BOOKKEEPER)).html == "✅ 费用 FY-2026-0001 · 300.00 元（银行）· 水电"


def test_a_keeper_limited_to_another_warehouse_cannot_ship_or_receive_here(runtime: Runtime) -> None:
    rt = shop(runtime)
    ok(say(rt, private("仓库 新增 二仓")))
    ok(say(rt, private("成员 仓库 @laoli 二仓")))
    ok(say(rt, private("入库 A001 10 单价 2.4")))
    ok(say(rt, private("销售 @张三超市 A001 2", SELLER)))  # from 主仓
    ok(say(rt, private("采购 @华东饮料 A001 2 单价 2.4", BUYER)))
    ok(say(rt, private("审核 PO-2026-0001", ADMIN)))
    for text in ("发货 SO-2026-0001", "到货 PO-2026-0001"):
        before = snapshot(rt.engine)
        reply = say(rt, private(text, KEEPER))
        assert reply.html.startswith("🔒") and "主仓" in reply.html, reply.html
        assert snapshot(rt.engine) == before
    documents_ok(rt)


def test_an_order_exactly_at_the_credit_limit_needs_no_confirmation(runtime: Runtime) -> None:
    rt = shop(runtime)
    ok(say(rt, private("入库 A001 1000 单价 2.4")))
    ok(say(rt, private("出库 A001 400 单价 3.5 @张三超市", KEEPER)))  # 1,400.00 owed
    # 1,400.00 + 600.01 is a fen over the limit; 1,400.00 + 600.00 is at it, not over it.
    assert say(rt, private("销售 @张三超市 A001 1 单价 600.01", SELLER)).html.startswith("🔒 张三超市 超出信用额度")
    assert say(rt, private("销售 @张三超市 A001 200 单价 3", SELLER)).html.startswith("✅ 销售单 /SO_2026_0001")
    # Only what is owed counts, as the issue words it: the unshipped order itself does not.
    assert say(rt, private("销售 @张三超市 A001 1 单价 600", SELLER)).html.startswith("✅ 销售单 /SO_2026_0002")


def test_a_tax_rate_shows_the_tax_inside_new_orders_only(runtime: Runtime) -> None:
    rt = shop(runtime)
    before = ok(say(rt, private("销售 @张三超市 A001 10 单价 4.5"))).html
    assert "税额" not in before
    assert say(rt, private("设置 税率 13%")).html.startswith("✅ 税率设为 13%")
    after = ok(say(rt, private("销售 @张三超市 A001 10 单价 4.5"))).html
    # 45.00 includes 13%: 45 × 0.13 ÷ 1.13 = 5.18.
    assert "合计 45.00 元 · 含税 13%，税额 5.18 元" in after
    assert "税额" not in say(rt, private("销售单 SO-2026-0001")).html  # made before the rate: unchanged
    assert say(rt, private("设置 税率 13%")).html == "ℹ️ <b>税率</b> 没有变化，未修改。"
    assert say(rt, private("设置 税率 13", BOOKKEEPER)).html.startswith("❌")
