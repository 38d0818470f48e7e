"""Negative stock (设置 负库存 允许) and packing units, with the arithmetic in the tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import services
from domain.audit import Action
from domain.errors import InsufficientStock, NegativeStockSetting, NeedsConfirmation
from domain.stock import MovementKind, Posting, StockBalance, post_issue_below_zero, restore_adjustment
from tests.factories import make_context, make_product
from tests.fakes import FakeUnitOfWork

D = Decimal


# ---- the rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "quantity", "fallback", "posting"),
    [
        (StockBalance(D(10), D("20.00")), D(4), None, Posting(D(-4), D("-8.00"))),  # within stock: the average
        (StockBalance(D(10), D("20.00")), D(15), None, Posting(D(-15), D("-30.00"))),  # beyond: 15 × 2.00
        (StockBalance(D(-5), D("-10.00")), D(3), None, Posting(D(-3), D("-6.00"))),  # the deficit's rate 2.00
        (StockBalance(), D(3), D("2.50"), Posting(D(-3), D("-7.50"))),  # nothing known: the purchase price
        (StockBalance(), D(3), None, Posting(D(-3), D("0.00"))),  # nothing at all: unvalued
        (StockBalance(D(3), D("10.00")), D(4), None, Posting(D(-4), D("-13.33"))),  # 4 × 3.333… = 13.33
    ],
)
def test_an_issue_below_zero_is_costed_at_the_last_known_rate(balance, quantity, fallback, posting) -> None:  # type: ignore[no-untyped-def]
    assert post_issue_below_zero(balance, quantity, fallback) == posting


@pytest.mark.parametrize(
    ("before", "receipt", "adjustment"),
    [
        # −8 worth −16.00 (rate 2) + 5 at 3 = 15.00 → −3 kept at rate 2 = −6.00; −6 − (−16 + 15) = −5.00.
        (StockBalance(D(-8), D("-16.00")), Posting(D(5), D("15.00")), Posting(D(0), D("-5.00"))),
        # −3 worth −6.00 + 10 at 3 = 30.00 → 7 at 3 = 21.00; 21 − (−6 + 30) = −3.00.
        (StockBalance(D(-3), D("-6.00")), Posting(D(10), D("30.00")), Posting(D(0), D("-3.00"))),
        # −2 worth −4.00 + 2 at 2 = 4.00 → 0 worth 0: nothing to adjust.
        (StockBalance(D(-2), D("-4.00")), Posting(D(2), D("4.00")), None),
        # Not negative before: no adjustment.
        (StockBalance(D(1), D("2.00")), Posting(D(2), D("6.00")), None),
        # −1 worth −1.00 + 2 at 1.005 (2.01) → 1 at 1.005 = 1.01 (half up); 1.01 − (−1 + 2.01) = 0.00 → none.
        (StockBalance(D(-1), D("-1.00")), Posting(D(2), D("2.01")), None),
    ],
)
def test_the_restoring_receipt_revalues_the_restored_units_at_its_own_cost(before, receipt, adjustment) -> None:  # type: ignore[no-untyped-def]
    assert restore_adjustment(before, receipt) == adjustment


# ---- through the services --------------------------------------------------------------------


@pytest.fixture
def uow() -> FakeUnitOfWork:
    shop = FakeUnitOfWork()
    shop.seed(make_product("A001", unit="罐", purchase_price=D("2.50")))
    services.receive_stock(shop, make_context(), c.ReceiveStock("A001", D(10), unit_price=D(2)))
    return shop


def test_negative_stock_is_refused_until_allowed_and_the_setting_is_audited(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InsufficientStock):
        services.issue_stock(uow, make_context(), c.IssueStock("A001", D(15), confirmed=True))
    changed = services.set_negative_stock(uow, make_context(), c.SetNegativeStock(True))
    assert changed.allow_negative and uow.audit.entries[-1].action is Action.SETTINGS
    with pytest.raises(NegativeStockSetting):
        services.set_negative_stock(uow, make_context(), c.SetNegativeStock(True))
    issued = services.issue_stock(uow, make_context(), c.IssueStock("A001", D(15), confirmed=True))
    assert (issued.balance.quantity, issued.balance.value, issued.cost) == (D(-5), D("-10.00"), D("30.00"))


def test_the_worked_example_of_the_docs_books_cost_of_goods_sold_exactly(uow: FakeUnitOfWork) -> None:
    services.set_negative_stock(uow, make_context(), c.SetNegativeStock(True))
    services.issue_stock(uow, make_context(), c.IssueStock("A001", D(15), confirmed=True))
    services.issue_stock(uow, make_context(), c.IssueStock("A001", D(3), confirmed=True))
    first = services.receive_stock(uow, make_context(), c.ReceiveStock("A001", D(5), unit_price=D(3), confirmed=True))
    second = services.receive_stock(uow, make_context(), c.ReceiveStock("A001", D(10), unit_price=D(3), confirmed=True))
    assert (first.cost_adjustment, first.balance.quantity, first.balance.value) == (D("-5.00"), D(-3), D("-6.00"))
    assert (second.cost_adjustment, second.balance.quantity, second.balance.value) == (D("-3.00"), D(7), D("21.00"))
    adjustments = [m for m in uow.stock.ledger if m.kind is MovementKind.COST_ADJUSTMENT]
    assert [(m.number, m.quantity, m.value) for m in adjustments] == [
        ("RK-2026-0002", D(0), D("-5.00")),
        ("RK-2026-0003", D(0), D("-3.00")),
    ]
    # COGS = issues 30 + 6 plus adjustments 5 + 3 = 44 = receipts 20 + 15 + 30 − stock 21.
    cogs = -sum((m.value for m in uow.stock.ledger if m.kind in (MovementKind.ISSUE, MovementKind.COST_ADJUSTMENT)), D(0))
    assert cogs == D("44.00")
    assert services.check_books(uow).ok


def test_transfer_and_scrap_never_go_below_zero_even_when_allowed(uow: FakeUnitOfWork) -> None:
    services.set_negative_stock(uow, make_context(), c.SetNegativeStock(True))
    services.add_warehouse(uow, make_context(), c.AddWarehouse("二仓"))
    with pytest.raises(InsufficientStock):
        services.transfer_stock(uow, make_context(), c.TransferStock("A001", D(11), "主仓", "二仓", confirmed=True))
    with pytest.raises(InsufficientStock):
        services.scrap_stock(uow, make_context(), c.ScrapStock("A001", D(11), "破损", confirmed=True))


def test_transfer_and_scrap_ask_before_ten_times_the_usual_quantity(uow: FakeUnitOfWork) -> None:
    services.receive_stock(uow, make_context(), c.ReceiveStock("A001", D(500), unit_price=D(2), confirmed=True))
    services.add_warehouse(uow, make_context(), c.AddWarehouse("二仓"))
    services.transfer_stock(uow, make_context(), c.TransferStock("A001", D(2), "主仓", "二仓"))  # usual: 2
    before = uow.state()
    with pytest.raises(NeedsConfirmation) as asked:
        services.transfer_stock(uow, make_context(), c.TransferStock("A001", D(21), "主仓", "二仓"))
    assert asked.value.command == c.TransferStock("A001", D(21), "主仓", "二仓", confirmed=True)
    assert uow.state() == before
    services.scrap_stock(uow, make_context(), c.ScrapStock("A001", D(1), "破损"))
    with pytest.raises(NeedsConfirmation):
        services.scrap_stock(uow, make_context(), c.ScrapStock("A001", D(11), "破损"))


def test_packs_convert_quantity_and_a_pack_price_values_exactly() -> None:
    uow = FakeUnitOfWork()
    uow.seed(make_product("A001", unit="罐", packs=(("箱", D(24)),)))
    # 3 箱 at 50.00 a 箱: 72 罐 worth 150.00 exactly; the unit price 50 ÷ 24 = 2.0833 is for display.
    received = services.receive_stock(uow, make_context(), c.ReceiveStock("A001", D(3), unit="箱", unit_price=D(50)))
    assert (received.movement.quantity, received.movement.value, received.movement.unit_price) == (D(72), D("150.00"), D("2.0833"))
    assert received.pack is not None and (received.pack.unit, received.pack.quantity) == ("箱", D(3))
    issued = services.issue_stock(uow, make_context(), c.IssueStock("A001", D("0.5"), unit="箱"))
    assert issued.movement.quantity == D(-12)
