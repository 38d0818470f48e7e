"""The .xlsx files: opened again with openpyxl and compared cell by cell with the March books
(tests/report_scenario.py)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot import exports
from bot.dispatcher import KIND_LABELS
from domain import commands as c
from domain import reports
from domain.periods import this_month
from domain.products import Product
from tests.factories import SHANGHAI, make_context
from tests.fakes import FakeUnitOfWork
from tests.report_scenario import book_march

D = Decimal
MARCH = this_month(date(2026, 3, 10))


@pytest.fixture(scope="module")
def march() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    book_march(lambda: uow, make_context())
    return uow


def opened(sheets: list[exports.Sheet]):  # type: ignore[no-untyped-def]
    data = exports.workbook(sheets, SHANGHAI)
    assert data[:2] == b"PK"  # a zip, as .xlsx files are
    return load_workbook(io.BytesIO(data))


def rows(ws) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_inventory_sheet_has_headers_values_formats_frozen_header_widths_and_totals(march: FakeUnitOfWork) -> None:
    books = reports.books(march, make_context(), MARCH)
    ws = opened([exports.flow_sheet(books.flows, show_cost=True)])["进销存"]
    table = rows(ws)
    assert table[0] == ["商品编码", "名称", "规格", "单位", "期初数量", "期初金额", "入库数量", "入库金额", "出库数量", "出库金额", "期末数量", "期末金额"]
    assert table[1] == ["A001", "可口可乐", None, "罐", 100, 240, 50, 135, 50, 122.5, 100, 252.5]
    assert table[4] == ["合计", None, None, None, 140, 300, 60, 185, 52, 132.5, 148, 352.5]
    assert len(table) == 5
    assert ws.freeze_panes == "A2"
    assert ws["F2"].number_format == exports.MONEY_FORMAT and ws["E2"].number_format == exports.QUANTITY_FORMAT
    assert ws["L5"].number_format == exports.MONEY_FORMAT and ws["A5"].font.b
    assert ws["A1"].font.b and ws.column_dimensions["B"].width == 24


def test_sales_sheets_by_product_customer_and_day(march: FakeUnitOfWork) -> None:
    books = reports.books(march, make_context(), MARCH)
    book = opened(exports.books_sheets(books, show_cost=True))
    assert book.sheetnames == ["进销存", "销售-商品", "销售-客户", "销售-每日", "采购", "供应商表现"]
    products = rows(book["销售-商品"])
    assert products[0] == ["商品编码", "名称", "单位", "数量", "销售额", "成本", "毛利", "毛利率", "未定价数量"]
    assert products[1] == ["A001", "可口可乐", "罐", 50, 105, 72, 33, pytest.approx(0.314), 20]
    assert products[-1] == ["合计", None, None, 52, 121, 82, 39, None, 20]
    assert book["销售-商品"]["H2"].number_format == exports.PERCENT_FORMAT
    days = rows(book["销售-每日"])
    assert len(days) == 1 + 31 + 1 and days[2][:3] == [datetime(2026, 3, 2), 30, 105]
    assert book["销售-每日"]["A2"].number_format == exports.DATE_FORMAT
    assert rows(book["采购"])[1] == ["华东饮料", "A001", "可口可乐", "罐", 50, 135, 2.7]


def test_without_cost_the_money_columns_are_left_out_and_the_sheet_says_so(march: FakeUnitOfWork) -> None:
    books = reports.books(march, make_context(), MARCH)
    book = opened(exports.books_sheets(books, show_cost=False))
    assert rows(book["进销存"])[0] == ["商品编码", "名称", "规格", "单位", "期初数量", "入库数量", "出库数量", "期末数量"]
    assert rows(book["销售-商品"])[0] == ["商品编码", "名称", "单位", "数量", "销售额", "未定价数量"]
    assert rows(book["采购"])[0] == ["供应商", "商品编码", "名称", "单位", "数量"]
    assert "成本、金额和毛利列已隐藏" in str(rows(book["进销存"])[-1][0])


def test_ledger_sheet_lists_movements_in_local_time_with_kinds_and_warehouses(march: FakeUnitOfWork) -> None:
    ledger = reports.ledger_rows(march, make_context(), MARCH, "A001")
    ws = opened([exports.ledger_sheet(ledger, KIND_LABELS, {1: "主仓"}, show_cost=True)])["流水"]
    table = rows(ws)
    assert table[0] == ["日期", "单号", "类型", "商品编码", "名称", "仓库", "数量", "单价", "金额", "结存", "往来单位", "经办人", "备注"]
    assert [row[1:4] for row in table[1:6]] == [
        ["CK-2026-0001", "出库", "A001"],
        ["RK-2026-0004", "入库", "A001"],
        ["CK-2026-0002", "出库", "A001"],
        ["CK-2026-0003", "出库", "A001"],
        ["CX-2026-0001", "冲销", "A001"],
    ]
    assert table[1][0] == datetime(2026, 3, 2, 9, 30)  # back-dated to 03-02, at the booking's local time
    assert table[1][5:9] == ["主仓", -30, 3.5, -72]
    assert ws["A2"].number_format == exports.DATETIME_FORMAT
    assert table[6][0] == "合计" and table[6][6] == 0  # -30 + 50 - 20 - 10 + 10


def test_ledger_sheet_without_cost_keeps_selling_prices_only(march: FakeUnitOfWork) -> None:
    ledger = reports.ledger_rows(march, make_context(), MARCH, "A001")
    table = rows(opened([exports.ledger_sheet(ledger, KIND_LABELS, {}, show_cost=False)])["流水"])
    assert "金额" not in table[0]
    price = table[0].index("单价")
    assert [row[price] for row in table[1:4]] == [3.5, None, None]  # the price, not the receipt's cost


def test_ranking_unsold_and_turnover_sheets(march: FakeUnitOfWork) -> None:
    ranking = reports.rank_sales(march, make_context(), c.RankSales(MARCH))
    with march:
        unsold = reports.unsold_lines(march, make_context(), 30)
        products, categories, _ = reports.turnover_lines(march, make_context(), MARCH)
    book = opened([exports.ranking_sheet(ranking, show_cost=True), exports.unsold_sheet(unsold, show_cost=True), *exports.turnover_sheets(products, categories)])
    assert rows(book["排行-金额"])[1][:5] == [1, "A001", "可口可乐", 50, 105]
    assert rows(book["滞销"])[1] == ["B003", "雪碧", "瓶", 40, 60, None]
    turnover = rows(book["周转-商品"])
    assert turnover[0] == ["商品编码", "名称", "期初数量", "期末数量", "销售数量", "周转天数", "周转次数"]
    assert ["A001", "可口可乐", 100, 100, 50, 62, 0.5] in turnover
    assert rows(book["周转-分类"])[1:] == [["日用", 62, 0.5], ["饮料", 77.5, 0.4]]


def test_text_that_looks_like_a_formula_stays_text() -> None:
    hostile = Product("A001", "=HYPERLINK(\"http://x\")", "罐", spec="=1+1", id=1)
    line = reports.FlowLine(hostile, D(1), D(1), D(0), D(0), D(0), D(0))
    ws = opened([exports.flow_sheet([line], show_cost=True)])["进销存"]
    assert ws["C2"].value == "=1+1" and ws["C2"].data_type == "s"
    assert ws["B2"].value.startswith("=HYPERLINK") and ws["B2"].data_type == "s"


def test_product_template_has_the_import_headers_and_explains_them() -> None:
    book = opened(exports.product_template())
    assert book.sheetnames == ["商品", "说明"]
    assert rows(book["商品"]) == [list(exports.PRODUCT_TEMPLATE_HEADERS)]
    assert list(exports.PRODUCT_TEMPLATE_HEADERS[:8]) == ["商品编码", "名称", "规格", "单位", "分类", "进价", "售价", "安全库存"]
    assert "条码" in exports.PRODUCT_TEMPLATE_HEADERS
    notes = rows(book["说明"])
    assert notes[0] == ["列", "说明"] and [n[0] for n in notes[1:]] == list(exports.PRODUCT_TEMPLATE_HEADERS)
    assert book["商品"].freeze_panes == "A2"


def test_an_empty_report_has_headers_and_no_totals_row() -> None:
    table = rows(opened([exports.flow_sheet([], show_cost=True)])["进销存"])
    assert len(table) == 1
