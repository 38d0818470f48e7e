"""Batches and expiry (批次 / 有效期) through the in-memory unit of work, worked by hand.

The shop's clock says 2026-03-10. A001 (可乐) is batch-managed with a 保质期 of 180 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import history, services
from domain import stocktake as stk
from domain.batches import Batch, BatchTake, fefo, pick_batches, receipt_expiry
from domain.booking import prepare_out, stock_in
from domain.errors import BatchRefused, InsufficientStock, UndoRefused
from domain.stock import MovementKind
from tests.factories import make_product
from tests.fakes import FakeUnitOfWork
from tests.unit.support import KEEPER, NOW, OWNER, ctx_of, shop

D = Decimal
TODAY = NOW.date()  # 2026-03-10
MAR_1, JUN_1, SEP_1 = date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = shop()
    uow.seed(
        make_product("A001", name="可乐", unit="罐", batch_managed=True, shelf_life_days=180),
        make_product("B001", name="雪碧", unit="罐"),
    )
    uow.seed_warehouses("二仓")
    return uow


def receive(uow: FakeUnitOfWork, quantity: str, batch: str | None, expires: date | None = None, produced: date | None = None, **extra):  # type: ignore[no-untyped-def]
    cmd = c.ReceiveStock("A001", D(quantity), unit_price=D("2.00"), batch=batch, expires_on=expires, produced_on=produced, confirmed=True, **extra)
    return services.receive_stock(uow, ctx_of(KEEPER), cmd)


def seed_batches(uow: FakeUnitOfWork, at=NOW) -> None:  # type: ignore[no-untyped-def]
    """L1: 3 expiring 03-01 (booked before it expired), L2: 5 expiring 06-01, L3: 4 expiring 09-01."""
    # L1 was received in February, when it had not expired yet.
    earlier = ctx_of(KEEPER, "", at - timedelta(days=30))
    services.receive_stock(uow, earlier, c.ReceiveStock("A001", D(3), unit_price=D(2), batch="L1", expires_on=MAR_1, confirmed=True))
    receive(uow, "5", "L2", JUN_1)
    receive(uow, "4", "L3", SEP_1)


def batches(uow: FakeUnitOfWork, warehouse_id: int = 1) -> list[tuple[str, Decimal, date | None]]:
    with uow:
        return [(b.code, b.quantity, b.expires_on) for b in uow.batches.batches(1, warehouse_id)]


def assert_books_ok(uow: FakeUnitOfWork) -> None:
    report = services.check_books(uow)
    assert report.ok, (report.mismatches, report.layer_mismatches, report.batch_mismatches)


# ---- the pure rules ---------------------------------------------------------------------------------


def _batch(code: str, quantity: str, expires: date | None) -> Batch:
    return Batch(1, 1, code, expires, D(quantity))


def test_fefo_orders_by_expiry_then_code_with_undated_batches_last() -> None:
    found = fefo([_batch("Z", "1", None), _batch("B", "1", JUN_1), _batch("A", "1", JUN_1), _batch("C", "1", MAR_1)])
    assert [b.code for b in found] == ["C", "A", "B", "Z"]


def test_pick_batches_skips_expired_ones_for_an_issue_and_takes_them_first_for_a_scrap() -> None:
    product = make_product("A001", batch_managed=True)
    stock = [_batch("L1", "3", MAR_1), _batch("L2", "5", JUN_1), _batch("L3", "4", None)]
    # On 03-10 L1 has expired: an issue of 6 takes 5 of L2 and 1 of L3.
    assert pick_batches(product, stock, D(6), TODAY) == [BatchTake("L2", D(-5), JUN_1), BatchTake("L3", D(-1), None)]
    # A scrap of 6 may take expired goods: 3 of L1, then 3 of L2.
    assert pick_batches(product, stock, D(6), TODAY, allow_expired=True) == [BatchTake("L1", D(-3), MAR_1), BatchTake("L2", D(-3), JUN_1)]
    # On its expiry day a batch is still good.
    assert pick_batches(product, stock, D(1), MAR_1) == [BatchTake("L1", D(-1), MAR_1)]
    # Asking for 10 on 03-10: 9 have not expired, so it is refused, naming L1.
    with pytest.raises(BatchRefused) as refused:
        pick_batches(product, stock, D(10), TODAY)
    assert refused.value.why == BatchRefused.EXPIRED
    assert (refused.value.details["usable"], [b.code for b in refused.value.details["expired"]]) == (D(9), ["L1"])


def test_pick_batches_by_name() -> None:
    product = make_product("A001", batch_managed=True)
    stock = [_batch("L1", "3", MAR_1), _batch("L2", "5", JUN_1)]
    assert pick_batches(product, stock, D(2), TODAY, named="L2") == [BatchTake("L2", D(-2), JUN_1)]
    for named, quantity, why in (("L9", "1", BatchRefused.UNKNOWN_BATCH), ("L2", "6", BatchRefused.BATCH_SHORT), ("L1", "1", BatchRefused.EXPIRED)):
        with pytest.raises(BatchRefused) as refused:
            pick_batches(product, stock, D(quantity), TODAY, named=named)
        assert refused.value.why == why
    assert pick_batches(product, stock, D(1), TODAY, named="L1", allow_expired=True) == [BatchTake("L1", D(-1), MAR_1)]


def test_receipt_expiry_from_the_date_the_production_day_or_the_batch_in_stock() -> None:
    managed = make_product("A001", batch_managed=True, shelf_life_days=180)
    # 2026-01-10 + 180 days = 2026-07-09
    assert receipt_expiry(managed, "L1", None, date(2026, 1, 10), None, TODAY) == date(2026, 7, 9)
    assert receipt_expiry(managed, "L1", SEP_1, None, None, TODAY) == SEP_1
    assert receipt_expiry(managed, "L1", None, None, _batch("L1", "2", JUN_1), TODAY) == JUN_1
    cases = [
        (managed, None, SEP_1, None, None, BatchRefused.REQUIRED),
        (make_product("B001"), "L1", None, None, None, BatchRefused.NOT_MANAGED),
        (make_product("A001", batch_managed=True), "L1", None, date(2026, 1, 10), None, BatchRefused.NO_SHELF_LIFE),
        (managed, "L1", None, None, None, BatchRefused.EXPIRY_REQUIRED),
        (managed, "L1", SEP_1, None, _batch("L1", "2", JUN_1), BatchRefused.EXPIRY_CONFLICT),
        (managed, "L1", MAR_1, None, None, BatchRefused.EXPIRED_ON_ARRIVAL),
    ]
    for product, batch, expires, produced, existing, why in cases:
        with pytest.raises(BatchRefused) as refused:
            receipt_expiry(product, batch, expires, produced, existing, TODAY)
        assert refused.value.why == why
    # Without a 保质期 a batch may have no expiry; a customer return (no today) may bring back expired goods.
    assert receipt_expiry(make_product("A001", batch_managed=True), "L1", None, None, None, TODAY) is None
    assert receipt_expiry(managed, "L1", MAR_1, None, None, None) == MAR_1


# ---- through the services ------------------------------------------------------------------------


def test_receipts_book_batches_and_the_card_lists_them_earliest_expiry_first(uow: FakeUnitOfWork) -> None:
    received = receive(uow, "5", "l2", None, produced=date(2025, 12, 3))  # + 180 days = 2026-06-01
    assert received.batches == (BatchTake("L2", D(5), JUN_1),)
    receive(uow, "4", "L3", SEP_1)
    receive(uow, "1", "L2")  # more of L2: its expiry is known
    assert batches(uow) == [("L2", D(6), JUN_1), ("L3", D(4), SEP_1)]
    card = services.show_stock(uow, ctx_of(KEEPER), c.ShowStock("A001"))
    assert [(b.code, b.quantity) for _, b in card.batches] == [("L2", D(6)), ("L3", D(4))]
    assert card.today == TODAY
    assert_books_ok(uow)


def test_a_batch_managed_receipt_without_a_batch_is_refused_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    for batch, expires, produced, why in (
        (None, SEP_1, None, BatchRefused.REQUIRED),
        ("L1", None, None, BatchRefused.EXPIRY_REQUIRED),
        ("L1", MAR_1, None, BatchRefused.EXPIRED_ON_ARRIVAL),
    ):
        before = uow.state()
        with pytest.raises(BatchRefused) as refused:
            receive(uow, "5", batch, expires, produced)
        assert refused.value.why == why and uow.state() == before
    before = uow.state()
    with pytest.raises(BatchRefused) as refused:
        services.receive_stock(uow, ctx_of(KEEPER), c.ReceiveStock("B001", D(1), batch="L1", confirmed=True))
    assert refused.value.why == BatchRefused.NOT_MANAGED and uow.state() == before


def test_issues_take_the_earliest_expiry_and_refuse_expired_batches(uow: FakeUnitOfWork) -> None:
    seed_batches(uow)
    issued = services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(6), confirmed=True))
    # L1 expired on 03-01: 5 of L2 and 1 of L3.
    assert issued.batches == (BatchTake("L2", D(-5), JUN_1), BatchTake("L3", D(-1), SEP_1))
    assert batches(uow) == [("L1", D(3), MAR_1), ("L3", D(3), SEP_1)]
    before = uow.state()
    with pytest.raises(BatchRefused) as refused:
        services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(4), confirmed=True))
    assert refused.value.why == BatchRefused.EXPIRED and refused.value.details["usable"] == D(3)
    assert uow.state() == before
    with pytest.raises(BatchRefused):
        services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(1), batch="L1", confirmed=True))
    assert uow.state() == before
    named = services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(2), batch="L3", confirmed=True))
    assert named.batches == (BatchTake("L3", D(-2), SEP_1),)
    assert_books_ok(uow)


def test_expired_batches_are_scrapped_first(uow: FakeUnitOfWork) -> None:
    seed_batches(uow)
    scrapped = services.scrap_stock(uow, ctx_of(KEEPER), c.ScrapStock("A001", D(3), "过期", confirmed=True))
    assert scrapped.batches == (BatchTake("L1", D(-3), MAR_1),)
    assert batches(uow) == [("L2", D(5), JUN_1), ("L3", D(4), SEP_1)]
    assert_books_ok(uow)


def test_a_transfer_moves_batches_with_their_expiry_and_undo_moves_them_back(uow: FakeUnitOfWork) -> None:
    seed_batches(uow)
    moved = services.transfer_stock(uow, ctx_of(KEEPER), c.TransferStock("A001", D(5), "主仓", "二仓", confirmed=True))
    # Expired goods may move: 3 of L1, 2 of L2.
    assert batches(uow, 2) == [("L1", D(3), MAR_1), ("L2", D(2), JUN_1)]
    assert batches(uow) == [("L2", D(3), JUN_1), ("L3", D(4), SEP_1)]
    history.undo(uow, ctx_of(OWNER), c.Undo(moved.number, confirmed=True))
    assert batches(uow) == [("L1", D(3), MAR_1), ("L2", D(5), JUN_1), ("L3", D(4), SEP_1)]
    assert batches(uow, 2) == []
    assert_books_ok(uow)


def test_undo_of_a_receipt_whose_batch_was_issued_is_refused(uow: FakeUnitOfWork) -> None:
    seed_batches(uow)
    second = receive(uow, "2", "L4", date(2026, 12, 1))
    # L4 expires last: FEFO takes L2 for this issue, so L4 is untouched and its receipt can be undone.
    services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(1), confirmed=True))
    history.undo(uow, ctx_of(OWNER), c.Undo(second.movement.number, confirmed=True))
    issued_from = services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(1), batch="L3", confirmed=True))
    assert issued_from.batches == (BatchTake("L3", D(-1), SEP_1),)
    with uow:
        l3_receipt = next(m for m in uow.stock.ledger if m.kind is MovementKind.RECEIPT and uow.batches.moves_of(m.id or 0)[0].code == "L3")
    before = uow.state()
    with pytest.raises(UndoRefused) as refused:
        history.undo(uow, ctx_of(OWNER), c.Undo(l3_receipt.number, confirmed=True))
    assert refused.value.why == UndoRefused.STOCK_SINCE_ISSUED and refused.value.details["on_hand"] == D(3)
    assert uow.state() == before
    assert_books_ok(uow)


def test_stocktake_losses_take_expired_batches_first_and_gains_join_the_earliest(uow: FakeUnitOfWork) -> None:
    seed_batches(uow)  # 12 on the book
    stk.start_stocktake(uow, ctx_of(KEEPER), c.StartStocktake())
    stk.count_stock(uow, ctx_of(KEEPER), c.CountStock("A001", D(8)))
    stk.confirm_stocktake(uow, ctx_of(OWNER), c.ConfirmStocktake(confirmed=True))
    # A loss of 4: the 3 expired of L1, then 1 of L2.
    assert batches(uow) == [("L2", D(4), JUN_1), ("L3", D(4), SEP_1)]
    stk.start_stocktake(uow, ctx_of(KEEPER), c.StartStocktake())
    stk.count_stock(uow, ctx_of(KEEPER), c.CountStock("A001", D(10)))
    stk.confirm_stocktake(uow, ctx_of(OWNER), c.ConfirmStocktake(confirmed=True))
    assert batches(uow) == [("L2", D(6), JUN_1), ("L3", D(4), SEP_1)]  # the 2 found join L2
    assert_books_ok(uow)


def test_a_gain_with_no_batch_in_stock_is_refused_before_asking(uow: FakeUnitOfWork) -> None:
    stk.start_stocktake(uow, ctx_of(KEEPER), c.StartStocktake())
    stk.count_stock(uow, ctx_of(KEEPER), c.CountStock("A001", D(2)))
    before = uow.state()
    with pytest.raises(BatchRefused) as refused:
        stk.confirm_stocktake(uow, ctx_of(OWNER), c.ConfirmStocktake())
    assert refused.value.why == BatchRefused.GAIN_WITHOUT_BATCH and uow.state() == before


def test_batch_management_switches_only_without_stock(uow: FakeUnitOfWork) -> None:
    services.receive_stock(uow, ctx_of(KEEPER), c.ReceiveStock("B001", D(2), unit_price=D(1), confirmed=True))
    before = uow.state()
    with pytest.raises(BatchRefused) as refused:
        services.change_product(uow, ctx_of(OWNER), c.ChangeProduct("B001", (("batch_managed", True),)))
    assert refused.value.why == BatchRefused.STOCK_ON_HAND and refused.value.details["on_hand"] == [("主仓", D(2))]
    assert uow.state() == before
    services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("B001", D(2), confirmed=True))
    changed = services.change_product(uow, ctx_of(OWNER), c.ChangeProduct("B001", (("batch_managed", True), ("shelf_life_days", 90))))
    assert changed.product.batch_managed and changed.product.shelf_life_days == 90
    assert_books_ok(uow)


def test_batch_managed_stock_never_goes_below_zero_even_when_negative_stock_is_allowed(uow: FakeUnitOfWork) -> None:
    services.set_negative_stock(uow, ctx_of(OWNER), c.SetNegativeStock(True))
    receive(uow, "2", "L2", JUN_1)
    before = uow.state()
    with pytest.raises(InsufficientStock):
        services.issue_stock(uow, ctx_of(KEEPER), c.IssueStock("A001", D(3), confirmed=True))
    assert uow.state() == before


def test_booking_without_a_day_picks_the_batches_when_it_books(uow: FakeUnitOfWork) -> None:
    """A document that calls prepare_out without ``today`` still gets FEFO and the expiry rule."""
    seed_batches(uow)
    ctx = ctx_of(KEEPER)
    with uow.writing():
        product = uow.products.get("A001")
        warehouse = uow.stock.default_warehouse()
        assert product is not None
        plan = prepare_out(uow, product, warehouse, D(2))
        assert plan.batches is None
        booked = plan.book(uow, ctx, MovementKind.ISSUE, "CK-2026-0099")
        # A customer return puts the goods back into the batch they left from.
        back = stock_in(uow, ctx, MovementKind.RECEIPT, product, warehouse, D(2), "RK-2026-0099", value=booked.cost, batch="L2")
        uow.commit()
    assert booked.batches == (BatchTake("L2", D(-2), JUN_1),)
    assert back.batches == (BatchTake("L2", D(2), JUN_1),)
    assert_books_ok(uow)


def test_check_finds_batches_that_do_not_add_up(uow: FakeUnitOfWork) -> None:
    receive(uow, "5", "L2", JUN_1)
    key = next(iter(uow.batches.rows))
    uow.batches.rows[key] = Batch(1, 1, "L2", JUN_1, D(4))
    report = services.check_books(uow)
    assert not report.ok
    (mismatch,) = report.batch_mismatches
    assert (mismatch.product_code, mismatch.warehouse, mismatch.balance_quantity, mismatch.batches_quantity) == ("A001", "主仓", D(5), D(4))
