"""Orders, open items, payments, allocations and the cash book on a real database (SQLite and
PostgreSQL): exact round trips, derived open amounts, the database's own refusals, ``check``,
workspace isolation, and a whole cycle booking the same figures as the fake."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from domain import commands as c
from domain import document_services as ds
from domain import partner_services as ps
from domain import services
from domain.documents import (
    Account,
    Allocation,
    CashEntry,
    Credit,
    Ledger,
    OpenItem,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Payment,
    PriceSource,
)
from domain.partners import PartnerKind
from domain.periods import between
from domain.stock import MovementKind
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import create_workspace
from tests.conftest import make_context
from tests.fakes import FakeUnitOfWork

D = Decimal
AT = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 22)


@pytest.fixture
def ids(uow_factory):  # type: ignore[no-untyped-def]
    """Products A001/A002 and partners 华东饮料 (supplier, 30 days) and 张三超市 (customer, 15 days)."""
    ctx = make_context()
    services.add_product(uow_factory(), ctx, c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("sale_price", D("3.50")))))
    services.add_product(uow_factory(), ctx, c.AddProduct("A002", "雪碧", (("unit", "kg"),)))
    ps.add_partner(uow_factory(), ctx, c.AddPartner("供应商", "华东饮料", (("terms_days", 30),)))
    ps.add_partner(uow_factory(), ctx, c.AddPartner("客户", "张三超市", (("terms_days", 15), ("credit_limit", D("2000")))))
    with uow_factory() as uow:
        products = {code: uow.products.get(code).id for code in ("A001", "A002")}  # type: ignore[union-attr]
        supplier = uow.partners.get(PartnerKind.SUPPLIER, "华东饮料").id  # type: ignore[union-attr]
        customer = uow.partners.get(PartnerKind.CUSTOMER, "张三超市").id  # type: ignore[union-attr]
        warehouse = uow.stock.warehouses()[0].id
    return {**products, "supplier": supplier, "customer": customer, "warehouse": warehouse}


def an_order(ids, number: str = "PO-2026-0001", kind: OrderKind = OrderKind.PURCHASE, **more: object) -> Order:  # type: ignore[no-untyped-def]
    lines = (
        OrderLine(ids["A001"], "A001", "可口可乐", "罐", D("100"), D("2.4397"), PriceSource.GIVEN),
        OrderLine(ids["A002"], "A002", "雪碧", "kg", D("2.505"), D("3.00"), PriceSource.PURCHASE_LIST),
    )
    partner = ids["supplier"] if kind is OrderKind.PURCHASE else ids["customer"]
    name = "华东饮料" if kind is OrderKind.PURCHASE else "张三超市"
    order = Order(kind, number, partner, name, OrderStatus.DRAFT, AT, "老王", lines, ids["warehouse"], date(2026, 12, 1), None, "年底备货")
    return replace(order, **more)


def an_item(ids, number: str, amount: str, day: date = DAY, due: date | None = None, ledger: Ledger = Ledger.RECEIVABLE) -> OpenItem:  # type: ignore[no-untyped-def]
    partner = ids["customer"] if ledger is Ledger.RECEIVABLE else ids["supplier"]
    name = "张三超市" if ledger is Ledger.RECEIVABLE else "华东饮料"
    return OpenItem(ledger, partner, name, number, D(amount), day, due or day, "SO-2026-0001")


def a_payment(ids, number: str, amount: str, day: date = DAY) -> Payment:  # type: ignore[no-untyped-def]
    return Payment(Ledger.RECEIVABLE, ids["customer"], "张三超市", number, D(amount), Account.WECHAT, AT, day, "月结")


# ---- orders --------------------------------------------------------------------------------------


def test_an_order_round_trips_exactly_with_numbered_lines(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        stored = uow.documents.add_order(an_order(ids))
        uow.commit()
    assert stored.id > 0 and [line.line_no for line in stored.lines] == [1, 2]
    with uow_factory() as uow:
        found = uow.documents.order("PO-2026-0001")
    assert found == stored
    assert (found.lines[0].unit_price, found.lines[1].quantity, found.total) == (D("2.4397"), D("2.505"), D("251.49"))
    with uow_factory() as uow:
        assert uow.documents.order("PO-2026-0099") is None


def test_saving_an_order_stores_its_status_and_the_lines_progress_only(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        stored = uow.documents.add_order(an_order(ids))
        uow.commit()
    progressed = replace(
        stored,
        status=OrderStatus.PARTLY_RECEIVED,
        lines=(replace(stored.lines[0], done=D("98"), billed=D("239.09"), rejected=D("2")), stored.lines[1]),
        note="ignored",  # only status and progress are saved
    )
    with uow_factory().writing() as uow:
        uow.documents.order("PO-2026-0001", lock=True)  # a row lock on PostgreSQL, harmless on SQLite
        uow.documents.save_order(progressed)
        uow.commit()
    with uow_factory() as uow:
        found = uow.documents.order("PO-2026-0001")
    assert found == replace(progressed, note="年底备货")


def test_order_numbers_are_unique_per_workspace(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        uow.documents.add_order(an_order(ids))
        with pytest.raises(IntegrityError):
            uow.documents.add_order(an_order(ids))


def test_the_list_shows_open_and_draft_orders_first_then_newest_first(uow_factory, ids):  # type: ignore[no-untyped-def]
    statuses = [OrderStatus.DONE, OrderStatus.DRAFT, OrderStatus.CLOSED, OrderStatus.APPROVED, OrderStatus.PARTLY_RECEIVED]
    with uow_factory().writing() as uow:
        for n, status in enumerate(statuses, start=1):
            uow.documents.add_order(an_order(ids, f"PO-2026-000{n}", status=status))
        uow.documents.add_order(an_order(ids, "SO-2026-0001", OrderKind.SALE, status=OrderStatus.OPEN))
        uow.commit()
    with uow_factory() as uow:
        assert [o.number for o in uow.documents.orders(OrderKind.PURCHASE, 0, 10)] == [
            "PO-2026-0005", "PO-2026-0004", "PO-2026-0002", "PO-2026-0003", "PO-2026-0001"
        ]
        assert [o.number for o in uow.documents.orders(OrderKind.PURCHASE, 1, 2)] == ["PO-2026-0004", "PO-2026-0002"]
        assert (uow.documents.count_orders(OrderKind.PURCHASE), uow.documents.count_orders(OrderKind.SALE)) == (5, 1)


def test_remaining_counts_only_open_orders_of_the_kind(uow_factory, ids):  # type: ignore[no-untyped-def]
    def with_done(order: Order, done: str) -> Order:
        return replace(order, lines=(replace(order.lines[0], done=D(done)), order.lines[1]))

    with uow_factory().writing() as uow:
        uow.documents.add_order(with_done(an_order(ids, "SO-2026-0001", OrderKind.SALE, status=OrderStatus.OPEN), "0"))
        uow.documents.add_order(with_done(an_order(ids, "SO-2026-0002", OrderKind.SALE, status=OrderStatus.PARTLY_SHIPPED), "60"))
        uow.documents.add_order(with_done(an_order(ids, "SO-2026-0003", OrderKind.SALE, status=OrderStatus.PARTLY_SHIPPED), "120"))
        uow.documents.add_order(an_order(ids, "SO-2026-0004", OrderKind.SALE, status=OrderStatus.CLOSED))
        uow.documents.add_order(an_order(ids, "PO-2026-0001", status=OrderStatus.APPROVED))
        uow.documents.add_order(an_order(ids, "PO-2026-0002", status=OrderStatus.DRAFT))
        uow.commit()
    with uow_factory() as uow:
        # reserved: 100 + 40 + 0 (over-shipped counts nothing, not minus 20); the closed one nothing
        assert uow.documents.remaining(OrderKind.SALE, ids["A001"]) == D("140")
        assert uow.documents.remaining(OrderKind.PURCHASE, ids["A001"]) == D("100")  # the draft expects nothing
        assert uow.documents.remaining(OrderKind.SALE, ids["A002"]) == D("7.515")


# ---- what is owed --------------------------------------------------------------------------------


def test_open_amounts_are_derived_from_allocations_oldest_due_first(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        late = uow.documents.add_item(an_item(ids, "CK-2026-0002", "70.00", due=date(2026, 12, 20)))
        early = uow.documents.add_item(an_item(ids, "CK-2026-0001", "35.00", due=date(2026, 12, 7)))
        settled = uow.documents.add_item(an_item(ids, "CK-2026-0003", "10.00", due=date(2026, 12, 1)))
        uow.documents.add_item(an_item(ids, "CK-2026-0009", "99.00", ledger=Ledger.PAYABLE))
        payment = uow.documents.add_payment(a_payment(ids, "SK-2026-0001", "25.01"))
        assert (early.open, payment.unused) == (D("35.00"), D("25.01"))
        uow.documents.add_allocation(Allocation(settled.id, "payment", payment.id, D("10.00")))
        uow.documents.add_allocation(Allocation(early.id, "payment", payment.id, D("15.01")))
        uow.commit()
    with uow_factory() as uow:
        items = uow.documents.open_items(Ledger.RECEIVABLE, ids["customer"])
        assert [(i.number, i.open, i.partner_name, i.order_number) for i in items] == [
            ("CK-2026-0001", D("19.99"), "张三超市", "SO-2026-0001"),
            ("CK-2026-0002", D("70.00"), "张三超市", "SO-2026-0001"),
        ]
        assert items[1] == replace(late, open=D("70.00"))
        assert [i.number for i in uow.documents.open_items(Ledger.PAYABLE)] == ["CK-2026-0009"]
        assert uow.documents.credits(Ledger.RECEIVABLE, ids["customer"]) == []  # the payment is used up
        assert uow.documents.balance(Ledger.RECEIVABLE, ids["customer"]) == D("89.99")  # 115.00 − 25.01


def test_credits_are_payments_and_returns_with_something_left_oldest_first(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        old_return = uow.documents.add_item(an_item(ids, "XT-2026-0001", "-7.00", day=DAY - timedelta(days=3)))
        payment = uow.documents.add_payment(a_payment(ids, "SK-2026-0001", "100.00", day=DAY - timedelta(days=1)))
        used = uow.documents.add_payment(a_payment(ids, "SK-2026-0002", "5.00", day=DAY - timedelta(days=5)))
        item = uow.documents.add_item(an_item(ids, "CK-2026-0001", "45.00"))
        uow.documents.add_allocation(Allocation(item.id, "payment", used.id, D("5.00")))
        uow.documents.add_allocation(Allocation(item.id, "item", old_return.id, D("2.50")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.credits(Ledger.RECEIVABLE, ids["customer"]) == [
            Credit("item", old_return.id, D("4.50")),
            Credit("payment", payment.id, D("100.00")),
        ]
        assert uow.documents.credits(Ledger.PAYABLE, ids["supplier"]) == []
        # Every partner's at once (应收 without @): the same credits, this being the only customer.
        assert uow.documents.credits(Ledger.RECEIVABLE, None) == uow.documents.credits(Ledger.RECEIVABLE, ids["customer"])


def test_balances_and_statements_cut_by_day_half_open(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        uow.documents.add_item(an_item(ids, "CK-2026-0001", "35.00", day=date(2026, 10, 31)))
        uow.documents.add_item(an_item(ids, "CK-2026-0002", "70.00", day=date(2026, 11, 1)))
        uow.documents.add_item(an_item(ids, "XT-2026-0001", "-7.00", day=date(2026, 11, 30)))
        uow.documents.add_payment(a_payment(ids, "SK-2026-0001", "20.00", day=date(2026, 10, 31)))
        uow.documents.add_payment(a_payment(ids, "SK-2026-0002", "50.00", day=date(2026, 11, 15)))
        uow.documents.add_payment(a_payment(ids, "SK-2026-0003", "1.00", day=date(2026, 12, 1)))
        uow.commit()
    customer = ids["customer"]
    with uow_factory() as uow:
        assert uow.documents.balance(Ledger.RECEIVABLE, customer, before=date(2026, 11, 1)) == D("15.00")
        assert uow.documents.balance(Ledger.RECEIVABLE, customer) == D("27.00")
        november = (date(2026, 11, 1), date(2026, 12, 1))
        assert [(i.number, i.amount) for i in uow.documents.items_between(Ledger.RECEIVABLE, customer, *november)] == [
            ("CK-2026-0002", D("70.00")),
            ("XT-2026-0001", D("-7.00")),
        ]
        payments = uow.documents.payments_between(Ledger.RECEIVABLE, customer, *november)
        assert [(p.number, p.amount, p.account, p.note, p.partner_name) for p in payments] == [
            ("SK-2026-0002", D("50.00"), Account.WECHAT, "月结", "张三超市")
        ]
        assert uow.documents.balance(Ledger.PAYABLE, ids["supplier"]) == 0


def test_cash_entries_are_stored_with_their_account(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        entry = uow.documents.add_cash_entry(CashEntry("FY-2026-0001", False, D("300.00"), Account.BANK, "水电", AT))
        uow.commit()
    assert entry.id > 0
    from sqlmodel import select

    from storage.document_tables import CashEntryRow

    with uow_factory() as uow:
        (row,) = uow.session.exec(select(CashEntryRow)).all()
        stored = (row.number, row.income, row.amount, row.account, row.note, row.occurred_at)
    assert stored == ("FY-2026-0001", False, D("300.00"), "银行", "水电", AT)


# ---- check ---------------------------------------------------------------------------------------


def test_check_finds_allocations_beyond_their_item_and_their_payment(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        item = uow.documents.add_item(an_item(ids, "CK-2026-0001", "18.90"))
        payment = uow.documents.add_payment(a_payment(ids, "SK-2026-0001", "10.00"))
        uow.documents.add_allocation(Allocation(item.id, "payment", payment.id, D("10.00")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.check() == []
    with uow_factory().writing() as uow:
        uow.documents.add_allocation(Allocation(item.id, "payment", payment.id, D("1000.00")))
        uow.commit()
    with uow_factory() as uow:
        assert {(d.subject, d.problem) for d in uow.documents.check()} == {
            ("CK-2026-0001", "已核销 1010.00，超出单据金额 18.90"),
            ("SK-2026-0001", "核销 1010.00，超出可用金额 10.00"),
        }


def test_check_finds_a_line_billed_other_than_delivered(uow_factory, ids):  # type: ignore[no-untyped-def]
    with uow_factory().writing() as uow:
        order = uow.documents.add_order(an_order(ids, "SO-2026-0001", OrderKind.SALE, discount=D("0.9")))
        # 6 shipped at 2.4397 × 0.9: 13.17 billed is right, 13.18 is not
        uow.documents.save_order(replace(order, lines=(replace(order.lines[0], done=D("6"), billed=D("13.18")), order.lines[1])))
        uow.commit()
    with uow_factory() as uow:
        assert [(d.subject, d.problem) for d in uow.documents.check()] == [("SO-2026-0001", "第 1 行已交 6，应计 13.17，实计 13.18")]


# ---- isolation -----------------------------------------------------------------------------------


def test_documents_of_one_workspace_are_invisible_in_another(engine, uow_factory, ids):  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from storage.db import WRITE_OPTION

    with uow_factory().writing() as uow:
        uow.documents.add_order(an_order(ids))
        item = uow.documents.add_item(an_item(ids, "CK-2026-0001", "35.00"))
        uow.commit()
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        other = create_workspace(session, "二号店")
        session.commit()
    with SqlUnitOfWork(engine, other) as uow:
        assert uow.documents.order("PO-2026-0001") is None
        assert uow.documents.orders(OrderKind.PURCHASE, 0, 10) == [] and uow.documents.count_orders(OrderKind.PURCHASE) == 0
        assert uow.documents.open_items(Ledger.RECEIVABLE) == []
        assert uow.documents.balance(Ledger.RECEIVABLE, item.partner_id) == 0
        assert uow.documents.check() == []


# ---- the stock side: what was bought from / shipped to whom ------------------------------------


def test_quantity_with_and_last_movement_with_skip_undone_movements(uow_factory, ids):  # type: ignore[no-untyped-def]
    ctx = make_context()
    for quantity, price in (("10", "2.40"), ("5", "2.60")):
        services.receive_stock(uow_factory(), ctx, c.ReceiveStock("A001", D(quantity), unit_price=D(price), counterparty="华东饮料"))
    services.receive_stock(uow_factory(), ctx, c.ReceiveStock("A001", D("7"), unit_price=D("9"), counterparty="别家", confirmed=True))
    from domain import history

    history.undo(uow_factory(), ctx, c.Undo("RK-2026-0002", confirmed=True))
    with uow_factory() as uow:
        assert uow.stock.quantity_with(ids["A001"], "华东饮料", MovementKind.RECEIPT.value) == D("10")
        last = uow.stock.last_movement_with(ids["A001"], "华东饮料", MovementKind.RECEIPT.value)
        assert last is not None and (last.number, last.unit_price) == ("RK-2026-0001", D("2.40"))
        assert uow.stock.quantity_with(ids["A001"], "华东饮料", MovementKind.ISSUE.value) == 0
        assert uow.stock.last_movement_with(ids["A002"], "华东饮料", MovementKind.RECEIPT.value) is None


# ---- a whole cycle books the same on the database as on the fake --------------------------------


def cycle(uow_of, ctx_at) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """采购 → 审核 → 到货 (QC, freight) → 退货 → 付款; 销售 → 发货 (partial) → 退货 → 收款."""
    po = ds.create_purchase_order(uow_of(), ctx_at(0), c.CreatePurchaseOrder("华东饮料", (c.LineInput("A001", D("100"), unit_price=D("2.40")),))).order
    ds.approve_order(uow_of(), ctx_at(0), c.ApproveOrder(po.number))
    received = ds.receive_order(uow_of(), ctx_at(0), c.ReceiveOrder(po.number, (c.LineInput("A001", D("100"), accepted=D("98")),), (("运费", D("50")),)))
    returned = ds.return_goods(uow_of(), ctx_at(1), c.ReturnGoods("华东饮料", "A001", D("2")))
    paid = ds.pay(uow_of(), ctx_at(2), c.RecordPayment("付款", "华东饮料", D("200"), account="银行"))
    so = ds.create_sales_order(uow_of(), ctx_at(3), c.CreateSalesOrder("张三超市", (c.LineInput("A001", D("10")),), D("0.9"))).order
    shipped = ds.ship_order(uow_of(), ctx_at(3), c.ShipOrder(so.number, (c.LineInput("A001", D("6")),), "SF1"))
    back = ds.return_goods(uow_of(), ctx_at(4), c.ReturnGoods("张三超市", "A001", D("1")))
    collected = ds.pay(uow_of(), ctx_at(40), c.RecordPayment("收款", "张三超市", D("20"), so.number, "微信"))
    aging = ds.show_open_items(uow_of(), ctx_at(60), c.ShowOpenItems("应付"))
    statement = ds.show_statement(uow_of(), ctx_at(60), c.ShowStatement("张三超市", between(date(2026, 11, 1), date(2026, 12, 31))))
    with uow_of() as uow:
        stock = uow.stock.total_balance(uow.products.get("A001").id)  # type: ignore[union-attr]
        check = uow.documents.check()
    return {
        "numbers": (po.number, received.number, returned.number, paid.payment.number, so.number, shipped.number, back.number),
        "received": [(r.value, r.landed) for r in received.receivings],
        "payable": received.posted.item.amount if received.posted else None,
        "returned": (returned.credit, returned.stock_value, returned.balance),
        "paid": (paid.allocations, paid.balance),
        "shipped": [(s.revenue, s.cost) for s in shipped.lines],
        "back": (back.credit, back.stock_value, back.balance),
        "collected": (collected.allocations, collected.unused, collected.balance),
        "aging": (aging.total, aging.buckets),
        "statement": (statement.opening, [(l.number, l.debit, l.credit, l.balance) for l in statement.lines], statement.closing),
        "stock": (stock.quantity, stock.value),
        "check": check,
    }


def test_a_whole_cycle_books_the_same_on_the_database_as_on_the_fake(uow_factory, ids):  # type: ignore[no-untyped-def]
    start = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)

    def ctx_at(days: int):  # type: ignore[no-untyped-def]
        return make_context(start + timedelta(days=days))

    on_database = cycle(uow_factory, ctx_at)
    fake = FakeUnitOfWork()
    ctx = make_context(start)
    services.add_product(fake, ctx, c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("sale_price", D("3.50")))))
    services.add_product(fake, ctx, c.AddProduct("A002", "雪碧", (("unit", "kg"),)))
    ps.add_partner(fake, ctx, c.AddPartner("供应商", "华东饮料", (("terms_days", 30),)))
    ps.add_partner(fake, ctx, c.AddPartner("客户", "张三超市", (("terms_days", 15), ("credit_limit", D("2000")))))
    assert cycle(lambda: fake, ctx_at) == on_database
    # and the figures themselves, worked out by hand:
    assert on_database["received"] == [(D("235.20"), D("50"))]  # 98 × 2.40, all the freight on the one line
    assert on_database["payable"] == D("285.20")  # stock: 98 at 285.20 (2.9102/罐)
    # Back to the supplier at the 2.40 it charged: 4.80 off the payable and out of stock (the
    # freight stays with the 96 kept: 280.40, 2.9208/罐).
    assert on_database["returned"] == (D("4.80"), D("4.80"), D("280.40"))
    assert on_database["paid"] == ([("RK-2026-0001", D("200.00"))], D("80.40"))
    assert on_database["shipped"] == [(D("18.90"), D("17.53"))]  # 6 × 3.50 × 0.9; 6 × 2.9208 at cost
    # One back from the customer: 3.15 (its discounted price) off the receivable, into stock at
    # the 17.53 / 6 = 2.92 it left with.
    assert on_database["back"] == (D("3.15"), D("2.92"), D("15.75"))
    # 20 against SO-…: 15.75 settles the shipment, 4.25 stays as the customer's credit.
    assert on_database["collected"] == ([("CK-2026-0001", D("15.75"))], D("4.25"), D("-4.25"))
    # 60 days on, the 80.40 still owed to the supplier (due 12-02) is 1–30 days overdue.
    assert on_database["aging"] == (D("80.40"), {"未到期": 0, "1–30天": D("80.40"), "31–60天": 0, "61–90天": 0, "90天以上": 0})
    assert on_database["statement"] == (
        D("0"),
        [
            ("CK-2026-0001", D("18.90"), D("0"), D("18.90")),
            ("XT-2026-0001", D("0"), D("3.15"), D("15.75")),
            ("SK-2026-0001", D("0"), D("20"), D("-4.25")),
        ],
        D("-4.25"),
    )
    assert on_database["stock"] == (D("91"), D("265.79"))
    assert on_database["check"] == []
