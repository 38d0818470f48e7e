"""The document use cases through the fake unit of work: 采购 → 审核 → 到货 (QC, landed cost,
payable) → 付款; 销售 (reservation, price source, credit limit) → 发货 (COGS, receivable) → 收款;
returns both ways; open items, statements, the cash book, and ``check``. Every refusal changes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import document_services as ds
from domain import partner_services as ps
from domain import services
from domain.access import Role
from domain.audit import Action
from domain.documents import Allocation, Ledger, OrderKind, OrderStatus, PriceSource
from domain.errors import (
    AmbiguousPartner,
    CreditLimitExceeded,
    DocumentRefused,
    IllegalTransition,
    InsufficientStock,
    NeedsConfirmation,
    NothingToReturn,
    NotOnOrder,
    UnknownDocument,
    UnknownPartner,
)
from domain.guards import RiskKind
from domain.partners import PartnerKind
from domain.periods import between
from domain.services import Actor, Context
from domain.stock import MovementKind
from tests.factories import DEFAULT_NOW, SHANGHAI, make_context, make_product
from tests.fakes import FakeUnitOfWork

D = Decimal
CTX = make_context()  # 2026-03-10 in Shanghai
TODAY = CTX.today


def as_role(role: Role, now=DEFAULT_NOW) -> Context:  # type: ignore[no-untyped-def]
    return Context(Actor(2000 + list(Role).index(role), role.value, -100123, role), now, SHANGHAI)


def line(code: str, quantity: str, price: str | None = None, accepted: str | None = None, unit: str | None = None) -> c.LineInput:
    return c.LineInput(code, D(quantity), unit, D(price) if price else None, D(accepted) if accepted is not None else None)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.seed(
        make_product("A001", unit="罐", purchase_price=D("2.50"), sale_price=D("3.50")),
        make_product("A002", name="雪碧", unit="罐", purchase_price=D("2.00"), sale_price=D("3.00")),
        make_product("A003", name="散装糖", unit="kg"),  # no prices at all
    )
    ps.add_partner(uow, CTX, c.AddPartner("供应商", "华东饮料", (("terms_days", 30),)))
    ps.add_partner(uow, CTX, c.AddPartner("客户", "张三超市", (("terms_days", 15), ("credit_limit", D("2000")))))
    return uow


def unchanged(uow: FakeUnitOfWork, action: Callable[[], object], error: type[Exception]) -> Exception:
    """Run a refused action: it raises ``error`` and the books are as before."""
    before = uow.state()
    with pytest.raises(error) as caught:
        action()
    assert uow.state() == before
    return caught.value


def order(uow: FakeUnitOfWork, number: str):  # type: ignore[no-untyped-def]
    with uow:
        found = uow.documents.order(number)
    assert found is not None
    return found


def stock(uow: FakeUnitOfWork, code: str) -> tuple[Decimal, Decimal]:
    with uow:
        product = uow.products.get(code)
        assert product is not None
        balance = uow.stock.total_balance(product.id)
    return balance.quantity, balance.value


def open_items(uow: FakeUnitOfWork, ledger: Ledger) -> dict[str, Decimal]:
    with uow:
        return {item.number: item.open for item in uow.documents.open_items(ledger)}


def balance(uow: FakeUnitOfWork, ledger: Ledger, kind: PartnerKind, name: str, before: date | None = None) -> Decimal:
    with uow:
        partner = uow.partners.get(kind, name)
        assert partner is not None
        return uow.documents.balance(ledger, partner.id, before)


def checked(uow: FakeUnitOfWork) -> list[object]:
    with uow:
        return list(uow.documents.check()) + list(uow.stock.check()[2])


def purchase(uow: FakeUnitOfWork, *lines: c.LineInput, ctx: Context = CTX, **kw: object) -> ds.OrderCreated:
    return ds.create_purchase_order(uow, ctx, c.CreatePurchaseOrder("华东饮料", lines, **kw))  # type: ignore[arg-type]


def approved_po(uow: FakeUnitOfWork) -> str:
    """PO-…: A001 100 × 2.40, A002 50 × 3.00 (390.00), approved."""
    number = purchase(uow, line("A001", "100", "2.40"), line("A002", "50", "3")).order.number
    ds.approve_order(uow, CTX, c.ApproveOrder(number))
    return number


def receive(uow: FakeUnitOfWork, number: str, *lines: c.LineInput, fees: tuple[tuple[str, Decimal], ...] = (), confirmed: bool = False, ctx: Context = CTX) -> ds.OrderReceived:
    return ds.receive_order(uow, ctx, c.ReceiveOrder(number, lines, fees, confirmed))


def sell(uow: FakeUnitOfWork, *lines: c.LineInput, ctx: Context = CTX, partner: str = "张三超市", **kw: object) -> ds.OrderCreated:
    return ds.create_sales_order(uow, ctx, c.CreateSalesOrder(partner, lines, **kw))  # type: ignore[arg-type]


def ship(uow: FakeUnitOfWork, number: str, *lines: c.LineInput, ctx: Context = CTX, **kw: object) -> ds.OrderShipped:
    return ds.ship_order(uow, ctx, c.ShipOrder(number, lines, **kw))  # type: ignore[arg-type]


def stocked(uow: FakeUnitOfWork) -> None:
    """A001: 100 罐 received from 华东饮料 at 2.40 (value 240.00) by the quick form."""
    services.receive_stock(uow, CTX, c.ReceiveStock("A001", D("100"), unit_price=D("2.40"), counterparty="华东饮料"))


# ---- 采购 ----------------------------------------------------------------------------------------


def test_a_purchase_order_is_a_numbered_draft_at_the_given_or_the_purchase_price(uow: FakeUnitOfWork) -> None:
    created = purchase(uow, line("A001", "100", "2.40"), line("A002", "50"), due_on=date(2026, 4, 1))
    po = created.order
    assert (po.number, po.status, po.partner_name, po.due_on) == ("PO-2026-0001", OrderStatus.DRAFT, "华东饮料", date(2026, 4, 1))
    assert [(l.code, l.quantity, l.unit_price, l.price_source) for l in po.lines] == [
        ("A001", D("100"), D("2.40"), PriceSource.GIVEN),
        ("A002", D("50"), D("2.00"), PriceSource.PURCHASE_LIST),
    ]
    assert po.total == D("340.00")
    assert uow.audit.entries[-1].action is Action.CREATE_ORDER and uow.audit.entries[-1].numbers == ("PO-2026-0001",)
    assert order(uow, "PO-2026-0001") == po
    # a draft expects nothing yet
    with uow:
        assert uow.documents.remaining(OrderKind.PURCHASE, po.lines[0].product_id) == 0


def test_a_unique_fragment_of_the_supplier_name_is_enough(uow: FakeUnitOfWork) -> None:
    po = ds.create_purchase_order(uow, CTX, c.CreatePurchaseOrder("@华东", (line("A001", "1", "2.4"),))).order
    assert po.partner_name == "华东饮料"


def test_a_box_price_on_an_order_is_per_can(uow: FakeUnitOfWork) -> None:
    uow.seed(make_product("B001", unit="罐", packs=(("箱", D("24")),)))
    po = purchase(uow, line("B001", "2", "57.60", unit="箱")).order
    assert (po.lines[0].quantity, po.lines[0].unit_price, po.total) == (D("48"), D("2.4"), D("115.20"))


def test_refused_purchase_orders_change_nothing_and_use_no_number(uow: FakeUnitOfWork) -> None:
    missing = unchanged(uow, lambda: purchase(uow, line("A003", "10")), DocumentRefused)
    assert (missing.why, missing.details["kind"]) == (DocumentRefused.MISSING_PRICE, "进价")  # type: ignore[attr-defined]
    twice = unchanged(uow, lambda: purchase(uow, line("A001", "1", "2"), line("a001", "2", "2")), DocumentRefused)
    assert twice.why == DocumentRefused.DUPLICATE_LINE  # type: ignore[attr-defined]
    unknown = unchanged(uow, lambda: ds.create_purchase_order(uow, CTX, c.CreatePurchaseOrder("张三超市", (line("A001", "1", "2"),))), UnknownPartner)
    assert unknown.kind == "供应商"  # type: ignore[attr-defined]  # a customer is no supplier
    assert purchase(uow, line("A001", "1", "2")).order.number == "PO-2026-0001"  # no gap


# ---- 审核 / 关闭 ---------------------------------------------------------------------------------


def test_approving_twice_is_refused_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    assert order(uow, number).status is OrderStatus.APPROVED
    refused = unchanged(uow, lambda: ds.approve_order(uow, CTX, c.ApproveOrder(number)), IllegalTransition)
    assert refused.status == "已审核"  # type: ignore[attr-defined]


def test_an_approved_order_counts_as_stock_on_order(uow: FakeUnitOfWork) -> None:
    approved_po(uow)
    with uow:
        assert uow.documents.remaining(OrderKind.PURCHASE, 1) == D("100")


def test_an_unknown_number_is_refused(uow: FakeUnitOfWork) -> None:
    refused = unchanged(uow, lambda: ds.approve_order(uow, CTX, c.ApproveOrder("PO-2026-0099")), UnknownDocument)
    assert refused.number == "PO-2026-0099"  # type: ignore[attr-defined]


def test_closing_twice_is_refused(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    closed = ds.close_order(uow, CTX, c.CloseOrder(number, "采购单"))
    assert closed.order.status is OrderStatus.CLOSED and closed.action == "关闭"
    unchanged(uow, lambda: ds.close_order(uow, CTX, c.CloseOrder(number, "采购单")), IllegalTransition)
    unchanged(uow, lambda: receive(uow, number), IllegalTransition)  # nothing more comes


# ---- 到货 ----------------------------------------------------------------------------------------


def test_receiving_a_draft_is_refused_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    number = purchase(uow, line("A001", "100", "2.40")).order.number
    refused = unchanged(uow, lambda: receive(uow, number), IllegalTransition)
    assert (refused.status, refused.action) == ("草稿", "到货")  # type: ignore[attr-defined]


def test_98_of_100_pass_qc_and_freight_50_is_apportioned_30_53_and_19_47(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    got = receive(uow, number, line("A001", "100", accepted="98"), line("A002", "50"), fees=(("运费", D("50")),))
    # Goods: 98 × 2.40 = 235.20 and 50 × 3.00 = 150.00 (385.20); freight 50 by value:
    # 50 × 235.20 / 385.20 = 30.53 to A001, the rest 19.47 to A002.
    assert [(r.accepted, r.rejected, r.value, r.landed) for r in got.receivings] == [
        (D("98"), D("2"), D("235.20"), D("30.53")),
        (D("50"), D("0"), D("150.00"), D("19.47")),
    ]
    assert (got.goods_value, got.fees_total) == (D("385.20"), D("50"))
    assert got.number == "RK-2026-0001"
    # Stock at order price plus the landed share: unit cost 265.73 / 98 = 2.7115…
    assert stock(uow, "A001") == (D("98"), D("265.73"))
    assert stock(uow, "A002") == (D("50"), D("169.47"))
    # A payable for goods and fees, due after the supplier's 30 days.
    assert got.posted is not None
    assert (got.posted.item.amount, got.posted.item.due_on, got.posted.item.order_number) == (D("435.20"), date(2026, 4, 9), number)
    po = order(uow, number)
    assert po.status is OrderStatus.PARTLY_RECEIVED
    assert [(l.done, l.billed, l.rejected) for l in po.lines] == [(D("98"), D("235.20"), D("2")), (D("50"), D("150.00"), D("0"))]
    with uow:
        movements = uow.stock.movements_by_number("RK-2026-0001")
    assert {(m.counterparty, m.note, m.unit_price) for m in movements} == {("华东饮料", number, D("2.40")), ("华东饮料", number, D("3.00"))}
    assert checked(uow) == []


def test_the_last_2_arrive_later_and_complete_the_order_at_4_80(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    receive(uow, number, line("A001", "100", accepted="98"), line("A002", "50"))
    rest = receive(uow, number)  # no lines: everything still to come
    assert [(r.line.code, r.accepted) for r in rest.receivings] == [("A001", D("2"))]
    assert rest.posted is not None and rest.posted.item.amount == D("4.80")
    assert order(uow, number).status is OrderStatus.DONE
    assert balance(uow, Ledger.PAYABLE, PartnerKind.SUPPLIER, "华东饮料") == D("390.00")  # exactly the order total
    unchanged(uow, lambda: receive(uow, number), IllegalTransition)  # 已完成
    assert checked(uow) == []


def test_everything_rejected_books_no_stock_and_no_payable(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    got = receive(uow, number, line("A002", "5", accepted="0"))
    assert (got.number, got.posted) == ("", None)
    assert stock(uow, "A002") == (D("0"), D("0"))
    assert open_items(uow, Ledger.PAYABLE) == {}
    assert order(uow, number).lines[1].rejected == D("5")


def test_receiving_more_than_ordered_asks_and_confirmed_books_it(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    asked = unchanged(uow, lambda: receive(uow, number, line("A001", "120")), NeedsConfirmation)
    assert [(r.kind, r.given, r.usual) for r in asked.reasons] == [(RiskKind.OVER_DELIVERY, D("120"), D("100"))]  # type: ignore[attr-defined]
    assert asked.command == c.ReceiveOrder(number, (line("A001", "120"),), (), True)  # type: ignore[attr-defined]
    got = ds.receive_order(uow, CTX, asked.command)  # type: ignore[attr-defined]
    assert got.posted is not None and got.posted.item.amount == D("288.00")
    assert checked(uow) == []


def test_refused_receipts_change_nothing(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    over = unchanged(uow, lambda: receive(uow, number, line("A001", "5", accepted="6")), DocumentRefused)
    assert over.why == DocumentRefused.ACCEPTED_OVER  # type: ignore[attr-defined]
    missing = unchanged(uow, lambda: receive(uow, number, line("A003", "5")), NotOnOrder)
    assert missing.codes == ["A001", "A002"]  # type: ignore[attr-defined]
    unchanged(uow, lambda: receive(uow, number, line("A001", "5"), line("A001", "5")), DocumentRefused)
    so = sell(uow, line("A001", "1")).order.number
    wrong = unchanged(uow, lambda: receive(uow, so), DocumentRefused)
    assert wrong.why == DocumentRefused.NOT_A_RECEIPT  # type: ignore[attr-defined]
    unchanged(uow, lambda: ship(uow, number), DocumentRefused)  # a purchase order is not shipped


# ---- 销售 ----------------------------------------------------------------------------------------


def test_a_sales_order_reserves_stock_and_flags_a_line_it_cannot_cover(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    first = sell(uow, line("A001", "10", "3.5"), line("A002", "5"), discount=D("0.9"))
    so = first.order
    assert (so.number, so.status, so.total) == ("SO-2026-0001", OrderStatus.OPEN, D("45.00"))  # 31.50 + 13.50
    assert [(l.unit_price, l.price_source) for l in so.lines] == [(D("3.50"), PriceSource.GIVEN), (D("3.00"), PriceSource.LIST)]
    assert [(a.on_hand, a.reserved, a.available, a.short) for a in first.availability] == [
        (D("100"), D("0"), D("100"), D("0")),
        (D("0"), D("0"), D("0"), D("5")),  # A002 has no stock: flagged, not refused
    ]
    # A second order sees the first one's reservation: 100 − 10 = 90 available, 5 short of 95.
    second = sell(uow, line("A001", "95", "3.5"))
    assert [(a.available, a.short) for a in second.availability] == [(D("90"), D("5"))]
    with uow:
        assert uow.documents.remaining(OrderKind.SALE, so.lines[0].product_id) == D("105")


def test_without_a_price_the_customers_last_price_beats_the_list_price(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    services.issue_stock(uow, CTX, c.IssueStock("A001", D("2"), unit_price=D("3.20"), counterparty="张三超市"))
    created = sell(uow, line("A001", "4"), line("A002", "1"))
    assert [(l.unit_price, l.price_source) for l in created.order.lines] == [(D("3.20"), PriceSource.LAST), (D("3.00"), PriceSource.LIST)]


def test_a_product_without_a_sale_price_needs_one_written(uow: FakeUnitOfWork) -> None:
    refused = unchanged(uow, lambda: sell(uow, line("A003", "1")), DocumentRefused)
    assert (refused.why, refused.details["kind"]) == (DocumentRefused.MISSING_PRICE, "售价")  # type: ignore[attr-defined]


def test_over_the_credit_limit_a_seller_is_refused_and_nothing_changes(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    sell(uow, line("A001", "50", "30"))  # 1,500.00: within 2,000 — an order is not yet owed
    services.issue_stock(uow, CTX, c.IssueStock("A001", D("1"), unit_price=D("1500"), counterparty="张三超市", confirmed=True))  # owed 1,500.00
    refused = unchanged(uow, lambda: sell(uow, line("A001", "20", "30"), ctx=as_role(Role.SELLER)), CreditLimitExceeded)
    assert (refused.owed, refused.total, refused.limit) == (D("1500.00"), D("600.00"), D("2000"))  # type: ignore[attr-defined]


def test_over_the_credit_limit_an_admin_is_asked_and_the_confirmation_books_it(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    services.issue_stock(uow, CTX, c.IssueStock("A001", D("1"), unit_price=D("1500"), counterparty="张三超市", confirmed=True))
    admin = as_role(Role.ADMIN)
    asked = unchanged(uow, lambda: sell(uow, line("A001", "20", "30"), ctx=admin), NeedsConfirmation)
    assert [(r.kind, r.given, r.usual) for r in asked.reasons] == [(RiskKind.CREDIT_LIMIT, D("2100.00"), D("2000"))]  # type: ignore[attr-defined]
    assert asked.command.confirmed is True  # type: ignore[attr-defined]
    created = ds.create_sales_order(uow, admin, asked.command)  # type: ignore[attr-defined]
    assert (created.order.number, created.owed) == ("SO-2026-0001", D("1500.00"))  # no number was used by the question


def test_within_the_limit_nobody_is_asked(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    assert sell(uow, line("A001", "10", "3.5"), ctx=as_role(Role.SELLER)).order.number == "SO-2026-0001"


# ---- 发货 ----------------------------------------------------------------------------------------


def test_a_partial_shipment_of_6_at_9折_bills_18_90_at_cost_14_40_and_keeps_the_order_open(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    number = sell(uow, line("A001", "10", "3.5"), discount=D("0.9")).order.number
    shipped = ship(uow, number, line("A001", "6"), tracking="SF1234567")
    assert [(s.quantity, s.revenue, s.cost, s.profit) for s in shipped.lines] == [(D("6"), D("18.90"), D("14.40"), D("4.50"))]
    assert (shipped.number, shipped.tracking) == ("CK-2026-0001", "SF1234567")
    assert (shipped.posted.item.amount, shipped.posted.item.due_on) == (D("18.90"), date(2026, 3, 25))  # 15 days
    assert order(uow, number).status is OrderStatus.PARTLY_SHIPPED
    assert stock(uow, "A001") == (D("94"), D("225.60"))
    with uow:
        (movement,) = uow.stock.movements_by_number("CK-2026-0001")
        assert uow.documents.remaining(OrderKind.SALE, movement.product_id) == D("4")  # the reservation shrank
    assert (movement.unit_price, movement.counterparty, movement.note) == (D("3.15"), "张三超市", f"{number} 快递 SF1234567")
    # The rest: 31.50 − 18.90 = 12.60, and the order is done.
    rest = ship(uow, number)
    assert rest.revenue == D("12.60") and order(uow, number).status is OrderStatus.DONE
    assert balance(uow, Ledger.RECEIVABLE, PartnerKind.CUSTOMER, "张三超市") == D("31.50")
    assert checked(uow) == []


def test_shipping_more_than_is_in_stock_is_refused_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    number = sell(uow, line("A002", "5")).order.number
    refused = unchanged(uow, lambda: ship(uow, number), InsufficientStock)
    assert (refused.requested, refused.available) == (D("5"), D("0"))  # type: ignore[attr-defined]


def test_shipping_a_closed_order_is_refused_and_closing_releases_the_reservation(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    number = sell(uow, line("A001", "10", "3.5")).order.number
    ds.close_order(uow, CTX, c.CloseOrder(number, "销售单"))
    with uow:
        assert uow.documents.remaining(OrderKind.SALE, 1) == 0
    refused = unchanged(uow, lambda: ship(uow, number), IllegalTransition)
    assert (refused.status, refused.action) == ("已关闭", "发货")  # type: ignore[attr-defined]


def test_shipping_a_completed_order_is_refused(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    number = sell(uow, line("A001", "2", "3.5")).order.number
    ship(uow, number)
    refused = unchanged(uow, lambda: ship(uow, number, line("A001", "1")), IllegalTransition)
    assert refused.status == "已完成"  # type: ignore[attr-defined]


def test_shipping_more_than_ordered_asks_first(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    number = sell(uow, line("A001", "2", "3.5")).order.number
    asked = unchanged(uow, lambda: ship(uow, number, line("A001", "3")), NeedsConfirmation)
    assert ds.ship_order(uow, CTX, asked.command).revenue == D("10.50")  # type: ignore[attr-defined]


def test_a_shipment_settles_against_the_customers_prepayment(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("100")))  # nothing owed: all of it is credit
    number = sell(uow, line("A001", "10", "3.5")).order.number
    shipped = ship(uow, number)
    assert shipped.posted.settled == D("35.00")
    assert balance(uow, Ledger.RECEIVABLE, PartnerKind.CUSTOMER, "张三超市") == D("-65.00")


# ---- 退货 ----------------------------------------------------------------------------------------


def test_a_return_to_the_supplier_goes_at_the_price_bought_and_reduces_the_payable(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    receive(uow, number, line("A001", "100"), fees=(("运费", D("24")),))  # unit cost 2.64 with freight
    returned = ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("2")))
    # The supplier takes them back at the 2.40 it charged: 4.80 off the payable.
    assert (returned.number, returned.credit, returned.source.number) == ("CT-2026-0001", D("4.80"), "RK-2026-0001")
    assert returned.posted.item.amount == D("-4.80") and returned.posted.settled == D("4.80")
    assert returned.balance == D("259.20")  # 240.00 + 24 freight − 4.80
    assert stock(uow, "A001")[0] == D("98")
    assert open_items(uow, Ledger.PAYABLE) == {"RK-2026-0001": D("259.20")}
    assert checked(uow) == []


def test_returning_more_than_was_bought_from_the_supplier_is_refused(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("98")))
    refused = unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("3"))), NothingToReturn)
    assert (refused.requested, refused.returnable) == (D("3"), D("2"))  # type: ignore[attr-defined]
    never = unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A002", D("1"))), NothingToReturn)
    assert never.returnable == 0  # type: ignore[attr-defined]


def test_a_customer_return_comes_back_at_the_cost_it_left_with_and_reduces_the_receivable_by_the_sale_price(uow: FakeUnitOfWork) -> None:
    stocked(uow)  # 100 at 2.40
    number = sell(uow, line("A001", "10", "3.5"), discount=D("0.9")).order.number
    ship(uow, number, line("A001", "6"))  # 6 out at cost 14.40, billed 18.90
    services.receive_stock(uow, CTX, c.ReceiveStock("A001", D("94"), unit_price=D("3.00")))  # the average moves on
    returned = ds.return_goods(uow, CTX, c.ReturnGoods("张三超市", "A001", D("2")))
    # In at what 2 of the 6 cost when they left (14.40 × 2/6 = 4.80), not at today's average;
    # the receivable falls by 2 × 3.15 (the discounted price) = 6.30.
    assert (returned.number, returned.stock_value, returned.credit) == ("XT-2026-0001", D("4.80"), D("6.30"))
    assert returned.balance == D("12.60")
    with uow:
        (movement,) = uow.stock.movements_by_number("XT-2026-0001")
    assert (movement.kind, movement.quantity, movement.value) == (MovementKind.SALES_RETURN, D("2"), D("4.80"))
    refused = unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("张三超市", "A001", D("5"))), NothingToReturn)
    assert refused.returnable == D("4")  # type: ignore[attr-defined]
    assert checked(uow) == []


def test_a_return_naming_another_partners_receipt_is_refused(uow: FakeUnitOfWork) -> None:
    stocked(uow)  # RK-2026-0001 from 华东饮料
    ps.add_partner(uow, CTX, c.AddPartner("供应商", "华南食品"))
    services.receive_stock(uow, CTX, c.ReceiveStock("A001", D("5"), unit_price=D("2.40"), counterparty="华南食品"))
    refused = unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("华南食品", "A001", D("1"), number="RK-2026-0001")), DocumentRefused)
    assert refused.why == DocumentRefused.NOT_A_RECEIPT  # type: ignore[attr-defined]
    assert ds.return_goods(uow, CTX, c.ReturnGoods("华南食品", "A001", D("1"), number="RK-2026-0002")).credit == D("2.40")


def test_a_name_that_is_both_supplier_and_customer_must_say_which(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ps.add_partner(uow, CTX, c.AddPartner("客户", "华东饮料"))
    refused = unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("1"))), AmbiguousPartner)
    assert (refused.name, refused.command) == ("华东饮料", "退货")  # type: ignore[attr-defined]
    assert ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("1"), kind="供应商")).credit == D("2.40")


def test_a_return_to_nobody_on_file_is_refused(uow: FakeUnitOfWork) -> None:
    unchanged(uow, lambda: ds.return_goods(uow, CTX, c.ReturnGoods("不认识", "A001", D("1"))), UnknownPartner)


# ---- 收款 / 付款 ---------------------------------------------------------------------------------


def test_a_payment_naming_an_order_settles_its_shipments_first_then_the_oldest(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    first = sell(uow, line("A001", "10", "3.5")).order.number
    ship(uow, first)  # CK-2026-0001: 35.00
    second = sell(uow, line("A001", "20", "3.5")).order.number
    ship(uow, second)  # CK-2026-0002: 70.00
    paid = ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("80"), second, "微信"))
    assert paid.allocations == [("CK-2026-0002", D("70.00")), ("CK-2026-0001", D("10.00"))]
    assert (paid.unused, paid.balance, paid.payment.number) == (D("0"), D("25.00"), "SK-2026-0001")
    assert open_items(uow, Ledger.RECEIVABLE) == {"CK-2026-0001": D("25.00")}


def test_an_overpayment_stays_as_credit_and_shows_as_a_negative_balance(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ship(uow, sell(uow, line("A001", "10", "3.5")).order.number)
    paid = ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("50")))
    assert (paid.allocations, paid.unused, paid.balance) == ([("CK-2026-0001", D("35.00"))], D("15.00"), D("-15.00"))


def test_paying_the_supplier_settles_the_payable(uow: FakeUnitOfWork) -> None:
    stocked(uow)  # a payable of 240.00 by the quick form
    paid = ds.pay(uow, CTX, c.RecordPayment("付款", "华东饮料", D("200"), account="银行"))
    assert (paid.payment.number, paid.allocations, paid.balance) == ("FK-2026-0001", [("RK-2026-0001", D("200"))], D("40.00"))


def test_a_payment_naming_an_unknown_document_is_refused(uow: FakeUnitOfWork) -> None:
    refused = unchanged(uow, lambda: ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("10"), "SO-2026-0042")), UnknownDocument)
    assert refused.number == "SO-2026-0042"  # type: ignore[attr-defined]
    unchanged(uow, lambda: ds.pay(uow, CTX, c.RecordPayment("收款", "华东饮料", D("10"))), UnknownPartner)  # not a customer


def test_a_payment_naming_a_settled_document_goes_to_the_oldest_open(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ds.pay(uow, CTX, c.RecordPayment("付款", "华东饮料", D("240")))
    paid = ds.pay(uow, CTX, c.RecordPayment("付款", "华东饮料", D("10"), "RK-2026-0001"))
    assert (paid.allocations, paid.unused) == ([], D("10"))


# ---- 应收 / 应付, 对账单, the cash book ----------------------------------------------------------


def test_open_items_show_days_overdue_and_aging_buckets(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ship(uow, sell(uow, line("A001", "10", "3.5")).order.number)  # due 03-25
    later = make_context(DEFAULT_NOW + timedelta(days=50))  # 04-29: 35 days overdue
    ship(uow, sell(uow, line("A001", "2", "3.5"), ctx=later).order.number, ctx=later)  # due 05-14
    ds.pay(uow, later, c.RecordPayment("收款", "张三超市", D("5")))
    view = ds.show_open_items(uow, later, c.ShowOpenItems("应收"))
    assert (view.total, view.credit, view.today) == (D("37.00"), D("0"), date(2026, 4, 29))
    assert view.buckets == {"未到期": D("7.00"), "1–30天": D("0"), "31–60天": D("30.00"), "61–90天": D("0"), "90天以上": D("0")}
    (group,) = view.partners
    assert (group.partner_name, group.total, group.overdue) == ("张三超市", D("37.00"), D("30.00"))
    assert [(i.number, i.open, i.days_overdue(later.today)) for i in group.items] == [("CK-2026-0001", D("30.00"), 35), ("CK-2026-0002", D("7.00"), 0)]
    payables = ds.show_open_items(uow, later, c.ShowOpenItems("应付", "华东饮料"))
    # The quick 入库 of 03-10 was due after 30 days, on 04-09: 20 days overdue.
    assert (payables.total, payables.buckets["1–30天"], payables.partners[0].overdue) == (D("240.00"), D("240.00"), D("240.00"))


def test_open_items_count_a_prepayment_as_credit(uow: FakeUnitOfWork) -> None:
    ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("12.50")))
    view = ds.show_open_items(uow, CTX, c.ShowOpenItems("应收"))
    assert (view.partners, view.total, view.credit) == ([], D("0"), D("12.50"))


def test_a_statement_shows_the_opening_balance_the_documents_and_payments_and_the_closing(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    ship(uow, sell(uow, line("A001", "10", "3.5")).order.number)  # 03-10: 35.00 (before the period)
    april = make_context(DEFAULT_NOW + timedelta(days=25))  # 04-04
    ship(uow, sell(uow, line("A001", "20", "3.5"), ctx=april).order.number, ctx=april)  # CK-2026-0002: 70.00
    ds.return_goods(uow, april, c.ReturnGoods("张三超市", "A001", D("2")))  # XT-2026-0001: −7.00
    ds.pay(uow, april, c.RecordPayment("收款", "张三超市", D("50"), account="微信"))  # SK-2026-0001
    statement = ds.show_statement(uow, april, c.ShowStatement("张三超市", between(date(2026, 4, 1), date(2026, 4, 30))))
    assert (statement.since, statement.until, statement.opening, statement.closing) == (date(2026, 4, 1), date(2026, 4, 30), D("35.00"), D("48.00"))
    assert [(l.number, l.what, l.debit, l.credit, l.balance) for l in statement.lines] == [
        # Same day: the documents in booking order, then the day's payments.
        ("CK-2026-0002", "销售 SO-2026-0002", D("70.00"), D("0"), D("105.00")),
        ("XT-2026-0001", "退货", D("0"), D("7.00"), D("98.00")),
        ("SK-2026-0001", "收款（微信）", D("0"), D("50"), D("48.00")),
    ]
    # Without a period: this month so far (04-01 to today).
    assert ds.show_statement(uow, april, c.ShowStatement("@张三超市")).lines == statement.lines


def test_a_supplier_statement_calls_its_documents_进货(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    receive(uow, number, line("A001", "10"))
    statement = ds.show_statement(uow, CTX, c.ShowStatement("华东饮料"))
    assert [(l.what, l.debit) for l in statement.lines] == [(f"进货 {number}", D("24.00"))]
    assert (statement.ledger, statement.closing) == (Ledger.PAYABLE, D("24.00"))


def test_cash_book_entries_are_numbered_sr_and_fy(uow: FakeUnitOfWork) -> None:
    income = ds.record_cash(uow, CTX, c.RecordCashEntry(True, D("200"), "房租转租"))
    expense = ds.record_cash(uow, CTX, c.RecordCashEntry(False, D("300"), "水电", "银行"))
    assert (income.entry.number, income.entry.account.value) == ("SR-2026-0001", "现金")
    assert (expense.entry.number, expense.entry.amount, expense.entry.account.value) == ("FY-2026-0001", D("300"), "银行")
    assert uow.audit.entries[-1].action is Action.CASH_ENTRY


# ---- showing orders ------------------------------------------------------------------------------


def test_an_order_view_shows_its_open_items_and_a_list_puts_open_orders_first(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    done = sell(uow, line("A001", "2", "3.5")).order.number
    ship(uow, done)
    waiting = sell(uow, line("A001", "3", "3.5")).order.number
    view = ds.show_orders(uow, CTX, c.ShowOrders("销售单", done))
    assert isinstance(view, ds.OrderView)
    assert [(i.number, i.open) for i in view.items] == [("CK-2026-0001", D("7.00"))]
    listed = ds.show_orders(uow, CTX, c.ShowOrders("销售单"))
    assert isinstance(listed, ds.OrderList)
    assert [o.number for o in listed.orders] == [waiting, done] and listed.total == 2
    unchanged(uow, lambda: ds.show_orders(uow, CTX, c.ShowOrders("销售单", "SO-2026-0099")), UnknownDocument)


# ---- check ---------------------------------------------------------------------------------------


def test_check_passes_after_a_whole_cycle_and_catches_an_allocation_beyond_its_item(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    receive(uow, number, line("A001", "100", accepted="98"), line("A002", "50"), fees=(("运费", D("50")),))
    ds.return_goods(uow, CTX, c.ReturnGoods("华东饮料", "A001", D("2")))
    ds.pay(uow, CTX, c.RecordPayment("付款", "华东饮料", D("500")))
    ship(uow, sell(uow, line("A001", "10", "3.5"), discount=D("0.9")).order.number, line("A001", "6"))
    ds.pay(uow, CTX, c.RecordPayment("收款", "张三超市", D("10.00")))
    assert checked(uow) == []
    # Tamper: allocate 1,000 of the 10.00 payment to the 18.90 receivable.
    with uow:
        item = uow.documents.open_items(Ledger.RECEIVABLE)[0]
        payment = max(uow.documents.payments.values(), key=lambda p: p.id)
    uow.documents.allocations.append(Allocation(item.id, "payment", payment.id, D("1000.00")))
    problems = {d.subject: d.problem for d in checked(uow)}  # type: ignore[attr-defined]
    assert problems == {item.number: "已核销 1010.00，超出单据金额 18.90", payment.number: "核销 1010.00，超出可用金额 10.00"}
    # `jxc check` (check_books) reports them and fails.
    report = services.check_books(uow)
    assert not report.ok and report.mismatches == [] and {d.subject for d in report.discrepancies} == set(problems)


def test_check_catches_a_line_billed_other_than_delivered(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    receive(uow, number, line("A001", "10"))
    stored = uow.documents.orders_by_id[order(uow, number).id]
    uow.documents.orders_by_id[stored.id] = replace(stored, lines=(replace(stored.lines[0], billed=D("25.00")), stored.lines[1]))
    assert [(d.subject, d.problem) for d in checked(uow)] == [(number, "第 1 行已交 10，应计 24.00，实计 25.00")]  # type: ignore[attr-defined]


# ---- production bugs, pinned (strict: each turns red when fixed, so the marker comes off) -------


def test_fees_on_a_receipt_with_nothing_accepted_are_not_silently_dropped(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    before = uow.state()
    with pytest.raises(DocumentRefused) as refused:
        receive(uow, number, line("A001", "5", accepted="0"), fees=(("运费", D("50")),))
    assert refused.value.why == DocumentRefused.FEES_WITHOUT_GOODS and refused.value.details["fees"] == D("50")
    assert uow.state() == before


@pytest.mark.xfail(
    strict=True,
    reason="returns are credited quantity × the shipment's unit price, each rounded on its own: three "
    "returns of 1 from a shipment of 3 × 3.33 at 9折 (billed 8.99) credit 3.00 each, 9.00 in all — a fen "
    "more than was billed (shipments bill the cumulative amount; returns do not)",
)
def test_returning_a_shipment_piece_by_piece_credits_exactly_what_it_billed(uow: FakeUnitOfWork) -> None:
    stocked(uow)
    number = sell(uow, line("A001", "3", "3.33"), discount=D("0.9")).order.number
    assert ship(uow, number).revenue == D("8.99")
    credits = [ds.return_goods(uow, CTX, c.ReturnGoods("张三超市", "A001", D("1"))).credit for _ in range(3)]
    assert sum(credits) == D("8.99")
    assert balance(uow, Ledger.RECEIVABLE, PartnerKind.CUSTOMER, "张三超市") == 0


def test_check_accepts_a_confirmed_over_delivery_and_catches_an_unconfirmed_one(uow: FakeUnitOfWork) -> None:
    number = approved_po(uow)
    # 120 of the 100 ordered: asked first, booked once confirmed, and recorded as confirmed.
    with pytest.raises(NeedsConfirmation):
        receive(uow, number, line("A001", "120"))
    ds.receive_order(uow, CTX, c.ReceiveOrder(number, (line("A001", "120"),), confirmed=True))
    assert checked(uow) == []
    # A line over its quantity without that record is what check reports.
    with uow.writing():
        order = uow.documents.order(number)
        uow.documents.save_order(replace(order, lines=tuple(replace(l, over_confirmed=False) for l in order.lines)))
        uow.commit()
    assert [d.problem for d in checked(uow)] == ["第 1 行已交 120，超过订购 100，且没有确认"]
