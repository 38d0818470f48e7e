"""Inventory on a real database (SQLite and PostgreSQL): transfers, scrap, stocktakes, packing
units, negative stock and the sales query, each ending with `jxc check`'s proof."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain import commands as c
from domain import history, services, stocktake
from domain.errors import ConcurrentChange, InsufficientStock, NeedsConfirmation
from domain.stock import MovementKind
from tests.conftest import make_context

D = Decimal
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def ctx(minutes: int = 0):  # type: ignore[no-untyped-def]
    return make_context(NOW + timedelta(minutes=minutes))


def setup_stock(uow_factory, *codes: str, quantity: int = 100, price: str = "2.40") -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        services.add_product(uow_factory(), ctx(), c.AddProduct(code, f"商品{code}", (("unit", "罐"),)))
        services.receive_stock(
            uow_factory(), ctx(), c.ReceiveStock(code, D(quantity), unit_price=D(price), counterparty="华东饮料")
        )
    services.add_warehouse(uow_factory(), ctx(), c.AddWarehouse("二仓"))


def books_ok(uow_factory) -> None:  # type: ignore[no-untyped-def]
    report = services.check_books(uow_factory())
    assert report.ok, report.mismatches


def test_a_transfer_books_two_legs_under_one_number_and_splits_the_card(uow_factory):
    setup_stock(uow_factory, "A001")
    moved = services.transfer_stock(uow_factory(), ctx(1), c.TransferStock("A001", D(30), "主仓", "二仓"))
    assert (moved.number, moved.value) == ("DB-2026-0001", D("72.00"))
    with uow_factory() as uow:
        legs = uow.stock.movements_by_number("DB-2026-0001")
        split = uow.stock.balances_by_warehouse(legs[0].product_id)
    assert [(m.kind, m.quantity, m.value) for m in legs] == [
        (MovementKind.TRANSFER_OUT, D(-30), D("-72.00")),
        (MovementKind.TRANSFER_IN, D(30), D("72.00")),
    ]
    assert [(w.name, b.quantity, b.value) for w, b in split] == [("主仓", D(70), D("168.00")), ("二仓", D(30), D("72.00"))]
    card = services.show_stock(uow_factory(), ctx(2), c.ShowStock("A001"))
    assert [w.name for w, _ in card.by_warehouse] == ["主仓", "二仓"]
    books_ok(uow_factory)


def test_undoing_a_transfer_restores_both_warehouses(uow_factory):
    setup_stock(uow_factory, "A001")
    services.transfer_stock(uow_factory(), ctx(1), c.TransferStock("A001", D(30), "主仓", "二仓"))
    done = history.undo(uow_factory(), ctx(2), c.Undo("DB-2026-0001", confirmed=True))
    assert len(done.reversals) == 2
    with uow_factory() as uow:
        split = uow.stock.balances_by_warehouse(done.product.id)
        assert all(m.reversed_by == done.reversals[0].number for m in uow.stock.movements_by_number("DB-2026-0001"))
    assert [(w.name, b.quantity, b.value) for w, b in split] == [("主仓", D(100), D("240.00")), ("二仓", D(0), D("0.00"))]
    books_ok(uow_factory)


def test_opposite_transfers_at_once_neither_deadlock_nor_lose_stock(engine, workspace_id, uow_factory):
    setup_stock(uow_factory, "A001")
    services.transfer_stock(uow_factory(), ctx(1), c.TransferStock("A001", D(50), "主仓", "二仓"))

    def move(index: int) -> str:
        source, target = ("主仓", "二仓") if index % 2 else ("二仓", "主仓")
        for _ in range(20):
            try:
                services.transfer_stock(uow_factory(), ctx(2), c.TransferStock("A001", D(1), source, target, confirmed=True))
                return "ok"
            except ConcurrentChange:
                continue
        return "gave up"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(move, range(16)))
    assert results == ["ok"] * 16
    card = services.show_stock(uow_factory(), ctx(3), c.ShowStock("A001"))
    assert (card.balance.quantity, card.balance.value) == (D(100), D("240.00"))
    books_ok(uow_factory)


def test_scrap_books_a_loss_at_cost_with_its_reason(uow_factory):
    setup_stock(uow_factory, "A001")
    scrapped = services.scrap_stock(uow_factory(), ctx(1), c.ScrapStock("A001", D(2), "破损"))
    assert (scrapped.movement.number, scrapped.movement.note, scrapped.cost) == ("BS-2026-0001", "破损", D("4.80"))
    with pytest.raises(InsufficientStock):
        services.scrap_stock(uow_factory(), ctx(2), c.ScrapStock("A001", D(99), "丢失", warehouse="二仓"))
    books_ok(uow_factory)


def test_a_stocktake_compares_with_the_book_at_count_time_and_books_one_document(uow_factory):
    setup_stock(uow_factory, "A001", "B001")
    stocktake.start_stocktake(uow_factory(), ctx(1), c.StartStocktake())
    stocktake.count_stock(uow_factory(), ctx(2), c.CountStock("A001", D(70)))
    stocktake.count_stock(uow_factory(), ctx(3), c.CountStock("A001", D(60)))  # a recount replaces
    stocktake.count_stock(uow_factory(), ctx(4), c.CountStock("B001", D(101)))
    services.issue_stock(uow_factory(), ctx(5), c.IssueStock("A001", D(5)))  # after the count
    with pytest.raises(NeedsConfirmation):
        stocktake.confirm_stocktake(uow_factory(), ctx(6), c.ConfirmStocktake())
    done = stocktake.confirm_stocktake(uow_factory(), ctx(6), c.ConfirmStocktake(confirmed=True))
    # A001: 60 − 100 = −40 out of 95 worth 228.00 → 96.00; B001: +1 at 2.40.
    assert [(line.product.code, m.quantity, m.value) for line, m in done.booked] == [
        ("A001", D(-40), D("-96.00")),
        ("B001", D(1), D("2.40")),
    ]
    with uow_factory() as uow:
        assert uow.stocktakes.open_counts() == []
        assert {m.number for m in uow.stock.movements_by_number("PD-2026-0001")} == {"PD-2026-0001"}
    history.undo(uow_factory(), ctx(7), c.Undo("PD-2026-0001", confirmed=True))
    card = services.show_stock(uow_factory(), ctx(8), c.ShowStock("A001"))
    assert (card.balance.quantity, card.balance.value) == (D(95), D("228.00"))
    books_ok(uow_factory)


def test_packing_units_are_stored_and_convert_quantities_and_prices(uow_factory):
    services.add_product(uow_factory(), ctx(), c.AddProduct("A001", "可乐", (("unit", "罐"), ("packs", (("箱", D(24)),)))))
    received = services.receive_stock(uow_factory(), ctx(1), c.ReceiveStock("A001", D(2), unit="箱", unit_price=D("57.60")))
    assert (received.movement.quantity, received.movement.value, received.movement.unit_price) == (D(48), D("115.20"), D("2.4"))
    with uow_factory() as uow:
        assert uow.products.get("A001").packs == (("箱", D(24)),)
    books_ok(uow_factory)


def test_negative_stock_when_allowed_and_the_restoring_receipts_adjustment(uow_factory):
    setup_stock(uow_factory, "A001", quantity=10, price="2")
    services.set_negative_stock(uow_factory(), ctx(), c.SetNegativeStock(True))
    services.issue_stock(uow_factory(), ctx(1), c.IssueStock("A001", D(15), confirmed=True))
    received = services.receive_stock(uow_factory(), ctx(2), c.ReceiveStock("A001", D(10), unit_price=D(3), confirmed=True))
    # −5 worth −10.00 (rate 2) + 10 at 3 → 5 worth 15.00; adjustment 15 − (−10 + 30) = −5.00.
    assert received.cost_adjustment == D("-5.00")
    assert (received.balance.quantity, received.balance.value) == (D(5), D("15.00"))
    books_ok(uow_factory)


def test_sales_count_issues_only_and_skip_reversed_ones(uow_factory):
    setup_stock(uow_factory, "A001")
    services.issue_stock(uow_factory(), ctx(1), c.IssueStock("A001", D(3), unit_price=D("3.50")))
    services.issue_stock(uow_factory(), ctx(2), c.IssueStock("A001", D(2)))
    services.issue_stock(uow_factory(), ctx(3), c.IssueStock("A001", D(1), unit_price=D("9"), confirmed=True))
    history.undo(uow_factory(), ctx(4), c.Undo("CK-2026-0003", confirmed=True))
    services.transfer_stock(uow_factory(), ctx(5), c.TransferStock("A001", D(5), "主仓", "二仓"))
    services.scrap_stock(uow_factory(), ctx(6), c.ScrapStock("A001", D(1), "破损"))
    with uow_factory() as uow:
        (sale,) = uow.stock.sales(NOW - timedelta(days=1))
        suppliers = uow.stock.last_counterparties("receipt")
    assert (sale.quantity, sale.revenue, sale.unpriced_quantity, sale.unpriced_cost) == (D(5), D("10.50"), D(2), D("4.80"))
    assert suppliers == {sale.product_id: "华东饮料"}
    books_ok(uow_factory)
