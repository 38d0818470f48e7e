"""Reports over the ledger, with the arithmetic worked by hand (see tests/report_scenario.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain import commands as c
from domain import reports, services
from domain.periods import Period, between, last_days, this_month
from domain.ports import FlowTotals
from domain.products import Product
from tests.factories import DEFAULT_NOW, SHANGHAI, make_context
from tests.fakes import FakeUnitOfWork
from tests.report_scenario import book_march
from tests.unit.support import VIEWER, ctx_of

D = Decimal
MARCH = this_month(date(2026, 3, 10))


@pytest.fixture
def march() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    book_march(lambda: uow, make_context())
    return uow


# ---- pure arithmetic ------------------------------------------------------------------------


def test_margin_and_growth_are_rounded_half_up() -> None:
    assert reports.margin(D("105.00"), D("33.00")) == D("31.4")  # 31.428…
    assert reports.margin(D("121.00"), D("39.00")) == D("32.2")  # 32.231…
    assert reports.margin(D("0"), D("5")) is None
    assert reports.growth(D(70), D(52)) == D(35)  # 34.6 → 35
    assert reports.growth(D(20), D(30)) == D(-33)
    assert reports.growth(D(5), D(0)) is None


def test_turnover_days_is_average_stock_over_daily_outflow() -> None:
    # (100 + 100) / 2 = 100 on hand on average, 50 sold in 31 days: 100 × 31 / 50 = 62 days.
    assert reports.turnover_days(D(100), D(100), D(50), 31) == D("62.0")
    assert reports.turnover_days(D(0), D(30), D(45), 30) == D("10.0")
    assert reports.turnover_days(D(10), D(10), D(0), 30) is None


def test_flow_lines_close_as_opening_plus_in_minus_out_and_total_the_values() -> None:
    a = Product("A001", "可乐", "罐", id=1)
    b = Product("B002", "雪碧", "瓶", id=2)
    lines, total = reports.flow_lines(
        [FlowTotals(2, D(5), D("7.50"), D(0), D(0), D(1), D("1.50")), FlowTotals(1, D(0), D(0), D(10), D("24.00"), D(3), D("7.20"))],
        {1: a, 2: b},
    )
    assert [line.product.code for line in lines] == ["A001", "B002"]  # type: ignore[union-attr]
    assert (lines[0].closing_quantity, lines[0].closing_value) == (D(7), D("16.80"))
    assert (lines[1].closing_quantity, lines[1].closing_value) == (D(4), D("6.00"))
    assert (total.opening_value, total.in_value, total.out_value, total.closing_value) == (D("7.50"), D("24.00"), D("8.70"), D("22.80"))


def test_restock_hint_worked_example() -> None:
    # 70 sold in the last 7 days (10 a day), 52 the week before (+35 %), 60 on hand, safety 20:
    # (60 − 20) / 10 = 4 days; order up to 20 + 10 × (7 + 14) = 230, i.e. 170.
    product = Product("A001", "可乐", "罐", safety_stock=D(20), id=1)
    hint = reports.restock_hint(product, D(70), D(52), D(60))
    assert hint is not None
    assert (hint.growth, hint.days_left, hint.quantity) == (D(35), 4, D(170))
    # Plenty of stock: no hint; nothing sold: no hint; a max stock caps the order.
    assert reports.restock_hint(product, D(7), D(7), D(60)) is None
    assert reports.restock_hint(product, D(0), D(52), D(10)) is None
    capped = reports.restock_hint(Product("A001", "可乐", "罐", safety_stock=D(20), max_stock=D(100), id=1), D(70), D(52), D(60))
    assert capped is not None and capped.quantity == D(40)


def test_offset_segments_split_where_daylight_saving_changes() -> None:
    shanghai = list(reports.offset_segments(MARCH, SHANGHAI))
    assert shanghai == [(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI), 480)]
    new_york = ZoneInfo("America/New_York")  # clocks go forward on 2026-03-08
    segments = list(reports.offset_segments(MARCH, new_york))
    assert [(b.date(), e.date(), o) for b, e, o in segments] == [
        (date(2026, 3, 1), date(2026, 3, 8), -300),
        (date(2026, 3, 8), date(2026, 4, 1), -240),
    ]


# ---- the March scenario through the fake -----------------------------------------------------


def test_march_inventory_report_reconciles_by_hand(march: FakeUnitOfWork) -> None:
    lines, total = _flows(march)
    got = {
        line.product.code: (line.opening_quantity, line.opening_value, line.in_quantity, line.in_value, line.out_quantity, line.out_value, line.closing_quantity, line.closing_value)  # type: ignore[union-attr]
        for line in lines
    }
    assert got == {
        "A001": (D(100), D("240.00"), D(50), D("135.00"), D(50), D("122.50"), D(100), D("252.50")),
        "B003": (D(40), D("60.00"), D(0), D(0), D(0), D(0), D(40), D("60.00")),
        "C001": (D(0), D(0), D(10), D("50.00"), D(2), D("10.00"), D(8), D("40.00")),
    }
    assert (total.opening_value, total.in_value, total.out_value, total.closing_value) == (D("300.00"), D("185.00"), D("132.50"), D("352.50"))
    # The closing balance is the stock on hand today (nothing was booked after March).
    with march:
        assert march.stock.total_balance(1).value == D("252.50")


def _flows(uow: FakeUnitOfWork):  # type: ignore[no-untyped-def]
    with uow:
        return reports.flows(uow, make_context(), MARCH)


def test_march_sales_by_product_customer_and_day(march: FakeUnitOfWork) -> None:
    books = reports.books(march, make_context(), MARCH)
    a, cc = books.by_product
    assert (a.label, a.quantity, a.revenue, a.cost, a.unpriced_quantity, a.unpriced_cost) == ("A001", D(50), D("105.00"), D("72.00"), D(20), D("50.50"))
    assert (a.profit, a.margin) == (D("33.00"), D("31.4"))
    assert (cc.label, cc.revenue, cc.profit, cc.margin) == ("C001", D("16.00"), D("6.00"), D("37.5"))
    total = books.sales_total
    assert (total.revenue, total.cost, total.profit, total.margin) == (D("121.00"), D("82.00"), D("39.00"), D("32.2"))
    customers = {line.label: (line.quantity, line.revenue, line.cost) for line in books.by_customer}
    assert customers == {"张三超市": (D(32), D("121.00"), D("82.00")), "（未填客户）": (D(20), D(0), D(0)), "李四便利": (D(0), D(0), D(0))}
    days = {line.day: line.revenue for line in books.by_day if line.revenue}
    assert days == {date(2026, 3, 2): D("105.00"), date(2026, 3, 6): D("40.00"), date(2026, 3, 9): D("16.00"), date(2026, 3, 10): D("-40.00")}
    assert len(books.by_day) == 31
    assert [(p.supplier, p.product.code, p.quantity, p.amount, p.average_price) for p in books.purchases] == [
        ("华东饮料", "A001", D(50), D("135.00"), D("2.7000")),
        ("日用批发", "C001", D(10), D("50.00"), D("5.0000")),
    ]


def test_overview_has_totals_top_lines_suppliers_and_the_idle_hint(march: FakeUnitOfWork) -> None:
    result = reports.show_report(march, make_context(), c.ShowReport(MARCH))
    assert isinstance(result, reports.ReportOverview)
    assert (result.flow_products, result.flow_total.closing_value, result.sales_total.revenue, result.purchase_total) == (3, D("352.50"), D("121.00"), D("185.00"))
    assert [s.supplier for s in result.suppliers] == ["华东饮料", "日用批发"]
    idle = [h for h in result.hints if h.kind == "idle"]
    assert [(h.product.code, h.idle_days, h.quantity, h.value) for h in idle] == [("B003", 100, D(40), D("60.00"))]


def test_report_sections_are_paged(march: FakeUnitOfWork) -> None:
    page = reports.show_report(march, make_context(), c.ShowReport(MARCH, "每日"))
    assert isinstance(page, reports.ReportPage)
    assert [line.day for line in page.lines] == [date(2026, 3, d) for d in (2, 5, 6, 9, 10)]  # days with sales only
    flows = reports.show_report(march, make_context(), c.ShowReport(MARCH, "进销存", page=9))
    assert isinstance(flows, reports.ReportPage) and (flows.page, flows.pages, flows.count) == (1, 1, 3)


def test_ranking_orders_by_amount_quantity_or_profit(march: FakeUnitOfWork) -> None:
    by = lambda metric: [l.label for l in reports.rank_sales(march, make_context(), c.RankSales(MARCH, metric)).lines]  # noqa: E731
    assert by("金额") == ["A001", "C001"]
    assert by("数量") == ["A001", "C001"]
    assert by("毛利") == ["A001", "C001"]  # 33.00 against 6.00
    ranking = reports.rank_sales(march, make_context(), c.RankSales(MARCH))
    assert ranking.total.revenue == D("121.00")


def test_unsold_lists_stock_without_a_sale_in_the_window(march: FakeUnitOfWork) -> None:
    thirty = reports.show_unsold(march, make_context(), c.ShowUnsold(30))
    assert [(l.product.code, l.quantity, l.value, l.last_sold) for l in thirty.lines] == [("B003", D(40), D("60.00"), None)]
    assert thirty.value == D("60.00")
    # Over one day, A001 (last sold 03-06; the reversal is not a sale) is slow as well.
    one = reports.show_unsold(march, make_context(), c.ShowUnsold(1))
    assert [(l.product.code, l.last_sold) for l in one.lines] == [("A001", date(2026, 3, 6)), ("B003", None), ("C001", date(2026, 3, 9))]


def test_turnover_by_product_and_category(march: FakeUnitOfWork) -> None:
    result = reports.show_turnover(march, make_context(), c.ShowTurnover(MARCH))
    by_code = {t.label: t for t in result.lines}
    assert by_code["A001"].turnover_days == D("62.0")  # (100 + 100) / 2 × 31 / 50
    assert by_code["C001"].turnover_days == D("62.0")  # (0 + 8) / 2 × 31 / 2
    assert by_code["B003"].turnover_days is None  # never sold: listed first
    assert result.lines[0].label == "B003"
    categories = {t.label: t.turnover_days for t in result.categories}
    # 饮料: (300.00 + 312.50) / 2 × 31 / (72.00 + 50.50) = 77.5; 日用: (0 + 40) / 2 × 31 / 10 = 62.0
    assert categories == {"日用": D("62.0"), "饮料": D("77.5")}


def test_stock_levels_walk_back_from_today(march: FakeUnitOfWork) -> None:
    level = reports.stock_levels(march, make_context(), "a001", between(date(2026, 3, 1), date(2026, 3, 10)))
    assert level.levels == [D(100), D(70), D(120), D(120), D(100), D(90), D(90), D(90), D(90), D(100)]
    assert level.safety == D(20)


def test_stock_by_category_sums_value(march: FakeUnitOfWork) -> None:
    values = reports.stock_by_category(march, make_context())
    assert [(l.category, l.products, l.value) for l in values.lines] == [("饮料", 2, D("312.50")), ("日用", 1, D("40.00"))]
    assert values.value == D("352.50")


def test_ledger_rows_are_oldest_first_and_capped(march: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = reports.ledger_rows(march, make_context(), MARCH, None)
    assert [m.number for m, _ in rows.rows] == ["RK-2026-0003", "CK-2026-0001", "RK-2026-0004", "CK-2026-0002", "CK-2026-0003", "CK-2026-0004", "CX-2026-0001"]
    assert not rows.truncated
    monkeypatch.setattr(reports, "MAX_EXPORT_ROWS", 2)
    capped = reports.ledger_rows(march, make_context(), MARCH, "C001")
    assert [m.number for m, _ in capped.rows] == ["RK-2026-0003", "CK-2026-0004"] and not capped.truncated
    assert reports.ledger_rows(march, make_context(), MARCH, None).truncated


def test_reports_change_nothing_and_respect_warehouse_limits(march: FakeUnitOfWork) -> None:
    before = march.state()
    reports.books(march, make_context(), MARCH)
    reports.show_report(march, make_context(), c.ShowReport(MARCH))
    assert march.state() == before
    # A member limited to a warehouse with nothing in it sees empty books.
    (other,) = march.seed_warehouses("二仓")
    limited = ctx_of(VIEWER, now=DEFAULT_NOW, warehouse_ids=frozenset({other.id}))
    books = reports.books(march, limited, MARCH)
    assert books.flows == [] and books.sales_total.revenue == 0


def test_a_transfer_moves_nothing_overall_but_is_in_and_out_per_warehouse(march: FakeUnitOfWork) -> None:
    (second,) = march.seed_warehouses("二仓")
    services.transfer_stock(march, make_context(), c.TransferStock("A001", D(30), "主仓", "二仓", confirmed=True))
    overall = {l.product.code: l for l in _flows(march)[0]}  # type: ignore[union-attr]
    assert (overall["A001"].in_quantity, overall["A001"].out_quantity) == (D(50), D(50))
    with march:
        only_second = reports.flows(march, ctx_of(VIEWER, warehouse_ids=frozenset({second.id})), MARCH)[0]
    assert [(l.product.code, l.in_quantity, l.in_value, l.closing_quantity) for l in only_second] == [("A001", D(30), D("75.75"), D(30))]


def test_restock_hint_from_the_books() -> None:
    uow = FakeUnitOfWork()
    ctx = make_context()
    services.add_product(uow, ctx, c.AddProduct("A001", "可乐", (("unit", "罐"), ("safety_stock", D(20)))))
    today = ctx.today
    services.receive_stock(uow, ctx, c.ReceiveStock("A001", D(182), unit_price=D(1), occurred_on=today - timedelta(days=13), confirmed=True))
    services.issue_stock(uow, ctx, c.IssueStock("A001", D(52), occurred_on=today - timedelta(days=10), confirmed=True))
    services.issue_stock(uow, ctx, c.IssueStock("A001", D(70), occurred_on=today - timedelta(days=2), confirmed=True))
    with uow:
        found = reports.hints(uow, ctx)
    assert [(h.kind, h.product.code, h.growth, h.days_left, h.quantity) for h in found] == [("restock", "A001", D(35), 4, D(170))]


def test_an_unknown_product_chart_is_refused_with_suggestions(march: FakeUnitOfWork) -> None:
    from domain.errors import UnknownProduct

    before = march.state()
    with pytest.raises(UnknownProduct) as refused:
        reports.stock_levels(march, make_context(), "A00", last_days(date(2026, 3, 10), 7))
    assert "A001" in [h.code for h in refused.value.suggestions]
    assert march.state() == before


def test_period_of_a_single_day_has_one_day_line(march: FakeUnitOfWork) -> None:
    lines = reports.sales_trend(march, make_context(), Period(date(2026, 3, 2), date(2026, 3, 3)))
    assert [(l.day, l.revenue) for l in lines] == [(date(2026, 3, 2), D("105.00"))]
