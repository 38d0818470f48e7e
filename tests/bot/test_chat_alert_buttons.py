"""The buttons under pushed alerts, pressed through the dispatcher on a real database:
生成采购单 makes a draft purchase order for the product's usual supplier with the suggested
quantity, 发送对账单 shows the customer's statement — each with the presser's permissions, a
refusal a pop-up that changes nothing. And 预警 lists the payment and expiry alerts the
documents and batches now give."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ManualClock
from bot.rendering import to_plain
from domain.partners import PartnerKind
from storage.document_tables import OrderLineRow, TradeOrderRow
from storage.unit_of_work import SqlUnitOfWork
from tests.bot.chatkit import OWNER, Person, changed_tables, join, ok, press, private, say, snapshot

D = Decimal
BUYER = Person(2003, "采购丙", "buyer")
SELLER = Person(2004, "销售丁", "seller")


def shop(runtime: Runtime) -> None:
    """可口可乐 (safety stock 20) last received from 华东饮料 (账期 3 天), 8 left; 张三超市 buys on 15 days."""
    for text in (
        "供应商 新增 华东饮料 账期 3天",
        "客户 新增 张三超市 账期 15天",
        "商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5 安全库存 20",
        "入库 A001 24 @华东饮料",
        "出库 A001 14",
        "出库 A001 2 单价 3.5 @张三超市",
    ):
        ok(say(runtime, private(text)))


def orders(runtime: Runtime) -> list[tuple[str, str, str, Decimal]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(TradeOrderRow.number, TradeOrderRow.status, OrderLineRow.quantity, TradeOrderRow.partner_id)
            .join(OrderLineRow, OrderLineRow.order_id == TradeOrderRow.id)
        )
        return [(number, status, D(quantity), partner_id) for number, status, quantity, partner_id in rows]


def partner_id(runtime: Runtime, kind: PartnerKind, name: str) -> int:
    uow = SqlUnitOfWork(runtime.engine, 1)
    with uow:
        found = uow.partners.get(kind, name)
    assert found is not None
    return found.id


def test_generating_a_purchase_order_makes_a_draft_for_the_usual_supplier(runtime: Runtime) -> None:
    shop(runtime)
    join(runtime, "采购", BUYER)
    reply = press(runtime, private("", BUYER), "al:po:A001:60")
    assert not reply.alert
    assert to_plain(reply.html).startswith("✅ 采购单 /PO_2026_0001 · 华东饮料 · 草稿\nA001 可口可乐 60 罐 × 2.50 = 150.00 元")
    assert [button.text for button in reply.buttons[0]] == ["查看", "审核", "关闭"]
    ((number, status, quantity, supplier),) = orders(runtime)
    assert (number, quantity, supplier) == ("PO-2026-0001", D(60), partner_id(runtime, PartnerKind.SUPPLIER, "华东饮料"))
    assert status == "草稿"


def test_a_role_without_purchasing_is_refused_in_a_pop_up_and_nothing_is_written(runtime: Runtime) -> None:
    shop(runtime)
    join(runtime, "销售", SELLER)
    before = snapshot(runtime.engine)
    reply = press(runtime, private("", SELLER), "al:po:A001:60")
    assert reply.alert and reply.html.startswith("🔒")
    assert "采购" in reply.html
    assert changed_tables(before, snapshot(runtime.engine)) == set()


def test_without_a_known_supplier_the_pop_up_says_how_to_order(runtime: Runtime) -> None:
    shop(runtime)
    ok(say(runtime, private("商品 新增 A002 雪碧 单位 罐 进价 2 安全库存 10")))
    ok(say(runtime, private("入库 A002 5 @路边摊")))  # a counterparty that is no supplier
    before = snapshot(runtime.engine)
    reply = press(runtime, private(""), "al:po:A002:25")
    assert reply.alert
    assert to_plain(reply.html) == "还不知道 A002 常用的供应商（最近一次入库没有登记为供应商的往来单位）。请直接发送：采购 @供应商 A002 25"
    assert changed_tables(before, snapshot(runtime.engine)) == set()


def test_button_data_the_sender_never_wrote_is_ignored_and_changes_nothing(runtime: Runtime) -> None:
    shop(runtime)
    before = snapshot(runtime.engine)
    for data in ("al:po:A001:-5", "al:po:A001", "al:stm:", "al:stm:abc", "al:xyz:1"):
        reply = runtime.dispatcher.handle_button(private(""), data)
        assert reply is None or (reply.alert and "找不到" in reply.html), data
    assert changed_tables(before, snapshot(runtime.engine)) == set()


def test_the_statement_button_shows_the_customers_statement(runtime: Runtime, clock: ManualClock) -> None:
    shop(runtime)
    clock.advance(timedelta(days=20))  # the 7.00 due 12-07 is 5 days late
    customer = partner_id(runtime, PartnerKind.CUSTOMER, "张三超市")
    reply = press(runtime, private(""), f"al:stm:{customer}")
    assert not reply.alert
    assert reply.html == say(runtime, private("对账单 @张三超市")).html
    assert "张三超市" in reply.html and "7.00" in reply.html


def test_the_statement_button_needs_the_money_permission_and_a_known_customer(runtime: Runtime) -> None:
    shop(runtime)
    join(runtime, "销售", SELLER)
    customer = partner_id(runtime, PartnerKind.CUSTOMER, "张三超市")
    before = snapshot(runtime.engine)
    refused = press(runtime, private("", SELLER), f"al:stm:{customer}")
    assert refused.alert and refused.html.startswith("🔒")
    gone = press(runtime, private(""), "al:stm:99999")
    assert gone.alert and to_plain(gone.html) == "找不到这位客户（可能已删除）。请发送：对账单 @客户名"
    assert changed_tables(before, snapshot(runtime.engine)) == set()


def test_alerts_list_payables_due_overdue_customers_and_expiring_batches(runtime: Runtime, clock: ManualClock) -> None:
    shop(runtime)
    ok(say(runtime, private("商品 新增 B001 鲜牛奶 单位 盒 进价 2 售价 3 批次管理 是")))
    ok(say(runtime, private("入库 B001 10 批次 L1 有效期 2026-12-01")))
    listed = to_plain(say(runtime, private("预警")).html)
    assert "💰 3 天后有 60.00 元应付账款到期：华东饮料 RK-2026-0001 60.00" in listed
    assert "⏳ B001 鲜牛奶 批次 L1 10 盒 9 天后到期（2026-12-01）" in listed
    join(runtime, "销售", SELLER)  # no money permission: the same list without the payables
    seen = to_plain(say(runtime, private("预警", SELLER)).html)
    assert "⏳ B001" in seen and "💰" not in seen and "60.00" not in seen

    clock.advance(timedelta(days=20))  # 12-12
    listed = to_plain(say(runtime, private("预警")).html)
    assert "🔴 张三超市 应收逾期 7.00 元，最长逾期 5 天（CK-2026-0002 7.00）" in listed
    assert "🔴 应付逾期：华东饮料 60.00 元，最长已逾期 17 天（RK-2026-0001 60.00）" in listed
    assert "⛔ B001 鲜牛奶 批次 L1 10 盒 已过期 11 天（2026-12-01 到期），请报损：报损 B001 10 批次 L1 原因 过期" in listed
    # The suggested command works as written.
    ok(say(runtime, private("报损 B001 10 批次 L1 原因 过期")))
    assert "⛔" not in to_plain(say(runtime, private("预警")).html)
