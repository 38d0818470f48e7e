"""Booking stock in and out (domain/booking.py), with the arithmetic in the tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.booking import prepare_out, stock_in
from domain.errors import InsufficientStock
from domain.stock import MovementKind, StockBalance
from tests.factories import make_context, make_product
from tests.fakes import FakeUnitOfWork

D = Decimal


@pytest.fixture
def books() -> tuple[FakeUnitOfWork, object, object]:
    uow = FakeUnitOfWork()
    (product,) = uow.seed(make_product(purchase_price=D("2.50")))
    with uow:
        warehouse = uow.stock.warehouse_named("主仓")
    return uow, product, warehouse


def balance(uow: FakeUnitOfWork, product, warehouse) -> StockBalance:  # type: ignore[no-untyped-def]
    with uow.writing():
        return uow.stock.lock_balance(product.id, warehouse.id)


def test_stock_in_at_a_unit_cost_then_at_an_exact_value(books) -> None:  # type: ignore[no-untyped-def]
    uow, product, warehouse = books
    ctx = make_context()
    with uow.writing():
        first = stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(10), "RK-2026-0001", unit_cost=D("2.40"))
        # 3 units worth exactly 7.21 (a customer return at the cost it left with): 24.00 + 7.21 = 31.21.
        second = stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(3), "RK-2026-0002", value=D("7.21"))
        uow.commit()
    assert (first.movement.value, first.before, first.after) == (D("24.00"), StockBalance(), StockBalance(D(10), D("24.00")))
    assert second.after == StockBalance(D(13), D("31.21")) == balance(uow, product, warehouse)
    assert second.cost == D("7.21") and second.adjustment is None


def test_stock_in_onto_negative_stock_books_the_cost_adjustment(books) -> None:  # type: ignore[no-untyped-def]
    uow, product, warehouse = books
    ctx = make_context()
    with uow.writing():
        plan = prepare_out(uow, product, warehouse, D(4), allow_negative=True)
        # Nothing known but the purchase price: −4 × 2.50 = −10.00.
        plan.book(uow, ctx, MovementKind.ISSUE, "CK-2026-0001")
        booked = stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(10), "RK-2026-0001", unit_cost=D("3.00"))
        uow.commit()
    # −4/−10.00 + 10/30.00 = 6/20.00; at the receipt's cost 6 × 3.00 = 18.00, so −2.00 goes to COGS.
    assert booked.adjustment is not None and booked.adjustment.value == D("-2.00")
    assert booked.after == StockBalance(D(6), D("18.00")) == balance(uow, product, warehouse)
    assert booked.cost == D("28.00")


def test_prepare_out_refuses_a_shortage_without_writing(books) -> None:  # type: ignore[no-untyped-def]
    uow, product, warehouse = books
    ctx = make_context()
    with uow.writing():
        stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(5), "RK-2026-0001", unit_cost=D("2.00"))
        uow.commit()
    with uow.writing(), pytest.raises(InsufficientStock) as refused:
        prepare_out(uow, product, warehouse, D(6), action="发货")
    assert (refused.value.requested, refused.value.available, refused.value.action, refused.value.warehouse) == (
        D(6), D(5), "发货", "主仓",
    )
    assert balance(uow, product, warehouse) == StockBalance(D(5), D("10.00"))


def test_out_at_the_average_and_at_a_price_of_its_own(books) -> None:  # type: ignore[no-untyped-def]
    uow, product, warehouse = books
    ctx = make_context()
    with uow.writing():
        stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(3), "RK-2026-0001", value=D("10.00"))
        plan = prepare_out(uow, product, warehouse, D(1))
        assert plan.cost == D("3.33")  # 1 × 10.00 ÷ 3, half up
        plan.book(uow, ctx, MovementKind.ISSUE, "CK-2026-0001")
        # Back to the supplier at the 3.50 it was bought at: 6.67 − 3.50 = 3.17 stays on 1 unit.
        returned = prepare_out(uow, product, warehouse, D(1), value=D("3.50")).book(uow, ctx, MovementKind.ISSUE, "CK-2026-0002")
        assert returned.after == StockBalance(D(1), D("3.17")) and returned.adjustment is None
        # The last unit leaves at 3.50 too: the −0.33 left on zero stock is adjusted away.
        last = prepare_out(uow, product, warehouse, D(1), value=D("3.50")).book(uow, ctx, MovementKind.ISSUE, "CK-2026-0003")
        uow.commit()
    assert last.adjustment is not None and last.adjustment.value == D("0.33")
    assert last.after == StockBalance(D(0), D("0.00")) == balance(uow, product, warehouse)
    assert last.cost == D("3.17")  # what really left the books: 3.50 − 0.33
