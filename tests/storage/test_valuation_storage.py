"""FIFO on a real database (SQLite and PostgreSQL): the method setting, layers opened and drawn,
transfers that carry layers with their dates, undo that puts draws back, concurrent issues from
one layer, and `jxc check` proving Σ layers = balance."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain import commands as c
from domain import history, partner_services, services, stocktake, thresholds
from domain.documents import OrderKind
from domain.errors import ConcurrentChange, InsufficientStock, UndoRefused, ValuationRefused
from domain.batches import BatchTake
from domain.partners import PartnerKind
from domain.products import StockLevels, StockStatus
from domain.valuation import LayerDraw, ValuationMethod
from storage.valuation_tables import CostLayerRow, StockBatchRow
from tests.conftest import make_context

D = Decimal
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def ctx(minutes: int = 0):  # type: ignore[no-untyped-def]
    return make_context(NOW + timedelta(minutes=minutes))


def fifo_shop(uow_factory) -> None:  # type: ignore[no-untyped-def]
    services.set_valuation_method(uow_factory(), ctx(), c.SetValuationMethod("fifo"))
    services.add_product(uow_factory(), ctx(), c.AddProduct("A001", "可乐", (("unit", "罐"),)))
    services.add_warehouse(uow_factory(), ctx(), c.AddWarehouse("二仓"))


def receive(uow_factory, quantity: int, price: str, minutes: int, warehouse: str | None = None):  # type: ignore[no-untyped-def]
    cmd = c.ReceiveStock("A001", D(quantity), unit_price=D(price), warehouse=warehouse, confirmed=True)
    return services.receive_stock(uow_factory(), ctx(minutes), cmd)


def open_layers(uow_factory, warehouse: str = "主仓") -> list[tuple[Decimal, Decimal]]:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        product = uow.products.get("A001")
        found = uow.stock.warehouse_named(warehouse)
        return [(layer.remaining_quantity, layer.remaining_value) for layer in uow.valuation.open_layers(product.id, found.id)]


def books_ok(uow_factory) -> None:  # type: ignore[no-untyped-def]
    report = services.check_books(uow_factory())
    assert report.ok, (report.mismatches, report.layer_mismatches, report.batch_mismatches)


def test_the_method_is_stored_and_fixed_after_the_first_movement(uow_factory):
    with uow_factory() as uow:
        assert uow.valuation.method() is ValuationMethod.MOVING_AVERAGE
        assert not uow.valuation.any_movement()
    fifo_shop(uow_factory)
    with uow_factory() as uow:
        assert uow.valuation.method() is ValuationMethod.FIFO
    receive(uow_factory, 1, "2", 1)
    with pytest.raises(ValuationRefused):
        services.set_valuation_method(uow_factory(), ctx(2), c.SetValuationMethod("moving_average"))
    with uow_factory() as uow:
        assert uow.valuation.method() is ValuationMethod.FIFO and uow.valuation.any_movement()


def test_issues_draw_the_oldest_layers_and_record_their_draws(uow_factory):
    fifo_shop(uow_factory)
    receive(uow_factory, 10, "2.00", 1)
    receive(uow_factory, 5, "3.00", 2)
    issued = services.issue_stock(uow_factory(), ctx(3), c.IssueStock("A001", D(12), confirmed=True))
    assert issued.cost == D("26.00")  # 10 × 2.00 + 2 × 3.00
    with uow_factory() as uow:
        draws = uow.valuation.draws_of(issued.movement.id)
    assert [(d.quantity, d.value, d.received_at) for d in draws] == [
        (D(10), D("20.00"), NOW + timedelta(minutes=1)),
        (D(2), D("6.00"), NOW + timedelta(minutes=2)),
    ]
    assert open_layers(uow_factory) == [(D(3), D("9.00"))]
    with pytest.raises(InsufficientStock):
        services.issue_stock(uow_factory(), ctx(4), c.IssueStock("A001", D(4), confirmed=True))
    books_ok(uow_factory)


def test_a_transfer_carries_layers_and_its_undo_puts_them_back(uow_factory):
    fifo_shop(uow_factory)
    receive(uow_factory, 5, "2.00", 1)
    receive(uow_factory, 5, "3.00", 2)
    moved = services.transfer_stock(uow_factory(), ctx(3), c.TransferStock("A001", D(7), "主仓", "二仓", confirmed=True))
    assert moved.value == D("16.00")
    assert open_layers(uow_factory, "二仓") == [(D(5), D("10.00")), (D(2), D("6.00"))]
    with uow_factory() as uow:
        target = uow.stock.warehouse_named("二仓")
        dates = [layer.received_at for layer in uow.valuation.open_layers(1, target.id)]
    assert dates == [NOW + timedelta(minutes=1), NOW + timedelta(minutes=2)]
    history.undo(uow_factory(), ctx(4), c.Undo(moved.number, confirmed=True))
    assert open_layers(uow_factory) == [(D(5), D("10.00")), (D(5), D("15.00"))]
    assert open_layers(uow_factory, "二仓") == []
    books_ok(uow_factory)


def test_undo_of_a_drawn_receipt_is_refused_and_a_stocktake_books_through_layers(uow_factory):
    fifo_shop(uow_factory)
    first = receive(uow_factory, 10, "2.00", 1)
    services.issue_stock(uow_factory(), ctx(2), c.IssueStock("A001", D(1), confirmed=True))
    with pytest.raises(UndoRefused) as refused:
        history.undo(uow_factory(), ctx(3), c.Undo(first.movement.number, confirmed=True))
    assert refused.value.why == UndoRefused.LAYER_DRAWN
    stocktake.start_stocktake(uow_factory(), ctx(4), c.StartStocktake())
    stocktake.count_stock(uow_factory(), ctx(5), c.CountStock("A001", D(6)))
    done = stocktake.confirm_stocktake(uow_factory(), ctx(6), c.ConfirmStocktake(confirmed=True))
    assert done.loss_value == D("6.00")  # 3 × 2.00
    assert open_layers(uow_factory) == [(D(6), D("12.00"))]
    books_ok(uow_factory)


def test_concurrent_issues_from_one_layer_never_draw_it_twice(uow_factory):
    fifo_shop(uow_factory)
    receive(uow_factory, 10, "2.00", 1)

    def take(_: int) -> str:
        for _attempt in range(20):
            try:
                services.issue_stock(uow_factory(), ctx(2), c.IssueStock("A001", D(1), confirmed=True))
                return "ok"
            except ConcurrentChange:
                continue
            except InsufficientStock:
                return "short"
        return "gave up"

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(take, range(12)))
    assert sorted(results) == ["ok"] * 10 + ["short"] * 2
    assert open_layers(uow_factory) == []
    books_ok(uow_factory)


def test_check_finds_a_layer_that_does_not_add_up(engine, workspace_id, uow_factory):
    fifo_shop(uow_factory)
    receive(uow_factory, 10, "2.00", 1)
    with Session(engine) as session:
        session.execute(
            update(CostLayerRow).where(CostLayerRow.workspace_id == workspace_id).values(remaining_value=D("19.99"))
        )
        session.commit()
    report = services.check_books(uow_factory())
    assert not report.ok and not report.mismatches
    (mismatch,) = report.layer_mismatches
    assert (mismatch.product_code, mismatch.balance_value, mismatch.layers_value) == ("A001", D("20.00"), D("19.99"))


def test_a_layer_cannot_be_drawn_below_zero(uow_factory):
    fifo_shop(uow_factory)
    receive(uow_factory, 2, "2.00", 1)
    uow = uow_factory()
    with uow.writing(), pytest.raises(IntegrityError) as broken:
        (layer,) = uow.valuation.open_layers(1, 1)
        uow.valuation.record_draws(999, [LayerDraw(layer.id, D(3), D("6.00"))])  # 3 from a layer of 2
    assert "ck_cost_layer_remaining" in str(broken.value) or "CHECK" in str(broken.value).upper()
    books_ok(uow_factory)


# ---- batches ---------------------------------------------------------------------------------------


def batch_shop(uow_factory) -> None:  # type: ignore[no-untyped-def]
    fields = (("unit", "罐"), ("batch_managed", True), ("shelf_life_days", 180))
    services.add_product(uow_factory(), ctx(), c.AddProduct("A001", "可乐", fields))
    services.add_warehouse(uow_factory(), ctx(), c.AddWarehouse("二仓"))


def stored_batches(uow_factory, warehouse: str = "主仓") -> list[tuple[str, Decimal, date | None]]:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        product = uow.products.get("A001")
        found = uow.stock.warehouse_named(warehouse)
        return [(b.code, b.quantity, b.expires_on) for b in uow.batches.batches(product.id, found.id)]


def test_product_batch_fields_are_stored(uow_factory):
    batch_shop(uow_factory)
    with uow_factory() as uow:
        product = uow.products.get("A001")
    assert (product.batch_managed, product.shelf_life_days) == (True, 180)


def test_batches_are_received_issued_earliest_expiry_first_transferred_and_undone(uow_factory):
    batch_shop(uow_factory)
    today = ctx().today
    soon, later = today + timedelta(days=30), today + timedelta(days=90)
    services.receive_stock(uow_factory(), ctx(1), c.ReceiveStock("A001", D(5), unit_price=D(2), batch="L2", expires_on=later, confirmed=True))
    services.receive_stock(uow_factory(), ctx(2), c.ReceiveStock("A001", D(3), unit_price=D(2), batch="L1", expires_on=soon, confirmed=True))
    assert stored_batches(uow_factory) == [("L1", D(3), soon), ("L2", D(5), later)]
    issued = services.issue_stock(uow_factory(), ctx(3), c.IssueStock("A001", D(4), confirmed=True))
    assert issued.batches == (BatchTake("L1", D(-3), soon), BatchTake("L2", D(-1), later))
    with uow_factory() as uow:
        assert uow.batches.moves_of(issued.movement.id) == list(issued.batches)
    moved = services.transfer_stock(uow_factory(), ctx(4), c.TransferStock("A001", D(2), "主仓", "二仓", confirmed=True))
    assert stored_batches(uow_factory, "二仓") == [("L2", D(2), later)]
    history.undo(uow_factory(), ctx(5), c.Undo(moved.number, confirmed=True))
    history.undo(uow_factory(), ctx(6), c.Undo(issued.movement.number, confirmed=True))
    assert stored_batches(uow_factory) == [("L1", D(3), soon), ("L2", D(5), later)]
    assert stored_batches(uow_factory, "二仓") == []
    # L1 emptied and received again takes the new expiry.
    services.scrap_stock(uow_factory(), ctx(7), c.ScrapStock("A001", D(3), "破损", batch="L1", confirmed=True))
    services.receive_stock(uow_factory(), ctx(8), c.ReceiveStock("A001", D(1), unit_price=D(2), batch="L1", expires_on=later, confirmed=True))
    assert stored_batches(uow_factory) == [("L1", D(1), later), ("L2", D(5), later)]
    books_ok(uow_factory)


def test_check_finds_batches_that_do_not_add_up(engine, workspace_id, uow_factory):
    batch_shop(uow_factory)
    services.receive_stock(uow_factory(), ctx(1), c.ReceiveStock("A001", D(5), unit_price=D(2), batch="L1", expires_on=ctx().today + timedelta(days=9), confirmed=True))
    with Session(engine) as session:
        session.execute(update(StockBatchRow).where(StockBatchRow.workspace_id == workspace_id).values(quantity=D(4)))
        session.commit()
    report = services.check_books(uow_factory())
    (mismatch,) = report.batch_mismatches
    assert (mismatch.product_code, mismatch.balance_quantity, mismatch.batches_quantity) == ("A001", D(5), D(4))


def test_a_batch_cannot_go_below_zero(uow_factory):
    batch_shop(uow_factory)
    services.receive_stock(uow_factory(), ctx(1), c.ReceiveStock("A001", D(2), unit_price=D(2), batch="L1", expires_on=ctx().today + timedelta(days=9), confirmed=True))
    uow = uow_factory()
    with uow.writing(), pytest.raises(IntegrityError):
        uow.batches.record_moves(999, 1, 1, [BatchTake("L1", D(-3))])
    books_ok(uow_factory)


# ---- per-warehouse levels, suppliers' lead time, planning -------------------------------------------


def test_warehouse_levels_are_stored_and_cleared(uow_factory):
    services.add_product(uow_factory(), ctx(), c.AddProduct("A001", "可乐", (("unit", "罐"), ("safety_stock", D(10)))))
    services.add_warehouse(uow_factory(), ctx(), c.AddWarehouse("二仓"))
    services.receive_stock(uow_factory(), ctx(1), c.ReceiveStock("A001", D(15), unit_price=D(2), warehouse="二仓", confirmed=True))
    thresholds.set_stock_levels(uow_factory(), ctx(2), c.SetStockLevels("A001", "二仓", (("safety_stock", D(20)), ("max_stock", D("50.5")))))
    with uow_factory() as uow:
        product = uow.products.get("A001")
        second = uow.stock.warehouse_named("二仓")
        assert uow.thresholds.of_product(product.id) == {second.id: StockLevels(D(20), D("50.5"))}
    card = services.show_stock(uow_factory(), ctx(3), c.ShowStock("A001"))
    assert [(w.name, status) for w, _, status in card.warehouse_levels] == [("二仓", StockStatus.LOW)]
    thresholds.set_stock_levels(uow_factory(), ctx(4), c.SetStockLevels("A001", "二仓", (("safety_stock", None), ("max_stock", None))))
    with uow_factory() as uow:
        assert uow.thresholds.of_product(product.id) == {} and uow.thresholds.get(product.id, second.id) is None


def test_a_supplier_s_lead_time_and_the_planning_facts(uow_factory):
    partner_services.add_partner(uow_factory(), ctx(), c.AddPartner("供应商", "华东饮料", (("lead_days", 5),)))
    partner_services.change_partner(uow_factory(), ctx(1), c.ChangePartner("供应商", "华东饮料", (("lead_days", 9),)))
    services.add_product(uow_factory(), ctx(), c.AddProduct("A001", "可乐", (("unit", "罐"),)))
    services.receive_stock(uow_factory(), ctx(2), c.ReceiveStock("A001", D(5), unit_price=D(2), counterparty="华东饮料", confirmed=True))
    with uow_factory() as uow:
        assert uow.partners.get(PartnerKind.SUPPLIER, "华东饮料").lead_days == 9
        product = uow.products.get("A001")
        assert uow.planning.first_movements() == {product.id: NOW + timedelta(minutes=2)}
        assert uow.documents.remaining(OrderKind.PURCHASE, product.id) == D(0)
