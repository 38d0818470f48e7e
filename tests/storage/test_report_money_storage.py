"""The 资金 and supplier-performance sums in SQL, on SQLite and PostgreSQL, against the
hand-worked books of tests/bot/test_chat_reports_money.py (booked through the dispatcher);
and sales net of a customer's return."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.app import Runtime
from domain.ports import CashTotals, SupplierDelivery
from storage.unit_of_work import SqlUnitOfWork
from tests.bot.chatkit import fresh_database, make_runtime, ok, private, say
from tests.bot.test_chat_reports_money import book_documents

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
BEGIN = datetime(2026, 11, 1, tzinfo=SHANGHAI)
END = datetime(2026, 12, 1, tzinfo=SHANGHAI)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def books(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    with fresh_database(request.param) as url:
        runtime = make_runtime(url)
        book_documents(runtime)
        yield runtime
        runtime.engine.dispose()


def test_cash_by_source_and_account_in_the_period_and_up_to_its_end(books: Runtime) -> None:
    with SqlUnitOfWork(books.engine, books.workspace_id) as uow:
        month = uow.reports.cash(BEGIN, END)
        # From 11-24 on: nothing in the period, everything up to its end.
        later = uow.reports.cash(datetime(2026, 11, 25, tzinfo=SHANGHAI), END)
        before = uow.reports.cash(BEGIN, datetime(2026, 11, 24, tzinfo=SHANGHAI))
    assert month == [
        CashTotals("付款", "银行", D("100.00"), 1, D("100.00")),
        CashTotals("其他收入", "现金", D("5.00"), 1, D("5.00")),
        CashTotals("收款", "微信", D("10.00"), 1, D("10.00")),
        CashTotals("费用", "现金", D("20.50"), 1, D("20.50")),
    ]
    assert [(t.amount, t.count, t.to_end) for t in later] == [(D(0), 0, t.to_end) for t in month]
    assert before == []


def test_supplier_deliveries_count_on_time_receipts_and_qc(books: Runtime) -> None:
    with SqlUnitOfWork(books.engine, books.workspace_id) as uow:
        month = uow.reports.deliveries(date(2026, 11, 1), date(2026, 12, 1))
        first_day = uow.reports.deliveries(date(2026, 11, 22), date(2026, 11, 23))
        none = uow.reports.deliveries(date(2026, 10, 1), date(2026, 11, 1))
    assert month == [SupplierDelivery("华东饮料", 2, 1, D(160), D(158))]
    assert first_day == [SupplierDelivery("华东饮料", 1, 1, D(100), D(98))]
    assert none == []


def test_sales_take_off_the_customers_return_and_purchases_the_return_to_the_supplier(books: Runtime) -> None:
    ok(say(books, private("退货 @华东饮料 A001 3")))  # 3 × 2.40 = 7.20 back to the supplier
    with SqlUnitOfWork(books.engine, books.workspace_id) as uow:
        (by_customer,) = uow.reports.sales(BEGIN, END, "customer")
        purchases = uow.reports.purchases(BEGIN, END)
        flows = uow.reports.flows(BEGIN, END)
    # 10 × 3.50 = 35.00 shipped, 2 × 3.50 = 7.00 back; cost 10 × 2.40 − 2 × 2.40.
    assert (by_customer.key, by_customer.quantity, by_customer.revenue, by_customer.cost) == ("张三超市", D(8), D("28.00"), D("19.20"))
    assert [(p.supplier, p.quantity, p.amount) for p in purchases] == [("华东饮料", D(155), D("372.00"))]
    # The customer's return comes in: in = 158 received + 2 returned, out = 10 shipped + 3 returned.
    assert [(f.in_quantity, f.out_quantity) for f in flows] == [(D(160), D(13))]


def test_aging_and_open_items_are_summed_in_sql_as_the_documents_see_them(books: Runtime) -> None:
    from domain.documents import Ledger, aging

    with SqlUnitOfWork(books.engine, books.workspace_id) as uow:
        for ledger in (Ledger.RECEIVABLE, Ledger.PAYABLE):
            items = uow.documents.open_items(ledger)
            for today in (date(2026, 11, 24), date(2026, 12, 10), date(2027, 1, 10), date(2027, 6, 1)):
                buckets = aging(items, today)
                summed = uow.reports.aging(ledger, today)
                assert sum((n for _, _, n in summed), 0) == len(items)
                assert {i: amount for i, amount, _ in summed} == {i: v for i, v in enumerate(buckets.values()) if v}, (ledger, today)
            assert sorted(uow.reports.open_items(ledger), key=lambda i: i.id) == sorted(items, key=lambda i: i.id)
        receivable = uow.reports.aging(Ledger.RECEIVABLE, date(2027, 1, 10))  # due 12-09: 32 days
        payable = uow.reports.open_items(Ledger.PAYABLE)
    assert receivable == [(2, D("18.00"), 1)]
    assert [(i.number, i.amount, i.open) for i in payable] == [
        ("RK-2026-0001", D("235.20"), D("135.20")),  # the 付款 100 settled the oldest first
        ("RK-2026-0002", D("120.00"), D("120.00")),
        ("RK-2026-0003", D("24.00"), D("24.00")),
    ]
