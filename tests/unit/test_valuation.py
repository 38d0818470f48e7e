"""先进先出 (FIFO) valuation through the in-memory unit of work, with the arithmetic in the tests.

企业会计准则第1号——存货 allows 先进先出法: goods issued are costed at the cost of the earliest
receipts still on hand. Each receipt is a layer; the examples below are worked by hand.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import history, services
from domain import stocktake as stk
from domain.booking import prepare_out, stock_in
from domain.errors import InsufficientStock, UndoRefused, ValuationRefused
from domain.stock import MovementKind, StockBalance
from domain.valuation import CostLayer, LayerDraw, ValuationMethod, draw_fifo, drawn
from tests.factories import make_product
from tests.fakes import FakeUnitOfWork
from tests.unit.support import KEEPER, NOW, OWNER, ctx_of, shop

D = Decimal
DAY = timedelta(days=1)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = shop()
    uow.seed(make_product("A001", name="可乐", unit="罐"), make_product("B001", name="雪碧", unit="罐", purchase_price=D("1.80")))
    uow.seed_warehouses("二仓")
    services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("fifo"))
    return uow


def receive(uow: FakeUnitOfWork, code: str, quantity: str, price: str | None, warehouse: str | None = None, on=None, at=NOW):  # type: ignore[no-untyped-def]
    cmd = c.ReceiveStock(code, D(quantity), unit_price=None if price is None else D(price), warehouse=warehouse, occurred_on=on, confirmed=True)
    return services.receive_stock(uow, ctx_of(KEEPER, "", at), cmd)


def issue(uow: FakeUnitOfWork, code: str, quantity: str, warehouse: str | None = None, at=NOW):  # type: ignore[no-untyped-def]
    cmd = c.IssueStock(code, D(quantity), warehouse=warehouse, confirmed=True)
    return services.issue_stock(uow, ctx_of(KEEPER, "", at), cmd)


def layers(uow: FakeUnitOfWork, code: str, warehouse_id: int = 1) -> list[tuple[Decimal, Decimal]]:
    """(remaining quantity, remaining value) of the stock's open layers, oldest first."""
    with uow:
        product = uow.products.get(code)
        assert product is not None
        return [(layer.remaining_quantity, layer.remaining_value) for layer in uow.valuation.open_layers(product.id, warehouse_id)]


def stored(uow: FakeUnitOfWork, code: str, warehouse_id: int = 1) -> StockBalance:
    with uow:
        product = uow.products.get(code)
    assert product is not None
    return uow.stock.balances.get((product.id, warehouse_id), StockBalance())


def assert_books_ok(uow: FakeUnitOfWork) -> None:
    report = services.check_books(uow)
    assert report.ok, (report.mismatches, report.layer_mismatches)


# ---- the pure rule ---------------------------------------------------------------------------


def _layer(layer_id: int, quantity: str, value: str, days: int = 0) -> CostLayer:
    q, v = D(quantity), D(value)
    return CostLayer(1, 1, NOW + days * DAY, layer_id, q, v, q, v, id=layer_id)


def test_draw_fifo_takes_the_oldest_layers_first_and_rounds_a_partial_take_half_up() -> None:
    # 10 @ 20.00 and 5 @ 15.00; taking 12: all of the first (20.00) + 2 × 15.00 ÷ 5 = 6.00 → 26.00.
    draws, short = draw_fifo([_layer(1, "10", "20.00"), _layer(2, "5", "15.00", 1)], D(12))
    assert draws == [LayerDraw(1, D(10), D("20.00"), NOW), LayerDraw(2, D(2), D("6.00"), NOW + DAY)]
    assert short == 0 and drawn(draws).value == D("26.00")
    # 3 units worth 10.00: 1 × 10.00 ÷ 3 = 3.333… → 3.33; 2 of 3: 6.666… → 6.67.
    assert draw_fifo([_layer(1, "3", "10.00")], D(1))[0][0].value == D("3.33")
    assert draw_fifo([_layer(1, "3", "10.00")], D(2))[0][0].value == D("6.67")
    # Asking for more than the layers hold: everything, and the shortfall.
    draws, short = draw_fifo([_layer(1, "3", "10.00")], D(5))
    assert (drawn(draws).quantity, drawn(draws).value, short) == (D(3), D("10.00"), D(2))
    with pytest.raises(ValueError):
        draw_fifo([], D(0))


# ---- 设置 计价 ---------------------------------------------------------------------------------


def test_the_method_is_chosen_before_the_first_movement_and_refused_after() -> None:
    uow = shop()
    uow.seed(make_product("A001"))
    with pytest.raises(ValuationRefused) as same:
        services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("moving_average"))
    assert same.value.why == ValuationRefused.ALREADY
    done = services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("fifo"))
    assert done.method is ValuationMethod.FIFO
    with uow:
        assert uow.valuation.method() is ValuationMethod.FIFO
        assert uow.audit.entries[-1].changes[0].after == "先进先出"
    receive(uow, "A001", "1", "2")
    before = uow.state()
    with pytest.raises(ValuationRefused) as locked:
        services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("moving_average"))
    assert (locked.value.why, locked.value.method, locked.value.current) == (ValuationRefused.HAS_MOVEMENTS, "移动加权平均", "先进先出")
    assert uow.state() == before


def test_fifo_and_negative_stock_exclude_each_other() -> None:
    uow = shop()
    services.set_negative_stock(uow, ctx_of(OWNER), c.SetNegativeStock(True))
    before = uow.state()
    with pytest.raises(ValuationRefused) as refused:
        services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("fifo"))
    assert refused.value.why == ValuationRefused.FIFO_NO_NEGATIVE and uow.state() == before
    services.set_negative_stock(uow, ctx_of(OWNER), c.SetNegativeStock(False))
    services.set_valuation_method(uow, ctx_of(OWNER), c.SetValuationMethod("fifo"))
    before = uow.state()
    with pytest.raises(ValuationRefused) as again:
        services.set_negative_stock(uow, ctx_of(OWNER), c.SetNegativeStock(True))
    assert again.value.why == ValuationRefused.FIFO_NO_NEGATIVE and uow.state() == before


# ---- worked examples through the services ----------------------------------------------------------


def test_issues_are_costed_from_the_oldest_receipts(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")  # layer 1: 10 × 2.00 = 20.00
    receive(uow, "A001", "5", "3.00")  # layer 2: 5 × 3.00 = 15.00
    first = issue(uow, "A001", "12")
    # 10 × 2.00 + 2 × 3.00 = 26.00 (moving average would say 12 × 35.00 ÷ 15 = 28.00)
    assert first.cost == D("26.00")
    assert layers(uow, "A001") == [(D(3), D("9.00"))]
    assert first.balance == StockBalance(D(3), D("9.00"))
    last = issue(uow, "A001", "3")
    assert last.cost == D("9.00") and layers(uow, "A001") == []
    assert stored(uow, "A001") == StockBalance(D(0), D("0.00"))
    assert_books_ok(uow)


def test_a_layer_is_emptied_exactly_to_the_fen(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "3", "3.3333")  # 3 × 3.3333 = 9.9999 → 10.00
    costs = [issue(uow, "A001", "1").cost for _ in range(3)]
    # 1 × 10.00 ÷ 3 = 3.333… → 3.33; 1 × 6.67 ÷ 2 = 3.335 → 3.34 (half up); the last takes 3.33.
    assert costs == [D("3.33"), D("3.34"), D("3.33")] and sum(costs) == D("10.00")
    assert_books_ok(uow)


def test_a_back_dated_receipt_is_drawn_in_its_date_s_turn(uow: FakeUnitOfWork) -> None:
    today = NOW.date()
    receive(uow, "A001", "5", "3.00")  # received now
    receive(uow, "A001", "5", "2.00", on=today - 2 * DAY)  # 日期 two days ago: the older layer
    assert issue(uow, "A001", "6").cost == D("13.00")  # 5 × 2.00 + 1 × 3.00
    assert_books_ok(uow)


def test_fifo_never_goes_below_zero(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "4", "2.00")
    before = uow.state()
    with pytest.raises(InsufficientStock) as refused:
        issue(uow, "A001", "5")
    assert (refused.value.requested, refused.value.available) == (D(5), D(4))
    assert uow.state() == before


def test_a_transfer_carries_the_layers_with_their_dates(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "5", "2.00", at=NOW - 2 * DAY)  # 10.00, received two days ago
    receive(uow, "A001", "5", "3.00", at=NOW - DAY)  # 15.00, yesterday
    moved = services.transfer_stock(uow, ctx_of(KEEPER), c.TransferStock("A001", D(7), "主仓", "二仓", confirmed=True))
    # 5 × 2.00 + 2 × 3.00 = 16.00 leaves 主仓 and arrives in 二仓 as two layers.
    assert moved.value == D("16.00")
    assert moved.source_balance == StockBalance(D(3), D("9.00")) and moved.target_balance == StockBalance(D(7), D("16.00"))
    assert layers(uow, "A001", 2) == [(D(5), D("10.00")), (D(2), D("6.00"))]
    with uow:
        dates = [layer.received_at for layer in uow.valuation.open_layers(1, 2)]
    assert dates == [NOW - 2 * DAY, NOW - DAY]
    # A receipt into 二仓 today is younger than both carried layers: 6 out = 5 × 2.00 + 1 × 3.00.
    receive(uow, "A001", "4", "1.00", warehouse="二仓")
    assert issue(uow, "A001", "6", warehouse="二仓").cost == D("13.00")
    assert layers(uow, "A001", 2) == [(D(1), D("3.00")), (D(4), D("4.00"))]
    assert_books_ok(uow)


def test_scrap_and_stocktake_draw_and_open_layers(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")
    receive(uow, "A001", "10", "2.50")
    scrapped = services.scrap_stock(uow, ctx_of(KEEPER), c.ScrapStock("A001", D(4), "破损", confirmed=True))
    assert scrapped.cost == D("8.00")  # 4 × 2.00 from the older layer
    # Count 18 where the book says 16: a gain of 2 at the average (12.00 + 25.00) ÷ 16 = 2.3125 → 4.63.
    stk.start_stocktake(uow, ctx_of(KEEPER), c.StartStocktake())
    stk.count_stock(uow, ctx_of(KEEPER), c.CountStock("A001", D(18)))
    gained = stk.confirm_stocktake(uow, ctx_of(OWNER), c.ConfirmStocktake(confirmed=True))
    assert gained.gain_value == D("4.63")
    assert layers(uow, "A001") == [(D(6), D("12.00")), (D(10), D("25.00")), (D(2), D("4.63"))]
    # Count 10 where the book says 18: a loss of 8 from the oldest: 6 × 2.00 + 2 × 2.50 = 17.00.
    stk.start_stocktake(uow, ctx_of(KEEPER), c.StartStocktake())
    stk.count_stock(uow, ctx_of(KEEPER), c.CountStock("A001", D(10)))
    preview = stk.show_stocktake(uow, ctx_of(KEEPER), c.ShowStocktake())
    assert preview.losses == D("17.00")  # the preview costs the loss the way the booking will
    lost = stk.confirm_stocktake(uow, ctx_of(OWNER), c.ConfirmStocktake(confirmed=True))
    assert lost.loss_value == D("17.00")
    assert layers(uow, "A001") == [(D(8), D("20.00")), (D(2), D("4.63"))]
    assert stored(uow, "A001") == StockBalance(D(10), D("24.63"))
    assert_books_ok(uow)


def test_undo_of_an_issue_puts_the_units_back_into_the_layers_they_came_from(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")
    receive(uow, "A001", "5", "3.00")
    issued = issue(uow, "A001", "12")  # 20.00 + 6.00
    issue(uow, "A001", "1")  # 3.00 from what is left of layer 2
    undone = history.undo(uow, ctx_of(OWNER), c.Undo(issued.movement.number, confirmed=True))
    assert undone.reversal is not None and undone.reversal.value == D("26.00")
    # Layer 1 is whole again; layer 2 had 2 left, gets 2 back: 4 × 3.00.
    assert layers(uow, "A001") == [(D(10), D("20.00")), (D(4), D("12.00"))]
    assert_books_ok(uow)


def test_undo_of_a_receipt_whose_layer_was_drawn_is_refused(uow: FakeUnitOfWork) -> None:
    first = receive(uow, "A001", "10", "2.00")
    second = receive(uow, "A001", "5", "3.00")
    issue(uow, "A001", "2")  # draws from the first layer only
    before = uow.state()
    with pytest.raises(UndoRefused) as refused:
        history.undo(uow, ctx_of(OWNER), c.Undo(first.movement.number, confirmed=True))
    assert refused.value.why == UndoRefused.LAYER_DRAWN and uow.state() == before
    # The second layer is untouched: its receipt can be undone, taking exactly 15.00 away.
    undone = history.undo(uow, ctx_of(OWNER), c.Undo(second.movement.number, confirmed=True))
    assert undone.reversal is not None and undone.reversal.value == D("-15.00")
    assert layers(uow, "A001") == [(D(8), D("16.00"))]
    assert_books_ok(uow)


def test_undo_of_a_transfer_moves_the_layers_back(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "5", "2.00", at=NOW - DAY)
    receive(uow, "A001", "5", "3.00")
    moved = services.transfer_stock(uow, ctx_of(KEEPER), c.TransferStock("A001", D(7), "主仓", "二仓", confirmed=True))
    history.undo(uow, ctx_of(OWNER), c.Undo(moved.number, confirmed=True))
    assert layers(uow, "A001") == [(D(5), D("10.00")), (D(5), D("15.00"))]
    assert layers(uow, "A001", 2) == []
    assert stored(uow, "A001", 2) == StockBalance(D(0), D("0.00"))
    assert_books_ok(uow)


# ---- booking, as documents will call it --------------------------------------------------------------


def test_a_return_at_its_own_price_books_the_layer_difference_to_cost_of_goods_sold(uow: FakeUnitOfWork) -> None:
    ctx = ctx_of(KEEPER)
    with uow.writing():
        product = uow.products.get("A001")
        warehouse = uow.stock.default_warehouse()
        assert product is not None
        stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(10), "RK-2026-0001", unit_cost=D("2.00"))
        stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(10), "RK-2026-0002", unit_cost=D("2.50"))
        # Back to the supplier: 4 units at 2.50 = 10.00 (the payable falls by 10.00), but FIFO
        # draws the oldest layer: 4 × 2.00 = 8.00. The 2.00 difference goes to COGS.
        plan = prepare_out(uow, product, warehouse, D(4), value=D("10.00"))
        booked = plan.book(uow, ctx, MovementKind.ISSUE, "CK-2026-0001")
        uow.commit()
    assert booked.movement.value == D("-10.00")
    assert booked.adjustment is not None and booked.adjustment.value == D("2.00")
    assert booked.draws == (LayerDraw(1, D(4), D("8.00"), NOW),)
    assert booked.cost == D("8.00")
    # 45.00 − 10.00 + 2.00 = 37.00 = 6 × 2.00 + 10 × 2.50
    assert booked.after == StockBalance(D(16), D("37.00"))
    assert layers(uow, "A001") == [(D(6), D("12.00")), (D(10), D("25.00"))]
    assert_books_ok(uow)


def test_a_customer_return_opens_a_layer_at_the_cost_it_left_with(uow: FakeUnitOfWork) -> None:
    ctx = ctx_of(KEEPER)
    with uow.writing():
        product = uow.products.get("A001")
        warehouse = uow.stock.default_warehouse()
        assert product is not None
        stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(3), "RK-2026-0001", value=D("10.00"))
        shipped = prepare_out(uow, product, warehouse, D(2)).book(uow, ctx, MovementKind.ISSUE, "CK-2026-0001")
        back = stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(2), "RK-2026-0002", value=shipped.cost)
        uow.commit()
    assert shipped.cost == D("6.67")  # 2 × 10.00 ÷ 3
    assert [(layer.quantity, layer.value) for layer in back.layers] == [(D(2), D("6.67"))]
    assert layers(uow, "A001") == [(D(1), D("3.33")), (D(2), D("6.67"))]
    assert_books_ok(uow)


def test_check_finds_layers_that_do_not_add_up(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")
    layer = next(iter(uow.valuation.layers.values()))
    uow.valuation.layers[layer.id] = CostLayer(
        layer.product_id, layer.warehouse_id, layer.received_at, layer.movement_id, layer.quantity, layer.value,
        layer.remaining_quantity, layer.remaining_value - D("0.01"), id=layer.id,
    )
    report = services.check_books(uow)
    assert not report.ok and not report.mismatches
    (mismatch,) = report.layer_mismatches
    assert (mismatch.product_code, mismatch.warehouse, mismatch.balance_value, mismatch.layers_value) == (
        "A001", "主仓", D("20.00"), D("19.99"),
    )


def test_moving_average_books_no_layers() -> None:
    uow = shop()
    uow.seed(make_product("A001"))
    receive(uow, "A001", "10", "2.00")
    receive(uow, "A001", "5", "3.00")
    assert issue(uow, "A001", "12").cost == D("28.00")  # 12 × 35.00 ÷ 15
    assert not uow.valuation.layers and services.check_books(uow).ok
