"""Import rules over the fake unit of work: lenient headers, row checks, idempotent writes."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.errors import ImportRefused
from domain.imports import import_rows, match_headers
from tests.factories import make_context
from tests.fakes import FakeUnitOfWork

CTX = make_context()


def test_headers_are_matched_leniently() -> None:
    assert match_headers("商品", ("SKU", " 品名 ", "零售价", "备注", "条形码")) == {
        "code": 0, "name": 1, "sale_price": 2, "barcode": 4,
    }


def test_a_missing_required_column_refuses_the_sheet() -> None:
    with pytest.raises(ImportRefused, match="缺少「名称」"):
        match_headers("商品", ("编码", "售价"))


def test_rows_are_checked_then_written_once_and_a_reimport_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    rows = (("编码", "名称", "进价"), ("A001", "可乐", "2.5"), ("A002", "雪碧", "x"))
    report = import_rows(uow, CTX, c.ImportFile("商品", rows))
    assert not report.written and report.added == [2] and report.rejected[0].row == 3
    assert uow.commits == 0
    written = import_rows(uow, CTX, c.ImportFile("商品", rows, valid_only=True))
    assert written.written and written.added == [2]
    again = import_rows(uow, CTX, c.ImportFile("商品", rows[:2]))
    assert again.unchanged == [2] and again.added == []


def test_opening_stock_of_an_unknown_product_is_a_rejected_row() -> None:
    uow = FakeUnitOfWork()
    report = import_rows(uow, CTX, c.ImportFile("期初库存", (("编码", "数量"), ("ZZ9", "5"))))
    assert report.rejected[0].reason.startswith("没有商品 ZZ9") and uow.commits == 0


def test_a_changed_row_updates_the_product_and_a_taken_barcode_is_refused() -> None:
    uow = FakeUnitOfWork()
    header = ("编码", "名称", "售价", "条码")
    import_rows(uow, CTX, c.ImportFile("商品", (header, ("A001", "可乐", "3.5", "6901234567892"))))
    report = import_rows(uow, CTX, c.ImportFile("商品", (header, ("A001", "可乐", "3.8", "6901234567892"))))
    assert report.written and report.changed == [2]
    with uow:
        assert str(uow.products.get("A001").sale_price) == "3.80"  # type: ignore[union-attr]
    taken = import_rows(uow, CTX, c.ImportFile("商品", (header, ("A002", "雪碧", "3", "6901234567892"))))
    assert taken.rejected[0].column == "条码" and "A001" in taken.rejected[0].reason and not taken.written
