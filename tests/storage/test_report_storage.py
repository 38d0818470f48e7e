"""The report sums in SQL (SQLite and PostgreSQL) against the hand-worked March and against
the fake's Python fold of the same bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain import commands as c
from domain import reports, services
from domain.periods import between, this_month
from storage.report_repositories import SqlReportRepository
from storage.unit_of_work import SqlUnitOfWork
from tests.factories import DEFAULT_NOW, SHANGHAI, make_context
from tests.fakes import FakeUnitOfWork
from tests.report_scenario import book_march

D = Decimal
MARCH = this_month(date(2026, 3, 10))
BEGIN = datetime(2026, 3, 1, tzinfo=SHANGHAI)
END = datetime(2026, 4, 1, tzinfo=SHANGHAI)


@pytest.fixture
def both(engine, workspace_id):  # type: ignore[no-untyped-def]
    """The March books in the database and in the fake."""
    sql = lambda: SqlUnitOfWork(engine, workspace_id, now=lambda: DEFAULT_NOW)  # noqa: E731
    fake = FakeUnitOfWork()
    book_march(sql, make_context())
    book_march(lambda: fake, make_context())
    return sql, fake


def test_flows_in_sql_reconcile_with_the_hand_worked_march(both) -> None:  # type: ignore[no-untyped-def]
    sql, _ = both
    with sql() as uow:
        lines, total = reports.flows(uow, make_context(), MARCH)
    got = {l.product.code: (l.opening_quantity, l.opening_value, l.in_quantity, l.in_value, l.out_quantity, l.out_value, l.closing_value) for l in lines}  # type: ignore[union-attr]
    assert got == {
        "A001": (D(100), D("240.00"), D(50), D("135.00"), D(50), D("122.50"), D("252.50")),
        "B003": (D(40), D("60.00"), D(0), D(0), D(0), D(0), D("60.00")),
        "C001": (D(0), D(0), D(10), D("50.00"), D(2), D("10.00"), D("40.00")),
    }
    assert (total.opening_value, total.in_value, total.out_value, total.closing_value) == (D("300.00"), D("185.00"), D("132.50"), D("352.50"))


def test_every_sum_equals_the_fakes_fold_of_the_same_bookings(both) -> None:  # type: ignore[no-untyped-def]
    sql, fake = both
    for begin, end in ((BEGIN, END), (BEGIN - timedelta(days=120), END), (BEGIN + timedelta(days=5), BEGIN + timedelta(days=6))):
        with sql() as s, fake as f:
            assert s.reports.flows(begin, end) == f.reports.flows(begin, end)
            for by in ("product", "customer"):
                for order in (None, "revenue", "quantity", "profit"):
                    assert s.reports.sales(begin, end, by, order=order) == f.reports.sales(begin, end, by, order=order), (by, order)
            assert s.reports.sales(begin, end, "day", utc_offset_minutes=480) == f.reports.sales(begin, end, "day", utc_offset_minutes=480)
            assert s.reports.purchases(begin, end) == f.reports.purchases(begin, end)
            assert s.reports.daily_changes(1, begin, end, utc_offset_minutes=480) == f.reports.daily_changes(1, begin, end, utc_offset_minutes=480)
            assert [m.number for m in s.reports.ledger(begin, end, None, 100)] == [m.number for m in f.reports.ledger(begin, end, None, 100)]
    with sql() as s, fake as f:
        for since in (BEGIN, BEGIN + timedelta(days=7), BEGIN - timedelta(days=200)):
            assert s.reports.unsold(since) == f.reports.unsold(since)
            assert s.reports.idle(since) == f.reports.idle(since)
        assert s.reports.stock_by_category() == f.reports.stock_by_category()
        assert sorted(s.reports.products(), key=lambda p: p.code) == sorted(f.reports.products(), key=lambda p: p.code)
        assert s.reports.sales(BEGIN, END, "product", order="revenue", limit=1) == f.reports.sales(BEGIN, END, "product", order="revenue", limit=1)


def test_sales_by_local_day_use_the_shops_midnight(engine, workspace_id) -> None:  # type: ignore[no-untyped-def]
    uow = lambda: SqlUnitOfWork(engine, workspace_id)  # noqa: E731
    ctx = make_context()
    services.add_product(uow(), ctx, c.AddProduct("A001", "可乐"))
    services.receive_stock(uow(), ctx, c.ReceiveStock("A001", D(10), unit_price=D(1), occurred_on=date(2026, 3, 1), confirmed=True))
    # 23:30 in Shanghai on 03-09 is 15:30 UTC: it belongs to 03-09, not 03-10 nor (UTC) 03-09 by luck.
    late = make_context(now=datetime(2026, 3, 9, 23, 30, tzinfo=SHANGHAI))
    early = make_context(now=datetime(2026, 3, 10, 0, 30, tzinfo=SHANGHAI))  # 16:30 UTC on 03-09
    services.issue_stock(uow(), late, c.IssueStock("A001", D(1), unit_price=D("3.33"), confirmed=True))
    services.issue_stock(uow(), early, c.IssueStock("A001", D(2), unit_price=D("3.33"), confirmed=True))
    with uow() as u:
        days = u.reports.sales(BEGIN, END, "day", utc_offset_minutes=480)
    assert [(t.key, t.quantity, t.revenue) for t in days] == [(date(2026, 3, 9), D(1), D("3.33")), (date(2026, 3, 10), D(2), D("6.66"))]


def test_revenue_is_rounded_per_line_in_integers_even_for_huge_lines(engine, workspace_id) -> None:  # type: ignore[no-untyped-def]
    uow = lambda: SqlUnitOfWork(engine, workspace_id)  # noqa: E731
    ctx = make_context()
    services.add_product(uow(), ctx, c.AddProduct("K1", "称重", (("unit", "kg"),)))
    services.receive_stock(uow(), ctx, c.ReceiveStock("K1", D("9000000"), unit_price=D(1), confirmed=True))
    # 0.005 kg × 3.3333 = 0.0166665 → 0.02; 1.005 × 0.005 = 0.005025 → 0.01;
    # 8 000 000 × 9 999 999.9999 = 79 999 999 999 200.00 (as scaled integers 8·10⁹ × 99 999 999 999 ≈ 8·10²⁰,
    # beyond 64 bits if multiplied naively).
    for quantity, price in (("0.005", "3.3333"), ("1.005", "0.005"), ("8000000", "9999999.9999")):
        services.issue_stock(uow(), ctx, c.IssueStock("K1", D(quantity), unit_price=D(price), confirmed=True))
    with uow() as u:
        (total,) = u.reports.sales(DEFAULT_NOW - timedelta(days=1), DEFAULT_NOW + timedelta(days=1), "product")
    assert total.revenue == D("0.02") + D("0.01") + D("79999999999200.00")


def test_reports_are_per_workspace(engine, workspace_id) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from storage.db import WRITE_OPTION
    from storage.workspaces import create_workspace

    book_march(lambda: SqlUnitOfWork(engine, workspace_id, now=lambda: DEFAULT_NOW), make_context())
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        other = create_workspace(session, "二号店")
        session.commit()
    with SqlUnitOfWork(engine, other) as u:
        assert u.reports.flows(BEGIN - timedelta(days=400), END) == []
        assert u.reports.sales(BEGIN, END, "product") == []
        assert u.reports.unsold(END) == [] and u.reports.stock_by_category() == []


def test_the_report_indexes_exist(engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    names = {index["name"] for index in inspect(engine).get_indexes("stock_movement")}
    assert {"ix_stock_movement_report", "ix_stock_movement_product_time", "ix_stock_movement_product_kind_time"} <= names


def test_report_repository_reads_only(both) -> None:  # type: ignore[no-untyped-def]
    sql, _ = both
    with sql() as u:
        assert isinstance(u.reports, SqlReportRepository)
        before = u.stock.check()
        reports.books(sql(), make_context(), MARCH)
    with sql() as u:
        assert u.stock.check() == before
        assert before[2] == []
