"""资金 and supplier performance in the reports, worked by hand: the pure arithmetic, then the
domain over the fake books (storage/SQL: tests/storage/test_report_money_storage.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import reports
from domain.access import Role
from domain.documents import Account, CashEntry, Ledger, OpenItem, Order, OrderKind, OrderLine, OrderStatus, Payment
from domain.errors import NotPermitted
from domain.partners import Partner, PartnerKind
from domain.periods import this_month
from domain.ports import CashTotals, SupplierDelivery
from tests.factories import SHANGHAI, make_context
from tests.fakes import FakeUnitOfWork
from domain.services import Actor, Context

D = Decimal
NOVEMBER = this_month(date(2026, 11, 22))
TODAY = date(2026, 11, 22)


# ---- pure arithmetic ------------------------------------------------------------------------


def test_account_balances_add_money_in_and_take_money_out_up_to_the_period_end() -> None:
    lines, total = reports.account_lines(
        [
            CashTotals("收款", "现金", D("600.00"), 2, D("1000.00")),  # 400 of it before the period
            CashTotals("其他收入", "现金", D("50.00"), 1, D("50.00")),
            CashTotals("付款", "现金", D("300.00"), 1, D("300.00")),
            CashTotals("费用", "现金", D("120.50"), 1, D("120.50")),
            CashTotals("付款", "银行", D("80.00"), 1, D("80.00")),
        ]
    )
    assert [line.account for line in lines] == ["现金", "银行", "微信", "支付宝"]
    cash, bank, wechat, _ = lines
    assert cash.balance == D("629.50")  # 1,000 + 50 − 300 − 120.50
    assert cash.net == D("229.50")  # in the period: 600 + 50 − 300 − 120.50
    assert bank.balance == D("-80.00") and wechat == reports.AccountLine("微信")
    assert (total.received, total.paid, total.income, total.expense, total.balance) == (
        D("600.00"), D("380.00"), D("50.00"), D("120.50"), D("549.50"),
    )


def test_aging_of_what_is_owed_puts_each_open_amount_in_its_bucket() -> None:
    def item(due: date, open_: str) -> OpenItem:
        return OpenItem(Ledger.RECEIVABLE, 1, "张三超市", "CK-1", D(open_), due - timedelta(days=15), due, open=D(open_))

    owed = reports.owed(
        Ledger.RECEIVABLE,
        [item(TODAY, "100"), item(TODAY - timedelta(days=1), "20"), item(TODAY - timedelta(days=61), "7.70"), item(TODAY - timedelta(days=91), "3")],
        TODAY,
    )
    assert owed.buckets == {"未到期": D(100), "1–30天": D(20), "31–60天": D(0), "61–90天": D("7.70"), "90天以上": D(3)}
    assert (owed.total, owed.overdue, owed.items, owed.ledger) == (D("130.70"), D("30.70"), 4, "应收")


def test_on_time_and_pass_rates_are_shares_with_one_decimal() -> None:
    quality = reports.SupplierQuality("华东饮料", 3, 2, D(160), D(158))
    assert (quality.on_time_rate, quality.pass_rate, quality.rejected) == (D("66.7"), D("98.8"), D(2))
    untimed = reports.SupplierQuality("无交期", 0, 0, D(0), D(0))
    assert untimed.on_time_rate is None and untimed.pass_rate is None


# ---- over the fake books ----------------------------------------------------------------------


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def books() -> FakeUnitOfWork:
    """华东饮料: PO 1 (交期 11-10) received 11-09 and 11-12, 98 of 100 passing; PO 2 (no 交期)
    received 11-12. 张三超市 owes 35.00 due 11-30 and 14.00 due 10-15 (38 days overdue).
    Money: 收款 20 微信 (11-05) and 10 微信 (10-20, before the month); 付款 100 银行; 费用 20.50."""
    uow = FakeUnitOfWork()
    with uow.writing():
        supplier = uow.partners.add(Partner(PartnerKind.SUPPLIER, "华东饮料", terms_days=30))
        customer = uow.partners.add(Partner(PartnerKind.CUSTOMER, "张三超市", terms_days=15))
        line = OrderLine(1, "A001", "可口可乐", "罐", D(100), D("2.4"), done=D(98), rejected=D(2))
        uow.documents.add_order(Order(OrderKind.PURCHASE, "PO-2026-0001", supplier.id, "华东饮料", OrderStatus.DONE, _at(1), "老王", (line,), 1, due_on=date(2026, 11, 10)))
        uow.documents.add_order(Order(OrderKind.PURCHASE, "PO-2026-0002", supplier.id, "华东饮料", OrderStatus.DONE, _at(1), "老王", (line,), 1))
        for number, order, day in (("RK-1", "PO-2026-0001", 9), ("RK-2", "PO-2026-0001", 12), ("RK-3", "PO-2026-0002", 12)):
            uow.documents.add_item(OpenItem(Ledger.PAYABLE, supplier.id, "华东饮料", number, D("100.00"), date(2026, 11, day), date(2026, 12, day), order))
        uow.documents.add_item(OpenItem(Ledger.RECEIVABLE, customer.id, "张三超市", "CK-1", D("35.00"), date(2026, 11, 15), date(2026, 11, 30)))
        uow.documents.add_item(OpenItem(Ledger.RECEIVABLE, customer.id, "张三超市", "CK-0", D("14.00"), date(2026, 9, 30), date(2026, 10, 15)))
        for amount, account, at, ledger, partner in (
            ("20", Account.WECHAT, _at(5), Ledger.RECEIVABLE, customer),
            ("10", Account.WECHAT, datetime(2026, 10, 20, tzinfo=SHANGHAI), Ledger.RECEIVABLE, customer),
            ("100", Account.BANK, _at(6), Ledger.PAYABLE, supplier),
        ):
            uow.documents.add_payment(Payment(ledger, partner.id, partner.name, f"P{amount}", D(amount), account, at, at.date()))
        uow.documents.add_cash_entry(CashEntry("FY-1", False, D("20.50"), Account.CASH, "水电", _at(7)))
        uow.commit()
    return uow


def test_the_fake_sums_cash_and_deliveries_as_the_database_does(books: FakeUnitOfWork) -> None:
    with books:
        cash = books.reports.cash(_at(1, 0), datetime(2026, 12, 1, tzinfo=SHANGHAI))
        deliveries = books.reports.deliveries(date(2026, 11, 1), date(2026, 12, 1))
    assert cash == [
        CashTotals("付款", "银行", D(100), 1, D(100)),
        CashTotals("收款", "微信", D(20), 1, D(30)),
        CashTotals("费用", "现金", D("20.50"), 1, D("20.50")),
    ]
    # Two receipts against PO 1 (交期 11-10): 11-09 on time, 11-12 late; PO 2 has no 交期.
    assert deliveries == [SupplierDelivery("华东饮料", 2, 1, D(200), D(196))]


def test_the_funds_section_has_balances_and_aging(books: FakeUnitOfWork) -> None:
    ctx = make_context(now=datetime(2026, 11, 22, 2, 0, tzinfo=SHANGHAI))
    page = reports.show_report(books, ctx, c.ShowReport(NOVEMBER, "资金"))
    assert page.funds is not None
    wechat = next(a for a in page.funds.accounts if a.account == "微信")
    assert (wechat.received, wechat.balance) == (D(20), D(30))  # 10 came in October
    assert page.funds.total.balance == D("-90.50")  # 30 − 100 − 20.50
    assert page.funds.counts == {"收款": 1, "付款": 1, "其他收入": 0, "费用": 1}
    receivable = page.funds.receivable
    assert (receivable.total, receivable.overdue) == (D(49), D(14))
    assert receivable.buckets["31–60天"] == D(14)  # due 10-15: 38 days
    assert page.funds.payable.total == D(300)
    overview = reports.show_report(books, ctx, c.ShowReport(NOVEMBER))
    assert overview.funds == page.funds


def test_the_purchase_section_carries_the_supplier_rates(books: FakeUnitOfWork) -> None:
    page = reports.show_report(books, make_context(), c.ShowReport(NOVEMBER, "采购"))
    (quality,) = page.qualities
    assert (quality.on_time_rate, quality.pass_rate) == (D("50.0"), D("98.0"))


@pytest.mark.parametrize("role", [Role.BUYER, Role.VIEWER, Role.KEEPER])
def test_money_needs_the_money_permission(books: FakeUnitOfWork, role: Role) -> None:
    ctx = Context(Actor(2001, "某人", 2001, role), datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), SHANGHAI)
    with pytest.raises(NotPermitted) as raised:
        reports.show_report(books, ctx, c.ShowReport(NOVEMBER, "资金"))
    assert raised.value.roles == [Role.OWNER, Role.ADMIN, Role.BOOKKEEPER]
    with pytest.raises(NotPermitted):
        reports.aging_now(books, ctx)
    with pytest.raises(NotPermitted):
        reports.owed_items(books, ctx, Ledger.RECEIVABLE)
    assert reports.show_report(books, ctx, c.ShowReport(NOVEMBER)).funds is None
