"""盘点 (stocktake) through the in-memory unit of work, with the arithmetic worked in the tests.

A count is compared with the book quantity *at the moment it was counted*; confirming books
``counted − book then`` onto whatever the balance is now, so goods that move between the count
and the confirmation do not distort the variance. At the end, a state machine runs random
receipts, issues, transfers, scraps, stocktakes and undos and checks the books after every step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain import commands as c
from domain import history, services
from domain import stocktake as stk
from domain.audit import Action
from domain.errors import (
    AmbiguousStocktake,
    BatchRefused,
    EmptyStocktake,
    FractionalQuantity,
    InsufficientStock,
    NeedsConfirmation,
    NoOpenStocktake,
    SameWarehouse,
    StocktakeBelowZero,
    StocktakeOpen,
    UndoRefused,
    UnitMismatch,
    UnknownProduct,
    UnknownWarehouse,
    WarehouseNotAllowed,
)
from domain.money import quantize_money
from domain.ports import Stocktake, StocktakeLine, Warehouse
from domain.products import Product
from domain.stock import MovementKind, StockBalance
from tests.factories import make_product
from tests.fakes import FakeUnitOfWork
from tests.unit.support import ADMIN, KEEPER, NOW, OWNER, ctx_of, limited, shop

D = Decimal
MINUTE = timedelta(minutes=1)
MAIN, SECOND, THIRD = Warehouse(1, "主仓"), Warehouse(2, "二仓"), Warehouse(3, "三仓")


@pytest.fixture
def uow() -> Iterator[FakeUnitOfWork]:
    uow = shop()
    uow.seed(
        make_product("A001", name="可乐", unit="罐"),
        make_product("B001", name="雪碧", unit="罐", purchase_price=D("1.80")),
        make_product("C001", name="芬达", unit="罐"),
        make_product("D001", name="纸巾", unit="包"),
        make_product("E001", name="矿泉水", unit="瓶"),
        make_product("F001", name="口香糖", unit="盒"),
        make_product("R01", name="大米", unit="kg"),
    )
    uow.seed_warehouses("二仓", "三仓")
    yield uow
    report = services.check_books(uow)
    assert report.ok, report.mismatches


# ---- helpers -----------------------------------------------------------------------------------


def _ctx(who, at, text: str = ""):  # type: ignore[no-untyped-def]
    return ctx_of(who, text, at)


def receive(uow: FakeUnitOfWork, code: str, quantity: str, price: str | None, warehouse: str | None = None, at=NOW) -> None:  # type: ignore[no-untyped-def]
    cmd = c.ReceiveStock(code, D(quantity), unit_price=None if price is None else D(price), warehouse=warehouse, confirmed=True)
    services.receive_stock(uow, _ctx(KEEPER, at), cmd)


def issue(uow: FakeUnitOfWork, code: str, quantity: str, warehouse: str | None = None, at=NOW) -> services.StockIssued:  # type: ignore[no-untyped-def]
    return services.issue_stock(uow, _ctx(KEEPER, at), c.IssueStock(code, D(quantity), warehouse=warehouse, confirmed=True))


def start(uow: FakeUnitOfWork, warehouse: str | None = None, who=KEEPER, at=NOW) -> Stocktake:  # type: ignore[no-untyped-def]
    text = "盘点 开始" + (f" {warehouse}" if warehouse else "")
    return stk.start_stocktake(uow, _ctx(who, at, text), c.StartStocktake(warehouse)).stocktake


def count(uow: FakeUnitOfWork, code: str, quantity: str, warehouse: str | None = None, who=KEEPER, at=NOW, unit: str | None = None) -> stk.StockCounted:  # type: ignore[no-untyped-def]
    return stk.count_stock(uow, _ctx(who, at, f"盘点 {code} {quantity}"), c.CountStock(code, D(quantity), unit, warehouse))


def show(uow: FakeUnitOfWork, warehouse: str | None = None, who=KEEPER, page: int = 1) -> stk.StocktakeVariance:  # type: ignore[no-untyped-def]
    return stk.show_stocktake(uow, _ctx(who, NOW), c.ShowStocktake(warehouse, page))


def ask(uow: FakeUnitOfWork, warehouse: str | None = None, who=KEEPER) -> NeedsConfirmation:  # type: ignore[no-untyped-def]
    """盘点 确认 without the button: a question, and nothing changed."""
    before = uow.state()
    with pytest.raises(NeedsConfirmation) as caught:
        stk.confirm_stocktake(uow, _ctx(who, NOW, "盘点 确认"), c.ConfirmStocktake(warehouse))
    assert uow.state() == before
    return caught.value


def confirm(uow: FakeUnitOfWork, warehouse: str | None = None, who=KEEPER, at=NOW) -> stk.StocktakeConfirmed:  # type: ignore[no-untyped-def]
    """盘点 确认, then the button: what the chat edge does."""
    question = ask(uow, warehouse, who)
    assert question.reasons == []
    assert isinstance(question.command, c.ConfirmStocktake) and question.command.confirmed
    return stk.confirm_stocktake(uow, _ctx(who, at, "盘点 确认 确认"), question.command)


def refused(uow: FakeUnitOfWork, error: type, call):  # type: ignore[no-untyped-def]
    """The refusal raised by ``call()``, having proved that nothing changed."""
    before, commits = uow.state(), uow.commits
    with pytest.raises(error) as caught:
        call()
    assert (uow.state(), uow.commits) == (before, commits)
    return caught.value


def product(uow: FakeUnitOfWork, code: str) -> Product:
    return next(p for p in uow.products.by_id.values() if p.code == code)


def balance(uow: FakeUnitOfWork, code: str, warehouse_id: int = 1) -> StockBalance:
    return uow.stock.balances.get((product(uow, code).id, warehouse_id), StockBalance())  # type: ignore[arg-type]


def line(uow: FakeUnitOfWork, code: str, counted: str, book: str, by: str = KEEPER.name, at=NOW) -> StocktakeLine:  # type: ignore[no-untyped-def]
    return StocktakeLine(product(uow, code), D(counted), D(book), at, by)


# ---- 盘点 开始 -----------------------------------------------------------------------------------


def test_start_opens_a_count_of_the_default_warehouse_with_a_pd_number(uow: FakeUnitOfWork) -> None:
    result = stk.start_stocktake(uow, _ctx(KEEPER, NOW, "盘点 开始"), c.StartStocktake())
    assert result == stk.StocktakeStarted(Stocktake("PD-2026-0001", MAIN, NOW, KEEPER.name, "open", 1))
    with uow:
        assert uow.stocktakes.open_in(1) == result.stocktake
        assert uow.stocktakes.open_counts() == [result.stocktake]
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers, entry.text, entry.user_id) == (
        Action.STOCKTAKE_START, "主仓", ("PD-2026-0001",), "盘点 开始", KEEPER.user_id
    )
    assert uow.stock.ledger == []  # opening a count books nothing


def test_one_open_count_per_warehouse(uow: FakeUnitOfWork) -> None:
    first = start(uow)
    error = refused(uow, StocktakeOpen, lambda: start(uow, "主仓", who=ADMIN))
    assert (error.number, error.warehouse) == ("PD-2026-0001", "主仓")
    # Another warehouse may be counted at the same time, under a number of its own.
    second = start(uow, "二仓")
    assert (second.number, second.warehouse, second.id) == ("PD-2026-0002", SECOND, 2)
    with uow:
        assert uow.stocktakes.open_counts() == [first, second]


def test_start_in_an_unknown_or_forbidden_warehouse_is_refused(uow: FakeUnitOfWork) -> None:
    error = refused(uow, UnknownWarehouse, lambda: start(uow, "四仓"))
    assert (error.name, error.known) == ("四仓", ["主仓", "二仓", "三仓"])
    only_second = limited(KEEPER, 2)
    assert refused(uow, WarehouseNotAllowed, lambda: start(uow, who=only_second)).name == "主仓"
    assert refused(uow, WarehouseNotAllowed, lambda: start(uow, "三仓", who=only_second)).name == "三仓"
    assert start(uow, "二仓", who=only_second).warehouse == SECOND


# ---- 盘点 A001 48 ------------------------------------------------------------------------------


def test_a_count_records_the_book_quantity_at_that_moment_and_a_recount_replaces_it(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "68", "2.45")
    stocktake = start(uow)
    result = count(uow, "a001", "60")
    assert result == stk.StockCounted(stocktake, line(uow, "A001", "60", "68"), 1)
    assert result.line.variance == D(-8)  # 60 − 68
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers, entry.text) == (
        Action.STOCKTAKE_COUNT, "A001", ("PD-2026-0001",), "盘点 a001 60"
    )
    # Two more arrive; the recount by someone else is compared with the book then (70).
    receive(uow, "A001", "2", "2.45")
    later = NOW + 5 * MINUTE
    recount = count(uow, "A001", "65", who=ADMIN, at=later)
    assert recount.line == line(uow, "A001", "65", "70", by=ADMIN.name, at=later)
    assert (recount.line.variance, recount.counted_lines) == (D(-5), 1)
    with uow:
        assert uow.stocktakes.lines(stocktake.id) == [recount.line]
    assert uow.stock.balances[(1, 1)] == StockBalance(D(70), D("171.50"))  # counting books nothing


def test_count_lines_are_kept_in_code_order_and_a_product_never_stocked_has_book_zero(uow: FakeUnitOfWork) -> None:
    receive(uow, "B001", "3", "1.80")
    stocktake = start(uow)
    assert count(uow, "C001", "4").line.book_quantity == D(0)
    assert count(uow, "B001", "0").counted_lines == 2  # counting nothing is a count too
    with uow:
        assert [(ln.product.code, ln.counted, ln.book_quantity) for ln in uow.stocktakes.lines(stocktake.id)] == [
            ("B001", D(0), D(3)),
            ("C001", D(4), D(0)),
        ]


def test_a_count_in_the_counted_warehouse_ignores_stock_elsewhere(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")
    receive(uow, "A001", "7", "2.00", warehouse="二仓")
    start(uow, "二仓")
    assert count(uow, "A001", "6", "二仓").line.book_quantity == D(7)


@pytest.mark.parametrize(
    ("code", "quantity", "unit", "error"),
    [
        ("A00l", "1", None, UnknownProduct),
        ("A001", "2.5", None, FractionalQuantity),
        ("A001", "2", "箱", UnitMismatch),
    ],
)
def test_a_count_checks_the_product_and_its_unit(uow: FakeUnitOfWork, code: str, quantity: str, unit: str | None, error: type) -> None:
    start(uow)
    refused(uow, error, lambda: count(uow, code, quantity, unit=unit))


def test_a_weighed_good_is_counted_in_fractions(uow: FakeUnitOfWork) -> None:
    receive(uow, "R01", "2.5", "12.80")  # 32.00
    start(uow)
    assert count(uow, "R01", "2.25", unit="KG").line.variance == D("-0.25")
    # 0.25 × 32.00 / 2.5 = 3.20
    assert [(v.line.product.code, v.value) for v in show(uow).lines] == [("R01", D("-3.20"))]


def test_a_count_without_an_open_stocktake_is_refused(uow: FakeUnitOfWork) -> None:
    assert refused(uow, NoOpenStocktake, lambda: count(uow, "A001", "1")).warehouse is None
    start(uow, "二仓")
    assert refused(uow, NoOpenStocktake, lambda: count(uow, "A001", "1", "主仓")).warehouse == "主仓"


# ---- 盘点 差异: the variance ----------------------------------------------------------------------


def _variance_scenario(uow: FakeUnitOfWork) -> Stocktake:
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "10", "2.60")  # 20 worth 51.00: average 2.55
    receive(uow, "D001", "3000", "0.3333333")  # 3000 × 0.3333333 = 999.9999 → 1000.00
    receive(uow, "E001", "12", "1.00")
    receive(uow, "F001", "9", "5.00")  # not counted
    stocktake = start(uow)
    count(uow, "A001", "24")  # gain 4
    count(uow, "B001", "5")  # gain 5 on nothing on hand
    count(uow, "C001", "3")  # gain 3 on nothing on hand, no purchase price
    count(uow, "D001", "0")  # loss of everything
    count(uow, "E001", "12")  # as booked
    return stocktake


def test_the_variance_values_gains_at_the_average_else_the_purchase_price_else_zero(uow: FakeUnitOfWork) -> None:
    stocktake = _variance_scenario(uow)
    before = uow.state()
    result = show(uow)
    assert uow.state() == before
    assert [(v.line.product.code, v.line.counted, v.line.book_quantity, v.line.variance, v.value) for v in result.lines] == [
        # a loss that empties the stock takes all its value: −1000.00, not 3000 × 0.3333 = 999.90
        ("D001", D(0), D(3000), D(-3000), D("-1000.00")),
        ("A001", D(24), D(20), D(4), D("10.20")),  # 4 × 2.55 (the average)
        ("B001", D(5), D(0), D(5), D("9.00")),  # 5 × 1.80 (the purchase price: nothing on hand)
        ("C001", D(3), D(0), D(3), D("0.00")),  # neither: unvalued
        ("E001", D(12), D(12), D(0), D("0.00")),  # matches the book: listed last
    ]
    assert (result.stocktake, result.counted, result.differing) == (stocktake, 5, 4)
    assert (result.gains, result.losses) == (D("19.20"), D("1000.00"))  # 10.20 + 9.00 + 0.00
    assert (result.page, result.pages) == (1, 1)


def test_the_variance_is_listed_ten_a_page_differences_first(uow: FakeUnitOfWork) -> None:
    codes = [f"P{i:02d}" for i in range(1, 13)]
    uow.seed(*(make_product(code, name=f"商品{code}", purchase_price=D(1)) for code in codes))
    start(uow)
    for index, code in enumerate(codes):
        count(uow, code, str(index))  # P01 counted 0 (as booked), P02 1 … P12 11
    first, second = show(uow), show(uow, page=2)
    assert [v.line.product.code for v in first.lines] == ["P12", "P11", "P10", "P09", "P08", "P07", "P06", "P05", "P04", "P03"]
    assert [v.line.product.code for v in second.lines] == ["P02", "P01"]
    assert (first.counted, first.pages, second.page) == (12, 2, 2)
    # Totals cover every line, not just the page: 1 + 2 + … + 11 = 66 at 1.00
    assert first.gains == second.gains == D("66.00")
    assert show(uow, page=9).page == 2


def test_show_without_an_open_count_is_refused(uow: FakeUnitOfWork) -> None:
    refused(uow, NoOpenStocktake, lambda: show(uow))


# ---- 盘点 确认 --------------------------------------------------------------------------------------


def test_confirm_asks_first_with_the_variance_as_preview(uow: FakeUnitOfWork) -> None:
    _variance_scenario(uow)
    question = ask(uow)
    assert question.reasons == []
    assert question.command == c.ConfirmStocktake("主仓", confirmed=True)  # the warehouse is named on the button
    assert question.preview == show(uow)


def test_confirm_books_gains_and_losses_under_the_pd_number_and_closes_the_count(uow: FakeUnitOfWork) -> None:
    stocktake = _variance_scenario(uow)
    untouched = balance(uow, "F001")
    result = confirm(uow)
    assert (result.stocktake, result.counted, result.gain_value, result.loss_value) == (stocktake, 5, D("19.20"), D("1000.00"))
    booked = [
        (ln.product.code, m.kind, m.quantity, m.value, m.balance_quantity, m.balance_value, m.number, m.note)
        for ln, m in result.booked
    ]
    assert booked == [
        ("A001", MovementKind.STOCKTAKE_GAIN, D(4), D("10.20"), D(24), D("61.20"), "PD-2026-0001", "盘点 实盘 24 账面 20"),
        ("B001", MovementKind.STOCKTAKE_GAIN, D(5), D("9.00"), D(5), D("9.00"), "PD-2026-0001", "盘点 实盘 5 账面 0"),
        ("C001", MovementKind.STOCKTAKE_GAIN, D(3), D("0.00"), D(3), D("0.00"), "PD-2026-0001", "盘点 实盘 3 账面 0"),
        ("D001", MovementKind.STOCKTAKE_LOSS, D(-3000), D("-1000.00"), D(0), D(0), "PD-2026-0001", "盘点 实盘 0 账面 3000"),
    ]
    assert [m for _, m in result.booked] == uow.stock.ledger[-4:]
    assert all(m.warehouse_id == 1 and m.actor_id == KEEPER.user_id for _, m in result.booked)
    # E001 matched the book and F001 was not counted: neither moved.
    assert balance(uow, "E001") == StockBalance(D(12), D("12.00"))
    assert balance(uow, "F001") == untouched == StockBalance(D(9), D("45.00"))
    assert balance(uow, "D001") == StockBalance(D(0), D(0))
    # The count is closed, and one audit entry records the confirmation.
    with uow:
        assert uow.stocktakes.open_in(1) is None
        assert uow.stocktakes.counts[stocktake.id].status == "confirmed"
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers, entry.text) == (
        Action.STOCKTAKE_CONFIRM, "主仓", ("PD-2026-0001",), "盘点 确认 确认"
    )
    refused(uow, NoOpenStocktake, lambda: show(uow))
    # A new count can start; it gets the next number.
    assert start(uow).number == "PD-2026-0002"


def test_goods_moving_after_the_count_do_not_distort_the_variance(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "68", "2.45")  # 68 worth 166.60
    start(uow)
    count(uow, "A001", "60")  # 60 on the shelf against 68 in the book: 8 missing
    issue(uow, "A001", "5")  # 5 × 2.45 = 12.25 leave after the count: 63 worth 154.35 in the book
    # The variance is still the 8 found missing at count time, not 60 − 63 = −3.
    (variance,) = show(uow).lines
    assert (variance.line.variance, variance.value) == (D(-8), D("-19.60"))  # 8 × 2.45
    result = confirm(uow)
    ((_, loss),) = result.booked
    assert (loss.quantity, loss.value) == (D(-8), D("-19.60"))
    # What is on the shelf now: 60 counted − 5 issued = 55, worth 55 × 2.45 = 134.75
    assert balance(uow, "A001") == StockBalance(D(55), D("134.75"))
    assert result.loss_value == D("19.60")


def test_goods_arriving_after_the_count_do_not_distort_the_variance(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.00")  # 10 worth 20.00
    start(uow)
    count(uow, "A001", "12")  # 2 more on the shelf than in the book
    receive(uow, "A001", "10", "3.00")  # 20 worth 50.00: average 2.50
    result = confirm(uow)
    ((_, gain),) = result.booked
    # The gain of 2 is valued at the average at confirmation: 2 × 2.50 = 5.00
    assert (gain.quantity, gain.value) == (D(2), D("5.00"))
    assert balance(uow, "A001") == StockBalance(D(22), D("55.00"))  # 12 counted + 10 received


def test_a_loss_that_empties_the_stock_takes_all_its_value(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "300", "0.33333")  # 300 × 0.33333 = 99.999 → 100.00
    start(uow)
    count(uow, "A001", "100")  # 200 missing
    issue(uow, "A001", "100")  # 100 × 100.00 / 300 = 33.33: 200 worth 66.67 left
    # The loss of 200 empties the stock: it takes all 66.67, where the four-place average
    # (66.67 / 200 = 0.33335 → 0.3334) would have made it 200 × 0.3334 = 66.68.
    (variance,) = show(uow).lines
    assert (variance.line.variance, variance.value) == (D(-200), D("-66.67"))
    result = confirm(uow)
    assert result.loss_value == D("66.67")
    assert balance(uow, "A001") == StockBalance(D(0), D(0))


def test_a_loss_larger_than_what_is_left_now_is_refused_and_books_nothing(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    receive(uow, "B001", "10", "1.00")
    stocktake = start(uow)
    count(uow, "A001", "12")  # a gain, booked first (code order) and then rolled back
    count(uow, "B001", "2")  # 8 missing
    issue(uow, "B001", "5")  # only 5 left now: 8 cannot be written off
    command = c.ConfirmStocktake("主仓", confirmed=True)
    error = refused(uow, StocktakeBelowZero, lambda: stk.confirm_stocktake(uow, _ctx(KEEPER, NOW), command))
    assert (error.code, error.name, error.unit, error.loss, error.on_hand) == ("B001", "雪碧", "罐", D(8), D(5))
    with uow:
        assert uow.stocktakes.open_in(1) == stocktake  # still open: recount and confirm again
    count(uow, "B001", "0", at=NOW + MINUTE)  # book 5 now: loss 5
    result = confirm(uow, at=NOW + MINUTE)
    assert [(ln.product.code, m.quantity, m.value) for ln, m in result.booked] == [
        ("A001", D(2), D("5.00")),  # 2 × 2.50
        ("B001", D(-5), D("-5.00")),  # the whole 5.00 left
    ]


def test_an_empty_count_cannot_be_confirmed(uow: FakeUnitOfWork) -> None:
    stocktake = start(uow)
    for confirmed in (False, True):
        command = c.ConfirmStocktake(None, confirmed)
        error = refused(uow, EmptyStocktake, lambda: stk.confirm_stocktake(uow, _ctx(KEEPER, NOW), command))
        assert error.number == stocktake.number


def test_confirm_without_an_open_count_is_refused(uow: FakeUnitOfWork) -> None:
    refused(uow, NoOpenStocktake, lambda: stk.confirm_stocktake(uow, _ctx(KEEPER, NOW), c.ConfirmStocktake(confirmed=True)))


def test_a_count_where_everything_matches_closes_without_booking(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    start(uow)
    count(uow, "A001", "10")
    ledger = list(uow.stock.ledger)
    result = confirm(uow)
    assert (result.booked, result.counted, result.gain_value, result.loss_value) == ([], 1, D(0), D(0))
    assert uow.stock.ledger == ledger
    assert uow.audit.entries[-1].action is Action.STOCKTAKE_MATCHED  # nothing booked, nothing to undo


# ---- 盘点 取消 ---------------------------------------------------------------------------------------


def test_cancel_closes_the_count_and_books_nothing(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    stocktake = start(uow)
    count(uow, "A001", "3")
    ledger, balances = list(uow.stock.ledger), dict(uow.stock.balances)
    result = stk.cancel_stocktake(uow, _ctx(KEEPER, NOW, "盘点 取消"), c.CancelStocktake())
    assert result == stk.StocktakeCancelled(stocktake, 1)
    assert (uow.stock.ledger, uow.stock.balances) == (ledger, balances)
    with uow:
        assert uow.stocktakes.open_counts() == []
        assert uow.stocktakes.counts[stocktake.id].status == "cancelled"
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers) == (Action.STOCKTAKE_CANCEL, "主仓", ("PD-2026-0001",))
    refused(uow, NoOpenStocktake, lambda: stk.cancel_stocktake(uow, _ctx(KEEPER, NOW), c.CancelStocktake()))
    # A fresh count starts from nothing.
    fresh = start(uow)
    assert fresh.number == "PD-2026-0002"
    empty = show(uow)
    assert (empty.stocktake, empty.lines, empty.counted, empty.gains, empty.losses) == (fresh, [], 0, D(0), D(0))


# ---- several warehouses, limited members ------------------------------------------------------------


def test_with_several_open_counts_the_warehouse_must_be_named(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "4", "2.50", warehouse="二仓")
    start(uow)
    start(uow, "二仓")
    calls = [
        lambda: count(uow, "A001", "9"),
        lambda: show(uow),
        lambda: stk.confirm_stocktake(uow, _ctx(KEEPER, NOW), c.ConfirmStocktake(confirmed=True)),
        lambda: stk.cancel_stocktake(uow, _ctx(KEEPER, NOW), c.CancelStocktake()),
    ]
    for call in calls:
        assert refused(uow, AmbiguousStocktake, call).warehouses == ["主仓", "二仓"]
    assert count(uow, "A001", "3", "二仓").line == line(uow, "A001", "3", "4")
    assert count(uow, "A001", "9", "主仓").line == line(uow, "A001", "9", "10")
    result = confirm(uow, "二仓")
    ((_, loss),) = result.booked
    assert (loss.warehouse_id, loss.quantity, loss.value) == (2, D(-1), D("-2.50"))
    # Only 主仓 is open now: no need to name it.
    assert show(uow).stocktake.warehouse == MAIN


def test_a_member_limited_to_some_warehouses_works_only_on_their_counts(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "4", "2.50", warehouse="二仓")
    start(uow)  # 主仓, by someone who may
    only_second = limited(KEEPER, 2)
    # The count in 主仓 is not theirs to see, so there is none for them …
    assert refused(uow, NoOpenStocktake, lambda: count(uow, "A001", "1", who=only_second)).warehouse is None
    # … and naming it is refused.
    assert refused(uow, WarehouseNotAllowed, lambda: count(uow, "A001", "1", "主仓", who=only_second)).name == "主仓"
    assert refused(uow, WarehouseNotAllowed, lambda: show(uow, "主仓", who=only_second)).name == "主仓"
    refused(
        uow,
        WarehouseNotAllowed,
        lambda: stk.confirm_stocktake(uow, _ctx(only_second, NOW), c.ConfirmStocktake("主仓", confirmed=True)),
    )
    refused(uow, WarehouseNotAllowed, lambda: stk.cancel_stocktake(uow, _ctx(only_second, NOW), c.CancelStocktake("主仓")))
    # With 二仓 open too, theirs is the only one they see: no ambiguity.
    start(uow, "二仓", who=only_second)
    assert count(uow, "A001", "3", who=only_second).stocktake.warehouse == SECOND
    result = confirm(uow, who=only_second)
    assert [m.warehouse_id for _, m in result.booked] == [2]


# ---- 撤销 of a confirmed stocktake ---------------------------------------------------------------------


def test_undo_of_a_confirmed_stocktake_reverses_every_gain_and_loss(uow: FakeUnitOfWork) -> None:
    _variance_scenario(uow)
    before = dict(uow.stock.balances)
    confirm(uow)
    entry = uow.audit.entries[-1]
    later = NOW + 2 * MINUTE
    with pytest.raises(NeedsConfirmation) as caught:
        history.undo(uow, _ctx(KEEPER, later, "撤销 PD-2026-0001"), c.Undo("PD-2026-0001"))
    assert caught.value.command == c.Undo(f"#{entry.id}", confirmed=True)
    preview = caught.value.preview
    assert preview.entry == entry
    assert [m.number for m in preview.movements] == ["PD-2026-0001"] * 4
    result = history.undo(uow, _ctx(KEEPER, later, "撤销 确认"), caught.value.command)
    # Newest first, under one CX number, each undoing one movement exactly.
    assert [(m.product_id, m.quantity, m.value, m.number, m.note) for m in result.reversals] == [
        (4, D(3000), D("1000.00"), "CX-2026-0001", "冲销 PD-2026-0001"),
        (3, D(-3), D("0.00"), "CX-2026-0001", "冲销 PD-2026-0001"),
        (2, D(-5), D("-9.00"), "CX-2026-0001", "冲销 PD-2026-0001"),
        (1, D(-4), D("-10.20"), "CX-2026-0001", "冲销 PD-2026-0001"),
    ]
    assert {k: v for k, v in uow.stock.balances.items() if v != StockBalance()} == {
        k: v for k, v in before.items() if v != StockBalance()
    }
    assert balance(uow, "D001") == StockBalance(D(3000), D("1000.00"))
    assert balance(uow, "A001") == StockBalance(D(20), D("51.00"))
    with uow:
        assert all(m.reversed_by == "CX-2026-0001" for m in uow.stock.movements_by_number("PD-2026-0001"))
    undo_entry = uow.audit.entries[-1]
    assert (undo_entry.action, undo_entry.undoes, undo_entry.subject, undo_entry.numbers) == (
        Action.UNDO, entry.id, "主仓", ("CX-2026-0001",)
    )


def test_undo_of_a_stocktake_is_refused_when_a_gain_has_since_been_issued(uow: FakeUnitOfWork) -> None:
    start(uow)
    count(uow, "B001", "5")  # gain 5 at the purchase price 1.80 = 9.00
    confirm(uow)
    issue(uow, "B001", "2")
    error = refused(
        uow, UndoRefused, lambda: history.undo(uow, _ctx(OWNER, NOW), c.Undo("PD-2026-0001", confirmed=True))
    )
    assert (error.why, error.label, error.details["code"], error.details["on_hand"]) == (
        UndoRefused.STOCK_SINCE_ISSUED, "PD-2026-0001", "B001", D(3)
    )


def test_the_preview_shows_the_loss_value_that_will_be_booked(uow: FakeUnitOfWork) -> None:
    receive(uow, "D001", "3000", "0.3333333")  # 3000 worth 1000.00: average 0.3333
    start(uow)
    count(uow, "D001", "1500")  # 1500 missing
    previewed = ask(uow).preview.losses
    booked = confirm(uow).loss_value
    assert booked == D("500.00")  # 1500 × 1000.00 / 3000
    assert previewed == booked


def test_undo_of_a_stocktake_that_booked_nothing_is_refused_as_not_undoable(uow: FakeUnitOfWork) -> None:
    receive(uow, "A001", "10", "2.50")
    start(uow)
    count(uow, "A001", "10")
    confirm(uow)
    error = refused(uow, UndoRefused, lambda: history.undo(uow, _ctx(KEEPER, NOW), c.Undo("PD-2026-0001")))
    assert error.label == "PD-2026-0001"


# ---- the books stay sound under any sequence of operations --------------------------------------------

PRODUCTS = (
    make_product("A001", name="可乐", unit="罐", purchase_price=D("2.40")),
    make_product("B001", name="雪碧", unit="罐"),
    make_product("R01", name="大米", unit="kg", purchase_price=D("12.80")),
)
WAREHOUSE_NAMES = ("主仓", "二仓", "三仓")
# Batch variants: B001 is batch-managed; each batch code has its one expiry, far ahead.
BATCH_EXPIRY = {"L1": date(2030, 1, 1), "L2": date(2030, 6, 1), "L3": date(2031, 1, 1)}
amounts = st.integers(min_value=1, max_value=30)
prices = st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D(20), places=2))


class InventoryBooks(RuleBasedStateMachine):
    """Random receipts, issues, transfers, scraps, stocktakes and undos on 1–3 products in 2–3
    warehouses. A model tracks the quantities; the value is tracked from what each operation
    reports it booked. Every refusal must be predicted by the model and leave the books as they were.
    Runs under moving average and, as ``FifoInventoryBooks``, under FIFO (设置 计价 先进先出)."""

    fifo = False
    batches = False  # B001 batch-managed (receipts name a batch; issues take the earliest expiry)

    def __init__(self) -> None:
        super().__init__()
        self.uow = FakeUnitOfWork()
        self.ctx = ctx_of(OWNER)
        self.products: list[Product] = []
        self.warehouses: list[str] = []
        self.quantity: dict[tuple[int, str], Decimal] = {}
        self.counts: dict[str, dict[int, tuple[Decimal, Decimal]]] = {}  # open count: product → (counted, book)
        self.value = D(0)  # receipts − issue costs − scrap costs + gains − losses (+ reversals)
        self.documents: list[str] = []  # numbers 撤销 may try

    @initialize(products=st.integers(min_value=1, max_value=3), warehouses=st.integers(min_value=2, max_value=3))
    def open_books(self, products: int, warehouses: int) -> None:
        chosen = [replace(p, batch_managed=True) if self.batches and p.code == "B001" else p for p in PRODUCTS[:products]]
        self.products = self.uow.seed(*chosen)
        self.uow.seed_warehouses(*WAREHOUSE_NAMES[1:warehouses])
        self.warehouses = list(WAREHOUSE_NAMES[:warehouses])
        if self.fifo:
            services.set_valuation_method(self.uow, self.ctx, c.SetValuationMethod("fifo"))

    # -- helpers --

    def _pick(self, data: st.DataObject) -> tuple[Product, str]:
        return data.draw(st.sampled_from(self.products)), data.draw(st.sampled_from(self.warehouses))

    def _pick_stocked(self, data: st.DataObject) -> tuple[Product, str]:
        """Mostly a product and warehouse that hold stock (so that goods can leave), else any."""
        stocked = sorted(key for key, quantity in self.quantity.items() if quantity > 0)
        if stocked and data.draw(st.integers(min_value=0, max_value=3)) < 3:  # (0 is what hypothesis tries first)
            product_id, warehouse = data.draw(st.sampled_from(stocked))
            return next(p for p in self.products if p.id == product_id), warehouse
        return self._pick(data)

    def _pick_open(self, data: st.DataObject) -> str:
        """Mostly a warehouse being counted, else any."""
        if self.counts and data.draw(st.integers(min_value=0, max_value=3)) < 3:
            return data.draw(st.sampled_from(sorted(self.counts)))
        return data.draw(st.sampled_from(self.warehouses))

    @staticmethod
    def _amount(product: Product, n: int) -> Decimal:
        return D(n) / 4 if product.is_measured else D(n)  # a quarter kilo at a time for rice

    def _outgoing(self, data: st.DataObject, product: Product, on_hand: Decimal, n: int) -> Decimal:
        """A quantity to take out: any amount (often too much), one within the stock, or all of it."""
        wanted = self._amount(product, n)
        mode = data.draw(st.sampled_from(["within", "any", "all"]))
        if mode == "within" and on_hand > 0:
            return min(wanted, on_hand)
        if mode == "all" and on_hand > 0:
            return on_hand
        return wanted

    def _on_hand(self, product: Product, warehouse: str) -> Decimal:
        return self.quantity.get((product.id, warehouse), D(0))  # type: ignore[arg-type]

    def _move(self, product: Product, warehouse: str, quantity: Decimal) -> None:
        key = (product.id, warehouse)
        self.quantity[key] = self.quantity.get(key, D(0)) + quantity  # type: ignore[index]

    def _refused(self, error: type, call):  # type: ignore[no-untyped-def]
        before = self.uow.state()
        with pytest.raises(error) as caught:
            call()
        assert self.uow.state() == before
        return caught.value

    def _expected_cost(self, product_id: int, warehouse: str, quantity: Decimal) -> Decimal:
        """What taking ``quantity`` out must cost: the average (the emptying issue takes all), or
        under FIFO the oldest layers first, each partial take rounded half up to the fen."""
        before = self._stored(product_id, warehouse)
        if not self.fifo:
            return before.value if quantity == before.quantity else quantize_money(quantity * before.value / before.quantity)
        with self.uow:
            warehouse_id = self.uow.stock.warehouse_named(warehouse).id  # type: ignore[union-attr]
        layers = sorted(
            (layer for layer in self.uow.valuation.layers.values() if (layer.product_id, layer.warehouse_id) == (product_id, warehouse_id)),
            key=lambda layer: (layer.received_at, layer.id),
        )
        cost, need = D(0), quantity
        for layer in layers:
            take = min(need, layer.remaining_quantity)
            if take == layer.remaining_quantity:
                cost += layer.remaining_value
            elif take > 0:
                cost += quantize_money(take * layer.remaining_value / layer.remaining_quantity)
            need -= take
        assert need == 0
        return cost

    def _stored(self, product_id: int, warehouse: str) -> StockBalance:
        with self.uow:
            warehouse_id = self.uow.stock.warehouse_named(warehouse).id  # type: ignore[union-attr]
        return self.uow.stock.balances.get((product_id, warehouse_id), StockBalance())

    # -- rules --

    @rule(data=st.data(), n=amounts, price=prices)
    def receive(self, data: st.DataObject, n: int, price: Decimal | None) -> None:
        product, warehouse = self._pick(data)
        quantity = self._amount(product, n)
        batch = data.draw(st.sampled_from(sorted(BATCH_EXPIRY))) if product.batch_managed else None
        cmd = c.ReceiveStock(
            product.code, quantity, unit_price=price, warehouse=warehouse, confirmed=True,
            batch=batch, expires_on=BATCH_EXPIRY.get(batch or ""),
        )
        result = services.receive_stock(self.uow, self.ctx, cmd)
        unit_cost = price if price is not None else product.purchase_price
        if unit_cost is not None:
            assert result.movement.value == quantize_money(quantity * unit_cost)
        self._move(product, warehouse, quantity)
        self.value += result.movement.value
        self.documents.append(result.movement.number)

    @rule(data=st.data(), n=amounts)
    def issue(self, data: st.DataObject, n: int) -> None:
        product, warehouse = self._pick_stocked(data)
        quantity = self._outgoing(data, product, self._on_hand(product, warehouse), n)
        cmd = c.IssueStock(product.code, quantity, warehouse=warehouse, confirmed=True)
        if quantity > self._on_hand(product, warehouse):
            self._refused(InsufficientStock, lambda: services.issue_stock(self.uow, self.ctx, cmd))
            return
        expected = self._expected_cost(product.id, warehouse, quantity)  # type: ignore[arg-type]
        result = services.issue_stock(self.uow, self.ctx, cmd)
        assert result.cost == expected
        self._move(product, warehouse, -quantity)
        self.value -= result.cost
        self.documents.append(result.movement.number)

    @rule(data=st.data(), n=amounts)
    def transfer(self, data: st.DataObject, n: int) -> None:
        product, source = self._pick_stocked(data)
        target = data.draw(st.sampled_from(self.warehouses))
        quantity = self._outgoing(data, product, self._on_hand(product, source), n)
        cmd = c.TransferStock(product.code, quantity, source, target, confirmed=True)
        if source == target:
            self._refused(SameWarehouse, lambda: services.transfer_stock(self.uow, self.ctx, cmd))
            return
        if quantity > self._on_hand(product, source):
            error = self._refused(InsufficientStock, lambda: services.transfer_stock(self.uow, self.ctx, cmd))
            assert error.warehouse == source
            return
        before_source = self._stored(product.id, source)  # type: ignore[arg-type]
        before_target = self._stored(product.id, target)  # type: ignore[arg-type]
        moved = self._expected_cost(product.id, source, quantity)  # type: ignore[arg-type]
        result = services.transfer_stock(self.uow, self.ctx, cmd)
        assert result.value == moved
        assert result.source_balance == StockBalance(before_source.quantity - quantity, before_source.value - moved)
        assert result.target_balance == StockBalance(before_target.quantity + quantity, before_target.value + moved)
        self._move(product, source, -quantity)
        self._move(product, target, quantity)
        self.documents.append(result.number)

    @rule(data=st.data(), n=amounts)
    def scrap(self, data: st.DataObject, n: int) -> None:
        product, warehouse = self._pick_stocked(data)
        quantity = self._outgoing(data, product, self._on_hand(product, warehouse), n)
        cmd = c.ScrapStock(product.code, quantity, "破损", warehouse=warehouse, confirmed=True)
        if quantity > self._on_hand(product, warehouse):
            error = self._refused(InsufficientStock, lambda: services.scrap_stock(self.uow, self.ctx, cmd))
            assert error.warehouse == warehouse
            return
        result = services.scrap_stock(self.uow, self.ctx, cmd)
        assert result.movement.note == "破损"
        self._move(product, warehouse, -quantity)
        self.value -= result.cost
        self.documents.append(result.movement.number)

    @rule(data=st.data())
    def start_stocktake(self, data: st.DataObject) -> None:
        warehouse = data.draw(st.sampled_from(self.warehouses))
        cmd = c.StartStocktake(warehouse)
        if warehouse in self.counts:
            self._refused(StocktakeOpen, lambda: stk.start_stocktake(self.uow, self.ctx, cmd))
            return
        stk.start_stocktake(self.uow, self.ctx, cmd)
        self.counts[warehouse] = {}

    @rule(data=st.data(), n=st.integers(min_value=0, max_value=30), wild=st.booleans())
    def count(self, data: st.DataObject, n: int, wild: bool) -> None:
        product, warehouse = data.draw(st.sampled_from(self.products)), self._pick_open(data)
        counted = self._amount(product, n)
        if not wild:  # what people find: a few more or fewer than the book says
            counted = max(D(0), self._on_hand(product, warehouse) + self._amount(product, n % 7 - 3))
        cmd = c.CountStock(product.code, counted, warehouse=warehouse)
        if warehouse not in self.counts:
            self._refused(NoOpenStocktake, lambda: stk.count_stock(self.uow, self.ctx, cmd))
            return
        result = stk.count_stock(self.uow, self.ctx, cmd)
        book = self._on_hand(product, warehouse)
        assert (result.line.counted, result.line.book_quantity) == (counted, book)
        self.counts[warehouse][product.id] = (counted, book)  # type: ignore[index]

    @rule(data=st.data(), cancel=st.integers(min_value=0, max_value=4))
    def close_stocktake(self, data: st.DataObject, cancel: int) -> None:
        """盘点 确认 (four times in five) or 盘点 取消."""
        warehouse = self._pick_open(data)
        if cancel == 4:
            self._cancel(warehouse)
            return
        cmd = c.ConfirmStocktake(warehouse, confirmed=True)
        confirm = lambda: stk.confirm_stocktake(self.uow, self.ctx, cmd)  # noqa: E731
        if warehouse not in self.counts:
            self._refused(NoOpenStocktake, confirm)
            return
        lines = self.counts[warehouse]
        if not lines:
            self._refused(EmptyStocktake, confirm)
            return
        by_id = {p.id: p for p in self.products}
        short = [
            pid for pid, (counted, book) in lines.items() if counted < book and book - counted > self._on_hand(by_id[pid], warehouse)
        ]
        # A batch-managed gain joins a batch in stock: with nothing on hand it has none to join.
        unplaceable = [
            pid for pid, (counted, book) in lines.items()
            if counted > book and by_id[pid].batch_managed and self._on_hand(by_id[pid], warehouse) == 0
        ]
        if short or unplaceable:
            # the first refused line in code order
            first = min((by_id[pid] for pid in short + unplaceable), key=lambda p: p.code)
            if first.id in short:
                error = self._refused(StocktakeBelowZero, confirm)
                assert (error.code, error.on_hand) == (first.code, self._on_hand(first, warehouse))
            else:
                error = self._refused(BatchRefused, confirm)
                assert (error.why, error.code) == (BatchRefused.GAIN_WITHOUT_BATCH, first.code)
            return
        result = confirm()
        assert sorted(m.product_id for _, m in result.booked) == sorted(pid for pid, (k, b) in lines.items() if k != b)
        for pid, (counted, book) in lines.items():
            self._move(by_id[pid], warehouse, counted - book)
        assert all(m.number == result.stocktake.number for _, m in result.booked)
        self.value += result.gain_value - result.loss_value
        if result.booked:
            self.documents.append(result.stocktake.number)
        del self.counts[warehouse]

    def _cancel(self, warehouse: str) -> None:
        cmd = c.CancelStocktake(warehouse)
        if warehouse not in self.counts:
            self._refused(NoOpenStocktake, lambda: stk.cancel_stocktake(self.uow, self.ctx, cmd))
            return
        ledger = list(self.uow.stock.ledger)
        stk.cancel_stocktake(self.uow, self.ctx, cmd)
        assert self.uow.stock.ledger == ledger
        del self.counts[warehouse]

    @precondition(lambda self: bool(self.documents))
    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.documents))
        cmd = c.Undo(number, confirmed=True)
        before = self.uow.state()
        try:
            result = history.undo(self.uow, self.ctx, cmd)
        except UndoRefused:
            assert self.uow.state() == before
            return
        names = {w.id: w.name for w in self.uow.stock.warehouse_rows.values()}
        by_id = {p.id: p for p in self.products}
        for reversal in result.reversals:
            self._move(by_id[reversal.product_id], names[reversal.warehouse_id], reversal.quantity)
            self.value += reversal.value
        self.documents.remove(number)

    # -- what must hold after every step --

    @invariant()
    def balances_equal_their_movements(self) -> None:
        sums: dict[tuple[int, int], StockBalance] = {}
        for m in self.uow.stock.ledger:
            key = (m.product_id, m.warehouse_id)
            running = sums.get(key, StockBalance()).plus(m)  # type: ignore[arg-type]
            # every movement carries the balance it left behind
            assert (m.balance_quantity, m.balance_value) == (running.quantity, running.value)
            sums[key] = running
        for key in set(sums) | set(self.uow.stock.balances):
            stored = self.uow.stock.balances.get(key, StockBalance())
            derived = sums.get(key, StockBalance())
            assert (stored.quantity, stored.value) == (derived.quantity, derived.value), key

    @invariant()
    def no_value_on_nothing_and_nothing_negative(self) -> None:
        for key, b in self.uow.stock.balances.items():
            assert b.quantity >= 0 and b.value >= 0, (key, b)
            assert b.quantity > 0 or b.value == 0, (key, b)

    @invariant()
    def quantities_follow_the_model(self) -> None:
        names = {w.id: w.name for w in self.uow.stock.warehouse_rows.values()}
        stored = {(pid, names[wid]): b.quantity for (pid, wid), b in self.uow.stock.balances.items() if b.quantity}
        assert stored == {k: q for k, q in self.quantity.items() if q}

    @invariant()
    def total_value_is_what_was_booked(self) -> None:
        total = sum((b.value for b in self.uow.stock.balances.values()), D(0))
        assert total == self.value

    @invariant()
    def open_counts_follow_the_model(self) -> None:
        with self.uow:
            assert {s.warehouse.name for s in self.uow.stocktakes.open_counts()} == set(self.counts)

    @invariant()
    def jxc_check_passes(self) -> None:
        report = services.check_books(self.uow)
        assert report.ok, (report.mismatches, report.layer_mismatches)

    @invariant()
    def layers_add_up_to_the_balances(self) -> None:
        """Under FIFO Σ layers = balance per stock and no layer keeps value without units;
        under moving average there are no layers at all."""
        layers = self.uow.valuation.layers.values()
        if not self.fifo:
            assert not layers
            return
        sums: dict[tuple[int, int], StockBalance] = {}
        for layer in layers:
            assert 0 <= layer.remaining_quantity <= layer.quantity, layer
            assert layer.remaining_quantity > 0 or layer.remaining_value == 0, layer
            key = (layer.product_id, layer.warehouse_id)
            sums[key] = sums.get(key, StockBalance()).plus(StockBalance(layer.remaining_quantity, layer.remaining_value))  # type: ignore[arg-type]
        for key, balance in self.uow.stock.balances.items():
            assert sums.get(key, StockBalance()) == balance, key

    @invariant()
    def batches_add_up_to_the_balances(self) -> None:
        """A batch-managed stock is exactly its batches; no batch is negative; others have none."""
        managed = {p.id for p in self.products if p.batch_managed}
        sums: dict[tuple[int, int], Decimal] = {}
        for (pid, wid, _), batch in self.uow.batches.rows.items():
            assert pid in managed and batch.quantity >= 0, batch
            sums[(pid, wid)] = sums.get((pid, wid), D(0)) + batch.quantity
        for (pid, wid), balance in self.uow.stock.balances.items():
            if pid in managed:
                assert sums.get((pid, wid), D(0)) == balance.quantity, (pid, wid)


InventoryBooks.TestCase.settings = settings(max_examples=120, stateful_step_count=40, deadline=None)
TestInventoryBooks = InventoryBooks.TestCase


class FifoInventoryBooks(InventoryBooks):
    """Under FIFO, with B001 batch-managed."""

    fifo = True
    batches = True


FifoInventoryBooks.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestFifoInventoryBooks = FifoInventoryBooks.TestCase


class BatchInventoryBooks(InventoryBooks):
    """Under moving average, with B001 batch-managed."""

    batches = True


BatchInventoryBooks.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestBatchInventoryBooks = BatchInventoryBooks.TestCase
